//! Agreement with test vectors from other maths checkers.
//!
//! The vectors live outside the repository, in `shared/corpus/` beside the
//! project root (set `STEPWISE_CORPUS` to read them from elsewhere). Some of
//! them come from GPL-3.0 code, so they must never be copied into this
//! repository or into the shipped app.
//!
//! Every record is JSON Lines with the source's raw input, the same input in
//! our calculator syntax (`ours_student`, `ours_teacher`) and the source's
//! expected result. Each (source, test) pair is mapped onto our engine by one
//! of the `map_*` functions below, whose doc comments state the mapping. A
//! record ends up in one of three states:
//!
//! - scored: our result is compared with the expected one (agreed or not);
//! - not modelled: the test checks something our engine does not do;
//! - skipped: the record has no translation into our syntax, or no
//!   expected value.
//!
//! Where our documented convention differs from the source's,
//! `corpus_conventions.toml` gives the record our expected value and the
//! reason, and the record is scored against that value. The test prints a
//! table of agreement per group, writes it as markdown to
//! `target/corpus-agreement.md`, prints up to five disagreements per group,
//! and fails when a group drops below its floor in `corpus_floors.toml`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;
use stepwise_core::check::{
    check_working, FinalVerdict, Report, Rounding, Task, TaskKind, Verdict,
};
use stepwise_core::maths::equiv::{exact_value, statement_vars};
use stepwise_core::maths::{self, equivalent, numeric, Limits, Statement};

/// Disagreements printed per group, unless `STEPWISE_CORPUS_EXAMPLES` sets another number.
const EXAMPLES_PER_GROUP: usize = 5;

fn examples_per_group() -> usize {
    std::env::var("STEPWISE_CORPUS_EXAMPLES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(EXAMPLES_PER_GROUP)
}

/// Our result for a record that passes a source's check.
const PASS: &str = "1";
/// Our result for a record that fails a source's check.
const FAIL: &str = "0";
/// Our result when the engine rejects the input (parse error, division by zero, ...).
const ERROR: &str = "error";

#[derive(Debug, Deserialize)]
struct Record {
    source: String,
    test: String,
    #[serde(default)]
    options: Value,
    #[serde(default)]
    expected: Value,
    #[serde(default)]
    ours_student: String,
    #[serde(default)]
    ours_teacher: String,
    id: String,
    /// STACK's feedback code, set for the answer tests.
    #[serde(default)]
    answer_note: String,
    /// Lines of an argument (stack-equiv) or a worked chain (mathsteps).
    #[serde(default)]
    steps: Option<Vec<Step>>,
    /// A one-line chain `a = b = c` split at `=` (MaE).
    #[serde(default)]
    chain: Option<Vec<Step>>,
    /// The corpus authors' own equivalence label (CogTutorBugs).
    #[serde(default)]
    equivalent_by_sympy: Value,
}

#[derive(Debug, Deserialize)]
struct Step {
    #[serde(default)]
    ours: String,
}

/// What happened to one record.
enum Outcome {
    Scored {
        expected: String,
        ours: String,
        /// Our engine's message, shown with a disagreement.
        detail: String,
    },
    NotModelled,
    Skipped,
}

fn scored(
    expected: impl Into<String>,
    ours: impl Into<String>,
    detail: impl Into<String>,
) -> Outcome {
    Outcome::Scored {
        expected: expected.into(),
        ours: ours.into(),
        detail: detail.into(),
    }
}

// ---------------------------------------------------------------------------
// Reading the corpus and the two data files.

/// `STEPWISE_CORPUS`, else the first `shared/corpus` beside the project
/// root or beside one of its parent folders (a checkout may sit a level
/// deeper than the shared folder).
fn corpus_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("STEPWISE_CORPUS") {
        return PathBuf::from(dir);
    }
    let root = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.."));
    let beside_root = root.join("../shared/corpus");
    root.canonicalize()
        .ok()
        .and_then(|root| {
            root.ancestors()
                .skip(1)
                .map(|folder| folder.join("shared/corpus"))
                .find(|candidate| candidate.is_dir())
        })
        .unwrap_or(beside_root)
}

fn read_corpus(dir: &Path) -> Vec<(String, Record)> {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|error| {
        panic!(
            "the corpus folder {} could not be read ({error}); put the corpus there or set STEPWISE_CORPUS to its path",
            dir.display()
        )
    });
    let mut files: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "jsonl"))
        .collect();
    files.sort();
    assert!(
        !files.is_empty(),
        "the corpus folder {} has no .jsonl files; set STEPWISE_CORPUS to the folder that has them",
        dir.display()
    );
    let mut records = Vec::new();
    for file in files {
        let name = file
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        let text = std::fs::read_to_string(&file)
            .unwrap_or_else(|error| panic!("failed to read {}: {error}", file.display()));
        for (number, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let record: Record = serde_json::from_str(line).unwrap_or_else(|error| {
                panic!("{}:{}: invalid record: {error}", file.display(), number + 1)
            });
            records.push((name.clone(), record));
        }
    }
    records
}

/// A record whose expected value we replace with ours, and why.
struct Convention {
    expected: String,
    reason: String,
}

fn read_conventions() -> BTreeMap<String, Convention> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/corpus_conventions.toml");
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|error| panic!("failed to read {path}: {error}"));
    let table: toml::Table =
        toml::from_str(&text).unwrap_or_else(|error| panic!("{path} is invalid TOML: {error}"));
    let mut conventions = BTreeMap::new();
    for (id, entry) in table {
        let field = |name: &str| {
            entry
                .get(name)
                .and_then(toml::Value::as_str)
                .unwrap_or_else(|| panic!("{path}: record {id} is missing the string `{name}`"))
                .to_string()
        };
        let convention = Convention {
            expected: field("expected"),
            reason: field("reason"),
        };
        conventions.insert(id, convention);
    }
    conventions
}

