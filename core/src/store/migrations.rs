//! Numbered schema migrations, applied in order at open, each in its own
//! transaction with its version recorded in `schema_migrations`.
//!
//! Append new versions; never edit one that has shipped. A migration is SQL
//! and, where SQL cannot do the work, a Rust step run in the same
//! transaction after it. Each version is tested from a fixture of the schema
//! before it (see the tests at the end of this file and `tests/store_migrations.rs`).
//!
//! - 1: attempts and their lines, one draft (the terminal program's first schema).
//! - 2: profiles, attempt UUIDs and assignment ids, drafts' half-typed
//!   lines, per-skill progress, assignments and the outbox. Attempts from
//!   version 1 move to a profile named `default`, get UUIDs from their start
//!   time, count toward progress, and have their events queued for sync.
//! - 3: wrong-PIN counts and lock times on profiles.
//! - 4: the sync state: each profile's pull cursor per server account, and
//!   the teachers' comments pulled for it.

use std::path::Path;

use rusqlite::{Connection, Transaction};

use super::StoreError;

/// A migration's Rust step.
type RustStep = fn(&Transaction) -> Result<(), StoreError>;

/// One schema version.
struct Migration {
    version: u32,
    sql: &'static str,
    /// Work SQL cannot do, run after `sql` in the same transaction.
    after: Option<RustStep>,
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        sql: V1,
        after: None,
    },
    Migration {
        version: 2,
        sql: V2,
        after: Some(super::attempts::backfill_v2),
    },
    Migration {
        version: 3,
        sql: V3,
        after: None,
    },
    Migration {
        version: 4,
        sql: V4,
        after: None,
    },
];

/// The newest schema version this build can open.
pub const LATEST: u32 = 4;

/// Schema version 4: the pull cursor of each profile per server account,
/// and the teachers' comments pulled for the profile. A cursor is kept per
/// profile because the pulled assignments are stored per profile: a second
/// profile syncing through the same account pulls from the start.
const V4: &str = "
    CREATE TABLE sync_cursors (
        profile_id INTEGER NOT NULL REFERENCES profiles (id),
        server TEXT NOT NULL,
        user_id TEXT NOT NULL,
        cursor INTEGER NOT NULL,
        synced_at_ms INTEGER NOT NULL,
        PRIMARY KEY (profile_id, server, user_id)
    ) WITHOUT ROWID;

    CREATE TABLE comments (
        profile_id INTEGER NOT NULL REFERENCES profiles (id),
        id TEXT NOT NULL,
        attempt_id TEXT NOT NULL,
        line_index INTEGER NOT NULL,
        author TEXT NOT NULL,
        text TEXT NOT NULL,
        at_ms INTEGER NOT NULL,
        received_at_ms INTEGER NOT NULL,
        PRIMARY KEY (profile_id, id)
    ) WITHOUT ROWID;
";

/// Schema version 3: wrong PINs in a row and the time until which a
/// profile refuses PINs, so that a PIN cannot be guessed by trying them all.
const V3: &str = "
    ALTER TABLE profiles ADD COLUMN failed_pins INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE profiles ADD COLUMN pin_locked_until_ms INTEGER;
";

/// Schema version 1, as the terminal program first shipped it.
pub const V1: &str = "
    CREATE TABLE attempts (
        id INTEGER PRIMARY KEY,
        question_id TEXT NOT NULL,
        skill_id TEXT NOT NULL,
        question_text TEXT NOT NULL,
        start_line TEXT NOT NULL,
        status TEXT NOT NULL
            CHECK (status IN ('in_progress', 'correct', 'skipped', 'abandoned')),
        final_verdict TEXT
            CHECK (final_verdict IN ('correct', 'incorrect', 'wrong_form', 'unfinished')),
        hint_level INTEGER NOT NULL DEFAULT 0,
        started_at_ms INTEGER NOT NULL,
        finished_at_ms INTEGER
    );
    CREATE UNIQUE INDEX attempts_one_draft ON attempts (status)
        WHERE status = 'in_progress';
    CREATE TABLE attempt_lines (
        attempt_id INTEGER NOT NULL REFERENCES attempts (id),
        position INTEGER NOT NULL,
        input TEXT NOT NULL,
        verdict TEXT NOT NULL
            CHECK (verdict IN ('start', 'follows', 'warning', 'wrong', 'unreadable')),
        diagnosis TEXT,
        message TEXT NOT NULL,
        ecf INTEGER NOT NULL,
        typed_at_ms INTEGER NOT NULL,
        PRIMARY KEY (attempt_id, position)
    );";

