//! A practice session on one question: the lines typed so far, their
//! verdicts, hint levels, the worked example and the draft to resume from.
//!
//! The session keeps no clock and draws no randomness: the caller passes the
//! seed of a new question, and storing the draft is the caller's job. The
//! phone apps reach it through the bindings; its state is small enough to
//! save after every line.

use thiserror::Error;

use crate::check::{
    check_working, hint, FinalReport, FinalVerdict, HintLevel, LineReport, Report, Verdict,
};
use crate::generate::{self, GenerateError, Question, QuestionId, Skill};

/// Hint levels a question offers: a nudge, the next step, the next line.
pub const MAX_HINT_LEVEL: u8 = 3;

/// A failure to start, resume or continue a practice session.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PracticeError {
    #[error(transparent)]
    Generate(#[from] GenerateError),
    #[error("the line is empty; type some working before submitting it")]
    EmptyLine,
    #[error("question {id} is already answered; start the next question")]
    Finished { id: String },
    #[error("invalid draft for {id}: hint level {level} is above {max}")]
    InvalidDraft { id: String, level: u8, max: u8 },
}

/// What a session needs to resume: the question id, the lines typed after
/// the question's own line, and the highest hint level shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    pub question_id: String,
    pub lines: Vec<String>,
    pub hint_level: u8,
}

/// The checker's word on a submitted line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineOutcome {
    pub line: LineReport,
    pub final_answer: FinalReport,
    /// True once the final answer is correct, in value and in form.
    pub finished: bool,
}

/// One question being worked on.
#[derive(Debug, Clone)]
pub struct Session {
    skill: Skill,
    question: Question,
    lines: Vec<String>,
    hint_level: u8,
}

impl Session {
    /// Starts a new question of skill `skill_id`, generated from its first
    /// template at `seed`.
    pub fn start(skills: &[Skill], skill_id: &str, seed: u64) -> Result<Session, PracticeError> {
        let skill = find_skill(skills, skill_id)?;
        let version = skill
            .templates
            .first()
            .map_or(1, |template| template.version);
        let question = generate::generate(skill, version, seed)?;
        Ok(Session::on(skill.clone(), question))
    }

    /// Starts the question that `question_id` (`skill/version/seed`) names.
    pub fn start_question(skills: &[Skill], question_id: &str) -> Result<Session, PracticeError> {
        let id = QuestionId::parse(question_id)?;
        let skill = find_skill(skills, &id.skill)?;
        let question = generate::generate(skill, id.version, id.seed)?;
        Ok(Session::on(skill.clone(), question))
    }

    /// Resumes a session from its draft.
    pub fn resume(skills: &[Skill], draft: &Draft) -> Result<Session, PracticeError> {
        if draft.hint_level > MAX_HINT_LEVEL {
            return Err(PracticeError::InvalidDraft {
                id: draft.question_id.clone(),
                level: draft.hint_level,
                max: MAX_HINT_LEVEL,
            });
        }
        let mut session = Session::start_question(skills, &draft.question_id)?;
        session.lines = draft.lines.clone();
        session.hint_level = draft.hint_level;
        Ok(session)
    }

    fn on(skill: Skill, question: Question) -> Session {
        tracing::debug!(question = %question.id, "practice question started");
        Session {
            skill,
            question,
            lines: Vec::new(),
            hint_level: 0,
        }
    }

    pub fn question(&self) -> &Question {
        &self.question
    }

    /// The lines typed after the question's own line.
    pub fn lines(&self) -> &[String] {
        &self.lines
    }

    /// The highest hint level shown so far, 0 when none.
    pub fn hint_level(&self) -> u8 {
        self.hint_level
    }

    /// The checker's report on the question's line and every typed line.
    pub fn report(&self) -> Report {
        let mut lines: Vec<&str> = vec![&self.question.start];
        lines.extend(self.lines.iter().map(String::as_str));
        check_working(&self.question.check_task(), &lines)
    }

    /// True once the last line is a correct final answer.
    pub fn is_finished(&self) -> bool {
        !self.lines.is_empty() && self.report().final_answer.verdict == FinalVerdict::Correct
    }

