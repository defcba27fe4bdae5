//! The working checker: a verdict for every typed line and for the final answer.
//!
//! (The types are fixed; the implementation is being written.)

use serde::{Deserialize, Serialize};

/// What the question asks the student to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TaskKind {
    Solve,
    Simplify,
    Expand,
    Factorise,
    Evaluate,
    Rearrange,
}

/// How a numeric final answer must be rounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Rounding {
    DecimalPlaces(u32),
    SignificantFigures(u32),
}

/// A question as the checker sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Task {
    pub kind: TaskKind,
    /// The unknowns to solve for or the subject to rearrange to; empty means
    /// "every letter in the question".
    pub unknowns: Vec<String>,
    pub rounding: Option<Rounding>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// The question's own line.
    Start,
    Follows,
    Warning,
    Wrong,
    Unreadable,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineReport {
    pub input: String,
    pub verdict: Verdict,
    /// Misconception id, such as `sign-error-moving-term`, when one is found.
    pub diagnosis: Option<String>,
    /// Feedback in a teacher's words.
    pub message: String,
    /// True when the line follows from an earlier wrong line (error carried forward).
    pub ecf: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FinalVerdict {
    Correct,
    Incorrect,
    WrongForm,
    Unfinished,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FinalReport {
    pub verdict: FinalVerdict,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub lines: Vec<LineReport>,
    #[serde(rename = "final")]
    pub final_answer: FinalReport,
}

/// Hint levels: a nudge, the name of the next step, the next line itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum HintLevel {
    Nudge = 1,
    NextStep = 2,
    NextLine = 3,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hint {
    pub level: HintLevel,
    pub text: String,
    /// For the third level: the line the student could type next.
    pub next_line: Option<String>,
}

/// Checks every line of `lines`; `lines[0]` is the question's starting line.
pub fn check_working(task: &Task, lines: &[&str]) -> Report {
    let _ = task;
    Report {
        lines: lines
            .iter()
            .map(|l| LineReport {
                input: (*l).to_string(),
                verdict: Verdict::Unreadable,
                diagnosis: None,
                message: "checker not written yet".into(),
                ecf: false,
            })
            .collect(),
        final_answer: FinalReport {
            verdict: FinalVerdict::Unfinished,
            message: String::new(),
        },
    }
}

/// A hint from where the student is: `lines[0]` is the question, the rest the working so far.
pub fn hint(task: &Task, lines: &[&str], level: HintLevel) -> Option<Hint> {
    let _ = (task, lines, level);
    None
}
