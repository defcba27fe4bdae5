//! `stepwise-server`: the sync hub of a school, a district or a country.
//!
//! Students push the events of their work; teachers set work, read it line by
//! line and watch it live; parents read their own children's progress. All
//! state lives in the database ([`db`]), so copies of the server on one
//! PostgreSQL are interchangeable behind a load balancer.

pub mod admin;
pub mod api;
pub mod auth;
pub mod db;
pub mod error;
pub mod limits;
pub mod live;
mod push;
mod views;

use std::net::SocketAddr;
use std::sync::Arc;

use stepwise_core::generate::Skill;
use tokio::sync::watch;

use crate::db::{Db, Engine};
use crate::error::ServerError;
use crate::limits::{Metrics, RateLimiter};
use crate::live::Live;

/// What `serve` needs besides the database.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    pub listen: String,
    pub max_body_bytes: usize,
    pub rate_per_second: f64,
    pub rate_burst: f64,
    pub logins_per_minute: f64,
}

/// Everything a request handler can reach.
#[derive(Debug)]
pub struct AppState {
    pub db: Db,
    pub live: Arc<Live>,
    pub metrics: Metrics,
    pub limiter: RateLimiter,
    pub login_limiter: RateLimiter,
    pub skills: Vec<Skill>,
    pub shutdown: watch::Receiver<bool>,
}

/// Runs the server until SIGTERM or ctrl-c, then drains open requests.
pub async fn serve(db: Db, config: ServeConfig) -> Result<(), ServerError> {
    db.migrate().await?;
    let skills = stepwise_core::generate::builtin::builtin().map_err(|e| {
        ServerError::Invalid(format!("the built-in content pack does not load: {e}"))
    })?;

    let live = Arc::new(Live::new());
    if db.engine == Engine::Postgres {
        tokio::spawn(live.clone().listen_postgres(db.url.clone()));
    }
    let (stop, shutdown) = watch::channel(false);
    let state = Arc::new(AppState {
        db,
        live,
        metrics: Metrics::default(),
        limiter: RateLimiter::new(config.rate_per_second, config.rate_burst),
        login_limiter: RateLimiter::new(
            config.logins_per_minute / 60.0,
            config.logins_per_minute.max(1.0),
        ),
        skills,
        shutdown,
    });
    let app = api::router(state.clone(), config.max_body_bytes);

    let listener = tokio::net::TcpListener::bind(&config.listen)
        .await
        .map_err(|source| ServerError::Listen {
            addr: config.listen.clone(),
            source,
        })?;
    let addr = listener.local_addr().map_err(ServerError::Serve)?;
    // Scripts and tests read the bound address (the port may have been 0).
    println!("{}", serde_json::json!({ "listening": addr.to_string() }));
    tracing::info!(%addr, engine = ?state.db.engine, "serving");

    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        wait_for_signal().await;
        tracing::info!("shutting down");
        let _ = stop.send(true);
    })
    .await
    .map_err(ServerError::Serve)?;
    state.db.pool.close().await;
    tracing::info!("stopped");
    Ok(())
}

async fn wait_for_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
