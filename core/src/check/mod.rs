//! The working checker: a verdict for every typed line and for the final answer.
//!
//! A line is compared with the last line that was right (or the question).
//! A wrong line is kept too: later lines that follow from it are marked as
//! error carried forward, as UK exam marking does. The final line is checked
//! for value against the question and for the form the question asks.

mod connective;
mod diagnose;
mod form;
mod hint;
mod rounding;
mod run;

pub use hint::hint;
pub use run::check_working;

use serde::{Deserialize, Serialize};

/// Work units for every comparison made for one line of working: its own
/// check, the error-carried-forward check and the diagnosis. The costliest
/// two-line check in the peer corpus spends about 74,000 in all.
pub const LINE_WORK: u64 = 100_000;

/// Work units for a whole check: every line and the final verdict. The
/// `hostile` benchmark's slowest working of up to 8 lines of 400
/// characters took 86 ms in a release build with this cap.
pub const CHECK_WORK: u64 = 150_000;

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

impl TaskKind {
    /// Every task kind, in the order the fuzz target and the benchmarks pick them by index.
    pub const ALL: [TaskKind; 6] = [
        TaskKind::Solve,
        TaskKind::Simplify,
        TaskKind::Expand,
        TaskKind::Factorise,
        TaskKind::Evaluate,
        TaskKind::Rearrange,
    ];
}

/// How a numeric final answer must be rounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Rounding {
    DecimalPlaces(u32),
    SignificantFigures(u32),
}

/// The form a final answer must take, beyond having the right value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnswerForm {
    /// `x = 5`, `x = 2 or x = -3`, `x > 4`: the unknown alone on one side.
    Isolated,
    /// No brackets left and like terms collected.
    Expanded,
    /// A product of factors that cannot be factorised further over the integers.
    Factorised,
    /// Like terms collected, fractions cancelled, surds simplified.
    Simplified,
    /// A number in simplest form, or rounded as the question says.
    Number,
    /// `a × 10^n` with `1 ≤ a < 10`.
    StandardForm,
}

/// A question as the checker sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Task {
    pub kind: TaskKind,
    /// The unknowns to solve for or the subject to rearrange to; empty means
    /// "every letter in the question".
    pub unknowns: Vec<String>,
    pub rounding: Option<Rounding>,
    /// The required form; `None` means the usual form for the task.
    pub form: Option<AnswerForm>,
}

impl Task {
    pub fn new(kind: TaskKind) -> Task {
        Task {
            kind,
            unknowns: Vec::new(),
            rounding: None,
            form: None,
        }
    }

    /// The form the final answer must take.
    pub fn answer_form(&self) -> AnswerForm {
        self.form.unwrap_or(match self.kind {
            TaskKind::Solve | TaskKind::Rearrange => AnswerForm::Isolated,
            TaskKind::Simplify => AnswerForm::Simplified,
            TaskKind::Expand => AnswerForm::Expanded,
            TaskKind::Factorise => AnswerForm::Factorised,
            TaskKind::Evaluate => AnswerForm::Number,
        })
    }

    /// True when lines are equations or inequalities rather than expressions.
    pub fn works_with_statements(&self) -> bool {
        matches!(self.kind, TaskKind::Solve | TaskKind::Rearrange)
    }
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
