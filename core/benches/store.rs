//! Times the device store: opening the database and listing the next work
//! with 10,000 attempts stored (budget: under 20 ms), and storing one typed
//! line (one transaction with its outbox event).
//!
//! Run: `cargo bench -p stepwise-core --bench store`

use std::time::{Duration, Instant};

use stepwise_core::check::{FinalVerdict, LineReport, Verdict};
use stepwise_core::store::attempts::{self, AttemptStatus, NewAttempt, StoredLine};
use stepwise_core::store::{assignments, profiles, progress, Store};
use stepwise_core::sync::protocol::Assignment;

const ATTEMPTS: u64 = 10_000;
const LINES_PER_ATTEMPT: u32 = 4;
const SKILLS: u64 = 40;
const T0: i64 = 1_700_000_000_000;

fn line(input: String, at: i64) -> StoredLine {
    StoredLine {
        report: LineReport {
            input,
            verdict: Verdict::Follows,
            diagnosis: None,
            message: "this follows".into(),
            ecf: false,
        },
        typed_at_ms: at,
    }
}

fn percentile(sorted: &[Duration], fraction: f64) -> Duration {
    let index = ((sorted.len() - 1) as f64 * fraction).round() as usize;
    sorted[index]
}

fn report(name: &str, mut samples: Vec<Duration>) {
    samples.sort();
    println!(
        "{name}: n={} median={:?} p95={:?} max={:?}",
        samples.len(),
        percentile(&samples, 0.5),
        percentile(&samples, 0.95),
        samples[samples.len() - 1]
    );
}

fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| {
            l.strip_prefix("model name")
                .map(|m| m.trim_start_matches([' ', '\t', ':']).to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!("{model}, {cores} cores, {}", std::env::consts::OS)
}

fn main() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let skills: Vec<String> = (0..SKILLS).map(|i| format!("skill.{i:02}")).collect();
    let known: Vec<&str> = skills.iter().map(String::as_str).collect();

    let mut store = Store::open(dir.path()).expect("open");
    let tx = store.transaction().expect("transaction");
    let profile = profiles::add(&tx, "bench", None, T0).expect("profile");
    let other = profiles::add(&tx, "other", None, T0).expect("profile");
    for (index, owner) in [(0u64, profile), (1, other)] {
        let assignment = Assignment {
            id: format!("hw{index}"),
            title: "Homework".into(),
            skills: vec![skills[index as usize].clone(), skills[5].clone()],
            questions: 5,
            videos: vec![],
            due_ms: Some(T0 + 86_400_000),
            cancelled: false,
        };
        assignments::receive(&tx, owner, &assignment, T0).expect("assignment");
    }
    for seed in 0..ATTEMPTS {
        // Half the attempts belong to each profile, so the filters matter.
        let owner = if seed % 2 == 0 { profile } else { other };
        let skill = &skills[(seed % SKILLS) as usize];
        let at = T0 + seed as i64 * 60_000;
        let question = NewAttempt {
            question_id: format!("{skill}/1/{seed}"),
            skill_id: skill.clone(),
            question_text: "Solve the equation.".into(),
            start_line: "7x + 5 = 3x + 33".into(),
            started_at_ms: at,
            assignment_id: (seed % 7 == 0).then(|| "hw0".to_string()),
        };
        let lines: Vec<StoredLine> = (0..LINES_PER_ATTEMPT)
            .map(|n| line(format!("line {n} of {seed}"), at + i64::from(n) * 1_000))
            .collect();
        let correct = seed % 3 != 0;
        let (status, verdict) = if correct {
            (AttemptStatus::Correct, FinalVerdict::Correct)
        } else {
            (AttemptStatus::Skipped, FinalVerdict::Incorrect)
        };
        attempts::record_complete(
            &tx,
            owner,
            &question,
            &lines,
            status,
            Some(verdict),
            at + 30_000,
        )
        .expect("attempt");
    }
    tx.commit().expect("commit");
    drop(store);
    let size = std::fs::metadata(dir.path().join("stepwise.db")).map_or(0, |m| m.len());

    println!("machine: {}", machine());
    println!("command: cargo bench -p stepwise-core --bench store");
    println!(
        "database: {ATTEMPTS} attempts x {LINES_PER_ATTEMPT} lines over 2 profiles and {SKILLS} skills, {size} bytes (plus WAL)"
    );

    let mut open_and_next = Vec::new();
    for _ in 0..100 {
        let started = Instant::now();
        let store = Store::open(dir.path()).expect("open");
        let id = profiles::unlock(store.connection(), "bench", None, 0).expect("unlock");
        let next = progress::next(store.connection(), id, T0 + 400 * 86_400_000, &known, 10)
            .expect("next");
        open_and_next.push(started.elapsed());
        assert_eq!(next.len(), 10);
    }
    report("open database + list next work (10 items)", open_and_next);

    let mut store = Store::open(dir.path()).expect("open");
    let tx = store.transaction().expect("transaction");
    let draft = attempts::start(
        &tx,
        profile,
        &NewAttempt {
            question_id: "skill.00/1/99999".into(),
            skill_id: "skill.00".into(),
            question_text: "Solve the equation.".into(),
            start_line: "x = 1".into(),
            started_at_ms: T0,
            assignment_id: None,
        },
    )
    .expect("draft");
    tx.commit().expect("commit");
    let mut store_line = Vec::new();
    for n in 0..1_000 {
        let started = Instant::now();
        let tx = store.transaction().expect("transaction");
        attempts::add_line(&tx, profile, draft, &line(format!("line {n}"), T0 + n)).expect("line");
        tx.commit().expect("commit");
        store_line.push(started.elapsed());
    }
    report(
        "store one line (transaction + outbox event, synchronous=NORMAL)",
        store_line,
    );
}
