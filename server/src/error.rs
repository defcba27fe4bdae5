//! The server's errors: [`ServerError`] for starting up and administration,
//! [`ApiError`] for what an HTTP request gets back.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::de::DeserializeOwned;
use serde_json::json;

#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("cannot create the data folder {path}: {source}; choose another with --data-dir")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
    #[error(
        "unsupported database URL `{url}`; give postgres://user:password@host/db or sqlite://path"
    )]
    DatabaseUrl { url: String },
    #[error(
        "cannot connect to the database {url}: {source}; check that it runs and the URL is right"
    )]
    Connect { url: String, source: sqlx::Error },
    #[error(
        "the database {url} is damaged: {source}; move the file aside and keep it, then restore a backup or start the server on an empty data folder"
    )]
    Damaged { url: String, source: sqlx::Error },
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("cannot listen on {addr}: {source}; choose another address with --listen")]
    Listen {
        addr: String,
        source: std::io::Error,
    },
    #[error("server stopped with an error: {0}")]
    Serve(std::io::Error),
    #[error("{0}")]
    Invalid(String),
    #[error("password hashing failed: {0}")]
    Hash(String),
}

/// An HTTP error: a status and a message in `{"error": "…"}`.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("log in first: the request has no valid bearer token")]
    Unauthenticated,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    MethodNotAllowed(String),
    /// A path of a protocol version this server no longer serves.
    #[error("{0}")]
    Gone(String),
    #[error("too many requests; wait a moment and try again")]
    RateLimited,
    #[error("internal error; the server log has the details")]
    Internal(String),
    /// A request body that is not the JSON the route expects, with axum's
    /// status for it: 400 for invalid JSON, 415 without a JSON content type,
    /// 422 for JSON of the wrong shape, 413 for a body over the limit.
    #[error("invalid request body: {message}")]
    InvalidBody { status: StatusCode, message: String },
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Unauthenticated => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Gone(_) => StatusCode::GONE,
            ApiError::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            ApiError::InvalidBody { status, .. } => *status,
        }
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(error: sqlx::Error) -> Self {
        ApiError::Internal(error.to_string())
    }
}

impl From<ServerError> for ApiError {
    fn from(error: ServerError) -> Self {
        ApiError::Internal(error.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal(detail) = &self {
            tracing::error!(%detail, "request failed");
        }
        (self.status(), Json(json!({ "error": self.to_string() }))).into_response()
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        ApiError::InvalidBody {
            status: rejection.status(),
            message: rejection.body_text(),
        }
    }
}

/// A JSON request body, like [`axum::Json`], whose rejection is an
/// [`ApiError`], so that a malformed body gets `{"error": "…"}` like every
/// other failure instead of axum's plain-text answer.
pub struct JsonBody<T>(pub T);

impl<T, S> FromRequest<S> for JsonBody<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let Json(value) = Json::<T>::from_request(request, state).await?;
        Ok(JsonBody(value))
    }
}
