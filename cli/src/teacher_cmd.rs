//! `stepwise teacher`: set work, read a class's summary and a student's
//! working line by line, watch a student's lines arrive, comment on a line.
//!
//! Classes and students are named by the ids the school's administration
//! commands print; `stepwise teacher classes` lists the teacher's classes.

use std::io::{self, Write};
use std::time::Duration;

use clap::{Args, Subcommand};
use serde::Serialize;
use stepwise_core::generate::builtin::builtin;
use stepwise_core::generate::{generate_by_id, QuestionId};
use stepwise_core::sync::client::SyncClient;
use stepwise_core::sync::remote::{ClassEntry, LiveEvent};
use stepwise_core::sync::views::{AssignRequest, CommentRequest, LiveLine};

use crate::session::{self, block_on, retry_rng, RemoteError, Session};
use crate::sync_cmd::CommonArgs;

#[derive(Debug, Subcommand)]
pub enum TeacherCommand {
    /// List the classes you teach.
    Classes(CommonArgs),
    /// Set work to a class, or to some of its students.
    Assign(AssignArgs),
    /// Each student's attempts, marks and time, and the class's common mistakes.
    Summary(SummaryArgs),
    /// Every attempt of one student with each line and its verdict.
    Working(StudentArgs),
    /// Print a student's lines as they arrive.
    Watch(WatchArgs),
    /// Comment on one line of an attempt. The student gets it at the next sync.
    Comment(CommentArgs),
}

#[derive(Debug, Args)]
pub struct AssignArgs {
    /// The class's id.
    #[arg(long, value_name = "ID")]
    class: String,
    /// Only these students of the class (repeat the option); default: all.
    #[arg(long = "student", value_name = "ID")]
    students: Vec<String>,
    /// The title students see.
    #[arg(long)]
    title: String,
    /// A skill to practise (repeat the option for several).
    #[arg(long = "skill", value_name = "ID", required = true)]
    skills: Vec<String>,
    /// Questions to answer per skill.
    #[arg(long, default_value_t = 5)]
    questions: u32,
    /// A video to watch first (repeat the option for several).
    #[arg(long = "video", value_name = "ID")]
    videos: Vec<String>,
    /// The last day to do the work on, as YYYY-MM-DD (UTC).
    #[arg(long, value_name = "DATE")]
    due: Option<String>,
    #[command(flatten)]
    common: CommonArgs,
}

#[derive(Debug, Args)]
pub struct SummaryArgs {
    /// The class's id; default: every class you teach.
    #[arg(long, value_name = "ID")]
    class: Option<String>,
    #[command(flatten)]
    common: CommonArgs,
}

#[derive(Debug, Args)]
pub struct StudentArgs {
    /// The student's id.
    #[arg(long, value_name = "ID")]
    student: String,
    #[command(flatten)]
    common: CommonArgs,
}

#[derive(Debug, Args)]
pub struct WatchArgs {
    /// The student's id.
    #[arg(long, value_name = "ID")]
    student: String,
    /// Stop after this many lines (default: watch until interrupted).
    #[arg(long, value_name = "N")]
    lines: Option<u64>,
    /// Stop after this many seconds.
    #[arg(long, value_name = "SECONDS")]
    seconds: Option<u64>,
    #[command(flatten)]
    common: CommonArgs,
}

#[derive(Debug, Args)]
pub struct CommentArgs {
    /// The attempt's id, as `stepwise teacher working` shows it.
    #[arg(long, value_name = "ID")]
    attempt: String,
    /// The line's number, counting from 1 as `working` shows them.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    line: u32,
    /// The student's id, needed only when two of your students use the
    /// same attempt id.
    #[arg(long, value_name = "ID")]
    student: Option<String>,
    /// The comment.
    text: String,
    #[command(flatten)]
    common: CommonArgs,
}

