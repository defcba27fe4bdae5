//! The working checker and the expression engine: records mirroring
//! `stepwise_core::check`, and the `MathsChecker` object.

use std::sync::Arc;

use stepwise_core::check as core;
use stepwise_core::maths;

/// A failure to read or compare typed maths.
#[derive(Debug, thiserror::Error, uniffi::Error)]
#[uniffi(flat_error)]
pub enum MathsError {
    /// The line could not be read; `column` is 1-based, in characters.
    #[error("column {column}: {reason}")]
    Unreadable { column: u32, reason: String },
    /// The line was read but could not be worked with.
    #[error("{reason}")]
    Failed { reason: String },
}

impl From<maths::MathsError> for MathsError {
    fn from(error: maths::MathsError) -> Self {
        match error {
            maths::MathsError::Parse(parse) => parse.into(),
            other => MathsError::Failed {
                reason: other.to_string(),
            },
        }
    }
}

impl From<maths::ParseError> for MathsError {
    fn from(error: maths::ParseError) -> Self {
        MathsError::Unreadable {
            column: u32::try_from(error.column).unwrap_or(u32::MAX),
            reason: error.message,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum TaskKind {
    Solve,
    Simplify,
    Expand,
    Factorise,
    Evaluate,
    Rearrange,
}

impl From<TaskKind> for core::TaskKind {
    fn from(kind: TaskKind) -> Self {
        match kind {
            TaskKind::Solve => core::TaskKind::Solve,
            TaskKind::Simplify => core::TaskKind::Simplify,
            TaskKind::Expand => core::TaskKind::Expand,
            TaskKind::Factorise => core::TaskKind::Factorise,
            TaskKind::Evaluate => core::TaskKind::Evaluate,
            TaskKind::Rearrange => core::TaskKind::Rearrange,
        }
    }
}

impl From<core::TaskKind> for TaskKind {
    fn from(kind: core::TaskKind) -> Self {
        match kind {
            core::TaskKind::Solve => TaskKind::Solve,
            core::TaskKind::Simplify => TaskKind::Simplify,
            core::TaskKind::Expand => TaskKind::Expand,
            core::TaskKind::Factorise => TaskKind::Factorise,
            core::TaskKind::Evaluate => TaskKind::Evaluate,
            core::TaskKind::Rearrange => TaskKind::Rearrange,
        }
    }
}

/// How a numeric final answer must be rounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Rounding {
    DecimalPlaces { places: u32 },
    SignificantFigures { figures: u32 },
}

impl From<Rounding> for core::Rounding {
    fn from(rounding: Rounding) -> Self {
        match rounding {
            Rounding::DecimalPlaces { places } => core::Rounding::DecimalPlaces(places),
            Rounding::SignificantFigures { figures } => core::Rounding::SignificantFigures(figures),
        }
    }
}

impl From<core::Rounding> for Rounding {
    fn from(rounding: core::Rounding) -> Self {
        match rounding {
            core::Rounding::DecimalPlaces(places) => Rounding::DecimalPlaces { places },
            core::Rounding::SignificantFigures(figures) => Rounding::SignificantFigures { figures },
        }
    }
}

/// The form a final answer must take, beyond having the right value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum AnswerForm {
    Isolated,
    Expanded,
    Factorised,
    Simplified,
    Number,
    StandardForm,
}

impl From<AnswerForm> for core::AnswerForm {
    fn from(form: AnswerForm) -> Self {
        match form {
            AnswerForm::Isolated => core::AnswerForm::Isolated,
            AnswerForm::Expanded => core::AnswerForm::Expanded,
            AnswerForm::Factorised => core::AnswerForm::Factorised,
            AnswerForm::Simplified => core::AnswerForm::Simplified,
            AnswerForm::Number => core::AnswerForm::Number,
            AnswerForm::StandardForm => core::AnswerForm::StandardForm,
        }
    }
}

impl From<core::AnswerForm> for AnswerForm {
    fn from(form: core::AnswerForm) -> Self {
        match form {
            core::AnswerForm::Isolated => AnswerForm::Isolated,
            core::AnswerForm::Expanded => AnswerForm::Expanded,
            core::AnswerForm::Factorised => AnswerForm::Factorised,
            core::AnswerForm::Simplified => AnswerForm::Simplified,
            core::AnswerForm::Number => AnswerForm::Number,
            core::AnswerForm::StandardForm => AnswerForm::StandardForm,
        }
    }
}

/// A question as the checker sees it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CheckTask {
    pub kind: TaskKind,
    /// Letters to solve for or the subject; empty means every letter.
    pub unknowns: Vec<String>,
    pub rounding: Option<Rounding>,
    /// The required form; none means the usual form for the task.
    pub form: Option<AnswerForm>,
}

