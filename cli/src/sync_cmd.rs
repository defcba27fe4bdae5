//! `stepwise login`, `logout` and `sync`.
//!
//! `sync` runs the core's device sync, as the phone apps do: it pushes the
//! profile's outbox, pulls the work and comments set since the profile's
//! cursor, and keeps them and the new cursor in the device store. The token
//! stays in the session file.

use std::io::{self, BufRead, IsTerminal, Write};
use std::path::PathBuf;

use clap::Args;
use stepwise_core::store::Store;
use stepwise_core::sync::backoff::RetryPolicy;
use stepwise_core::sync::client::SyncClient;
use stepwise_core::sync::remote;

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

pub fn run_sync(sync_args: &SyncArgs, out: &mut dyn Write) -> Result<(), RemoteError> {
    let args = &sync_args.common;
    let dir = args.dir()?;
    let session = Session::load(&dir)?;
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
    let report = block_on(remote::sync_device(
        &client,
        store.path(),
        profile,
        &session.user_id,
        now_ms(),
        &mut retry_rng(),
    ))??;

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
