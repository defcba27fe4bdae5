//! The teacher's and the parent's endpoints. Each one checks the role and
//! then the relation: the teacher teaches the class or the student, the
//! parent is linked to the child. Someone else's student or child answers
//! 404, the same as one that does not exist, so ids cannot be probed.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::Json;
use futures_util::stream::{Stream, StreamExt};
use serde_json::{json, Value};
use sqlx::Row;
use stepwise_core::sync::views::{
    AssignRequest, AssignResponse, AttemptView, ClassSummary, CommentRequest, LineView,
    LinkRequest, LinkResponse, MistakeCount, MistakeView, ParentReport, StudentSummary,
    StudentWork, WorkStatus,
};
use tokio_stream::wrappers::BroadcastStream;

use crate::auth::{self, AuthUser, Role};
use crate::db::{now_ms, Engine};
use crate::error::{ApiError, JsonBody};
use crate::limits::Metrics;
use crate::AppState;

fn count(row: &sqlx::any::AnyRow, column: &str) -> Result<u32, ApiError> {
    Ok(u32::try_from(row.try_get::<i64, _>(column)?).unwrap_or(u32::MAX))
}

async fn class_name_if_teacher(
    state: &AppState,
    teacher: &AuthUser,
    class_id: &str,
) -> Result<String, ApiError> {
    teacher.require(Role::Teacher)?;
    sqlx::query("SELECT name FROM classes WHERE id = $1 AND teacher_id = $2")
        .bind(class_id)
        .bind(&teacher.id)
        .fetch_optional(&state.db.pool)
        .await?
        .map(|row| row.try_get::<String, _>("name"))
        .transpose()?
        .ok_or_else(|| ApiError::NotFound(format!("you teach no class `{class_id}`")))
}

/// The student's name when `teacher` teaches them in some class.
async fn student_name_if_taught(
    state: &AppState,
    teacher: &AuthUser,
    student_id: &str,
) -> Result<String, ApiError> {
    teacher.require(Role::Teacher)?;
    sqlx::query(
        "SELECT u.display_name FROM users u JOIN enrolments e ON e.student_id = u.id \
         JOIN classes c ON c.id = e.class_id WHERE u.id = $1 AND c.teacher_id = $2 LIMIT 1",
    )
    .bind(student_id)
    .bind(&teacher.id)
    .fetch_optional(&state.db.pool)
    .await?
    .map(|row| row.try_get::<String, _>("display_name"))
    .transpose()?
    .ok_or_else(|| ApiError::NotFound(format!("you teach no student `{student_id}`")))
}

pub async fn teacher_classes(
    State(state): State<Arc<AppState>>,
    user: AuthUser,
) -> Result<Json<Value>, ApiError> {
    user.require(Role::Teacher)?;
    let rows = sqlx::query("SELECT id, name FROM classes WHERE teacher_id = $1 ORDER BY name")
        .bind(&user.id)
        .fetch_all(&state.db.pool)
        .await?;
    let mut classes = Vec::new();
    for row in rows {
        let id: String = row.try_get("id")?;
        let name: String = row.try_get("name")?;
        classes.push(json!({ "class_id": id, "name": name }));
    }
    Ok(Json(json!({ "classes": classes })))
}