impl From<CheckTask> for core::Task {
    fn from(task: CheckTask) -> Self {
        core::Task {
            kind: task.kind.into(),
            unknowns: task.unknowns,
            rounding: task.rounding.map(Into::into),
            form: task.form.map(Into::into),
        }
    }
}

impl From<core::Task> for CheckTask {
    fn from(task: core::Task) -> Self {
        CheckTask {
            kind: task.kind.into(),
            unknowns: task.unknowns,
            rounding: task.rounding.map(Into::into),
            form: task.form.map(Into::into),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Verdict {
    /// The question's own line.
    Start,
    Follows,
    Warning,
    Wrong,
    Unreadable,
}

impl From<core::Verdict> for Verdict {
    fn from(verdict: core::Verdict) -> Self {
        match verdict {
            core::Verdict::Start => Verdict::Start,
            core::Verdict::Follows => Verdict::Follows,
            core::Verdict::Warning => Verdict::Warning,
            core::Verdict::Wrong => Verdict::Wrong,
            core::Verdict::Unreadable => Verdict::Unreadable,
        }
    }
}

/// The checker's verdict on one line.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct LineReport {
    pub input: String,
    pub verdict: Verdict,
    /// Misconception id, such as `sign-error-moving-term`, when one is found.
    pub diagnosis: Option<String>,
    /// Feedback in a teacher's words.
    pub feedback: String,
    /// True when the line follows from an earlier wrong line.
    pub error_carried_forward: bool,
}

impl From<core::LineReport> for LineReport {
    fn from(line: core::LineReport) -> Self {
        LineReport {
            input: line.input,
            verdict: line.verdict.into(),
            diagnosis: line.diagnosis,
            feedback: line.message,
            error_carried_forward: line.ecf,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum FinalVerdict {
    Correct,
    Incorrect,
    WrongForm,
    Unfinished,
}

impl From<core::FinalVerdict> for FinalVerdict {
    fn from(verdict: core::FinalVerdict) -> Self {
        match verdict {
            core::FinalVerdict::Correct => FinalVerdict::Correct,
            core::FinalVerdict::Incorrect => FinalVerdict::Incorrect,
            core::FinalVerdict::WrongForm => FinalVerdict::WrongForm,
            core::FinalVerdict::Unfinished => FinalVerdict::Unfinished,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct FinalReport {
    pub verdict: FinalVerdict,
    pub feedback: String,
}

impl From<core::FinalReport> for FinalReport {
    fn from(report: core::FinalReport) -> Self {
        FinalReport {
            verdict: report.verdict.into(),
            feedback: report.message,
        }
    }
}

/// Verdicts for every line (the question's first) and for the final answer.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Report {
    pub lines: Vec<LineReport>,
    pub final_answer: FinalReport,
}

impl From<core::Report> for Report {
    fn from(report: core::Report) -> Self {
        Report {
            lines: report.lines.into_iter().map(Into::into).collect(),
            final_answer: report.final_answer.into(),
        }
    }
}

/// A line in the engine's plain text, LaTeX and spoken forms.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct DisplayForms {
    pub plain: String,
    pub latex: String,
    pub spoken: String,
}

/// The working checker and the expression engine. It has no state: one
/// object can serve every screen and thread.
#[derive(Debug, Default, uniffi::Object)]
pub struct MathsChecker;

#[uniffi::export]
impl MathsChecker {
    #[uniffi::constructor]
    pub fn new() -> Arc<Self> {
        Arc::new(MathsChecker)
    }

    /// Checks `lines`: the question's own line first, then the working.
    pub fn check_lines(&self, task: CheckTask, lines: Vec<String>) -> Report {
        let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
        core::check_working(&task.into(), &lines).into()
    }

    /// Whether two lines say the same thing: expressions equal everywhere,
    /// or equations, inequalities or systems with the same real solutions.
    pub fn equivalent(&self, first: String, second: String) -> Result<bool, MathsError> {
        Ok(maths::equivalent(&first, &second)?)
    }

    /// Reads `line` and formats it for display and for screen readers.
    pub fn display_forms(&self, line: String) -> Result<DisplayForms, MathsError> {
        let statement = maths::parse(&line)?.statement;
        Ok(DisplayForms {
            plain: maths::format::plain(&statement),
            latex: maths::format::latex(&statement),
            spoken: maths::format::spoken(&statement),
        })
    }
}
