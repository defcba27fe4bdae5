//! Kills a process that is writing attempts (SIGKILL, at random points, many
//! times) and checks that the database still opens, that no attempt is
//! half-written, and that everything the writer acknowledged is there.
//!
//! The writer is this test binary itself, run again with
//! [`CHILD_ENV`] set so that `crash_writer` does the writing. It prints
//! `ack line UUID N` and `ack finished UUID` after each commit.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use stepwise_core::check::{FinalVerdict, LineReport, Verdict};
use stepwise_core::store::attempts::{self, AttemptStatus, NewAttempt, StoredLine};
use stepwise_core::store::{drafts, profiles, ProfileId, Store};
use stepwise_core::sync::protocol::{Event, EventKind};

const CHILD_ENV: &str = "STEPWISE_CRASH_WRITER_DIR";
const LINES_PER_ATTEMPT: u32 = 3;
const ROUNDS: u32 = 40;
/// The writer stops by itself after this long, in case the parent died.
const WRITER_MAX: Duration = Duration::from_secs(20);

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

fn open_profile(store: &mut Store) -> ProfileId {
    if let Some(found) = profiles::find(store.connection(), "crash").expect("find profile") {
        return found.id;
    }
    let tx = store.transaction().expect("transaction");
    let id = profiles::add(&tx, "crash", None, now_ms()).expect("add profile");
    tx.commit().expect("commit");
    id
}

fn typed(position: u32) -> StoredLine {
    StoredLine {
        report: LineReport {
            input: format!("line {position}"),
            verdict: Verdict::Follows,
            diagnosis: None,
            message: String::new(),
            ecf: false,
        },
        typed_at_ms: now_ms(),
    }
}

/// The writer: puts aside a draft left by a kill, then writes attempts of
/// three lines each, one transaction per line, the last with the finish.
#[test]
fn crash_writer() {
    let Ok(dir) = std::env::var(CHILD_ENV) else {
        return;
    };
    let mut store = Store::open(Path::new(&dir)).expect("writer opens the store");
    let profile = open_profile(&mut store);
    if let Some(draft) = drafts::load(store.connection(), profile).expect("load draft") {
        let tx = store.transaction().expect("transaction");
        attempts::finish(
            &tx,
            profile,
            draft.id,
            AttemptStatus::Abandoned,
            None,
            now_ms(),
        )
        .expect("abandon draft");
        tx.commit().expect("commit");
    }

    let started = Instant::now();
    let mut seed = 0u64;
    while started.elapsed() < WRITER_MAX {
        seed += 1;
        let question = NewAttempt {
            question_id: format!("crash/1/{seed}"),
            skill_id: "crash".into(),
            question_text: "crash test".into(),
            start_line: "x = 1".into(),
            started_at_ms: now_ms(),
            assignment_id: None,
        };
        let tx = store.transaction().expect("transaction");
        let id = attempts::start(&tx, profile, &question).expect("start");
        attempts::add_line(&tx, profile, id, &typed(1)).expect("line 1");
        tx.commit().expect("commit");
        let uuid = attempts::load(store.connection(), profile, id)
            .expect("load")
            .uuid;
        println!("ack line {uuid} 1");

        for position in 2..=LINES_PER_ATTEMPT {
            let tx = store.transaction().expect("transaction");
            attempts::add_line(&tx, profile, id, &typed(position)).expect("line");
            if position == LINES_PER_ATTEMPT {
                attempts::finish(
                    &tx,
                    profile,
                    id,
                    AttemptStatus::Correct,
                    Some(FinalVerdict::Correct),
                    now_ms(),
                )
                .expect("finish");
            }
            tx.commit().expect("commit");
            println!("ack line {uuid} {position}");
        }
        println!("ack finished {uuid}");
    }
}

/// A small xorshift generator for the kill delays; the seed is printed.
struct Delays(u64);

impl Delays {
    fn next_ms(&mut self, max: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % max
    }
}

