//! Helpers for the integration tests: a real `stepwise-server` process on
//! loopback over SQLite or PostgreSQL, the admin commands, and an HTTP client.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde_json::Value;
use stepwise_core::sync::protocol::{encode_batch, Event, EventKind};

pub const BIN: &str = env!("CARGO_BIN_EXE_stepwise-server");

/// Where a test's server keeps its data.
#[derive(Debug, Clone)]
pub enum Backend {
    Sqlite(PathBuf),
    Postgres(String),
}

impl Backend {
    fn args(&self) -> Vec<String> {
        match self {
            Backend::Sqlite(dir) => vec!["--data-dir".into(), dir.display().to_string()],
            Backend::Postgres(url) => vec!["--database".into(), url.clone()],
        }
    }
}

/// The PostgreSQL cluster `tests/postgres.sh` started, or `None` when this
/// run has none. A run that promised one (`STEPWISE_REQUIRE_POSTGRES=1`)
/// fails here instead of skipping.
pub fn postgres_url() -> Option<String> {
    match std::env::var("STEPWISE_TEST_POSTGRES") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            if std::env::var("STEPWISE_REQUIRE_POSTGRES").as_deref() == Ok("1") {
                panic!("STEPWISE_REQUIRE_POSTGRES=1 but STEPWISE_TEST_POSTGRES is not set; run tests/postgres.sh");
            }
            eprintln!("skipped: no PostgreSQL (set STEPWISE_TEST_POSTGRES, tests/run does)");
            None
        }
    }
}

/// A fresh, empty database on the test cluster, for one test.
pub async fn fresh_postgres(base: &str) -> String {
    use sqlx::Connection;
    let name = format!("stepwise_{}", random_hex(8));
    let mut conn = sqlx::PgConnection::connect(base)
        .await
        .expect("connect to the test cluster");
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .expect("create a test database");
    let (prefix, _) = base.rsplit_once('/').expect("the URL names a database");
    format!("{prefix}/{name}")
}

pub fn random_hex(bytes: usize) -> String {
    use std::time::{SystemTime, UNIX_EPOCH};
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_nanos();
    let mixed = nanos ^ (u128::from(std::process::id()) << 64);
    format!("{mixed:032x}")[32 - bytes * 2..].to_string()
}

/// A running server; killed when dropped.
pub struct Server {
    pub child: Child,
    pub addr: String,
    pub backend: Backend,
}

impl Server {
    pub fn start(backend: &Backend) -> Server {
        Server::start_with(backend, &[])
    }

    pub fn start_with(backend: &Backend, extra: &[&str]) -> Server {
        Server::start_on(backend, "127.0.0.1:0", extra)
    }

