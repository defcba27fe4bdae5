//! Times checking one line of working, over the peer corpus.
//!
//! Each case is a pair of lines (the line before, the new line) taken from
//! the shared corpus: STACK's equivalence pairs and reasoning steps,
//! KAS comparisons, the cognitive tutor's real student steps and mathsteps'
//! worked steps. The cases are written to `target/bench/cases.jsonl` so that
//! `bench/sympy_equiv.py` times the very same pairs through SymPy.
//!
//! Run: `cargo bench -p stepwise-core --bench check_line`.

use std::fs;
use std::path::PathBuf;
use std::time::Instant;

use serde_json::{json, Value};
use stepwise_core::check::{check_working, Task, TaskKind};
use stepwise_core::maths::work::spent_on_this_thread;

fn corpus_dir() -> PathBuf {
    std::env::var_os("STEPWISE_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus"))
        })
}

/// A pair of lines and the task that links them.
struct Case {
    source: String,
    statements: bool,
    before: String,
    after: String,
}

fn load_cases() -> Vec<Case> {
    let mut cases = Vec::new();
    let dir = corpus_dir();
    let files = [
        "stack-answertests.jsonl",
        "stack-equiv.jsonl",
        "kas.jsonl",
        "cogtutor-bugs.jsonl",
        "mathsteps.jsonl",
    ];
    for file in files {
        let path = dir.join(file);
        let Ok(text) = fs::read_to_string(&path) else {
            eprintln!(
                "corpus file {} not found; set STEPWISE_CORPUS to the corpus folder",
                path.display()
            );
            std::process::exit(2);
        };
        for row in text
            .lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        {
            let source = row["source"].as_str().unwrap_or("").to_string();
            let test = row["test"].as_str().unwrap_or("");
            let student = row["ours_student"].as_str().unwrap_or("");
            let teacher = row["ours_teacher"].as_str().unwrap_or("");
            if let Some(steps) = row["steps"].as_array() {
                let lines: Vec<&str> = steps
                    .iter()
                    .filter_map(|s| s["ours"].as_str())
                    .filter(|s| !s.is_empty())
                    .collect();
                for pair in lines.windows(2) {
                    let statements =
                        pair[0].contains('=') || pair[0].contains('<') || pair[0].contains('>');
                    cases.push(Case {
                        source: source.clone(),
                        statements,
                        before: pair[0].into(),
                        after: pair[1].into(),
                    });
                }
                continue;
            }
            let wanted = matches!(test, "AlgEquiv" | "compare" | "simplify" | "solve")
                || test.starts_with("bug:")
                || test.starts_with("rewrite:");
            if !wanted || student.is_empty() || teacher.is_empty() {
                continue;
            }
            let statements =
                teacher.contains('=') || teacher.contains('<') || teacher.contains('>');
            cases.push(Case {
                source,
                statements,
                before: teacher.into(),
                after: student.into(),
            });
        }
    }
    cases
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index]
}

fn main() {
    let cases = load_cases();
    let out_dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../target/bench"));
    let _ = fs::create_dir_all(&out_dir);
    let dump: Vec<String> = cases
        .iter()
        .map(|c| json!({"source": c.source, "before": c.before, "after": c.after, "statements": c.statements}).to_string())
        .collect();
    let _ = fs::write(out_dir.join("cases.jsonl"), dump.join("\n") + "\n");

    // One warm-up pass, then the timed pass: each case checked once.
    let mut timings = Vec::with_capacity(cases.len());
    let mut works: Vec<u64> = Vec::with_capacity(cases.len());
    let mut by_verdict: std::collections::BTreeMap<String, Vec<f64>> = Default::default();
    for pass in 0..2 {
        timings.clear();
        for case in &cases {
            let task = Task::new(if case.statements {
                TaskKind::Solve
            } else {
                TaskKind::Simplify
            });
            let lines = [case.before.as_str(), case.after.as_str()];
            let work_before = spent_on_this_thread();
            let start = Instant::now();
            let report = check_working(&task, &lines);
            let elapsed = start.elapsed().as_secs_f64() * 1e6;
            if pass == 1 {
                works.push(spent_on_this_thread() - work_before);
            }
            if pass == 1 {
                let verdict = report
                    .lines
                    .get(1)
                    .map_or("none".to_string(), |l| format!("{:?}", l.verdict));
                by_verdict.entry(verdict).or_default().push(elapsed);
            }
            std::hint::black_box(report);
            if pass == 1 {
                timings.push(elapsed);
            }
            if pass == 0 && elapsed > 20_000.0 {
                eprintln!(
                    "slow ({:.0} ms): {:?} -> {:?}",
                    elapsed / 1000.0,
                    case.before,
                    case.after
                );
            }
        }
    }
    let mut sorted = timings.clone();
    sorted.sort_by(|a, b| a.total_cmp(b));
    let total: f64 = timings.iter().sum();
    println!(
        "check one line: {} cases from {}",
        cases.len(),
        corpus_dir().display()
    );
    println!(
        "median {:.1} µs, p90 {:.1} µs, p99 {:.1} µs, max {:.1} µs, total {:.1} ms",
        percentile(&sorted, 0.5),
        percentile(&sorted, 0.9),
        percentile(&sorted, 0.99),
        sorted.last().copied().unwrap_or(0.0),
        total / 1000.0
    );
    works.sort_unstable();
    let work_at = |share: f64| works[((works.len() - 1) as f64 * share).round() as usize];
    println!(
        "work units a check: median {}, p99 {}, max {}",
        work_at(0.5),
        work_at(0.99),
        work_at(1.0)
    );
    for (verdict, mut times) in by_verdict {
        times.sort_by(|a, b| a.total_cmp(b));
        println!(
            "  {verdict:<11} {:>5} cases, median {:.1} µs, p99 {:.1} µs",
            times.len(),
            percentile(&times, 0.5),
            percentile(&times, 0.99)
        );
    }
    println!("cases written to {}", out_dir.join("cases.jsonl").display());
}
