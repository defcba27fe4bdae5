//! A practice session recorded into the app's store as it goes,
//! `stepwise_core::store::session`.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use stepwise_core::store::drafts::PendingInput;
use stepwise_core::store::session::RecordedSession;

use crate::app::{now_ms, AppError, StepwiseStore};
use crate::maths::Report;
use crate::practice::{HintRecord, LineOutcome, QuestionRecord};

/// The line being typed when a draft was saved, shown again on resume.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PendingLine {
    pub input: String,
    /// Cursor position in `input`, in characters.
    pub cursor: u32,
    pub saved_at_ms: i64,
}

impl From<PendingInput> for PendingLine {
    fn from(pending: PendingInput) -> Self {
        PendingLine {
            input: pending.input,
            cursor: pending.cursor,
            saved_at_ms: pending.saved_at_ms,
        }
    }
}

/// One question worked on by the unlocked profile, every line, hint and the
/// end stored as it happens. It keeps the profile it started with, even if
/// the app unlocks another one later.
#[derive(Debug, uniffi::Object)]
pub struct RecordedPractice {
    app: Arc<StepwiseStore>,
    session: Mutex<RecordedSession>,
    pending: Option<PendingLine>,
}

impl RecordedPractice {
    fn wrap(
        app: Arc<StepwiseStore>,
        session: RecordedSession,
        pending: Option<PendingLine>,
    ) -> Arc<Self> {
        Arc::new(RecordedPractice {
            app,
            session: Mutex::new(session),
            pending,
        })
    }

    // Lock order: the session first, then the app's store.
    fn session(&self) -> MutexGuard<'_, RecordedSession> {
        self.session.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[uniffi::export]
impl StepwiseStore {
    /// Resumes the unlocked profile's unfinished question, or returns null
    /// when there is none (or its question no longer generates the same).
    pub fn resume_practice(self: Arc<Self>) -> Result<Option<Arc<RecordedPractice>>, AppError> {
        let profile = self.profile()?;
        let resumed = RecordedSession::resume(&mut self.store(), profile, self.skills(), now_ms())?;
        Ok(resumed.map(|resumed| {
            RecordedPractice::wrap(
                self.clone(),
                resumed.session,
                resumed.pending.map(Into::into),
            )
        }))
    }
}

#[uniffi::export]
impl RecordedPractice {
    /// Starts a question of `skill_id` (`seed` picks it) for the unlocked
    /// profile. An unfinished question left from before is put aside as
    /// abandoned, so call `StepwiseStore.resume_practice` first to carry on
    /// with it instead.
    #[uniffi::constructor]
    pub fn start(
        app: Arc<StepwiseStore>,
        skill_id: String,
        seed: u64,
        assignment_id: Option<String>,
    ) -> Result<Arc<Self>, AppError> {
        let profile = app.profile()?;
        let session = RecordedSession::start(
            &mut app.store(),
            profile,
            app.skills(),
            &skill_id,
            seed,
            assignment_id,
            now_ms(),
        )?;
        Ok(Self::wrap(app, session, None))
    }

    pub fn question(&self) -> QuestionRecord {
        self.session().session().question().into()
    }

    /// The lines submitted after the question's own line.
    pub fn lines(&self) -> Vec<String> {
        self.session().session().lines().to_vec()
    }

    /// The line being typed when the draft was saved, for a resumed session.
    pub fn pending_line(&self) -> Option<PendingLine> {
        self.pending.clone()
    }

    /// Checks a line and stores it with its verdict. A correct final answer
    /// finishes the attempt.
    pub fn submit(&self, line: String) -> Result<LineOutcome, AppError> {
        let mut session = self.session();
        Ok(session
            .submit(&mut self.app.store(), &line, now_ms())?
            .into())
    }

    pub fn report(&self) -> Report {
        self.session().session().report().into()
    }

    pub fn is_finished(&self) -> bool {
        self.session().session().is_finished()
    }

    /// Shows and records the next hint level, up to 3.
    pub fn next_hint(&self) -> Result<HintRecord, AppError> {
        let mut session = self.session();
        let (level, text) = session.next_hint(&mut self.app.store(), now_ms())?;
        Ok(HintRecord { level, text })
    }

    pub fn hint_level(&self) -> u8 {
        self.session().session().hint_level()
    }

    pub fn worked_example(&self) -> Result<QuestionRecord, AppError> {
        let example = self.session().session().worked_example();
        let example = example.map_err(|error| AppError::Practice {
            reason: error.to_string(),
        })?;
        Ok((&example).into())
    }

    /// Saves the line being typed, not yet submitted, with its cursor in
    /// characters. Call it as the student types so a restart loses nothing.
    pub fn save_pending(&self, input: String, cursor: u32) -> Result<(), AppError> {
        let session = self.session();
        session.save_pending(&mut self.app.store(), &input, cursor, now_ms())?;
        Ok(())
    }

    /// Gives the question up, storing the attempt as skipped.
    pub fn skip(&self) -> Result<(), AppError> {
        let session = self.session();
        session.skip(&mut self.app.store(), now_ms())?;
        Ok(())
    }
}
