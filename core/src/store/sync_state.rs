//! What a device keeps between syncs: the pull cursor of each profile per
//! server account, and the teachers' comments pulled for the profile.
//!
//! An account is named by the server's address and the user id the server
//! gave at login. The token is not stored here: the app keeps it in the
//! platform's secure storage and the CLI in its session file.

use rusqlite::{params, Connection, OptionalExtension, Transaction};

use super::{assignments, ProfileId, StoreError};
use crate::sync::protocol::{Comment, PullResponse};

/// An account on a server, as the sync state is keyed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccountKey<'a> {
    /// The server's address, such as `http://127.0.0.1:8080`, without a
    /// trailing slash.
    pub server: &'a str,
    pub user_id: &'a str,
}

/// The last pull of a profile through one account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyncMark {
    /// The server cursor that the next pull starts from.
    pub cursor: i64,
    pub synced_at_ms: i64,
}

/// The last pull of `profile` through `account`, `None` before the first.
pub fn mark(
    conn: &Connection,
    profile: ProfileId,
    account: AccountKey,
) -> Result<Option<SyncMark>, StoreError> {
    let mark = conn
        .query_row(
            "SELECT cursor, synced_at_ms FROM sync_cursors
             WHERE profile_id = ?1 AND server = ?2 AND user_id = ?3",
            params![profile.0, account.server, account.user_id],
            |row| {
                Ok(SyncMark {
                    cursor: row.get(0)?,
                    synced_at_ms: row.get(1)?,
                })
            },
        )
        .optional()?;
    Ok(mark)
}

/// Stores what one pull brought for `profile` (assignments and comments)
/// and its cursor. The caller commits `tx`, so the data and the cursor are
/// kept together or not at all. Pulling the same page again stores each
/// assignment and comment once, and the cursor never moves back, so two
/// syncs that overlap keep the later end.
pub fn keep_pull(
    tx: &Transaction,
    profile: ProfileId,
    account: AccountKey,
    pulled: &PullResponse,
    now_ms: i64,
) -> Result<(), StoreError> {
    for assignment in &pulled.assignments {
        assignments::receive(tx, profile, assignment, now_ms)?;
    }
    for comment in &pulled.comments {
        tx.execute(
            "INSERT INTO comments
                (profile_id, id, attempt_id, line_index, author, text, at_ms, received_at_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
             ON CONFLICT (profile_id, id) DO NOTHING",
            params![
                profile.0,
                comment.id,
                comment.attempt_id,
                comment.line_index,
                comment.author,
                comment.text,
                comment.at_ms,
                now_ms
            ],
        )?;
    }
    tx.execute(
        "INSERT INTO sync_cursors (profile_id, server, user_id, cursor, synced_at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (profile_id, server, user_id) DO UPDATE SET
            cursor = MAX(sync_cursors.cursor, excluded.cursor),
            synced_at_ms = excluded.synced_at_ms",
        params![
            profile.0,
            account.server,
            account.user_id,
            pulled.cursor,
            now_ms
        ],
    )?;
    Ok(())
}

/// Lists the comments pulled for `profile`, oldest first.
pub fn comments(conn: &Connection, profile: ProfileId) -> Result<Vec<Comment>, StoreError> {
    let mut statement = conn.prepare_cached(
        "SELECT id, attempt_id, line_index, author, text, at_ms FROM comments
         WHERE profile_id = ?1 ORDER BY at_ms, id",
    )?;
    let rows = statement.query_map([profile.0], |row| {
        Ok(Comment {
            id: row.get(0)?,
            attempt_id: row.get(1)?,
            line_index: row.get(2)?,
            author: row.get(3)?,
            text: row.get(4)?,
            at_ms: row.get(5)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
