//! The local SQLite database of practice attempts: every typed line with its
//! verdict and the time it was typed, and the unfinished question (the
//! draft) to resume.
//!
//! A draft is the one attempt whose status is `in_progress`; a partial
//! unique index keeps it to one. Lines are written as they are typed, so a
//! session that is killed loses nothing already checked. Writers take a
//! `&Transaction` so that callers group changes, and readers take a
//! `&Connection`, which a transaction also derefs to.
//!
//! NOTE: there are no profiles yet, so every attempt belongs to the one
//! user of the data folder.

use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use stepwise_core::check::{FinalVerdict, LineReport, Verdict};
use thiserror::Error;

/// File name of the database inside the data folder.
pub const DATABASE_FILE: &str = "stepwise.db";

/// Numbered schema migrations, applied in order, each in its own
/// transaction. Append new ones; never edit one that has shipped.
const MIGRATIONS: &[(u32, &str)] = &[(
    1,
    "CREATE TABLE attempts (
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
    );",
)];

/// A failure of the local database.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("failed to create data folder {path}: {source}; pass a writable folder with --data")]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("failed to open database {path}: {source}; check that the folder is writable, or pass another with --data")]
    Open {
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
    #[error("database query failed: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

/// The state of an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptStatus {
    /// Not finished: the draft.
    InProgress,
    Correct,
    Skipped,
    /// Left unfinished and not resumed when offered.
    Abandoned,
}

impl AttemptStatus {
    fn as_str(self) -> &'static str {
        match self {
            AttemptStatus::InProgress => "in_progress",
            AttemptStatus::Correct => "correct",
            AttemptStatus::Skipped => "skipped",
            AttemptStatus::Abandoned => "abandoned",
        }
    }
}

/// Row id of an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttemptId(pub i64);

/// A question as an attempt records it: the id that regenerates it, and
/// what the student was shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAttempt {
    /// `skill/version/seed`.
    pub question_id: String,
    pub skill_id: String,
    pub question_text: String,
    pub start_line: String,
    pub started_at_ms: i64,
}

/// One typed line with the checker's report on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredLine {
    pub report: LineReport,
    /// Unix time in milliseconds when the line was entered.
    pub typed_at_ms: i64,
}

/// The unfinished attempt and its lines, in typed order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    pub id: AttemptId,
    pub attempt: NewAttempt,
    pub hint_level: u8,
    pub lines: Vec<StoredLine>,
}

/// The database connection.
pub struct Store {
    conn: Connection,
}

impl Store {
    /// Opens (creating if needed) the database in `dir`, in WAL mode, with
    /// every migration applied.
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        std::fs::create_dir_all(dir).map_err(|source| StoreError::CreateDir {
            path: dir.to_path_buf(),
            source,
        })?;
        let path = dir.join(DATABASE_FILE);
        let open_error = |source| StoreError::Open {
            path: path.clone(),
            source,
        };
        let conn = Connection::open(&path).map_err(open_error)?;
        // journal_mode returns the mode now in force as a row.
        let mode: String = conn
            .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))
            .map_err(open_error)?;
        if !mode.eq_ignore_ascii_case("wal") {
            tracing::warn!(path = %path.display(), %mode, "database is not in WAL mode");
        }
        conn.execute_batch("PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;")
            .map_err(open_error)?;
        let mut store = Store { conn };
        store.migrate(&path)?;
        tracing::debug!(path = %path.display(), "database open");
        Ok(store)
    }

    fn migrate(&mut self, path: &Path) -> Result<(), StoreError> {
        self.conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)",
        )?;
        let current: u32 = self.conn.query_row(
            "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
            [],
            |row| row.get(0),
        )?;
        let supported = MIGRATIONS.last().map_or(0, |(version, _)| *version);
        if current > supported {
            return Err(StoreError::NewerSchema {
                path: path.to_path_buf(),
                found: current,
                supported,
            });
        }
        for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > current) {
            let migrate_error = |source| StoreError::Migrate {
                version: *version,
                source,
            };
            let tx = self.conn.transaction().map_err(migrate_error)?;
            tx.execute_batch(sql).map_err(migrate_error)?;
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

    /// Starts a transaction; writers take it, and it commits with `commit()`.
    pub fn transaction(&mut self) -> Result<Transaction<'_>, StoreError> {
        Ok(self.conn.transaction()?)
    }

    pub fn connection(&self) -> &Connection {
        &self.conn
    }
}

