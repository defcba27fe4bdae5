//! The content lint: every template, over many seeds, must generate a
//! question whose model solution the real checker follows line by line and
//! whose answer it marks correct in the required form.
//!
//! [`lint`] runs seeds `0..seeds` of every template and the worked example
//! of every skill, and returns each failure with the question id (skill,
//! version, seed) and the reason, so that a broken template can be found
//! and fixed from the message alone.

use std::fmt;

use crate::check::{check_working, FinalVerdict, Verdict};

use super::{count_distinct, generate, worked_example, QuestionId, Skill};

/// Failures recorded per template before the lint moves on, so that one
/// broken template does not bury the others.
const MAX_FAILURES_PER_TEMPLATE: usize = 3;

/// One question that failed the lint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LintFailure {
    /// The question, as `skill/version/seed`.
    pub id: QuestionId,
    /// What went wrong, in words.
    pub reason: String,
}

impl fmt::Display for LintFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.id, self.reason)
    }
}

/// The outcome of linting a set of skills.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LintReport {
    /// Questions generated and checked.
    pub checked: u64,
    /// Templates linted.
    pub templates: usize,
    /// Skills linted.
    pub skills: usize,
    pub failures: Vec<LintFailure>,
}

impl LintReport {
    /// Returns true when no question failed.
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

/// Lints every template of `skills` over seeds `0..seeds`, and every
/// skill's worked example.
pub fn lint(skills: &[Skill], seeds: u64) -> LintReport {
    let mut report = LintReport {
        skills: skills.len(),
        ..LintReport::default()
    };
    for skill in skills {
        for template in &skill.templates {
            report.templates += 1;
            let mut failed = 0;
            for seed in 0..seeds {
                report.checked += 1;
                let id = QuestionId {
                    skill: skill.id.clone(),
                    version: template.version,
                    seed,
                };
                if let Err(reason) = lint_question(skill, template.version, seed) {
                    report.failures.push(LintFailure { id, reason });
                    failed += 1;
                    if failed >= MAX_FAILURES_PER_TEMPLATE {
                        break;
                    }
                }
            }
        }
        match worked_example(skill) {
            Ok(question) => {
                if let Err(reason) = check_model_solution(&question) {
                    report.failures.push(LintFailure {
                        id: question.id,
                        reason: format!("worked example: {reason}"),
                    });
                }
            }
            Err(error) => report.failures.push(LintFailure {
                id: QuestionId {
                    skill: skill.id.clone(),
                    version: 0,
                    seed: super::WORKED_EXAMPLE_SEED,
                },
                reason: format!("worked example: {error}"),
            }),
        }
    }
    report
}

/// Generates one question and checks its model solution.
pub fn lint_question(skill: &Skill, version: u32, seed: u64) -> Result<(), String> {
    let question = generate(skill, version, seed).map_err(|error| error.to_string())?;
    check_model_solution(&question)
}

/// Runs the question's start and model solution through the checker: the
/// start must be readable, every later line must follow, and the final
/// answer must be correct and in the required form.
pub fn check_model_solution(question: &super::Question) -> Result<(), String> {
    let mut lines = vec![question.start.as_str()];
    lines.extend(question.solution.iter().map(String::as_str));
    let report = check_working(&question.check_task(), &lines);
    if let Some(first) = report.lines.first() {
        if first.verdict == Verdict::Unreadable {
            return Err(format!(
                "the question line `{}` does not parse: {}",
                first.input, first.message
            ));
        }
    }
    if let Some(line) = report
        .lines
        .iter()
        .skip(1)
        .find(|line| line.verdict != Verdict::Follows)
    {
        return Err(format!(
            "model solution line `{}` was marked {:?}: {}",
            line.input, line.verdict, line.message
        ));
    }
    if report.final_answer.verdict != FinalVerdict::Correct {
        return Err(format!(
            "answer `{}` was marked {:?} (form {:?}): {}",
            question.answer,
            report.final_answer.verdict,
            question.form,
            report.final_answer.message
        ));
    }
    Ok(())
}

/// The number of distinct questions one skill can produce.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkillCount {
    pub skill: String,
    /// Sum over the skill's templates.
    pub count: u128,
    /// False when any template's count is an estimate.
    pub exact: bool,
}

/// Counts the distinct questions of every skill, template by template
/// (see [`count_distinct`]).
pub fn catalogue(skills: &[Skill]) -> Result<Vec<SkillCount>, super::GenerateError> {
    skills
        .iter()
        .map(|skill| {
            let mut count = 0u128;
            let mut exact = true;
            for template in &skill.templates {
                let distinct = count_distinct(template)?;
                count += distinct.count;
                exact &= distinct.exact;
            }
            Ok(SkillCount {
                skill: skill.id.clone(),
                count,
                exact,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::builtin::builtin;

    #[test]
    fn builtin_content_passes_a_short_lint() {
        let skills = builtin().expect("built-in content loads");
        let report = lint(&skills, 5);
        assert!(report.passed(), "{:?}", report.failures);
        assert!(report.checked >= 5 * report.templates as u64);
    }

    #[test]
    fn a_wrong_model_solution_fails_with_id_and_reason() {
        let source = r#"
id = "alg.linear.solve-one-step"
title = "t"
tier = "KS3"
strand = "algebra"
task = "solve"
unknowns = ["x"]
hints = ["a", "b", "c"]

[[template]]
version = 1
difficulty = 1
params.a = { min = 2, max = 5 }
params.r = { min = 2, max = 5 }
derived = ["c = a * r", "w = r + 1"]
text = "Solve."
start = "{a}x = {c}"
answer = "x = {w}"
form = "isolated"
solution = ["x = {w}"]
"#;
        let skill = Skill::from_toml("t.toml", source).expect("loads");
        let report = lint(&[skill], 10);
        assert!(!report.passed());
        let first = &report.failures[0];
        assert_eq!(first.id.skill, "alg.linear.solve-one-step");
        assert_eq!(first.id.version, 1);
        assert!(first.reason.contains("x = "), "{}", first.reason);
        // Three per template, plus the worked example.
        assert_eq!(report.failures.len(), 4);
    }

    #[test]
    fn catalogue_counts_every_skill() {
        let skills = builtin().expect("built-in content loads");
        let counts = catalogue(&skills[..3]).expect("counts");
        assert_eq!(counts.len(), 3);
        assert!(counts.iter().all(|count| count.count > 0));
    }
}
