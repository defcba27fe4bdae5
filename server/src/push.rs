//! `POST /v2/events` and `GET /v2/updates`.
//!
//! Events are append-only and keyed by the pushing student and the id the
//! device made. An insert that meets an existing id of the same student
//! changes nothing and the event counts as repeated, so a device may resend
//! a batch as often as its network makes it. Attempts and lines are keyed by
//! student too, so one account's ids never touch another's work. A line for
//! an attempt whose start never arrived is kept all the same, under the
//! pushing student, because nothing a student typed is dropped. The answer
//! counts the stored and repeated events and names only the rejected ones;
//! the whole batch is one transaction, so the counts cover every event. A new event is
//! also applied to the attempts and lines the teacher views read, in the same
//! transaction.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{Query, State};
use axum::Json;
use serde::Deserialize;
use sqlx::{Any, Row, Transaction};
use stepwise_core::generate::{generate_by_id, QuestionId};
use stepwise_core::sync::protocol::{
    decode_batch, Assignment, Comment, Event, EventKind, PullResponse, PushRequest, PushResponse,
    Rejected,
};

use crate::auth::{AuthUser, Role};
use crate::db::{now_ms, Engine};
use crate::error::{ApiError, JsonBody};
use crate::limits::Metrics;
use crate::live::{LiveLine, CHANNEL};
use crate::AppState;

/// The most events one push may carry.
pub const MAX_BATCH: usize = 500;
const MAX_TEXT: usize = 4000;

pub async fn push(
    State(state): State<Arc<AppState>>,
    user: AuthUser,
    JsonBody(request): JsonBody<PushRequest>,
) -> Result<Json<PushResponse>, ApiError> {
    user.require(Role::Student)?;
    let count: usize = request.groups.iter().map(|g| g.events.len()).sum();
    if count > MAX_BATCH {
        return Err(ApiError::BadRequest(format!(
            "a push carries at most {MAX_BATCH} events, this one has {count}; send them in smaller batches"
        )));
    }
    let events = decode_batch(request)
        .map_err(|e| ApiError::BadRequest(format!("invalid push batch: {e}")))?;
    let started = Instant::now();
    let mut rejected = Vec::new();
    let mut lines = Vec::new();
    let (mut stored, mut repeated) = (0u64, 0u64);

    let guard = state.db.write_lock().await;
    let mut tx = state.db.pool.begin().await?;
    // Attempts whose start was refused: their other events are refused too.
    let mut refused_attempts: Vec<String> = Vec::new();
    for event in &events {
        if let Err(reason) = check_shape(&state, event) {
            if let EventKind::AttemptStarted { attempt_id, .. } = &event.kind {
                refused_attempts.push(attempt_id.clone());
            }
            rejected.push(Rejected {
                id: event.id.clone(),
                reason,
            });
            continue;
        }
        if let Some(attempt) =
            attempt_of(&event.kind).filter(|a| refused_attempts.iter().any(|r| r == a))
        {
            rejected.push(Rejected {
                id: event.id.clone(),
                reason: format!("attempt `{attempt}` was refused"),
            });
            continue;
        }
        let body = serde_json::to_string(event).map_err(|e| ApiError::Internal(e.to_string()))?;
        let inserted = sqlx::query(
            "INSERT INTO events (id, student_id, at_ms, kind, body, received_ms) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (student_id, id) DO NOTHING",
        )
        .bind(&event.id)
        .bind(&user.id)
        .bind(event.at_ms)
        .bind(kind_name(&event.kind))
        .bind(&body)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if inserted == 0 {
            repeated += 1;
            continue;
        }
        stored += 1;
        if let Some(line) = apply(&mut tx, &user.id, event).await? {
            if state.db.engine == Engine::Postgres {
                let payload =
                    serde_json::to_string(&line).map_err(|e| ApiError::Internal(e.to_string()))?;
                sqlx::query("SELECT pg_notify($1, $2)")
                    .bind(CHANNEL)
                    .bind(payload)
                    .execute(&mut *tx)
                    .await?;
            }
            lines.push(line);
        }
    }
    tx.commit().await?;
    drop(guard);

    // PostgreSQL delivers the notifications to every copy, this one included.
    if state.db.engine == Engine::Sqlite {
        for line in lines {
            state.live.publish(line);
        }
    }
    let metrics = &state.metrics;
    Metrics::add(&metrics.events_stored, stored);
    Metrics::add(&metrics.events_repeated, repeated);
    Metrics::add(&metrics.events_rejected, rejected.len() as u64);
    Metrics::add(&metrics.pushes, 1);
    Metrics::add(
        &metrics.push_micros_total,
        started.elapsed().as_micros() as u64,
    );
    tracing::debug!(user = %user.id, stored, repeated, rejected = rejected.len(), "push");
    Ok(Json(PushResponse {
        stored: u32::try_from(stored).unwrap_or(u32::MAX),
        repeated: u32::try_from(repeated).unwrap_or(u32::MAX),
        rejected,
    }))
}

