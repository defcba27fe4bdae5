//! Line verdicts, diagnoses and final verdicts on real working.
//!
//! Each case is one line: the task, the lines typed (the first is the
//! question), the expected verdict letters (S start, F follows, W warning,
//! X wrong, U unreadable, with `*` after a letter for error carried
//! forward), and the final verdict.

use stepwise_core::check::{check_working, FinalVerdict, Rounding, Task, TaskKind, Verdict};

fn task(kind: &str) -> Task {
    let (kind, rest) = kind.split_once(' ').unwrap_or((kind, ""));
    let mut task = Task::new(match kind {
        "solve" => TaskKind::Solve,
        "simplify" => TaskKind::Simplify,
        "expand" => TaskKind::Expand,
        "factorise" => TaskKind::Factorise,
        "evaluate" => TaskKind::Evaluate,
        "rearrange" => TaskKind::Rearrange,
        other => panic!("unknown task {other}"),
    });
    for option in rest.split_whitespace() {
        if let Some(n) = option.strip_prefix("dp=") {
            task.rounding = Some(Rounding::DecimalPlaces(n.parse().expect("number")));
        } else if let Some(n) = option.strip_prefix("sf=") {
            task.rounding = Some(Rounding::SignificantFigures(n.parse().expect("number")));
        } else if let Some(v) = option.strip_prefix("for=") {
            task.unknowns = v.split(',').map(str::to_string).collect();
        }
    }
    task
}

