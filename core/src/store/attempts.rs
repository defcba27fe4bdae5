//! Attempts at questions: every typed line with its time and the checker's
//! verdict, hints shown, and how the attempt ended.
//!
//! Lines are written as they are typed, each in a transaction with its
//! outbox event, so a process killed mid-question loses nothing already
//! checked. An attempt that is not finished is the profile's draft (see
//! [`super::drafts`]); a partial unique index keeps it to one per profile.
//!
//! An attempt ends as `correct`, `skipped` (given up, or submitted without a
//! correct final answer, with the checker's final verdict kept), or
//! `abandoned` (left mid-way and not resumed when offered).

use rusqlite::{params, Connection, OptionalExtension, Transaction};

use super::{outbox, progress, ProfileId, StoreError};
use crate::check::{FinalVerdict, LineReport, Verdict};
use crate::sync::protocol::EventKind;

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
    pub fn as_str(self) -> &'static str {
        match self {
            AttemptStatus::InProgress => "in_progress",
            AttemptStatus::Correct => "correct",
            AttemptStatus::Skipped => "skipped",
            AttemptStatus::Abandoned => "abandoned",
        }
    }

    fn parse(text: &str) -> Result<AttemptStatus, StoreError> {
        Ok(match text {
            "in_progress" => AttemptStatus::InProgress,
            "correct" => AttemptStatus::Correct,
            "skipped" => AttemptStatus::Skipped,
            "abandoned" => AttemptStatus::Abandoned,
            _ => return Err(invalid("attempts.status", text)),
        })
    }
}

/// Row id of an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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
    /// The teacher's assignment this attempt counts toward, if any.
    pub assignment_id: Option<String>,
}

/// One typed line with the checker's report on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredLine {
    pub report: LineReport,
    /// Unix time in milliseconds when the line was entered.
    pub typed_at_ms: i64,
}

/// A stored attempt without its lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptSummary {
    pub id: AttemptId,
    /// The UUID v7 that identifies the attempt on the server.
    pub uuid: String,
    pub attempt: NewAttempt,
    pub status: AttemptStatus,
    pub final_verdict: Option<FinalVerdict>,
    pub hint_level: u8,
    pub finished_at_ms: Option<i64>,
}

/// Records a new attempt of `profile` as its draft, and queues its event.
pub fn start(
    tx: &Transaction,
    profile: ProfileId,
    attempt: &NewAttempt,
) -> Result<AttemptId, StoreError> {
    insert(tx, profile, attempt, AttemptStatus::InProgress)
}

/// Records a whole attempt at once (as a script submits it): the question,
/// every line, and its end, leaving the profile's draft, if any, as it is.
pub fn record_complete(
    tx: &Transaction,
    profile: ProfileId,
    attempt: &NewAttempt,
    lines: &[StoredLine],
    status: AttemptStatus,
    final_verdict: Option<FinalVerdict>,
    finished_at_ms: i64,
) -> Result<AttemptId, StoreError> {
    // Inserted with its final status, so the one-draft index is not involved.
    let id = insert(tx, profile, attempt, status)?;
    for line in lines {
        add_line(tx, profile, id, line)?;
    }
    finish(tx, profile, id, status, final_verdict, finished_at_ms)?;
    Ok(id)
}

fn insert(
    tx: &Transaction,
    profile: ProfileId,
    attempt: &NewAttempt,
    status: AttemptStatus,
) -> Result<AttemptId, StoreError> {
    let uuid = super::new_uuid();
    tx.execute(
        "INSERT INTO attempts
            (profile_id, uuid, question_id, skill_id, question_text, start_line, status,
             started_at_ms, assignment_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            profile.0,
            uuid,
            attempt.question_id,
            attempt.skill_id,
            attempt.question_text,
            attempt.start_line,
            status.as_str(),
            attempt.started_at_ms,
            attempt.assignment_id,
        ],
    )?;
    let id = AttemptId(tx.last_insert_rowid());
    outbox::push_with_id(
        tx,
        profile,
        start_event_id(&uuid),
        attempt.started_at_ms,
        started_event(&uuid, attempt),
    )?;
    tracing::trace!(profile = profile.0, attempt = id.0, "attempt started");
    Ok(id)
}

