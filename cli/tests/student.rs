//! Drives `stepwise` as a student's scripts would: profiles, attempts,
//! progress, next, and the content cache against a loopback HTTP server.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Output};

const QUESTION: &str = "alg.linear.solve-both-sides/1/7";

fn stepwise(data: &Path, args: &[&str], pin: Option<&str>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_stepwise"));
    command
        .arg("--data")
        .arg(data)
        .args(args)
        .env_remove("STEPWISE_PIN");
    if let Some(pin) = pin {
        command.env("STEPWISE_PIN", pin);
    }
    command.output().expect("run stepwise")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn two_profiles_keep_work_apart() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let data = dir.path();
    assert!(stepwise(data, &["profiles", "add", "Ann"], None)
        .status
        .success());
    assert!(
        stepwise(data, &["profiles", "add", "Ben", "--pin"], Some("2468"))
            .status
            .success()
    );
    let list = stdout(&stepwise(data, &["profiles", "list"], None));
    assert_eq!(list, "Ann\nBen (PIN)\n");

    let right = stepwise(
        data,
        &[
            "--profile",
            "Ann",
            "attempt",
            QUESTION,
            "--",
            "4x + 5 = 33",
            "4x = 28",
            "x = 7",
        ],
        None,
    );
    assert!(right.status.success(), "{}", stderr(&right));
    assert!(
        stdout(&right).contains("\nFinal: correct\n"),
        "same final row as `check`: {}",
        stdout(&right)
    );
    let wrong = stepwise(
        data,
        &["attempt", "--profile", "Ann", QUESTION, "--", "x = 1"],
        None,
    );
    assert_eq!(wrong.status.code(), Some(1), "{}", stderr(&wrong));
    assert!(
        stdout(&wrong).contains("\nFinal: incorrect: "),
        "the final row gives the reason: {}",
        stdout(&wrong)
    );

    let ann = stdout(&stepwise(data, &["progress", "--profile", "Ann"], None));
    assert!(ann.contains("alg.linear.solve-both-sides"), "{ann}");
    assert!(ann.contains("events waiting to sync"), "{ann}");

    let locked = stepwise(data, &["progress", "--profile", "Ben"], None);
    assert_eq!(locked.status.code(), Some(2));
    assert!(stderr(&locked).contains("PIN"), "{}", stderr(&locked));
    let wrong_pin = stepwise(data, &["progress", "--profile", "Ben"], Some("1111"));
    assert!(
        stderr(&wrong_pin).contains("wrong PIN"),
        "{}",
        stderr(&wrong_pin)
    );
    let ben = stdout(&stepwise(
        data,
        &["progress", "--profile", "Ben"],
        Some("2468"),
    ));
    assert!(!ben.contains("alg.linear.solve-both-sides"), "{ben}");
    assert!(ben.contains("No attempts yet"), "{ben}");

    let next = stdout(&stepwise(
        data,
        &["next", "--profile", "Ann", "--limit", "3"],
        None,
    ));
    assert!(
        next.contains("alg.linear.solve-both-sides") && next.contains("weak"),
        "{next}"
    );

    let ambiguous = stepwise(data, &["progress"], None);
    assert!(
        stderr(&ambiguous).contains("--profile"),
        "{}",
        stderr(&ambiguous)
    );

    assert!(stepwise(data, &["profiles", "remove", "Ann"], None)
        .status
        .success());
    assert_eq!(
        stdout(&stepwise(data, &["profiles", "list"], None)),
        "Ben (PIN)\n"
    );
}

#[test]
fn attempt_rejects_bad_input() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let unknown = stepwise(dir.path(), &["attempt", "no.such/1/1", "--", "x = 1"], None);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        stderr(&unknown).contains("no.such/1/1"),
        "{}",
        stderr(&unknown)
    );
    let empty = stepwise(dir.path(), &["attempt", QUESTION], None);
    assert_eq!(empty.status.code(), Some(2));
    assert!(stderr(&empty).contains("no lines"), "{}", stderr(&empty));
}

#[test]
fn attempt_rejects_blank_lines() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let data = dir.path();
    let cases: [&[&str]; 3] = [&[""], &["   "], &["4x + 5 = 33", "", "x = 7"]];
    let expected_line = [1, 1, 2];
    for (lines, number) in cases.iter().zip(expected_line) {
        let mut args = vec!["attempt", QUESTION, "--"];
        args.extend_from_slice(lines);
        let output = stepwise(data, &args, None);
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{lines:?}: {err}");
        assert!(
            err.contains(&format!("line {number} of the working is blank")),
            "{lines:?}: {err}"
        );
        assert!(!err.contains("panicked"), "{err}");
    }
    let progress = stepwise(data, &["progress"], None);
    assert!(progress.status.success(), "{}", stderr(&progress));
    let progress = stdout(&progress);
    assert!(
        progress.contains("No attempts yet"),
        "nothing stored: {progress}"
    );
}

