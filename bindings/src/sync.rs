//! The account signed in to a Stepwise server and the device's sync,
//! `stepwise_core::sync`. The teacher console and the parent view take an
//! account, so [`RemoteError`] is the error of all three.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use stepwise_core::generate::rng::Rng;
use stepwise_core::sync::backoff::RetryPolicy;
use stepwise_core::sync::client::{SyncClient, SyncError};
use stepwise_core::sync::protocol::Comment;
use stepwise_core::sync::remote::{self, DeviceSyncError};
use stepwise_core::sync::views::LoginResponse;

use crate::app::{now_ms, AppError, StepwiseStore};
use crate::runtime;

/// A failure of a call to the server.
#[derive(Debug, thiserror::Error, uniffi::Error)]
#[uniffi(flat_error)]
pub enum RemoteError {
    #[error("the server address `{address}` does not start with http:// or https://; give it as http://host:port")]
    InvalidServer { address: String },
    #[error("not logged in; log in with a username and password first")]
    NotLoggedIn,
    #[error("{reason}")]
    Unauthenticated { reason: String },
    /// The server responded with an error status, such as 403 for a role
    /// that may not make the request or 404 for an unknown id.
    #[error("{reason}")]
    Refused { status: u16, reason: String },
    #[error("{reason}")]
    Unreachable { reason: String },
    #[error("{reason}")]
    Local { reason: String },
    /// The server's response did not account for what was sent, as when
    /// it speaks another protocol version. Nothing was removed from the
    /// outbox.
    #[error("{reason}")]
    BadResponse { reason: String },
    #[error("cancelled by the app")]
    Cancelled,
    #[error("the worker running the call stopped unexpectedly: {reason}")]
    WorkerFailed { reason: String },
}

impl From<SyncError> for RemoteError {
    fn from(error: SyncError) -> Self {
        let reason = error.to_string();
        match error {
            SyncError::Unauthenticated => RemoteError::Unauthenticated { reason },
            SyncError::Refused { status, .. } => RemoteError::Refused { status, reason },
            SyncError::Unreachable { .. }
            | SyncError::ServerFailing { .. }
            | SyncError::StreamCut { .. } => RemoteError::Unreachable { reason },
            SyncError::BadAnswer { .. } => {
                tracing::warn!(%reason, "the server's response to a push did not add up");
                RemoteError::BadResponse { reason }
            }
            SyncError::Outbox(_) | SyncError::Client(_) | SyncError::Encode { .. } => {
                tracing::warn!(%reason, "sync failed on the device");
                RemoteError::Local { reason }
            }
        }
    }
}

impl From<DeviceSyncError> for RemoteError {
    fn from(error: DeviceSyncError) -> Self {
        match error {
            DeviceSyncError::Sync(sync) => sync.into(),
            DeviceSyncError::Store(store) => RemoteError::Local {
                reason: store.to_string(),
            },
        }
    }
}

impl From<AppError> for RemoteError {
    fn from(error: AppError) -> Self {
        RemoteError::Local {
            reason: error.to_string(),
        }
    }
}

pub(crate) fn worker_failed(error: tokio::task::JoinError) -> RemoteError {
    RemoteError::WorkerFailed {
        reason: error.to_string(),
    }
}

/// Makes the generator of retry jitter, seeded from the clock so that
/// devices retrying at once spread out.
pub(crate) fn retry_rng() -> Rng {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_nanos() as u64);
    Rng::from_seed(nanos ^ u64::from(std::process::id()))
}

/// The signed-in account.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct AccountRecord {
    pub user_id: String,
    pub school_id: String,
    /// `admin`, `teacher`, `student` or `parent`.
    pub role: String,
    pub name: String,
}

impl From<&LoginResponse> for AccountRecord {
    fn from(login: &LoginResponse) -> Self {
        AccountRecord {
            user_id: login.user_id.clone(),
            school_id: login.school_id.clone(),
            role: login.role.clone(),
            name: login.name.clone(),
        }
    }
}

/// The outcome of one sync.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SyncSummary {
    pub events_sent: u64,
    pub events_acknowledged: u64,
    /// Events the server refused for good, as `id: reason`.
    pub events_rejected: Vec<String>,
    pub assignments_received: u64,
    /// Teachers' comments on the profile's lines, new since the last pull.
    pub comments: Vec<CommentRecord>,
    /// The server cursor that the next pull starts from.
    pub cursor: i64,
}

impl From<&remote::SyncReport> for SyncSummary {
    fn from(report: &remote::SyncReport) -> Self {
        SyncSummary {
            events_sent: report.pushed.sent as u64,
            events_acknowledged: report.pushed.acknowledged as u64,
            events_rejected: report
                .pushed
                .rejected
                .iter()
                .map(|rejected| format!("{}: {}", rejected.id, rejected.reason))
                .collect(),
            assignments_received: report.pulled.assignments.len() as u64,
            comments: report.pulled.comments.iter().map(Into::into).collect(),
            cursor: report.pulled.cursor,
        }
    }
}

