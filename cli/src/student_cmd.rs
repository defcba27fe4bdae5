//! The student commands that read and write a profile's stored work without
//! an interactive session: `progress`, `next` and `attempt`.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;
use serde_json::json;
use stepwise_core::check::{check_working, FinalVerdict};
use stepwise_core::generate::order::learning_order;
use stepwise_core::generate::{self, QuestionId};
use stepwise_core::store::attempts::{self, AttemptStatus, NewAttempt, StoredLine};
use stepwise_core::store::progress::{self, NextReason};
use stepwise_core::store::{assignments, outbox, ProfileId, Store, StoreError};
use thiserror::Error;

use crate::check_cmd::{format_final, format_line};
use crate::profiles_cmd::{self, now_ms, ProfileError};
use crate::Outcome;

/// The data folder and profile options, `--data` and `--profile`, taken
/// before or after the command's name.
#[derive(Debug, Clone, Default, Args)]
pub struct StudentArgs {
    /// Folder for the database, the content cache and the line history
    /// (default: the user's data folder, such as ~/.local/share/stepwise on Linux).
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// The learner whose work this is (needed when the device has several;
    /// a PIN is read from STEPWISE_PIN).
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
}

pub type Context = StudentArgs;

impl StudentArgs {
    /// These options, each filled from `later` where not given here.
    pub fn or(self, later: StudentArgs) -> StudentArgs {
        StudentArgs {
            data: self.data.or(later.data),
            profile: self.profile.or(later.profile),
        }
    }

    pub fn open_store(&self) -> Result<Store, ProfileError> {
        let dir = profiles_cmd::data_dir(self.data.as_deref())?;
        Ok(Store::open(&dir)?)
    }

    /// Opens the store and unlocks the chosen profile.
    pub fn open_profile(&self) -> Result<(Store, ProfileId), ProfileError> {
        let mut store = self.open_store()?;
        let pin = profiles_cmd::pin_from_env();
        let profile = profiles_cmd::resolve(
            &mut store,
            self.profile.as_deref(),
            pin.as_deref(),
            now_ms(),
        )?;
        Ok((store, profile))
    }
}

