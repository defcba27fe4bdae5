//! The whole flow against a real server process on loopback, on SQLite and
//! on PostgreSQL: work set, pushed (twice), read by the teacher, commented,
//! pulled, reported to the parent, and still there after a restart.

mod common;

use common::*;
use serde_json::{json, Value};
use stepwise_core::sync::protocol::{PullResponse, PushResponse};
use stepwise_core::sync::views::{ClassSummary, ParentReport, StudentWork};

async fn get(server: &Server, token: &str, path: &str) -> (u16, Value) {
    let response = http()
        .get(server.url(path))
        .bearer_auth(token)
        .send()
        .await
        .expect("get");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn post(server: &Server, token: &str, path: &str, body: &Value) -> (u16, Value) {
    let response = http()
        .post(server.url(path))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .expect("post");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn flow(backend: Backend) {
    let w = world(&backend);
    let server = Server::start(&backend);
    let teacher = login(&server, "ms.lee").await;
    let ana = login(&server, "ana").await;
    let parent = login(&server, "ana.mum").await;
    let skill = stepwise_core::generate::builtin::builtin().expect("pack")[0]
        .id
        .clone();

    let (status, body) = get(&server, &teacher, "/v2/teacher/classes").await;
    assert_eq!(status, 200);
    assert_eq!(body["classes"][0]["class_id"], w.class.as_str());

    let due = 4_102_444_800_000i64; // 2100-01-01
    let (status, body) = post(
        &server,
        &teacher,
        "/v2/teacher/assignments",
        &json!({ "class_id": w.class, "title": "Two-step equations", "skills": [skill], "questions": 2, "videos": ["v1"], "due_ms": due }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["students"], 2);
    let assignment = body["assignment_id"].as_str().expect("id").to_string();

    let (status, body) = get(&server, &ana, "/v2/updates?cursor=0").await;
    assert_eq!(status, 200);
    let pulled: PullResponse = serde_json::from_value(body).expect("pull response");
    assert_eq!(pulled.assignments.len(), 1);
    assert_eq!(pulled.assignments[0].id, assignment);
    assert_eq!(pulled.assignments[0].due_ms, Some(due));

    // Pushed twice: stored the first time, counted as repeated the second.
    let events = attempt_events("ana1", &question_id(), 3, Some(&assignment));
    let request = batch(&events);
    for (stored, repeated) in [(events.len(), 0), (0, events.len())] {
        let (status, body) = post(&server, &ana, "/v2/events", &request).await;
        assert_eq!(status, 200, "{body}");
        let pushed: PushResponse = serde_json::from_value(body).expect("push response");
        assert_eq!(pushed.stored as usize, stored);
        assert_eq!(pushed.repeated as usize, repeated);
        assert!(pushed.rejected.is_empty(), "{:?}", pushed.rejected);
    }
    let bad = attempt_events("ana2", "no.such.skill/1/3", 1, None);
    let (_, body) = post(&server, &ana, "/v2/events", &batch(&bad)).await;
    let pushed: PushResponse = serde_json::from_value(body).expect("push response");
    assert_eq!(
        pushed.rejected.len(),
        3,
        "the unknown question and its attempt are refused"
    );
    assert_eq!(pushed.rejected[0].id, "ana2-attempt.s");
    assert!(
        pushed.rejected[0]
            .reason
            .contains("is not in this server's content pack"),
        "{}",
        pushed.rejected[0].reason
    );
    assert_eq!(pushed.stored, 0);

    let (status, body) = get(
        &server,
        &teacher,
        &format!("/v2/teacher/students/{}/attempts", w.students[0]),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let work: StudentWork = serde_json::from_value(body).expect("student work");
    let ours: Vec<_> = work
        .attempts
        .iter()
        .filter(|a| a.attempt_id == "ana1-attempt")
        .collect();
    assert_eq!(ours.len(), 1);
    assert_eq!(ours[0].lines.len(), 3);
    assert_eq!(ours[0].lines[1].verdict, "wrong");
    assert_eq!(ours[0].lines[1].diagnosis.as_deref(), Some("sign_error"));
    assert_eq!(ours[0].outcome.as_deref(), Some("correct"));

    let (status, body) = get(
        &server,
        &teacher,
        &format!("/v2/teacher/classes/{}/summary", w.class),
    )
    .await;
    assert_eq!(status, 200);
    let summary: ClassSummary = serde_json::from_value(body).expect("summary");
    let row = summary
        .students
        .iter()
        .find(|s| s.student_id == w.students[0])
        .expect("ana's row");
    assert_eq!(
        (row.finished, row.correct, row.time_spent_ms),
        (1, 1, 60_000)
    );
    assert_eq!(summary.common_mistakes[0].diagnosis, "sign_error");

    let (status, body) = post(
        &server,
        &teacher,
        "/v2/teacher/comments",
        &json!({ "attempt_id": "ana1-attempt", "line_index": 1, "text": "Check the sign when you subtract 5." }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (_, body) = get(
        &server,
        &ana,
        &format!("/v2/updates?cursor={}", pulled.cursor),
    )
    .await;
    let pulled: PullResponse = serde_json::from_value(body).expect("pull response");
    assert_eq!(pulled.comments.len(), 1);
    assert_eq!(pulled.comments[0].line_index, 1);
    assert!(
        pulled.assignments.is_empty(),
        "the cursor moved past the assignment"
    );

    let (status, body) = post(
        &server,
        &parent,
        "/v2/parent/link",
        &json!({ "code": w.link_code }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, _) = post(
        &server,
        &parent,
        "/v2/parent/link",
        &json!({ "code": w.link_code }),
    )
    .await;
    assert_eq!(status, 404, "a code works once");
    let (status, body) = get(
        &server,
        &parent,
        &format!("/v2/parent/children/{}/report", w.students[0]),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let report: ParentReport = serde_json::from_value(body).expect("report");
    assert_eq!((report.attempts, report.correct), (1, 1));
    assert_eq!(report.due.len(), 1);
    assert_eq!((report.due[0].done, report.due[0].questions), (1, 2));
    assert_eq!(report.recent_mistakes.len(), 1);

    let health = http()
        .get(server.url("/health"))
        .send()
        .await
        .expect("health");
    assert_eq!(health.status(), 200);
    let metrics = http()
        .get(server.url("/metrics"))
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    assert!(
        metrics.contains("stepwise_events_stored_total 5"),
        "{metrics}"
    );
    assert!(
        metrics.contains("stepwise_events_repeated_total 5"),
        "{metrics}"
    );

    // Logout revokes the token.
    let (status, _) = post(&server, &ana, "/v2/logout", &json!({})).await;
    assert_eq!(status, 200);
    let (status, _) = get(&server, &ana, "/v2/me").await;
    assert_eq!(status, 401);

    // A graceful restart keeps everything.
    server.stop();
    let server = Server::start(&backend);
    let (status, body) = get(
        &server,
        &teacher,
        &format!("/v2/teacher/students/{}/attempts", w.students[0]),
    )
    .await;
    assert_eq!(status, 200);
    let work: StudentWork = serde_json::from_value(body).expect("student work");
    assert_eq!(work.attempts.len(), 1);
}

#[tokio::test]
async fn flow_on_sqlite() {
    let dir = temp_dir();
    flow(Backend::Sqlite(path(dir.path()))).await;
}

#[tokio::test]
async fn flow_on_postgres() {
    let Some(base) = postgres_url() else { return };
    flow(Backend::Postgres(fresh_postgres(&base).await)).await;
}

#[tokio::test]
async fn oversized_and_compressed_bodies() {
    let dir = temp_dir();
    let backend = Backend::Sqlite(path(dir.path()));
    let w = world(&backend);
    let server = Server::start_with(&backend, &["--max-body-bytes", "4096"]);
    let ana = login(&server, "ana").await;

    let big = batch(&attempt_events("big", &question_id(), 200, None));
    let (status, _) = post(&server, &ana, "/v2/events", &big).await;
    assert_eq!(status, 413, "a body over the limit is refused");

    // A gzip body is read, and its short answer comes back as plain JSON.
    let small =
        serde_json::to_vec(&batch(&attempt_events("gz", &question_id(), 40, None))).expect("json");
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut encoder, &small).expect("gzip");
    let gz = encoder.finish().expect("gzip");
    let plain_client = reqwest::Client::builder()
        .no_gzip()
        .build()
        .expect("client");
    let response = plain_client
        .post(server.url("/v2/events"))
        .bearer_auth(&ana)
        .header("content-type", "application/json")
        .header("content-encoding", "gzip")
        .header("accept-encoding", "gzip")
        .body(gz)
        .send()
        .await
        .expect("push");
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers().get("content-encoding"), None);
    let pushed: PushResponse = response.json().await.expect("push response");
    assert_eq!(pushed.stored, 42);

    // A long response (the 40 lines just pushed) comes back compressed.
    let teacher = login(&server, "ms.lee").await;
    let response = plain_client
        .get(server.url(&format!("/v2/teacher/students/{}/attempts", w.students[0])))
        .bearer_auth(&teacher)
        .header("accept-encoding", "gzip")
        .send()
        .await
        .expect("teacher view");
    assert_eq!(response.status(), 200);
    assert_eq!(
        response
            .headers()
            .get("content-encoding")
            .map(|v| v.to_str().ok()),
        Some(Some("gzip"))
    );

    // Protocol version 1 is gone, with a message that says what to do.
    let response = plain_client
        .post(server.url("/v1/events"))
        .bearer_auth(&ana)
        .json(&json!({ "events": [] }))
        .send()
        .await
        .expect("version 1 push");
    assert_eq!(response.status(), 410);
    let body: Value = response.json().await.expect("error body");
    assert!(
        body["error"].as_str().is_some_and(|e| e.contains("/v2")),
        "{body}"
    );
}