pub fn run(command: &TeacherCommand, out: &mut dyn Write) -> Result<(), RemoteError> {
    let common = match command {
        TeacherCommand::Classes(common) => common,
        TeacherCommand::Assign(args) => &args.common,
        TeacherCommand::Summary(args) => &args.common,
        TeacherCommand::Working(args) => &args.common,
        TeacherCommand::Watch(args) => &args.common,
        TeacherCommand::Comment(args) => &args.common,
    };
    let session = Session::load(&common.dir()?)?;
    session.require("teacher")?;
    let client = session.client()?;
    let json = common.json;
    match command {
        TeacherCommand::Classes(_) => classes(&client, json, out),
        TeacherCommand::Assign(args) => assign(&client, args, out),
        TeacherCommand::Summary(args) => summary(&client, args, out),
        TeacherCommand::Working(args) => working(&client, args, out),
        TeacherCommand::Watch(args) => block_on(watch(&client, args, out))?,
        TeacherCommand::Comment(args) => comment(&client, args, out),
    }
}

/// The `--json` output of `stepwise teacher classes`.
#[derive(Debug, Serialize)]
struct ClassList {
    classes: Vec<ClassEntry>,
}

fn class_list(client: &SyncClient) -> Result<ClassList, RemoteError> {
    let classes = block_on(client.teacher_classes(&mut retry_rng()))??;
    Ok(ClassList { classes })
}

fn classes(client: &SyncClient, json: bool, out: &mut dyn Write) -> Result<(), RemoteError> {
    let list = class_list(client)?;
    if json {
        return write_json(out, &list);
    }
    if list.classes.is_empty() {
        writeln!(out, "You teach no class yet.")?;
    }
    for class in &list.classes {
        writeln!(out, "{}  {}", class.class_id, class.name)?;
    }
    Ok(())
}

fn assign(client: &SyncClient, args: &AssignArgs, out: &mut dyn Write) -> Result<(), RemoteError> {
    let due_ms = args
        .due
        .as_deref()
        .map(session::end_of_day_ms)
        .transpose()?;
    if let (Some(due), Some(ms)) = (&args.due, due_ms) {
        if ms <= crate::profiles_cmd::now_ms() {
            return Err(RemoteError::PastDate(due.clone()));
        }
    }
    let request = AssignRequest {
        class_id: args.class.clone(),
        student_ids: args.students.clone(),
        title: args.title.clone(),
        skills: args.skills.clone(),
        questions: args.questions,
        videos: args.videos.clone(),
        due_ms,
    };
    let response = block_on(client.assign(&request, &mut retry_rng()))??;
    if args.common.json {
        return write_json(out, &response);
    }
    writeln!(
        out,
        "Set \"{}\" to {} student{} [{}].",
        args.title,
        response.students,
        if response.students == 1 { "" } else { "s" },
        response.assignment_id
    )?;
    Ok(())
}

fn summary(
    client: &SyncClient,
    args: &SummaryArgs,
    out: &mut dyn Write,
) -> Result<(), RemoteError> {
    let ids = match &args.class {
        Some(id) => vec![id.clone()],
        None => class_list(client)?
            .classes
            .into_iter()
            .map(|class| class.class_id)
            .collect(),
    };
    let mut summaries = Vec::new();
    for id in ids {
        let summary = block_on(client.class_summary(&id, &mut retry_rng()))??;
        summaries.push(summary);
    }
    if args.common.json {
        return write_json(out, &serde_json::json!({ "classes": summaries }));
    }
    for summary in &summaries {
        writeln!(out, "{} [{}]", summary.name, summary.class_id)?;
        writeln!(
            out,
            "  {:<24} {:>8} {:>8} {:>8} {:>8}",
            "student", "attempts", "finished", "correct", "minutes"
        )?;
        for student in &summary.students {
            writeln!(
                out,
                "  {:<24} {:>8} {:>8} {:>8} {:>8.1}",
                student.name,
                student.attempts,
                student.finished,
                student.correct,
                student.time_spent_ms as f64 / 60_000.0
            )?;
        }
        if !summary.common_mistakes.is_empty() {
            writeln!(out, "  Common mistakes:")?;
            for mistake in &summary.common_mistakes {
                writeln!(out, "    {} × {}", mistake.count, mistake.diagnosis)?;
            }
        }
    }
    Ok(())
}