#[derive(Debug, Error)]
pub enum StudentError {
    #[error(transparent)]
    Profile(#[from] ProfileError),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A question id that does not parse; the core's message already names
    /// the id and the expected form.
    #[error(transparent)]
    QuestionId(generate::GenerateError),
    #[error("no question `{id}`: {source}")]
    Question {
        id: String,
        source: generate::GenerateError,
    },
    #[error("failed to load the built-in skills: {0}")]
    Skills(generate::GenerateError),
    #[error("no lines of working given; put them after `--`, one argument a line")]
    NoLines,
    #[error("line {number} of the working is blank; give each line of working as a non-empty argument after `--`")]
    BlankLine { number: usize },
    #[error("failed to write the output: {0}")]
    Output(#[from] std::io::Error),
}

#[derive(Debug, Args)]
pub struct NextArgs {
    #[command(flatten)]
    pub student: StudentArgs,
    /// How many suggestions to list.
    #[arg(long, default_value_t = 5, value_name = "N")]
    limit: usize,
}

#[derive(Debug, Args)]
pub struct AttemptArgs {
    #[command(flatten)]
    pub student: StudentArgs,
    /// The question, as skill/version/seed (such as alg.linear.solve-both-sides/1/7).
    question: String,
    /// The assignment this attempt counts toward (default: the open
    /// assignment, earliest due first, that still wants this skill).
    #[arg(long, value_name = "ID")]
    assignment: Option<String>,
    /// Print the result as one JSON object.
    #[arg(long)]
    json: bool,
    /// The working, one argument a line, after `--` (without the question's
    /// starting line, which comes from the question id).
    #[arg(value_name = "LINE", allow_hyphen_values = true, last = true)]
    lines: Vec<String>,
}

/// `stepwise progress`: one row per skill tried, then assignments and sync.
pub fn progress(context: &Context, out: &mut dyn Write) -> Result<Outcome, StudentError> {
    let (store, profile) = context.open_profile()?;
    let conn = store.connection();
    let list = progress::list(conn, profile)?;
    if list.is_empty() {
        writeln!(
            out,
            "No attempts yet: try `stepwise practice` or `stepwise next`."
        )?;
    }
    let width = list
        .iter()
        .map(|skill| skill.skill_id.len())
        .max()
        .unwrap_or(0)
        .max("skill".len());
    if !list.is_empty() {
        writeln!(
            out,
            "{:<width$} {:>7} {:>8} {:>7} {:>6} {:>5} {:>8}",
            "skill", "mastery", "attempts", "correct", "streak", "best", "time"
        )?;
    }
    for skill in &list {
        writeln!(
            out,
            "{:<width$} {:>6.0}% {:>8} {:>7} {:>6} {:>5} {:>8}",
            skill.skill_id,
            skill.mastery * 100.0,
            skill.attempts,
            skill.correct,
            skill.streak,
            skill.best_streak,
            minutes_seconds(skill.time_spent_ms)
        )?;
    }
    for stored in assignments::list(conn, profile)? {
        writeln!(
            out,
            "assignment {} ({}): {}",
            stored.assignment.id,
            stored.state.as_str(),
            stored.assignment.title
        )?;
    }
    writeln!(
        out,
        "{} events waiting to sync",
        outbox::count(conn, profile)?
    )?;
    Ok(Outcome::Success)
}

/// `stepwise next`: the mixed list of what to practise.
pub fn next(
    context: &Context,
    args: &NextArgs,
    out: &mut dyn Write,
) -> Result<Outcome, StudentError> {
    let (store, profile) = context.open_profile()?;
    let skills = generate::builtin::builtin().map_err(StudentError::Skills)?;
    let known = learning_order(&skills);
    let items = progress::next(store.connection(), profile, now_ms(), &known, args.limit)?;
    for item in items {
        let why = match item.reason {
            NextReason::Assignment {
                title, remaining, ..
            } => format!("assignment \"{title}\", {remaining} to do"),
            NextReason::Weak { mastery } => format!("weak, mastery {:.0}%", mastery * 100.0),
            NextReason::Review { .. } => "due for review".to_string(),
            NextReason::New => "new".to_string(),
        };
        writeln!(out, "{:<24} {why}", item.skill_id)?;
    }
    Ok(Outcome::Success)
}

/// `stepwise attempt`: checks the working and stores it as a finished
/// attempt. Exit status 1 when the final answer is not correct.
pub fn attempt(
    context: &Context,
    args: &AttemptArgs,
    out: &mut dyn Write,
) -> Result<Outcome, StudentError> {
    if args.lines.is_empty() {
        return Err(StudentError::NoLines);
    }
    if let Some(index) = args.lines.iter().position(|line| line.trim().is_empty()) {
        return Err(StudentError::BlankLine { number: index + 1 });
    }
    let id = QuestionId::parse(&args.question).map_err(StudentError::QuestionId)?;
    let skills = generate::builtin::builtin().map_err(StudentError::Skills)?;
    let question =
        generate::generate_by_id(&skills, &id).map_err(|source| StudentError::Question {
            id: args.question.clone(),
            source,
        })?;

    let mut lines: Vec<&str> = vec![question.start.as_str()];
    lines.extend(args.lines.iter().map(String::as_str));
    let report = check_working(&question.check_task(), &lines);

    let (mut store, profile) = context.open_profile()?;
    // Without --assignment, the attempt counts toward the open assignment
    // (earliest due first) that still wants questions of this skill.
    let assignment_id = match &args.assignment {
        Some(id) => Some(id.clone()),
        None => assignments::remaining_work(store.connection(), profile)?
            .into_iter()
            .filter(|item| item.skill_id == question.skill)
            .find_map(|item| match item.reason {
                NextReason::Assignment { assignment_id, .. } => Some(assignment_id),
                _ => None,
            }),
    };
    let now = now_ms();
    let stored: Vec<StoredLine> = report
        .lines
        .iter()
        .skip(1)
        .map(|line| StoredLine {
            report: line.clone(),
            typed_at_ms: now,
        })
        .collect();
    let verdict = report.final_answer.verdict;
    let status = if verdict == FinalVerdict::Correct {
        AttemptStatus::Correct
    } else {
        AttemptStatus::Skipped
    };
    let attempt = NewAttempt {
        question_id: id.to_string(),
        skill_id: question.skill.clone(),
        question_text: question.text.clone(),
        start_line: question.start.clone(),
        started_at_ms: now,
        assignment_id: assignment_id.clone(),
    };
    let tx = store.transaction()?;
    let attempt_id =
        attempts::record_complete(&tx, profile, &attempt, &stored, status, Some(verdict), now)?;
    tx.commit().map_err(StoreError::from)?;
    let uuid = attempts::load(store.connection(), profile, attempt_id)?.uuid;

    if args.json {
        let value = json!({
            "attempt": uuid,
            "question": attempt.question_id,
            "assignment": assignment_id,
            "lines": report.lines.iter().skip(1).collect::<Vec<_>>(),
            "final": report.final_answer,
        });
        writeln!(out, "{value}")?;
    } else {
        writeln!(out, "{}", question.text)?;
        let width = lines
            .iter()
            .map(|line| line.chars().count())
            .max()
            .unwrap_or(0);
        for line in &report.lines {
            writeln!(out, "{}", format_line(line, width))?;
        }
        writeln!(out, "{}", format_final(&report))?;
        match &assignment_id {
            Some(assignment) => writeln!(
                out,
                "recorded attempt {uuid} toward assignment {assignment}"
            )?,
            None => writeln!(out, "recorded attempt {uuid}")?,
        }
    }
    Ok(if verdict == FinalVerdict::Correct {
        Outcome::Success
    } else {
        Outcome::Negative
    })
}

fn minutes_seconds(ms: i64) -> String {
    let seconds = ms / 1000;
    format!("{}:{:02}", seconds / 60, seconds % 60)
}
