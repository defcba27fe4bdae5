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
    /// The server rejected the user name and password at login.
    #[error("{reason}")]
    Unauthenticated { reason: String },
    /// The server no longer accepts the session's token: it was revoked
    /// (by a logout elsewhere or by the school) or it has expired. The
    /// account clears the session, and the app should delete its saved
    /// copy and ask for the password again.
    #[error(
        "the server no longer accepts this session; log in again with the user name and password"
    )]
    SessionExpired,
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
            SyncError::Unauthenticated => RemoteError::SessionExpired,
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

/// A signed-in session, for the app to keep in the platform's secure
/// storage (the Android Keystore or the iOS Keychain) and pass to
/// [`SyncAccount::restore`] after a restart.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SessionRecord {
    /// The server's address, without a trailing slash.
    pub server: String,
    /// The opaque bearer token: a secret, so never log it.
    pub token: String,
    pub account: AccountRecord,
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
    /// The cursor reached by this object's last sync, 0 before one. The
    /// cursor that counts is the one in the device store, kept per profile.
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
/// The pull cursor is kept in the device store, so the next sync after an
/// app restart goes on from where the last one ended. The token is kept
/// only in this object: the app takes it from [`SyncAccount::session`]
/// after login, keeps it in secure storage, and gives it back to
/// [`SyncAccount::restore`].
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

    fn with_login(server: String, login: Option<LoginResponse>) -> Result<Arc<Self>, RemoteError> {
        let server = server.trim_end_matches('/').to_string();
        if !(server.starts_with("http://") || server.starts_with("https://")) {
            return Err(RemoteError::InvalidServer { address: server });
        }
        let client = SyncClient::new(&server, None, RetryPolicy::default())?;
        Ok(Arc::new(SyncAccount {
            server,
            client,
            state: Mutex::new(AccountState {
                login,
                cursor: 0,
                last_sync: None,
                last_sync_ms: None,
            }),
        }))
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

    /// Converts the outcome of a call made with [`Self::client`], and
    /// clears the session when the server no longer accepts its token.
    pub(crate) fn checked<T>(
        &self,
        outcome: Result<Result<T, SyncError>, tokio::task::JoinError>,
    ) -> Result<T, RemoteError> {
        match outcome.map_err(worker_failed)? {
            Ok(value) => Ok(value),
            Err(error) => Err(self.forget_if_expired(error.into())),
        }
    }

    fn forget_if_expired(&self, error: RemoteError) -> RemoteError {
        if matches!(error, RemoteError::SessionExpired) {
            tracing::info!(server = %self.server, "the server rejected the token; session cleared");
            self.account_state().login = None;
        }
        error
    }

    fn user_id(&self) -> Result<String, RemoteError> {
        self.account_state()
            .login
            .as_ref()
            .map(|login| login.user_id.clone())
            .ok_or(RemoteError::NotLoggedIn)
    }
}

#[uniffi::export]
impl SyncAccount {
    /// An account on the server at `server`, such as `http://127.0.0.1:8080`,
    /// not yet logged in.
    #[uniffi::constructor]
    pub fn new(server: String) -> Result<Arc<Self>, RemoteError> {
        Self::with_login(server, None)
    }

    /// The account of a session saved after an earlier login. It makes no
    /// request: a token that the server no longer accepts fails the first
    /// call with [`RemoteError::SessionExpired`].
    #[uniffi::constructor]
    pub fn restore(session: SessionRecord) -> Result<Arc<Self>, RemoteError> {
        let login = LoginResponse {
            token: session.token,
            user_id: session.account.user_id,
            school_id: session.account.school_id,
            role: session.account.role,
            name: session.account.name,
        };
        let account = Self::with_login(session.server, Some(login))?;
        tracing::info!(server = %account.server, "session restored");
        Ok(account)
    }

    /// Logs in and returns the new session, for the app to save. A wrong
    /// user name or password fails with [`RemoteError::Unauthenticated`].
    pub async fn login(
        self: Arc<Self>,
        username: String,
        password: String,
    ) -> Result<SessionRecord, RemoteError> {
        let client = self.client.clone();
        let work =
            runtime::spawn(
                async move { client.login(&username, &password, &mut retry_rng()).await },
            );
        let login = match work.await.map_err(worker_failed)? {
            Ok(login) => login,
            // The server responds to a wrong password with 403.
            Err(SyncError::Unauthenticated | SyncError::Refused { status: 403, .. }) => {
                return Err(RemoteError::Unauthenticated {
                    reason:
                        "the server rejected the user name or password; check them and try again"
                            .to_string(),
                })
            }
            Err(error) => return Err(error.into()),
        };
        let session = SessionRecord {
            server: self.server.clone(),
            token: login.token.clone(),
            account: AccountRecord::from(&login),
        };
        tracing::info!(user = %session.account.user_id, role = %session.account.role, "logged in");
        self.account_state().login = Some(login);
        Ok(session)
    }

    /// The current session, `None` when logged out.
    pub fn session(&self) -> Option<SessionRecord> {
        self.account_state()
            .login
            .as_ref()
            .map(|login| SessionRecord {
                server: self.server.clone(),
                token: login.token.clone(),
                account: AccountRecord::from(login),
            })
    }

    /// Revokes the token on the server and clears it here. The app then
    /// deletes its saved session. A token the server already rejects counts
    /// as logged out.
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
    /// the account since that profile's cursor in the store, and stores the
    /// pulled assignments, comments and cursor for that profile.
    pub async fn sync_now(
        self: Arc<Self>,
        app: Arc<StepwiseStore>,
    ) -> Result<SyncSummary, RemoteError> {
        let client = self.client()?;
        let user_id = self.user_id()?;
        let profile = app.profile()?;
        let database = app.database_file();
        let work = runtime::spawn(async move {
            remote::sync_device(
                &client,
                &database,
                profile,
                &user_id,
                now_ms(),
                &mut retry_rng(),
            )
            .await
        });
        let report = work
            .await
            .map_err(worker_failed)?
            .map_err(|error| self.forget_if_expired(error.into()))?;
        let summary = SyncSummary::from(&report);
        let mut state = self.account_state();
        state.cursor = report.pulled.cursor;
        state.last_sync = Some(summary.clone());
        state.last_sync_ms = Some(now_ms());
        Ok(summary)
    }
}
