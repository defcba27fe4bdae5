//! Walks the lines of a piece of working and gives each its verdict.

use num_rational::BigRational;

use super::{connective, rounding};
use super::{diagnose, form};
use super::{FinalReport, FinalVerdict, LineReport, Report, Task, TaskKind, Verdict};
use super::{CHECK_WORK, LINE_WORK};
use crate::maths::ast::{Expr, RelOp, Statement};
use crate::maths::equiv::{self, collect_vars, statement_vars};
use crate::maths::poly::Normaliser;
use crate::maths::work::SharedWork;
use crate::maths::{
    compare_expressions, compare_statements, parse_with, Limits, MathsError, SetRelation,
};

/// The meaning of one line, read for the task at hand.
#[derive(Clone, Debug)]
pub(crate) enum Line {
    /// An expression being simplified, expanded, factorised or evaluated.
    /// A chain `a = b = c` keeps every part; the value is the last.
    Expr(Vec<Expr>),
    /// An equation, inequality, list of solutions or system.
    Statement(Statement),
}

/// Reads a parsed line as the task needs it, or returns why it cannot.
pub(crate) fn interpret(task: &Task, statement: Statement) -> Result<Line, String> {
    if task.works_with_statements() {
        return match statement {
            Statement::Expr(expr) => {
                // A bare number under "solve for x" means "x = number".
                let mut letters = Vec::new();
                collect_vars(&expr, &mut letters);
                match (task.unknowns.as_slice(), letters.is_empty()) {
                    ([unknown], true) => Ok(Line::Statement(Statement::Relation {
                        parts: vec![Expr::Var(unknown.clone()), expr],
                        ops: vec![RelOp::Eq],
                    })),
                    _ => Err(
                        "this question needs an equation or inequality on each line, such as x = 4"
                            .into(),
                    ),
                }
            }
            Statement::Continued { .. } => {
                Err("a line can't start with = here; write both sides, such as 2x = 10".into())
            }
            Statement::Or(parts) => Ok(Line::Statement(Statement::Or(complete_or_parts(parts)))),
            other => Ok(Line::Statement(
                equiv::listing_as_or(&other).unwrap_or(other),
            )),
        };
    }
    match statement {
        Statement::Expr(expr) => Ok(Line::Expr(vec![expr])),
        Statement::Continued { op: RelOp::Eq, rest } => match *rest {
            Statement::Expr(expr) => Ok(Line::Expr(vec![expr])),
            Statement::Relation { parts, ops } if ops.iter().all(|op| *op == RelOp::Eq) => Ok(Line::Expr(parts)),
            _ => Err("after = write one expression".into()),
        },
        Statement::Relation { parts, ops } if ops.iter().all(|op| *op == RelOp::Eq) => Ok(Line::Expr(parts)),
        _ => Err("this question works with an expression, not an equation or inequality; write the expression, or = and the expression".into()),
    }
}

/// Reads `x = 2 or 3` as `x = 2 or x = 3`: a bare value after `or` takes
/// the letter of the part before it.
fn complete_or_parts(parts: Vec<Statement>) -> Vec<Statement> {
    let mut completed: Vec<Statement> = Vec::with_capacity(parts.len());
    for part in parts {
        let letter = match completed.last() {
            Some(Statement::Relation { parts: sides, ops }) if ops.as_slice() == [RelOp::Eq] => {
                match &sides[0] {
                    Expr::Var(name) => Some(name.clone()),
                    _ => None,
                }
            }
            _ => None,
        };
        match (part, letter) {
            (Statement::Expr(value), Some(name)) => completed.push(Statement::Relation {
                parts: vec![Expr::Var(name), value],
                ops: vec![RelOp::Eq],
            }),
            (other, _) => completed.push(other),
        }
    }
    completed
}

/// Compares a line's solutions or value with the line it builds on.
pub(crate) fn relate(
    task: &Task,
    reference: &Line,
    line: &Line,
    limits: &Limits,
) -> Result<SetRelation, MathsError> {
    match (reference, line) {
        (Line::Expr(reference), Line::Expr(parts)) => {
            let Some(value) = reference.last() else {
                return Ok(SetRelation::Different);
            };
            for part in parts {
                if !compare_expressions(value, part, limits)?.equal {
                    return Ok(SetRelation::Different);
                }
            }
            Ok(SetRelation::Equal)
        }
        (Line::Statement(a), Line::Statement(b)) => {
            compare_statements(a, b, &unknowns_of(task, a), limits)
        }
        _ => Ok(SetRelation::Different),
    }
}

