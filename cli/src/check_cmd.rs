//! `stepwise check`: the working checker on lines from the command line or
//! from JSON Lines.

use std::io::{self, Write};

use serde::Deserialize;
use stepwise_core::check::{
    check_working, FinalVerdict, LineReport, Report, Rounding, Task, TaskKind, Verdict,
};
use thiserror::Error;

use crate::batch::{self, BatchError, BatchInput};

/// Invalid arguments or cases for the checker.
#[derive(Debug, Error)]
pub enum CheckError {
    #[error("missing --task; pass one of solve, simplify, expand, factorise, evaluate, rearrange")]
    MissingTask,
    #[error("no lines given; pass the question's starting line and then the working after `--`, such as `-- \"2x + 3 = 11\" \"2x = 8\"`")]
    NoLines,
    #[error("invalid unknown `{0}`: a name starts with a letter and contains only letters, digits and `_`; pass names such as `--for x,y`")]
    InvalidUnknown(String),
    #[error("both dp and sf given; round to decimal places or to significant figures, not both")]
    BothRoundings,
    #[error("invalid significant figures 0; pass 1 or more")]
    ZeroSignificantFigures,
    #[error("invalid case: {0}")]
    InvalidCase(String),
}

/// The `--task` values, spelled as the JSON contract spells them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TaskArg {
    Solve,
    Simplify,
    Expand,
    Factorise,
    Evaluate,
    Rearrange,
}

impl From<TaskArg> for TaskKind {
    fn from(arg: TaskArg) -> TaskKind {
        match arg {
            TaskArg::Solve => TaskKind::Solve,
            TaskArg::Simplify => TaskKind::Simplify,
            TaskArg::Expand => TaskKind::Expand,
            TaskArg::Factorise => TaskKind::Factorise,
            TaskArg::Evaluate => TaskKind::Evaluate,
            TaskArg::Rearrange => TaskKind::Rearrange,
        }
    }
}

/// Builds a checker task, validating the unknowns and the rounding.
pub fn build_task(
    kind: TaskKind,
    unknowns: Vec<String>,
    dp: Option<u32>,
    sf: Option<u32>,
) -> Result<Task, CheckError> {
    let mut names = Vec::with_capacity(unknowns.len());
    for name in unknowns {
        let name = name.trim().to_string();
        if !is_valid_unknown(&name) {
            return Err(CheckError::InvalidUnknown(name));
        }
        names.push(name);
    }
    let rounding = match (dp, sf) {
        (Some(_), Some(_)) => return Err(CheckError::BothRoundings),
        (Some(places), None) => Some(Rounding::DecimalPlaces(places)),
        (None, Some(0)) => return Err(CheckError::ZeroSignificantFigures),
        (None, Some(figures)) => Some(Rounding::SignificantFigures(figures)),
        (None, None) => None,
    };
    Ok(Task {
        kind,
        unknowns: names,
        rounding,
        form: None,
    })
}

fn is_valid_unknown(name: &str) -> bool {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) if first.is_alphabetic() => chars.all(|c| c.is_alphanumeric() || c == '_'),
        _ => false,
    }
}

/// Checks `lines`, of which the first is the question's starting line.
pub fn check(task: &Task, lines: &[&str]) -> Result<Report, CheckError> {
    if lines.is_empty() {
        return Err(CheckError::NoLines);
    }
    tracing::debug!(?task, count = lines.len(), "checking working");
    Ok(check_working(task, lines))
}

/// Writes the report as one JSON object on one line.
pub fn write_json(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let json = serde_json::to_string(report).map_err(io::Error::other)?;
    writeln!(out, "{json}")
}

/// Writes one row per line (mark, input, message) and then the final verdict.
pub fn write_human(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let width = report
        .lines
        .iter()
        .map(|line| line.input.chars().count())
        .max()
        .unwrap_or(0);
    for line in &report.lines {
        writeln!(out, "{}", format_line(line, width))?;
    }
    writeln!(out, "{}", format_final(report))
}

/// Formats one checked line as `mark  input  message`, padding the input to
/// `width` characters so that messages line up.
pub fn format_line(line: &LineReport, width: usize) -> String {
    let mut row = format!(
        "{} {:<width$}",
        verdict_mark(line.verdict),
        line.input,
        width = width
    );
    let mut message = line.message.clone();
    if let Some(diagnosis) = &line.diagnosis {
        message = format!("{message} [{diagnosis}]");
    }
    if line.ecf {
        message = format!("{message} (follows from an earlier mistake)");
    }
    if !message.trim().is_empty() {
        row.push_str("   ");
        row.push_str(message.trim());
    }
    row.trim_end().to_string()
}

/// Formats the final verdict as `Final: verdict` and its message.
pub fn format_final(report: &Report) -> String {
    let verdict = final_verdict_name(report.final_answer.verdict);
    let message = report.final_answer.message.trim();
    // The message may only repeat the verdict's name ("correct").
    if message.is_empty() || message.eq_ignore_ascii_case(verdict) {
        format!("Final: {verdict}")
    } else {
        format!("Final: {verdict}: {message}")
    }
}

