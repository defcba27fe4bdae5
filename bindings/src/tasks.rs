//! Long work: cancellation, progress through a foreign trait, and batch
//! checking as the first async call.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use stepwise_core::check::check_working;
use tokio::sync::watch;

use crate::maths::{CheckTask, MathsChecker, Report};
use crate::runtime;

/// An error raised by the app's own callback code.
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum CallbackError {
    #[error("the app's callback failed: {reason}")]
    Failed { reason: String },
}

impl From<uniffi::UnexpectedUniFFICallbackError> for CallbackError {
    fn from(error: uniffi::UnexpectedUniFFICallbackError) -> Self {
        CallbackError::Failed {
            reason: error.reason,
        }
    }
}

/// A failure of long work.
#[derive(Debug, thiserror::Error, uniffi::Error)]
#[uniffi(flat_error)]
pub enum TaskError {
    #[error("cancelled by the app")]
    Cancelled,
    #[error("stopped because the progress listener failed: {reason}")]
    ListenerFailed { reason: String },
    #[error("the worker running the task stopped unexpectedly: {reason}")]
    WorkerFailed { reason: String },
}

/// Receives progress of long work, from a worker thread.
#[uniffi::export(with_foreign)]
pub trait ProgressListener: Send + Sync {
    /// `done` of `total` steps are complete.
    fn on_progress(&self, done: u64, total: u64) -> Result<(), CallbackError>;
}

/// A flag that the app sets to stop long work at its next step, because
/// uniffi cannot cancel a future from Kotlin or Swift. Network work waits on
/// it as well and stops as soon as it is set.
#[derive(Debug, uniffi::Object)]
pub struct CancelToken {
    cancelled: AtomicBool,
    signal: watch::Sender<bool>,
}

impl Default for CancelToken {
    fn default() -> Self {
        CancelToken {
            cancelled: AtomicBool::new(false),
            signal: watch::Sender::new(false),
        }
    }
}

impl CancelToken {
    /// Completes once the token is cancelled.
    pub(crate) async fn cancelled(&self) {
        let mut receiver = self.signal.subscribe();
        // The sender lives as long as `self`, so waiting cannot fail.
        let _ = receiver.wait_for(|cancelled| *cancelled).await;
    }
}

#[uniffi::export]
impl CancelToken {
    #[uniffi::constructor]
    pub fn new() -> Arc<Self> {
        Arc::new(CancelToken::default())
    }

    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::SeqCst);
        self.signal.send_replace(true);
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::SeqCst)
    }
}

/// One question's lines to check in a batch.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CheckCase {
    pub task: CheckTask,
    /// The question's own line first, then the working.
    pub lines: Vec<String>,
}

#[uniffi::export]
impl MathsChecker {
    /// Checks many questions' working off the calling thread, such as a
    /// class's answers on a teacher's device. Reports progress after each
    /// case and stops at the next case once `cancel` is set.
    pub async fn check_batch(
        &self,
        cases: Vec<CheckCase>,
        listener: Option<Arc<dyn ProgressListener>>,
        cancel: Arc<CancelToken>,
    ) -> Result<Vec<Report>, TaskError> {
        let work = runtime::spawn_blocking(move || {
            let total = cases.len() as u64;
            let mut reports = Vec::with_capacity(cases.len());
            for (index, case) in cases.into_iter().enumerate() {
                if cancel.is_cancelled() {
                    tracing::debug!(done = index, total, "batch check cancelled");
                    return Err(TaskError::Cancelled);
                }
                let lines: Vec<&str> = case.lines.iter().map(String::as_str).collect();
                reports.push(check_working(&case.task.into(), &lines).into());
                if let Some(listener) = &listener {
                    listener
                        .on_progress(index as u64 + 1, total)
                        .map_err(|error| TaskError::ListenerFailed {
                            reason: error.to_string(),
                        })?;
                }
            }
            Ok(reports)
        });
        work.await.map_err(|error| TaskError::WorkerFailed {
            reason: error.to_string(),
        })?
    }
}