/// Minimum agreement in percent, per group (`source / test`) and per source.
struct Floors {
    groups: BTreeMap<String, f64>,
    sources: BTreeMap<String, f64>,
}

fn read_floors() -> Floors {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/corpus_floors.toml");
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|error| panic!("failed to read {path}: {error}"));
    let table: toml::Table =
        toml::from_str(&text).unwrap_or_else(|error| panic!("{path} is invalid TOML: {error}"));
    let section = |name: &str| -> BTreeMap<String, f64> {
        let Some(entries) = table.get(name) else {
            return BTreeMap::new();
        };
        let entries = entries
            .as_table()
            .unwrap_or_else(|| panic!("{path}: `{name}` must be a table"));
        entries
            .iter()
            .map(|(key, value)| {
                let floor = value
                    .as_float()
                    .or_else(|| value.as_integer().map(|n| n as f64))
                    .unwrap_or_else(|| panic!("{path}: {name}.{key} must be a number"));
                (key.clone(), floor)
            })
            .collect()
    };
    Floors {
        groups: section("groups"),
        sources: section("sources"),
    }
}

// ---------------------------------------------------------------------------
// Engine calls shared by the mappings.

/// `expected` as `1`, `0` or `error`; `None` for anything else (null, text).
fn pass_fail(expected: &Value) -> Option<String> {
    match expected {
        Value::Number(n) if n.as_f64() == Some(1.0) => Some(PASS.into()),
        Value::Number(n) if n.as_f64() == Some(0.0) => Some(FAIL.into()),
        Value::Bool(true) => Some(PASS.into()),
        Value::Bool(false) => Some(FAIL.into()),
        Value::String(s) if s == "error" || s == "invalid" => Some(ERROR.into()),
        _ => None,
    }
}

/// Our equivalence verdict for two typed lines, with the error as detail.
fn equivalence(a: &str, b: &str) -> (String, String) {
    match equivalent(a, b) {
        Ok(true) => (PASS.into(), String::new()),
        Ok(false) => (FAIL.into(), String::new()),
        Err(error) => (ERROR.into(), error.to_string()),
    }
}

fn scored_equivalence(expected: String, a: &str, b: &str) -> Outcome {
    let (ours, detail) = equivalence(a, b);
    scored(expected, ours, detail)
}

/// The checker's outcome for a piece of working: `error` when a line is
/// unreadable, `1` when the final answer is correct, `0` otherwise.
fn check(task: &Task, lines: &[&str]) -> (String, String) {
    let report = check_working(task, lines);
    if let Some(line) = report
        .lines
        .iter()
        .find(|l| l.verdict == Verdict::Unreadable)
    {
        return (
            ERROR.into(),
            format!("unreadable `{}`: {}", line.input, line.message),
        );
    }
    let ours = if report.final_answer.verdict == FinalVerdict::Correct {
        PASS
    } else {
        FAIL
    };
    (ours.into(), final_detail(&report))
}

fn final_detail(report: &Report) -> String {
    let verdict = match report.final_answer.verdict {
        FinalVerdict::Correct => "correct",
        FinalVerdict::Incorrect => "incorrect",
        FinalVerdict::WrongForm => "wrong form",
        FinalVerdict::Unfinished => "unfinished",
    };
    format!("{verdict}: {}", report.final_answer.message)
}

fn scored_check(expected: String, task: &Task, lines: &[&str]) -> Outcome {
    let (ours, detail) = check(task, lines);
    scored(expected, ours, detail)
}

/// A task of `kind` whose final answer must be rounded as `rounding` says.
fn rounded_task(kind: TaskKind, rounding: Rounding) -> Task {
    let mut task = Task::new(kind);
    task.rounding = Some(rounding);
    task
}

/// A task that checks the form of `line`: `kind` for an expression; for an
/// equation, a solve task for the letter on its left, so that the form
/// check is that of an isolated answer (`x = 1/2` in lowest terms).
fn form_task(kind: TaskKind, line: &str) -> Task {
    if !is_statement_text(line) {
        return Task::new(kind);
    }
    let mut task = Task::new(TaskKind::Solve);
    if let Some(letter) = left_letter(line) {
        task.unknowns = vec![letter];
    }
    task
}

/// The letter alone on the left of `=`, as in `x = 2y + 1`.
fn left_letter(line: &str) -> Option<String> {
    let (left, _) = line.split_once('=')?;
    let left = left.trim();
    is_single_letter(left).then(|| left.to_string())
}

/// Whether every line of an argument after the first is accepted (follows,
/// or follows with a warning), with the first rejected line as detail.
fn argument_holds(task: &Task, lines: &[&str]) -> (String, String) {
    let report = check_working(task, lines);
    if let Some(first) = report
        .lines
        .first()
        .filter(|l| l.verdict == Verdict::Unreadable)
    {
        return (
            ERROR.into(),
            format!("unreadable `{}`: {}", first.input, first.message),
        );
    }
    for line in report.lines.iter().skip(1) {
        match line.verdict {
            Verdict::Follows | Verdict::Warning if !line.ecf => {}
            Verdict::Unreadable => {
                return (
                    ERROR.into(),
                    format!("unreadable `{}`: {}", line.input, line.message),
                )
            }
            _ => return (FAIL.into(), format!("`{}`: {}", line.input, line.message)),
        }
    }
    (PASS.into(), String::new())
}

/// The letters of every line, as the unknowns of an argument.
fn letters_of(lines: &[&str]) -> Vec<String> {
    let mut letters = Vec::new();
    for line in lines {
        if let Ok(parsed) = maths::parse(line) {
            statement_vars(&parsed.statement, &mut letters);
        }
    }
    letters.sort();
    letters.dedup();
    letters
}

