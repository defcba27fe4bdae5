//! Question templates to questions, deterministically from a seed.
//!
//! A question is fully determined by its [`QuestionId`], written
//! `skill/version/seed` (such as `alg.linear.solve-two-step/1/42`).
//! [`generate`] seeds the project's own generator ([`rng`]) with the seed,
//! draws every parameter of the template in name order, computes the derived
//! values and checks the constraints ([`eval`]). When a constraint fails it
//! draws again from the same stream, up to [`MAX_ATTEMPTS`] times, so the
//! result still depends on the id alone. It then fills in the question's
//! text, starting line, answer and model solution ([`render`]).
//!
//! Skills are TOML files ([`template`] describes the format) under
//! `content/skills/`, compiled into the binary by [`builtin`].

pub mod builtin;
pub mod eval;
pub mod lint;
pub mod order;
#[cfg(feature = "toml")]
pub mod pack;
pub mod render;
pub mod rng;
pub mod template;

use std::collections::{HashMap, HashSet};
use std::fmt;

use num_bigint::BigInt;
use num_rational::BigRational;
use thiserror::Error;

use crate::check::{Rounding, TaskKind};
use eval::EvalError;
use render::{RenderError, Values};
use rng::Rng;
pub use template::{AnswerForm, DigitCount, RoundingSpec, Skill, Template, Tier};

/// Draws tried per question before giving up on a template's constraints.
pub const MAX_ATTEMPTS: u32 = 1000;

/// Seed of the question shown as a skill's worked example.
pub const WORKED_EXAMPLE_SEED: u64 = 1;

/// Parameter assignments above which [`count_distinct`] samples instead of
/// enumerating.
pub const MAX_ENUMERATED: u128 = 2_000_000;

/// Random assignments drawn when [`count_distinct`] estimates.
const ESTIMATE_SAMPLES: u32 = 20_000;

/// A failure to load a skill or to generate a question.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum GenerateError {
    #[error("invalid skill file {file}: {reason}")]
    InvalidSkill { file: String, reason: String },
    #[error("skill `{0}` not found; check the id against the built-in skills")]
    UnknownSkill(String),
    #[error("skill {skill} has no template version {version}; use one of {available}")]
    UnknownTemplate {
        skill: String,
        version: u32,
        available: String,
    },
    #[error(
        "template {skill}/{version} found no parameters satisfying its constraints for seed {seed} \
         in {attempts} attempts (last failed: `{constraint}`); widen the parameter ranges or loosen the constraint"
    )]
    ConstraintsUnsatisfied {
        skill: String,
        version: u32,
        seed: u64,
        attempts: u32,
        constraint: String,
    },
    #[error(
        "template {skill}/{version} failed to evaluate `{expression}` for seed {seed}: {source}"
    )]
    Eval {
        skill: String,
        version: u32,
        seed: u64,
        expression: String,
        source: Box<EvalError>,
    },
    #[error("template {skill}/{version} failed to render its {field} for seed {seed}: {source}")]
    Render {
        skill: String,
        version: u32,
        seed: u64,
        field: String,
        source: Box<RenderError>,
    },
    #[error(
        "template {skill}/{version} failed while counting questions at parameters {assignment}: {reason}; \
         fix the template so that every assignment evaluates"
    )]
    Count {
        skill: String,
        version: u32,
        assignment: String,
        reason: String,
    },
    #[error("invalid question id `{id}`: {reason}; write skill/version/seed, such as alg.linear.solve-two-step/1/42")]
    InvalidQuestionId { id: String, reason: String },
}

/// The id that determines a question: skill, template version and seed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct QuestionId {
    pub skill: String,
    pub version: u32,
    pub seed: u64,
}

impl QuestionId {
    /// Parses `skill/version/seed`.
    pub fn parse(text: &str) -> Result<QuestionId, GenerateError> {
        let invalid = |reason: &str| GenerateError::InvalidQuestionId {
            id: text.to_string(),
            reason: reason.to_string(),
        };
        let parts: Vec<&str> = text.split('/').collect();
        let [skill, version, seed] = parts.as_slice() else {
            return Err(invalid("expected three parts separated by `/`"));
        };
        if skill.is_empty() {
            return Err(invalid("the skill is empty"));
        }
        let version = version
            .parse::<u32>()
            .map_err(|_| invalid("the version is not a whole number"))?;
        let seed = seed
            .parse::<u64>()
            .map_err(|_| invalid("the seed is not a whole number below 2^64"))?;
        Ok(QuestionId {
            skill: skill.to_string(),
            version,
            seed,
        })
    }
}

