//! The whole flow through the real `stepwise` and `stepwise-server`
//! binaries on loopback: the school's administration commands set up a
//! teacher, a class of two students and a parent; the teacher sets work;
//! each student, with their own data folder, works questions offline (the
//! checker's real verdicts), then syncs; the teacher reads the summary and
//! every line, watches a student live and comments; the parent sees their
//! own child only.
//!
//! FIXME: the students' work is pushed through the core's sync client from
//! an outbox the test fills, because the CLI's store writes no outbox yet;
//! when the device store lands, record it with `stepwise practice` and push
//! it with `stepwise sync` alone.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{mpsc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;
use stepwise_core::check::check_working;
use stepwise_core::generate::rng::Rng;
use stepwise_core::generate::{builtin::builtin, generate};
use stepwise_core::sync::backoff::RetryPolicy;
use stepwise_core::sync::client::SyncClient;
use stepwise_core::sync::outbox::Outbox;
use stepwise_core::sync::protocol::{Event, EventKind};

const PASSWORD: &str = "a long enough password";
const SKILL: &str = "alg.linear.solve-both-sides";

/// `stepwise-server`, built beside `stepwise` by `cargo test --workspace`
/// and `cargo nextest run --workspace`.
fn server_bin() -> PathBuf {
    let cli = Path::new(env!("CARGO_BIN_EXE_stepwise"));
    let server = cli.with_file_name(format!("stepwise-server{}", std::env::consts::EXE_SUFFIX));
    assert!(
        server.exists(),
        "{} is missing; build it with `cargo build -p stepwise-server` (the workspace test run does)",
        server.display()
    );
    server
}