    pub fn start_on(backend: &Backend, listen: &str, extra: &[&str]) -> Server {
        let mut child = Command::new(BIN)
            .args(backend.args())
            .args(["serve", "--listen", listen])
            .args(extra)
            .env("STEPWISE_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start stepwise-server");
        let stdout = child.stdout.take().expect("stdout is piped");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("read the listening line");
        let value: Value = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("the server printed `{line}` instead of its address: {e}"));
        let addr = value["listening"]
            .as_str()
            .expect("listening address")
            .to_string();
        Server {
            child,
            addr,
            backend: backend.clone(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// SIGTERM, then wait: the graceful path.
    pub fn stop(mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs an administration command and returns its JSON.
pub fn admin(backend: &Backend, args: &[&str]) -> Value {
    let output = Command::new(BIN)
        .args(backend.args())
        .args(args)
        .env("STEPWISE_LOG", "warn")
        .output()
        .expect("run stepwise-server");
    assert!(
        output.status.success(),
        "stepwise-server {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("admin commands print JSON")
}

pub const PASSWORD: &str = "correct horse battery";

/// A school with one teacher, one class of two students, a parent linked to
/// the first student, and a second school with its own teacher, student and
/// parent.
pub struct World {
    pub school: String,
    pub admin: String,
    pub teacher: String,
    pub class: String,
    pub students: Vec<String>,
    pub parent: String,
    pub link_code: String,
    pub other_school: String,
    pub other_teacher: String,
    pub other_class: String,
    pub other_student: String,
    pub other_parent: String,
    pub other_code: String,
}

pub fn user(backend: &Backend, school: &str, role: &str, username: &str) -> String {
    admin(
        backend,
        &[
            "user",
            "add",
            "--school",
            school,
            "--role",
            role,
            "--username",
            username,
            "--password",
            PASSWORD,
        ],
    )["user_id"]
        .as_str()
        .expect("user id")
        .to_string()
}

pub fn world(backend: &Backend) -> World {
    let id = |v: Value, key: &str| v[key].as_str().expect("id").to_string();
    let school = id(
        admin(backend, &["school", "create", "--name", "Hill School"]),
        "school_id",
    );
    let admin_user = user(backend, &school, "admin", "head");
    let teacher = user(backend, &school, "teacher", "ms.lee");
    let class = id(
        admin(
            backend,
            &[
                "class",
                "add",
                "--school",
                &school,
                "--name",
                "9B",
                "--teacher",
                &teacher,
            ],
        ),
        "class_id",
    );
    let students = vec![
        user(backend, &school, "student", "ana"),
        user(backend, &school, "student", "ben"),
    ];
    for s in &students {
        admin(
            backend,
            &["class", "enrol", "--class", &class, "--student", s],
        );
    }
    let parent = user(backend, &school, "parent", "ana.mum");
    let link_code = id(
        admin(backend, &["parent", "link-code", "--student", &students[0]]),
        "code",
    );

    let other_school = id(
        admin(backend, &["school", "create", "--name", "Vale School"]),
        "school_id",
    );
    let other_teacher = user(backend, &other_school, "teacher", "mr.kay");
    let other_class = id(
        admin(
            backend,
            &[
                "class",
                "add",
                "--school",
                &other_school,
                "--name",
                "7A",
                "--teacher",
                &other_teacher,
            ],
        ),
        "class_id",
    );
    let other_student = user(backend, &other_school, "student", "cai");
    admin(
        backend,
        &[
            "class",
            "enrol",
            "--class",
            &other_class,
            "--student",
            &other_student,
        ],
    );
    let other_parent = user(backend, &other_school, "parent", "cai.dad");
    let other_code = id(
        admin(
            backend,
            &["parent", "link-code", "--student", &other_student],
        ),
        "code",
    );
    World {
        school,
        admin: admin_user,
        teacher,
        class,
        students,
        parent,
        link_code,
        other_school,
        other_teacher,
        other_class,
        other_student,
        other_parent,
        other_code,
    }
}

pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .gzip(true)
        .build()
        .expect("client")
}

pub async fn login(server: &Server, username: &str) -> String {
    let response = http()
        .post(server.url("/v2/login"))
        .json(&serde_json::json!({ "username": username, "password": PASSWORD }))
        .send()
        .await
        .expect("login request");
    assert_eq!(response.status(), 200, "login of {username}");
    let body: Value = response.json().await.expect("login json");
    body["token"].as_str().expect("token").to_string()
}

/// A push request body for `events`, in the protocol's compact form.
pub fn batch(events: &[Event]) -> Value {
    serde_json::to_value(encode_batch(events)).expect("a batch serialises")
}

/// The events of one attempt at a real built-in question, `lines` lines
/// long, with ids made from the attempt id as the device store makes them.
pub fn attempt_events(
    prefix: &str,
    question_id: &str,
    lines: u32,
    assignment: Option<&str>,
) -> Vec<Event> {
    let attempt_id = format!("{prefix}-attempt");
    let mut events = vec![Event {
        id: format!("{attempt_id}.s"),
        at_ms: 1_700_000_000_000,
        kind: EventKind::AttemptStarted {
            attempt_id: attempt_id.clone(),
            question_id: question_id.to_string(),
            question_text: "Solve 3x + 5 = 20".into(),
            assignment_id: assignment.map(str::to_string),
        },
    }];
    for index in 0..lines {
        let wrong = index == 1;
        events.push(Event {
            id: format!("{attempt_id}.{index}"),
            at_ms: 1_700_000_000_000 + i64::from(index) * 1000 + 1000,
            kind: EventKind::LineTyped {
                attempt_id: attempt_id.clone(),
                index,
                input: format!("3x = {}", 15 + index),
                verdict: if wrong {
                    "wrong".into()
                } else {
                    "follows".into()
                },
                diagnosis: wrong.then(|| "sign_error".to_string()),
            },
        });
    }
    events.push(Event {
        id: format!("{attempt_id}.f"),
        at_ms: 1_700_000_100_000,
        kind: EventKind::AttemptFinished {
            attempt_id,
            outcome: "correct".into(),
            time_spent_ms: 60_000,
        },
    });
    events
}

/// A question id of the built-in pack.
pub fn question_id() -> String {
    let skills = stepwise_core::generate::builtin::builtin().expect("builtin pack");
    format!("{}/{}/42", skills[0].id, skills[0].templates[0].version)
}

pub fn temp_dir() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

pub fn path(dir: &Path) -> PathBuf {
    dir.to_path_buf()
}