pub(crate) fn unknowns_of(task: &Task, question: &Statement) -> Vec<String> {
    if !task.unknowns.is_empty() {
        return task.unknowns.clone();
    }
    let mut letters = Vec::new();
    statement_vars(question, &mut letters);
    letters.sort();
    letters.dedup();
    letters
}

/// Finds a division by zero, such as `x/0`, in the expressions of a line.
/// Without this check a question that divides by zero reads as fine, and the
/// error lands on the first line the student types.
fn division_by_zero(line: &Line, limits: &Limits) -> Option<MathsError> {
    fn collect<'a>(statement: &'a Statement, exprs: &mut Vec<&'a Expr>) {
        match statement {
            Statement::Expr(expr) => exprs.push(expr),
            Statement::Relation { parts, .. } => exprs.extend(parts),
            Statement::Continued { rest, .. } => collect(rest, exprs),
            Statement::Or(parts) | Statement::And(parts) => {
                for part in parts {
                    collect(part, exprs);
                }
            }
        }
    }

    let mut exprs = Vec::new();
    match line {
        Line::Expr(parts) => exprs.extend(parts),
        Line::Statement(statement) => collect(statement, &mut exprs),
    }
    let mut normaliser = Normaliser::new(*limits);
    exprs
        .into_iter()
        .find_map(|expr| match normaliser.frac(expr) {
            Err(error @ MathsError::DivisionByZero(_)) => Some(error),
            _ => None,
        })
}

