//! The store object: one data folder's database, its profiles, and what the
//! unlocked profile has done and should do next, `stepwise_core::store`.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

use stepwise_core::generate::{builtin, Skill};
use stepwise_core::store::assignments::{self, AssignmentState, StoredAssignment};
use stepwise_core::store::attempts::{self, AttemptStatus, AttemptSummary};
use stepwise_core::store::profiles::{self, Profile};
use stepwise_core::store::progress::{self, NextItem, NextReason, SkillProgress};
use stepwise_core::store::session::RecordedError;
use stepwise_core::store::{outbox, sync_state, ProfileId, Store, StoreError};

use crate::maths::FinalVerdict;
use crate::sync::CommentRecord;

/// A failure of the app's database or of the profile it is asked about.
#[derive(Debug, thiserror::Error, uniffi::Error)]
#[uniffi(flat_error)]
pub enum AppError {
    #[error("no profile is unlocked; unlock one with its name and PIN first")]
    NoProfileUnlocked,
    #[error("{reason}")]
    ProfileNotFound { reason: String },
    #[error("{reason}")]
    ProfileExists { reason: String },
    #[error("{reason}")]
    InvalidProfileName { reason: String },
    #[error("{reason}")]
    PinRequired { reason: String },
    #[error("{reason}")]
    WrongPin { reason: String },
    /// Too many wrong PINs in a row: the profile refuses PINs for a while.
    #[error("{reason}")]
    PinLocked { reason: String },
    #[error("{reason}")]
    InvalidPin { reason: String },
    #[error("{reason}")]
    Practice { reason: String },
    #[error("{reason}")]
    Storage { reason: String },
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        let reason = error.to_string();
        match error {
            StoreError::ProfileNotFound(_) => AppError::ProfileNotFound { reason },
            StoreError::ProfileExists(_) => AppError::ProfileExists { reason },
            StoreError::InvalidProfileName(_) => AppError::InvalidProfileName { reason },
            StoreError::PinRequired(_) => AppError::PinRequired { reason },
            StoreError::WrongPin(_) => AppError::WrongPin { reason },
            StoreError::PinLocked { .. } => AppError::PinLocked { reason },
            StoreError::InvalidPin => AppError::InvalidPin { reason },
            other => {
                tracing::warn!(error = %other, "database call failed");
                AppError::Storage { reason }
            }
        }
    }
}

impl From<RecordedError> for AppError {
    fn from(error: RecordedError) -> Self {
        match error {
            RecordedError::Store(store) => store.into(),
            RecordedError::Practice(practice) => AppError::Practice {
                reason: practice.to_string(),
            },
        }
    }
}

/// A learner on the device.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ProfileRecord {
    pub name: String,
    pub has_pin: bool,
    pub created_at_ms: i64,
}

impl From<Profile> for ProfileRecord {
    fn from(profile: Profile) -> Self {
        ProfileRecord {
            name: profile.name,
            has_pin: profile.has_pin,
            created_at_ms: profile.created_at_ms,
        }
    }
}

/// The unlocked profile's progress on one skill.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct SkillProgressRecord {
    pub skill_id: String,
    /// Estimated chance of a correct answer, 0 to 1.
    pub mastery: f64,
    pub attempts: u32,
    pub correct: u32,
    pub streak: u32,
    pub best_streak: u32,
    pub time_spent_ms: i64,
    pub last_practised_ms: i64,
    pub review_due_ms: i64,
}

impl From<SkillProgress> for SkillProgressRecord {
    fn from(progress: SkillProgress) -> Self {
        SkillProgressRecord {
            skill_id: progress.skill_id,
            mastery: progress.mastery,
            attempts: progress.attempts,
            correct: progress.correct,
            streak: progress.streak,
            best_streak: progress.best_streak,
            time_spent_ms: progress.time_spent_ms,
            last_practised_ms: progress.last_practised_ms,
            review_due_ms: progress.review_due_ms,
        }
    }
}

/// The reason a skill is suggested.
#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
pub enum NextReasonRecord {
    /// Set by a teacher, with `remaining` questions still to answer correctly.
    Assignment {
        assignment_id: String,
        title: String,
        due_ms: Option<i64>,
        remaining: u32,
    },
    Weak {
        mastery: f64,
    },
    Review {
        due_ms: i64,
    },
    New,
}

/// One suggestion of what to practise next.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct NextItemRecord {
    pub skill_id: String,
    pub reason: NextReasonRecord,
}