impl fmt::Display for QuestionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{}", self.skill, self.version, self.seed)
    }
}

/// A generated question with its expected answer and model solution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    pub id: QuestionId,
    /// Id of the skill.
    pub skill: String,
    /// The instruction shown to the student.
    pub text: String,
    /// The question's own first line, which the checker starts from.
    pub start: String,
    pub answer: String,
    pub form: AnswerForm,
    pub task: TaskKind,
    pub unknowns: Vec<String>,
    pub rounding: Option<Rounding>,
    /// The lines a student would type after `start`; the last one is `answer`.
    pub solution: Vec<String>,
}

impl Question {
    /// The question as the working checker sees it.
    pub fn check_task(&self) -> crate::check::Task {
        use crate::check::AnswerForm as Form;
        let form = match self.form {
            AnswerForm::Isolated => Form::Isolated,
            AnswerForm::Factorised => Form::Factorised,
            AnswerForm::Expanded => Form::Expanded,
            AnswerForm::Simplified | AnswerForm::SimplestSurd | AnswerForm::LowestTerms => {
                Form::Simplified
            }
            AnswerForm::Integer | AnswerForm::Decimal | AnswerForm::Dp | AnswerForm::Sf => {
                Form::Number
            }
            AnswerForm::StandardForm => Form::StandardForm,
        };
        crate::check::Task {
            kind: self.task,
            unknowns: self.unknowns.clone(),
            rounding: self.rounding,
            form: Some(form),
        }
    }
}

/// Generates the question `skill/version/seed`.
pub fn generate(skill: &Skill, version: u32, seed: u64) -> Result<Question, GenerateError> {
    let template = skill.template(version)?;
    let values = draw(template, seed)?;
    build_question(skill, template, seed, &values)
}

/// Generates the question that `id` names from the skills in `skills`.
pub fn generate_by_id(skills: &[Skill], id: &QuestionId) -> Result<Question, GenerateError> {
    let skill = skills
        .iter()
        .find(|skill| skill.id == id.skill)
        .ok_or_else(|| GenerateError::UnknownSkill(id.skill.clone()))?;
    generate(skill, id.version, id.seed)
}

/// Generates the skill's worked example: its first template at
/// [`WORKED_EXAMPLE_SEED`], with the model solution in `solution`.
pub fn worked_example(skill: &Skill) -> Result<Question, GenerateError> {
    let version = skill
        .templates
        .first()
        .map(|template| template.version)
        .ok_or_else(|| GenerateError::UnknownTemplate {
            skill: skill.id.clone(),
            version: 0,
            available: String::new(),
        })?;
    generate(skill, version, WORKED_EXAMPLE_SEED)
}

/// The outcome of completing one parameter draw.
enum Completion {
    Accepted,
    /// The source text of the first constraint that was false.
    Rejected(String),
}

fn draw(template: &Template, seed: u64) -> Result<Values, GenerateError> {
    let mut rng = Rng::from_seed(seed);
    let mut last_failed = String::new();
    for _ in 0..MAX_ATTEMPTS {
        let mut values = Values::new();
        for (name, domain) in &template.params {
            let value = rng.choose(domain).copied().unwrap_or(0);
            values.insert(name.clone(), BigRational::from_integer(BigInt::from(value)));
        }
        match complete(template, &mut values).map_err(|(expression, source)| {
            GenerateError::Eval {
                skill: template.skill.clone(),
                version: template.version,
                seed,
                expression,
                source: Box::new(source),
            }
        })? {
            Completion::Accepted => return Ok(values),
            Completion::Rejected(constraint) => last_failed = constraint,
        }
    }
    Err(GenerateError::ConstraintsUnsatisfied {
        skill: template.skill.clone(),
        version: template.version,
        seed,
        attempts: MAX_ATTEMPTS,
        constraint: last_failed,
    })
}