/// Checks every line of `lines`; `lines[0]` is the question's starting line.
pub fn check_working(task: &Task, lines: &[&str]) -> Report {
    let limits = Limits::default();
    // Every line's pool is drawn from this one too, so a long hostile
    // working runs dry as a whole and its later lines get an error.
    let _check_work = SharedWork::new(CHECK_WORK);
    let mut reports = Vec::with_capacity(lines.len());

    let Some(first) = lines.first() else {
        return Report {
            lines: reports,
            final_answer: FinalReport {
                verdict: FinalVerdict::Unfinished,
                message: "there is no question line to check against".into(),
            },
        };
    };
    let question = match parse_with(first, &limits) {
        Ok(parsed) => interpret(task, parsed.statement),
        Err(error) => Err(format!("the question could not be read: {error}")),
    };
    let question = question.and_then(|line| match division_by_zero(&line, &limits) {
        Some(error) => Err(format!("the question cannot be worked: {error}")),
        None => Ok(line),
    });
    let question = match question {
        Ok(q) => q,
        Err(message) => {
            reports.push(report(
                first,
                Verdict::Unreadable,
                None,
                message.clone(),
                false,
            ));
            for line in &lines[1..] {
                reports.push(report(
                    line,
                    Verdict::Unreadable,
                    None,
                    "the question line has an error, so this line was not checked".into(),
                    false,
                ));
            }
            return Report {
                lines: reports,
                final_answer: FinalReport {
                    verdict: FinalVerdict::Unfinished,
                    message,
                },
            };
        }
    };
    reports.push(report(
        first,
        Verdict::Start,
        None,
        "the question".into(),
        false,
    ));

    // The last line that was right, and the last line typed (right or not).
    let mut last_good = question.clone();
    let mut last_line: Option<Line> = None;
    let mut last_readable: Option<(Line, Verdict, bool)> = None;
    let mut gained_solutions = false;
    let mut chain_equal = true;
    // For simultaneous equations: the lines accepted so far, each a consequence of the system.
    let mut system_facts: Vec<Line> = Vec::new();

    // Each statement of a line is one step: `2x = 8 so x = 4` is two.
    let steps = lines[1..].iter().enumerate().flat_map(|(number, line)| {
        connective::split(line)
            .into_iter()
            .map(move |s| (number, s))
    });
    let mut step_reports: Vec<(usize, LineReport)> = Vec::new();
    for (number, text) in steps {
        let text = &text;
        let parsed = match parse_with(text, &limits) {
            Ok(parsed) => parsed,
            Err(error) => {
                step_reports.push((
                    number,
                    report(text, Verdict::Unreadable, None, error.to_string(), false),
                ));
                continue;
            }
        };
        let notes: Vec<String> = parsed.notes.iter().map(|n| n.message.clone()).collect();
        let line = match interpret(task, parsed.statement) {
            Ok(line) => line,
            Err(message) => {
                step_reports.push((
                    number,
                    report(text, Verdict::Unreadable, None, message, false),
                ));
                continue;
            }
        };

        // Every comparison made for this line, from its own check to the
        // last buggy rewrite the diagnosis tries, draws from one pool.
        let line_work = SharedWork::new(LINE_WORK);
        let mut line_report = if is_system(task, &question) {
            judge_system_line(task, &question, &line, &limits)
        } else if gained_solutions
            && matches!(
                relate(task, &question, &line, &limits),
                Ok(SetRelation::Equal)
            )
        {
            // After squaring, dropping the answers that fail the original
            // equation is the right step.
            judged(
                Verdict::Follows,
                None,
                "right: only the answers that work in the original equation are kept".into(),
                false,
            )
        } else {
            judge(task, &last_good, last_line.as_ref(), &line, &limits)
        };
        drop(line_work);
        // Only for equations: in an expression task the copied question
        // may already be the answer (an expression that does not factorise).
        let copied_question = last_line.is_none()
            && task.works_with_statements()
            && line_report.report.diagnosis.as_deref() == Some("no-progress");
        if copied_question {
            // Many students copy the question out before the first step:
            // that is not a mistake.
            line_report.report.verdict = Verdict::Follows;
            line_report.report.diagnosis = None;
            line_report.report.message = "the question, copied out; now take a first step".into();
        }
        let after_mistake = matches!(
            &last_readable,
            Some((_, verdict, ecf)) if *verdict == Verdict::Wrong || *ecf
        );
        if after_mistake
            && line_report.report.verdict == Verdict::Follows
            && !line_report.report.ecf
            && line_report.report.message == FOLLOWS_MESSAGE
        {
            line_report.report.message =
                "follows from your last correct line, so the mistake above does not carry into it"
                    .into();
        }
        if is_system(task, &question) && line_report.report.verdict == Verdict::Follows {
            system_facts.push(line.clone());
        }
        if !notes.is_empty() {
            line_report.message = format!("{} (note: {})", line_report.message, notes.join("; "));
        }
        match line_report.report.verdict {
            Verdict::Follows | Verdict::Warning if !line_report.report.ecf => {
                gained_solutions |= line_report.gained;
                chain_equal &= line_report.equal;
                last_good = line.clone();
            }
            _ => {}
        }
        last_readable = Some((
            line.clone(),
            line_report.report.verdict,
            line_report.report.ecf,
        ));
        last_line = Some(line);
        let mut r = line_report.report;
        r.input = (*text).to_string();
        if !line_report.message.is_empty() {
            r.message = line_report.message;
        }
        step_reports.push((number, r));
    }
    // Only unreadable lines: point at the first so the student fixes it,
    // rather than reporting that no working was typed.
    let first_unreadable = match last_readable {
        None => step_reports.first().map(|(_, report)| FinalReport {
            verdict: FinalVerdict::Unfinished,
            message: format!(
                "your working could not be read; fix the first line, `{}` ({})",
                report.input, report.message
            ),
        }),
        Some(_) => None,
    };
    reports.extend(merge_steps(step_reports, &lines[1..]));
    if let Some(final_answer) = first_unreadable {
        return Report {
            lines: reports,
            final_answer,
        };
    }

    let final_work = SharedWork::new(LINE_WORK);
    let final_answer = if is_system(task, &question) {
        final_system_verdict(
            task,
            &question,
            &system_facts,
            last_readable.as_ref(),
            &limits,
        )
    } else {
        final_verdict(
            task,
            &question,
            last_readable.as_ref(),
            gained_solutions,
            chain_equal,
            &limits,
        )
    };
    drop(final_work);
    Report {
        lines: reports,
        final_answer,
    }
}