#[test]
fn attempt_question_id_errors_read_once() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let cases = [
        ("bogus", "expected three parts separated by `/`"),
        (
            "alg.linear.solve-both-sides/1/-1",
            "the seed is not a whole number below 2^64",
        ),
        (
            "alg.linear.solve-both-sides/9/7",
            "has no template version 9",
        ),
        ("no.such/1/1", "skill `no.such` not found"),
    ];
    for (id, reason) in cases {
        let output = stepwise(dir.path(), &["attempt", id, "--", "x = 1"], None);
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{id}: {err}");
        assert!(err.contains(reason), "{id}: {err}");
        assert_eq!(
            err.matches(id).count(),
            1,
            "{id} named more than once: {err}"
        );
        assert!(
            err.matches("such as").count() <= 1,
            "{id}: advice repeated: {err}"
        );
    }
}

#[test]
fn damaged_database_reported_as_damaged() {
    let dir = tempfile::tempdir().expect("temporary folder");
    assert!(stepwise(dir.path(), &["profiles", "add", "Ann"], None)
        .status
        .success());
    std::fs::write(dir.path().join("stepwise.db"), b"not a database\n").expect("write");
    let output = stepwise(dir.path(), &["progress"], None);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{err}");
    assert!(err.contains("is damaged"), "{err}");
    assert!(!err.contains("writable"), "misleading advice: {err}");
    assert!(!err.contains("panicked"), "{err}");
}

/// Serves `routes` over HTTP/1.1 on loopback for `requests` requests.
fn serve(routes: Vec<(String, Vec<u8>)>, requests: usize) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    std::thread::spawn(move || {
        for stream in listener.incoming().take(requests) {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            let mut request_line = String::new();
            reader.read_line(&mut request_line).expect("request line");
            loop {
                let mut header = String::new();
                if reader.read_line(&mut header).expect("header") <= 2 {
                    break;
                }
            }
            let path = request_line.split_whitespace().nth(1).unwrap_or("/");
            let body = routes
                .iter()
                .find(|(p, _)| p == path)
                .map(|(_, b)| b.clone());
            let (status, body) = match body {
                Some(body) => ("200 OK", body),
                None => ("404 Not Found", Vec::new()),
            };
            let head = format!(
                "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
            let _ = reader.read(&mut [0u8; 1]);
        }
    });
    base
}

#[test]
fn content_fetch_status_evict() {
    use sha2::{Digest, Sha256};

    let video: Vec<u8> = (0..50_000u32).map(|i| (i % 251) as u8).collect();
    let manifest = format!(
        r#"{{"lessons":[{{"id":"lesson-1","items":[{{"key":"video-1","url":"media/video-1","sha256":"{}","size":{}}}]}}]}}"#,
        hex::encode(Sha256::digest(&video)),
        video.len()
    );
    let base = serve(
        vec![
            ("/manifest.json".to_string(), manifest.into_bytes()),
            ("/media/video-1".to_string(), video.clone()),
        ],
        2,
    );
    let dir = tempfile::tempdir().expect("temporary folder");
    let data = dir.path();
    let manifest_url = format!("{base}/manifest.json");

    let fetched = stepwise(
        data,
        &["content", "fetch", "--manifest", &manifest_url],
        None,
    );
    assert!(fetched.status.success(), "{}", stderr(&fetched));
    assert_eq!(stdout(&fetched), "lesson-1: available offline\n");

    // The server is gone (it served its two requests); the cache answers alone.
    let status = stdout(&stepwise(data, &["content", "status"], None));
    assert!(
        status.contains("video-1") && status.contains("complete"),
        "{status}"
    );
    let stored = std::fs::read_dir(data.join("cache/items"))
        .expect("items folder")
        .count();
    assert_eq!(stored, 1);

    let evicted = stepwise(data, &["content", "evict", "video-1"], None);
    assert!(evicted.status.success(), "{}", stderr(&evicted));
    let status = stdout(&stepwise(data, &["content", "status"], None));
    assert!(status.contains("not downloaded"), "{status}");
    let unknown = stepwise(data, &["content", "evict", "nothing"], None);
    assert_eq!(unknown.status.code(), Some(2));
}
