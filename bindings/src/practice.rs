//! A practice session on one question, `stepwise_core::practice`.

use std::sync::{Arc, Mutex, MutexGuard};

use stepwise_core::generate::Question;
use stepwise_core::practice::{self as core, Session};

use crate::catalogue::SkillCatalogue;
use crate::maths::{AnswerForm, FinalReport, LineReport, Report, TaskKind};

/// A failure to start, resume or continue a practice session.
#[derive(Debug, thiserror::Error, uniffi::Error)]
#[uniffi(flat_error)]
pub enum PracticeError {
    #[error("{reason}")]
    QuestionUnavailable { reason: String },
    #[error("the line is empty; type some working before submitting it")]
    EmptyLine,
    #[error("question {question_id} is already answered; start the next question")]
    Finished { question_id: String },
    #[error("{reason}")]
    InvalidDraft { reason: String },
}

impl From<core::PracticeError> for PracticeError {
    fn from(error: core::PracticeError) -> Self {
        match error {
            core::PracticeError::Generate(generate) => PracticeError::QuestionUnavailable {
                reason: generate.to_string(),
            },
            core::PracticeError::EmptyLine => PracticeError::EmptyLine,
            core::PracticeError::Finished { id } => PracticeError::Finished { question_id: id },
            invalid @ core::PracticeError::InvalidDraft { .. } => PracticeError::InvalidDraft {
                reason: invalid.to_string(),
            },
        }
    }
}

/// A generated question with its model solution.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct QuestionRecord {
    /// `skill/version/seed`, which regenerates the question.
    pub id: String,
    pub skill_id: String,
    /// The instruction shown to the student.
    pub text: String,
    /// The question's own first line, which the working starts from.
    pub start: String,
    pub answer: String,
    pub task: TaskKind,
    pub form: AnswerForm,
    /// The lines a student would type after `start`, ending with `answer`.
    pub solution: Vec<String>,
}

impl From<&Question> for QuestionRecord {
    fn from(question: &Question) -> Self {
        QuestionRecord {
            id: question.id.to_string(),
            skill_id: question.skill.clone(),
            text: question.text.clone(),
            start: question.start.clone(),
            answer: question.answer.clone(),
            task: question.task.into(),
            form: AnswerForm::from(question.check_task().answer_form()),
            solution: question.solution.clone(),
        }
    }
}

/// What a session needs to resume.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Draft {
    pub question_id: String,
    /// The lines typed after the question's own line.
    pub lines: Vec<String>,
    /// The highest hint level shown, 0 to 3.
    pub hint_level: u8,
}

impl From<core::Draft> for Draft {
    fn from(draft: core::Draft) -> Self {
        Draft {
            question_id: draft.question_id,
            lines: draft.lines,
            hint_level: draft.hint_level,
        }
    }
}

impl From<Draft> for core::Draft {
    fn from(draft: Draft) -> Self {
        core::Draft {
            question_id: draft.question_id,
            lines: draft.lines,
            hint_level: draft.hint_level,
        }
    }
}

/// The checker's word on a submitted line.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct LineOutcome {
    pub line: LineReport,
    pub final_answer: FinalReport,
    /// True once the final answer is correct, in value and in form.
    pub finished: bool,
}

impl From<core::LineOutcome> for LineOutcome {
    fn from(outcome: core::LineOutcome) -> Self {
        LineOutcome {
            line: outcome.line.into(),
            final_answer: outcome.final_answer.into(),
            finished: outcome.finished,
        }
    }
}

/// A hint at one level: 1 a nudge, 2 the next step, 3 the next line.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct HintRecord {
    pub level: u8,
    pub text: String,
}

/// One question being worked on.
#[derive(Debug, uniffi::Object)]
pub struct PracticeSession {
    session: Mutex<Session>,
}

impl PracticeSession {
    fn wrap(session: Result<Session, core::PracticeError>) -> Result<Arc<Self>, PracticeError> {
        Ok(Arc::new(PracticeSession {
            session: Mutex::new(session?),
        }))
    }

    fn session(&self) -> MutexGuard<'_, Session> {
        // Every session method leaves it consistent, so a poisoned lock
        // still holds a usable session.
        self.session
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[uniffi::export]
impl PracticeSession {
    /// Starts a new question of a skill; `seed` picks the question.
    #[uniffi::constructor]
    pub fn start(
        catalogue: Arc<SkillCatalogue>,
        skill_id: String,
        seed: u64,
    ) -> Result<Arc<Self>, PracticeError> {
        Self::wrap(Session::start(catalogue.skills_slice(), &skill_id, seed))
    }

    /// Starts the question that `question_id` (`skill/version/seed`) names.
    #[uniffi::constructor]
    pub fn start_question(
        catalogue: Arc<SkillCatalogue>,
        question_id: String,
    ) -> Result<Arc<Self>, PracticeError> {
        Self::wrap(Session::start_question(
            catalogue.skills_slice(),
            &question_id,
        ))
    }

    #[uniffi::constructor]
    pub fn resume(
        catalogue: Arc<SkillCatalogue>,
        draft: Draft,
    ) -> Result<Arc<Self>, PracticeError> {
        Self::wrap(Session::resume(catalogue.skills_slice(), &draft.into()))
    }

    pub fn question(&self) -> QuestionRecord {
        self.session().question().into()
    }

    pub fn lines(&self) -> Vec<String> {
        self.session().lines().to_vec()
    }

    /// Checks a line after the lines so far and keeps it.
    pub fn submit(&self, line: String) -> Result<LineOutcome, PracticeError> {
        Ok(self.session().submit(&line)?.into())
    }

    /// Verdicts on the question's line and every typed line.
    pub fn report(&self) -> Report {
        self.session().report().into()
    }

    pub fn is_finished(&self) -> bool {
        self.session().is_finished()
    }

    /// The next hint level, up to 3, from the student's current line.
    pub fn next_hint(&self) -> HintRecord {
        let (level, text) = self.session().next_hint();
        HintRecord { level, text }
    }

    pub fn hint_level(&self) -> u8 {
        self.session().hint_level()
    }

    /// The skill's worked example, with its model solution.
    pub fn worked_example(&self) -> Result<QuestionRecord, PracticeError> {
        Ok((&self.session().worked_example()?).into())
    }

    /// The state to save after each line, for `resume`.
    pub fn draft(&self) -> Draft {
        self.session().draft().into()
    }
}