/// True when a line holds a relation sign, so it is an equation or inequality.
fn is_statement_text(text: &str) -> bool {
    text.contains(['=', '<', '>', '≠', '≤', '≥'])
}

/// The value of a line with no letters: exact where the engine can, as a
/// float otherwise (π, e and functions have no exact value in the engine).
fn numeric_value(text: &str, vars: &BTreeMap<String, f64>) -> Result<f64, String> {
    let parsed = maths::parse(text).map_err(|e| e.to_string())?;
    let Statement::Expr(expr) = parsed.statement else {
        return Err(format!("`{text}` is not an expression"));
    };
    if vars.is_empty() {
        if let Ok(Some(exact)) = exact_value(&expr, &Limits::default()) {
            return Ok(exact.to_f64());
        }
    }
    let value = numeric::eval(&expr, vars);
    if value.is_finite() {
        Ok(value)
    } else {
        Err(format!("`{text}` has no finite value"))
    }
}

/// A whole number of places or figures from an option, rejecting zero,
/// negatives and anything that is not a whole number.
fn positive_count(text: &str) -> Option<u32> {
    text.trim().parse::<u32>().ok().filter(|n| *n > 0)
}

/// The significant figures and decimal places our checker accepts for a
/// typed number: `(min figures, max figures, decimal places)`. The engine
/// has no public counting function, so this asks the checker, for each
/// count from 0 to 20, whether the number is an answer rounded to it.
fn counts_accepted(number: &str) -> Option<(u32, u32, u32)> {
    let accepts = |rounding| {
        let task = rounded_task(TaskKind::Evaluate, rounding);
        check_working(&task, &[number, number]).final_answer.verdict == FinalVerdict::Correct
    };
    let figures: Vec<u32> = (1..=20)
        .filter(|n| accepts(Rounding::SignificantFigures(*n)))
        .collect();
    let places: Vec<u32> = (0..=20)
        .filter(|n| accepts(Rounding::DecimalPlaces(*n)))
        .collect();
    let (&first, &last) = (figures.first()?, figures.last()?);
    Some((first, last, *places.first()?))
}

// ---------------------------------------------------------------------------
// STACK answer tests.

/// STACK answer tests (`stack-answertests.jsonl`).
///
/// - AlgEquiv, AlgEquivNouns: `equivalent(student, teacher)`; expected
///   `error` agrees with an `Err` from the engine.
/// - CasEqual: only the semantic part. A record counts as equal when STACK
///   expects 1 or its feedback code says `AlgEquiv-true` (equal values in a
///   different form); `AlgEquiv-false` counts as not equal. Other records
///   judge the written form only and are not modelled.
/// - FacForm: the checker on `[teacher, student]` with a factorise task in
///   the option's letter; 1 when the final answer is correct.
/// - Expanded, LowestTerms: form only (the teacher's answer is a dummy), so
///   the checker runs on `[student, student]` with an expand or simplify
///   task (see [`form_task`] for an equation).
/// - SingleFrac: the checker on `[teacher, student]` with a simplify task,
///   because our engine has no "single fraction" form; simplified is the
///   nearest.
/// - NumDecPlaces, NumSigFigs: the checker on `[teacher, student]` with an
///   evaluate task rounded to the option's count. NumSigFigs `[n, m]` with
///   `m` different from `n` (check fewer figures, count only, allow extra)
///   is not modelled. An option that is not a positive whole number is an
///   error, as in STACK.
/// - SysEquiv: `equivalent(teacher, student)`, same real solution set.
/// - GT, GTE: the student's number compared with the teacher's.
/// - Everything else (SubstEquiv, EqualComAss*, Int, Diff, Antidiff,
///   AddConst, Units*, PartFrac, CompSquare, Sets, PropLogic, SameType,
///   NumAbsolute, NumRelative, NumDecPlacesWrong, SigFigsStrict) is not
///   modelled.
fn map_stack_answer_test(record: &Record) -> Outcome {
    let Some(expected) = pass_fail(&record.expected) else {
        return Outcome::Skipped;
    };
    let student = record.ours_student.as_str();
    let teacher = record.ours_teacher.as_str();
    let option = record.options.as_str().unwrap_or("").trim();
    let modelled = matches!(
        record.test.as_str(),
        "AlgEquiv"
            | "AlgEquivNouns"
            | "CasEqual"
            | "FacForm"
            | "Expanded"
            | "LowestTerms"
            | "SingleFrac"
            | "NumDecPlaces"
            | "NumSigFigs"
            | "SysEquiv"
            | "GT"
            | "GTE"
    );
    if !modelled {
        return Outcome::NotModelled;
    }
    let form_only = matches!(record.test.as_str(), "Expanded" | "LowestTerms");
    if student.is_empty() || (teacher.is_empty() && !form_only) {
        return Outcome::Skipped;
    }
    match record.test.as_str() {
        "AlgEquiv" | "AlgEquivNouns" => scored_equivalence(expected, student, teacher),
        "CasEqual" => {
            let semantic = if expected == PASS || record.answer_note.contains("AlgEquiv-true") {
                PASS
            } else if record.answer_note.contains("AlgEquiv-false") {
                FAIL
            } else if expected == ERROR {
                ERROR
            } else {
                return Outcome::NotModelled;
            };
            scored_equivalence(semantic.into(), student, teacher)
        }
        "FacForm" => {
            if !is_single_letter(option) {
                return scored(
                    expected,
                    ERROR,
                    format!("the option `{option}` is not a letter"),
                );
            }
            let mut task = Task::new(TaskKind::Factorise);
            task.unknowns = vec![option.to_string()];
            scored_check(expected, &task, &[teacher, student])
        }
        "Expanded" => scored_check(expected, &Task::new(TaskKind::Expand), &[student, student]),
        "LowestTerms" => scored_check(
            expected,
            &form_task(TaskKind::Simplify, student),
            &[student, student],
        ),
        "SingleFrac" => scored_check(
            expected,
            &Task::new(TaskKind::Simplify),
            &[teacher, student],
        ),
        "NumDecPlaces" => match positive_count(option) {
            Some(places) => {
                let task = rounded_task(TaskKind::Evaluate, Rounding::DecimalPlaces(places));
                scored_check(expected, &task, &[teacher, student])
            }
            None => scored(
                expected,
                ERROR,
                format!("the option `{option}` is not a positive whole number"),
            ),
        },
        "NumSigFigs" => {
            let figures = match sig_figs_option(option) {
                SigFigsOption::Exactly(n) => n,
                SigFigsOption::Other => return Outcome::NotModelled,
                SigFigsOption::Invalid => {
                    return scored(
                        expected,
                        ERROR,
                        format!("the option `{option}` is not a positive whole number"),
                    )
                }
            };
            let task = rounded_task(TaskKind::Evaluate, Rounding::SignificantFigures(figures));
            scored_check(expected, &task, &[teacher, student])
        }
        "SysEquiv" => scored_equivalence(expected, teacher, student),
        "GT" | "GTE" => {
            let no_vars = BTreeMap::new();
            match (
                numeric_value(student, &no_vars),
                numeric_value(teacher, &no_vars),
            ) {
                (Ok(s), Ok(t)) => {
                    let holds = if record.test == "GT" { s > t } else { s >= t };
                    scored(
                        expected,
                        if holds { PASS } else { FAIL },
                        format!("{s} against {t}"),
                    )
                }
                (Err(error), _) | (_, Err(error)) => scored(expected, ERROR, error),
            }
        }
        _ => Outcome::NotModelled,
    }
}