/// Appends a typed line to an attempt of `profile`, after its existing lines.
pub fn add_line(
    tx: &Transaction,
    profile: ProfileId,
    attempt: AttemptId,
    line: &StoredLine,
) -> Result<(), StoreError> {
    let uuid = attempt_uuid(tx, profile, attempt)?;
    let report = &line.report;
    let position: u32 = tx.query_row(
        "SELECT COALESCE(MAX(position), 0) + 1 FROM attempt_lines WHERE attempt_id = ?1",
        [attempt.0],
        |row| row.get(0),
    )?;
    tx.execute(
        "INSERT INTO attempt_lines
            (attempt_id, position, input, verdict, diagnosis, message, ecf, typed_at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            attempt.0,
            position,
            report.input,
            verdict_name(report.verdict),
            report.diagnosis,
            report.message,
            report.ecf,
            line.typed_at_ms
        ],
    )?;
    outbox::push_with_id(
        tx,
        profile,
        line_event_id(&uuid, position),
        line.typed_at_ms,
        line_event(&uuid, position, line),
    )?;
    // The line is no longer half-typed.
    tx.execute(
        "DELETE FROM draft_inputs WHERE attempt_id = ?1",
        [attempt.0],
    )?;
    Ok(())
}

/// Raises the attempt's highest hint level seen to `level` (never lowers it).
pub fn record_hint(
    tx: &Transaction,
    profile: ProfileId,
    attempt: AttemptId,
    level: u8,
    at_ms: i64,
) -> Result<(), StoreError> {
    let uuid = attempt_uuid(tx, profile, attempt)?;
    tx.execute(
        "UPDATE attempts SET hint_level = MAX(hint_level, ?2) WHERE id = ?1",
        params![attempt.0, level],
    )?;
    let kind = EventKind::HintShown {
        attempt_id: uuid,
        level,
    };
    outbox::push(tx, profile, at_ms, kind)?;
    Ok(())
}

/// Closes an attempt with its status and the checker's last final verdict,
/// and updates the skill's progress and the assignment's state with it.
pub fn finish(
    tx: &Transaction,
    profile: ProfileId,
    attempt: AttemptId,
    status: AttemptStatus,
    final_verdict: Option<FinalVerdict>,
    finished_at_ms: i64,
) -> Result<(), StoreError> {
    let summary = load(tx, profile, attempt)?;
    tx.execute(
        "UPDATE attempts SET status = ?2, final_verdict = ?3, finished_at_ms = ?4 WHERE id = ?1",
        params![
            attempt.0,
            status.as_str(),
            final_verdict.map(final_verdict_name),
            finished_at_ms
        ],
    )?;
    tx.execute(
        "DELETE FROM draft_inputs WHERE attempt_id = ?1",
        [attempt.0],
    )?;

    let spent_ms = finished_at_ms - summary.attempt.started_at_ms;
    progress::record(
        tx,
        profile,
        &summary.attempt.skill_id,
        status,
        spent_ms,
        finished_at_ms,
    )?;
    if let Some(assignment) = &summary.attempt.assignment_id {
        super::assignments::update_state(tx, profile, assignment)?;
    }
    let kind = finished_event(&summary.uuid, status, final_verdict, spent_ms);
    if summary.finished_at_ms.is_none() {
        outbox::push_with_id(
            tx,
            profile,
            end_event_id(&summary.uuid),
            finished_at_ms,
            kind,
        )?;
    } else {
        // Finished before: a random id, so the server keeps both ends.
        outbox::push(tx, profile, finished_at_ms, kind)?;
    }
    tracing::trace!(
        profile = profile.0,
        attempt = attempt.0,
        status = status.as_str(),
        "attempt finished"
    );
    Ok(())
}

/// Loads one attempt of `profile`.
pub fn load(
    conn: &Connection,
    profile: ProfileId,
    attempt: AttemptId,
) -> Result<AttemptSummary, StoreError> {
    let sql = format!("{SUMMARY_SELECT} WHERE id = ?1 AND profile_id = ?2");
    let row = conn
        .query_row(&sql, params![attempt.0, profile.0], summary_row)
        .optional()?;
    let Some(row) = row else {
        return Err(StoreError::AttemptNotFound(attempt.0));
    };
    row.into_summary()
}

