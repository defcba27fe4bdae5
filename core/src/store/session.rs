//! A practice session whose every step is written to the store as it
//! happens: the attempt when the question starts, each checked line, each
//! hint shown, the half-typed line, and the end. A process killed at any
//! point resumes from [`RecordedSession::resume`] with nothing lost that was
//! already checked.
//!
//! The session wraps a [`crate::practice::Session`] for the checking and
//! the attempt's row id for the storing; the caller passes the store to each
//! call so one connection can serve many calls.

use thiserror::Error;

use super::attempts::{self, AttemptId, AttemptStatus, NewAttempt, StoredLine};
use super::drafts::{self, PendingInput};
use super::{ProfileId, Store, StoreError};
use crate::check::FinalVerdict;
use crate::generate::Skill;
use crate::practice::{Draft, LineOutcome, PracticeError, Session};

/// A failure of a recorded practice session.
#[derive(Debug, Error)]
pub enum RecordedError {
    #[error(transparent)]
    Practice(#[from] PracticeError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A question being worked on by one profile, stored as it goes.
#[derive(Debug, Clone)]
pub struct RecordedSession {
    session: Session,
    profile: ProfileId,
    attempt: AttemptId,
    /// The checker's final verdict after the last line, kept for a skip.
    last_final: Option<FinalVerdict>,
}

/// A resumed draft and the line that was being typed when it was saved.
#[derive(Debug, Clone)]
pub struct Resumed {
    pub session: RecordedSession,
    pub pending: Option<PendingInput>,
}

impl RecordedSession {
    /// Starts a new question of `skill_id` at `seed` for `profile` and
    /// records it as the profile's draft. A draft left from before is put
    /// aside as abandoned first (it stays in the history), because a profile
    /// has at most one unfinished question.
    pub fn start(
        store: &mut Store,
        profile: ProfileId,
        skills: &[Skill],
        skill_id: &str,
        seed: u64,
        assignment_id: Option<String>,
        now_ms: i64,
    ) -> Result<RecordedSession, RecordedError> {
        let session = Session::start(skills, skill_id, seed)?;
        let question = session.question();
        let attempt = NewAttempt {
            question_id: question.id.to_string(),
            skill_id: question.skill.clone(),
            question_text: question.text.clone(),
            start_line: question.start.clone(),
            started_at_ms: now_ms,
            assignment_id,
        };

        let tx = store.transaction()?;
        if let Some(old) = drafts::load(&tx, profile)? {
            tracing::debug!(attempt = old.id.0, "earlier draft put aside");
            attempts::finish(&tx, profile, old.id, AttemptStatus::Abandoned, None, now_ms)?;
        }
        let id = attempts::start(&tx, profile, &attempt)?;
        tx.commit().map_err(StoreError::from)?;
        tracing::debug!(question = %attempt.question_id, attempt = id.0, "recorded question started");
        Ok(RecordedSession {
            session,
            profile,
            attempt: id,
            last_final: None,
        })
    }

    /// Resumes the draft of `profile`, if it has one. A draft whose question
    /// no longer generates, or generates a different first line (the skill's
    /// template changed since), is put aside as abandoned and `None` is
    /// returned.
    pub fn resume(
        store: &mut Store,
        profile: ProfileId,
        skills: &[Skill],
        now_ms: i64,
    ) -> Result<Option<Resumed>, RecordedError> {
        let Some(draft) = drafts::load(store.connection(), profile)? else {
            return Ok(None);
        };
        let lines: Vec<String> = draft
            .lines
            .iter()
            .map(|line| line.report.input.clone())
            .collect();
        let core_draft = Draft {
            question_id: draft.attempt.question_id.clone(),
            lines,
            hint_level: draft.hint_level,
        };
        let session = match Session::resume(skills, &core_draft) {
            Ok(session) if session.question().start == draft.attempt.start_line => session,
            outcome => {
                let reason = match outcome {
                    Ok(_) => "its question changed since it was saved".to_string(),
                    Err(error) => error.to_string(),
                };
                tracing::warn!(attempt = draft.id.0, %reason, "draft put aside");
                let tx = store.transaction()?;
                attempts::finish(
                    &tx,
                    profile,
                    draft.id,
                    AttemptStatus::Abandoned,
                    None,
                    now_ms,
                )?;
                tx.commit().map_err(StoreError::from)?;
                return Ok(None);
            }
        };
        let last_final =
            (!session.lines().is_empty()).then(|| session.report().final_answer.verdict);
        Ok(Some(Resumed {
            session: RecordedSession {
                session,
                profile,
                attempt: draft.id,
                last_final,
            },
            pending: draft.pending,
        }))
    }

    pub fn session(&self) -> &Session {
        &self.session
    }

    /// Row id of the attempt in the store.
    pub fn attempt(&self) -> AttemptId {
        self.attempt
    }

    /// Checks a line, stores it with its verdict, and finishes the attempt
    /// as correct when the final answer is right, all in one transaction.
    pub fn submit(
        &mut self,
        store: &mut Store,
        line: &str,
        now_ms: i64,
    ) -> Result<LineOutcome, RecordedError> {
        let outcome = self.session.submit(line)?;
        let verdict = outcome.final_answer.verdict;
        let stored = StoredLine {
            report: outcome.line.clone(),
            typed_at_ms: now_ms,
        };

        let tx = store.transaction()?;
        attempts::add_line(&tx, self.profile, self.attempt, &stored)?;
        if outcome.finished {
            attempts::finish(
                &tx,
                self.profile,
                self.attempt,
                AttemptStatus::Correct,
                Some(verdict),
                now_ms,
            )?;
        }
        tx.commit().map_err(StoreError::from)?;
        self.last_final = Some(verdict);
        Ok(outcome)
    }

    /// Shows the next hint level and records it. Returns the level and the text.
    pub fn next_hint(
        &mut self,
        store: &mut Store,
        now_ms: i64,
    ) -> Result<(u8, String), RecordedError> {
        let (level, text) = self.session.next_hint();
        let tx = store.transaction()?;
        attempts::record_hint(&tx, self.profile, self.attempt, level, now_ms)?;
        tx.commit().map_err(StoreError::from)?;
        Ok((level, text))
    }

    /// Saves the line being typed (not yet submitted) and its cursor, in
    /// characters, so that a restart shows it again. Fails with
    /// [`StoreError::AttemptNotFound`] once the attempt is finished.
    pub fn save_pending(
        &self,
        store: &mut Store,
        input: &str,
        cursor: u32,
        now_ms: i64,
    ) -> Result<(), RecordedError> {
        let pending = PendingInput {
            input: input.to_string(),
            cursor,
            saved_at_ms: now_ms,
        };
        let tx = store.transaction()?;
        drafts::save_pending(&tx, self.profile, self.attempt, &pending)?;
        tx.commit().map_err(StoreError::from)?;
        Ok(())
    }

    /// Gives the question up: the attempt ends as skipped, with the last
    /// final verdict the checker gave.
    pub fn skip(&self, store: &mut Store, now_ms: i64) -> Result<(), RecordedError> {
        if self.session.is_finished() {
            return Err(PracticeError::Finished {
                id: self.session.question().id.to_string(),
            }
            .into());
        }
        let tx = store.transaction()?;
        attempts::finish(
            &tx,
            self.profile,
            self.attempt,
            AttemptStatus::Skipped,
            self.last_final,
            now_ms,
        )?;
        tx.commit().map_err(StoreError::from)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::builtin::builtin;
    use crate::store::{attempts, profiles};

    const SKILL: &str = "alg.linear.solve-both-sides";

    fn profile(store: &mut Store) -> ProfileId {
        let tx = store.transaction().expect("transaction");
        let id = profiles::add(&tx, "Ana", None, 0).expect("add profile");
        tx.commit().expect("commit");
        id
    }

    #[test]
    fn session_resumes_from_a_new_store() {
        let dir = tempfile::tempdir().expect("tempdir");
        let skills = builtin().expect("skills");
        let mut store = Store::open(dir.path()).expect("open");
        let ana = profile(&mut store);
        let mut session =
            RecordedSession::start(&mut store, ana, &skills, SKILL, 7, None, 1_000).expect("start");
        let first = session.session().question().solution[0].clone();
        session.submit(&mut store, &first, 2_000).expect("submit");
        session.next_hint(&mut store, 2_500).expect("hint");
        session
            .save_pending(&mut store, "x =", 3, 3_000)
            .expect("pending");
        drop(store);

        let mut store = Store::open(dir.path()).expect("reopen");
        let resumed = RecordedSession::resume(&mut store, ana, &skills, 4_000)
            .expect("resume")
            .expect("a draft");
        assert_eq!(resumed.session.session().lines(), [first]);
        assert_eq!(resumed.session.session().hint_level(), 1);
        assert_eq!(resumed.pending.expect("pending").input, "x =");

        let mut session = resumed.session;
        let solution = session.session().question().solution.clone();
        let mut last = None;
        for line in &solution[1..] {
            last = Some(session.submit(&mut store, line, 5_000).expect("submit"));
        }
        assert!(last.expect("at least two lines").finished);
        let summary = attempts::load(store.connection(), ana, session.attempt()).expect("load");
        assert_eq!(summary.status, AttemptStatus::Correct);
        assert!(RecordedSession::resume(&mut store, ana, &skills, 6_000)
            .expect("resume")
            .is_none());
    }

    #[test]
    fn start_puts_an_old_draft_aside() {
        let dir = tempfile::tempdir().expect("tempdir");
        let skills = builtin().expect("skills");
        let mut store = Store::open(dir.path()).expect("open");
        let ana = profile(&mut store);
        let old = RecordedSession::start(&mut store, ana, &skills, SKILL, 1, None, 0).expect("old");
        let new =
            RecordedSession::start(&mut store, ana, &skills, SKILL, 2, None, 10).expect("new");
        let summary = attempts::load(store.connection(), ana, old.attempt()).expect("load");
        assert_eq!(summary.status, AttemptStatus::Abandoned);
        new.skip(&mut store, 20).expect("skip");
        let summary = attempts::load(store.connection(), ana, new.attempt()).expect("load");
        assert_eq!(summary.status, AttemptStatus::Skipped);
    }
}