fn is_single_letter(text: &str) -> bool {
    let mut chars = text.chars();
    matches!((chars.next(), chars.next()), (Some(c), None) if c.is_alphabetic())
}

enum SigFigsOption {
    Exactly(u32),
    /// `[n, m]` with `m` other than `n`: a mode we do not model.
    Other,
    Invalid,
}

/// Reads STACK's NumSigFigs option: `n`, or `[n, m]` (m = n: exactly n figures).
fn sig_figs_option(option: &str) -> SigFigsOption {
    if let Some(n) = positive_count(option) {
        return SigFigsOption::Exactly(n);
    }
    let Some(inner) = option.strip_prefix('[').and_then(|s| s.strip_suffix(']')) else {
        return SigFigsOption::Invalid;
    };
    let parts: Vec<&str> = inner.split(',').map(str::trim).collect();
    match parts.as_slice() {
        [n, m] => match (positive_count(n), m.parse::<i64>()) {
            (Some(n), Ok(m)) if i64::from(n) == m => SigFigsOption::Exactly(n),
            (Some(_), Ok(_)) => SigFigsOption::Other,
            _ => SigFigsOption::Invalid,
        },
        _ => SigFigsOption::Invalid,
    }
}

// ---------------------------------------------------------------------------
// STACK arguments and numbers.

/// STACK arguments (`stack-equiv.jsonl`): the `steps` lines go into the
/// checker, with a solve task over every letter of the argument (a simplify
/// task when the first line has no relation sign or a later line starts
/// with `=`, as in equational reasoning). Arguments with the `calculus`
/// option (differentiation and integration steps) are not modelled.
/// Expected 1 agrees when every line after the first follows or follows
/// with a warning, and none is error carried forward. EquivFirst also needs the first line to be
/// equivalent to the teacher's first line. A `null` expected, or a step
/// with no translation, is skipped.
fn map_stack_argument(record: &Record) -> Outcome {
    let Some(expected) = pass_fail(&record.expected) else {
        return Outcome::Skipped;
    };
    if record
        .options
        .as_str()
        .is_some_and(|o| o.contains("calculus"))
    {
        return Outcome::NotModelled;
    }
    let Some(steps) = &record.steps else {
        return Outcome::Skipped;
    };
    let lines: Vec<&str> = steps.iter().map(|s| s.ours.as_str()).collect();
    if lines.is_empty() || lines.iter().any(|l| l.trim().is_empty()) {
        return Outcome::Skipped;
    }
    if record.test == "EquivFirst" {
        // The argument must also start from the teacher's first line.
        let Some(start) = record
            .ours_teacher
            .lines()
            .next()
            .filter(|l| !l.trim().is_empty())
        else {
            return Outcome::Skipped;
        };
        let (same_start, detail) = equivalence(start, lines[0]);
        if same_start != PASS {
            return scored(
                expected,
                same_start,
                format!("first line against `{start}`: {detail}"),
            );
        }
    }
    let equational = lines[1..].iter().any(|l| l.trim_start().starts_with('='));
    let task = if is_statement_text(lines[0]) && !equational {
        let mut task = Task::new(TaskKind::Solve);
        task.unknowns = letters_of(&lines);
        task
    } else {
        Task::new(TaskKind::Simplify)
    };
    let (ours, detail) = argument_holds(&task, &lines);
    scored(expected, ours, detail)
}