/// Records a new attempt as the draft.
pub fn start_attempt(tx: &Transaction, attempt: &NewAttempt) -> Result<AttemptId, StoreError> {
    tx.execute(
        "INSERT INTO attempts
            (question_id, skill_id, question_text, start_line, status, started_at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            attempt.question_id,
            attempt.skill_id,
            attempt.question_text,
            attempt.start_line,
            AttemptStatus::InProgress.as_str(),
            attempt.started_at_ms
        ],
    )?;
    Ok(AttemptId(tx.last_insert_rowid()))
}

/// Appends a typed line to an attempt, after its existing lines.
pub fn add_line(tx: &Transaction, attempt: AttemptId, line: &StoredLine) -> Result<(), StoreError> {
    let report = &line.report;
    tx.execute(
        "INSERT INTO attempt_lines
            (attempt_id, position, input, verdict, diagnosis, message, ecf, typed_at_ms)
         VALUES (?1,
            (SELECT COALESCE(MAX(position), 0) + 1 FROM attempt_lines WHERE attempt_id = ?1),
            ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            attempt.0,
            report.input,
            verdict_name(report.verdict),
            report.diagnosis,
            report.message,
            report.ecf,
            line.typed_at_ms
        ],
    )?;
    Ok(())
}

/// Raises the attempt's highest hint level seen to `level` (never lowers it).
pub fn record_hint(tx: &Transaction, attempt: AttemptId, level: u8) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE attempts SET hint_level = MAX(hint_level, ?2) WHERE id = ?1",
        params![attempt.0, level],
    )?;
    Ok(())
}

/// Closes an attempt with its status and the checker's last final verdict.
pub fn finish_attempt(
    tx: &Transaction,
    attempt: AttemptId,
    status: AttemptStatus,
    final_verdict: Option<FinalVerdict>,
    finished_at_ms: i64,
) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE attempts SET status = ?2, final_verdict = ?3, finished_at_ms = ?4 WHERE id = ?1",
        params![
            attempt.0,
            status.as_str(),
            final_verdict.map(final_verdict_name),
            finished_at_ms
        ],
    )?;
    Ok(())
}

/// Loads the draft, if there is one, with its lines.
pub fn load_draft(conn: &Connection) -> Result<Option<Draft>, StoreError> {
    let row = conn
        .query_row(
            "SELECT id, question_id, skill_id, question_text, start_line, started_at_ms, hint_level
             FROM attempts WHERE status = 'in_progress'",
            [],
            |row| {
                Ok((
                    AttemptId(row.get(0)?),
                    NewAttempt {
                        question_id: row.get(1)?,
                        skill_id: row.get(2)?,
                        question_text: row.get(3)?,
                        start_line: row.get(4)?,
                        started_at_ms: row.get(5)?,
                    },
                    row.get::<_, u8>(6)?,
                ))
            },
        )
        .optional()?;
    let Some((id, attempt, hint_level)) = row else {
        return Ok(None);
    };
    let lines = attempt_lines(conn, id)?;
    Ok(Some(Draft {
        id,
        attempt,
        hint_level,
        lines,
    }))
}

/// Loads an attempt's lines in typed order.
pub fn attempt_lines(conn: &Connection, attempt: AttemptId) -> Result<Vec<StoredLine>, StoreError> {
    let mut statement = conn.prepare(
        "SELECT input, verdict, diagnosis, message, ecf, typed_at_ms
         FROM attempt_lines WHERE attempt_id = ?1 ORDER BY position",
    )?;
    let rows = statement.query_map([attempt.0], |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, Option<String>>(2)?,
            row.get::<_, String>(3)?,
            row.get::<_, bool>(4)?,
            row.get::<_, i64>(5)?,
        ))
    })?;
    let mut lines = Vec::new();
    for row in rows {
        let (input, verdict, diagnosis, message, ecf, typed_at_ms) = row?;
        lines.push(StoredLine {
            report: LineReport {
                input,
                verdict: parse_verdict(&verdict)?,
                diagnosis,
                message,
                ecf,
            },
            typed_at_ms,
        });
    }
    Ok(lines)
}

fn verdict_name(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Start => "start",
        Verdict::Follows => "follows",
        Verdict::Warning => "warning",
        Verdict::Wrong => "wrong",
        Verdict::Unreadable => "unreadable",
    }
}

fn parse_verdict(text: &str) -> Result<Verdict, StoreError> {
    Ok(match text {
        "start" => Verdict::Start,
        "follows" => Verdict::Follows,
        "warning" => Verdict::Warning,
        "wrong" => Verdict::Wrong,
        "unreadable" => Verdict::Unreadable,
        _ => {
            return Err(StoreError::InvalidValue {
                column: "attempt_lines.verdict",
                value: text.to_string(),
            })
        }
    })
}