/// Joins the reports of the steps of each typed line into one report for
/// that line. The line gets its worst step's verdict, diagnosis and
/// message. A line whose steps all follow gets its last step's message.
fn merge_steps(steps: Vec<(usize, LineReport)>, lines: &[&str]) -> Vec<LineReport> {
    fn severity(verdict: Verdict) -> u8 {
        match verdict {
            Verdict::Start | Verdict::Follows => 0,
            Verdict::Warning => 1,
            Verdict::Unreadable => 2,
            Verdict::Wrong => 3,
        }
    }
    let mut merged: Vec<LineReport> = Vec::with_capacity(lines.len());
    let mut steps = steps.into_iter().peekable();
    for (number, line) in lines.iter().enumerate() {
        let mut parts: Vec<LineReport> = Vec::new();
        while let Some((_, step)) = steps.next_if(|(n, _)| *n == number) {
            parts.push(step);
        }
        let several = parts.len() > 1;
        let mut worst: Option<LineReport> = None;
        for part in parts {
            let replace = match &worst {
                None => true,
                Some(current) => {
                    severity(part.verdict) > severity(current.verdict)
                        || (severity(part.verdict) == 0 && severity(current.verdict) == 0)
                }
            };
            if replace {
                worst = Some(part);
            }
        }
        let Some(mut chosen) = worst else {
            continue;
        };
        if several && chosen.verdict != Verdict::Follows {
            chosen.message = format!("in \"{}\": {}", chosen.input, chosen.message);
        }
        chosen.input = (*line).to_string();
        merged.push(chosen);
    }
    merged
}

fn report(
    input: &str,
    verdict: Verdict,
    diagnosis: Option<String>,
    message: String,
    ecf: bool,
) -> LineReport {
    LineReport {
        input: input.to_string(),
        verdict,
        diagnosis,
        message,
        ecf,
    }
}

/// The message of a line that follows from the last correct line.
const FOLLOWS_MESSAGE: &str = "follows from the line before";

struct Judged {
    report: LineReport,
    message: String,
    gained: bool,
    /// The line has exactly the solutions (or value) of the line before.
    equal: bool,
}

fn judged(verdict: Verdict, diagnosis: Option<&str>, message: String, ecf: bool) -> Judged {
    Judged {
        report: report("", verdict, diagnosis.map(str::to_string), message, ecf),
        message: String::new(),
        gained: false,
        equal: false,
    }
}

fn judge(
    task: &Task,
    last_good: &Line,
    last_line: Option<&Line>,
    line: &Line,
    limits: &Limits,
) -> Judged {
    let relation = match relate(task, last_good, line, limits) {
        Ok(relation) => relation,
        Err(MathsError::Unsupported(what)) => {
            return judged(
                Verdict::Warning,
                None,
                format!("Stepwise can't check {what} yet, so this line is not marked"),
                false,
            )
        }
        Err(error) => return judged(Verdict::Unreadable, None, error.to_string(), false),
    };

    match relation {
        SetRelation::Equal => {
            let mut j = if let Some(message) = divided_by_unknown(task, last_good, line, limits) {
                judged(
                    Verdict::Warning,
                    Some("divided-by-expression"),
                    message,
                    false,
                )
            } else if let Some(message) = same_as_before(last_good, line) {
                judged(Verdict::Warning, Some("no-progress"), message, false)
            } else {
                judged(Verdict::Follows, None, FOLLOWS_MESSAGE.into(), false)
            };
            j.equal = true;
            j
        }
        SetRelation::Subset
            if task.works_with_statements() && diagnose::squared_both_sides(last_good, line) =>
        {
            let mut j = judged(
                Verdict::Warning,
                Some("squared-both-sides"),
                "squaring both sides can add solutions that don't work; check each answer in the original equation".into(),
                false,
            );
            j.gained = true;
            j
        }
        _ => {
            // Rounded answers are not exactly equal to the exact value.
            if let Some(j) = rounded_answer(task, last_good, line, limits) {
                return j;
            }
            // Error carried forward: right working from a wrong line.
            if let Some(previous) = last_line {
                if matches!(relate(task, previous, line, limits), Ok(SetRelation::Equal)) {
                    return judged(
                        Verdict::Follows,
                        None,
                        "follows from your previous line, but that line had a mistake".into(),
                        true,
                    );
                }
            }
            let found = if diagnose::worth_diagnosing(last_good, line) {
                diagnose::diagnose(task, last_good, line, relation, limits)
            } else {
                None
            };
            match found {
                Some((id, message)) => judged(Verdict::Wrong, Some(id), message, false),
                None => judged(Verdict::Wrong, None, generic_wrong(task, relation), false),
            }
        }
    }
}

fn generic_wrong(task: &Task, relation: SetRelation) -> String {
    match (task.works_with_statements(), relation) {
        (true, SetRelation::Superset) => {
            "this line has lost a solution that the line before has".into()
        }
        (true, SetRelation::Subset) => {
            "this line has solutions that the line before doesn't have".into()
        }
        (true, _) => "this doesn't follow from the line before: it has different solutions".into(),
        (false, _) => "this isn't equal to the line before; check each part of the step".into(),
    }
}