/// STACK number utilities (`stack-numbers.jsonl`).
///
/// - CountSigFigsAndDecimalPlaces: through the checker (see
///   [`counts_accepted`]), compared as `figures min-max, places n`.
/// - RoundToDecimalPlaces: the checker on `[student, teacher]` with an
///   evaluate task rounded to the option's decimal places. Negative places
///   (rounding to tens, hundreds) are not modelled.
/// - CountSigFigsLeadingNumber (the first number of a product) is not modelled.
fn map_stack_numbers(record: &Record) -> Outcome {
    let student = record.ours_student.as_str();
    match record.test.as_str() {
        "CountSigFigsAndDecimalPlaces" => {
            if student.is_empty() {
                return Outcome::Skipped;
            }
            let count = |name: &str| record.expected.get(name).and_then(Value::as_u64);
            let (Some(min), Some(max), Some(places)) = (
                count("sigfigs_min"),
                count("sigfigs_max"),
                count("decimal_places"),
            ) else {
                return Outcome::Skipped;
            };
            let expected = format!("figures {min}-{max}, places {places}");
            let ours = match counts_accepted(student) {
                Some((min, max, places)) => format!("figures {min}-{max}, places {places}"),
                None => "no count accepted".into(),
            };
            scored(expected, ours, "")
        }
        "RoundToDecimalPlaces" => {
            let Some(expected) = pass_fail(&record.expected) else {
                return Outcome::Skipped;
            };
            if student.is_empty() || record.ours_teacher.is_empty() {
                return Outcome::Skipped;
            }
            let option = record.options.as_str().unwrap_or("");
            let places = match option.trim().parse::<i64>() {
                Ok(places) if places >= 0 => places as u32,
                // Rounding to tens or hundreds: our rounding has no negative places.
                Ok(_) => return Outcome::NotModelled,
                Err(_) => {
                    return scored(
                        expected,
                        ERROR,
                        format!("the option `{option}` is not a whole number"),
                    )
                }
            };
            let task = rounded_task(TaskKind::Evaluate, Rounding::DecimalPlaces(places));
            scored_check(expected, &task, &[student, &record.ours_teacher])
        }
        _ => Outcome::NotModelled,
    }
}

// ---------------------------------------------------------------------------
// Numbas.

/// Numbas (`numbas-jme.jsonl`). A credit of 1 is a pass and any lower
/// credit a fail; `invalid` is an error.
///
/// - numberentry: the checker on `[teacher, student]` with an evaluate task,
///   rounded when the options give a precision in d.p. or s.f. Records with
///   other settings (notation styles, partial credit for precision, ...)
///   are not modelled.
/// - jme-part: `equivalent(student, teacher)`; records with string
///   restrictions (`musthave`, `notallowed`, patterns) are not modelled.
/// - evaluate, simplify, parse-implicit-multiplication,
///   parse-chained-relations: `equivalent(student, teacher)`, because each
///   claims the two sides have the same value (same parse or same
///   simplification).
/// - rounding: precround, siground and round through the checker on
///   `[student, teacher]` with a rounded evaluate task; the other functions
///   (trunc, ceil, floor, fract) are not modelled.
/// - countSigFigs: through the checker (see [`counts_accepted`]), the least
///   count accepted.
/// - number-notation, parse-expand-juxtapositions and fn:* are not modelled.
fn map_numbas(record: &Record) -> Outcome {
    let student = record.ours_student.as_str();
    let teacher = record.ours_teacher.as_str();
    let credit = match &record.expected {
        Value::Number(n) => n
            .as_f64()
            .map(|c| if c >= 1.0 { PASS } else { FAIL }.to_string()),
        other => pass_fail(other),
    };
    let options = record.options.as_object();
    let option_keys: Vec<&str> =
        options.map_or_else(Vec::new, |o| o.keys().map(String::as_str).collect());
    let option = |name: &str| record.options.get(name).and_then(option_text);
    match record.test.as_str() {
        "numberentry" => {
            let supported = [
                "precision",
                "precisionType",
                "strictPrecision",
                "allowFractions",
            ];
            if option_keys.iter().any(|k| !supported.contains(k)) {
                return Outcome::NotModelled;
            }
            let Some(expected) = credit else {
                return Outcome::Skipped;
            };
            if student.is_empty() || teacher.is_empty() {
                return Outcome::Skipped;
            }
            let mut task = Task::new(TaskKind::Evaluate);
            if let (Some(precision), Some(kind)) = (option("precision"), option("precisionType")) {
                let Ok(n) = precision.parse::<u32>() else {
                    return Outcome::NotModelled;
                };
                task.rounding = match kind.as_str() {
                    "dp" => Some(Rounding::DecimalPlaces(n)),
                    "sigfig" => Some(Rounding::SignificantFigures(n)),
                    _ => return Outcome::NotModelled,
                };
            }
            scored_check(expected, &task, &[teacher, student])
        }
        "jme-part" => {
            let restricted = [
                "musthave",
                "notallowed",
                "mustmatchpattern",
                "maxlength",
                "minlength",
            ];
            if option_keys.iter().any(|k| restricted.contains(k)) {
                return Outcome::NotModelled;
            }
            let Some(expected) = credit else {
                return Outcome::Skipped;
            };
            if student.is_empty() || teacher.is_empty() {
                return Outcome::Skipped;
            }
            scored_equivalence(expected, student, teacher)
        }
        "evaluate" | "simplify" | "parse-implicit-multiplication" | "parse-chained-relations" => {
            let Some(expected) = credit else {
                return Outcome::Skipped;
            };
            if student.is_empty() || teacher.is_empty() {
                return Outcome::Skipped;
            }
            scored_equivalence(expected, student, teacher)
        }
        "rounding" => {
            let rounding = match option("function").as_deref() {
                Some("precround") => option("places")
                    .and_then(|p| p.parse().ok())
                    .map(Rounding::DecimalPlaces),
                Some("siground") => option("places")
                    .and_then(|p| p.parse().ok())
                    .map(Rounding::SignificantFigures),
                Some("round") => Some(Rounding::DecimalPlaces(0)),
                _ => None,
            };
            let Some(rounding) = rounding else {
                return Outcome::NotModelled;
            };
            let Some(expected) = credit else {
                return Outcome::Skipped;
            };
            if student.is_empty() || teacher.is_empty() {
                return Outcome::Skipped;
            }
            scored_check(
                expected,
                &rounded_task(TaskKind::Evaluate, rounding),
                &[student, teacher],
            )
        }
        "countSigFigs" => {
            if student.is_empty() || !option_keys.is_empty() {
                return if student.is_empty() {
                    Outcome::Skipped
                } else {
                    Outcome::NotModelled
                };
            }
            let Some(expected) = record.expected.as_u64() else {
                return Outcome::Skipped;
            };
            let ours = counts_accepted(student)
                .map_or_else(|| "none".to_string(), |(min, _, _)| min.to_string());
            scored(expected.to_string(), ours, "")
        }
        _ => Outcome::NotModelled,
    }
}