/// Checks what can be checked without the database.
fn check_shape(state: &AppState, event: &Event) -> Result<(), String> {
    if event.id.is_empty() || event.id.len() > 64 {
        return Err("the event id must have 1 to 64 characters".to_string());
    }
    let too_long = |field: &str, text: &str| {
        (text.len() > MAX_TEXT).then(|| format!("the {field} is longer than {MAX_TEXT} bytes"))
    };
    let problem = match &event.kind {
        EventKind::AttemptStarted {
            attempt_id,
            question_id,
            question_text,
            ..
        } => match QuestionId::parse(question_id) {
            Err(e) => Some(e.to_string()),
            Ok(id) => match generate_by_id(&state.skills, &id) {
                Err(e) => Some(format!(
                    "question `{question_id}` is not in this server's content pack: {e}"
                )),
                Ok(_) => {
                    too_long("question text", question_text).or(too_long("attempt id", attempt_id))
                }
            },
        },
        EventKind::LineTyped {
            input,
            verdict,
            attempt_id,
            ..
        } => too_long("line", input)
            .or(too_long("verdict", verdict))
            .or(too_long("attempt id", attempt_id)),
        EventKind::AttemptFinished { outcome, .. } => too_long("outcome", outcome),
        EventKind::HintShown { .. } | EventKind::VideoWatched { .. } => None,
    };
    problem.map_or(Ok(()), Err)
}

fn attempt_of(kind: &EventKind) -> Option<&str> {
    match kind {
        EventKind::AttemptStarted { attempt_id, .. }
        | EventKind::LineTyped { attempt_id, .. }
        | EventKind::HintShown { attempt_id, .. }
        | EventKind::AttemptFinished { attempt_id, .. } => Some(attempt_id),
        EventKind::VideoWatched { .. } => None,
    }
}

fn kind_name(kind: &EventKind) -> &'static str {
    match kind {
        EventKind::AttemptStarted { .. } => "attempt_started",
        EventKind::LineTyped { .. } => "line_typed",
        EventKind::HintShown { .. } => "hint_shown",
        EventKind::AttemptFinished { .. } => "attempt_finished",
        EventKind::VideoWatched { .. } => "video_watched",
    }
}

/// Applies a newly stored event to the attempts and lines; returns the line
/// for the live view when it is one.
async fn apply(
    tx: &mut Transaction<'static, Any>,
    student: &str,
    event: &Event,
) -> Result<Option<LiveLine>, ApiError> {
    match &event.kind {
        EventKind::AttemptStarted {
            attempt_id,
            question_id,
            question_text,
            assignment_id,
        } => {
            sqlx::query(
                "INSERT INTO attempts (id, student_id, question_id, question_text, assignment_id, started_ms) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (student_id, id) DO NOTHING",
            )
            .bind(attempt_id)
            .bind(student)
            .bind(question_id)
            .bind(question_text)
            .bind(assignment_id.clone())
            .bind(event.at_ms)
            .execute(&mut **tx)
            .await?;
            Ok(None)
        }
        EventKind::LineTyped {
            attempt_id,
            index,
            input,
            verdict,
            diagnosis,
        } => {
            // A retyped line replaces the one at its index; the events keep both.
            sqlx::query(
                "INSERT INTO lines (attempt_id, idx, student_id, input, verdict, diagnosis, at_ms) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (student_id, attempt_id, idx) DO UPDATE SET \
                 input = excluded.input, verdict = excluded.verdict, diagnosis = excluded.diagnosis, at_ms = excluded.at_ms",
            )
            .bind(attempt_id)
            .bind(i64::from(*index))
            .bind(student)
            .bind(input)
            .bind(verdict)
            .bind(diagnosis.clone())
            .bind(event.at_ms)
            .execute(&mut **tx)
            .await?;
            Ok(Some(LiveLine {
                student_id: student.to_string(),
                attempt_id: attempt_id.clone(),
                index: *index,
                input: input.clone(),
                verdict: verdict.clone(),
                diagnosis: diagnosis.clone(),
                at_ms: event.at_ms,
            }))
        }
        EventKind::AttemptFinished {
            attempt_id,
            outcome,
            time_spent_ms,
        } => {
            sqlx::query(
                "UPDATE attempts SET finished_ms = $1, outcome = $2, time_spent_ms = $3 WHERE id = $4 AND student_id = $5",
            )
            .bind(event.at_ms)
            .bind(outcome)
            .bind(*time_spent_ms)
            .bind(attempt_id)
            .bind(student)
            .execute(&mut **tx)
            .await?;
            Ok(None)
        }
        EventKind::HintShown { .. } | EventKind::VideoWatched { .. } => Ok(None),
    }
}

