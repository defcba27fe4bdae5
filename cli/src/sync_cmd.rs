//! `stepwise login`, `logout` and `sync`.
//!
//! `sync` pushes the device's outbox and pulls the work and comments set
//! since the saved cursor. It is written against the core's [`Outbox`]
//! trait: the device store implements it, and [`sync`] takes any outbox.

use std::io::{self, BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::Args;
use serde::Serialize;
use stepwise_core::store::outbox::ProfileOutbox;
use stepwise_core::store::{assignments, Store, StoreError};
use stepwise_core::sync::backoff::RetryPolicy;
use stepwise_core::sync::client::{PushReport, SyncClient};
use stepwise_core::sync::outbox::Outbox;
use stepwise_core::sync::protocol::{Assignment, Comment, PullResponse};

use crate::profiles_cmd::{self, now_ms};
use crate::session::{self, block_on, retry_rng, RemoteError, Session};

#[derive(Debug, Args)]
pub struct LoginArgs {
    /// The server's address, such as http://127.0.0.1:8080.
    #[arg(long, value_name = "URL")]
    pub server: String,
    /// The account's user name.
    #[arg(long, value_name = "NAME")]
    pub user: String,
    /// Read the password from the first line of standard input.
    #[arg(long)]
    pub password_stdin: bool,
    #[command(flatten)]
    pub common: CommonArgs,
}

/// Options every server command takes.
#[derive(Debug, Args)]
pub struct CommonArgs {
    /// Folder of this device's data and session (default: the user's data
    /// folder, such as ~/.local/share/stepwise on Linux).
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// The learner whose work `sync` pushes and whose assignments it keeps
    /// (needed when the device has several; a PIN is read from STEPWISE_PIN).
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

/// `stepwise sync`'s options.
#[derive(Debug, Args)]
pub struct SyncArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// How many times to try each request before giving up. The wait
    /// before a retry is random, up to 0.2 s at first, doubling each time,
    /// and at most 30 s.
    #[arg(long, default_value_t = RetryPolicy::default().attempts, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub tries: u32,
}

impl CommonArgs {
    pub fn dir(&self) -> Result<PathBuf, RemoteError> {
        session::data_dir(self.data.as_deref())
    }
}

pub fn login(args: &LoginArgs, out: &mut dyn Write) -> Result<(), RemoteError> {
    let dir = args.common.dir()?;
    let server = args.server.trim_end_matches('/').to_string();
    if !(server.starts_with("http://") || server.starts_with("https://")) {
        return Err(RemoteError::BadServer(server));
    }
    let password = read_password(args.password_stdin, &args.user)?;

    let client = SyncClient::new(&server, None, RetryPolicy::default())?;
    let response = block_on(client.login(&args.user, &password, &mut retry_rng()))??;

    let session = Session {
        server,
        username: args.user.clone(),
        user_id: response.user_id,
        school_id: response.school_id,
        role: response.role,
        name: response.name,
        token: response.token,
        cursor: 0,
    };
    session.save(&dir)?;
    tracing::info!(user = %session.user_id, role = %session.role, "logged in");
    if args.common.json {
        let summary = serde_json::json!({
            "user_id": session.user_id,
            "school_id": session.school_id,
            "role": session.role,
            "name": session.name,
            "server": session.server,
        });
        writeln!(out, "{summary}")?;
    } else {
        writeln!(
            out,
            "Logged in to {} as {} ({}).",
            session.server, session.name, session.role
        )?;
    }
    Ok(())
}

fn read_password(from_stdin: bool, user: &str) -> Result<String, RemoteError> {
    let password = if from_stdin {
        let mut line = String::new();
        io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(RemoteError::Password)?;
        line.trim_end_matches(['\r', '\n']).to_string()
    } else {
        if !io::stdin().is_terminal() {
            return Err(RemoteError::NoTerminal);
        }
        rpassword::prompt_password(format!("Password for {user}: "))
            .map_err(RemoteError::Password)?
    };
    if password.is_empty() {
        return Err(RemoteError::EmptyPassword);
    }
    Ok(password)
}

/// Revokes the token on the server and deletes the local session. The
/// session is deleted even when the server cannot be reached, and the
/// command then reports that error.
pub fn logout(args: &CommonArgs, out: &mut dyn Write) -> Result<(), RemoteError> {
    let dir = args.dir()?;
    let session = match Session::load(&dir) {
        Ok(session) => session,
        Err(RemoteError::NotLoggedIn { .. }) => {
            return report(out, args.json, false, "Not logged in.");
        }
        Err(error) => return Err(error),
    };
    let revoked = block_on(session.client()?.logout(&mut retry_rng()))?;
    Session::remove(&dir)?;
    match revoked {
        Ok(()) => report(out, args.json, true, "Logged out."),
        // The server refusing the token means it is already no good.
        Err(stepwise_core::sync::client::SyncError::Unauthenticated) => {
            report(out, args.json, true, "Logged out.")
        }
        Err(error) => {
            tracing::warn!(%error, "the server did not revoke the token");
            Err(error.into())
        }
    }
}

fn report(out: &mut dyn Write, json: bool, done: bool, text: &str) -> Result<(), RemoteError> {
    if json {
        writeln!(out, "{}", serde_json::json!({ "logged_out": done }))?;
    } else {
        writeln!(out, "{text}")?;
    }
    Ok(())
}

/// The outcome of one `stepwise sync`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncReport {
    pub pushed: PushReport,
    pub pulled: PullResponse,
}