/// A teacher's comment on one line of an attempt.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CommentRecord {
    pub id: String,
    pub attempt_id: String,
    /// The line's index, counted from 0.
    pub line_index: u32,
    pub author: String,
    pub text: String,
    pub at_ms: i64,
}

impl From<&Comment> for CommentRecord {
    fn from(comment: &Comment) -> Self {
        CommentRecord {
            id: comment.id.clone(),
            attempt_id: comment.attempt_id.clone(),
            line_index: comment.line_index,
            author: comment.author.clone(),
            text: comment.text.clone(),
            at_ms: comment.at_ms,
        }
    }
}

/// The account's state, for a sync screen.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SyncState {
    pub server: String,
    pub account: Option<AccountRecord>,
    pub cursor: i64,
    pub last_sync: Option<SyncSummary>,
    pub last_sync_ms: Option<i64>,
}

#[derive(Debug)]
struct AccountState {
    login: Option<LoginResponse>,
    cursor: i64,
    last_sync: Option<SyncSummary>,
    last_sync_ms: Option<i64>,
}

/// One server and, once logged in, one account on it.
///
/// NOTE: the token and the pull cursor live in this object only, so an app
/// restart means logging in again and pulling from the start (which stores
/// each assignment once).
#[derive(Debug, uniffi::Object)]
pub struct SyncAccount {
    server: String,
    client: SyncClient,
    state: Mutex<AccountState>,
}

impl SyncAccount {
    fn account_state(&self) -> MutexGuard<'_, AccountState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A client with the account's token, for the teacher and parent views.
    pub(crate) fn client(&self) -> Result<SyncClient, RemoteError> {
        let token = self
            .account_state()
            .login
            .as_ref()
            .map(|login| login.token.clone());
        match token {
            Some(token) => Ok(self.client.with_token(Some(token))),
            None => Err(RemoteError::NotLoggedIn),
        }
    }
}

#[uniffi::export]
impl SyncAccount {
    /// An account on the server at `server`, such as `http://127.0.0.1:8080`.
    #[uniffi::constructor]
    pub fn new(server: String) -> Result<Arc<Self>, RemoteError> {
        let server = server.trim_end_matches('/').to_string();
        if !(server.starts_with("http://") || server.starts_with("https://")) {
            return Err(RemoteError::InvalidServer { address: server });
        }
        let client = SyncClient::new(&server, None, RetryPolicy::default())?;
        Ok(Arc::new(SyncAccount {
            server,
            client,
            state: Mutex::new(AccountState {
                login: None,
                cursor: 0,
                last_sync: None,
                last_sync_ms: None,
            }),
        }))
    }

    pub async fn login(
        self: Arc<Self>,
        username: String,
        password: String,
    ) -> Result<AccountRecord, RemoteError> {
        let client = self.client.clone();
        let work =
            runtime::spawn(
                async move { client.login(&username, &password, &mut retry_rng()).await },
            );
        let login = work.await.map_err(worker_failed)??;
        let account = AccountRecord::from(&login);
        tracing::info!(user = %account.user_id, role = %account.role, "logged in");
        self.account_state().login = Some(login);
        Ok(account)
    }

    /// Revokes the token on the server and clears it here. A token the
    /// server already refuses counts as logged out.
    pub async fn logout(self: Arc<Self>) -> Result<(), RemoteError> {
        let client = self.client()?;
        let work = runtime::spawn(async move { client.logout(&mut retry_rng()).await });
        let revoked = work.await.map_err(worker_failed)?;
        match revoked {
            Ok(()) | Err(SyncError::Unauthenticated) => {
                self.account_state().login = None;
                Ok(())
            }
            Err(error) => Err(error.into()),
        }
    }

    pub fn state(&self) -> SyncState {
        let state = self.account_state();
        SyncState {
            server: self.server.clone(),
            account: state.login.as_ref().map(Into::into),
            cursor: state.cursor,
            last_sync: state.last_sync.clone(),
            last_sync_ms: state.last_sync_ms,
        }
    }

    /// Pushes the unlocked profile's outbox in `app`, pulls what is new for
    /// the account, and stores the pulled assignments for that profile.
    pub async fn sync_now(
        self: Arc<Self>,
        app: Arc<StepwiseStore>,
    ) -> Result<SyncSummary, RemoteError> {
        let client = self.client()?;
        let profile = app.profile()?;
        let database = app.database_file();
        let cursor = self.account_state().cursor;
        let work = runtime::spawn(async move {
            remote::sync_device(
                &client,
                &database,
                profile,
                cursor,
                now_ms(),
                &mut retry_rng(),
            )
            .await
        });
        let report = work.await.map_err(worker_failed)??;
        let summary = SyncSummary::from(&report);
        let mut state = self.account_state();
        state.cursor = report.pulled.cursor;
        state.last_sync = Some(summary.clone());
        state.last_sync_ms = Some(now_ms());
        Ok(summary)
    }
}
