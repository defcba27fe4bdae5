//! The transactional outbox: sync events waiting to be pushed.
//!
//! Each writer in this store that changes something the server must hear
//! about calls [`push`] inside its own transaction, so the change and its
//! [`Event`] commit together: after a crash there is never a change without
//! its event, nor an event without its change.
//!
//! The sync client uses two calls:
//! - [`pending`]`(conn, profile, limit)` returns the oldest waiting events of
//!   one profile as `(seq, Event)`, in the order they were written; `seq` is
//!   the local order and never reused;
//! - [`acknowledge`]`(tx, profile, ids)` deletes the events with these ids.
//!   Ids it does not hold are ignored, so acknowledging twice is harmless.
//!
//! [`ProfileOutbox`] wraps both for the sync client's `Outbox` trait, which
//! acknowledges by `seq` ([`acknowledge_seqs`]): the client deletes a batch
//! once the server's answer counts every event of it as stored, repeated
//! or rejected for good.
//!
//! An event stays until it is acknowledged: a push that fails or times out
//! leaves it to be sent again, and the server stores it once by its id.

use std::path::Path;
use std::sync::{Mutex, MutexGuard, PoisonError};

use rusqlite::{params, Connection, Transaction};

use super::{ProfileId, Store, StoreError};
use crate::sync::protocol::{Event, EventKind};

/// Queues an event of `profile` with a new UUID v7 id; returns the id.
pub fn push(
    tx: &Transaction,
    profile: ProfileId,
    at_ms: i64,
    kind: EventKind,
) -> Result<String, StoreError> {
    let event = Event {
        id: super::new_uuid(),
        at_ms,
        kind,
    };
    push_event(tx, profile, &event)?;
    Ok(event.id)
}

/// Queues an event of `profile` with the id the caller made, such as the
/// `{attempt}.{suffix}` ids of an attempt's events, which the sync protocol
/// leaves out on the wire. The id must be new: the outbox and the server
/// both key events by it.
pub fn push_with_id(
    tx: &Transaction,
    profile: ProfileId,
    id: String,
    at_ms: i64,
    kind: EventKind,
) -> Result<(), StoreError> {
    push_event(tx, profile, &Event { id, at_ms, kind })
}

/// Queues an event whose id the caller made.
pub fn push_event(tx: &Transaction, profile: ProfileId, event: &Event) -> Result<(), StoreError> {
    let json = serde_json::to_string(event)?;
    tx.execute(
        "INSERT INTO outbox (profile_id, event_id, event) VALUES (?1, ?2, ?3)",
        params![profile.0, event.id, json],
    )?;
    tracing::trace!(profile = profile.0, event_id = %event.id, "event queued");
    Ok(())
}

/// Returns up to `limit` waiting events of `profile`, oldest first, with their
/// local sequence numbers.
pub fn pending(
    conn: &Connection,
    profile: ProfileId,
    limit: usize,
) -> Result<Vec<(i64, Event)>, StoreError> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let mut statement = conn.prepare_cached(
        "SELECT seq, event FROM outbox WHERE profile_id = ?1 ORDER BY seq LIMIT ?2",
    )?;
    let rows = statement.query_map(params![profile.0, limit], |row| {
        Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?))
    })?;
    let mut events = Vec::new();
    for row in rows {
        let (seq, json) = row?;
        events.push((seq, serde_json::from_str(&json)?));
    }
    Ok(events)
}

/// Deletes the events of `profile` with these ids; returns how many were deleted.
pub fn acknowledge(
    tx: &Transaction,
    profile: ProfileId,
    ids: &[String],
) -> Result<usize, StoreError> {
    let mut statement =
        tx.prepare_cached("DELETE FROM outbox WHERE profile_id = ?1 AND event_id = ?2")?;
    let mut deleted = 0;
    for id in ids {
        deleted += statement.execute(params![profile.0, id])?;
    }
    tracing::debug!(profile = profile.0, deleted, "events acknowledged");
    Ok(deleted)
}

/// Counts the waiting events of `profile`.
pub fn count(conn: &Connection, profile: ProfileId) -> Result<u64, StoreError> {
    Ok(conn.query_row(
        "SELECT COUNT(*) FROM outbox WHERE profile_id = ?1",
        [profile.0],
        |row| row.get(0),
    )?)
}

/// Deletes the events of `profile` with these local sequence numbers;
/// returns how many were deleted.
pub fn acknowledge_seqs(
    tx: &Transaction,
    profile: ProfileId,
    seqs: &[i64],
) -> Result<usize, StoreError> {
    let mut statement =
        tx.prepare_cached("DELETE FROM outbox WHERE profile_id = ?1 AND seq = ?2")?;
    let mut deleted = 0;
    for seq in seqs {
        deleted += statement.execute(params![profile.0, seq])?;
    }
    Ok(deleted)
}

/// One profile's outbox on a connection of its own, in the shape the sync
/// client takes ([`crate::sync::outbox::Outbox`], whose methods take `&self`).
pub struct ProfileOutbox {
    store: Mutex<Store>,
    profile: ProfileId,
}

impl ProfileOutbox {
    /// Opens the database at `path` again for `profile`'s outbox; WAL lets
    /// it read and delete while another connection writes attempts.
    pub fn open(path: &Path, profile: ProfileId) -> Result<ProfileOutbox, StoreError> {
        Ok(ProfileOutbox {
            store: Mutex::new(Store::open_file(path)?),
            profile,
        })
    }

    fn store(&self) -> MutexGuard<'_, Store> {
        // A panic mid-call leaves no transaction open (it rolls back on
        // drop), so the store behind a poisoned lock is still sound.
        self.store.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl crate::sync::outbox::Outbox for ProfileOutbox {
    type Error = StoreError;

    fn pending(&self, limit: usize) -> Result<Vec<(i64, Event)>, StoreError> {
        pending(self.store().connection(), self.profile, limit)
    }

    fn acknowledge(&self, seqs: &[i64]) -> Result<(), StoreError> {
        let mut store = self.store();
        let tx = store.transaction()?;
        acknowledge_seqs(&tx, self.profile, seqs)?;
        tx.commit()?;
        Ok(())
    }
}
