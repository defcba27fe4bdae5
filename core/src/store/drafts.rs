//! The question a profile left mid-way, to resume exactly where it was: the
//! attempt still in progress, its checked lines, and the line being typed
//! when the app stopped, with the cursor position in it.
//!
//! The half-typed line is local only: it is not sent to the server, and it
//! is cleared when a line is entered or the attempt finishes.

use rusqlite::{params, Connection, OptionalExtension, Transaction};

use super::attempts::{self, AttemptId, NewAttempt, StoredLine};
use super::{ProfileId, StoreError};

/// Text typed into the input but not yet entered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingInput {
    pub input: String,
    /// Cursor position in `input`, in characters.
    pub cursor: u32,
    pub saved_at_ms: i64,
}

/// The unfinished attempt and its lines, in typed order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    pub id: AttemptId,
    pub attempt: NewAttempt,
    pub hint_level: u8,
    pub lines: Vec<StoredLine>,
    pub pending: Option<PendingInput>,
}

/// Loads the draft of `profile`, if there is one.
pub fn load(conn: &Connection, profile: ProfileId) -> Result<Option<Draft>, StoreError> {
    let id: Option<i64> = conn
        .query_row(
            "SELECT id FROM attempts WHERE profile_id = ?1 AND status = 'in_progress'",
            [profile.0],
            |row| row.get(0),
        )
        .optional()?;
    let Some(id) = id.map(AttemptId) else {
        return Ok(None);
    };
    let summary = attempts::load(conn, profile, id)?;
    let lines = attempts::lines(conn, profile, id)?;
    let pending = conn
        .query_row(
            "SELECT input, cursor, saved_at_ms FROM draft_inputs
             WHERE attempt_id = ?1 AND profile_id = ?2",
            params![id.0, profile.0],
            |row| {
                Ok(PendingInput {
                    input: row.get(0)?,
                    cursor: row.get(1)?,
                    saved_at_ms: row.get(2)?,
                })
            },
        )
        .optional()?;
    Ok(Some(Draft {
        id,
        attempt: summary.attempt,
        hint_level: summary.hint_level,
        lines,
        pending,
    }))
}

/// Saves the line being typed in the draft `attempt`, replacing the last one saved.
pub fn save_pending(
    tx: &Transaction,
    profile: ProfileId,
    attempt: AttemptId,
    pending: &PendingInput,
) -> Result<(), StoreError> {
    let in_progress: bool = tx
        .query_row(
            "SELECT status = 'in_progress' FROM attempts WHERE id = ?1 AND profile_id = ?2",
            params![attempt.0, profile.0],
            |row| row.get(0),
        )
        .optional()?
        .unwrap_or(false);
    if !in_progress {
        return Err(StoreError::AttemptNotFound(attempt.0));
    }
    tx.execute(
        "INSERT INTO draft_inputs (attempt_id, profile_id, input, cursor, saved_at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (attempt_id) DO UPDATE
            SET input = excluded.input, cursor = excluded.cursor, saved_at_ms = excluded.saved_at_ms",
        params![
            attempt.0,
            profile.0,
            pending.input,
            pending.cursor,
            pending.saved_at_ms
        ],
    )?;
    Ok(())
}