fn letters(report: &stepwise_core::check::Report) -> String {
    report
        .lines
        .iter()
        .map(|l| {
            let letter = match l.verdict {
                Verdict::Start => "S",
                Verdict::Follows => "F",
                Verdict::Warning => "W",
                Verdict::Wrong => "X",
                Verdict::Unreadable => "U",
            };
            if l.ecf {
                format!("{letter}*")
            } else {
                letter.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[track_caller]
fn check(kind: &str, lines: &[&str], verdicts: &str, final_verdict: FinalVerdict) {
    let report = check_working(&task(kind), lines);
    let got = letters(&report);
    assert_eq!(got, verdicts, "verdicts for {lines:?}: {report:#?}");
    assert_eq!(
        report.final_answer.verdict, final_verdict,
        "final for {lines:?}: {report:#?}"
    );
}

#[track_caller]
fn diagnosis(kind: &str, lines: &[&str], expected: &str) {
    let report = check_working(&task(kind), lines);
    let last = report.lines.last().expect("lines");
    assert_eq!(last.verdict, Verdict::Wrong, "{lines:?}: {report:#?}");
    assert_eq!(
        last.diagnosis.as_deref(),
        Some(expected),
        "{lines:?}: {report:#?}"
    );
}

use FinalVerdict::{Correct, Incorrect, Unfinished, WrongForm};

#[test]
fn linear_equations() {
    check(
        "solve for=x",
        &["2x + 3 = 7", "2x = 4", "x = 2"],
        "S F F",
        Correct,
    );
    check(
        "solve for=x",
        &["5x - 7 = 2x + 8", "3x - 7 = 8", "3x = 15", "x = 5"],
        "S F F F",
        Correct,
    );
    check(
        "solve for=x",
        &["3(x + 2) = 21", "3x + 6 = 21", "3x = 15", "x = 5"],
        "S F F F",
        Correct,
    );
    check("solve for=x", &["2x + 3 = 7", "2x = 4"], "S F", Unfinished);
    check(
        "solve for=x",
        &["2x + 3 = 7", "2x = 10", "x = 5"],
        "S X F*",
        Incorrect,
    );
    check(
        "solve for=x",
        &["2x + 3 = 7", "2x = 10", "2x = 4", "x = 2"],
        "S X F F",
        Correct,
    );
    check(
        "solve for=x",
        &["x/4 - 1 = 2", "x/4 = 3", "x = 12"],
        "S F F",
        Correct,
    );
    check("solve for=x", &["4x = 6", "x = 6/4"], "S F", WrongForm);
    check("solve for=x", &["4x = 6", "x = 3/2"], "S F", Correct);
    check("solve for=x", &["4x = 6", "x = 1.5"], "S F", Correct);
    check("solve for=x", &["2x + 3 = 7", "2"], "S F", Correct);
    check(
        "solve for=x",
        &["2x + 3 = 7", "2x = 4", "2x = 4"],
        "S F W",
        Unfinished,
    );
}

#[test]
fn unreadable_lines_are_skipped() {
    check(
        "solve for=x",
        &["2x + 3 = 7", "2x = (4", "2x = 4", "x = 2"],
        "S U F F",
        Correct,
    );
}

#[test]
fn only_unreadable_lines_named_in_final() {
    let lines = ["2x + 3 = 11", "2x = (8", "x = (4"];
    check("solve for=x", &lines, "S U U", Unfinished);
    let report = check_working(&task("solve for=x"), &lines);
    let message = &report.final_answer.message;
    assert!(message.contains("could not be read"), "{message}");
    assert!(
        message.contains("`2x = (8`"),
        "names the first line: {message}"
    );
    assert!(message.contains("missing closing bracket"), "{message}");
    assert!(!message.contains("no working yet"), "{message}");
}

#[test]
fn question_dividing_by_zero_rejected() {
    let lines = ["x/0 = 1", "x = 0"];
    check("solve for=x", &lines, "U U", Unfinished);
    let report = check_working(&task("solve for=x"), &lines);
    assert!(
        report.lines[0].message.contains("division by zero"),
        "the question line carries the error: {report:#?}"
    );
    assert!(
        !report.lines[1].message.contains("division by zero"),
        "the student's line does not: {report:#?}"
    );
    assert!(
        report.lines[1]
            .message
            .contains("question line has an error"),
        "{report:#?}"
    );
    assert!(
        report.final_answer.message.contains("division by zero"),
        "{report:#?}"
    );
    // A division that is zero only for some values of x is a fine question.
    check("solve for=x", &["1/(x - 2) = 1", "x = 3"], "S F", Correct);
}

#[test]
fn no_working_yet_when_nothing_typed() {
    let report = check_working(&task("solve for=x"), &["2x + 3 = 11"]);
    assert_eq!(report.final_answer.verdict, Unfinished);
    assert!(
        report.final_answer.message.contains("no working yet"),
        "{}",
        report.final_answer.message
    );
}

#[test]
fn quadratics_and_lost_roots() {
    check(
        "solve for=x",
        &["x^2 = 49", "x = 7 or x = -7"],
        "S F",
        Correct,
    );
    check("solve for=x", &["x^2 = 49", "x = ±7"], "S F", Correct);
    check(
        "solve for=x",
        &["x^2 + x - 6 = 0", "(x + 3)(x - 2) = 0", "x = -3 or x = 2"],
        "S F F",
        Correct,
    );
    check(
        "solve for=x",
        &["x^2 + x - 6 = 0", "x = -3, x = 2"],
        "S F",
        Correct,
    );
    check("solve for=x", &["x^3 = 8", "x = 2"], "S F", Correct);
    diagnosis(
        "solve for=x",
        &["x^2 = 49", "x = 7"],
        "missing-negative-root",
    );
    diagnosis("solve for=x", &["x^2 = 6x", "x = 6"], "divided-by-variable");
    diagnosis(
        "solve for=x",
        &["x(x + 4) = 12", "x = 12 or x + 4 = 12"],
        "zero-product-without-zero",
    );
}

#[test]
fn lost_negative_root_names_value() {
    let cases = [
        (["x^2 = 49", "x = 7"], "-7 is a solution too"),
        (["4x^2 = 9", "x = 3/2"], "-3/2 is a solution too"),
    ];
    for (lines, expected) in cases {
        let report = check_working(&task("solve for=x"), &lines);
        let last = report.lines.last().expect("lines");
        assert_eq!(
            last.diagnosis.as_deref(),
            Some("missing-negative-root"),
            "{report:#?}"
        );
        assert!(last.message.contains(expected), "{}", last.message);
        assert!(!last.message.ends_with('±'), "{}", last.message);
    }
}

#[test]
fn inequalities() {
    check("solve for=x", &["-3x > 12", "x < -4"], "S F", Correct);
    check(
        "solve for=x",
        &["2x + 1 < 7", "2x < 6", "x < 3"],
        "S F F",
        Correct,
    );
    check(
        "solve for=x",
        &["-2 <= 2x + 1 < 5", "-3 <= 2x < 4", "-3/2 <= x < 2"],
        "S F F",
        Correct,
    );
    diagnosis(
        "solve for=x",
        &["-3x > 12", "x > -4"],
        "inequality-not-reversed",
    );
}

#[test]
fn equation_misconceptions() {
    diagnosis(
        "solve for=x",
        &["5x - 7 = 2x + 8", "5x - 2x = 8 - 7"],
        "sign-not-changed-moving-term",
    );
    diagnosis(
        "solve for=x",
        &["4x + 8 = 20", "x + 8 = 5"],
        "divided-one-term",
    );
    diagnosis("solve for=x", &["x/4 = 3", "x = 3/4"], "inverse-operation");
    diagnosis(
        "solve for=x",
        &["2(x + 4) = 14", "2x + 4 = 14"],
        "first-term-only",
    );
}

#[test]
fn multiplied_one_term_named() {
    diagnosis(
        "solve for=x",
        &["x/2 + 3 = 7", "x + 3 = 14"],
        "multiplied-one-term",
    );
    diagnosis(
        "solve for=x",
        &["x/3 - 2 = 5", "x - 2 = 15"],
        "multiplied-one-term",
    );
}

#[track_caller]
fn no_diagnosis(kind: &str, lines: &[&str]) {
    let report = check_working(&task(kind), lines);
    let last = report.lines.last().expect("lines");
    assert_eq!(last.verdict, Verdict::Wrong, "{lines:?}: {report:#?}");
    assert_eq!(last.diagnosis, None, "{lines:?}: {report:#?}");
}

#[test]
fn guesses_not_named_as_slips() {
    // A bare wrong answer could come from any slip on the way.
    no_diagnosis("solve for=x", &["10x + 3 = 5x - 7", "x = 2"]);
    // A side with one term has no term to move.
    no_diagnosis("solve for=x", &["-x = 5", "x = 5"]);
}

#[test]
fn recovery_and_copied_question() {
    let report = check_working(
        &task("solve for=x"),
        &["7x + 5 = 3x + 33", "4x + 5 = 34", "x = 7"],
    );
    assert_eq!(letters(&report), "S X F");
    assert!(
        report.lines[2].message.contains("last correct line"),
        "{report:#?}"
    );
    assert_eq!(report.final_answer.verdict, Correct);

    let report = check_working(
        &task("solve for=x"),
        &["7x + 5 = 3x + 33", "7x + 5 = 3x + 33", "4x = 28", "x = 7"],
    );
    assert_eq!(letters(&report), "S F F F");
    assert_eq!(report.lines[1].diagnosis, None);
    // A line repeated later in the working is still a line with no progress.
    let report = check_working(
        &task("solve for=x"),
        &["7x + 5 = 3x + 33", "4x = 28", "4x = 28", "x = 7"],
    );
    assert_eq!(letters(&report), "S F W F");
}

#[test]
fn expression_misconceptions() {
    diagnosis("expand", &["(x + 3)^2", "x^2 + 9"], "power-of-sum");
    diagnosis(
        "expand",
        &["4(x + 1) - (2x - 5)", "4x + 4 - 2x - 5"],
        "minus-bracket",
    );
    diagnosis(
        "expand",
        &["-3(x - 4)", "-3x - 12"],
        "negative-times-negative",
    );
    diagnosis("simplify", &["1/2 + 1/3", "2/5"], "add-tops-and-bottoms");
    diagnosis("simplify", &["x^6 * x^4", "x^24"], "multiply-indices");
    diagnosis("evaluate", &["4^-2", "-16"], "negative-index");
    diagnosis(
        "evaluate",
        &["6^2 - 10", "12 - 10"],
        "power-as-multiplication",
    );
    diagnosis(
        "evaluate",
        &["(-3)^2 - 2(-3)", "-9 + 6"],
        "square-of-negative",
    );
    diagnosis(
        "evaluate",
        &["3 + 2 * 5^2", "3 + 10^2"],
        "coefficient-in-power",
    );
    diagnosis("evaluate", &["sqrt(5^2 + 12^2)", "5 + 12"], "root-of-sum");
    diagnosis(
        "simplify",
        &["(3x + 15)/(3x + 30)", "15/30"],
        "cancel-terms",
    );
    diagnosis("simplify", &["3a + 3b", "6ab"], "conjoin-terms");
    diagnosis("evaluate", &["7 + 2 * 5", "45"], "left-to-right");
    diagnosis("evaluate", &["5 - (-8)", "-3"], "subtract-negative");
    diagnosis("evaluate", &["12 / (1/2)", "6"], "divide-by-fraction");
}

#[test]
fn expanding_and_factorising() {
    check(
        "expand",
        &["(x + 2)(x + 3)", "x^2 + 3x + 2x + 6", "x^2 + 5x + 6"],
        "S F F",
        Correct,
    );
    check(
        "expand",
        &["(x + 2)(x + 3)", "x^2 + 3x + 2x + 6"],
        "S F",
        Unfinished,
    );
    check(
        "factorise",
        &["x^2 + 5x + 6", "(x + 2)(x + 3)"],
        "S F",
        Correct,
    );
    check("factorise", &["2x^2 + 4x", "2(x^2 + 2x)"], "S F", WrongForm);
    check("factorise", &["2x^2 + 4x", "2x(x + 2)"], "S F", Correct);
    check("factorise", &["x^2 - 9", "(x - 3)(x + 3)"], "S F", Correct);
    check(
        "factorise",
        &["x^2 + 5x + 6", "(x + 1)(x + 6)"],
        "S X",
        Incorrect,
    );
}

#[test]
fn fractions_and_surds() {
    check(
        "simplify",
        &["1/2 + 1/3", "3/6 + 2/6", "5/6"],
        "S F F",
        Correct,
    );
    check("simplify", &["sqrt(12)", "2sqrt(3)"], "S F", Correct);
    check(
        "simplify",
        &["sqrt(2) * sqrt(6)", "sqrt(12)"],
        "S F",
        WrongForm,
    );
    check("evaluate", &["6/8"], "S", Unfinished);
    check("evaluate", &["3/4 + 1/8", "7/8"], "S F", Correct);
}

#[test]
fn rounding() {
    check("evaluate dp=2", &["22/7", "3.14"], "S F", Correct);
    check("evaluate dp=2", &["2/3", "0.67"], "S F", Correct);
    check("evaluate dp=2", &["2/3", "0.66"], "S X", Incorrect);
    check("evaluate sf=2", &["1234", "1200"], "S F", Correct);
    check("evaluate dp=1", &["5/2", "2.5"], "S F", Correct);
    check("evaluate dp=0", &["5/2", "3"], "S F", Correct);
    check(
        "solve for=x dp=2",
        &["x^2 = 2", "x = 1.41 or x = -1.41"],
        "S F",
        Correct,
    );
}

#[test]
fn simultaneous_equations() {
    check(
        "solve for=x,y",
        &["x + y = 5, x - y = 1", "2x = 6", "x = 3", "y = 2"],
        "S F F F",
        Correct,
    );
    check(
        "solve for=x,y",
        &["x + y = 5, x - y = 1", "x = 3, y = 2"],
        "S F",
        Correct,
    );
    check(
        "solve for=x,y",
        &["x + y = 5, x - y = 1", "2x = 4"],
        "S X",
        Incorrect,
    );
}

#[test]
fn nonlinear_simultaneous_equations() {
    check(
        "solve for=x,y",
        &[
            "x + y = 5, xy = 6",
            "y = 5 - x",
            "x(5 - x) = 6",
            "x^2 - 5x + 6 = 0",
            "(x - 2)(x - 3) = 0",
            "x = 2, y = 3 or x = 3, y = 2",
        ],
        "S F F F F F",
        Correct,
    );
    check(
        "solve for=x,y",
        &["y = x^2, y = 2x + 3", "x = -1, y = 1 or x = 3, y = 9"],
        "S F",
        Correct,
    );
    // One of the two solutions is missing.
    check(
        "solve for=x,y",
        &["x + y = 5, xy = 6", "x = 2, y = 3 or x = 4, y = 1"],
        "S X",
        Incorrect,
    );
    check(
        "solve for=x,y",
        &["x + y = 5, xy = 6", "x(5 - x) = 7"],
        "S X",
        Incorrect,
    );
}

#[test]
fn surds_are_not_like_numbers() {
    check(
        "expand",
        &["(1 + sqrt(3))^2", "1 + 2sqrt(3) + 3", "4 + 2sqrt(3)"],
        "S F F",
        Correct,
    );
    check(
        "expand",
        &["(1 + sqrt(3))^2", "1 + 2sqrt(3) + 3"],
        "S F",
        Unfinished,
    );
    check(
        "expand",
        &["(1 + sqrt(3))^2 + sqrt(3)", "4 + 2sqrt(3) + sqrt(3)"],
        "S F",
        Unfinished,
    );
    check(
        "simplify",
        &["sqrt(12)x + 5", "2sqrt(3)x + 5"],
        "S F",
        Correct,
    );
    check(
        "expand",
        &["x(3 + sqrt(2))", "3x + sqrt(2)x"],
        "S F",
        Correct,
    );
}

#[test]
fn arithmetic_inside_function_unfinished() {
    check("simplify", &["sin(2x/4)", "sin(x/2)"], "S F", Correct);
    check("simplify", &["sin(2x/4)", "sin(3/6 x)"], "S F", Unfinished);
    check(
        "simplify",
        &["sqrt(x + 2*3)", "sqrt(x + 6)"],
        "S F",
        Correct,
    );
    check(
        "simplify",
        &["sqrt(x + 2*3)", "sqrt(x + 2*3)"],
        "S W",
        Unfinished,
    );
}

#[test]
fn power_zero_simplifies() {
    check("simplify", &["5a^0", "5"], "S F", Correct);
    check("simplify", &["x^3 * x^0", "x^3"], "S F", Correct);
    check("simplify", &["(2xy)^0", "1"], "S F", Correct);
    check("simplify", &["5a^0", "5a"], "S X", Incorrect);
}

#[test]
fn negative_power_in_denominator() {
    check("simplify", &["x^2/x^3", "1/x"], "S F", Correct);
    check("simplify", &["x^2/x^3", "x^-1"], "S F", Correct);
    check("simplify", &["x^2/x", "1/x^-1"], "S F", Unfinished);
    check("simplify", &["6x^2/(2x)", "3/x^(-1)"], "S F", Unfinished);
    check(
        "simplify",
        &["2/(x^2y)", "2/(y x^-3 x^5)"],
        "S F",
        Unfinished,
    );
}

#[test]
fn root_system_wrong_answer() {
    check(
        "solve for=x,y",
        &["y = sqrt(x), x + y = 6", "x = 5, y = 3"],
        "S X",
        Incorrect,
    );
    check(
        "solve for=x,y",
        &["y = |x|, y = 2", "x = 3, y = 2"],
        "S X",
        Incorrect,
    );
}

#[test]
fn root_system_right_answer() {
    check(
        "solve for=x,y",
        &["y = sqrt(x), x + y = 6", "x = 4, y = 2"],
        "S F",
        Correct,
    );
    check(
        "solve for=x,y",
        &["y = |x|, y = 2", "x = 2, y = 2 or x = -2, y = 2"],
        "S F",
        Correct,
    );
}

#[test]
fn rearranging() {
    check(
        "rearrange for=x",
        &["y = 2x + 3", "y - 3 = 2x", "x = (y - 3)/2"],
        "S F F",
        Correct,
    );
    check(
        "rearrange for=r",
        &["A = pi r^2", "r^2 = A/pi"],
        "S F",
        Unfinished,
    );
}

#[test]
fn radical_equations_and_squaring() {
    check(
        "solve for=x",
        &[
            "sqrt(x + 2) = x",
            "x + 2 = x^2",
            "x^2 - x - 2 = 0",
            "(x - 2)(x + 1) = 0",
            "x = 2",
        ],
        "S W F F F",
        Correct,
    );
    check(
        "solve for=x",
        &[
            "sqrt(x + 2) = x",
            "x + 2 = x^2",
            "x^2 - x - 2 = 0",
            "(x - 2)(x + 1) = 0",
            "x = 2 or x = -1",
        ],
        "S W F F F",
        Incorrect,
    );
    check("solve for=x", &["sqrt(x) = 3", "x = 9"], "S F", Correct);
    check(
        "solve for=x",
        &["|x| = 4", "x = 4 or x = -4"],
        "S F",
        Correct,
    );
}

#[test]
fn dividing_by_the_unknown_warns() {
    check("solve for=x", &["2x = 6", "2x/x = 6/x"], "S W", Unfinished);
    diagnosis(
        "solve for=x",
        &["x^2 = 6x", "x^2/x = 6x/x"],
        "divided-by-variable",
    );
}

#[test]
fn factorised_forms() {
    check("factorise", &["x^2 - 2x + 1", "(x - 1)^2"], "S F", Correct);
    check("factorise", &["x^2 + x + 1", "x^2 + x + 1"], "S W", Correct);
    // A bracket of numbers is a number, not a sum left to factorise.
    check("factorise", &["8x + 8", "2(3 + 1)(x + 1)"], "S F", Correct);
    check(
        "factorise",
        &["8x + 8", "(3 + 1)(2x + 2)"],
        "S F",
        WrongForm,
    );
    check(
        "factorise",
        &["x^2 - 4x + 4", "x(x - 4 + 4/x)"],
        "S F",
        WrongForm,
    );
}

#[test]
fn standard_form_rounding() {
    check("evaluate sf=3", &["602214", "6.02 * 10^5"], "S F", Correct);
    check("evaluate sf=3", &["602214", "6.0 * 10^5"], "S X", Incorrect);
}

#[test]
fn hostile_input_never_panics() {
    let long = "(".repeat(5000);
    let big = format!("x^{}", "9".repeat(50));
    let inputs = [
        "x^2 - 5x ! 6 = 0",
        "",
        "=",
        "x = = 2",
        "1/0",
        "(x+1)^100000",
        "2^2^2^2^2^2^2",
        long.as_str(),
        big.as_str(),
        "sqrt(-4)",
        "0^-1",
    ];
    for input in inputs {
        let report = check_working(&task("solve for=x"), &["2x = 4", input]);
        assert_eq!(report.lines.len(), 2);
        let report = check_working(&task("simplify"), &[input, "x"]);
        assert_eq!(report.lines.len(), 2);
    }
}

#[test]
fn compound_fractions_not_simplified() {
    check("simplify", &["1/(1 - 1/x)", "x/(x - 1)"], "S F", Correct);
    check("simplify", &["x/(x - 1)", "1/(1 - 1/x)"], "S F", Unfinished);
    check("simplify", &["(x/2)/3", "x/6"], "S F", Correct);
    check("simplify", &["x/6", "(x/2)/3"], "S F", Unfinished);
    check("simplify", &["2x/2", "x/1"], "S F", Unfinished);
}

#[test]
fn common_number_not_simplified() {
    check(
        "simplify",
        &["(2a + 2b)/(4c + 4d)", "(a + b)/(2c + 2d)"],
        "S F",
        Correct,
    );
    check(
        "simplify",
        &["(a + b)/(2c + 2d)", "(2a + 2b)/(4c + 4d)"],
        "S F",
        Unfinished,
    );
}

#[test]
fn hyperbolic_functions_compare() {
    use stepwise_core::maths::equivalent;
    assert!(equivalent("tanh(x)", "sinh(x)/cosh(x)").expect("compares"));
    assert!(equivalent("cosh 2x", "cosh(x)^2 + sinh(x)^2").expect("compares"));
    assert!(!equivalent("sinh(x)", "cosh(x)").expect("compares"));
}

#[test]
fn connective_between_statements() {
    for line in [
        "2x = 8 so x = 4",
        "2x = 8, so x = 4",
        "2x = 8 therefore x = 4",
        "2x = 8 => x = 4",
        "2x = 8 ⇒ x = 4",
        "2x = 8 ∴ x = 4",
        "2x = 8 hence x = 4",
        "2x = 8 thus x = 4",
    ] {
        check("solve for=x", &["2x + 3 = 11", line], "S F", Correct);
    }
}

#[test]
fn connective_starting_line() {
    for line in [
        "so x = 4",
        "therefore x = 4",
        "=> x = 4",
        "⇒ x = 4",
        "∴ x = 4",
        "Hence x = 4",
        "thus x = 4",
    ] {
        check(
            "solve for=x",
            &["2x + 3 = 11", "2x = 8", line],
            "S F F",
            Correct,
        );
    }
}

#[test]
fn connective_second_statement_wrong() {
    // The first step is right, the second does not follow from it.
    check(
        "solve for=x",
        &["2x + 3 = 11", "2x = 8 so x = 6"],
        "S X",
        Incorrect,
    );
    let report = check_working(&task("solve for=x"), &["2x + 3 = 11", "2x = 8 so x = 6"]);
    assert_eq!(report.lines[1].input, "2x = 8 so x = 6");
    assert!(
        report.lines[1].message.contains("x = 6"),
        "message names the wrong statement: {}",
        report.lines[1].message
    );
}

#[test]
fn connective_first_statement_wrong() {
    // A wrong first step, then a right step from it: wrong, and the answer
    // carries the mistake.
    check(
        "solve for=x",
        &["2x + 3 = 11", "2x = 14 so x = 7"],
        "S X",
        Incorrect,
    );
}

#[test]
fn connective_in_expression_task() {
    check(
        "expand",
        &["3(x + 2)", "= 3 × x + 3 × 2 so 3x + 6"],
        "S F",
        Correct,
    );
    check("simplify", &["2a + 3a", "therefore 5a"], "S F", Correct);
}
