//! Hints from the student's own line: following the third-level hint (the
//! next line) again and again must reach a correct answer, with every line
//! accepted by the checker on the way.

use stepwise_core::check::{check_working, hint, FinalVerdict, HintLevel, Task, TaskKind, Verdict};

fn task(kind: TaskKind, unknowns: &[&str]) -> Task {
    let mut task = Task::new(kind);
    task.unknowns = unknowns.iter().map(|u| u.to_string()).collect();
    task
}

/// Follows the next-line hints from `start` and returns the lines typed.
#[track_caller]
fn solve_by_hints(task: &Task, start: &str) -> Vec<String> {
    let mut lines = vec![start.to_string()];
    for _ in 0..8 {
        let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        let report = check_working(task, &refs);
        if report.final_answer.verdict == FinalVerdict::Correct {
            return lines;
        }
        let next = hint(task, &refs, HintLevel::NextLine)
            .and_then(|h| h.next_line)
            .unwrap_or_else(|| panic!("no next line after {lines:?}: {report:#?}"));
        lines.push(next);
        let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        let report = check_working(task, &refs);
        let last = report.lines.last().expect("a line");
        assert!(
            matches!(last.verdict, Verdict::Follows | Verdict::Warning),
            "hinted line not accepted: {lines:?}: {report:#?}"
        );
    }
    panic!("no correct answer after following hints: {lines:?}");
}

#[test]
fn linear_equations_reach_the_answer() {
    let solve = task(TaskKind::Solve, &["x"]);
    for start in [
        "2x + 3 = 11",
        "5x - 7 = 2x + 8",
        "3(x + 2) = 21",
        "7 = 2x - 5",
        "x/4 + 1 = 3",
        "4 - 3x = 10",
    ] {
        let lines = solve_by_hints(&solve, start);
        assert!(lines.len() >= 2, "{lines:?}");
    }
}

#[test]
fn inequality_hint_turns_the_sign() {
    let solve = task(TaskKind::Solve, &["x"]);
    let lines = solve_by_hints(&solve, "-3x + 1 > 13");
    assert_eq!(
        lines.last().map(String::as_str),
        Some("x < -4"),
        "{lines:?}"
    );
}

#[test]
fn quadratics_reach_the_roots() {
    let solve = task(TaskKind::Solve, &["x"]);
    for start in [
        "x^2 + 5x + 6 = 0",
        "x^2 = 49",
        "x^2 - x = 12",
        "2x^2 + 7x + 3 = 0",
    ] {
        solve_by_hints(&solve, start);
    }
}

#[test]
fn expanding_and_factorising() {
    for start in ["(x + 2)(x + 3)", "3(2x - 5)", "(2x - 1)^2"] {
        solve_by_hints(&task(TaskKind::Expand, &[]), start);
    }
    for start in ["x^2 + 5x + 6", "x^2 - 9", "6x^2 + 9x", "2x^2 + 7x + 3"] {
        solve_by_hints(&task(TaskKind::Factorise, &[]), start);
    }
}

#[test]
fn fractions_get_a_common_denominator() {
    let lines = solve_by_hints(&task(TaskKind::Evaluate, &[]), "1/4 + 2/3");
    assert_eq!(lines[1], "3/12 + 8/12", "{lines:?}");
}

#[test]
fn simultaneous_equations_reach_both_values() {
    let solve = task(TaskKind::Solve, &["x", "y"]);
    for start in [
        "x + y = 5, x - y = 1",
        "2x + 3y = 12, x + y = 5",
        "3x + 2y = 16, 2x - y = 6",
    ] {
        solve_by_hints(&solve, start);
    }
}

#[test]
fn hint_levels_escalate() {
    let solve = task(TaskKind::Solve, &["x"]);
    let lines = ["2x + 3 = 11"];
    let nudge = hint(&solve, &lines, HintLevel::Nudge).expect("nudge");
    let step = hint(&solve, &lines, HintLevel::NextStep).expect("step");
    let next = hint(&solve, &lines, HintLevel::NextLine).expect("next line");
    assert!(nudge.next_line.is_none() && step.next_line.is_none());
    assert_eq!(step.text, "subtract 3 from both sides");
    assert_eq!(next.next_line.as_deref(), Some("2x = 8"));
}

#[test]
fn hint_after_a_wrong_line_works_from_the_last_right_one() {
    let solve = task(TaskKind::Solve, &["x"]);
    let lines = ["2x + 3 = 11", "2x = 14"];
    let nudge = hint(&solve, &lines, HintLevel::Nudge).expect("nudge");
    assert!(
        nudge.text.starts_with("line 2 has a mistake"),
        "{}",
        nudge.text
    );
    let next = hint(&solve, &lines, HintLevel::NextLine).expect("next line");
    assert_eq!(next.next_line.as_deref(), Some("2x = 8"));
}
