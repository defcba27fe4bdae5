//! Times generating one question, template by template, over the built-in
//! skills.
//!
//! For every template it generates seeds `0..SEEDS` once as a warm-up, then
//! times each seed's `generate` call on its own (draw the parameters, check
//! the constraints, render the text, answer and model solution). It prints
//! the median and p99 a template, the slowest templates, and the median and
//! p99 over every timed question. Budget: under 10 µs median a question.
//!
//! Run: `cargo bench -p stepwise-core --bench generate` (set
//! `STEPWISE_BENCH_SEEDS` to change the seeds a template, default 1000, and
//! pass `--all` to print every template's row).

use std::hint::black_box;
use std::time::{Duration, Instant};

use stepwise_core::generate::builtin::builtin;
use stepwise_core::generate::generate;

/// Rows printed for the slowest templates without `--all`.
const SLOWEST_SHOWN: usize = 15;

fn percentile(sorted: &[Duration], share: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((sorted.len() - 1) as f64 * share).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

fn micros(duration: Duration) -> String {
    format!("{:.2} µs", duration.as_secs_f64() * 1e6)
}

fn main() {
    let seeds: u64 = std::env::var("STEPWISE_BENCH_SEEDS")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(1000);
    let show_all = std::env::args().any(|arg| arg == "--all");
    let skills = match builtin() {
        Ok(skills) => skills,
        Err(error) => {
            eprintln!("the built-in content failed to load: {error}");
            std::process::exit(2);
        }
    };

    let mut rows = Vec::new();
    let mut all = Vec::new();
    let mut failures = 0u64;
    for skill in &skills {
        for template in &skill.templates {
            for seed in 0..seeds {
                let _ = black_box(generate(skill, template.version, seed));
            }
            let mut times = Vec::with_capacity(seeds as usize);
            for seed in 0..seeds {
                let started = Instant::now();
                let result = black_box(generate(skill, template.version, seed));
                times.push(started.elapsed());
                if result.is_err() {
                    failures += 1;
                }
            }
            times.sort();
            rows.push((
                format!("{}/{}", skill.id, template.version),
                percentile(&times, 0.5),
                percentile(&times, 0.99),
            ));
            all.extend(times);
        }
    }
    all.sort();

    println!(
        "question generation: {} templates of {} skills, {seeds} seeds each, {} questions timed",
        rows.len(),
        skills.len(),
        all.len()
    );
    rows.sort_by_key(|row| std::cmp::Reverse(row.1));
    let shown = if show_all { rows.len() } else { SLOWEST_SHOWN };
    println!(
        "{:<50} {:>12} {:>12}",
        "template (slowest median first)", "median", "p99"
    );
    for (name, median, p99) in rows.iter().take(shown) {
        println!("{name:<50} {:>12} {:>12}", micros(*median), micros(*p99));
    }
    let medians: Vec<Duration> = {
        let mut medians: Vec<Duration> = rows.iter().map(|row| row.1).collect();
        medians.sort();
        medians
    };
    println!(
        "median of the template medians: {}; slowest template median: {}",
        micros(percentile(&medians, 0.5)),
        micros(medians.last().copied().unwrap_or_default())
    );
    println!(
        "all questions: median {}, p90 {}, p99 {}, max {}",
        micros(percentile(&all, 0.5)),
        micros(percentile(&all, 0.9)),
        micros(percentile(&all, 0.99)),
        micros(all.last().copied().unwrap_or_default())
    );
    if failures > 0 {
        println!("{failures} questions failed to generate; run `stepwise content lint`");
    }
    let budget = Duration::from_micros(10);
    let met = percentile(&all, 0.5) < budget;
    println!(
        "budget: under 10 µs median a question: {}",
        if met { "met" } else { "NOT met" }
    );
}