impl From<NextItem> for NextItemRecord {
    fn from(item: NextItem) -> Self {
        let reason = match item.reason {
            NextReason::Assignment {
                assignment_id,
                title,
                due_ms,
                remaining,
            } => NextReasonRecord::Assignment {
                assignment_id,
                title,
                due_ms,
                remaining,
            },
            NextReason::Weak { mastery } => NextReasonRecord::Weak { mastery },
            NextReason::Review { due_ms } => NextReasonRecord::Review { due_ms },
            NextReason::New => NextReasonRecord::New,
        };
        NextItemRecord {
            skill_id: item.skill_id,
            reason,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum AssignmentStateRecord {
    Open,
    Completed,
    Cancelled,
}

impl From<AssignmentState> for AssignmentStateRecord {
    fn from(state: AssignmentState) -> Self {
        match state {
            AssignmentState::Open => AssignmentStateRecord::Open,
            AssignmentState::Completed => AssignmentStateRecord::Completed,
            AssignmentState::Cancelled => AssignmentStateRecord::Cancelled,
        }
    }
}

/// Work a teacher set, as stored on the device after a sync.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct AssignmentRecord {
    pub id: String,
    pub title: String,
    pub skills: Vec<String>,
    /// Questions to answer per skill.
    pub questions: u32,
    pub videos: Vec<String>,
    pub due_ms: Option<i64>,
    pub state: AssignmentStateRecord,
    pub received_at_ms: i64,
}

impl From<StoredAssignment> for AssignmentRecord {
    fn from(stored: StoredAssignment) -> Self {
        let assignment = stored.assignment;
        AssignmentRecord {
            id: assignment.id,
            title: assignment.title,
            skills: assignment.skills,
            questions: assignment.questions,
            videos: assignment.videos,
            due_ms: assignment.due_ms,
            state: stored.state.into(),
            received_at_ms: stored.received_at_ms,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum AttemptStatusRecord {
    InProgress,
    Correct,
    Skipped,
    Abandoned,
}

impl From<AttemptStatus> for AttemptStatusRecord {
    fn from(status: AttemptStatus) -> Self {
        match status {
            AttemptStatus::InProgress => AttemptStatusRecord::InProgress,
            AttemptStatus::Correct => AttemptStatusRecord::Correct,
            AttemptStatus::Skipped => AttemptStatusRecord::Skipped,
            AttemptStatus::Abandoned => AttemptStatusRecord::Abandoned,
        }
    }
}

/// A stored attempt without its lines.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct AttemptRecord {
    /// The UUID that names the attempt on the server.
    pub uuid: String,
    pub question_id: String,
    pub skill_id: String,
    pub assignment_id: Option<String>,
    pub status: AttemptStatusRecord,
    pub final_verdict: Option<FinalVerdict>,
    pub hint_level: u8,
    pub started_at_ms: i64,
    pub finished_at_ms: Option<i64>,
}

impl From<AttemptSummary> for AttemptRecord {
    fn from(summary: AttemptSummary) -> Self {
        AttemptRecord {
            uuid: summary.uuid,
            question_id: summary.attempt.question_id,
            skill_id: summary.attempt.skill_id,
            assignment_id: summary.attempt.assignment_id,
            status: summary.status.into(),
            final_verdict: summary.final_verdict.map(Into::into),
            hint_level: summary.hint_level,
            started_at_ms: summary.attempt.started_at_ms,
            finished_at_ms: summary.finished_at_ms,
        }
    }
}

/// The profile whose work the app shows and records.
#[derive(Debug, Clone)]
struct Unlocked {
    id: ProfileId,
    name: String,
}

/// One data folder: the database of every profile on the device. It hands
/// out practice sessions and serves sync for the unlocked profile.
#[derive(uniffi::Object)]
pub struct StepwiseStore {
    dir: PathBuf,
    store: Mutex<Store>,
    skills: Vec<Skill>,
    unlocked: Mutex<Option<Unlocked>>,
}

impl std::fmt::Debug for StepwiseStore {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("StepwiseStore")
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

/// Milliseconds since the Unix epoch, the time the core takes as an argument.
pub(crate) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| {
            i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX)
        })
}

impl StepwiseStore {
    pub(crate) fn store(&self) -> MutexGuard<'_, Store> {
        // A panic mid-call rolls its transaction back on drop, so the store
        // behind a poisoned lock is still sound.
        self.store.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn skills(&self) -> &[Skill] {
        &self.skills
    }

    /// The unlocked profile, or [`AppError::NoProfileUnlocked`].
    pub(crate) fn profile(&self) -> Result<ProfileId, AppError> {
        self.unlocked
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .map(|unlocked| unlocked.id)
            .ok_or(AppError::NoProfileUnlocked)
    }

    pub(crate) fn database_file(&self) -> PathBuf {
        self.store().path().to_path_buf()
    }

    fn set_unlocked(&self, unlocked: Option<Unlocked>) {
        *self.unlocked.lock().unwrap_or_else(PoisonError::into_inner) = unlocked;
    }

    fn find(&self, name: &str) -> Result<Profile, AppError> {
        profiles::find(self.store().connection(), name)?
            .ok_or_else(|| StoreError::ProfileNotFound(name.to_string()).into())
    }
}

#[uniffi::export]
impl StepwiseStore {
    /// Opens the database in `data_dir`, creating the folder and the
    /// database when missing. No profile is unlocked yet.
    #[uniffi::constructor]
    pub fn open(data_dir: String) -> Result<Arc<Self>, AppError> {
        let dir = PathBuf::from(data_dir);
        let store = Store::open(&dir)?;
        let skills = builtin::builtin().map_err(|error| AppError::Practice {
            reason: format!("failed to load the built-in skills: {error}"),
        })?;
        tracing::info!(dir = %dir.display(), "store opened");
        Ok(Arc::new(StepwiseStore {
            dir,
            store: Mutex::new(store),
            skills,
            unlocked: Mutex::new(None),
        }))
    }

    pub fn data_dir(&self) -> String {
        self.dir.display().to_string()
    }

    /// The profiles on the device, by name.
    pub fn profiles(&self) -> Result<Vec<ProfileRecord>, AppError> {
        let list = profiles::list(self.store().connection())?;
        Ok(list.into_iter().map(Into::into).collect())
    }

    /// Adds a profile. A PIN, when given, is 4 to 12 digits.
    pub fn add_profile(
        &self,
        name: String,
        pin: Option<String>,
    ) -> Result<ProfileRecord, AppError> {
        {
            let mut store = self.store();
            let tx = store.transaction()?;
            profiles::add(&tx, &name, pin.as_deref(), now_ms())?;
            tx.commit().map_err(StoreError::from)?;
        }
        Ok(self.find(&name)?.into())
    }

    /// Removes a profile and all its stored work, including events not yet
    /// synced. Locks the app when it was the unlocked profile.
    pub fn remove_profile(&self, name: String) -> Result<(), AppError> {
        let profile = self.find(&name)?;
        {
            let mut store = self.store();
            let tx = store.transaction()?;
            profiles::remove(&tx, profile.id)?;
            tx.commit().map_err(StoreError::from)?;
        }
        if self.profile().ok() == Some(profile.id) {
            self.set_unlocked(None);
        }
        Ok(())
    }

    /// Checks the PIN, if the profile has one, and makes it the profile
    /// whose work the app shows and records.
    pub fn unlock(&self, name: String, pin: Option<String>) -> Result<ProfileRecord, AppError> {
        let id = profiles::unlock(self.store().connection(), &name, pin.as_deref(), now_ms())?;
        let profile = self.find(&name)?;
        self.set_unlocked(Some(Unlocked {
            id,
            name: profile.name.clone(),
        }));
        Ok(profile.into())
    }

    pub fn lock(&self) {
        self.set_unlocked(None);
    }

    pub fn unlocked_profile(&self) -> Option<String> {
        self.unlocked
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .map(|unlocked| unlocked.name.clone())
    }

    /// The unlocked profile's progress, one record per skill tried.
    pub fn progress(&self) -> Result<Vec<SkillProgressRecord>, AppError> {
        let profile = self.profile()?;
        let list = progress::list(self.store().connection(), profile)?;
        Ok(list.into_iter().map(Into::into).collect())
    }

    /// Up to `limit` suggestions, each skill once: assignment work takes up
    /// to half the places, then weak, due-for-review and new skills take turns.
    pub fn what_next(&self, limit: u32) -> Result<Vec<NextItemRecord>, AppError> {
        let profile = self.profile()?;
        let known: Vec<&str> = self.skills.iter().map(|skill| skill.id.as_str()).collect();
        let items = progress::next(
            self.store().connection(),
            profile,
            now_ms(),
            &known,
            limit as usize,
        )?;
        Ok(items.into_iter().map(Into::into).collect())
    }

    /// The unlocked profile's assignments, as received by the last sync.
    pub fn assignments(&self) -> Result<Vec<AssignmentRecord>, AppError> {
        let profile = self.profile()?;
        let list = assignments::list(self.store().connection(), profile)?;
        Ok(list.into_iter().map(Into::into).collect())
    }

    /// Teachers' comments on the unlocked profile's lines, as kept by its
    /// syncs, oldest first.
    pub fn comments(&self) -> Result<Vec<CommentRecord>, AppError> {
        let profile = self.profile()?;
        let list = sync_state::comments(self.store().connection(), profile)?;
        Ok(list.iter().map(Into::into).collect())
    }

    /// The unlocked profile's latest attempts, newest first.
    pub fn recent_attempts(&self, limit: u32) -> Result<Vec<AttemptRecord>, AppError> {
        let profile = self.profile()?;
        let list = attempts::recent(self.store().connection(), profile, limit as usize)?;
        Ok(list.into_iter().map(Into::into).collect())
    }

    /// Events of the unlocked profile waiting to be pushed by a sync.
    pub fn pending_events(&self) -> Result<u64, AppError> {
        let profile = self.profile()?;
        Ok(outbox::count(self.store().connection(), profile)?)
    }
}