/// Returns a one-character mark for a line's verdict.
pub fn verdict_mark(verdict: Verdict) -> char {
    match verdict {
        Verdict::Start => '•',
        Verdict::Follows => '✓',
        Verdict::Warning => '!',
        Verdict::Wrong => '✗',
        Verdict::Unreadable => '?',
    }
}

/// Returns the final verdict as the JSON contract spells it.
pub fn final_verdict_name(verdict: FinalVerdict) -> &'static str {
    match verdict {
        FinalVerdict::Correct => "correct",
        FinalVerdict::Incorrect => "incorrect",
        FinalVerdict::WrongForm => "wrong_form",
        FinalVerdict::Unfinished => "unfinished",
    }
}

/// One line of `check --batch` input.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    task: TaskKind,
    #[serde(default, rename = "for")]
    unknowns: Option<Unknowns>,
    #[serde(default)]
    dp: Option<u32>,
    #[serde(default)]
    sf: Option<u32>,
    lines: Vec<String>,
}

/// The `for` field: `"x,y"` or `["x", "y"]`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Unknowns {
    Text(String),
    List(Vec<String>),
}

impl Unknowns {
    fn into_names(self) -> Vec<String> {
        match self {
            Unknowns::Text(text) if text.trim().is_empty() => Vec::new(),
            Unknowns::Text(text) => text.split(',').map(str::to_string).collect(),
            Unknowns::List(names) => names,
        }
    }
}

/// Parses one batch line into a task and its lines.
fn parse_case(line: &str) -> Result<(Task, Vec<String>), CheckError> {
    if line.trim().is_empty() {
        return Err(CheckError::InvalidCase(
            "empty line; write one JSON object a line".to_string(),
        ));
    }
    let case: Case = serde_json::from_str(line).map_err(|error| {
        CheckError::InvalidCase(format!(
            "{error}; expected an object with task, lines and optionally for, dp, sf"
        ))
    })?;
    let unknowns = case.unknowns.map(Unknowns::into_names).unwrap_or_default();
    let task = build_task(case.task, unknowns, case.dp, case.sf)?;
    Ok((task, case.lines))
}

/// Checks every case of `input`, writing one report (or error) a line.
/// Returns the number of invalid case lines.
pub fn run_batch(input: BatchInput, out: &mut dyn Write) -> Result<usize, BatchError> {
    batch::run(input, out, |line| {
        let (task, lines) = parse_case(line).map_err(|error| error.to_string())?;
        let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
        check(&task, &lines).map_err(|error| error.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_names_validated() {
        for good in ["x", "y2", "theta", "θ", "x_1"] {
            assert!(is_valid_unknown(good), "{good} should be valid");
        }
        for bad in ["", "2x", "x y", "x+1", "_"] {
            assert!(!is_valid_unknown(bad), "{bad:?} should be invalid");
        }
    }

    #[test]
    fn build_task_rejects_two_roundings() {
        let result = build_task(TaskKind::Solve, vec![], Some(2), Some(3));
        assert!(matches!(result, Err(CheckError::BothRoundings)));
    }

    #[test]
    fn build_task_rejects_zero_sf() {
        let result = build_task(TaskKind::Evaluate, vec![], None, Some(0));
        assert!(matches!(result, Err(CheckError::ZeroSignificantFigures)));
    }

    #[test]
    fn case_for_as_text_or_list() {
        let text = r#"{"task":"solve","for":"x, y","lines":["x + y = 2"]}"#;
        let list = r#"{"task":"solve","for":["x","y"],"lines":["x + y = 2"]}"#;
        for line in [text, list] {
            let (task, lines) = parse_case(line).expect("valid case");
            assert_eq!(task.unknowns, vec!["x".to_string(), "y".to_string()]);
            assert_eq!(lines.len(), 1);
        }
    }

    #[test]
    fn case_with_rounding() {
        let (task, _) =
            parse_case(r#"{"task":"evaluate","sf":3,"lines":["1/3"]}"#).expect("valid case");
        assert_eq!(task.rounding, Some(Rounding::SignificantFigures(3)));
        assert_eq!(task.kind, TaskKind::Evaluate);
    }

    #[test]
    fn case_rejects_unknown_task() {
        let error = parse_case(r#"{"task":"integrate","lines":["x"]}"#).expect_err("invalid");
        assert!(error.to_string().contains("integrate"), "{error}");
    }

    #[test]
    fn case_rejects_unknown_field() {
        let error =
            parse_case(r#"{"task":"solve","lnes":["x = 1"],"lines":[]}"#).expect_err("invalid");
        assert!(error.to_string().contains("lnes"), "{error}");
    }

    #[test]
    fn format_line_pads_and_marks() {
        let line = LineReport {
            input: "2x = 8".into(),
            verdict: Verdict::Wrong,
            diagnosis: Some("sign-error-moving-term".into()),
            message: "check the sign".into(),
            ecf: false,
        };
        assert_eq!(
            format_line(&line, 8),
            "✗ 2x = 8     check the sign [sign-error-moving-term]"
        );
    }
}
