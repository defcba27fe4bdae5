//! `stepwise parent`: link a child with the code the school gave, and read
//! a child's progress, time, due and overdue work, and recent mistakes.
//! The server shows a parent their own children only.

use std::io::Write;

use clap::{Args, Subcommand};
use stepwise_core::sync::client::SyncClient;
use stepwise_core::sync::views::{ParentReport, WorkStatus};

use crate::session::{self, block_on, retry_rng, RemoteError, Session};
use crate::sync_cmd::CommonArgs;
use crate::teacher_cmd::write_json;

#[derive(Debug, Subcommand)]
pub enum ParentCommand {
    /// Link your account to your child with the code the school gave you.
    Link(LinkArgs),
    /// Your children's progress: default every linked child.
    Report(ReportArgs),
}

#[derive(Debug, Args)]
pub struct LinkArgs {
    /// The code from the school.
    #[arg(long)]
    code: String,
    #[command(flatten)]
    common: CommonArgs,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Only this child (the id `link` printed).
    #[arg(long, value_name = "ID")]
    child: Option<String>,
    #[command(flatten)]
    common: CommonArgs,
}

pub fn run(command: &ParentCommand, out: &mut dyn Write) -> Result<(), RemoteError> {
    let common = match command {
        ParentCommand::Link(args) => &args.common,
        ParentCommand::Report(args) => &args.common,
    };
    let session = Session::load(&common.dir()?)?;
    session.require("parent")?;
    let client = session.client()?;
    match command {
        ParentCommand::Link(args) => link(&client, args, out),
        ParentCommand::Report(args) => report(&client, args, out),
    }
}

fn link(client: &SyncClient, args: &LinkArgs, out: &mut dyn Write) -> Result<(), RemoteError> {
    let child = block_on(client.link_child(args.code.trim(), &mut retry_rng()))??;
    if args.common.json {
        return write_json(out, &child);
    }
    writeln!(out, "Linked to {} [{}].", child.name, child.student_id)?;
    Ok(())
}

fn report(client: &SyncClient, args: &ReportArgs, out: &mut dyn Write) -> Result<(), RemoteError> {
    let ids = match &args.child {
        Some(id) => vec![id.clone()],
        None => {
            let children = block_on(client.children(&mut retry_rng()))??;
            children.into_iter().map(|child| child.student_id).collect()
        }
    };
    let mut reports = Vec::new();
    for id in ids {
        let report = block_on(client.parent_report(&id, &mut retry_rng()))??;
        reports.push(report);
    }
    if args.common.json {
        return write_json(out, &serde_json::json!({ "children": reports }));
    }
    if reports.is_empty() {
        writeln!(
            out,
            "No child is linked yet; use `stepwise parent link --code CODE`."
        )?;
    }
    for report in &reports {
        write_report(out, report)?;
    }
    Ok(())
}

fn write_report(out: &mut dyn Write, report: &ParentReport) -> Result<(), RemoteError> {
    writeln!(out, "{} [{}]", report.name, report.student_id)?;
    writeln!(
        out,
        "  {} questions tried, {} right, {:.0} minutes",
        report.attempts,
        report.correct,
        report.time_spent_ms as f64 / 60_000.0
    )?;
    let work = |out: &mut dyn Write, heading: &str, list: &[WorkStatus]| -> std::io::Result<()> {
        if list.is_empty() {
            return Ok(());
        }
        writeln!(out, "  {heading}:")?;
        for item in list {
            let due = item
                .due_ms
                .map(|ms| format!(", due {}", session::format_date(ms - 1)))
                .unwrap_or_default();
            writeln!(
                out,
                "    {}: {} of {} done{due}",
                item.title, item.done, item.questions
            )?;
        }
        Ok(())
    };
    work(out, "Due", &report.due)?;
    work(out, "Overdue", &report.overdue)?;
    if !report.recent_mistakes.is_empty() {
        writeln!(out, "  Recent mistakes:")?;
        for mistake in &report.recent_mistakes {
            let diagnosis = mistake.diagnosis.as_deref().unwrap_or("does not follow");
            writeln!(
                out,
                "    {}: wrote {} ({diagnosis})",
                mistake.question_text, mistake.input
            )?;
        }
    }
    Ok(())
}