/// Adds the derived values to `values` and checks the constraints in order.
/// An error carries the source of the expression that failed.
fn complete(template: &Template, values: &mut Values) -> Result<Completion, (String, EvalError)> {
    for (name, expression) in &template.derived {
        let value = expression
            .eval_number(values)
            .map_err(|error| (expression.source().to_string(), error))?;
        values.insert(name.clone(), value);
    }
    for constraint in &template.constraints {
        let holds = constraint
            .eval_bool(values)
            .map_err(|error| (constraint.source().to_string(), error))?;
        if !holds {
            return Ok(Completion::Rejected(constraint.source().to_string()));
        }
    }
    Ok(Completion::Accepted)
}

fn build_question(
    skill: &Skill,
    template: &Template,
    seed: u64,
    values: &Values,
) -> Result<Question, GenerateError> {
    let fill = |field: &str, text: &str| {
        render::render(text, values).map_err(|source| GenerateError::Render {
            skill: skill.id.clone(),
            version: template.version,
            seed,
            field: field.to_string(),
            source: Box::new(source),
        })
    };
    let solution = template
        .solution
        .iter()
        .enumerate()
        .map(|(index, line)| fill(&format!("solution line {}", index + 1), line))
        .collect::<Result<Vec<_>, _>>()?;
    let rounding_spec = template.rounding.as_ref().or(skill.rounding.as_ref());
    let rounding = match rounding_spec {
        Some(spec) => {
            Some(
                resolve_rounding(spec, values).map_err(|reason| GenerateError::Render {
                    skill: skill.id.clone(),
                    version: template.version,
                    seed,
                    field: "rounding".into(),
                    source: Box::new(RenderError::InvalidFormat {
                        placeholder: "rounding".into(),
                        reason,
                    }),
                })?,
            )
        }
        None => None,
    };
    Ok(Question {
        id: QuestionId {
            skill: skill.id.clone(),
            version: template.version,
            seed,
        },
        skill: skill.id.clone(),
        text: fill("text", &template.text)?,
        start: fill("start", &template.start)?,
        answer: fill("answer", &template.answer)?,
        form: template.form,
        task: skill.task,
        unknowns: skill.unknowns.clone(),
        rounding,
        solution,
    })
}

fn resolve_rounding(spec: &RoundingSpec, values: &Values) -> Result<Rounding, String> {
    let digits = |count: &DigitCount| -> Result<u32, String> {
        match count {
            DigitCount::Fixed(digits) => Ok(*digits),
            DigitCount::Named(name) => {
                let value = values
                    .get(name)
                    .ok_or_else(|| format!("rounding names `{name}`, which has no value"))?;
                let whole = value
                    .is_integer()
                    .then(|| u32::try_from(value.to_integer()).ok())
                    .flatten();
                whole.ok_or_else(|| {
                    format!("rounding digit count `{name}` = {value} is not a whole number")
                })
            }
        }
    };
    match (&spec.dp, &spec.sf) {
        (Some(dp), None) => Ok(Rounding::DecimalPlaces(digits(dp)?)),
        (None, Some(sf)) => Ok(Rounding::SignificantFigures(digits(sf)?)),
        _ => Err("set exactly one of dp and sf".into()),
    }
}

/// The number of distinct questions a template can produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DistinctCount {
    /// Distinct starting lines among parameter assignments that satisfy
    /// every constraint.
    pub count: u128,
    /// False when the domain was too large to enumerate and `count` and
    /// `valid` are estimates from random samples.
    pub exact: bool,
    /// Parameter assignments that satisfy every constraint.
    pub valid: u128,
    /// All parameter assignments, valid or not.
    pub domain: u128,
}

impl DistinctCount {
    /// Returns the share of parameter draws that satisfy the constraints.
    pub fn acceptance_rate(&self) -> f64 {
        if self.domain == 0 {
            return 0.0;
        }
        self.valid as f64 / self.domain as f64
    }
}

