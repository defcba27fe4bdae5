//! The database: one code path over SQLite (the default, a file in the data
//! folder) and PostgreSQL (`postgres://…`), through sqlx's `Any` driver.
//!
//! Queries use `$1`-style parameters, which both engines read, and only
//! portable types: TEXT, BIGINT (times in milliseconds, flags as 0 or 1).
//! SQLite has one writer: write transactions there take [`Db::write_lock`],
//! so concurrent pushes queue in the server instead of failing as busy.

use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Row};
use tokio::sync::{Mutex, MutexGuard};

use crate::error::ServerError;

/// The numbered migrations; `{serial}` becomes the engine's auto-numbered key.
const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../migrations/0001_accounts.sql")),
    (2, include_str!("../migrations/0002_work.sql")),
    (3, include_str!("../migrations/0003_ids_per_account.sql")),
];

/// The newest schema version this server knows.
pub const LATEST_VERSION: i64 = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// The pool and what kind of engine is behind it.
#[derive(Debug)]
pub struct Db {
    pub pool: AnyPool,
    pub engine: Engine,
    pub url: String,
    writer: Mutex<()>,
}

/// Opens one connection to the SQLite database at `url` and reads its
/// schema, failing with the database's own error.
async fn check_sqlite(url: &str) -> Result<(), ServerError> {
    use sqlx::Connection;
    let connect_error = |source: sqlx::Error| {
        if is_damaged(&source) {
            ServerError::Damaged {
                url: redact(url),
                source,
            }
        } else {
            ServerError::Connect {
                url: redact(url),
                source,
            }
        }
    };
    let mut conn = sqlx::AnyConnection::connect(url)
        .await
        .map_err(connect_error)?;
    sqlx::raw_sql("PRAGMA journal_mode = WAL; SELECT COUNT(*) FROM sqlite_master;")
        .execute(&mut conn)
        .await
        .map_err(connect_error)?;
    conn.close().await.map_err(connect_error)?;
    Ok(())
}

/// Reports whether SQLite reported the file as not a database or as corrupt
/// (result codes 26 and 11), rather than as unreachable.
fn is_damaged(error: &sqlx::Error) -> bool {
    let sqlx::Error::Database(error) = error else {
        return false;
    };
    let primary = error
        .code()
        .and_then(|code| code.parse::<i64>().ok())
        .map(|code| code & 0xff);
    matches!(primary, Some(11 | 26))
        || error.message().contains("not a database")
        || error.message().contains("malformed")
}

impl Db {
    /// Opens `database` when given (a `postgres://` or `sqlite://` URL), else
    /// the SQLite file `stepwise.db` in `data_dir`, creating it if missing.
    pub async fn open(database: Option<&str>, data_dir: &Path) -> Result<Db, ServerError> {
        sqlx::any::install_default_drivers();
        let url = match database {
            Some(url) => url.to_string(),
            None => {
                std::fs::create_dir_all(data_dir).map_err(|source| ServerError::DataDir {
                    path: data_dir.display().to_string(),
                    source,
                })?;
                format!(
                    "sqlite://{}?mode=rwc",
                    data_dir.join("stepwise.db").display()
                )
            }
        };
        let engine = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Engine::Postgres
        } else if url.starts_with("sqlite:") {
            Engine::Sqlite
        } else {
            return Err(ServerError::DatabaseUrl { url: redact(&url) });
        };
        if engine == Engine::Sqlite {
            // The pool retries a failing connection until its timeout, so a
            // file that is not a database would show only as a timeout. One
            // connection first reports the real cause at once.
            check_sqlite(&url).await?;
        }
        let options = AnyPoolOptions::new()
            .max_connections(if engine == Engine::Sqlite { 4 } else { 16 })
            .acquire_timeout(Duration::from_secs(10));
        let options = if engine == Engine::Sqlite {
            options.after_connect(|conn, _meta| {
                Box::pin(async move {
                    sqlx::raw_sql("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON;")
                        .execute(conn)
                        .await?;
                    Ok(())
                })
            })
        } else {
            options
        };
        let pool = options
            .connect(&url)
            .await
            .map_err(|source| ServerError::Connect {
                url: redact(&url),
                source,
            })?;
        Ok(Db {
            pool,
            engine,
            url,
            writer: Mutex::new(()),
        })
    }

    /// Held around write transactions on SQLite; `None` on PostgreSQL.
    pub async fn write_lock(&self) -> Option<MutexGuard<'_, ()>> {
        match self.engine {
            Engine::Sqlite => Some(self.writer.lock().await),
            Engine::Postgres => None,
        }
    }

    /// Applies every migration newer than the database's version.
    pub async fn migrate(&self) -> Result<i64, ServerError> {
        self.migrate_to(LATEST_VERSION).await
    }

    /// Applies migrations up to and including `target`; returns the version reached.
    pub async fn migrate_to(&self, target: i64) -> Result<i64, ServerError> {
        let _guard = self.write_lock().await;
        sqlx::raw_sql(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_ms BIGINT NOT NULL)",
        )
        .execute(&self.pool)
        .await?;
        let mut version = self.version().await?;
        for (number, sql) in MIGRATIONS {
            if *number <= version || *number > target {
                continue;
            }
            let serial = match self.engine {
                Engine::Sqlite => "INTEGER PRIMARY KEY AUTOINCREMENT",
                Engine::Postgres => "BIGSERIAL PRIMARY KEY",
            };
            let sql = sql.replace("{serial}", serial);
            let mut tx = self.pool.begin().await?;
            // The SQL is this crate's own migration text.
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                .execute(&mut *tx)
                .await?;
            // Two servers starting at once on one PostgreSQL: the primary key
            // makes the second insert fail and its transaction roll back.
            sqlx::query("INSERT INTO schema_migrations (version, applied_ms) VALUES ($1, $2)")
                .bind(*number)
                .bind(now_ms())
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            tracing::info!(version = number, "applied migration");
            version = *number;
        }
        Ok(version)
    }

    /// The schema version recorded in the database (0 when empty).
    pub async fn version(&self) -> Result<i64, ServerError> {
        let row: AnyRow = sqlx::query(
            "SELECT CAST(COALESCE(MAX(version), 0) AS BIGINT) AS v FROM schema_migrations",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get::<i64, _>("v")?)
    }
}

/// Milliseconds since the Unix epoch by the server's clock.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// A database URL without its password, for messages and logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{}{}:***{}", &url[..scheme + 3], user, &url[at..])
        }
        _ => url.to_string(),
    }
}
