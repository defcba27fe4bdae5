//! Skills and their question templates: the TOML format under
//! `content/skills/<strand>/<id>.toml`, and the checks a file must pass to
//! load.
//!
//! A skill file contains the skill's metadata (`id`, `title`, `tier`, `strand`,
//! `prerequisites`, `task`, `unknowns`, optional `rounding`, three `hints`,
//! an optional `video` and an optional `small_reason`) and one or more
//! `[[template]]` tables. `small_reason` explains why a skill whose topic
//! has few good questions produces fewer than 1,000 distinct ones, and the
//! catalogue prints it next to the count. Each template has:
//!
//! - `version` (unique within the skill) and `difficulty` (1 to 3);
//! - `params`: name to domain, either `{ min, max, step?, exclude? }` or
//!   `{ choose = [...] }`, all integers. Parameters are drawn in name
//!   order, so renaming one changes every question of that version;
//! - `derived`: an ordered list of `"name = expression"` lines in the
//!   [`super::eval`] language, each over parameters and earlier lines;
//! - `constraints`: expressions that must all be true, such as `a != 0`,
//!   `square(b^2 - 4*a*c)` or `coprime(p, q)`;
//! - `text`, `start`, `answer` and `solution` lines with placeholders (see
//!   [`super::render`]), and the answer `form`;
//! - an optional `rounding` that overrides the skill's, whose digit count may
//!   name a value, as in `rounding = { dp = "d" }`.
//!
//! `solution` lists the lines a student would type after `start`. Its last
//! line must be the `answer` template, so the model solution always ends in
//! the required form.

use std::collections::{BTreeMap, HashSet};

use serde::Deserialize;

use super::eval::Expression;
use super::render::placeholder_names;
use super::GenerateError;
use crate::check::TaskKind;

/// Most values one parameter domain may hold, so that loading stays cheap.
pub const MAX_DOMAIN_SIZE: i64 = 100_000;

/// The stage at which a skill is first taught.
/// Ordered from the earliest stage to the latest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
pub enum Tier {
    /// Key Stage 3.
    #[serde(rename = "KS3")]
    KeyStage3,
    /// GCSE Foundation tier, and therefore also Higher.
    #[serde(rename = "F")]
    Foundation,
    /// GCSE Higher tier only.
    #[serde(rename = "H")]
    Higher,
    /// AS or A-level pure mathematics.
    #[serde(rename = "A")]
    ALevel,
}

/// The form the final answer must take.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnswerForm {
    /// The unknown alone on one side: `x = 5`, `x > 3`, `x = 2, y = -1`.
    Isolated,
    Integer,
    /// A single terminating decimal, such as `0.072`.
    Decimal,
    LowestTerms,
    Factorised,
    Expanded,
    /// No like terms left and indices combined, such as `a^7` or `6x^5`.
    Simplified,
    SimplestSurd,
    /// Rounded to the template's decimal places.
    Dp,
    /// Rounded to the template's significant figures.
    Sf,
    StandardForm,
}

/// A digit count given as a number or as the name of a template value.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum DigitCount {
    Fixed(u32),
    Named(String),
}

/// Rounding rule for numeric answers: set exactly one of `dp` and `sf`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoundingSpec {
    pub dp: Option<DigitCount>,
    pub sf: Option<DigitCount>,
}

/// One encoding of a skill's video.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VideoQuality {
    /// Such as `360p`.
    pub label: String,
    /// Size in bytes, absent until the video is encoded.
    pub size: Option<u64>,
    /// Hex SHA-256 of the file, empty until the video is encoded.
    #[serde(default)]
    pub sha256: String,
}