    /// Checks `line` after the lines so far and keeps it, whatever its verdict.
    pub fn submit(&mut self, line: &str) -> Result<LineOutcome, PracticeError> {
        let line = line.trim();
        if line.is_empty() {
            return Err(PracticeError::EmptyLine);
        }
        if self.is_finished() {
            return Err(PracticeError::Finished {
                id: self.question.id.to_string(),
            });
        }
        self.lines.push(line.to_string());
        let report = self.report();
        tracing::trace!(question = %self.question.id, line, "line submitted");

        let line = report.lines.last().cloned().unwrap_or_else(|| LineReport {
            input: line.to_string(),
            verdict: Verdict::Unreadable,
            diagnosis: None,
            message: "the checker returned no report for this line".to_string(),
            ecf: false,
        });
        let finished = report.final_answer.verdict == FinalVerdict::Correct;
        Ok(LineOutcome {
            line,
            final_answer: report.final_answer,
            finished,
        })
    }

    /// Shows the next hint level, up to [`MAX_HINT_LEVEL`]: the checker's
    /// hint from the current line, or the skill's own hint at that level
    /// when the checker has none. Returns the level and the text.
    pub fn next_hint(&mut self) -> (u8, String) {
        self.hint_level = (self.hint_level + 1).min(MAX_HINT_LEVEL);
        let level = match self.hint_level {
            1 => HintLevel::Nudge,
            2 => HintLevel::NextStep,
            _ => HintLevel::NextLine,
        };
        let mut lines: Vec<&str> = vec![&self.question.start];
        lines.extend(self.lines.iter().map(String::as_str));
        let text = match hint(&self.question.check_task(), &lines, level) {
            Some(found) => match found.next_line {
                Some(next) => format!("the next line could be: {next}"),
                None => found.text,
            },
            None => self
                .skill
                .hints
                .get(usize::from(self.hint_level) - 1)
                .cloned()
                .unwrap_or_else(|| "no hint is available for this step yet".to_string()),
        };
        (self.hint_level, text)
    }

    /// The skill's worked example, with its model solution.
    pub fn worked_example(&self) -> Result<Question, PracticeError> {
        Ok(generate::worked_example(&self.skill)?)
    }

    /// The state to save so that [`Session::resume`] can carry on.
    pub fn draft(&self) -> Draft {
        Draft {
            question_id: self.question.id.to_string(),
            lines: self.lines.clone(),
            hint_level: self.hint_level,
        }
    }
}

fn find_skill<'a>(skills: &'a [Skill], id: &str) -> Result<&'a Skill, GenerateError> {
    skills
        .iter()
        .find(|skill| skill.id == id)
        .ok_or_else(|| GenerateError::UnknownSkill(id.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::builtin::builtin;

    #[test]
    fn model_solution_finishes_session() {
        let skills = builtin().expect("built-in skills load");
        let mut session =
            Session::start(&skills, &skills[0].id, 7).expect("the first skill generates");
        let solution = session.question().solution.clone();
        let mut last = None;
        for line in &solution {
            last = Some(session.submit(line).expect("a model line is accepted"));
        }
        let last = last.expect("the model solution has lines");
        assert!(last.finished);
        assert_eq!(last.final_answer.verdict, FinalVerdict::Correct);
        assert!(session.is_finished());
        assert!(matches!(
            session.submit("1"),
            Err(PracticeError::Finished { .. })
        ));
    }

    #[test]
    fn draft_resumes_same_state() {
        let skills = builtin().expect("built-in skills load");
        let mut session = Session::start_question(&skills, "alg.linear.solve-two-step/1/42")
            .expect("the question generates");
        session.submit("nonsense ((").expect("a line is kept");
        let (level, text) = session.next_hint();
        assert_eq!(level, 1);
        assert!(!text.is_empty());

        let resumed = Session::resume(&skills, &session.draft()).expect("the draft resumes");
        assert_eq!(resumed.lines(), session.lines());
        assert_eq!(resumed.hint_level(), 1);
        assert_eq!(resumed.question(), session.question());
    }

    #[test]
    fn bad_input_rejected() {
        let skills = builtin().expect("built-in skills load");
        assert!(matches!(
            Session::start(&skills, "no.such.skill", 1),
            Err(PracticeError::Generate(GenerateError::UnknownSkill(_)))
        ));
        assert!(matches!(
            Session::start_question(&skills, "alg/x/1"),
            Err(PracticeError::Generate(
                GenerateError::InvalidQuestionId { .. }
            ))
        ));
        let mut session = Session::start(&skills, &skills[0].id, 1).expect("generates");
        assert_eq!(session.submit("   "), Err(PracticeError::EmptyLine));
        let draft = Draft {
            hint_level: 4,
            ..session.draft()
        };
        assert!(matches!(
            Session::resume(&skills, &draft),
            Err(PracticeError::InvalidDraft { level: 4, .. })
        ));
    }
}
