//! The checker's work cap: every line of working, however hostile, draws
//! from one pool of work units for all its comparisons (its own check, the
//! error-carried-forward check and every buggy rewrite the diagnosis
//! tries), the final verdict from one more, and all of them from one pool
//! for the whole check. Work is counted in units, not timed; the `hostile`
//! benchmark prints the time.

use stepwise_core::check::{check_working, Rounding, Task, TaskKind, Verdict, CHECK_WORK};
use stepwise_core::maths::work::spent_on_this_thread;

mod hostile;

const KINDS: [TaskKind; 6] = TaskKind::ALL;

/// Checks `lines` and returns the work units spent.
fn work_of(kind: TaskKind, lines: &[&str]) -> u64 {
    let before = spent_on_this_thread();
    let report = check_working(&Task::new(kind), lines);
    assert_eq!(report.lines.len(), lines.len());
    spent_on_this_thread() - before
}

#[test]
fn fuzz_found_input_stays_under_cap() {
    for kind in KINDS {
        let work = work_of(kind, &hostile::FUZZ_FOUND);
        assert!(work <= CHECK_WORK, "{kind:?}: {work} units");
    }
}

#[test]
fn fuzz_found_line_is_wrong_without_diagnosis() {
    // The diagnosis runs out of work before it can name a slip, so the
    // line is marked wrong with the generic message.
    let report = check_working(&Task::new(TaskKind::Solve), &hostile::FUZZ_FOUND[..2]);
    assert_eq!(report.lines[1].verdict, Verdict::Wrong);
    assert_eq!(report.lines[1].diagnosis, None);
}

#[test]
fn generated_hostile_lines_stay_under_cap() {
    let mut generator = hostile::Lines::new(7);
    for case in 0..60 {
        let kind = KINDS[case % KINDS.len()];
        let working = generator.working(8, 400);
        let lines: Vec<&str> = working.iter().map(String::as_str).collect();
        let work = work_of(kind, &lines);
        assert!(work <= CHECK_WORK, "{kind:?} {lines:?}: {work} units");
    }
}

/// Writes a line of the shape the fuzzer found, `x = RRR…R = x/1r!`, with
/// `letters` letters; the fuzzer checked it against the question `6`. The
/// factorial of a letter sends the comparison to floating point, which
/// evaluated the whole product at every grid point for every diagnosis
/// candidate without charging any work, and took over 10 s under the
/// fuzzer's sanitiser.
fn numeric_line(letters: usize) -> String {
    format!("x = {}=x/1r! ", "R".repeat(letters))
}

#[test]
fn floating_point_comparison_is_charged_by_size() {
    let task = Task {
        unknowns: vec!["x".to_string()],
        ..Task::new(TaskKind::Solve)
    };
    let work = |letters: usize| {
        let line = numeric_line(letters);
        let before = spent_on_this_thread();
        let report = check_working(&task, &["6", &line]);
        assert_eq!(report.lines[1].verdict, Verdict::Wrong, "{line}");
        spent_on_this_thread() - before
    };
    let (short, long) = (work(4), work(60));
    // At the least, the 60-letter side is evaluated once at each of the
    // 601 grid points, 32 nodes a unit.
    assert!(long >= 60 * 601 / 32, "60 letters: {long} units");
    assert!(long > 2 * short, "4 letters: {short} units, 60: {long}");
    assert!(long <= CHECK_WORK, "60 letters: {long} units");
    let before = spent_on_this_thread();
    check_working(&task, &hostile::FUZZ_FOUND_NUMERIC);
    let found = spent_on_this_thread() - before;
    assert!(found <= CHECK_WORK, "the fuzz-found line: {found} units");
}

/// A working the fuzzer found: comparing solution sets read the sign of
/// every polynomial at every critical point, converting each to integer
/// coefficients anew, and charged one unit a polynomial however long its
/// coefficients and the point were. Under the fuzzer's sanitiser it took
/// from 1 s to 10 s on a loaded 2-core machine. Charged by size, the same
/// check counts about 60,000 units, against about 38,000 when only the
/// algebra around it was charged.
#[test]
fn set_comparison_is_charged_by_size() {
    let task = Task {
        rounding: Some(Rounding::SignificantFigures(3)),
        ..Task::new(TaskKind::Solve)
    };
    let before = spent_on_this_thread();
    let report = check_working(&task, &hostile::SET_READING_FOUND);
    let work = spent_on_this_thread() - before;
    assert_eq!(report.lines[2].verdict, Verdict::Follows);
    assert!(work >= 50_000, "{work} units");
    assert!(work <= CHECK_WORK, "{work} units");
}