/// The short video that teaches a skill.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Video {
    pub id: String,
    pub title: String,
    /// Length in seconds, absent until the video is recorded.
    pub duration_s: Option<u32>,
    /// Path of the WebVTT captions file within the content pack.
    pub captions: String,
    pub qualities: Vec<VideoQuality>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SkillFile {
    id: String,
    title: String,
    tier: Tier,
    strand: String,
    #[serde(default)]
    prerequisites: Vec<String>,
    task: TaskKind,
    #[serde(default)]
    unknowns: Vec<String>,
    rounding: Option<RoundingSpec>,
    hints: Vec<String>,
    video: Option<Video>,
    small_reason: Option<String>,
    template: Vec<TemplateFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TemplateFile {
    version: u32,
    difficulty: u8,
    params: BTreeMap<String, DomainFile>,
    #[serde(default)]
    derived: Vec<String>,
    #[serde(default)]
    constraints: Vec<String>,
    text: String,
    start: String,
    answer: String,
    form: AnswerForm,
    solution: Vec<String>,
    rounding: Option<RoundingSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DomainFile {
    min: Option<i64>,
    max: Option<i64>,
    step: Option<i64>,
    #[serde(default)]
    exclude: Vec<i64>,
    choose: Option<Vec<i64>>,
}

/// A skill with its templates, checked and ready to generate from.
#[derive(Debug, Clone)]
pub struct Skill {
    pub id: String,
    pub title: String,
    pub tier: Tier,
    pub strand: String,
    pub prerequisites: Vec<String>,
    pub task: TaskKind,
    pub unknowns: Vec<String>,
    pub rounding: Option<RoundingSpec>,
    /// A nudge, the name of the step, then an example line.
    pub hints: Vec<String>,
    pub video: Option<Video>,
    /// Reason the skill has fewer than 1,000 distinct questions, for a topic
    /// that allows no more.
    pub small_reason: Option<String>,
    /// Sorted by version.
    pub templates: Vec<Template>,
}

/// One version of a skill's question template.
#[derive(Debug, Clone)]
pub struct Template {
    /// Id of the skill this template belongs to.
    pub skill: String,
    pub version: u32,
    pub difficulty: u8,
    /// Each parameter with every value it may take, in drawing order.
    pub params: Vec<(String, Vec<i64>)>,
    pub derived: Vec<(String, Expression)>,
    pub constraints: Vec<Expression>,
    pub text: String,
    pub start: String,
    pub answer: String,
    pub form: AnswerForm,
    pub solution: Vec<String>,
    pub rounding: Option<RoundingSpec>,
}

impl Skill {
    /// Parses and checks one skill file; `file` names it in errors.
    #[cfg(feature = "toml")]
    pub fn from_toml(file: &str, source: &str) -> Result<Skill, GenerateError> {
        let parsed: SkillFile =
            toml::from_str(source).map_err(|error| GenerateError::InvalidSkill {
                file: file.to_string(),
                reason: error.to_string(),
            })?;
        Skill::from_parsed(file, parsed)
    }

    /// Checks a skill file already parsed (from TOML, or from the JSON that
    /// the build compiles the built-in files into); `file` names it in errors.
    pub(super) fn from_parsed(file: &str, parsed: SkillFile) -> Result<Skill, GenerateError> {
        let invalid = |reason: String| GenerateError::InvalidSkill {
            file: file.to_string(),
            reason,
        };
        check_skill_fields(&parsed).map_err(invalid)?;

        let mut templates = Vec::new();
        let mut versions = HashSet::new();
        for template in parsed.template {
            if !versions.insert(template.version) {
                return Err(invalid(format!(
                    "template version {} appears twice; give each template its own version",
                    template.version
                )));
            }
            let version = template.version;
            let compiled = compile_template(&parsed.id, template)
                .and_then(|compiled| {
                    check_rounding_fits(&compiled, parsed.rounding.as_ref())?;
                    Ok(compiled)
                })
                .map_err(|reason| invalid(format!("template version {version}: {reason}")))?;
            templates.push(compiled);
        }
        templates.sort_by_key(|template| template.version);

        Ok(Skill {
            id: parsed.id,
            title: parsed.title,
            tier: parsed.tier,
            strand: parsed.strand,
            prerequisites: parsed.prerequisites,
            task: parsed.task,
            unknowns: parsed.unknowns,
            rounding: parsed.rounding,
            hints: parsed.hints,
            video: parsed.video,
            small_reason: parsed.small_reason,
            templates,
        })
    }

    /// Returns the template with `version`.
    pub fn template(&self, version: u32) -> Result<&Template, GenerateError> {
        self.templates
            .iter()
            .find(|template| template.version == version)
            .ok_or_else(|| GenerateError::UnknownTemplate {
                skill: self.id.clone(),
                version,
                available: self
                    .templates
                    .iter()
                    .map(|template| template.version.to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }
}

/// Maps an id's first component to the strand folder it belongs in.
fn strand_of_prefix(prefix: &str) -> Option<&'static str> {
    let strand = match prefix {
        "num" => "number",
        "alg" => "algebra",
        "rat" => "ratio",
        "geo" => "geometry",
        "prob" => "probability",
        "stat" => "statistics",
        "pure" => "pure",
        _ => return None,
    };
    Some(strand)
}

fn check_skill_fields(skill: &SkillFile) -> Result<(), String> {
    let parts: Vec<&str> = skill.id.split('.').collect();
    let well_formed = parts.len() == 3
        && parts.iter().all(|part| {
            !part.is_empty()
                && part
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
        });
    if !well_formed {
        return Err(format!(
            "invalid id `{}`; write strand.topic.skill in lower case, such as alg.linear.solve-two-step",
            skill.id
        ));
    }
    match strand_of_prefix(parts[0]) {
        Some(strand) if strand == skill.strand => {}
        Some(strand) => {
            return Err(format!(
                "id `{}` belongs to strand `{strand}` but the file says `{}`",
                skill.id, skill.strand
            ))
        }
        None => {
            return Err(format!(
                "id `{}` starts with unknown strand prefix `{}`; use num, alg, rat, geo, prob, stat or pure",
                skill.id, parts[0]
            ))
        }
    }
    if skill.title.trim().is_empty() {
        return Err("missing title".into());
    }
    if skill.hints.len() != 3 || skill.hints.iter().any(|hint| hint.trim().is_empty()) {
        return Err(format!(
            "expected 3 non-empty hints (a nudge, the step's name, an example line) but found {}",
            skill.hints.len()
        ));
    }
    let needs_unknowns = matches!(skill.task, TaskKind::Solve | TaskKind::Rearrange);
    if needs_unknowns && skill.unknowns.is_empty() {
        return Err("missing unknowns; a solve or rearrange task must name what to find".into());
    }
    if skill.template.is_empty() {
        return Err("missing [[template]]; add at least one".into());
    }
    if skill
        .small_reason
        .as_ref()
        .is_some_and(|reason| reason.trim().is_empty())
    {
        return Err(
            "empty small_reason; explain why the topic has few questions or remove the field"
                .into(),
        );
    }
    if let Some(rounding) = &skill.rounding {
        check_rounding_shape(rounding)?;
    }
    Ok(())
}

fn check_rounding_shape(rounding: &RoundingSpec) -> Result<(), String> {
    match (&rounding.dp, &rounding.sf) {
        (Some(_), None) | (None, Some(_)) => Ok(()),
        _ => Err("invalid rounding; set exactly one of dp and sf".into()),
    }
}

fn compile_template(skill: &str, file: TemplateFile) -> Result<Template, String> {
    if !(1..=3).contains(&file.difficulty) {
        return Err(format!("difficulty {} must be 1, 2 or 3", file.difficulty));
    }
    if file.params.is_empty() {
        return Err("missing params; a template needs at least one parameter".into());
    }

    let mut known: Vec<String> = Vec::new();
    let mut params = Vec::new();
    for (name, domain) in file.params {
        check_name(&name)?;
        let values = expand_domain(&name, &domain)?;
        known.push(name.clone());
        params.push((name, values));
    }

    let mut derived = Vec::new();
    for line in &file.derived {
        let (name, expression) = line
            .split_once('=')
            .ok_or_else(|| format!("derived line `{line}` must look like `name = expression`"))?;
        let name = name.trim().to_string();
        check_name(&name)?;
        if known.contains(&name) {
            return Err(format!(
                "derived value `{name}` is defined twice; rename one"
            ));
        }
        let expression = Expression::parse(expression.trim()).map_err(|error| error.to_string())?;
        check_names_known(&expression, &known)?;
        known.push(name.clone());
        derived.push((name, expression));
    }

    let mut constraints = Vec::new();
    for line in &file.constraints {
        let expression = Expression::parse(line).map_err(|error| error.to_string())?;
        check_names_known(&expression, &known)?;
        constraints.push(expression);
    }

    let solution_last = file
        .solution
        .last()
        .ok_or("missing solution lines; add at least the answer")?;
    if *solution_last != file.answer {
        return Err(format!(
            "the last solution line `{solution_last}` must be the answer `{}`",
            file.answer
        ));
    }
    let rendered_fields = std::iter::once(&file.text)
        .chain(std::iter::once(&file.start))
        .chain(std::iter::once(&file.answer))
        .chain(file.solution.iter());
    for field in rendered_fields {
        for name in placeholder_names(field).map_err(|error| error.to_string())? {
            if !known.contains(&name) {
                return Err(format!(
                    "`{field}` uses `{name}`, which is not a parameter or derived value"
                ));
            }
        }
    }
    if let Some(rounding) = &file.rounding {
        check_rounding_shape(rounding)?;
    }

    Ok(Template {
        skill: skill.to_string(),
        version: file.version,
        difficulty: file.difficulty,
        params,
        derived,
        constraints,
        text: file.text,
        start: file.start,
        answer: file.answer,
        form: file.form,
        solution: file.solution,
        rounding: file.rounding,
    })
}

/// Checks that a `dp` or `sf` answer form has a matching rounding rule, from
/// the template or else the skill, and that a named digit count exists.
fn check_rounding_fits(
    template: &Template,
    skill_rounding: Option<&RoundingSpec>,
) -> Result<(), String> {
    let rounding = template.rounding.as_ref().or(skill_rounding);
    let (needs_dp, needs_sf) = (
        template.form == AnswerForm::Dp,
        template.form == AnswerForm::Sf,
    );
    let has_dp = rounding.is_some_and(|rounding| rounding.dp.is_some());
    let has_sf = rounding.is_some_and(|rounding| rounding.sf.is_some());
    if (needs_dp && !has_dp) || (needs_sf && !has_sf) {
        return Err(format!(
            "answer form {:?} needs a matching rounding rule; add rounding = {{ dp = N }} or {{ sf = N }}",
            template.form
        ));
    }
    let named = rounding.and_then(|rounding| rounding.dp.as_ref().or(rounding.sf.as_ref()));
    if let Some(DigitCount::Named(name)) = named {
        let defined = template.params.iter().any(|(param, _)| param == name)
            || template.derived.iter().any(|(derived, _)| derived == name);
        if !defined {
            return Err(format!(
                "rounding names `{name}`, which is not a parameter or derived value"
            ));
        }
    }
    Ok(())
}

fn check_name(name: &str) -> Result<(), String> {
    let mut chars = name.chars();
    let starts_well = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    if starts_well && chars.all(|c| c.is_ascii_alphanumeric() || c == '_') {
        Ok(())
    } else {
        Err(format!(
            "invalid name `{name}`; use a letter followed by letters, digits or `_`"
        ))
    }
}

fn check_names_known(expression: &Expression, known: &[String]) -> Result<(), String> {
    for name in expression.names() {
        if !known.contains(&name) {
            return Err(format!(
                "`{}` uses `{name}` before it is defined; define it in params or an earlier derived line",
                expression.source()
            ));
        }
    }
    Ok(())
}

fn expand_domain(name: &str, domain: &DomainFile) -> Result<Vec<i64>, String> {
    let values: Vec<i64> = match (&domain.choose, domain.min, domain.max) {
        (Some(choices), None, None) => {
            if domain.step.is_some() || !domain.exclude.is_empty() {
                return Err(format!(
                    "param `{name}`: choose cannot be combined with step or exclude"
                ));
            }
            choices.clone()
        }
        (None, Some(min), Some(max)) => {
            let step = domain.step.unwrap_or(1);
            if step < 1 {
                return Err(format!("param `{name}`: step {step} must be at least 1"));
            }
            if min > max {
                return Err(format!(
                    "param `{name}`: min {min} is greater than max {max}"
                ));
            }
            let count = (i128::from(max) - i128::from(min)) / i128::from(step) + 1;
            if count > i128::from(MAX_DOMAIN_SIZE) {
                return Err(format!(
                    "param `{name}` has {count} values, more than {MAX_DOMAIN_SIZE}; narrow the range or raise the step"
                ));
            }
            (0..count)
                .filter_map(|index| i64::try_from(i128::from(min) + index * i128::from(step)).ok())
                .filter(|value| !domain.exclude.contains(value))
                .collect()
        }
        _ => {
            return Err(format!(
                "param `{name}` needs either min and max, or choose = [...]"
            ))
        }
    };
    if values.is_empty() {
        return Err(format!(
            "param `{name}` has no values left after exclusions"
        ));
    }
    Ok(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
id = "alg.linear.solve-one-step"
title = "Solving one-step equations"
tier = "KS3"
strand = "algebra"
task = "solve"
unknowns = ["x"]
hints = ["a", "b", "c"]

[[template]]
version = 1
difficulty = 1
params.a = { min = 2, max = 5 }
params.r = { min = -3, max = 3, exclude = [0] }
derived = ["c = a * r"]
constraints = ["c != 0"]
text = "Solve the equation."
start = "{a}x = {c}"
answer = "x = {r}"
form = "isolated"
solution = ["x = {c}/{a}", "x = {r}"]
"#;

    fn load(source: &str) -> Result<Skill, GenerateError> {
        Skill::from_toml("test.toml", source)
    }

    fn reason_of(source: &str) -> String {
        match load(source) {
            Err(GenerateError::InvalidSkill { reason, .. }) => reason,
            other => panic!("expected an invalid skill, got {other:?}"),
        }
    }

    #[test]
    fn minimal_skill_loads() {
        let skill = load(MINIMAL).expect("minimal skill loads");
        assert_eq!(skill.id, "alg.linear.solve-one-step");
        assert_eq!(skill.templates.len(), 1);
        let template = &skill.templates[0];
        assert_eq!(template.params[0], ("a".to_string(), vec![2, 3, 4, 5]));
        assert_eq!(
            template.params[1],
            ("r".to_string(), vec![-3, -2, -1, 1, 2, 3])
        );
        assert_eq!(template.derived[0].0, "c");
    }

    #[test]
    fn step_and_choose_domains() {
        let stepped = MINIMAL.replace("min = 2, max = 5", "min = 2, max = 10, step = 4");
        let skill = load(&stepped).expect("stepped skill loads");
        assert_eq!(skill.templates[0].params[0].1, vec![2, 6, 10]);
        let chosen = MINIMAL.replace("{ min = 2, max = 5 }", "{ choose = [7, 11] }");
        let skill = load(&chosen).expect("choose skill loads");
        assert_eq!(skill.templates[0].params[0].1, vec![7, 11]);
    }

    #[test]
    fn rejects_bad_ids_and_strands() {
        let bad_id = MINIMAL.replace("alg.linear.solve-one-step", "Linear");
        assert!(reason_of(&bad_id).contains("invalid id"));
        let bad_strand = MINIMAL.replace("strand = \"algebra\"", "strand = \"number\"");
        assert!(reason_of(&bad_strand).contains("belongs to strand"));
    }

    #[test]
    fn rejects_undefined_names() {
        let derived = MINIMAL.replace("c = a * r", "c = a * q");
        assert!(reason_of(&derived).contains("`q`"));
        let placeholder = MINIMAL.replace("{a}x = {c}", "{a}x = {d}");
        assert!(reason_of(&placeholder).contains("`d`"));
        let constraint = MINIMAL.replace("c != 0", "z != 0");
        assert!(reason_of(&constraint).contains("`z`"));
    }

    #[test]
    fn rejects_bad_domains() {
        let reversed = MINIMAL.replace("min = 2, max = 5", "min = 5, max = 2");
        assert!(reason_of(&reversed).contains("greater than max"));
        let emptied = MINIMAL.replace("min = 2, max = 5", "min = 2, max = 2, exclude = [2]");
        assert!(reason_of(&emptied).contains("no values left"));
        let huge = MINIMAL.replace("min = 2, max = 5", "min = 0, max = 1000000000");
        assert!(reason_of(&huge).contains("narrow the range"));
        let neither = MINIMAL.replace("{ min = 2, max = 5 }", "{ step = 2 }");
        assert!(reason_of(&neither).contains("needs either"));
    }

    #[test]
    fn rejects_solution_not_ending_in_answer() {
        let wrong = MINIMAL.replace(
            "solution = [\"x = {c}/{a}\", \"x = {r}\"]",
            "solution = [\"x = {c}/{a}\"]",
        );
        assert!(reason_of(&wrong).contains("must be the answer"));
    }

    #[test]
    fn rejects_wrong_hint_count_and_unknown_fields() {
        let hints = MINIMAL.replace("[\"a\", \"b\", \"c\"]", "[\"a\"]");
        assert!(reason_of(&hints).contains("3 non-empty hints"));
        let extra = MINIMAL.replace("tier = \"KS3\"", "tier = \"KS3\"\ncolour = \"red\"");
        assert!(reason_of(&extra).contains("colour"));
    }

    #[test]
    fn rounding_must_match_form() {
        let no_rule = MINIMAL.replace("form = \"isolated\"", "form = \"dp\"");
        assert!(reason_of(&no_rule).contains("matching rounding rule"));
        let wrong_kind = no_rule.replace("form = \"dp\"", "form = \"dp\"\nrounding = { sf = 2 }");
        assert!(reason_of(&wrong_kind).contains("matching rounding rule"));
        let unknown_name =
            no_rule.replace("form = \"dp\"", "form = \"dp\"\nrounding = { dp = \"q\" }");
        assert!(reason_of(&unknown_name).contains("`q`"));
        let named = no_rule.replace("form = \"dp\"", "form = \"dp\"\nrounding = { dp = \"a\" }");
        assert!(load(&named).is_ok());
        let both = no_rule.replace(
            "form = \"dp\"",
            "form = \"dp\"\nrounding = { dp = 1, sf = 2 }",
        );
        assert!(reason_of(&both).contains("exactly one"));
    }

    #[test]
    fn rejects_duplicate_versions() {
        let start = MINIMAL.find("[[template]]").expect("has a template");
        let twice = format!("{MINIMAL}\n{}", &MINIMAL[start..]);
        assert!(reason_of(&twice).contains("appears twice"));
    }

    #[test]
    fn unknown_template_version_lists_available() {
        let skill = load(MINIMAL).expect("minimal skill loads");
        match skill.template(9) {
            Err(GenerateError::UnknownTemplate { available, .. }) => assert_eq!(available, "1"),
            other => panic!("expected an unknown template error, got {other:?}"),
        }
    }
}