pub async fn assign(
    State(state): State<Arc<AppState>>,
    user: AuthUser,
    JsonBody(request): JsonBody<AssignRequest>,
) -> Result<Json<AssignResponse>, ApiError> {
    class_name_if_teacher(&state, &user, &request.class_id).await?;
    if request.title.trim().is_empty() || request.title.len() > 200 {
        return Err(ApiError::BadRequest(
            "give a title of 1 to 200 characters".into(),
        ));
    }
    if request.skills.is_empty() {
        return Err(ApiError::BadRequest(
            "name at least one skill to assign".into(),
        ));
    }
    for skill in &request.skills {
        if !state.skills.iter().any(|s| &s.id == skill) {
            return Err(ApiError::BadRequest(format!(
                "unknown skill `{skill}`; `stepwise content catalogue` lists the skills"
            )));
        }
    }
    if request.questions == 0 || request.questions > 200 {
        return Err(ApiError::BadRequest(format!(
            "questions must be 1 to 200, not {}",
            request.questions
        )));
    }

    let enrolled: Vec<String> =
        sqlx::query("SELECT student_id FROM enrolments WHERE class_id = $1")
            .bind(&request.class_id)
            .fetch_all(&state.db.pool)
            .await?
            .iter()
            .map(|row| row.try_get::<String, _>("student_id"))
            .collect::<Result<_, _>>()?;
    let students = if request.student_ids.is_empty() {
        enrolled
    } else {
        for id in &request.student_ids {
            if !enrolled.contains(id) {
                return Err(ApiError::NotFound(format!(
                    "no student `{id}` in this class"
                )));
            }
        }
        request.student_ids.clone()
    };

    let id = auth::random_id();
    let to_json =
        |v: &Vec<String>| serde_json::to_string(v).map_err(|e| ApiError::Internal(e.to_string()));
    let guard = state.db.write_lock().await;
    let mut tx = state.db.pool.begin().await?;
    sqlx::query(
        "INSERT INTO assignments (id, school_id, class_id, title, skills, questions, videos, due_ms, created_by, created_ms) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(&id)
    .bind(&user.school_id)
    .bind(&request.class_id)
    .bind(&request.title)
    .bind(to_json(&request.skills)?)
    .bind(i64::from(request.questions))
    .bind(to_json(&request.videos)?)
    .bind(request.due_ms)
    .bind(&user.id)
    .bind(now_ms())
    .execute(&mut *tx)
    .await?;
    serialise_changes(&state, &mut tx).await?;
    for student in &students {
        sqlx::query("INSERT INTO assignment_targets (assignment_id, student_id) VALUES ($1, $2)")
            .bind(&id)
            .bind(student)
            .execute(&mut *tx)
            .await?;
        add_change(&mut tx, student, "assignment", &id).await?;
    }
    tx.commit().await?;
    drop(guard);
    tracing::info!(assignment = %id, class = %request.class_id, students = students.len(), "assigned");
    Ok(Json(AssignResponse {
        assignment_id: id,
        students: students.len() as u32,
    }))
}

/// On PostgreSQL, makes writers of the change feed take turns, so change
/// numbers commit in order and a pull by cursor never skips one that
/// committed late.
async fn serialise_changes(
    state: &AppState,
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
) -> Result<(), ApiError> {
    if state.db.engine == Engine::Postgres {
        sqlx::query("SELECT pg_advisory_xact_lock(7001)")
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

async fn add_change(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    student: &str,
    kind: &str,
    ref_id: &str,
) -> Result<(), ApiError> {
    sqlx::query("INSERT INTO changes (student_id, kind, ref_id) VALUES ($1, $2, $3)")
        .bind(student)
        .bind(kind)
        .bind(ref_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn class_summary(
    State(state): State<Arc<AppState>>,
    user: AuthUser,
    Path(class_id): Path<String>,
) -> Result<Json<ClassSummary>, ApiError> {
    let name = class_name_if_teacher(&state, &user, &class_id).await?;
    let rows = sqlx::query(
        "SELECT e.student_id, u.display_name, CAST(COUNT(a.id) AS BIGINT) AS attempts, \
         CAST(COALESCE(SUM(CASE WHEN a.finished_ms IS NOT NULL THEN 1 ELSE 0 END), 0) AS BIGINT) AS finished, \
         CAST(COALESCE(SUM(CASE WHEN a.outcome = 'correct' THEN 1 ELSE 0 END), 0) AS BIGINT) AS correct, \
         CAST(COALESCE(SUM(a.time_spent_ms), 0) AS BIGINT) AS time_spent \
         FROM enrolments e JOIN users u ON u.id = e.student_id \
         LEFT JOIN attempts a ON a.student_id = e.student_id \
         WHERE e.class_id = $1 GROUP BY e.student_id, u.display_name ORDER BY u.display_name",
    )
    .bind(&class_id)
    .fetch_all(&state.db.pool)
    .await?;
    let mut students = Vec::new();
    for row in &rows {
        students.push(StudentSummary {
            student_id: row.try_get("student_id")?,
            name: row.try_get("display_name")?,
            attempts: count(row, "attempts")?,
            finished: count(row, "finished")?,
            correct: count(row, "correct")?,
            time_spent_ms: row.try_get("time_spent")?,
        });
    }
    let rows = sqlx::query(
        "SELECT l.diagnosis, CAST(COUNT(*) AS BIGINT) AS n FROM lines l \
         JOIN enrolments e ON e.student_id = l.student_id \
         WHERE e.class_id = $1 AND l.diagnosis IS NOT NULL AND l.verdict <> 'follows' \
         GROUP BY l.diagnosis ORDER BY n DESC, l.diagnosis LIMIT 10",
    )
    .bind(&class_id)
    .fetch_all(&state.db.pool)
    .await?;
    let mut common_mistakes = Vec::new();
    for row in &rows {
        common_mistakes.push(MistakeCount {
            diagnosis: row.try_get("diagnosis")?,
            count: count(row, "n")?,
        });
    }
    Ok(Json(ClassSummary {
        class_id,
        name,
        students,
        common_mistakes,
    }))
}

pub async fn student_work(
    State(state): State<Arc<AppState>>,
    user: AuthUser,
    Path(student_id): Path<String>,
) -> Result<Json<StudentWork>, ApiError> {
    let name = student_name_if_taught(&state, &user, &student_id).await?;
    let attempts = sqlx::query(
        "SELECT id, question_id, question_text, assignment_id, started_ms, outcome, time_spent_ms \
         FROM attempts WHERE student_id = $1 ORDER BY started_ms, id",
    )
    .bind(&student_id)
    .fetch_all(&state.db.pool)
    .await?;
    let lines = sqlx::query(
        "SELECT attempt_id, idx, input, verdict, diagnosis, at_ms FROM lines WHERE student_id = $1 ORDER BY attempt_id, idx",
    )
    .bind(&student_id)
    .fetch_all(&state.db.pool)
    .await?;
    let mut views = Vec::new();
    for row in &attempts {
        views.push(AttemptView {
            attempt_id: row.try_get("id")?,
            question_id: row.try_get("question_id")?,
            question_text: row.try_get("question_text")?,
            assignment_id: row.try_get("assignment_id")?,
            started_ms: row.try_get("started_ms")?,
            outcome: row.try_get("outcome")?,
            time_spent_ms: row.try_get("time_spent_ms")?,
            lines: Vec::new(),
        });
    }
    for row in &lines {
        let attempt: String = row.try_get("attempt_id")?;
        if let Some(view) = views.iter_mut().find(|v| v.attempt_id == attempt) {
            view.lines.push(LineView {
                index: count(row, "idx")?,
                input: row.try_get("input")?,
                verdict: row.try_get("verdict")?,
                diagnosis: row.try_get("diagnosis")?,
                at_ms: row.try_get("at_ms")?,
            });
        }
    }
    Ok(Json(StudentWork {
        student_id,
        name,
        attempts: views,
    }))
}

/// Server-sent events: one `line` event per line the student pushes, as
/// JSON, until the teacher disconnects or the server shuts down.
pub async fn live(
    State(state): State<Arc<AppState>>,
    user: AuthUser,
    Path(student_id): Path<String>,
) -> Result<Sse<impl Stream<Item = Result<SseEvent, Infallible>>>, ApiError> {
    student_name_if_taught(&state, &user, &student_id).await?;
    let receiver = state.live.subscribe();
    let mut shutdown = state.shutdown.clone();
    let stopping = async move {
        let _ = shutdown.wait_for(|stop| *stop).await;
    };
    Metrics::add(&state.metrics.live_streams_open, 1);
    let open = StreamGauge(state.clone());
    let stream = BroadcastStream::new(receiver)
        .filter_map(move |item| {
            let _ = &open;
            let wanted = match item {
                Ok(line) if line.student_id == student_id => serde_json::to_string(&line)
                    .ok()
                    .map(|data| Ok(SseEvent::default().event("line").data(data))),
                Ok(_) => None,
                // Fell behind: say so, the teacher can reload the attempts.
                Err(_) => Some(Ok(SseEvent::default().event("lagged").data("{}"))),
            };
            std::future::ready(wanted)
        })
        .take_until(stopping);
    // The first message tells the viewer the stream is open.
    let opened = futures_util::stream::once(std::future::ready(Ok(SseEvent::default()
        .event("open")
        .data("{}"))));
    Ok(Sse::new(opened.chain(stream))
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}

/// Counts an open live stream down when the stream is dropped.
struct StreamGauge(Arc<AppState>);

impl Drop for StreamGauge {
    fn drop(&mut self) {
        self.0
            .metrics
            .live_streams_open
            .fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
    }
}

pub async fn comment(
    State(state): State<Arc<AppState>>,
    user: AuthUser,
    JsonBody(request): JsonBody<CommentRequest>,
) -> Result<Json<Value>, ApiError> {
    user.require(Role::Teacher)?;
    if request.text.trim().is_empty() || request.text.len() > 2000 {
        return Err(ApiError::BadRequest(
            "a comment has 1 to 2000 characters".into(),
        ));
    }
    let no_line = || {
        ApiError::NotFound(format!(
            "attempt `{}` has no line {} (lines are numbered from 1); check the ids that `teacher working` shows",
            request.attempt_id,
            u64::from(request.line_index) + 1
        ))
    };
    // Attempt ids are unique per student only: find the students taught by
    // this teacher who have this line.
    let rows = sqlx::query(
        "SELECT DISTINCT l.student_id FROM lines l \
         JOIN enrolments e ON e.student_id = l.student_id \
         JOIN classes c ON c.id = e.class_id \
         WHERE l.attempt_id = $1 AND l.idx = $2 AND c.teacher_id = $3",
    )
    .bind(&request.attempt_id)
    .bind(i64::from(request.line_index))
    .bind(&user.id)
    .fetch_all(&state.db.pool)
    .await?;
    let mut students = rows
        .iter()
        .map(|row| row.try_get::<String, _>("student_id"))
        .collect::<Result<Vec<_>, _>>()?;
    if let Some(wanted) = &request.student_id {
        students.retain(|student| student == wanted);
    }
    let student = match students.as_slice() {
        [] => return Err(no_line()),
        [student] => student.clone(),
        several => {
            tracing::warn!(
                attempt = %request.attempt_id,
                students = several.len(),
                "comment names an attempt id that several students use"
            );
            return Err(ApiError::BadRequest(format!(
                "attempt id `{}` is used by {} of your students; give the student's id too",
                request.attempt_id,
                several.len()
            )));
        }
    };

    let id = auth::random_id();
    let guard = state.db.write_lock().await;
    let mut tx = state.db.pool.begin().await?;
    sqlx::query(
        "INSERT INTO comments (id, student_id, attempt_id, line_index, author_id, author_name, text, at_ms) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&id)
    .bind(&student)
    .bind(&request.attempt_id)
    .bind(i64::from(request.line_index))
    .bind(&user.id)
    .bind(&user.name)
    .bind(&request.text)
    .bind(now_ms())
    .execute(&mut *tx)
    .await?;
    serialise_changes(&state, &mut tx).await?;
    add_change(&mut tx, &student, "comment", &id).await?;
    tx.commit().await?;
    drop(guard);
    Ok(Json(json!({ "comment_id": id })))
}

pub async fn parent_link(
    State(state): State<Arc<AppState>>,
    user: AuthUser,
    JsonBody(request): JsonBody<LinkRequest>,
) -> Result<Json<LinkResponse>, ApiError> {
    user.require(Role::Parent)?;
    let code = request.code.trim().to_uppercase();
    let invalid = || {
        ApiError::NotFound(
            "this link code is unknown or already used; ask the school for a new one".into(),
        )
    };
    let guard = state.db.write_lock().await;
    let mut tx = state.db.pool.begin().await?;
    let row = sqlx::query(
        "SELECT c.student_id, u.display_name, u.school_id FROM link_codes c JOIN users u ON u.id = c.student_id \
         WHERE c.code_hash = $1 AND c.used_by IS NULL",
    )
    .bind(auth::secret_hash(&code))
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(invalid)?;
    let student: String = row.try_get("student_id")?;
    let school: String = row.try_get("school_id")?;
    if school != user.school_id {
        return Err(invalid());
    }
    sqlx::query("UPDATE link_codes SET used_by = $1 WHERE code_hash = $2")
        .bind(&user.id)
        .bind(auth::secret_hash(&code))
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO parent_links (parent_id, student_id) VALUES ($1, $2) ON CONFLICT (parent_id, student_id) DO NOTHING",
    )
    .bind(&user.id)
    .bind(&student)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    drop(guard);
    tracing::info!(parent = %user.id, student = %student, "parent linked");
    Ok(Json(LinkResponse {
        student_id: student,
        name: row.try_get("display_name")?,
    }))
}

pub async fn parent_children(
    State(state): State<Arc<AppState>>,
    user: AuthUser,
) -> Result<Json<Value>, ApiError> {
    user.require(Role::Parent)?;
    let rows = sqlx::query(
        "SELECT u.id, u.display_name FROM parent_links p JOIN users u ON u.id = p.student_id \
         WHERE p.parent_id = $1 ORDER BY u.display_name",
    )
    .bind(&user.id)
    .fetch_all(&state.db.pool)
    .await?;
    let mut children = Vec::new();
    for row in rows {
        let id: String = row.try_get("id")?;
        let name: String = row.try_get("display_name")?;
        children.push(json!({ "student_id": id, "name": name }));
    }
    Ok(Json(json!({ "children": children })))
}

pub async fn parent_report(
    State(state): State<Arc<AppState>>,
    user: AuthUser,
    Path(student_id): Path<String>,
) -> Result<Json<ParentReport>, ApiError> {
    user.require(Role::Parent)?;
    let name: String = sqlx::query(
        "SELECT u.display_name FROM parent_links p JOIN users u ON u.id = p.student_id \
         WHERE p.parent_id = $1 AND p.student_id = $2",
    )
    .bind(&user.id)
    .bind(&student_id)
    .fetch_optional(&state.db.pool)
    .await?
    .map(|row| row.try_get::<String, _>("display_name"))
    .transpose()?
    .ok_or_else(|| ApiError::NotFound(format!("you have no linked child `{student_id}`")))?;

    let totals = sqlx::query(
        "SELECT CAST(COUNT(*) AS BIGINT) AS attempts, \
         CAST(COALESCE(SUM(CASE WHEN outcome = 'correct' THEN 1 ELSE 0 END), 0) AS BIGINT) AS correct, \
         CAST(COALESCE(SUM(time_spent_ms), 0) AS BIGINT) AS time_spent FROM attempts WHERE student_id = $1",
    )
    .bind(&student_id)
    .fetch_one(&state.db.pool)
    .await?;

    let now = now_ms();
    let work = sqlx::query(
        "SELECT a.id, a.title, a.due_ms, a.questions, a.skills \
         FROM assignment_targets t JOIN assignments a ON a.id = t.assignment_id \
         WHERE t.student_id = $1 AND a.cancelled = 0 ORDER BY a.due_ms, a.created_ms",
    )
    .bind(&student_id)
    .fetch_all(&state.db.pool)
    .await?;
    let (mut due, mut overdue) = (Vec::new(), Vec::new());
    for row in &work {
        let skills: Vec<String> = serde_json::from_str(&row.try_get::<String, _>("skills")?)
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        let per_skill = count(row, "questions")?;
        let questions = per_skill.saturating_mul(skills.len() as u32);
        let assignment_id: String = row.try_get("id")?;
        // As on the device, a question counts toward the work when it was
        // answered correctly, up to the number set for each skill.
        let correct: Vec<String> = sqlx::query_scalar(
            "SELECT question_id FROM attempts \
             WHERE assignment_id = $1 AND student_id = $2 AND outcome = 'correct'",
        )
        .bind(&assignment_id)
        .bind(&student_id)
        .fetch_all(&state.db.pool)
        .await?;
        let done = skills
            .iter()
            .map(|skill| {
                let answered = correct
                    .iter()
                    .filter(|id| id.split('/').next() == Some(skill.as_str()))
                    .count();
                u32::try_from(answered).unwrap_or(u32::MAX).min(per_skill)
            })
            .sum();
        let status = WorkStatus {
            assignment_id,
            title: row.try_get("title")?,
            due_ms: row.try_get("due_ms")?,
            questions,
            done,
        };
        if done >= questions {
            continue;
        }
        match status.due_ms {
            Some(due_ms) if due_ms < now => overdue.push(status),
            _ => due.push(status),
        }
    }

    let rows = sqlx::query(
        "SELECT a.question_text, l.input, l.diagnosis, l.at_ms FROM lines l JOIN attempts a ON a.student_id = l.student_id AND a.id = l.attempt_id \
         WHERE l.student_id = $1 AND l.verdict = 'wrong' ORDER BY l.at_ms DESC LIMIT 10",
    )
    .bind(&student_id)
    .fetch_all(&state.db.pool)
    .await?;
    let mut recent_mistakes = Vec::new();
    for row in &rows {
        recent_mistakes.push(MistakeView {
            question_text: row.try_get("question_text")?,
            input: row.try_get("input")?,
            diagnosis: row.try_get("diagnosis")?,
            at_ms: row.try_get("at_ms")?,
        });
    }
    Ok(Json(ParentReport {
        student_id,
        name,
        attempts: count(&totals, "attempts")?,
        correct: count(&totals, "correct")?,
        time_spent_ms: totals.try_get("time_spent")?,
        due,
        overdue,
        recent_mistakes,
    }))
}