/// An option value as text: Numbas stores numbers both as strings and as numbers.
fn option_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

// ---------------------------------------------------------------------------
// KAS.

/// KAS (`kas.jsonl`).
///
/// - compare with `form: false`, parse-print, parse-repr, transform-collect:
///   `equivalent(student, teacher)`. For the parse tests this checks the
///   value of the structure, not the structure itself.
/// - equation-as-expression: `equivalent(student, "teacher = 0")`, because
///   KAS maps equivalent equations to the same expression set to zero.
/// - evaluate: the student's expression at `options.vars` against the
///   teacher's number, exact without variables and as floats with them.
/// - isSimplified: the checker on `[student, student]` with a simplify
///   task. Equations and inequalities are not modelled.
/// - transform-expand, transform-factor, transform-simplify: the checker on
///   `[student, teacher]` with an expand, factorise or simplify task (the
///   teacher's line is the transformed form).
/// - compare with `form: true`, same-form and same-form-up-to-sign (written
///   form, up to order) are not modelled; neither are records that use
///   KAS's user functions.
fn map_kas(record: &Record) -> Outcome {
    let student = record.ours_student.as_str();
    let teacher = record.ours_teacher.as_str();
    if record.options.get("functions").is_some() {
        return Outcome::NotModelled;
    }
    let form_required = record.options.get("form").and_then(Value::as_bool) == Some(true);
    let needs_teacher = record.test != "isSimplified";
    let modelled = match record.test.as_str() {
        "compare" => !form_required,
        "same-form" | "same-form-up-to-sign" => false,
        _ => true,
    };
    if !modelled {
        return Outcome::NotModelled;
    }
    let Some(expected) = pass_fail(&record.expected) else {
        return Outcome::Skipped;
    };
    if student.is_empty() || (needs_teacher && teacher.is_empty()) {
        return Outcome::Skipped;
    }
    match record.test.as_str() {
        "equation-as-expression" => {
            scored_equivalence(expected, student, &format!("{teacher} = 0"))
        }
        "evaluate" => {
            let mut vars = BTreeMap::new();
            if let Some(given) = record.options.get("vars").and_then(Value::as_object) {
                for (name, value) in given {
                    let Some(value) = value.as_f64() else {
                        return Outcome::NotModelled;
                    };
                    vars.insert(name.clone(), value);
                }
            }
            match (
                numeric_value(student, &vars),
                numeric_value(teacher, &BTreeMap::new()),
            ) {
                (Ok(s), Ok(t)) => {
                    let ours = if numeric::close(s, t) { PASS } else { FAIL };
                    scored(expected, ours, format!("{s} against {t}"))
                }
                (Err(error), _) | (_, Err(error)) => scored(expected, ERROR, error),
            }
        }
        // KAS does not ask for an equation to be solved, and our form check
        // for an equation is that of a solved answer, so these are left out.
        "isSimplified" if is_statement_text(student) => Outcome::NotModelled,
        "isSimplified" => scored_check(
            expected,
            &form_task(TaskKind::Simplify, student),
            &[student, student],
        ),
        "transform-expand" => {
            scored_check(expected, &Task::new(TaskKind::Expand), &[student, teacher])
        }
        "transform-factor" => scored_check(
            expected,
            &Task::new(TaskKind::Factorise),
            &[student, teacher],
        ),
        "transform-simplify" => scored_check(
            expected,
            &Task::new(TaskKind::Simplify),
            &[student, teacher],
        ),
        _ => scored_equivalence(expected, student, teacher),
    }
}

// ---------------------------------------------------------------------------
// mathsteps.

/// mathsteps (`mathsteps.jsonl`).
///
/// - rewrite:*, first-step: `equivalent(student, teacher)`; a rewrite keeps
///   the value.
/// - worked-steps:*: each step must be equivalent to the one before.
/// - simplify: the checker on `[student, teacher]` with a simplify task.
/// - factor: the checker on `[student, teacher]` with a factorise task;
///   `no-steps` (no factorisation found) is not modelled.
/// - solve: the checker on `[equation, answer]` with a solve task for the
///   letter on the left of the answer.
/// - solve-statement: 1 when the equation is equivalent to `0 = 0` (always
///   true), 0 when equivalent to `0 = 1` (never true).
fn map_mathsteps(record: &Record) -> Outcome {
    let student = record.ours_student.as_str();
    let teacher = record.ours_teacher.as_str();
    let test = record.test.as_str();
    if test == "factor" && record.expected.as_str() == Some("no-steps") {
        return Outcome::NotModelled;
    }
    let Some(expected) = pass_fail(&record.expected) else {
        return Outcome::Skipped;
    };
    if test.starts_with("worked-steps:") {
        let Some(steps) = &record.steps else {
            return Outcome::Skipped;
        };
        if steps.len() < 2 || steps.iter().any(|s| s.ours.trim().is_empty()) {
            return Outcome::Skipped;
        }
        for pair in steps.windows(2) {
            let (ours, detail) = equivalence(&pair[0].ours, &pair[1].ours);
            if ours != PASS {
                let detail = format!("`{}` to `{}`: {ours} {detail}", pair[0].ours, pair[1].ours);
                return scored(expected, ours, detail);
            }
        }
        return scored(expected, PASS, "");
    }
    if student.is_empty() || (teacher.is_empty() && test != "solve-statement") {
        return Outcome::Skipped;
    }
    match test {
        "simplify" => scored_check(
            expected,
            &Task::new(TaskKind::Simplify),
            &[student, teacher],
        ),
        "factor" => scored_check(
            expected,
            &Task::new(TaskKind::Factorise),
            &[student, teacher],
        ),
        "solve" => {
            let mut task = Task::new(TaskKind::Solve);
            task.unknowns = left_letter(teacher).into_iter().collect();
            scored_check(expected, &task, &[student, teacher])
        }
        "solve-statement" => {
            let (always, detail) = equivalence(student, "0 = 0");
            if always == PASS {
                return scored(expected, PASS, "");
            }
            let (never, _) = equivalence(student, "0 = 1");
            match (always.as_str(), never.as_str()) {
                (_, PASS) => scored(expected, FAIL, ""),
                (ERROR, _) => scored(expected, ERROR, detail),
                _ => scored(expected, "neither", "neither always nor never true"),
            }
        }
        _ => scored_equivalence(expected, student, teacher),
    }
}

