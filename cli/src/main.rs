//! `stepwise`: Stepwise in a terminal.
//!
//! The commands share the core with the phone apps: `check` runs the
//! working checker on lines given as arguments or as JSON Lines, `equiv`
//! compares two expressions, `practice` is the interactive practice session
//! with attempts kept in SQLite (on the built-in skills or a content pack),
//! `content` lints and counts the skills, and `pack` builds a content pack.
//! `login`, `logout`, `sync`, `teacher` and `parent` talk to a
//! `stepwise-server`.
//!
//! Exit status: 0 on success, 1 when `equiv` finds the expressions not
//! equivalent or a batch had an invalid case line, 2 on any error.

mod batch;
mod cache_cmd;
mod check_cmd;
mod content_cmd;
mod equiv;
mod pack_cmd;
mod parent_cmd;
mod practice;
mod profiles_cmd;
mod session;
mod student_cmd;
mod sync_cmd;
mod teacher_cmd;

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use thiserror::Error;
use tracing_subscriber::EnvFilter;

use batch::{BatchError, InputError};
use check_cmd::{CheckError, TaskArg};
use equiv::EquivError;
use practice::PracticeError;
use profiles_cmd::{ProfileError, ProfilesCommand};
use student_cmd::StudentError;

/// The environment variable that sets the log filter, such as `debug` or
/// `stepwise=trace`.
const LOG_ENV: &str = "STEPWISE_LOG";

#[derive(Debug, Parser)]
#[command(
    name = "stepwise",
    version,
    about = "Maths practice that checks every line of your working"
)]
struct Cli {
    /// Where the data is and whose it is; each student command also takes
    /// these after its name.
    #[command(flatten)]
    student: student_cmd::StudentArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check lines of working: the first line is the question's starting
    /// expression or equation, the rest are the working.
    Check(CheckArgs),
    /// Compare two expressions, equations or inequalities for equivalence.
    Equiv(EquivArgs),
    /// Practise a skill with generated questions and line-by-line feedback.
    Practice(PracticeArgs),
    /// Check and count the built-in content.
    #[command(subcommand)]
    Content(content_cmd::ContentCommand),
    /// Build the skills into one content pack file with SHA-256 hashes.
    Pack(pack_cmd::PackArgs),
    /// Sign in to a Stepwise server; the token is kept in the data folder.
    Login(sync_cmd::LoginArgs),
    /// Sign out: revoke the token and forget it.
    Logout(sync_cmd::CommonArgs),
    /// Send your work to the server and fetch work set for you.
    Sync(sync_cmd::SyncArgs),
    /// Set work, follow a class, watch a student live.
    #[command(subcommand)]
    Teacher(teacher_cmd::TeacherCommand),
    /// Follow your child's progress.
    #[command(subcommand)]
    Parent(parent_cmd::ParentCommand),
    /// Add, list or remove the learners on this device.
    Profiles(ProfilesArgs),
    /// Show the profile's progress per skill: mastery, streaks, time spent.
    Progress(student_cmd::StudentArgs),
    /// Suggest what to practise next: assignment work, weak skills, reviews.
    Next(student_cmd::NextArgs),
    /// Check a question's working and record it as one finished attempt.
    Attempt(student_cmd::AttemptArgs),
}

#[derive(Debug, Args)]
struct CheckArgs {
    /// The kind of question the lines answer.
    #[arg(long, value_enum, required_unless_present = "batch")]
    task: Option<TaskArg>,
    /// The unknowns to solve for, or the subject to rearrange to, separated
    /// by commas (default: every letter in the question).
    #[arg(long = "for", value_name = "NAMES", value_delimiter = ',')]
    unknowns: Vec<String>,
    /// Round the final answer to N decimal places.
    #[arg(long, value_name = "N", conflicts_with = "sf")]
    dp: Option<u32>,
    /// Round the final answer to N significant figures.
    #[arg(long, value_name = "N")]
    sf: Option<u32>,
    /// Print the report as one JSON object.
    #[arg(long)]
    json: bool,
    /// Read cases as JSON Lines from FILE (`-` for standard input) and print
    /// one JSON result a line.
    #[arg(
        long,
        value_name = "FILE",
        conflicts_with_all = ["task", "unknowns", "dp", "sf", "json", "lines"]
    )]
    batch: Option<PathBuf>,
    /// The question's starting line, then the working, one argument a line
    /// (put them after `--` so that a leading minus is not read as an option).
    #[arg(value_name = "LINE", allow_hyphen_values = true)]
    lines: Vec<String>,
}

