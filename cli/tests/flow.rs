//! The whole flow through the real `stepwise` and `stepwise-server`
//! binaries on loopback: the school's administration commands set up a
//! teacher, a class of two students and a parent; the teacher sets work;
//! each student, with their own data folder, receives it on `stepwise
//! sync`, works questions with `stepwise attempt` while the server is
//! unreachable, then syncs through a proxy that cuts every response and
//! syncs again; the teacher reads the summary and every line, watches a
//! student live and comments; the parent sees their own child only.
//!
//! The students reach the server through [`FaultProxy`], the teacher and
//! the parent directly.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use serde_json::Value;
use stepwise_core::generate::{builtin::builtin, generate};
use stepwise_core::store::{assignments, profiles, Store};

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

fn login(dir: &Path, url: &str, user: &str) -> Value {
    let output = stepwise(
        dir,
        &[
            "login",
            "--server",
            url,
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

/// What [`FaultProxy`] does with the connections it accepts.
const PASS: u8 = 0;
/// Closes each connection at once, as an unreachable server would.
const DOWN: u8 = 1;
/// Forwards each request whole but only the first [`CUT_AFTER`] bytes of
/// the server's response, then closes: the server has done the work, and
/// the client never hears of it.
const CUT: u8 = 2;
const CUT_AFTER: u64 = 20;

/// A TCP proxy on loopback in front of the server, whose behaviour the
/// test switches between [`PASS`], [`DOWN`] and [`CUT`]. The mode is read
/// when a connection is accepted, and every `stepwise` run opens new ones.
struct FaultProxy {
    url: String,
    mode: Arc<AtomicU8>,
}

impl FaultProxy {
    fn start(server: &Server) -> FaultProxy {
        let upstream = server
            .url
            .strip_prefix("http://")
            .expect("an http URL")
            .to_string();
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the proxy");
        let url = format!("http://{}", listener.local_addr().expect("proxy address"));
        let mode = Arc::new(AtomicU8::new(PASS));
        let shared = mode.clone();
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let mode = shared.load(Ordering::SeqCst);
                if mode == DOWN {
                    drop(client);
                    continue;
                }
                let Ok(server) = TcpStream::connect(&upstream) else {
                    continue;
                };
                relay(client, server, mode == CUT);
            }
        });
        FaultProxy { url, mode }
    }

    fn set(&self, mode: u8) {
        self.mode.store(mode, Ordering::SeqCst);
    }
}

/// Copies bytes both ways, one thread for each direction. With `cut`, stops
/// the server-to-client direction after [`CUT_AFTER`] bytes and closes both
/// connections.
fn relay(client: TcpStream, server: TcpStream, cut: bool) {
    let (mut client_read, mut server_write) = (
        client.try_clone().expect("clone"),
        server.try_clone().expect("clone"),
    );
    std::thread::spawn(move || {
        let _ = std::io::copy(&mut client_read, &mut server_write);
        let _ = server_write.shutdown(Shutdown::Write);
    });
    std::thread::spawn(move || {
        let (mut server_read, mut client_write) = (server, client);
        if cut {
            let _ = std::io::copy(&mut (&mut server_read).take(CUT_AFTER), &mut client_write);
            let _ = client_write.shutdown(Shutdown::Both);
            let _ = server_read.shutdown(Shutdown::Both);
        } else {
            let _ = std::io::copy(&mut server_read, &mut client_write);
            let _ = client_write.shutdown(Shutdown::Write);
        }
    });
}

/// Records a student's work on one question of the assignment with
/// `stepwise attempt`: a slip on the first line, then the model solution.
/// Returns the lines typed.
fn record_attempt(dir: &Path, seed: u64, assignment: &str) -> Vec<String> {
    let skills = builtin().expect("built-in skills");
    let skill = skills.iter().find(|s| s.id == SKILL).expect("the skill");
    let version = skill.templates[0].version;
    let question = generate(skill, version, seed).expect("question");
    let mut typed = vec!["x = 123456".to_string()];
    typed.extend(question.solution.iter().cloned());
    // Odd seeds leave out --assignment: the attempt should still count
    // toward the open assignment that wants this skill.
    let mut args = vec!["attempt".to_string(), question.id.to_string()];
    if seed % 2 == 0 {
        args.extend(["--assignment".to_string(), assignment.to_string()]);
    }
    args.extend(["--json".to_string(), "--".to_string()]);
    let output = Command::new(env!("CARGO_BIN_EXE_stepwise"))
        .arg("--data")
        .arg(dir)
        .args(&args)
        .args(&typed)
        .env("STEPWISE_LOG", "warn")
        .output()
        .expect("run stepwise attempt");
    assert!(
        output.status.success(),
        "stepwise attempt {}: {}",
        question.id,
        String::from_utf8_lossy(&output.stderr)
    );
    let recorded: Value = serde_json::from_slice(&output.stdout).expect("attempt JSON");
    assert_eq!(recorded["final"]["verdict"], "correct", "{recorded}");
    assert_eq!(recorded["assignment"], assignment, "{recorded}");
    typed
}