// SQLite's ALTER TABLE cannot add NOT NULL to a referencing column. So the
// writers in `attempts` keep `attempts.profile_id` and `attempts.uuid` set,
// not the schema, and `backfill_v2` fills them for old rows.
const V2: &str = "
    CREATE TABLE profiles (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE COLLATE NOCASE,
        pin_hash TEXT,
        created_at_ms INTEGER NOT NULL
    );
    INSERT INTO profiles (name, created_at_ms)
        SELECT 'default', MIN(started_at_ms) FROM attempts HAVING COUNT(*) > 0;

    ALTER TABLE attempts ADD COLUMN profile_id INTEGER REFERENCES profiles (id);
    ALTER TABLE attempts ADD COLUMN uuid TEXT;
    ALTER TABLE attempts ADD COLUMN assignment_id TEXT;
    UPDATE attempts SET profile_id = (SELECT id FROM profiles WHERE name = 'default');
    DROP INDEX attempts_one_draft;
    CREATE UNIQUE INDEX attempts_one_draft ON attempts (profile_id)
        WHERE status = 'in_progress';
    CREATE UNIQUE INDEX attempts_by_uuid ON attempts (uuid);
    CREATE INDEX attempts_by_profile ON attempts (profile_id, skill_id, status);

    CREATE TABLE draft_inputs (
        attempt_id INTEGER PRIMARY KEY REFERENCES attempts (id),
        profile_id INTEGER NOT NULL REFERENCES profiles (id),
        input TEXT NOT NULL,
        cursor INTEGER NOT NULL,
        saved_at_ms INTEGER NOT NULL
    );

    CREATE TABLE skill_progress (
        profile_id INTEGER NOT NULL REFERENCES profiles (id),
        skill_id TEXT NOT NULL,
        mastery REAL NOT NULL,
        weight REAL NOT NULL,
        attempts INTEGER NOT NULL,
        correct INTEGER NOT NULL,
        streak INTEGER NOT NULL,
        best_streak INTEGER NOT NULL,
        time_spent_ms INTEGER NOT NULL,
        last_practised_ms INTEGER NOT NULL,
        review_due_ms INTEGER NOT NULL,
        PRIMARY KEY (profile_id, skill_id)
    ) WITHOUT ROWID;

    CREATE TABLE assignments (
        profile_id INTEGER NOT NULL REFERENCES profiles (id),
        id TEXT NOT NULL,
        title TEXT NOT NULL,
        skills TEXT NOT NULL,
        questions INTEGER NOT NULL,
        videos TEXT NOT NULL,
        due_ms INTEGER,
        state TEXT NOT NULL CHECK (state IN ('open', 'completed', 'cancelled')),
        received_at_ms INTEGER NOT NULL,
        PRIMARY KEY (profile_id, id)
    ) WITHOUT ROWID;

    CREATE TABLE outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        profile_id INTEGER NOT NULL REFERENCES profiles (id),
        event_id TEXT NOT NULL UNIQUE,
        event TEXT NOT NULL
    );
    CREATE INDEX outbox_by_profile ON outbox (profile_id, seq);";

/// Applies every migration newer than the database's version.
pub(crate) fn migrate(conn: &mut Connection, path: &Path) -> Result<(), StoreError> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)",
    )?;
    let current = version(conn)?;
    if current > LATEST {
        return Err(StoreError::NewerSchema {
            path: path.to_path_buf(),
            found: current,
            supported: LATEST,
        });
    }

    for migration in MIGRATIONS.iter().filter(|m| m.version > current) {
        let version = migration.version;
        let migrate_error = |source| StoreError::Migrate { version, source };
        let tx = conn.transaction().map_err(migrate_error)?;
        tx.execute_batch(migration.sql).map_err(migrate_error)?;
        if let Some(after) = migration.after {
            after(&tx).map_err(|error| match error {
                StoreError::Sqlite(source) => migrate_error(source),
                other => other,
            })?;
        }
        tx.execute(
            "INSERT INTO schema_migrations (version) VALUES (?1)",
            [version],
        )
        .map_err(migrate_error)?;
        tx.commit().map_err(migrate_error)?;
        tracing::info!(version, "applied database migration");
    }
    Ok(())
}

/// The database's schema version, 0 for a new file.
pub fn version(conn: &Connection) -> Result<u32, StoreError> {
    Ok(conn.query_row(
        "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
        [],
        |row| row.get(0),
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_consecutive() {
        for (index, migration) in MIGRATIONS.iter().enumerate() {
            assert_eq!(migration.version as usize, index + 1);
        }
        assert_eq!(MIGRATIONS.last().map(|m| m.version), Some(LATEST));
    }
}
