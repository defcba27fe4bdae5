//! `stepwise profiles add|list|remove`, and choosing the profile that a
//! student command works as (`--profile NAME`).
//!
//! A PIN is never taken as an argument, where other users could see it in
//! the process list: it is read from the environment variable
//! [`PIN_ENV`].

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use clap::Subcommand;
use stepwise_core::store::{profiles, ProfileId, Store, StoreError};
use thiserror::Error;

/// The environment variable that contains the PIN of the profile in use, or of
/// a profile being added with `--pin`.
pub const PIN_ENV: &str = "STEPWISE_PIN";

/// The profile made on first use when none exists yet.
pub const DEFAULT_PROFILE: &str = "default";

#[derive(Debug, Subcommand)]
pub enum ProfilesCommand {
    /// Add a learner to this device.
    Add {
        /// The learner's name, as they will choose it with --profile.
        name: String,
        /// Protect the profile with the PIN (4 to 12 digits) in STEPWISE_PIN.
        #[arg(long)]
        pin: bool,
    },
    /// List the learners on this device.
    List,
    /// Remove a learner and all of their work from this device, including
    /// work not yet synced (give their PIN in STEPWISE_PIN if they have one).
    Remove { name: String },
}

#[derive(Debug, Error)]
pub enum ProfileError {
    #[error("no data folder found for this user (HOME may be unset); pass one with --data")]
    NoDataDir,
    #[error("this device has several profiles ({names}); choose one with --profile NAME")]
    Ambiguous { names: String },
    #[error("--pin given but {PIN_ENV} is not set; set it to the PIN (4 to 12 digits)")]
    MissingPin,
    #[error(
        "profile `{0}` is protected by a PIN; set {PIN_ENV} to its PIN and run the command again"
    )]
    PinNeeded(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("failed to write the output: {0}")]
    Output(#[from] std::io::Error),
}

/// Unix time in milliseconds: the core reads no clock, so the CLI stamps
/// every change here.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| {
            i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX)
        })
}

/// Resolves the data folder: `--data`, else the user's data folder.
pub fn data_dir(option: Option<&Path>) -> Result<PathBuf, ProfileError> {
    if let Some(dir) = option {
        return Ok(dir.to_path_buf());
    }
    directories::ProjectDirs::from("", "", "stepwise")
        .map(|dirs| dirs.data_dir().to_path_buf())
        .ok_or(ProfileError::NoDataDir)
}

/// Reads the PIN from [`PIN_ENV`], if set.
pub fn pin_from_env() -> Option<String> {
    std::env::var(PIN_ENV).ok().filter(|pin| !pin.is_empty())
}

/// Chooses the profile a command works as. That is `name` when given, else
/// the only profile on the device, else (on a device with none) a new
/// profile named `default`.
pub fn resolve(
    store: &mut Store,
    name: Option<&str>,
    pin: Option<&str>,
    now_ms: i64,
) -> Result<ProfileId, ProfileError> {
    if let Some(name) = name {
        return unlock(store, name, pin);
    }
    let list = profiles::list(store.connection())?;
    match list.as_slice() {
        [] => {
            let tx = store.transaction()?;
            let id = profiles::add(&tx, DEFAULT_PROFILE, None, now_ms)?;
            tx.commit().map_err(StoreError::from)?;
            Ok(id)
        }
        [only] => unlock(store, &only.name, pin),
        several => Err(ProfileError::Ambiguous {
            names: several
                .iter()
                .map(|p| p.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        }),
    }
}

/// Unlocks `name`, saying how to give a PIN when one is needed.
fn unlock(store: &Store, name: &str, pin: Option<&str>) -> Result<ProfileId, ProfileError> {
    profiles::unlock(store.connection(), name, pin, now_ms()).map_err(|error| match error {
        StoreError::PinRequired(name) => ProfileError::PinNeeded(name),
        other => ProfileError::Store(other),
    })
}

/// Runs one `profiles` subcommand.
pub fn run(
    store: &mut Store,
    command: &ProfilesCommand,
    out: &mut dyn Write,
) -> Result<(), ProfileError> {
    match command {
        ProfilesCommand::Add { name, pin } => {
            let pin = if *pin {
                Some(pin_from_env().ok_or(ProfileError::MissingPin)?)
            } else {
                None
            };
            let tx = store.transaction()?;
            profiles::add(&tx, name, pin.as_deref(), now_ms())?;
            tx.commit().map_err(StoreError::from)?;
            writeln!(out, "added profile {}", name.trim())?;
        }
        ProfilesCommand::List => {
            for profile in profiles::list(store.connection())? {
                let lock = if profile.has_pin { " (PIN)" } else { "" };
                writeln!(out, "{}{lock}", profile.name)?;
            }
        }
        ProfilesCommand::Remove { name } => {
            let id = profiles::unlock(
                store.connection(),
                name,
                pin_from_env().as_deref(),
                now_ms(),
            )?;
            let tx = store.transaction()?;
            profiles::remove(&tx, id)?;
            tx.commit().map_err(StoreError::from)?;
            writeln!(out, "removed profile {name} and its work")?;
        }
    }
    Ok(())
}