fn working(
    client: &SyncClient,
    args: &StudentArgs,
    out: &mut dyn Write,
) -> Result<(), RemoteError> {
    let work = block_on(client.student_work(&args.student, &mut retry_rng()))??;
    if args.common.json {
        return write_json(out, &work);
    }
    writeln!(out, "{} [{}]", work.name, work.student_id)?;
    if work.attempts.is_empty() {
        writeln!(out, "  No attempts yet.")?;
    }
    // The question's starting line is regenerated from its id, so that the
    // teacher sees what the student started from. Content this binary does
    // not know shows the text alone.
    let skills = builtin().unwrap_or_default();
    for attempt in &work.attempts {
        let outcome = attempt.outcome.as_deref().unwrap_or("in progress");
        let start = QuestionId::parse(&attempt.question_id)
            .and_then(|id| generate_by_id(&skills, &id))
            .map(|question| format!(" {}", question.start))
            .unwrap_or_default();
        writeln!(
            out,
            "  {}{start}  ({outcome}) [{} {}]",
            attempt.question_text, attempt.question_id, attempt.attempt_id
        )?;
        for line in &attempt.lines {
            let diagnosis = line
                .diagnosis
                .as_deref()
                .map(|d| format!(": {d}"))
                .unwrap_or_default();
            writeln!(
                out,
                "    {:>2}. {:<30} {}{diagnosis}",
                line.index + 1,
                line.input,
                line.verdict
            )?;
        }
    }
    Ok(())
}

/// Reads the server-sent events of the live view and prints each line.
/// The note that the view is open goes to standard error, so that a script
/// reading standard output gets only lines.
async fn watch(
    client: &SyncClient,
    args: &WatchArgs,
    out: &mut dyn Write,
) -> Result<(), RemoteError> {
    let mut stream = client.open_live(&args.student).await?;
    let deadline = args
        .seconds
        .map(|seconds| tokio::time::Instant::now() + Duration::from_secs(seconds));
    let mut shown = 0u64;
    loop {
        if args.lines.is_some_and(|limit| shown >= limit) {
            return Ok(());
        }
        let events = match deadline {
            Some(deadline) => match tokio::time::timeout_at(deadline, stream.next_events()).await {
                Ok(events) => events,
                Err(_) => return Ok(()),
            },
            None => stream.next_events().await,
        };
        let Some(events) = events? else {
            return Err(RemoteError::StreamCut("the server closed it".into()));
        };
        for event in events {
            match event {
                LiveEvent::Open => {
                    let _ = writeln!(io::stderr(), "Watching; lines appear as they arrive.");
                }
                LiveEvent::Lagged => {
                    let _ = writeln!(
                        io::stderr(),
                        "Some lines were missed; `stepwise teacher working` shows them all."
                    );
                }
                LiveEvent::Line(line) => {
                    print_live_line(out, &line, args.common.json)?;
                    shown += 1;
                    if args.lines.is_some_and(|limit| shown >= limit) {
                        return Ok(());
                    }
                }
            }
        }
    }
}

fn print_live_line(out: &mut dyn Write, line: &LiveLine, json: bool) -> Result<(), RemoteError> {
    if json {
        write_json(out, line)?;
    } else {
        let diagnosis = line
            .diagnosis
            .as_deref()
            .map(|d| format!(": {d}"))
            .unwrap_or_default();
        writeln!(
            out,
            "[{}] {:>2}. {:<30} {}{diagnosis}",
            line.attempt_id,
            line.index + 1,
            line.input,
            line.verdict
        )?;
    }
    out.flush()?;
    Ok(())
}

fn comment(
    client: &SyncClient,
    args: &CommentArgs,
    out: &mut dyn Write,
) -> Result<(), RemoteError> {
    let request = CommentRequest {
        attempt_id: args.attempt.clone(),
        line_index: args.line - 1,
        text: args.text.clone(),
        student_id: args.student.clone(),
    };
    let comment_id = block_on(client.comment(&request, &mut retry_rng()))??;
    let response = serde_json::json!({ "comment_id": comment_id });
    if args.common.json {
        return write_json(out, &response);
    }
    writeln!(out, "Comment saved on line {}.", args.line)?;
    Ok(())
}

pub fn write_json<T: Serialize>(out: &mut dyn Write, value: &T) -> Result<(), RemoteError> {
    let text = serde_json::to_string(value).map_err(io::Error::other)?;
    writeln!(out, "{text}")?;
    Ok(())
}
