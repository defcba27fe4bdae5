//! Times the checker on hostile working: the slow inputs the fuzzer found,
//! under every task kind, and generated lines with high powers, deep
//! brackets and long products (up to 8 lines of 400 characters, as the
//! fuzz target feeds them). Prints the time and work units a check, and the
//! slowest input. Budget: every check well under 100 ms in a release build.
//!
//! Run: `cargo bench -p stepwise-core --bench hostile`. Set
//! `STEPWISE_BENCH_CASES` to change how many generated workings are checked
//! (default 600), and `STEPWISE_BENCH_TRACE` to print each one before it is
//! checked.

use std::time::Instant;

use stepwise_core::check::{check_working, Task, TaskKind};
use stepwise_core::maths::work::spent_on_this_thread;

#[path = "../tests/hostile/mod.rs"]
mod hostile;

const KINDS: [TaskKind; 6] = TaskKind::ALL;

fn percentile(sorted: &[f64], share: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * share).round() as usize]
}

/// Checks `lines` once and returns (milliseconds, work units).
fn time_check(kind: TaskKind, lines: &[&str]) -> (f64, u64) {
    let task = Task::new(kind);
    let work_before = spent_on_this_thread();
    let start = Instant::now();
    let report = check_working(&task, lines);
    let elapsed = start.elapsed().as_secs_f64() * 1e3;
    std::hint::black_box(report);
    (elapsed, spent_on_this_thread() - work_before)
}

fn main() {
    println!("fuzz-found input {:?}:", hostile::FUZZ_FOUND);
    for kind in KINDS {
        let (ms, work) = time_check(kind, &hostile::FUZZ_FOUND);
        println!("  {kind:<10?} {ms:>8.2} ms {work:>10} work units");
    }

    let task = Task {
        unknowns: vec!["x".to_string()],
        ..Task::new(TaskKind::Solve)
    };
    let start = Instant::now();
    let work_before = spent_on_this_thread();
    std::hint::black_box(check_working(&task, &hostile::FUZZ_FOUND_NUMERIC));
    println!(
        "fuzz-found floating-point input {:?}, solve for x:\n  {:.2} ms {} work units",
        hostile::FUZZ_FOUND_NUMERIC,
        start.elapsed().as_secs_f64() * 1e3,
        spent_on_this_thread() - work_before
    );

    println!("set-reading input {:?}:", hostile::SET_READING_FOUND);
    for kind in KINDS {
        let (ms, work) = time_check(kind, &hostile::SET_READING_FOUND);
        println!("  {kind:<10?} {ms:>8.2} ms {work:>10} work units");
    }

    let cases: u64 = std::env::var("STEPWISE_BENCH_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(600);
    let mut generator = hostile::Lines::new(2026);
    let mut times = Vec::new();
    let mut works = Vec::new();
    let mut slowest: (f64, u64, TaskKind, Vec<String>) = (0.0, 0, TaskKind::Solve, Vec::new());
    for case in 0..cases {
        let kind = KINDS[case as usize % KINDS.len()];
        let working = generator.working(8, 400);
        let lines: Vec<&str> = working.iter().map(String::as_str).collect();
        if std::env::var_os("STEPWISE_BENCH_TRACE").is_some() {
            eprintln!("case {case}: {kind:?} {lines:?}");
        }
        let (ms, work) = time_check(kind, &lines);
        if ms > slowest.0 {
            slowest = (ms, work, kind, working.clone());
        }
        times.push(ms);
        works.push(work as f64);
    }
    times.sort_by(f64::total_cmp);
    works.sort_by(f64::total_cmp);
    println!("{cases} generated workings (seed 2026), one check each:");
    println!(
        "  time: median {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        percentile(&times, 0.5),
        percentile(&times, 0.99),
        percentile(&times, 1.0)
    );
    println!(
        "  work: median {:.0}, p99 {:.0}, max {:.0} units",
        percentile(&works, 0.5),
        percentile(&works, 0.99),
        percentile(&works, 1.0)
    );
    println!(
        "  slowest: {:.2} ms, {} units, {:?} {:?}",
        slowest.0, slowest.1, slowest.2, slowest.3
    );
}