fn admin(data: &Path, args: &[&str]) -> Value {
    let output = Command::new(server_bin())
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env("STEPWISE_LOG", "warn")
        .output()
        .expect("run stepwise-server");
    assert!(
        output.status.success(),
        "stepwise-server {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("admin commands print JSON")
}

fn id(value: &Value, key: &str) -> String {
    value[key]
        .as_str()
        .unwrap_or_else(|| panic!("no `{key}` in {value}"))
        .to_string()
}

/// A server on a free loopback port, killed when dropped.
struct Server {
    child: Child,
    url: String,
}

impl Server {
    fn start(data: &Path) -> Server {
        let mut child = Command::new(server_bin())
            .arg("--data-dir")
            .arg(data)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .env("STEPWISE_LOG", "warn")
            .stdout(Stdio::piped())
            .spawn()
            .expect("start stepwise-server");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("piped"))
            .read_line(&mut line)
            .expect("the listening line");
        let value: Value = serde_json::from_str(&line).expect("the listening line is JSON");
        Server {
            child,
            url: format!("http://{}", id(&value, "listening")),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn stepwise(dir: &Path, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_stepwise"))
        .args(args)
        .arg("--data")
        .arg(dir)
        .env("STEPWISE_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start stepwise");
    child
        .stdin
        .take()
        .expect("piped")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("stepwise runs")
}

/// Runs a `--json` command that must succeed and returns its JSON.
fn json(dir: &Path, args: &[&str]) -> Value {
    let mut with_json = args.to_vec();
    with_json.push("--json");
    let output = stepwise(dir, &with_json, "");
    assert!(
        output.status.success(),
        "stepwise {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "stepwise {args:?} printed `{}`: {e}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}

fn login(dir: &Path, server: &Server, user: &str) -> Value {
    let output = stepwise(
        dir,
        &[
            "login",
            "--server",
            &server.url,
            "--user",
            user,
            "--password-stdin",
            "--json",
        ],
        &format!("{PASSWORD}\n"),
    );
    assert!(
        output.status.success(),
        "login {user}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("login prints JSON")
}

/// The device's outbox as the store will keep it: events in order,
/// removed only when acknowledged.
#[derive(Default)]
struct TestOutbox(Mutex<Vec<(i64, Event)>>);

impl Outbox for TestOutbox {
    type Error = std::convert::Infallible;

    fn pending(&self, limit: usize) -> Result<Vec<(i64, Event)>, Self::Error> {
        let events = self.0.lock().expect("lock");
        Ok(events.iter().take(limit).cloned().collect())
    }

    fn acknowledge(&self, seqs: &[i64]) -> Result<(), Self::Error> {
        self.0
            .lock()
            .expect("lock")
            .retain(|(seq, _)| !seqs.contains(seq));
        Ok(())
    }
}

/// Records a student's offline work on one question: a slip on the first line, then
/// the model solution, each line checked by the real checker.
fn work_offline(student: &str, seed: u64, assignment: &str, outbox: &TestOutbox) {
    let skills = builtin().expect("built-in skills");
    let skill = skills.iter().find(|s| s.id == SKILL).expect("the skill");
    let version = skill.templates[0].version;
    let question = generate(skill, version, seed).expect("question");
    let mut typed = vec!["x = 123456".to_string()];
    typed.extend(question.solution.iter().cloned());
    let mut lines = vec![question.start.as_str()];
    lines.extend(typed.iter().map(String::as_str));
    let report = check_working(&question.check_task(), &lines);

    let attempt_id = format!("{student}-{seed}");
    let mut events = vec![EventKind::AttemptStarted {
        attempt_id: attempt_id.clone(),
        question_id: question.id.to_string(),
        question_text: format!("{} {}", question.text, question.start),
        assignment_id: Some(assignment.to_string()),
    }];
    // The report's first line is the question's own.
    for (index, line) in report.lines.iter().skip(1).enumerate() {
        events.push(EventKind::LineTyped {
            attempt_id: attempt_id.clone(),
            index: index as u32,
            input: line.input.clone(),
            verdict: serde_json::to_value(line.verdict)
                .expect("verdict")
                .as_str()
                .expect("a string")
                .to_string(),
            diagnosis: line.diagnosis.clone(),
        });
    }
    let outcome = serde_json::to_value(report.final_answer.verdict).expect("final");
    events.push(EventKind::AttemptFinished {
        attempt_id,
        outcome: outcome.as_str().expect("a string").to_string(),
        time_spent_ms: 90_000,
    });
    let mut queue = outbox.0.lock().expect("lock");
    for kind in events {
        let seq = queue.last().map_or(1, |(seq, _)| seq + 1);
        queue.push((
            seq,
            Event {
                id: format!("{student}-{seed}-{seq}"),
                at_ms: 1_700_000_000_000 + seq * 1000,
                kind,
            },
        ));
    }
}

/// Pushes the outbox with the token `stepwise login` saved.
fn push(dir: &Path, outbox: &TestOutbox) -> usize {
    let session: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("session.json")).expect("session file"),
    )
    .expect("session JSON");
    let client = SyncClient::new(
        &id(&session, "server"),
        Some(id(&session, "token")),
        RetryPolicy::default(),
    )
    .expect("client");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let report = runtime
        .block_on(client.push_outbox(outbox, &mut Rng::from_seed(7)))
        .expect("push");
    assert!(report.rejected.is_empty(), "{:?}", report.rejected);
    report.acknowledged
}

#[test]
fn cli_whole_flow_on_loopback() {
    let root = tempfile::tempdir().expect("temp dir");
    let data = root.path().join("server");
    let dirs: Vec<PathBuf> = ["teacher", "ana", "ben", "parent"]
        .iter()
        .map(|name| root.path().join(name))
        .collect();
    let (teacher_dir, ana_dir, ben_dir, parent_dir) = (&dirs[0], &dirs[1], &dirs[2], &dirs[3]);

    // The school's administrator sets everyone up.
    let school = id(
        &admin(&data, &["school", "create", "--name", "Hill School"]),
        "school_id",
    );
    let user = |role: &str, name: &str| {
        id(
            &admin(
                &data,
                &[
                    "user",
                    "add",
                    "--school",
                    &school,
                    "--role",
                    role,
                    "--username",
                    name,
                    "--password",
                    PASSWORD,
                ],
            ),
            "user_id",
        )
    };
    let teacher = user("teacher", "ms.lee");
    let ana = user("student", "ana");
    let ben = user("student", "ben");
    user("parent", "ana.mum");
    let class = id(
        &admin(
            &data,
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
    for student in [&ana, &ben] {
        admin(
            &data,
            &["class", "enrol", "--class", &class, "--student", student],
        );
    }
    let code = id(
        &admin(&data, &["parent", "link-code", "--student", &ana]),
        "code",
    );
    let server = Server::start(&data);

    // Everyone logs in; the token file is the owner's alone.
    assert_eq!(login(teacher_dir, &server, "ms.lee")["role"], "teacher");
    assert_eq!(login(ana_dir, &server, "ana")["role"], "student");
    assert_eq!(login(ben_dir, &server, "ben")["role"], "student");
    assert_eq!(login(parent_dir, &server, "ana.mum")["role"], "parent");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(ana_dir.join("session.json"))
            .expect("session file")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let wrong = stepwise(
        root.path(),
        &[
            "login",
            "--server",
            &server.url,
            "--user",
            "ana",
            "--password-stdin",
        ],
        "not the password\n",
    );
    assert_eq!(wrong.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("wrong user name or password"));

    // The teacher sets work to the class.
    let classes = json(teacher_dir, &["teacher", "classes"]);
    assert_eq!(classes["classes"][0]["class_id"], class.as_str());
    let set = json(
        teacher_dir,
        &[
            "teacher",
            "assign",
            "--class",
            &class,
            "--title",
            "Equations",
            "--skill",
            SKILL,
            "--questions",
            "3",
            "--due",
            "2099-01-31",
        ],
    );
    assert_eq!(set["students"], 2);
    let assignment = id(&set, "assignment_id");

    // Each student's sync brings the work down and keeps it.
    for dir in [ana_dir, ben_dir] {
        let synced = json(dir, &["sync"]);
        let pulled = &synced["pulled"]["assignments"];
        assert_eq!(pulled[0]["id"], assignment.as_str(), "{synced}");
        assert_eq!(pulled[0]["questions"], 3);
        assert!(synced["pulled"]["cursor"].as_i64().expect("cursor") > 0);
        let again = json(dir, &["sync"]);
        assert_eq!(again["pulled"]["assignments"], serde_json::json!([]));
        let inbox = std::fs::read_to_string(dir.join("inbox.json")).expect("inbox");
        assert!(inbox.contains(&assignment));
    }

    // Offline, each student works two questions; nothing has left the device.
    let ana_outbox = TestOutbox::default();
    let ben_outbox = TestOutbox::default();
    work_offline("ana", 11, &assignment, &ana_outbox);
    work_offline("ana", 12, &assignment, &ana_outbox);
    work_offline("ben", 21, &assignment, &ben_outbox);
    work_offline("ben", 22, &assignment, &ben_outbox);
    let ana_events = ana_outbox.0.lock().expect("lock").len();

    // The teacher watches Ana live: her first line shows within a second
    // of the server taking it.
    let mut watch = Command::new(env!("CARGO_BIN_EXE_stepwise"))
        .args([
            "teacher",
            "watch",
            "--student",
            &ana,
            "--lines",
            "1",
            "--seconds",
            "30",
            "--json",
            "--data",
        ])
        .arg(teacher_dir)
        .env("STEPWISE_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the watch");
    let mut opened = String::new();
    BufReader::new(watch.stderr.take().expect("piped"))
        .read_line(&mut opened)
        .expect("the watch opens");
    assert!(opened.starts_with("Watching"), "{opened}");
    let (lines_tx, lines_rx) = mpsc::channel();
    let stdout = watch.stdout.take().expect("piped");
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let line = line.expect("watch output");
            let _ = lines_tx.send((Instant::now(), line));
        }
    });
    assert_eq!(push(ana_dir, &ana_outbox), ana_events);
    let pushed = Instant::now();
    let (seen, line) = lines_rx
        .recv_timeout(Duration::from_secs(1))
        .expect("the teacher's live view shows a line within a second");
    assert!(seen.duration_since(pushed) < Duration::from_secs(1));
    let live: Value = serde_json::from_str(&line).expect("a live line is JSON");
    assert_eq!(live["student_id"], ana.as_str());
    assert_eq!(live["input"], "x = 123456");
    assert_eq!(live["verdict"], "wrong");
    assert!(watch.wait().expect("the watch ends").success());
    reader.join().expect("reader");
    assert!(ana_outbox.0.lock().expect("lock").is_empty());
    assert!(push(ben_dir, &ben_outbox) > 0);

    // The class summary counts both students' attempts.
    let summary = json(teacher_dir, &["teacher", "summary", "--class", &class]);
    let students = summary["classes"][0]["students"]
        .as_array()
        .expect("students");
    assert_eq!(students.len(), 2);
    for student in students {
        assert_eq!(student["attempts"], 2, "{student}");
        assert_eq!(student["finished"], 2, "{student}");
        assert_eq!(student["correct"], 2, "{student}");
    }

    // Every line with its verdict, as the checker gave it.
    let work = json(teacher_dir, &["teacher", "working", "--student", &ana]);
    let attempts = work["attempts"].as_array().expect("attempts");
    assert_eq!(attempts.len(), 2);
    for attempt in attempts {
        let lines = attempt["lines"].as_array().expect("lines");
        assert!(lines.len() >= 2);
        assert_eq!(lines[0]["verdict"], "wrong");
        assert_eq!(lines.last().expect("a line")["verdict"], "follows");
        assert_eq!(attempt["outcome"], "correct");
    }
    let human = stepwise(teacher_dir, &["teacher", "working", "--student", &ana], "");
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(
        text.contains("1. x = 123456") && text.contains("wrong"),
        "{text}"
    );

    // A comment on Ana's first line reaches her at her next sync.
    let attempt = id(&attempts[0], "attempt_id");
    json(
        teacher_dir,
        &[
            "teacher",
            "comment",
            "--attempt",
            &attempt,
            "--line",
            "1",
            "Check the last step",
        ],
    );
    let synced = json(ana_dir, &["sync"]);
    assert_eq!(
        synced["pulled"]["comments"][0]["text"],
        "Check the last step"
    );
    assert_eq!(synced["pulled"]["comments"][0]["line_index"], 0);

    // The parent links with the school's code and gets Ana's report alone.
    let linked = json(parent_dir, &["parent", "link", "--code", &code]);
    assert_eq!(linked["student_id"], ana.as_str());
    let report = json(parent_dir, &["parent", "report"]);
    let children = report["children"].as_array().expect("children");
    assert_eq!(children.len(), 1);
    assert_eq!(children[0]["student_id"], ana.as_str());
    assert_eq!(children[0]["attempts"], 2);
    assert_eq!(children[0]["due"][0]["title"], "Equations");
    assert_eq!(children[0]["due"][0]["done"], 2);
    assert!(!children[0]["recent_mistakes"]
        .as_array()
        .expect("mistakes")
        .is_empty());
    let other = stepwise(parent_dir, &["parent", "report", "--child", &ben], "");
    assert_eq!(other.status.code(), Some(2));
    assert!(!String::from_utf8_lossy(&other.stdout).contains("ben"));

    // Roles are checked: a student cannot use the teacher's commands.
    let denied = stepwise(ana_dir, &["teacher", "summary"], "");
    assert_eq!(denied.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&denied.stderr).contains("log in as a teacher"));

    // Logging out revokes the token: the saved copy no longer works.
    let session = std::fs::read_to_string(ben_dir.join("session.json")).expect("session");
    assert_eq!(json(ben_dir, &["logout"])["logged_out"], true);
    let after = stepwise(ben_dir, &["sync"], "");
    assert!(String::from_utf8_lossy(&after.stderr).contains("not logged in"));
    std::fs::write(ben_dir.join("session.json"), session).expect("restore the old token");
    let revoked = stepwise(ben_dir, &["sync"], "");
    assert_eq!(revoked.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&revoked.stderr).contains("log in again"));
}