/// Letters of the unknowns that appear in a denominator of the statement.
fn unknowns_in_denominators(statement: &Statement, unknowns: &[String], limits: &Limits) -> bool {
    let mut sides = Vec::new();
    collect_sides(statement, &mut sides);
    sides.iter().any(|side| {
        crate::maths::equiv::canonical(side, limits).is_ok_and(|frac| {
            frac.den.atoms().iter().any(|atom| {
                matches!(atom, crate::maths::poly::Atom::Var(name) if unknowns.contains(name))
            })
        })
    })
}

fn collect_sides<'a>(statement: &'a Statement, out: &mut Vec<&'a Expr>) {
    match statement {
        Statement::Expr(e) => out.push(e),
        Statement::Relation { parts, .. } => out.extend(parts.iter()),
        Statement::Continued { rest, .. } => collect_sides(rest, out),
        Statement::Or(parts) | Statement::And(parts) => {
            parts.iter().for_each(|p| collect_sides(p, out))
        }
    }
}

/// A step that divided both sides by an expression with the unknown in it:
/// right here, but it can lose a solution where that expression is 0.
fn divided_by_unknown(
    task: &Task,
    previous: &Line,
    line: &Line,
    limits: &Limits,
) -> Option<String> {
    let (Line::Statement(before), Line::Statement(after)) = (previous, line) else {
        return None;
    };
    // Only a line with a division in it can have a new denominator.
    if !crate::maths::format::plain(after).contains('/') {
        return None;
    }
    let unknowns = unknowns_of(task, before);
    if unknowns_in_denominators(before, &unknowns, limits)
        || !unknowns_in_denominators(after, &unknowns, limits)
    {
        return None;
    }
    Some(format!(
        "this divides by an expression with {} in it; that is only allowed where it isn't 0, so check no solution was lost",
        unknowns.join(" or ")
    ))
}

fn same_as_before(previous: &Line, line: &Line) -> Option<String> {
    let same = match (previous, line) {
        (Line::Expr(a), Line::Expr(b)) => a.last() == b.last(),
        (Line::Statement(a), Line::Statement(b)) => a == b,
        _ => false,
    };
    same.then(|| "this is the same as the line before; what could you do next?".to_string())
}

/// The exact values a line stands for: the value of an expression, or the
/// solutions of a statement in its one unknown.
pub(crate) fn exact_values(task: &Task, line: &Line, limits: &Limits) -> Option<Vec<BigRational>> {
    match line {
        Line::Expr(parts) => {
            let value = parts.last()?;
            if let Ok(Some(real)) = equiv::exact_value(value, limits) {
                if let Some(q) = real.as_rational() {
                    return Some(vec![q]);
                }
                return BigRational::from_float(real.to_f64()).map(|q| vec![q]);
            }
            let approximate = crate::maths::numeric::eval(value, &Default::default());
            BigRational::from_float(approximate).map(|q| vec![q])
        }
        Line::Statement(statement) => {
            let unknowns = unknowns_of(task, statement);
            let [unknown] = unknowns.as_slice() else {
                return None;
            };
            equiv::solution_values(statement, unknown, limits)
                .ok()
                .flatten()
        }
    }
}

/// The values a line gives as typed decimals: `2.35`, or `x = 2.35 or x = -1.2`.
pub(crate) fn typed_values(line: &Line) -> Option<Vec<(crate::maths::ast::Literal, bool)>> {
    match line {
        Line::Expr(parts) => rounding::literal_of(parts.last()?).map(|l| vec![l]),
        Line::Statement(statement) => {
            let parts: Vec<&Statement> = match statement {
                Statement::Or(parts) => parts.iter().collect(),
                other => vec![other],
            };
            parts
                .into_iter()
                .map(|p| match p {
                    Statement::Relation { parts, ops }
                        if ops.as_slice() == [RelOp::Eq] && matches!(parts[0], Expr::Var(_)) =>
                    {
                        rounding::literal_of(&parts[1])
                    }
                    _ => None,
                })
                .collect()
        }
    }
}

fn signed(literal: &crate::maths::ast::Literal, negative: bool) -> BigRational {
    if negative {
        -literal.value.clone()
    } else {
        literal.value.clone()
    }
}