/// Counts the distinct questions a template produces, judged by their
/// rendered starting line.
///
/// Enumerates every parameter assignment when there are at most
/// [`MAX_ENUMERATED`] of them. Otherwise it draws [`ESTIMATE_SAMPLES`]
/// random assignments and estimates from the `d` distinct lines seen, of
/// which `f1` were seen once and `f2` twice. The estimate is
/// `d + f1 (f1 - 1) / (2 (f2 + 1))` (the bias-corrected Chao1 estimator of
/// the number of unseen kinds), capped at the estimated number of valid
/// assignments. It is rough when most sampled lines were seen only once:
/// in this module's tests, 20% off for two million distinct lines.
pub fn count_distinct(template: &Template) -> Result<DistinctCount, GenerateError> {
    let sizes: Vec<usize> = template
        .params
        .iter()
        .map(|(_, domain)| domain.len())
        .collect();
    let total: u128 = sizes.iter().map(|size| *size as u128).product();
    let mut valid: u128 = 0;

    if total <= MAX_ENUMERATED {
        let mut starts = HashSet::new();
        let mut indices = vec![0usize; sizes.len()];
        loop {
            let values = assignment(template, &indices);
            if let Some(start) = valid_start(template, values)? {
                starts.insert(start);
                valid += 1;
            }
            if !advance(&mut indices, &sizes) {
                break;
            }
        }
        return Ok(DistinctCount {
            count: starts.len() as u128,
            exact: true,
            valid,
            domain: total,
        });
    }

    let mut seen: HashMap<String, u32> = HashMap::new();
    let mut rng = Rng::from_seed(0);
    for _ in 0..ESTIMATE_SAMPLES {
        let indices: Vec<usize> = sizes
            .iter()
            .map(|size| {
                let last = i64::try_from(*size - 1).unwrap_or(i64::MAX);
                usize::try_from(rng.range(0, last)).unwrap_or(0)
            })
            .collect();
        let values = assignment(template, &indices);
        if let Some(start) = valid_start(template, values)? {
            *seen.entry(start).or_default() += 1;
            valid += 1;
        }
    }
    let samples = u128::from(ESTIMATE_SAMPLES);
    let valid_estimate = total * valid / samples;
    let distinct = seen.len() as u128;
    let once = seen.values().filter(|count| **count == 1).count() as u128;
    let twice = seen.values().filter(|count| **count == 2).count() as u128;
    let unseen = once * once.saturating_sub(1) / (2 * (twice + 1));
    Ok(DistinctCount {
        count: (distinct + unseen).min(valid_estimate).max(distinct),
        exact: false,
        valid: valid_estimate,
        domain: total,
    })
}

fn assignment(template: &Template, indices: &[usize]) -> Values {
    template
        .params
        .iter()
        .zip(indices)
        .map(|((name, domain), index)| {
            (
                name.clone(),
                BigRational::from_integer(BigInt::from(domain[*index])),
            )
        })
        .collect()
}

/// Moves `indices` to the next assignment, like an odometer; false after the last.
fn advance(indices: &mut [usize], sizes: &[usize]) -> bool {
    for (index, size) in indices.iter_mut().zip(sizes) {
        *index += 1;
        if *index < *size {
            return true;
        }
        *index = 0;
    }
    false
}

/// Completes one assignment and returns its starting line if it satisfies
/// the constraints.
fn valid_start(template: &Template, mut values: Values) -> Result<Option<String>, GenerateError> {
    let drawn = describe_params(template, &values);
    let failed = |reason: String| GenerateError::Count {
        skill: template.skill.clone(),
        version: template.version,
        assignment: drawn.clone(),
        reason,
    };
    let completion = complete(template, &mut values)
        .map_err(|(expression, error)| failed(format!("`{expression}`: {error}")))?;
    if let Completion::Accepted = completion {
        let start =
            render::render(&template.start, &values).map_err(|error| failed(error.to_string()))?;
        return Ok(Some(start));
    }
    Ok(None)
}

/// Writes the parameter values as `a=2, b=-3` for error messages.
fn describe_params(template: &Template, values: &Values) -> String {
    template
        .params
        .iter()
        .map(|(name, _)| match values.get(name) {
            Some(value) => format!("{name}={value}"),
            None => format!("{name}=?"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests;