/// Runs `stepwise sync --json` with two tries a request; returns its output.
fn sync_quickly(dir: &Path) -> Output {
    stepwise(dir, &["sync", "--tries", "2", "--json"], "")
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
    let proxy = FaultProxy::start(&server);

    // Everyone logs in, the students through the proxy; the token file is
    // the owner's alone.
    assert_eq!(login(teacher_dir, &server.url, "ms.lee")["role"], "teacher");
    assert_eq!(login(ana_dir, &proxy.url, "ana")["role"], "student");
    assert_eq!(login(ben_dir, &proxy.url, "ben")["role"], "student");
    assert_eq!(login(parent_dir, &server.url, "ana.mum")["role"], "parent");
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
        // The device store keeps the work and the cursor for the profile.
        let store = Store::open(dir).expect("open the device store");
        let profile = profiles::list(store.connection()).expect("profiles")[0].id;
        let kept = assignments::list(store.connection(), profile).expect("assignments");
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].assignment.id, assignment);
        let cursors: Vec<i64> = store
            .connection()
            .prepare("SELECT cursor FROM sync_cursors WHERE profile_id = ?1")
            .expect("prepare")
            .query_map([profile.0], |row| row.get(0))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("cursors");
        assert_eq!(
            cursors,
            [again["pulled"]["cursor"].as_i64().expect("cursor")]
        );
    }

    // The network goes: each student works two questions with `stepwise
    // attempt`, and a sync fails without losing anything.
    proxy.set(DOWN);
    let mut typed = Vec::new();
    for (dir, seeds) in [(ana_dir, [11, 12]), (ben_dir, [21, 22])] {
        for seed in seeds {
            typed.push(record_attempt(dir, seed, &assignment));
        }
        let failed = sync_quickly(dir);
        assert!(!failed.status.success());
        let stderr = String::from_utf8_lossy(&failed.stderr);
        assert!(stderr.contains("failed to reach the server"), "{stderr}");
    }
    // Each attempt is its start, its lines and its end.
    let events =
        |attempts: &[Vec<String>]| attempts.iter().map(|lines| lines.len() + 2).sum::<usize>();
    let (ana_events, ben_events) = (events(&typed[..2]), events(&typed[2..]));

    // Ben's sync reaches the server, but every response is cut on the way
    // back: the server stores his work, and his device keeps it because no
    // response confirmed it.
    proxy.set(CUT);
    let failed = sync_quickly(ben_dir);
    assert!(!failed.status.success());
    proxy.set(PASS);
    let synced = json(ben_dir, &["sync"]);
    assert_eq!(synced["pushed"]["sent"], ben_events, "{synced}");
    assert_eq!(synced["pushed"]["acknowledged"], ben_events, "{synced}");
    assert_eq!(synced["pushed"]["repeated"], ben_events, "{synced}");
    assert_eq!(synced["pushed"]["stored"], 0, "{synced}");
    assert_eq!(json(ben_dir, &["sync"])["pushed"]["sent"], 0);

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
    let synced = json(ana_dir, &["sync"]);
    let pushed = Instant::now();
    assert_eq!(synced["pushed"]["stored"], ana_events, "{synced}");
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

    // Every attempt is on the server exactly once, with every line and
    // its verdict as the checker gave it.
    for (student, offline) in [(&ana, &typed[..2]), (&ben, &typed[2..])] {
        let work = json(teacher_dir, &["teacher", "working", "--student", student]);
        let attempts = work["attempts"].as_array().expect("attempts");
        assert_eq!(attempts.len(), 2, "{work}");
        let mut inputs: Vec<Vec<String>> = attempts
            .iter()
            .map(|attempt| {
                assert_eq!(attempt["outcome"], "correct", "{attempt}");
                let lines = attempt["lines"].as_array().expect("lines");
                assert_eq!(lines[0]["verdict"], "wrong");
                assert_eq!(lines.last().expect("a line")["verdict"], "follows");
                lines
                    .iter()
                    .map(|line| line["input"].as_str().expect("input").to_string())
                    .collect()
            })
            .collect();
        let mut expected = offline.to_vec();
        inputs.sort();
        expected.sort();
        assert_eq!(inputs, expected);
    }
    let work = json(teacher_dir, &["teacher", "working", "--student", &ana]);
    let attempts = work["attempts"].as_array().expect("attempts");
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

    // The pulled assignment is kept for `next`.
    let next = stepwise(ana_dir, &["next"], "");
    let next = String::from_utf8_lossy(&next.stdout);
    assert!(next.contains("assignment \"Equations\""), "{next}");

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
