//! Work set by a teacher and received through sync, with its state.
//!
//! An assignment is `open` until every skill in it has `questions` correct
//! attempts made for it, and then `completed`. A teacher's cancellation
//! makes it `cancelled`. Receiving an assignment again updates it but keeps
//! a `completed` state.

use rusqlite::{params, Connection, Transaction};

use super::progress::{NextItem, NextReason};
use super::{ProfileId, StoreError};
use crate::sync::protocol::Assignment;

/// The state of an assignment on the device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssignmentState {
    Open,
    Completed,
    Cancelled,
}

impl AssignmentState {
    pub fn as_str(self) -> &'static str {
        match self {
            AssignmentState::Open => "open",
            AssignmentState::Completed => "completed",
            AssignmentState::Cancelled => "cancelled",
        }
    }

    fn parse(text: &str) -> Result<AssignmentState, StoreError> {
        Ok(match text {
            "open" => AssignmentState::Open,
            "completed" => AssignmentState::Completed,
            "cancelled" => AssignmentState::Cancelled,
            _ => {
                return Err(StoreError::InvalidValue {
                    column: "assignments.state",
                    value: text.to_string(),
                })
            }
        })
    }
}

/// An assignment as stored for one profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAssignment {
    pub assignment: Assignment,
    pub state: AssignmentState,
    pub received_at_ms: i64,
}

/// Stores or updates an assignment received for `profile`.
pub fn receive(
    tx: &Transaction,
    profile: ProfileId,
    assignment: &Assignment,
    received_at_ms: i64,
) -> Result<(), StoreError> {
    let state = if assignment.cancelled {
        AssignmentState::Cancelled
    } else {
        AssignmentState::Open
    };
    tx.execute(
        "INSERT INTO assignments
            (profile_id, id, title, skills, questions, videos, due_ms, state, received_at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (profile_id, id) DO UPDATE SET
            title = excluded.title, skills = excluded.skills,
            questions = excluded.questions, videos = excluded.videos,
            due_ms = excluded.due_ms, received_at_ms = excluded.received_at_ms,
            state = CASE WHEN excluded.state = 'cancelled' THEN 'cancelled'
                         WHEN assignments.state = 'completed' THEN 'completed'
                         ELSE excluded.state END",
        params![
            profile.0,
            assignment.id,
            assignment.title,
            serde_json::to_string(&assignment.skills)?,
            assignment.questions,
            serde_json::to_string(&assignment.videos)?,
            assignment.due_ms,
            state.as_str(),
            received_at_ms
        ],
    )?;
    update_state(tx, profile, &assignment.id)
}

/// Lists the assignments of `profile`, earliest due first (undated last).
pub fn list(conn: &Connection, profile: ProfileId) -> Result<Vec<StoredAssignment>, StoreError> {
    let mut statement = conn.prepare_cached(
        "SELECT id, title, skills, questions, videos, due_ms, state, received_at_ms
         FROM assignments WHERE profile_id = ?1
         ORDER BY due_ms IS NULL, due_ms, id",
    )?;
    let rows = statement.query_map([profile.0], |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, String>(2)?,
            row.get::<_, u32>(3)?,
            row.get::<_, String>(4)?,
            row.get::<_, Option<i64>>(5)?,
            row.get::<_, String>(6)?,
            row.get::<_, i64>(7)?,
        ))
    })?;
    let mut list = Vec::new();
    for row in rows {
        let (id, title, skills, questions, videos, due_ms, state, received_at_ms) = row?;
        let state = AssignmentState::parse(&state)?;
        list.push(StoredAssignment {
            assignment: Assignment {
                id,
                title,
                skills: serde_json::from_str(&skills)?,
                questions,
                videos: serde_json::from_str(&videos)?,
                due_ms,
                cancelled: state == AssignmentState::Cancelled,
            },
            state,
            received_at_ms,
        });
    }
    Ok(list)
}

/// Counts the attempts of `profile` that ended correct on `skill_id` for `assignment_id`.
fn correct_count(
    conn: &Connection,
    profile: ProfileId,
    assignment_id: &str,
    skill_id: &str,
) -> Result<u32, StoreError> {
    Ok(conn.query_row(
        "SELECT COUNT(*) FROM attempts
         WHERE profile_id = ?1 AND assignment_id = ?2 AND skill_id = ?3 AND status = 'correct'",
        params![profile.0, assignment_id, skill_id],
        |row| row.get(0),
    )?)
}

/// Marks an open assignment completed once all its work is done.
pub(crate) fn update_state(
    tx: &Transaction,
    profile: ProfileId,
    assignment_id: &str,
) -> Result<(), StoreError> {
    let Some(stored) = list(tx, profile)?
        .into_iter()
        .find(|a| a.assignment.id == assignment_id)
    else {
        return Ok(());
    };
    if stored.state != AssignmentState::Open {
        return Ok(());
    }
    for skill in &stored.assignment.skills {
        if correct_count(tx, profile, assignment_id, skill)? < stored.assignment.questions {
            return Ok(());
        }
    }
    tx.execute(
        "UPDATE assignments SET state = 'completed' WHERE profile_id = ?1 AND id = ?2",
        params![profile.0, assignment_id],
    )?;
    tracing::debug!(
        profile = profile.0,
        assignment = assignment_id,
        "assignment completed"
    );
    Ok(())
}

/// Lists the skills of open assignments with questions still to do, earliest due first.
pub fn remaining_work(conn: &Connection, profile: ProfileId) -> Result<Vec<NextItem>, StoreError> {
    let mut items = Vec::new();
    for stored in list(conn, profile)? {
        if stored.state != AssignmentState::Open {
            continue;
        }
        let assignment = &stored.assignment;
        for skill in &assignment.skills {
            let done = correct_count(conn, profile, &assignment.id, skill)?;
            let remaining = assignment.questions.saturating_sub(done);
            if remaining == 0 {
                continue;
            }
            items.push(NextItem {
                skill_id: skill.clone(),
                reason: NextReason::Assignment {
                    assignment_id: assignment.id.clone(),
                    title: assignment.title.clone(),
                    due_ms: assignment.due_ms,
                    remaining,
                },
            });
        }
    }
    Ok(items)
}

/// Lists the video ids of the open assignments of `profile`, which the
/// content cache keeps pinned.
pub fn open_videos(conn: &Connection, profile: ProfileId) -> Result<Vec<String>, StoreError> {
    let mut videos: Vec<String> = list(conn, profile)?
        .into_iter()
        .filter(|a| a.state == AssignmentState::Open)
        .flat_map(|a| a.assignment.videos)
        .collect();
    videos.sort();
    videos.dedup();
    Ok(videos)
}
