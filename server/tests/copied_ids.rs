//! Event and attempt ids are unique per student account: a student who
//! pushes another student's ids first gets them under their own account,
//! and the owner's push still lands whole. Through real HTTP on SQLite and
//! on PostgreSQL.

mod common;

use common::*;
use serde_json::{json, Value};
use stepwise_core::sync::protocol::{EventKind, PullResponse, PushResponse};
use stepwise_core::sync::views::StudentWork;

async fn push(server: &Server, token: &str, body: &Value) -> PushResponse {
    let response = http()
        .post(server.url("/v2/events"))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .expect("push");
    assert_eq!(response.status(), 200);
    response.json().await.expect("push response")
}

async fn work(server: &Server, teacher: &str, student: &str) -> StudentWork {
    let response = http()
        .get(server.url(&format!("/v2/teacher/students/{student}/attempts")))
        .bearer_auth(teacher)
        .send()
        .await
        .expect("student work");
    assert_eq!(response.status(), 200);
    response.json().await.expect("student work body")
}

async fn comment(server: &Server, teacher: &str, body: &Value) -> (u16, Value) {
    let response = http()
        .post(server.url("/v2/teacher/comments"))
        .bearer_auth(teacher)
        .json(body)
        .send()
        .await
        .expect("comment");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn pull(server: &Server, token: &str) -> PullResponse {
    let response = http()
        .get(server.url("/v2/updates?cursor=0"))
        .bearer_auth(token)
        .send()
        .await
        .expect("pull");
    assert_eq!(response.status(), 200);
    response.json().await.expect("pull response")
}

async fn copied_ids(backend: Backend) {
    let w = world(&backend);
    let server = Server::start(&backend);
    let teacher = login(&server, "ms.lee").await;
    let ana = login(&server, "ana").await;
    let ben = login(&server, "ben").await;
    let (ana_id, ben_id) = (&w.students[0], &w.students[1]);

    let ana_events = attempt_events("shared", &question_id(), 3, None);
    let count = ana_events.len() as u32;
    // Ben learnt Ana's ids and pushes them first, with his own lines.
    let mut ben_events = ana_events.clone();
    for event in &mut ben_events {
        if let EventKind::LineTyped { input, .. } = &mut event.kind {
            *input = format!("ben wrote {input}");
        }
    }
    let first = push(&server, &ben, &batch(&ben_events)).await;
    assert_eq!(first.stored, count);
    assert!(first.rejected.is_empty(), "{:?}", first.rejected);

    // Ana's push lands whole, then counts as repeated when sent again.
    let own = push(&server, &ana, &batch(&ana_events)).await;
    assert_eq!(own.stored, count);
    assert_eq!(own.repeated, 0);
    assert!(own.rejected.is_empty(), "{:?}", own.rejected);
    let again = push(&server, &ana, &batch(&ana_events)).await;
    assert_eq!(again.stored, 0);
    assert_eq!(again.repeated, count);

    // The teacher's view shows each student their own attempt, lines and outcome.
    let ana_work = work(&server, &teacher, ana_id).await;
    let attempt = ana_work.attempts.first().expect("Ana's attempt");
    assert_eq!(ana_work.attempts.len(), 1);
    assert_eq!(attempt.attempt_id, "shared-attempt");
    assert_eq!(attempt.outcome.as_deref(), Some("correct"));
    let inputs: Vec<&str> = attempt.lines.iter().map(|l| l.input.as_str()).collect();
    assert_eq!(inputs, ["3x = 15", "3x = 16", "3x = 17"]);
    let ben_work = work(&server, &teacher, ben_id).await;
    assert_eq!(ben_work.attempts.len(), 1);
    assert!(ben_work.attempts[0]
        .lines
        .iter()
        .all(|line| line.input.starts_with("ben wrote")));

    // The attempt id alone is ambiguous to the teacher; with the student it
    // reaches that student only.
    let (status, body) = comment(
        &server,
        &teacher,
        &json!({ "attempt_id": "shared-attempt", "line_index": 0, "text": "Good start" }),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["error"]
            .as_str()
            .is_some_and(|e| e.contains("student")),
        "{body}"
    );
    let (status, body) = comment(
        &server,
        &teacher,
        &json!({ "attempt_id": "shared-attempt", "line_index": 0, "text": "Good start", "student_id": ana_id }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let ana_pull = pull(&server, &ana).await;
    assert_eq!(ana_pull.comments.len(), 1);
    assert_eq!(ana_pull.comments[0].text, "Good start");
    assert!(pull(&server, &ben).await.comments.is_empty());
}

#[tokio::test]
async fn copied_ids_on_sqlite() {
    let dir = temp_dir();
    copied_ids(Backend::Sqlite(path(dir.path()))).await;
}

#[tokio::test]
async fn copied_ids_on_postgres() {
    let Some(base) = postgres_url() else { return };
    copied_ids(Backend::Postgres(fresh_postgres(&base).await)).await;
}
