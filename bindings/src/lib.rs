//! Stepwise's uniffi facade: the only way the Android and iOS apps reach the
//! core.
//!
//! This crate holds no logic. Each exported object wraps one core value, and
//! each method converts its arguments, delegates to `stepwise-core` and
//! converts the result back. Records and enums mirror core types, with a
//! `From` impl beside each. Every area has one error enum whose messages are
//! the core's.
//!
//! Long work runs on the one tokio runtime in [`runtime`], reports progress
//! through foreign traits whose methods return `Result` (so that an
//! exception thrown in Kotlin or Swift comes back as an error, never as a
//! Rust panic), and takes a [`CancelToken`] because uniffi cannot cancel a
//! future.

mod app;
mod cache;
mod catalogue;
mod keyboard;
mod logging;
mod maths;
mod parent;
mod practice;
mod recorded;
mod runtime;
mod sync;
mod tasks;
mod teacher;

pub use app::{
    AppError, AssignmentRecord, AssignmentStateRecord, AttemptRecord, AttemptStatusRecord,
    NextItemRecord, NextReasonRecord, ProfileRecord, SkillProgressRecord, StepwiseStore,
};
pub use cache::{CacheError, CachedItemRecord, ContentLibrary, LessonAvailability};
pub use catalogue::{CatalogueError, SkillCatalogue, SkillSummary};
pub use keyboard::{KeyboardError, KeyboardKey, MathsKeyboard, RelationSign};
pub use logging::{configure_logging, LogLevel, LogSink, LoggingError};
pub use maths::{
    AnswerForm, CheckTask, DisplayForms, FinalReport, FinalVerdict, LineReport, MathsChecker,
    MathsError, Report, Rounding, TaskKind, Verdict,
};
pub use parent::{ChildRecord, MistakeRecord, ParentReportRecord, ParentView, WorkStatusRecord};
pub use practice::{
    Draft, HintRecord, LineOutcome, PracticeError, PracticeSession, QuestionRecord,
};
pub use recorded::{PendingLine, RecordedPractice};
pub use sync::{AccountRecord, CommentRecord, RemoteError, SyncAccount, SyncState, SyncSummary};
pub use tasks::{CallbackError, CancelToken, CheckCase, ProgressListener, TaskError};
pub use teacher::{
    AssignmentCreated, AssignmentRequest, AttemptViewRecord, ClassRecord, ClassSummaryRecord,
    LineViewRecord, LiveEventRecord, LiveLineRecord, LiveListener, LiveWatch, MistakeCountRecord,
    StudentSummaryRecord, StudentWorkRecord, TeacherConsole,
};

uniffi::setup_scaffolding!();

/// The version of the Stepwise library, as in its Cargo manifest.
#[uniffi::export]
pub fn library_version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}