fn final_verdict_name(verdict: FinalVerdict) -> &'static str {
    crate::check_cmd::final_verdict_name(verdict)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample_attempt() -> NewAttempt {
        NewAttempt {
            question_id: "alg.linear/1/7".into(),
            skill_id: "alg.linear".into(),
            question_text: "Solve 2x + 3 = 11".into(),
            start_line: "2x + 3 = 11".into(),
            started_at_ms: 1_000,
        }
    }

    fn sample_line(input: &str, at: i64) -> StoredLine {
        StoredLine {
            report: LineReport {
                input: input.into(),
                verdict: Verdict::Wrong,
                diagnosis: Some("sign-error-moving-term".into()),
                message: "check the sign".into(),
                ecf: true,
            },
            typed_at_ms: at,
        }
    }

    #[test]
    fn open_sets_wal_and_migrates() {
        let dir = tempfile::tempdir().expect("temporary folder");
        let store = Store::open(dir.path()).expect("open");
        let mode: String = store
            .connection()
            .query_row("PRAGMA journal_mode", [], |row| row.get(0))
            .expect("journal mode");
        assert_eq!(mode, "wal");
        let version: u32 = store
            .connection()
            .query_row("SELECT MAX(version) FROM schema_migrations", [], |row| {
                row.get(0)
            })
            .expect("version");
        assert_eq!(version, 1);
        drop(store);
        // Opening again applies nothing twice.
        Store::open(dir.path()).expect("reopen");
    }

    #[test]
    fn draft_round_trip() {
        let dir = tempfile::tempdir().expect("temporary folder");
        let mut store = Store::open(dir.path()).expect("open");
        let tx = store.transaction().expect("transaction");
        let id = start_attempt(&tx, &sample_attempt()).expect("start");
        add_line(&tx, id, &sample_line("2x = 14", 2_000)).expect("line 1");
        add_line(&tx, id, &sample_line("x = 7", 3_000)).expect("line 2");
        record_hint(&tx, id, 2).expect("hint");
        record_hint(&tx, id, 1).expect("lower hint");
        tx.commit().expect("commit");

        let draft = load_draft(store.connection())
            .expect("load")
            .expect("a draft");
        assert_eq!(draft.id, id);
        assert_eq!(draft.attempt, sample_attempt());
        assert_eq!(draft.hint_level, 2);
        assert_eq!(
            draft.lines,
            vec![sample_line("2x = 14", 2_000), sample_line("x = 7", 3_000)]
        );
    }

    #[test]
    fn finished_attempt_is_no_draft() {
        let dir = tempfile::tempdir().expect("temporary folder");
        let mut store = Store::open(dir.path()).expect("open");
        let tx = store.transaction().expect("transaction");
        let id = start_attempt(&tx, &sample_attempt()).expect("start");
        finish_attempt(&tx, id, AttemptStatus::Skipped, None, 5_000).expect("finish");
        tx.commit().expect("commit");
        assert!(load_draft(store.connection()).expect("load").is_none());
    }

    #[test]
    fn only_one_draft() {
        let dir = tempfile::tempdir().expect("temporary folder");
        let mut store = Store::open(dir.path()).expect("open");
        let tx = store.transaction().expect("transaction");
        start_attempt(&tx, &sample_attempt()).expect("first");
        assert!(start_attempt(&tx, &sample_attempt()).is_err());
    }

    #[test]
    fn newer_schema_rejected() {
        let dir = tempfile::tempdir().expect("temporary folder");
        drop(Store::open(dir.path()).expect("open"));
        let conn = Connection::open(dir.path().join(DATABASE_FILE)).expect("raw open");
        conn.execute("INSERT INTO schema_migrations (version) VALUES (99)", [])
            .expect("insert");
        drop(conn);
        let result = Store::open(dir.path());
        assert!(
            matches!(result, Err(StoreError::NewerSchema { found: 99, .. })),
            "expected a newer-schema error"
        );
    }

    #[test]
    fn unwritable_folder_rejected() {
        let dir = tempfile::tempdir().expect("temporary folder");
        let file = dir.path().join("a-file");
        std::fs::write(&file, b"").expect("write");
        let result = Store::open(&file.join("data"));
        assert!(matches!(result, Err(StoreError::CreateDir { .. })));
    }
}
