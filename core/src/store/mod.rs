//! The device's local database: SQLite (bundled) in WAL mode.
//!
//! One [`Store`] owns the connection. Writers are free functions that take a
//! `&Transaction`, and readers take a `&Connection` (which a transaction
//! derefs to), so the types show where a transaction is. Every change that
//! the server must hear about writes its [`outbox`] event in the same
//! transaction as the change, so a change and its event commit together or
//! not at all.
//!
//! Several learners can share one device. Every row that belongs to a
//! learner carries a [`ProfileId`], and every function that reads or writes
//! such rows takes one and filters by it, so nothing of one profile is
//! visible through another.
//!
//! The modules, one concept each:
//! - [`migrations`]: the numbered schema versions;
//! - [`profiles`]: the learners on the device, each with an optional PIN;
//! - [`attempts`]: questions tried, with every line, its time and verdict;
//! - [`drafts`]: the unfinished question and the half-typed line, to resume;
//! - [`progress`]: per-skill mastery, streaks and time, and "what next";
//! - [`assignments`]: work set by a teacher;
//! - [`outbox`]: events waiting to be pushed to the server;
//! - [`sync_state`]: the pull cursor per server account, and pulled comments;
//! - [`session`]: a practice session recorded into the store as it goes.
//!
//! Times are Unix milliseconds passed in by the caller. Ids sent to the
//! server (attempt and event ids) are UUID v7, made here from the system
//! clock.

pub mod assignments;
pub mod attempts;
pub mod drafts;
pub mod migrations;
pub mod outbox;
pub mod profiles;
pub mod progress;
pub mod session;
pub mod sync_state;

use std::path::{Path, PathBuf};

use rusqlite::{Connection, Transaction};
use thiserror::Error;

/// File name of the database inside the data folder.
pub const DATABASE_FILE: &str = "stepwise.db";

/// A failure of the local database.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("failed to create data folder {path}: {source}; pass a writable folder")]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("failed to open database {path}: {source}; check that the folder is writable")]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error(
        "database {path} is damaged ({source}); move the file aside to start a new one, \
         and keep it, because work in it that was never synced is stored nowhere else"
    )]
    Damaged {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("database {path} has schema version {found}, newer than the {supported} this program knows; update stepwise")]
    NewerSchema {
        path: PathBuf,
        found: u32,
        supported: u32,
    },
    #[error("failed to apply database migration {version}: {source}")]
    Migrate {
        version: u32,
        source: rusqlite::Error,
    },
    #[error("invalid value `{value}` in column {column} of the database; the file may have been edited by hand")]
    InvalidValue { column: &'static str, value: String },
    #[error("profile `{0}` not found; list the profiles on this device, or add one")]
    ProfileNotFound(String),
    #[error("a profile named `{0}` already exists; choose another name")]
    ProfileExists(String),
    #[error("invalid profile name `{0}`: use 1 to 40 characters, not only spaces")]
    InvalidProfileName(String),
    #[error("profile `{0}` is protected by a PIN; give its PIN")]
    PinRequired(String),
    #[error("wrong PIN for profile `{0}`")]
    WrongPin(String),
    #[error("profile `{name}` is locked after too many wrong PINs; try again in {seconds} s")]
    PinLocked { name: String, seconds: i64 },
    #[error("invalid PIN: use 4 to 12 digits")]
    InvalidPin,
    #[error("failed to hash the PIN: {0}")]
    PinHash(String),
    #[error("attempt {0} not found in this profile")]
    AttemptNotFound(i64),
    #[error("failed to encode or decode a stored event: {0}")]
    Json(#[from] serde_json::Error),
    #[error("database query failed: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

/// Row id of a profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ProfileId(pub i64);

/// The database connection, the entry point to everything stored on the device.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl Store {
    /// Opens (creating if needed) the database in `dir`, in WAL mode, with
    /// every migration applied.
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        std::fs::create_dir_all(dir).map_err(|source| StoreError::CreateDir {
            path: dir.to_path_buf(),
            source,
        })?;
        Store::open_file(&dir.join(DATABASE_FILE))
    }

    /// Opens (creating if needed) the database file at `path`.
    pub fn open_file(path: &Path) -> Result<Store, StoreError> {
        let open_error = |source: rusqlite::Error| {
            let damaged = matches!(
                source.sqlite_error_code(),
                Some(rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt)
            );
            let path = path.to_path_buf();
            if damaged {
                StoreError::Damaged { path, source }
            } else {
                StoreError::Open { path, source }
            }
        };
        let conn = Connection::open(path).map_err(open_error)?;
        // journal_mode returns the mode now in force as a row.
        let mode: String = conn
            .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))
            .map_err(open_error)?;
        if !mode.eq_ignore_ascii_case("wal") {
            tracing::warn!(path = %path.display(), %mode, "database is not in WAL mode");
        }
        // NORMAL is durable in WAL mode across a process kill; only a power
        // loss can drop the last commits, and it never corrupts the file.
        conn.execute_batch(
            "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; PRAGMA synchronous = NORMAL;",
        )
        .map_err(open_error)?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
        };
        migrations::migrate(&mut store.conn, path)?;
        tracing::debug!(path = %path.display(), "database open");
        Ok(store)
    }

    /// Starts a transaction; writers take it, and it commits with `commit()`.
    pub fn transaction(&mut self) -> Result<Transaction<'_>, StoreError> {
        Ok(self.conn.transaction()?)
    }

    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// Path of the database file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Makes a new UUID v7 (time-ordered) as text, for ids sent to the server.
pub(crate) fn new_uuid() -> String {
    uuid::Uuid::now_v7().to_string()
}
