//! The learners on one device, each with an optional PIN.
//!
//! A PIN is stored only as an Argon2id hash (PHC string with its own salt).
//! A PIN keeps one sibling out of another's work on a shared phone; it is no
//! defence against someone who can read the database file.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, SaltString};
use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use rusqlite::{params, Connection, OptionalExtension, Transaction};

use super::{ProfileId, StoreError};

/// Maximum length of a profile name, in characters.
const MAX_NAME_CHARS: usize = 40;

/// A profile as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub id: ProfileId,
    pub name: String,
    pub has_pin: bool,
    pub created_at_ms: i64,
}

/// Adds a profile, with its PIN hashed when one is given.
pub fn add(
    tx: &Transaction,
    name: &str,
    pin: Option<&str>,
    now_ms: i64,
) -> Result<ProfileId, StoreError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        return Err(StoreError::InvalidProfileName(name.to_string()));
    }
    if find(tx, name)?.is_some() {
        return Err(StoreError::ProfileExists(name.to_string()));
    }
    let pin_hash = pin.map(hash_pin).transpose()?;
    tx.execute(
        "INSERT INTO profiles (name, pin_hash, created_at_ms) VALUES (?1, ?2, ?3)",
        params![name, pin_hash, now_ms],
    )?;
    let id = ProfileId(tx.last_insert_rowid());
    tracing::info!(profile = id.0, "profile added");
    Ok(id)
}

/// Lists the profiles by name.
pub fn list(conn: &Connection) -> Result<Vec<Profile>, StoreError> {
    let mut statement = conn.prepare(
        "SELECT id, name, pin_hash IS NOT NULL, created_at_ms FROM profiles ORDER BY name",
    )?;
    let rows = statement.query_map([], |row| {
        Ok(Profile {
            id: ProfileId(row.get(0)?),
            name: row.get(1)?,
            has_pin: row.get(2)?,
            created_at_ms: row.get(3)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Finds a profile by name (case-insensitive).
pub fn find(conn: &Connection, name: &str) -> Result<Option<Profile>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT id, name, pin_hash IS NOT NULL, created_at_ms FROM profiles WHERE name = ?1",
            [name.trim()],
            |row| {
                Ok(Profile {
                    id: ProfileId(row.get(0)?),
                    name: row.get(1)?,
                    has_pin: row.get(2)?,
                    created_at_ms: row.get(3)?,
                })
            },
        )
        .optional()?)
}

/// Returns the id of the profile named `name` once its PIN, if it has one,
/// is verified.
pub fn unlock(
    conn: &Connection,
    name: &str,
    pin: Option<&str>,
    now_ms: i64,
) -> Result<ProfileId, StoreError> {
    let row: Option<(i64, Option<String>, u32, Option<i64>)> = conn
        .query_row(
            "SELECT id, pin_hash, failed_pins, pin_locked_until_ms FROM profiles WHERE name = ?1",
            [name.trim()],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
        )
        .optional()?;
    let Some((id, pin_hash, failed, locked_until)) = row else {
        return Err(StoreError::ProfileNotFound(name.to_string()));
    };
    let Some(pin_hash) = pin_hash else {
        return Ok(ProfileId(id));
    };
    let Some(pin) = pin else {
        return Err(StoreError::PinRequired(name.to_string()));
    };
    if let Some(until) = locked_until.filter(|until| *until > now_ms) {
        return Err(StoreError::PinLocked {
            name: name.to_string(),
            seconds: (until - now_ms + 999) / 1000,
        });
    }
    let parsed = PasswordHash::new(&pin_hash).map_err(|_| StoreError::InvalidValue {
        column: "profiles.pin_hash",
        value: "(not a PHC string)".to_string(),
    })?;
    if Argon2::default()
        .verify_password(pin.as_bytes(), &parsed)
        .is_err()
    {
        let failed = failed.saturating_add(1);
        let locked_until = pin_lock_ms(failed).map(|lock| now_ms.saturating_add(lock));
        conn.execute(
            "UPDATE profiles SET failed_pins = ?1, pin_locked_until_ms = ?2 WHERE id = ?3",
            params![failed, locked_until, id],
        )?;
        tracing::warn!(profile = id, failed, "wrong PIN");
        return Err(StoreError::WrongPin(name.to_string()));
    }
    if failed > 0 {
        conn.execute(
            "UPDATE profiles SET failed_pins = 0, pin_locked_until_ms = NULL WHERE id = ?1",
            [id],
        )?;
    }
    Ok(ProfileId(id))
}

/// Wrong PINs in a row allowed before a profile starts refusing PINs.
pub const FREE_PIN_TRIES: u32 = 5;

/// How long a profile refuses PINs after `failed` wrong ones in a row: not
/// at all below [`FREE_PIN_TRIES`], then 30 s, doubling with each further
/// wrong PIN up to one hour. Trying all 10,000 four-digit PINs then takes
/// over a year.
pub fn pin_lock_ms(failed: u32) -> Option<i64> {
    let over = failed.checked_sub(FREE_PIN_TRIES)?;
    let doubling = over.min(7);
    Some((30_000_i64 << doubling).min(3_600_000))
}

/// Removes a profile and everything stored for it, including events not yet
/// pushed to the server.
pub fn remove(tx: &Transaction, profile: ProfileId) -> Result<(), StoreError> {
    let filter = "WHERE attempt_id IN (SELECT id FROM attempts WHERE profile_id = ?1)";
    tx.execute(&format!("DELETE FROM attempt_lines {filter}"), [profile.0])?;
    for table in [
        "draft_inputs",
        "attempts",
        "skill_progress",
        "assignments",
        "outbox",
        "sync_cursors",
        "comments",
    ] {
        tx.execute(
            &format!("DELETE FROM {table} WHERE profile_id = ?1"),
            [profile.0],
        )?;
    }
    let removed = tx.execute("DELETE FROM profiles WHERE id = ?1", [profile.0])?;
    if removed == 0 {
        return Err(StoreError::ProfileNotFound(profile.0.to_string()));
    }
    tracing::info!(profile = profile.0, "profile removed");
    Ok(())
}

fn hash_pin(pin: &str) -> Result<String, StoreError> {
    let valid = (4..=12).contains(&pin.len()) && pin.bytes().all(|b| b.is_ascii_digit());
    if !valid {
        return Err(StoreError::InvalidPin);
    }
    let salt = SaltString::generate(&mut OsRng);
    // Argon2::default() is Argon2id with the crate's default cost
    // (19 MiB, 2 passes, 1 lane in argon2 0.5).
    let hash = Argon2::default()
        .hash_password(pin.as_bytes(), &salt)
        .map_err(|error| StoreError::PinHash(error.to_string()))?;
    Ok(hash.to_string())
}