#[derive(Debug, Deserialize)]
pub struct PullQuery {
    #[serde(default)]
    cursor: i64,
}

/// The most changes one pull returns; the device pulls again from the new cursor.
const PULL_PAGE: i64 = 200;

pub async fn pull(
    State(state): State<Arc<AppState>>,
    user: AuthUser,
    Query(query): Query<PullQuery>,
) -> Result<Json<PullResponse>, ApiError> {
    user.require(Role::Student)?;
    let rows = sqlx::query(
        "SELECT seq, kind, ref_id FROM changes WHERE student_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
    )
    .bind(&user.id)
    .bind(query.cursor)
    .bind(PULL_PAGE)
    .fetch_all(&state.db.pool)
    .await?;
    let mut response = PullResponse {
        cursor: query.cursor,
        assignments: Vec::new(),
        comments: Vec::new(),
        content: None,
    };
    for row in rows {
        response.cursor = row.try_get("seq")?;
        let kind: String = row.try_get("kind")?;
        let id: String = row.try_get("ref_id")?;
        match kind.as_str() {
            "assignment" => {
                if let Some(a) = load_assignment(&state, &id).await? {
                    response.assignments.retain(|x: &Assignment| x.id != a.id);
                    response.assignments.push(a);
                }
            }
            "comment" => {
                if let Some(c) = load_comment(&state, &id).await? {
                    response.comments.push(c);
                }
            }
            other => tracing::warn!(kind = other, "unknown change kind"),
        }
    }
    Ok(Json(response))
}

pub(crate) async fn load_assignment(
    state: &AppState,
    id: &str,
) -> Result<Option<Assignment>, ApiError> {
    let Some(row) = sqlx::query(
        "SELECT id, title, skills, questions, videos, due_ms, cancelled FROM assignments WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&state.db.pool)
    .await?
    else {
        return Ok(None);
    };
    let parse = |text: String| -> Result<Vec<String>, ApiError> {
        serde_json::from_str(&text).map_err(|e| ApiError::Internal(e.to_string()))
    };
    Ok(Some(Assignment {
        id: row.try_get("id")?,
        title: row.try_get("title")?,
        skills: parse(row.try_get("skills")?)?,
        questions: u32::try_from(row.try_get::<i64, _>("questions")?).unwrap_or(0),
        videos: parse(row.try_get("videos")?)?,
        due_ms: row.try_get("due_ms")?,
        cancelled: row.try_get::<i64, _>("cancelled")? != 0,
    }))
}

async fn load_comment(state: &AppState, id: &str) -> Result<Option<Comment>, ApiError> {
    let Some(row) = sqlx::query(
        "SELECT id, attempt_id, line_index, author_name, text, at_ms FROM comments WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&state.db.pool)
    .await?
    else {
        return Ok(None);
    };
    Ok(Some(Comment {
        id: row.try_get("id")?,
        attempt_id: row.try_get("attempt_id")?,
        line_index: u32::try_from(row.try_get::<i64, _>("line_index")?).unwrap_or(0),
        author: row.try_get("author_name")?,
        text: row.try_get("text")?,
        at_ms: row.try_get("at_ms")?,
    }))
}