/// Lists the attempts of `profile`, newest first, at most `limit`.
pub fn recent(
    conn: &Connection,
    profile: ProfileId,
    limit: usize,
) -> Result<Vec<AttemptSummary>, StoreError> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let sql = format!("{SUMMARY_SELECT} WHERE profile_id = ?1 ORDER BY id DESC LIMIT ?2");
    let mut statement = conn.prepare(&sql)?;
    let rows = statement.query_map(params![profile.0, limit], summary_row)?;
    let mut summaries = Vec::new();
    for row in rows {
        summaries.push(row?.into_summary()?);
    }
    Ok(summaries)
}

/// Loads the lines of an attempt of `profile`, in typed order.
pub fn lines(
    conn: &Connection,
    profile: ProfileId,
    attempt: AttemptId,
) -> Result<Vec<StoredLine>, StoreError> {
    let mut statement = conn.prepare_cached(
        "SELECT l.input, l.verdict, l.diagnosis, l.message, l.ecf, l.typed_at_ms
         FROM attempt_lines l JOIN attempts a ON a.id = l.attempt_id
         WHERE l.attempt_id = ?1 AND a.profile_id = ?2
         ORDER BY l.position",
    )?;
    let rows = statement.query_map(params![attempt.0, profile.0], |row| {
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

const SUMMARY_SELECT: &str = "SELECT id, uuid, question_id, skill_id, question_text, start_line,
        started_at_ms, assignment_id, status, final_verdict, hint_level, finished_at_ms
    FROM attempts";

/// A row of `SUMMARY_SELECT` before its text columns are parsed.
struct SummaryRow {
    id: i64,
    uuid: String,
    attempt: NewAttempt,
    status: String,
    final_verdict: Option<String>,
    hint_level: u8,
    finished_at_ms: Option<i64>,
}

fn summary_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<SummaryRow> {
    Ok(SummaryRow {
        id: row.get(0)?,
        uuid: row.get(1)?,
        attempt: NewAttempt {
            question_id: row.get(2)?,
            skill_id: row.get(3)?,
            question_text: row.get(4)?,
            start_line: row.get(5)?,
            started_at_ms: row.get(6)?,
            assignment_id: row.get(7)?,
        },
        status: row.get(8)?,
        final_verdict: row.get(9)?,
        hint_level: row.get(10)?,
        finished_at_ms: row.get(11)?,
    })
}

impl SummaryRow {
    fn into_summary(self) -> Result<AttemptSummary, StoreError> {
        Ok(AttemptSummary {
            id: AttemptId(self.id),
            uuid: self.uuid,
            attempt: self.attempt,
            status: AttemptStatus::parse(&self.status)?,
            final_verdict: self
                .final_verdict
                .as_deref()
                .map(parse_final_verdict)
                .transpose()?,
            hint_level: self.hint_level,
            finished_at_ms: self.finished_at_ms,
        })
    }
}

fn attempt_uuid(
    conn: &Connection,
    profile: ProfileId,
    attempt: AttemptId,
) -> Result<String, StoreError> {
    conn.query_row(
        "SELECT uuid FROM attempts WHERE id = ?1 AND profile_id = ?2",
        params![attempt.0, profile.0],
        |row| row.get(0),
    )
    .optional()?
    .ok_or(StoreError::AttemptNotFound(attempt.0))
}

/// The ids of an attempt's start, lines and end: the attempt's UUID, a dot
/// and the suffix the sync protocol leaves out on the wire
/// ([`crate::sync::protocol::default_suffix`]). Each is unique because an
/// attempt starts once, its lines only ever append (so an index is never
/// reused) and a second end gets a random id.
fn start_event_id(uuid: &str) -> String {
    format!("{uuid}.s")
}

/// `position` is the stored 1-based position, as in [`line_event`].
fn line_event_id(uuid: &str, position: u32) -> String {
    format!("{uuid}.{}", position.saturating_sub(1))
}

fn end_event_id(uuid: &str) -> String {
    format!("{uuid}.f")
}

fn started_event(uuid: &str, attempt: &NewAttempt) -> EventKind {
    EventKind::AttemptStarted {
        attempt_id: uuid.to_string(),
        question_id: attempt.question_id.clone(),
        question_text: attempt.question_text.clone(),
        assignment_id: attempt.assignment_id.clone(),
    }
}

/// `position` is the stored 1-based position; the protocol counts from 0.
fn line_event(uuid: &str, position: u32, line: &StoredLine) -> EventKind {
    EventKind::LineTyped {
        attempt_id: uuid.to_string(),
        index: position.saturating_sub(1),
        input: line.report.input.clone(),
        verdict: verdict_name(line.report.verdict).to_string(),
        diagnosis: line.report.diagnosis.clone(),
    }
}

fn finished_event(
    uuid: &str,
    status: AttemptStatus,
    final_verdict: Option<FinalVerdict>,
    spent_ms: i64,
) -> EventKind {
    let outcome = match (status, final_verdict) {
        (AttemptStatus::Abandoned, _) => "abandoned",
        (AttemptStatus::Correct, _) => "correct",
        (_, Some(verdict)) => final_verdict_name(verdict),
        (_, None) => "unfinished",
    };
    EventKind::AttemptFinished {
        attempt_id: uuid.to_string(),
        outcome: outcome.to_string(),
        time_spent_ms: spent_ms,
    }
}

/// Version 2's Rust step: gives version-1 attempts UUIDs made from their
/// start times, replays finished ones into progress, and queues every
/// attempt's events, so work done before sync existed still reaches the server.
pub(crate) fn backfill_v2(tx: &Transaction) -> Result<(), StoreError> {
    let ids: Vec<(i64, i64, i64)> = {
        let mut statement =
            tx.prepare("SELECT id, profile_id, started_at_ms FROM attempts ORDER BY id")?;
        let rows = statement.query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?;
        rows.collect::<Result<_, _>>()?
    };
    for (id, profile, started_at_ms) in ids {
        let millis = u64::try_from(started_at_ms).unwrap_or(0);
        let timestamp = uuid::Timestamp::from_unix(
            uuid::NoContext,
            millis / 1000,
            (millis % 1000) as u32 * 1_000_000,
        );
        let uuid = uuid::Uuid::new_v7(timestamp).to_string();
        tx.execute(
            "UPDATE attempts SET uuid = ?2 WHERE id = ?1",
            params![id, uuid],
        )?;

        let (profile, attempt) = (ProfileId(profile), AttemptId(id));
        let summary = load(tx, profile, attempt)?;
        outbox::push(
            tx,
            profile,
            started_at_ms,
            started_event(&uuid, &summary.attempt),
        )?;
        for (index, line) in lines(tx, profile, attempt)?.iter().enumerate() {
            let position = u32::try_from(index + 1).unwrap_or(u32::MAX);
            outbox::push(
                tx,
                profile,
                line.typed_at_ms,
                line_event(&uuid, position, line),
            )?;
        }
        let Some(finished_at_ms) = summary.finished_at_ms else {
            continue;
        };
        let spent_ms = finished_at_ms - started_at_ms;
        progress::record(
            tx,
            profile,
            &summary.attempt.skill_id,
            summary.status,
            spent_ms,
            finished_at_ms,
        )?;
        let kind = finished_event(&uuid, summary.status, summary.final_verdict, spent_ms);
        outbox::push(tx, profile, finished_at_ms, kind)?;
    }
    Ok(())
}

pub(crate) fn verdict_name(verdict: Verdict) -> &'static str {
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
        _ => return Err(invalid("attempt_lines.verdict", text)),
    })
}

pub(crate) fn final_verdict_name(verdict: FinalVerdict) -> &'static str {
    match verdict {
        FinalVerdict::Correct => "correct",
        FinalVerdict::Incorrect => "incorrect",
        FinalVerdict::WrongForm => "wrong_form",
        FinalVerdict::Unfinished => "unfinished",
    }
}

fn parse_final_verdict(text: &str) -> Result<FinalVerdict, StoreError> {
    Ok(match text {
        "correct" => FinalVerdict::Correct,
        "incorrect" => FinalVerdict::Incorrect,
        "wrong_form" => FinalVerdict::WrongForm,
        "unfinished" => FinalVerdict::Unfinished,
        _ => return Err(invalid("attempts.final_verdict", text)),
    })
}

fn invalid(column: &'static str, value: &str) -> StoreError {
    StoreError::InvalidValue {
        column,
        value: value.to_string(),
    }
}
