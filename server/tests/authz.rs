//! The authorisation matrix: every endpoint against every kind of caller
//! (each role; the same school or another; the class's teacher or not; the
//! linked parent or not), each allowed or refused with the expected status.

mod common;

use common::*;
use serde_json::{json, Value};
use stepwise_core::sync::protocol::PushResponse;
use stepwise_core::sync::views::StudentWork;

/// The callers, in the order of the matrix's columns.
const CALLERS: [&str; 10] = [
    "head",    // the school's admin
    "ms.lee",  // teaches class 9B (ana, ben)
    "mr.day",  // a teacher of the same school, without the class
    "mr.kay",  // a teacher of another school
    "ana",     // a student of 9B, the target
    "ben",     // another student of 9B
    "cai",     // a student of another school
    "ana.mum", // ana's linked parent
    "ben.dad", // a parent of the same school, not linked to ana
    "cai.dad", // a parent of another school
];

struct Case {
    name: &'static str,
    method: &'static str,
    path: String,
    body: Value,
    expected: [u16; 10],
}

async fn matrix(backend: Backend) {
    let w = world(&backend);
    let mr_day = user(&backend, &w.school, "teacher", "mr.day");
    let _ = mr_day;
    user(&backend, &w.school, "parent", "ben.dad");
    let server = Server::start(&backend);

    let mut tokens = Vec::new();
    for name in CALLERS {
        tokens.push(login(&server, name).await);
    }
    let client = http();
    // Setup through the API: ana has an attempt with lines; parents linked.
    let events = attempt_events("ana-setup", &question_id(), 2, None);
    let response = client
        .post(server.url("/v2/events"))
        .bearer_auth(&tokens[4])
        .json(&batch(&events))
        .send()
        .await
        .expect("push");
    assert_eq!(response.status(), 200);
    for (who, code) in [(7, &w.link_code), (9, &w.other_code)] {
        let response = client
            .post(server.url("/v2/parent/link"))
            .bearer_auth(&tokens[who])
            .json(&json!({ "code": code }))
            .send()
            .await
            .expect("link");
        assert_eq!(response.status(), 200);
    }
    let skill = stepwise_core::generate::builtin::builtin().expect("pack")[0]
        .id
        .clone();
    let ana = &w.students[0];
    let q = question_id();

    //                                   head  lee  day  kay  ana  ben  cai  mum  dad  cai.dad
    let cases = vec![
        Case {
            name: "me",
            method: "GET",
            path: "/v2/me".into(),
            body: Value::Null,
            expected: [200, 200, 200, 200, 200, 200, 200, 200, 200, 200],
        },
        Case {
            name: "push",
            method: "POST",
            path: "/v2/events".into(),
            body: batch(&attempt_events("{who}", &q, 1, None)),
            expected: [403, 403, 403, 403, 200, 200, 200, 403, 403, 403],
        },
        Case {
            name: "pull",
            method: "GET",
            path: "/v2/updates?cursor=0".into(),
            body: Value::Null,
            expected: [403, 403, 403, 403, 200, 200, 200, 403, 403, 403],
        },
        Case {
            name: "teacher classes",
            method: "GET",
            path: "/v2/teacher/classes".into(),
            body: Value::Null,
            expected: [403, 200, 200, 200, 403, 403, 403, 403, 403, 403],
        },
        Case {
            name: "assign",
            method: "POST",
            path: "/v2/teacher/assignments".into(),
            body: json!({ "class_id": w.class, "title": "t", "skills": [skill], "questions": 1 }),
            expected: [403, 200, 404, 404, 403, 403, 403, 403, 403, 403],
        },
        Case {
            name: "class summary",
            method: "GET",
            path: format!("/v2/teacher/classes/{}/summary", w.class),
            body: Value::Null,
            expected: [403, 200, 404, 404, 403, 403, 403, 403, 403, 403],
        },
        Case {
            name: "student attempts",
            method: "GET",
            path: format!("/v2/teacher/students/{ana}/attempts"),
            body: Value::Null,
            expected: [403, 200, 404, 404, 403, 403, 403, 403, 403, 403],
        },
        Case {
            name: "live",
            method: "GET",
            path: format!("/v2/teacher/students/{ana}/live"),
            body: Value::Null,
            expected: [403, 200, 404, 404, 403, 403, 403, 403, 403, 403],
        },
        Case {
            name: "comment",
            method: "POST",
            path: "/v2/teacher/comments".into(),
            body: json!({ "attempt_id": "ana-setup-attempt", "line_index": 0, "text": "good" }),
            expected: [403, 200, 404, 404, 403, 403, 403, 403, 403, 403],
        },
        Case {
            name: "parent children",
            method: "GET",
            path: "/v2/parent/children".into(),
            body: Value::Null,
            expected: [403, 403, 403, 403, 403, 403, 403, 200, 200, 200],
        },
        Case {
            name: "parent report",
            method: "GET",
            path: format!("/v2/parent/children/{ana}/report"),
            body: Value::Null,
            expected: [403, 403, 403, 403, 403, 403, 403, 200, 404, 404],
        },
        Case {
            name: "parent link with another school's used code",
            method: "POST",
            path: "/v2/parent/link".into(),
            body: json!({ "code": w.other_code }),
            expected: [403, 403, 403, 403, 403, 403, 403, 404, 404, 404],
        },
        Case {
            name: "logout",
            method: "POST",
            path: "/v2/logout".into(),
            body: json!({}),
            expected: [200, 200, 200, 200, 200, 200, 200, 200, 200, 200],
        },
    ];

    let mut failures = Vec::new();
    for case in &cases {
        for (i, caller) in CALLERS.iter().enumerate() {
            let body = serde_json::to_string(&case.body)
                .expect("json")
                .replace("{who}", caller);
            let request = match case.method {
                "GET" => client.get(server.url(&case.path)),
                _ => client
                    .post(server.url(&case.path))
                    .header("content-type", "application/json")
                    .body(body.clone()),
            };
            // The logout case revokes the token: run it after the others.
            let status = request
                .bearer_auth(&tokens[i])
                .send()
                .await
                .expect("request")
                .status()
                .as_u16();
            if status != case.expected[i] {
                failures.push(format!(
                    "{} by {caller}: got {status}, expected {}",
                    case.name, case.expected[i]
                ));
            }
            // Without a token, every endpoint answers 401.
            if i == 0 {
                let request = match case.method {
                    "GET" => client.get(server.url(&case.path)),
                    _ => client
                        .post(server.url(&case.path))
                        .header("content-type", "application/json")
                        .body(body),
                };
                let status = request.send().await.expect("request").status().as_u16();
                if status != 401 {
                    failures.push(format!(
                        "{} without a token: got {status}, expected 401",
                        case.name
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "authorisation matrix:\n{}",
        failures.join("\n")
    );

    // After logout, no token works.
    let status = client
        .get(server.url("/v2/me"))
        .bearer_auth(&tokens[1])
        .send()
        .await
        .expect("me")
        .status();
    assert_eq!(status, 401);

    // A student cannot write into another student's attempt: a line naming
    // Ana's attempt id lands in Ben's own account.
    let ben = login(&server, "ben").await;
    let mut intrusion = attempt_events("ben-into-ana", &question_id(), 1, None);
    intrusion.retain(|e| e.id.ends_with(".0"));
    if let stepwise_core::sync::protocol::EventKind::LineTyped {
        attempt_id, input, ..
    } = &mut intrusion[0].kind
    {
        *attempt_id = "ana-setup-attempt".into();
        *input = "x = 999".into();
    }
    let response: PushResponse = client
        .post(server.url("/v2/events"))
        .bearer_auth(&ben)
        .json(&batch(&intrusion))
        .send()
        .await
        .expect("push")
        .json()
        .await
        .expect("push response");
    assert_eq!(response.stored, 1);
    assert!(response.rejected.is_empty(), "{:?}", response.rejected);
    let teacher = login(&server, "ms.lee").await;
    let response = client
        .get(server.url(&format!("/v2/teacher/students/{ana}/attempts")))
        .bearer_auth(&teacher)
        .send()
        .await
        .expect("Ana's work");
    let body: Value = response.json().await.expect("Ana's work body");
    let work: StudentWork = serde_json::from_value(body.clone())
        .unwrap_or_else(|error| panic!("Ana's work: {error}: {body}"));
    let setup = work
        .attempts
        .iter()
        .find(|attempt| attempt.attempt_id == "ana-setup-attempt")
        .expect("Ana's setup attempt");
    let inputs: Vec<&str> = setup.lines.iter().map(|line| line.input.as_str()).collect();
    assert_eq!(inputs, ["3x = 15", "3x = 16"]);
    // Another student's event id is stored under Ben's own account, and
    // Ana's attempt stays hers alone.
    let mut stolen = attempt_events("ana-setup", &question_id(), 2, None);
    stolen.truncate(1);
    let response: PushResponse = client
        .post(server.url("/v2/events"))
        .bearer_auth(&ben)
        .json(&batch(&stolen))
        .send()
        .await
        .expect("push")
        .json()
        .await
        .expect("push response");
    assert_eq!(response.stored, 1);
    assert!(response.rejected.is_empty(), "{:?}", response.rejected);
}

#[tokio::test]
async fn authorisation_matrix_on_sqlite() {
    let dir = temp_dir();
    matrix(Backend::Sqlite(path(dir.path()))).await;
}

#[tokio::test]
async fn authorisation_matrix_on_postgres() {
    let Some(base) = postgres_url() else { return };
    matrix(Backend::Postgres(fresh_postgres(&base).await)).await;
}

#[tokio::test]
async fn login_is_rate_limited() {
    let dir = temp_dir();
    let backend = Backend::Sqlite(path(dir.path()));
    world(&backend);
    let server = Server::start_with(&backend, &["--logins-per-minute", "5"]);
    let mut statuses = Vec::new();
    for _ in 0..8 {
        let response = http()
            .post(server.url("/v2/login"))
            .json(&json!({ "username": "ana", "password": "wrong password" }))
            .send()
            .await
            .expect("login");
        statuses.push(response.status().as_u16());
    }
    assert_eq!(&statuses[..5], &[403; 5], "wrong passwords are refused");
    assert!(
        statuses[5..].iter().all(|s| *s == 429),
        "then the limit: {statuses:?}"
    );
}

/// Sends `body` with `content_type` to `path` and returns the status and
/// the `error` field of the JSON response.
async fn rejected(
    server: &Server,
    token: &str,
    method: reqwest::Method,
    path: &str,
    content_type: Option<&str>,
    body: &str,
) -> (u16, String) {
    let mut request = http()
        .request(method, server.url(path))
        .bearer_auth(token)
        .body(body.to_string());
    if let Some(content_type) = content_type {
        request = request.header("content-type", content_type);
    }
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    let text = response.text().await.expect("body");
    let value: Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{path}: response `{text}` is not JSON: {e}"));
    let error = value["error"]
        .as_str()
        .unwrap_or_else(|| panic!("{path}: no `error` string in {value}"))
        .to_string();
    (status, error)
}

#[tokio::test]
async fn malformed_requests_get_json_errors() {
    let dir = temp_dir();
    let backend = Backend::Sqlite(path(dir.path()));
    world(&backend);
    let server = Server::start(&backend);
    let token = login(&server, "ana").await;
    let json = Some("application/json");
    let post = reqwest::Method::POST;
    let cases = [
        (
            post.clone(),
            "/v2/events",
            json,
            "not json",
            400,
            "invalid request body",
        ),
        (
            post.clone(),
            "/v2/events",
            json,
            "{}",
            422,
            "missing field `groups`",
        ),
        (post.clone(), "/v2/events", None, "{}", 415, "Content-Type"),
        (
            post.clone(),
            "/v2/login",
            json,
            r#"{"username":"ana"}"#,
            422,
            "password",
        ),
        (
            post.clone(),
            "/v2/login",
            json,
            "[",
            400,
            "invalid request body",
        ),
        (
            reqwest::Method::GET,
            "/v2/events",
            None,
            "",
            405,
            "GET is not allowed",
        ),
        (
            reqwest::Method::GET,
            "/v2/nowhere",
            None,
            "",
            404,
            "no such path `/v2/nowhere`",
        ),
        (
            reqwest::Method::GET,
            "/",
            None,
            "",
            404,
            "the sync API is under /v2",
        ),
    ];
    for (method, route, content_type, body, status, expected) in cases {
        let (got, error) = rejected(&server, &token, method, route, content_type, body).await;
        assert_eq!(got, status, "{route} {body:?}: {error}");
        assert!(error.contains(expected), "{route} {body:?}: {error}");
    }
}