/// Judges a line that gives rounded values where the question asks for rounding.
fn rounded_answer(task: &Task, last_good: &Line, line: &Line, limits: &Limits) -> Option<Judged> {
    let rounding_rule = task.rounding?;
    let typed = typed_values(line)?;
    let mut exact = exact_values(task, last_good, limits)?;
    if exact.len() != typed.len() || exact.is_empty() {
        return None;
    }
    let mut typed: Vec<BigRational> = typed.iter().map(|(l, n)| signed(l, *n)).collect();
    exact.sort();
    typed.sort();
    let rounded: Vec<BigRational> = exact
        .iter()
        .map(|v| rounding::apply(v, rounding_rule))
        .collect();
    if rounded == typed {
        return Some(judged(
            Verdict::Follows,
            None,
            "correctly rounded".into(),
            false,
        ));
    }
    let truncated: Vec<BigRational> = exact
        .iter()
        .map(|v| rounding::truncate(v, rounding_rule))
        .collect();
    if truncated == typed {
        return Some(judged(
            Verdict::Wrong,
            Some("rounding-truncated"),
            "the digits have been cut off instead of rounded: look at the next digit, and round up if it is 5 or more".into(),
            false,
        ));
    }
    None
}

fn final_verdict(
    task: &Task,
    question: &Line,
    last: Option<&(Line, Verdict, bool)>,
    gained_solutions: bool,
    chain_equal: bool,
    limits: &Limits,
) -> FinalReport {
    let finish = |verdict, message: &str| FinalReport {
        verdict,
        message: message.to_string(),
    };
    let Some((line, verdict, ecf)) = last else {
        return finish(
            FinalVerdict::Unfinished,
            "no working yet: type your first step",
        );
    };
    match verdict {
        Verdict::Wrong => {
            return finish(
                FinalVerdict::Incorrect,
                "the last line has a mistake; look back at the marked line",
            )
        }
        Verdict::Follows if *ecf => return finish(
            FinalVerdict::Incorrect,
            "your method after the mistake is right, but the mistake carried through to the answer",
        ),
        Verdict::Unreadable => {
            return finish(FinalVerdict::Unfinished, "the last line could not be read")
        }
        _ => {}
    }

    // The value: the final line must agree with the question itself.
    // Every accepted line had the same solutions as the one before, so the
    // last one has the question's: no need to compare again.
    let relation = if chain_equal {
        Ok(SetRelation::Equal)
    } else {
        relate(task, question, line, limits)
    };
    let value_ok = match relation {
        Ok(SetRelation::Equal) => true,
        Ok(SetRelation::Subset) if gained_solutions => {
            return finish(
                FinalVerdict::Incorrect,
                "at least one of these answers doesn't work in the original equation; squaring added it, so check each answer and reject any that fail",
            )
        }
        _ => false,
    };
    let rounded_ok = !value_ok
        && task.rounding.is_some()
        && rounded_answer(task, question, line, limits)
            .is_some_and(|j| j.report.verdict == Verdict::Follows);
    if !value_ok && !rounded_ok {
        return finish(
            FinalVerdict::Incorrect,
            "the answer doesn't match the question",
        );
    }

    match form::check_final(task, question, line, limits) {
        form::FormResult::Done => finish(FinalVerdict::Correct, "correct"),
        form::FormResult::NotYet(message) => FinalReport {
            verdict: FinalVerdict::Unfinished,
            message,
        },
        form::FormResult::WrongForm(message) => FinalReport {
            verdict: FinalVerdict::WrongForm,
            message,
        },
    }
}

/// Simultaneous equations: more than one unknown and more than one equation.
fn is_system(task: &Task, question: &Line) -> bool {
    match question {
        Line::Statement(statement @ Statement::And(parts)) => {
            parts.len() > 1 && unknowns_of(task, statement).len() > 1
        }
        _ => false,
    }
}

/// A line of working on simultaneous equations is right when every solution
/// of the system satisfies it: `2x = 6` after adding two equations, then
/// `x = 3`, then `y = 2`.
fn judge_system_line(task: &Task, question: &Line, line: &Line, limits: &Limits) -> Judged {
    match relate(task, question, line, limits) {
        Ok(SetRelation::Equal | SetRelation::Subset) => {
            judged(Verdict::Follows, None, "follows from the equations".into(), false)
        }
        Ok(_) => judged(
            Verdict::Wrong,
            None,
            "this isn't true for the solution of the equations; check the step, especially the signs when adding or subtracting".into(),
            false,
        ),
        Err(MathsError::Unsupported(what)) => {
            judged(Verdict::Warning, None, format!("Stepwise can't check {what} yet, so this line is not marked"), false)
        }
        Err(error) => judged(Verdict::Unreadable, None, error.to_string(), false),
    }
}