#[test]
fn killed_writer_loses_nothing() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let exe = std::env::current_exe().expect("test binary path");
    let seed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(1, |d| d.as_nanos() as u64)
        | 1;
    println!("kill delay seed {seed}");
    let mut delays = Delays(seed);

    // uuid -> highest line acknowledged; and the uuids acknowledged finished.
    let mut acked_lines: HashMap<String, u32> = HashMap::new();
    let mut acked_finished: Vec<String> = Vec::new();

    for round in 0..ROUNDS {
        let mut child = Command::new(&exe)
            .args(["crash_writer", "--exact", "--nocapture", "--test-threads=1"])
            .env(CHILD_ENV, dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn the writer");
        let stdout = child.stdout.take().expect("writer's stdout");
        let reader = std::thread::spawn(move || {
            BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
                .filter(|line| line.starts_with("ack "))
                .collect::<Vec<String>>()
        });

        // Start-up takes some milliseconds; most kills land mid-writing.
        std::thread::sleep(Duration::from_millis(5 + delays.next_ms(120)));
        child.kill().expect("SIGKILL the writer");
        child.wait().expect("reap the writer");
        let lines = reader.join().expect("reader thread");

        for line in lines {
            let words: Vec<&str> = line.split_whitespace().collect();
            match words.as_slice() {
                ["ack", "line", uuid, position] => {
                    let position: u32 = position.parse().expect("line number");
                    let entry = acked_lines.entry((*uuid).to_string()).or_default();
                    *entry = (*entry).max(position);
                }
                ["ack", "finished", uuid] => acked_finished.push((*uuid).to_string()),
                _ => panic!("round {round}: unexpected writer output `{line}`"),
            }
        }
        check_database(dir.path(), &acked_lines, &acked_finished, round);
    }
    println!(
        "{ROUNDS} kills; {} attempts acknowledged finished, {} with lines acknowledged",
        acked_finished.len(),
        acked_lines.len()
    );
    assert!(
        acked_finished.len() > ROUNDS as usize,
        "the writer finished too few attempts ({}) for the test to mean much",
        acked_finished.len()
    );
}

fn check_database(
    dir: &Path,
    acked_lines: &HashMap<String, u32>,
    acked_finished: &[String],
    round: u32,
) {
    let store = Store::open(dir).unwrap_or_else(|e| panic!("round {round}: open failed: {e}"));
    let conn = store.connection();
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |row| row.get(0))
        .expect("integrity check");
    assert_eq!(integrity, "ok", "round {round}");

    // Every attempt: lines 1..=k with no gap, finished ones complete, and
    // exactly one outbox event per start, line and finish.
    let mut statement = conn
        .prepare("SELECT id, uuid, status FROM attempts")
        .expect("prepare");
    let rows: Vec<(i64, String, String)> = statement
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    let mut events_by_attempt: HashMap<String, (u32, u32, u32)> = HashMap::new();
    let mut outbox = conn.prepare("SELECT event FROM outbox").expect("prepare");
    for json in outbox
        .query_map([], |row| row.get::<_, String>(0))
        .expect("query")
    {
        let event: Event = serde_json::from_str(&json.expect("row")).expect("event parses");
        let (attempt_id, slot) = match event.kind {
            EventKind::AttemptStarted { attempt_id, .. } => (attempt_id, 0),
            EventKind::LineTyped { attempt_id, .. } => (attempt_id, 1),
            EventKind::AttemptFinished { attempt_id, .. } => (attempt_id, 2),
            other => panic!("unexpected event {other:?}"),
        };
        let counts = events_by_attempt.entry(attempt_id).or_default();
        match slot {
            0 => counts.0 += 1,
            1 => counts.1 += 1,
            _ => counts.2 += 1,
        }
    }

    let mut positions = conn
        .prepare("SELECT position FROM attempt_lines WHERE attempt_id = ?1 ORDER BY position")
        .expect("prepare");
    let mut stored: HashMap<String, (u32, String)> = HashMap::new();
    for (id, uuid, status) in rows {
        let lines: Vec<u32> = positions
            .query_map([id], |row| row.get(0))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("positions");
        let count = lines.len() as u32;
        assert_eq!(
            lines,
            (1..=count).collect::<Vec<_>>(),
            "round {round}: gap in {uuid}"
        );
        assert!(
            count >= 1,
            "round {round}: attempt {uuid} without its first line"
        );
        if status == "correct" {
            assert_eq!(
                count, LINES_PER_ATTEMPT,
                "round {round}: finished {uuid} lacks lines"
            );
        }
        let finished = u32::from(status != "in_progress");
        let events = events_by_attempt.get(&uuid).copied().unwrap_or_default();
        assert_eq!(
            events,
            (1, count, finished),
            "round {round}: events of {uuid}"
        );
        stored.insert(uuid, (count, status));
    }

    for (uuid, position) in acked_lines {
        let Some((count, _)) = stored.get(uuid) else {
            panic!("round {round}: acknowledged attempt {uuid} is missing");
        };
        assert!(
            count >= position,
            "round {round}: {uuid} lost acknowledged line {position}"
        );
    }
    for uuid in acked_finished {
        assert_eq!(
            stored.get(uuid).map(|(_, status)| status.as_str()),
            Some("correct"),
            "round {round}: acknowledged finish of {uuid} is missing"
        );
    }
}