#[derive(Debug, Args)]
struct EquivArgs {
    /// The first expression.
    #[arg(required_unless_present = "batch", allow_hyphen_values = true)]
    a: Option<String>,
    /// The second expression.
    #[arg(required_unless_present = "batch", allow_hyphen_values = true)]
    b: Option<String>,
    /// Print the result as one JSON object.
    #[arg(long)]
    json: bool,
    /// Read pairs as JSON Lines `{"a": ..., "b": ...}` from FILE (`-` for
    /// standard input) and print one JSON result a line.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["a", "b", "json"])]
    batch: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct ProfilesArgs {
    #[command(flatten)]
    student: student_cmd::StudentArgs,
    #[command(subcommand)]
    command: ProfilesCommand,
}

#[derive(Debug, Args)]
struct PracticeArgs {
    #[command(flatten)]
    student: student_cmd::StudentArgs,
    /// Start with this skill instead of choosing from the list.
    #[arg(long, value_name = "ID")]
    skill: Option<String>,
    /// Seed of the first question; later questions take the next seeds,
    /// passing over any question already shown in this run, the resumed
    /// one included (default: taken from the clock).
    #[arg(long, value_name = "N")]
    seed: Option<u64>,
    /// Practise from this content pack (built by `stepwise pack`) instead of
    /// the built-in skills; it is verified against its hashes first.
    #[arg(long, value_name = "FILE")]
    pack: Option<PathBuf>,
}

/// A failure of any command, with the exit status it maps to.
#[derive(Debug, Error)]
enum AppError {
    #[error(transparent)]
    Input(#[from] InputError),
    #[error(transparent)]
    Batch(#[from] BatchError),
    #[error(transparent)]
    Check(#[from] CheckError),
    #[error(transparent)]
    Equiv(#[from] EquivError),
    #[error(transparent)]
    Practice(#[from] PracticeError),
    #[error(transparent)]
    Content(#[from] content_cmd::ContentError),
    #[error(transparent)]
    Pack(#[from] pack_cmd::PackCmdError),
    #[error(transparent)]
    Remote(#[from] session::RemoteError),
    #[error(transparent)]
    Profile(#[from] ProfileError),
    #[error(transparent)]
    Student(#[from] StudentError),
    #[error("failed to write the output: {0}; check that standard output is still open")]
    Output(#[from] io::Error),
}

/// The exit status of a command that ran to its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Success,
    /// `equiv` found the expressions not equivalent, or a batch contained an
    /// invalid case line.
    Negative,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
    match run(cli) {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::Negative) => ExitCode::from(1),
        Err(AppError::Output(error) | AppError::Batch(BatchError::Output(error)))
            if error.kind() == io::ErrorKind::BrokenPipe =>
        {
            // The reader went away (as with `| head`): nothing is left to tell it.
            ExitCode::from(2)
        }
        Err(error) => {
            tracing::debug!(?error, "command failed");
            let _ = writeln!(io::stderr(), "error: {error}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<Outcome, AppError> {
    let top = cli.student;
    match cli.command {
        Command::Check(args) => run_check(args),
        Command::Equiv(args) => run_equiv(args),
        Command::Profiles(args) => {
            let mut store = top.or(args.student).open_store()?;
            profiles_cmd::run(&mut store, &args.command, &mut io::stdout().lock())?;
            Ok(Outcome::Success)
        }
        Command::Progress(args) => Ok(student_cmd::progress(
            &top.or(args),
            &mut io::stdout().lock(),
        )?),
        Command::Next(args) => {
            let context = top.or(args.student.clone());
            Ok(student_cmd::next(
                &context,
                &args,
                &mut io::stdout().lock(),
            )?)
        }
        Command::Attempt(args) => {
            let context = top.or(args.student.clone());
            Ok(student_cmd::attempt(
                &context,
                &args,
                &mut io::stdout().lock(),
            )?)
        }
        Command::Practice(args) => {
            let context = top.or(args.student);
            let options = practice::Options {
                data_dir: context.data,
                profile: context.profile,
                pin: profiles_cmd::pin_from_env(),
                skill: args.skill,
                seed: args.seed,
                pack: args.pack,
            };
            practice::run(&options)?;
            Ok(Outcome::Success)
        }
        Command::Content(mut command) => {
            if let content_cmd::ContentCommand::Cache(cache) = &mut command {
                cache.inherit(&top);
            }
            Ok(content_cmd::run(&command, &mut io::stdout().lock())?)
        }
        Command::Pack(args) => {
            pack_cmd::run(&args, &mut io::stdout().lock())?;
            Ok(Outcome::Success)
        }
        Command::Login(args) => remote(sync_cmd::login(&args, &mut io::stdout())),
        Command::Logout(args) => remote(sync_cmd::logout(&args, &mut io::stdout())),
        Command::Sync(args) => remote(sync_cmd::run_sync(&args, &mut io::stdout())),
        Command::Teacher(command) => remote(teacher_cmd::run(&command, &mut io::stdout())),
        Command::Parent(command) => remote(parent_cmd::run(&command, &mut io::stdout())),
    }
}

fn remote(result: Result<(), session::RemoteError>) -> Result<Outcome, AppError> {
    match result {
        Err(session::RemoteError::Output(error)) => Err(AppError::Output(error)),
        other => Ok(other.map(|()| Outcome::Success)?),
    }
}

fn run_check(args: CheckArgs) -> Result<Outcome, AppError> {
    let stdout = io::stdout();
    let mut out = stdout.lock();
    if let Some(path) = args.batch {
        let input = batch::open(&path)?;
        let invalid = check_cmd::run_batch(input, &mut out)?;
        return Ok(if invalid == 0 {
            Outcome::Success
        } else {
            Outcome::Negative
        });
    }
    // clap requires `--task` whenever `--batch` is absent.
    let Some(kind) = args.task else {
        return Err(CheckError::MissingTask.into());
    };
    let task = check_cmd::build_task(kind.into(), args.unknowns, args.dp, args.sf)?;
    let lines: Vec<&str> = args.lines.iter().map(String::as_str).collect();
    let report = check_cmd::check(&task, &lines)?;
    if args.json {
        check_cmd::write_json(&report, &mut out)?;
    } else {
        check_cmd::write_human(&report, &mut out)?;
    }
    Ok(Outcome::Success)
}

fn run_equiv(args: EquivArgs) -> Result<Outcome, AppError> {
    let stdout = io::stdout();
    let mut out = stdout.lock();
    if let Some(path) = args.batch {
        let input = batch::open(&path)?;
        let invalid = equiv::run_batch(input, &mut out)?;
        return Ok(if invalid == 0 {
            Outcome::Success
        } else {
            Outcome::Negative
        });
    }
    let (Some(a), Some(b)) = (args.a, args.b) else {
        return Err(EquivError::MissingExpressions.into());
    };
    Ok(equiv::run_pair(&a, &b, args.json, &mut out)?)
}

/// Sends `tracing` output to standard error, filtered by `STEPWISE_LOG`
/// (default `warn`).
/// Standard error for log lines, dropping what cannot be written. When the
/// reader has gone (as with `2>&1 | head`), tracing-subscriber would
/// otherwise report the failed write on standard error and panic.
struct QuietStderr;

impl Write for QuietStderr {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let _ = io::stderr().write_all(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        let _ = io::stderr().flush();
        Ok(())
    }
}

fn init_logging() {
    let filter = match std::env::var(LOG_ENV) {
        Ok(spec) => EnvFilter::try_new(&spec).unwrap_or_else(|error| {
            let _ = writeln!(
                io::stderr(),
                "warning: invalid {LOG_ENV} value `{spec}` ({error}); logging at warn instead"
            );
            EnvFilter::new("warn")
        }),
        Err(_) => EnvFilter::new("warn"),
    };
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(|| QuietStderr)
        .with_ansi(io::stderr().is_terminal())
        .with_target(false)
        .init();
}