fn final_system_verdict(
    task: &Task,
    question: &Line,
    facts: &[Line],
    last: Option<&(Line, Verdict, bool)>,
    limits: &Limits,
) -> FinalReport {
    let finish = |verdict, message: &str| FinalReport {
        verdict,
        message: message.to_string(),
    };
    let Some((last_line, verdict, _)) = last else {
        return finish(
            FinalVerdict::Unfinished,
            "no working yet: type your first step",
        );
    };
    if *verdict == Verdict::Wrong {
        return finish(
            FinalVerdict::Incorrect,
            "the last line has a mistake; look back at the marked line",
        );
    }
    let Line::Statement(system) = question else {
        return finish(
            FinalVerdict::Unfinished,
            "the question is not a system of equations",
        );
    };
    let unknowns = unknowns_of(task, system);
    // A last line that lists whole solutions, such as
    // `x = 2, y = 3 or x = 3, y = 2`, is taken as the whole answer.
    if let Line::Statement(listing) = last_line {
        if lists_solutions(listing, &unknowns) {
            return match relate(task, question, last_line, limits) {
                Ok(SetRelation::Equal) => finish(FinalVerdict::Correct, "correct"),
                _ => finish(
                    FinalVerdict::Incorrect,
                    "these are not exactly the solutions of the equations: check that each pair satisfies every equation and that none is missing",
                ),
            };
        }
    }
    // The answer: the values found, each `letter = number`, taken together.
    let mut values: Vec<(String, Statement)> = Vec::new();
    for fact in facts.iter().rev() {
        let Line::Statement(statement) = fact else {
            continue;
        };
        let parts: Vec<&Statement> = match statement {
            Statement::And(parts) => parts.iter().collect(),
            other => vec![other],
        };
        for part in parts {
            let Statement::Relation { parts: sides, ops } = part else {
                continue;
            };
            if ops.as_slice() != [RelOp::Eq] || !is_constant(&sides[1]) {
                continue;
            }
            if let Expr::Var(name) = &sides[0] {
                if !values.iter().any(|(n, _)| n == name) {
                    values.push((name.clone(), part.clone()));
                }
            }
        }
    }
    if values.len() < unknowns.len() {
        return finish(
            FinalVerdict::Unfinished,
            &format!(
                "keep going: find the value of each of {}",
                unknowns.join(" and ")
            ),
        );
    }
    for (_, part) in &values {
        if let Statement::Relation { parts: sides, .. } = part {
            let value = Line::Expr(vec![sides[1].clone()]);
            if let form::FormResult::WrongForm(message) =
                form::check_final(&Task::new(TaskKind::Evaluate), &value, &value, limits)
            {
                return FinalReport {
                    verdict: FinalVerdict::WrongForm,
                    message,
                };
            }
        }
    }
    let answer = Line::Statement(Statement::And(values.into_iter().map(|(_, s)| s).collect()));
    match relate(task, question, &answer, limits) {
        Ok(SetRelation::Equal) => finish(FinalVerdict::Correct, "correct"),
        _ => finish(
            FinalVerdict::Incorrect,
            "these values don't satisfy both equations",
        ),
    }
}

/// Whether a line gives every unknown a number in each of two or more
/// solutions: `x = 2, y = 3 or x = 3, y = 2`.
fn lists_solutions(statement: &Statement, unknowns: &[String]) -> bool {
    let Statement::Or(choices) = statement else {
        return false;
    };
    choices.iter().all(|choice| {
        let Statement::And(parts) = choice else {
            return false;
        };
        let mut named: Vec<&String> = Vec::new();
        for part in parts {
            let Statement::Relation { parts: sides, ops } = part else {
                return false;
            };
            match (&sides[0], ops.as_slice()) {
                (Expr::Var(name), [RelOp::Eq]) if is_constant(&sides[1]) => named.push(name),
                _ => return false,
            }
        }
        unknowns.iter().all(|u| named.contains(&u))
    })
}

fn is_constant(expr: &Expr) -> bool {
    let mut letters = Vec::new();
    collect_vars(expr, &mut letters);
    letters.is_empty()
}
