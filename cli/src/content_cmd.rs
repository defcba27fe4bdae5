//! `stepwise content lint` and `stepwise content catalogue`: checks of the
//! built-in skills for content authors and CI.
//!
//! `lint` runs every template over many seeds through the real checker
//! ([`stepwise_core::generate::lint`]) and exits non-zero naming each
//! failing question. `catalogue` prints how many distinct questions each
//! skill can produce and the total, with the `small_reason` of each skill
//! under 1,000.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use serde_json::json;
use thiserror::Error;

use stepwise_core::generate::builtin::{builtin, load_skill};
use stepwise_core::generate::lint::{catalogue, lint};
use stepwise_core::generate::{GenerateError, Skill};

use crate::pack_cmd::{read_content, PackCmdError};

use crate::Outcome;

/// Count of distinct questions below which the catalogue flags a skill.
const SMALL_SKILL_THRESHOLD: u128 = 1_000;

#[derive(Debug, Subcommand)]
pub enum ContentCommand {
    /// Check every template over many seeds: each question generates, its
    /// model solution is accepted line by line, and its answer is correct.
    Lint(LintArgs),
    /// Count the distinct questions each skill can produce.
    Catalogue(CatalogueArgs),
    /// `fetch`, `status` and `evict`: the cache of downloaded media.
    #[command(flatten)]
    Cache(crate::cache_cmd::CacheCommand),
}

#[derive(Debug, Args)]
pub struct LintArgs {
    /// Seeds tried per template, from 0.
    #[arg(long, value_name = "N", default_value_t = 2000)]
    pub seeds: u64,
    /// Lint the skill files of this content folder (holding
    /// `skills/<strand>/<id>.toml`) instead of the built-in skills, so that
    /// new files can be checked without a rebuild.
    #[arg(long, value_name = "DIR")]
    pub content: Option<PathBuf>,
    /// Lint only the skills whose id starts with this prefix.
    #[arg(long, value_name = "PREFIX")]
    pub only: Option<String>,
}

#[derive(Debug, Args)]
pub struct CatalogueArgs {
    /// Print one JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Count the skill files of this content folder instead of the
    /// built-in skills.
    #[arg(long, value_name = "DIR")]
    pub content: Option<PathBuf>,
}

#[derive(Debug, Error)]
pub enum ContentError {
    #[error("the built-in content failed to load: {0}")]
    Load(#[from] GenerateError),
    #[error("failed to write the output: {0}; check that standard output is still open")]
    Output(#[from] io::Error),
    #[error(transparent)]
    Cache(#[from] crate::cache_cmd::CacheError),
    #[error(transparent)]
    Folder(#[from] PackCmdError),
}

/// The built-in skills, or those of the content folder `dir`.
fn skills(dir: Option<&Path>) -> Result<Vec<Skill>, ContentError> {
    match dir {
        None => Ok(builtin()?),
        Some(dir) => {
            let mut files = read_content(dir)?;
            files.sort();
            Ok(files
                .iter()
                .map(|(path, text)| load_skill(path, text))
                .collect::<Result<_, _>>()?)
        }
    }
}

/// Runs a `content` subcommand, writing to `out`.
pub fn run(command: &ContentCommand, out: &mut impl Write) -> Result<Outcome, ContentError> {
    match command {
        ContentCommand::Lint(args) => run_lint(args, out),
        ContentCommand::Catalogue(args) => run_catalogue(args, out),
        ContentCommand::Cache(command) => Ok(crate::cache_cmd::run(command, out)?),
    }
}

fn run_lint(args: &LintArgs, out: &mut impl Write) -> Result<Outcome, ContentError> {
    let mut skills = skills(args.content.as_deref())?;
    if let Some(prefix) = &args.only {
        skills.retain(|skill| skill.id.starts_with(prefix.as_str()));
    }
    let report = lint(&skills, args.seeds);
    for failure in &report.failures {
        writeln!(out, "FAIL {failure}")?;
    }
    writeln!(
        out,
        "{} skills, {} templates, {} questions checked ({} seeds each): {} failures",
        report.skills,
        report.templates,
        report.checked,
        args.seeds,
        report.failures.len()
    )?;
    Ok(if report.passed() {
        Outcome::Success
    } else {
        Outcome::Negative
    })
}

/// Returns the table's remark for a skill under [`SMALL_SKILL_THRESHOLD`],
/// which is the skill file's `small_reason` or a flag that it gives none.
/// Larger skills get an empty remark.
fn small_note(skill: &Skill, count: u128) -> String {
    if count >= SMALL_SKILL_THRESHOLD {
        return String::new();
    }
    match &skill.small_reason {
        Some(reason) => format!("  (under 1,000: {reason})"),
        None => "  (under 1,000, no small_reason given)".to_string(),
    }
}

fn run_catalogue(args: &CatalogueArgs, out: &mut impl Write) -> Result<Outcome, ContentError> {
    let skills = skills(args.content.as_deref())?;
    let counts = catalogue(&skills)?;
    let total: u128 = counts.iter().map(|count| count.count).sum();
    let all_exact = counts.iter().all(|count| count.exact);
    if args.json {
        let entries: Vec<_> = skills
            .iter()
            .zip(&counts)
            .map(|(skill, count)| {
                json!({
                    "skill": count.skill,
                    "tier": format!("{:?}", skill.tier),
                    "strand": skill.strand,
                    "templates": skill.templates.len(),
                    "count": count.count.to_string(),
                    "exact": count.exact,
                    "small_reason": skill.small_reason,
                })
            })
            .collect();
        let value = json!({
            "skills": entries,
            "total": total.to_string(),
            "exact": all_exact,
        });
        writeln!(out, "{value}")?;
    } else {
        for (skill, count) in skills.iter().zip(&counts) {
            let label = if count.exact { "exact" } else { "estimate" };
            let note = small_note(skill, count.count);
            writeln!(out, "{:<44} {:>14} {label}{note}", count.skill, count.count)?;
        }
        let label = if all_exact {
            "exact"
        } else {
            "some skills estimated"
        };
        writeln!(
            out,
            "total: {total} distinct questions in {} skills ({label})",
            counts.len()
        )?;
        let small: Vec<&Skill> = skills
            .iter()
            .zip(&counts)
            .filter(|(_, count)| count.count < SMALL_SKILL_THRESHOLD)
            .map(|(skill, _)| skill)
            .collect();
        let unexplained = small
            .iter()
            .filter(|skill| skill.small_reason.is_none())
            .count();
        writeln!(
            out,
            "under 1,000: {} skills, {unexplained} of them without a small_reason",
            small.len()
        )?;
    }
    Ok(Outcome::Success)
}