/// Pushes everything in `outbox`, then pulls from `cursor`. The caller
/// saves `pulled.cursor` once it has kept what was pulled.
pub async fn sync<O: Outbox>(
    client: &SyncClient,
    outbox: &O,
    cursor: i64,
) -> Result<SyncReport, RemoteError> {
    let mut rng = retry_rng();
    let pushed = client.push_outbox(outbox, &mut rng).await?;
    let pulled = client.pull(cursor, &mut rng).await?;
    Ok(SyncReport { pushed, pulled })
}

pub fn run_sync(sync_args: &SyncArgs, out: &mut dyn Write) -> Result<(), RemoteError> {
    let args = &sync_args.common;
    let dir = args.dir()?;
    let mut session = Session::load(&dir)?;
    session.require("student")?;
    let client = session.client_with(RetryPolicy {
        attempts: sync_args.tries,
        ..RetryPolicy::default()
    })?;

    // The device store's outbox for the profile: what `practice` and
    // `attempt` recorded, written in the same transactions as the work.
    let mut store = Store::open(&dir)?;
    let pin = profiles_cmd::pin_from_env();
    let profile = profiles_cmd::resolve(
        &mut store,
        args.profile.as_deref(),
        pin.as_deref(),
        now_ms(),
    )?;
    let outbox = ProfileOutbox::open(store.path(), profile)?;
    let report = block_on(sync(&client, &outbox, session.cursor))??;

    // Keep the pulled assignments in the store before saving the cursor, so
    // a crash in between pulls them again instead of losing them.
    let tx = store.transaction()?;
    for assignment in &report.pulled.assignments {
        assignments::receive(&tx, profile, assignment, now_ms())?;
    }
    tx.commit().map_err(StoreError::from)?;
    keep_pulled(&dir, &mut session, &report.pulled)?;
    tracing::info!(
        pushed = report.pushed.acknowledged,
        cursor = report.pulled.cursor,
        "sync done"
    );

    if args.json {
        writeln!(
            out,
            "{}",
            serde_json::to_string(&report).map_err(io::Error::other)?
        )?;
        return Ok(());
    }
    writeln!(
        out,
        "Sent {} of {} events.",
        report.pushed.acknowledged, report.pushed.sent
    )?;
    for rejected in &report.pushed.rejected {
        writeln!(out, "  refused {}: {}", rejected.id, rejected.reason)?;
    }
    for assignment in &report.pulled.assignments {
        let due = assignment
            .due_ms
            .map(|ms| format!(", due {}", session::format_date(ms - 1)))
            .unwrap_or_default();
        let state = if assignment.cancelled {
            " (cancelled)"
        } else {
            ""
        };
        writeln!(
            out,
            "Work set: {}{state}: {} question{} of {}{due} [{}]",
            assignment.title,
            assignment.questions,
            if assignment.questions == 1 { "" } else { "s" },
            assignment.skills.join(", "),
            assignment.id
        )?;
    }
    for comment in &report.pulled.comments {
        writeln!(
            out,
            "Comment from {} on line {} of attempt {}: {}",
            comment.author,
            comment.line_index + 1,
            comment.attempt_id,
            comment.text
        )?;
    }
    if report.pulled.assignments.is_empty() && report.pulled.comments.is_empty() {
        writeln!(out, "Nothing new from the server.")?;
    }
    Ok(())
}

/// File name of the pulled assignments and comments inside the data folder.
pub const INBOX_FILE: &str = "inbox.json";

/// The assignments and comments pulled so far.
#[derive(Debug, Default, Serialize, serde::Deserialize)]
pub struct Inbox {
    pub assignments: Vec<Assignment>,
    pub comments: Vec<Comment>,
}

/// Keeps what was pulled, then the cursor, so a crash between the two pulls
/// the same changes again rather than losing them.
///
/// FIXME: the device store in `core::store` keeps assignments, comments and
/// the cursor in one transaction; once it lands, write them there and drop
/// `inbox.json`.
fn keep_pulled(
    dir: &Path,
    session: &mut Session,
    pulled: &PullResponse,
) -> Result<(), RemoteError> {
    let path = dir.join(INBOX_FILE);
    let mut inbox: Inbox = match std::fs::read_to_string(&path) {
        Ok(text) => serde_json::from_str(&text).unwrap_or_else(|error| {
            tracing::warn!(%error, "the inbox file is damaged; starting it afresh");
            Inbox::default()
        }),
        Err(_) => Inbox::default(),
    };
    for assignment in &pulled.assignments {
        inbox.assignments.retain(|a| a.id != assignment.id);
        inbox.assignments.push(assignment.clone());
    }
    for comment in &pulled.comments {
        if !inbox.comments.iter().any(|c| c.id == comment.id) {
            inbox.comments.push(comment.clone());
        }
    }
    let text = serde_json::to_string_pretty(&inbox).map_err(io::Error::other)?;
    let temporary = dir.join(format!("{INBOX_FILE}.tmp"));
    let written =
        std::fs::write(&temporary, text).and_then(|()| std::fs::rename(&temporary, &path));
    written.map_err(|source| RemoteError::WriteFile { path, source })?;

    session.cursor = pulled.cursor;
    session.save(dir)
}
