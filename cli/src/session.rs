//! The signed-in account of a data folder and the plumbing every command
//! that talks to the server shares: the session file, the async runtime and
//! the sync client.
//!
//! `session.json` contains the server address, the account and its opaque
//! token; the pull cursor is in the device store, per profile. It is written to a temporary file created
//! with mode 0600 and renamed over the old one, so the token is never
//! readable by other users and a crash leaves either the old or the new file.
//!
//! NOTE: the data folder has one signed-in account, shared by every profile
//! on the device; `sync --profile NAME` chooses whose outbox it pushes and
//! whose store keeps the pulled assignments, but the token stays the one
//! account's.

use std::future::Future;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use stepwise_core::generate::rng::Rng;
use stepwise_core::sync::backoff::RetryPolicy;
use stepwise_core::sync::client::{SyncClient, SyncError};
use stepwise_core::sync::remote::DeviceSyncError;
use thiserror::Error;

/// File name of the session inside the data folder.
pub const SESSION_FILE: &str = "session.json";

/// A failure of a command that talks to the server.
#[derive(Debug, Error)]
pub enum RemoteError {
    #[error("not logged in (no {path}); run `stepwise login --server URL --user NAME` first")]
    NotLoggedIn { path: PathBuf },
    #[error("failed to read session file {path}: {source}; log in again")]
    ReadSession { path: PathBuf, source: io::Error },
    #[error("session file {path} is damaged: {source}; log in again")]
    BadSession {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("failed to write {path}: {source}; check that the data folder is writable")]
    WriteFile { path: PathBuf, source: io::Error },
    #[error("this command is for a {needed} account, and `{username}` is a {role}; log in as a {needed}")]
    WrongRole {
        needed: &'static str,
        username: String,
        role: String,
    },
    #[error("failed to read the password: {0}; pipe it with --password-stdin")]
    Password(io::Error),
    #[error("the password is empty; give the account's password")]
    EmptyPassword,
    #[error("no terminal to ask for the password on; pipe it with --password-stdin")]
    NoTerminal,
    #[error("the server address `{0}` does not start with http:// or https://; give it as http://host:port")]
    BadServer(String),
    #[error("invalid --due `{0}`: give a date as YYYY-MM-DD")]
    BadDate(String),
    #[error("--due {0} has already passed; give today's date or a later one")]
    PastDate(String),
    #[error("cannot start the async runtime: {0}")]
    Runtime(io::Error),
    #[error("the live view ended: {0}; run the command again")]
    StreamCut(String),
    #[error(transparent)]
    Sync(#[from] SyncError),
    #[error(transparent)]
    Store(#[from] stepwise_core::store::StoreError),
    #[error(transparent)]
    Profile(#[from] crate::profiles_cmd::ProfileError),
    #[error("no user data folder found; pass one with --data")]
    NoDataDir,
    #[error("failed to write the output: {0}")]
    Output(#[from] io::Error),
}

impl From<DeviceSyncError> for RemoteError {
    fn from(error: DeviceSyncError) -> Self {
        match error {
            DeviceSyncError::Sync(sync) => RemoteError::Sync(sync),
            DeviceSyncError::Store(store) => RemoteError::Store(store),
        }
    }
}

/// The account signed in on this data folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub server: String,
    pub username: String,
    pub user_id: String,
    pub school_id: String,
    pub role: String,
    pub name: String,
    pub token: String,
}

impl Session {
    /// Loads the session of `dir`, or fails with [`RemoteError::NotLoggedIn`].
    pub fn load(dir: &Path) -> Result<Session, RemoteError> {
        let path = dir.join(SESSION_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                return Err(RemoteError::NotLoggedIn { path })
            }
            Err(source) => return Err(RemoteError::ReadSession { path, source }),
        };
        serde_json::from_str(&text).map_err(|source| RemoteError::BadSession { path, source })
    }

    /// Writes the session readable by its owner only.
    pub fn save(&self, dir: &Path) -> Result<(), RemoteError> {
        let path = dir.join(SESSION_FILE);
        let failed = |source| RemoteError::WriteFile {
            path: path.clone(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(failed)?;
        let text = serde_json::to_string_pretty(self).map_err(io::Error::other);
        let temporary = dir.join(format!("{SESSION_FILE}.tmp"));
        // A leftover from a crash may have other permissions: start afresh.
        let _ = std::fs::remove_file(&temporary);
        write_private(&temporary, text.map_err(failed)?.as_bytes()).map_err(failed)?;
        std::fs::rename(&temporary, &path).map_err(failed)
    }

    /// Deletes the session file; no file is not an error.
    pub fn remove(dir: &Path) -> Result<(), RemoteError> {
        let path = dir.join(SESSION_FILE);
        match std::fs::remove_file(&path) {
            Err(error) if error.kind() != io::ErrorKind::NotFound => Err(RemoteError::WriteFile {
                path,
                source: error,
            }),
            _ => Ok(()),
        }
    }

    /// Fails unless the account has `role`.
    pub fn require(&self, role: &'static str) -> Result<(), RemoteError> {
        if self.role == role {
            return Ok(());
        }
        Err(RemoteError::WrongRole {
            needed: role,
            username: self.username.clone(),
            role: self.role.clone(),
        })
    }

    /// Builds a client for this session's server and token.
    pub fn client(&self) -> Result<SyncClient, RemoteError> {
        self.client_with(RetryPolicy::default())
    }

    /// Builds a client for this session's server and token, retrying by `policy`.
    pub fn client_with(&self, policy: RetryPolicy) -> Result<SyncClient, RemoteError> {
        Ok(SyncClient::new(
            &self.server,
            Some(self.token.clone()),
            policy,
        )?)
    }
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;

    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    std::fs::write(path, bytes)
}

/// Resolves the data folder: `--data`, else the user's data folder.
pub fn data_dir(option: Option<&Path>) -> Result<PathBuf, RemoteError> {
    if let Some(dir) = option {
        return Ok(dir.to_path_buf());
    }
    directories::ProjectDirs::from("", "", "stepwise")
        .map(|dirs| dirs.data_dir().to_path_buf())
        .ok_or(RemoteError::NoDataDir)
}

/// Runs one command's network work on a single-threaded runtime.
pub fn block_on<F: Future>(work: F) -> Result<F::Output, RemoteError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(RemoteError::Runtime)?;
    Ok(runtime.block_on(work))
}

/// Makes the generator of retry jitter, seeded from the clock so that devices spread out.
pub fn retry_rng() -> Rng {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_nanos() as u64);
    Rng::from_seed(nanos ^ u64::from(std::process::id()))
}

/// Milliseconds since the Unix epoch at the start of the day after
/// `date` (`YYYY-MM-DD`, UTC): work due on a day may be done all that day.
pub fn end_of_day_ms(date: &str) -> Result<i64, RemoteError> {
    let bad = || RemoteError::BadDate(date.to_string());
    let mut parts = date.splitn(3, '-');
    let mut next = |max: i64| -> Result<i64, RemoteError> {
        let value: i64 = parts.next().ok_or_else(bad)?.parse().map_err(|_| bad())?;
        if (1..=max).contains(&value) {
            Ok(value)
        } else {
            Err(bad())
        }
    };
    let (year, month, day) = (next(9999)?, next(12)?, next(31)?);
    if year < 1970 || day > days_in_month(year, month) {
        return Err(bad());
    }
    Ok((days_from_epoch(year, month, day) + 1) * 86_400_000)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to a date of the proleptic Gregorian calendar,
/// counting in 400-year eras that start on 1 March.
fn days_from_epoch(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// Formats milliseconds since the Unix epoch as a UTC date, YYYY-MM-DD.
pub fn format_date(ms: i64) -> String {
    let days = ms.div_euclid(86_400_000);
    // The inverse of `days_from_epoch`.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn due_dates_end_at_the_next_midnight() {
        assert_eq!(end_of_day_ms("1970-01-01").expect("valid"), 86_400_000);
        // 2024-03-01 is day 19783 after the epoch.
        assert_eq!(
            end_of_day_ms("2024-02-29").expect("leap day"),
            19_783 * 86_400_000
        );
        for bad in ["2023-02-29", "2024-13-01", "2024-1", "soon", "1969-12-31"] {
            assert!(end_of_day_ms(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn dates_format_back() {
        for date in ["1970-01-01", "2000-02-29", "2024-12-31", "2031-07-15"] {
            let ms = end_of_day_ms(date).expect("valid") - 1;
            assert_eq!(format_date(ms), date);
        }
    }

    #[test]
    fn session_file_private_round_trip() {
        let dir = tempfile::tempdir().expect("tempdir");
        let session = Session {
            server: "http://127.0.0.1:1".into(),
            username: "amy".into(),
            user_id: "u1".into(),
            school_id: "s1".into(),
            role: "student".into(),
            name: "Amy".into(),
            token: "secret".into(),
        };
        session.save(dir.path()).expect("save");
        session.save(dir.path()).expect("save over");
        assert_eq!(Session::load(dir.path()).expect("load"), session);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(SESSION_FILE))
                .expect("metadata")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        Session::remove(dir.path()).expect("remove");
        assert!(matches!(
            Session::load(dir.path()),
            Err(RemoteError::NotLoggedIn { .. })
        ));
    }
}
