//! A teacher's live view receives a student's line within a second of the
//! push: on SQLite through one server, and on PostgreSQL with the teacher
//! and the student on two different copies of the server.

mod common;

use std::time::Duration;

use common::*;
use futures_util::StreamExt;

async fn watch_line(backend: Backend, copies: usize) {
    let w = world(&backend);
    let teacher_server = Server::start(&backend);
    let student_server = if copies == 2 {
        Some(Server::start(&backend))
    } else {
        None
    };
    let push_to = student_server.as_ref().unwrap_or(&teacher_server);
    let teacher = login(&teacher_server, "ms.lee").await;
    let ana = login(push_to, "ana").await;

    let response = http()
        .get(teacher_server.url(&format!("/v2/teacher/students/{}/live", w.students[0])))
        .bearer_auth(&teacher)
        .send()
        .await
        .expect("open the live stream");
    assert_eq!(response.status(), 200);
    let mut body = response.bytes_stream();
    // Wait for the stream's opening event so the subscription exists.
    let mut seen = String::new();
    while !seen.contains("event: open") {
        let chunk = tokio::time::timeout(Duration::from_secs(5), body.next())
            .await
            .expect("the stream opens")
            .expect("a chunk")
            .expect("bytes");
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    // The other student's lines must not appear in ana's stream.
    let ben = login(push_to, "ben").await;
    let ben_events = attempt_events("ben-live", &question_id(), 1, None);
    http()
        .post(push_to.url("/v2/events"))
        .bearer_auth(&ben)
        .json(&batch(&ben_events))
        .send()
        .await
        .expect("push");

    let events = attempt_events("ana-live", &question_id(), 1, None);
    let pushed = http()
        .post(push_to.url("/v2/events"))
        .bearer_auth(&ana)
        .json(&batch(&events))
        .send()
        .await
        .expect("push");
    assert_eq!(pushed.status(), 200);

    let mut received = String::new();
    let arrived = tokio::time::timeout(Duration::from_secs(1), async {
        while !received.contains("event: line") {
            let Some(Ok(chunk)) = body.next().await else {
                break;
            };
            received.push_str(&String::from_utf8_lossy(&chunk));
        }
    })
    .await;
    assert!(
        arrived.is_ok(),
        "no line within a second of the push; got `{received}`"
    );
    assert!(received.contains("ana-live-attempt"), "{received}");
    assert!(received.contains("3x = 15"), "{received}");
    assert!(
        !received.contains("ben-live"),
        "another student's line leaked: {received}"
    );
}

#[tokio::test]
async fn live_line_on_sqlite() {
    let dir = temp_dir();
    watch_line(Backend::Sqlite(path(dir.path())), 1).await;
}

#[tokio::test]
async fn live_line_across_two_servers_on_postgres() {
    let Some(base) = postgres_url() else { return };
    watch_line(Backend::Postgres(fresh_postgres(&base).await), 2).await;
}