// ---------------------------------------------------------------------------
// CogTutorBugs and MaE.

/// CogTutorBugs (`cogtutor-bugs.jsonl`): every record is a step the tutor
/// flagged, so there is no pass or fail from the source itself. The corpus
/// authors' `equivalent_by_sympy` says whether the step keeps the real
/// solution set; we score `equivalent(line before, line after)` against it,
/// and skip records where it is not true or false.
fn map_cogtutor(record: &Record) -> Outcome {
    let Some(expected) = record.equivalent_by_sympy.as_bool() else {
        return Outcome::Skipped;
    };
    if record.ours_student.is_empty() || record.ours_teacher.is_empty() {
        return Outcome::Skipped;
    }
    let expected = if expected { PASS } else { FAIL };
    scored_equivalence(expected.into(), &record.ours_teacher, &record.ours_student)
}

/// MaE (`mae-misconceptions.jsonl`): each record shows a misconception, so
/// expected is 0. The parts of a chain `a = b = c` go into the checker as
/// lines with a simplify task; we agree (score 0) when some line is wrong or
/// the final answer is not correct. Records without a chain are not
/// modelled; chains with an untranslated part are skipped.
fn map_mae(record: &Record) -> Outcome {
    let Some(chain) = &record.chain else {
        return Outcome::NotModelled;
    };
    let lines: Vec<&str> = chain.iter().map(|s| s.ours.as_str()).collect();
    if lines.len() < 2 || lines.iter().any(|l| l.trim().is_empty()) {
        return Outcome::Skipped;
    }
    let Some(expected) = pass_fail(&record.expected) else {
        return Outcome::Skipped;
    };
    let report = check_working(&Task::new(TaskKind::Simplify), &lines);
    if let Some(line) = report.lines.iter().find(|l| l.verdict == Verdict::Wrong) {
        return scored(expected, FAIL, format!("`{}` marked wrong", line.input));
    }
    if let Some(line) = report
        .lines
        .iter()
        .find(|l| l.verdict == Verdict::Unreadable)
    {
        return scored(
            expected,
            ERROR,
            format!("unreadable `{}`: {}", line.input, line.message),
        );
    }
    let ours = if report.final_answer.verdict == FinalVerdict::Correct {
        PASS
    } else {
        FAIL
    };
    scored(expected, ours, final_detail(&report))
}

// ---------------------------------------------------------------------------
// Scoring and the report.

fn map_record(file: &str, record: &Record) -> Outcome {
    match (record.source.as_str(), file) {
        ("STACK", "stack-equiv.jsonl") => map_stack_argument(record),
        ("STACK", "stack-numbers.jsonl") => map_stack_numbers(record),
        ("STACK", _) => map_stack_answer_test(record),
        ("Numbas", _) => map_numbas(record),
        ("KAS", _) => map_kas(record),
        ("mathsteps", _) => map_mathsteps(record),
        ("CogTutorBugs", _) => map_cogtutor(record),
        ("MaE", _) => map_mae(record),
        _ => Outcome::NotModelled,
    }
}

/// The group a test belongs to: families with one test per rule or
/// misconception (`rewrite:*`, `worked-steps:*`, `fn:*`, `misconception:*`)
/// are pooled; CogTutorBugs keeps one group per diagnosis label.
fn group_test(test: &str) -> String {
    for family in ["rewrite:", "worked-steps:", "fn:", "misconception:"] {
        if test.starts_with(family) {
            return format!("{family}*");
        }
    }
    test.to_string()
}

struct Example {
    id: String,
    input: String,
    expected: String,
    ours: String,
    detail: String,
}

#[derive(Default)]
struct Tally {
    records: usize,
    scored: usize,
    agreed: usize,
    not_modelled: usize,
    skipped: usize,
    /// Scored against our expected value from `corpus_conventions.toml`.
    by_convention: usize,
    examples: Vec<Example>,
    disagreements: usize,
}

impl Tally {
    fn percent(&self) -> Option<f64> {
        (self.scored > 0).then(|| 100.0 * self.agreed as f64 / self.scored as f64)
    }

    fn add(&mut self, other: &Tally) {
        self.records += other.records;
        self.scored += other.scored;
        self.agreed += other.agreed;
        self.not_modelled += other.not_modelled;
        self.skipped += other.skipped;
        self.by_convention += other.by_convention;
        self.disagreements += other.disagreements;
    }
}

fn input_of(record: &Record) -> String {
    if let Some(steps) = record.steps.as_ref().or(record.chain.as_ref()) {
        return steps
            .iter()
            .map(|s| s.ours.as_str())
            .collect::<Vec<_>>()
            .join(" | ");
    }
    let mut input = format!("student `{}`", record.ours_student);
    if !record.ours_teacher.is_empty() {
        let _ = write!(input, ", teacher `{}`", record.ours_teacher);
    }
    if !record.options.is_null() && record.options != Value::String(String::new()) {
        let _ = write!(input, ", options {}", record.options);
    }
    input
}

fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_string()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "a panic with no message".to_string()
    }
}

fn fmt_percent(value: Option<f64>) -> String {
    value.map_or_else(|| "-".to_string(), |p| format!("{p:.1}%"))
}

fn table_row(name: &str, tally: &Tally) -> String {
    format!(
        "| {name} | {} | {} | {} | {} | {} | {} | {} |",
        tally.records,
        tally.scored,
        tally.agreed,
        fmt_percent(tally.percent()),
        tally.not_modelled,
        tally.skipped,
        tally.by_convention
    )
}

#[test]
fn corpus_agreement_meets_floors() {
    let dir = corpus_dir();
    let records = read_corpus(&dir);
    let conventions = read_conventions();
    let floors = read_floors();

    // Panics are recorded per record as disagreements, so silence the hook.
    let default_hook = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    let mut groups: BTreeMap<(String, String), Tally> = BTreeMap::new();
    let mut panics: Vec<String> = Vec::new();
    let mut used_conventions: BTreeSet<String> = BTreeSet::new();
    let examples = examples_per_group();
    for (file, record) in &records {
        let key = (record.source.clone(), group_test(&record.test));
        let tally = groups.entry(key).or_default();
        tally.records += 1;
        let outcome = panic::catch_unwind(AssertUnwindSafe(|| map_record(file, record)))
            .unwrap_or_else(|payload| {
                let message = panic_text(payload.as_ref());
                panics.push(format!("{} ({}): {message}", record.id, input_of(record)));
                scored("no panic", "panic", message)
            });
        match outcome {
            Outcome::NotModelled => tally.not_modelled += 1,
            Outcome::Skipped => tally.skipped += 1,
            Outcome::Scored {
                mut expected,
                ours,
                mut detail,
            } => {
                if let Some(convention) = conventions.get(&record.id) {
                    used_conventions.insert(record.id.clone());
                    tally.by_convention += 1;
                    detail = format!("{detail} [our convention: {}]", convention.reason);
                    expected.clone_from(&convention.expected);
                }
                tally.scored += 1;
                if expected == ours {
                    tally.agreed += 1;
                } else {
                    tally.disagreements += 1;
                    if tally.examples.len() < examples {
                        tally.examples.push(Example {
                            id: record.id.clone(),
                            input: input_of(record),
                            expected,
                            ours,
                            detail,
                        });
                    }
                }
            }
        }
    }
    panic::set_hook(default_hook);

    // The table, per group and per source.
    let mut table = String::new();
    let _ = writeln!(table, "# Agreement with the peer test corpus\n");
    let _ = writeln!(
        table,
        "Read from `{}`; produced by `cargo test -p stepwise-core --test corpus`.\n",
        dir.display()
    );
    let _ = writeln!(
        table,
        "| source / test | records | modelled | agreed | agreement | not modelled | skipped | by our convention |"
    );
    let _ = writeln!(
        table,
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    );
    let mut sources: BTreeMap<String, Tally> = BTreeMap::new();
    for ((source, test), tally) in &groups {
        let _ = writeln!(table, "{}", table_row(&format!("{source} / {test}"), tally));
        sources.entry(source.clone()).or_default().add(tally);
    }
    let _ = writeln!(table, "\n| source | records | modelled | agreed | agreement | not modelled | skipped | by our convention |");
    let _ = writeln!(
        table,
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    );
    let mut total = Tally::default();
    for (source, tally) in &sources {
        let _ = writeln!(table, "{}", table_row(source, tally));
        total.add(tally);
    }
    let _ = writeln!(table, "{}", table_row("all", &total));
    println!("{table}");
    write_markdown(&table);

    // Disagreements, for the engine team.
    println!("Disagreements (up to {examples} per group):");
    for ((source, test), tally) in &groups {
        if tally.examples.is_empty() {
            continue;
        }
        println!("\n{source} / {test}: {} disagreements", tally.disagreements);
        for example in &tally.examples {
            println!(
                "  {}: {} expected {} ours {} {}",
                example.id, example.input, example.expected, example.ours, example.detail
            );
        }
    }
    if !panics.is_empty() {
        println!("\nThe engine panicked on {} records:", panics.len());
        for line in &panics {
            println!("  {line}");
        }
    }
    let unused: Vec<&String> = conventions
        .keys()
        .filter(|id| !used_conventions.contains(*id))
        .collect();
    if !unused.is_empty() {
        println!("\nConventions for records that were not scored: {unused:?}");
    }

    // Floors.
    let mut below = Vec::new();
    for ((source, test), tally) in &groups {
        let name = format!("{source}/{test}");
        if let (Some(floor), Some(measured)) = (floors.groups.get(&name), tally.percent()) {
            if measured < *floor {
                below.push(format!(
                    "{name}: {measured:.2}% is below the floor {floor}%"
                ));
            }
        }
    }
    for (source, tally) in &sources {
        if let (Some(floor), Some(measured)) = (floors.sources.get(source), tally.percent()) {
            if measured < *floor {
                below.push(format!(
                    "{source}: {measured:.2}% is below the floor {floor}%"
                ));
            }
        }
    }
    assert!(
        below.is_empty(),
        "agreement with the corpus dropped below its floor in corpus_floors.toml:\n{}",
        below.join("\n")
    );
}

/// Writes the table for the benchmarks page. A failure to write is reported
/// but does not fail the test, which is about agreement.
fn write_markdown(table: &str) {
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(
        || PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../target")),
        PathBuf::from,
    );
    let path = target.join("corpus-agreement.md");
    let written = std::fs::create_dir_all(&target).and_then(|()| std::fs::write(&path, table));
    match written {
        Ok(()) => println!("The table is in {}", path.display()),
        Err(error) => println!("failed to write {}: {error}", path.display()),
    }
}
