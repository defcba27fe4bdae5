//! The HTTP routes, the middleware around them, and the account handlers.
//! Pushing and pulling are in `push`, the teacher and parent views in `views`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{ConnectInfo, DefaultBodyLimit, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use sqlx::Row;
use stepwise_core::sync::views::{LoginRequest, LoginResponse};
use tower_http::compression::predicate::{DefaultPredicate, Predicate, SizeAbove};
use tower_http::compression::CompressionLayer;
use tower_http::decompression::RequestDecompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::trace::TraceLayer;

use crate::auth::{self, AuthUser};
use crate::db::now_ms;
use crate::error::{ApiError, JsonBody};
use crate::limits::Metrics;
use crate::{push, views, AppState};

/// The whole application. `max_body_bytes` bounds a body both as sent
/// (compressed) and once decompressed.
pub fn router(state: Arc<AppState>, max_body_bytes: usize) -> Router {
    let api = Router::new()
        .route("/login", post(login))
        .route("/logout", post(logout))
        .route("/me", get(me))
        .route("/events", post(push::push))
        .route("/updates", get(push::pull))
        .route("/teacher/assignments", post(views::assign))
        .route("/teacher/classes", get(views::teacher_classes))
        .route("/teacher/classes/{id}/summary", get(views::class_summary))
        .route("/teacher/students/{id}/attempts", get(views::student_work))
        .route("/teacher/students/{id}/live", get(views::live))
        .route("/teacher/comments", post(views::comment))
        .route("/parent/link", post(views::parent_link))
        .route("/parent/children", get(views::parent_children))
        .route("/parent/children/{id}/report", get(views::parent_report));
    Router::new()
        .route("/health", get(health))
        .route("/metrics", get(metrics))
        .route("/v1/{*rest}", any(version_one_gone))
        .nest(stepwise_core::sync::protocol::API_PREFIX, api)
        .fallback(no_such_route)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(state.clone(), guard))
        .layer(DefaultBodyLimit::max(max_body_bytes))
        .layer(RequestDecompressionLayer::new())
        .layer(
            CompressionLayer::new()
                .compress_when(DefaultPredicate::new().and(SizeAbove::new(COMPRESS_FROM_BYTES))),
        )
        .layer(RequestBodyLimitLayer::new(max_body_bytes))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Responses shorter than this go uncompressed: a push's answer is about
/// 40 bytes, which gzip and its headers would make longer.
const COMPRESS_FROM_BYTES: u16 = 512;

/// Responds to every path of protocol version 1 with 410 Gone. Version 2
/// replaced it with compact push batches.
async fn version_one_gone() -> ApiError {
    ApiError::Gone(format!(
        "this server speaks sync protocol version 2 under {}; version 1 is no longer served, so update the app",
        stepwise_core::sync::protocol::API_PREFIX
    ))
}

async fn no_such_route(uri: axum::http::Uri) -> ApiError {
    ApiError::NotFound(format!(
        "no such path `{}`; the sync API is under {}",
        uri.path(),
        stepwise_core::sync::protocol::API_PREFIX
    ))
}

async fn method_not_allowed(method: axum::http::Method, uri: axum::http::Uri) -> ApiError {
    ApiError::MethodNotAllowed(format!("{method} is not allowed on `{}`", uri.path()))
}

/// Counts requests and applies the rate limit: per token when the request
/// carries one (many students may share a school's address), else per IP.
async fn guard(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request,
    next: Next,
) -> Response {
    Metrics::add(&state.metrics.requests, 1);
    let key = match request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        Some(value) => format!("t:{}", auth::secret_hash(value)),
        None => format!("ip:{}", peer.ip()),
    };
    if request.uri().path() != "/health" && !state.limiter.allow(&key) {
        Metrics::add(&state.metrics.rate_limited, 1);
        let mut response = ApiError::RateLimited.into_response();
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, header::HeaderValue::from_static("1"));
        return response;
    }
    let response = next.run(request).await;
    if response.status().is_client_error() {
        Metrics::add(&state.metrics.responses_4xx, 1);
    } else if response.status().is_server_error() {
        Metrics::add(&state.metrics.responses_5xx, 1);
    }
    response
}

async fn health(State(state): State<Arc<AppState>>) -> Response {
    let ok = tokio::time::timeout(
        Duration::from_secs(2),
        sqlx::query("SELECT 1").execute(&state.db.pool),
    )
    .await
    .map(|r| r.is_ok())
    .unwrap_or(false);
    if ok {
        Json(json!({ "status": "ok" })).into_response()
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "database unreachable" })),
        )
            .into_response()
    }
}

async fn metrics(State(state): State<Arc<AppState>>) -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
        .into_response()
}

async fn login(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    JsonBody(request): JsonBody<LoginRequest>,
) -> Result<Json<LoginResponse>, ApiError> {
    // Limited per address and per account, so guessing is slow from one
    // machine and against one account from many.
    if !state.login_limiter.allow(&format!("ip:{}", peer.ip()))
        || !state
            .login_limiter
            .allow(&format!("user:{}", request.username))
    {
        Metrics::add(&state.metrics.rate_limited, 1);
        return Err(ApiError::RateLimited);
    }
    let row = sqlx::query(
        "SELECT id, school_id, role, display_name, password_hash FROM users WHERE username = $1",
    )
    .bind(&request.username)
    .fetch_optional(&state.db.pool)
    .await?;
    let wrong = || ApiError::Forbidden("wrong user name or password".to_string());
    let Some(row) = row else {
        Metrics::add(&state.metrics.logins_failed, 1);
        return Err(wrong());
    };
    let stored: String = row.try_get("password_hash")?;
    let password = request.password.clone();
    // Argon2 is slow on purpose: keep it off the async workers.
    let verified = tokio::task::spawn_blocking(move || auth::verify_password(&password, &stored))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    if !verified {
        Metrics::add(&state.metrics.logins_failed, 1);
        return Err(wrong());
    }

    let user_id: String = row.try_get("id")?;
    let token = auth::new_token();
    sqlx::query("INSERT INTO tokens (hash, user_id, created_ms) VALUES ($1, $2, $3)")
        .bind(auth::secret_hash(&token))
        .bind(&user_id)
        .bind(now_ms())
        .execute(&state.db.pool)
        .await?;
    tracing::info!(user = %user_id, "logged in");
    Ok(Json(LoginResponse {
        token,
        user_id,
        school_id: row.try_get("school_id")?,
        role: row.try_get("role")?,
        name: row.try_get("display_name")?,
    }))
}

async fn logout(
    State(state): State<Arc<AppState>>,
    user: AuthUser,
) -> Result<Json<Value>, ApiError> {
    sqlx::query("UPDATE tokens SET revoked_ms = $1 WHERE hash = $2")
        .bind(now_ms())
        .bind(&user.token_hash)
        .execute(&state.db.pool)
        .await?;
    tracing::info!(user = %user.id, "logged out");
    Ok(Json(json!({ "logged_out": true })))
}

async fn me(user: AuthUser) -> Json<Value> {
    Json(json!({
        "user_id": user.id,
        "school_id": user.school_id,
        "role": user.role.as_str(),
        "name": user.name,
    }))
}
