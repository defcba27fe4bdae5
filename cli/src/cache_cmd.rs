//! `stepwise content fetch|status|evict`: the cache of downloaded lesson
//! media in `DATA/cache`, joined into the `content` command as its
//! `fetch`, `status` and `evict` subcommands.
//!
//! Items of the open assignments of every profile on the device are pinned
//! (never evicted to make room), whichever profile runs the command.

use std::io::Write;

use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use stepwise_core::content::cache::download::{DownloadConfig, Downloader, Progress};
use stepwise_core::content::cache::{Availability, ContentCache, ContentError};
use stepwise_core::store::{assignments, profiles, Store, StoreError};
use thiserror::Error;

use crate::profiles_cmd::{self, now_ms, ProfileError};
use crate::student_cmd::StudentArgs;
use crate::Outcome;

/// Default byte budget of the cache, in MiB.
const DEFAULT_BUDGET_MIB: u64 = 1024;

#[derive(Debug, Subcommand)]
pub enum CacheCommand {
    /// Download lessons' media for offline use, resuming interrupted downloads.
    Fetch(FetchArgs),
    /// Show the cached items and which lessons work offline.
    Status(CacheArgs),
    /// Delete cached media (pinned items only with --all).
    Evict(EvictArgs),
}

#[derive(Debug, Args)]
pub struct CacheArgs {
    #[command(flatten)]
    pub student: StudentArgs,
    /// Most disk space the cache may use, in MiB.
    #[arg(long, value_name = "MIB", default_value_t = DEFAULT_BUDGET_MIB)]
    pub budget: u64,
}

#[derive(Debug, Args)]
pub struct FetchArgs {
    #[command(flatten)]
    pub cache: CacheArgs,
    /// Address of the manifest listing the lessons and their files.
    #[arg(long, value_name = "URL")]
    pub manifest: String,
    /// Lessons to download (default: every lesson in the manifest).
    #[arg(value_name = "LESSON")]
    pub lessons: Vec<String>,
}

#[derive(Debug, Args)]
pub struct EvictArgs {
    #[command(flatten)]
    pub cache: CacheArgs,
    /// Item keys to delete.
    #[arg(value_name = "KEY", required_unless_present = "all")]
    pub keys: Vec<String>,
    /// Delete every cached item, pinned ones included.
    #[arg(long)]
    pub all: bool,
}

#[derive(Debug, Error)]
pub enum CacheError {
    #[error(transparent)]
    Content(#[from] ContentError),
    #[error(transparent)]
    Profile(#[from] ProfileError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("failed to start the download runtime: {0}")]
    Runtime(std::io::Error),
    #[error("failed to write the output: {0}")]
    Output(#[from] std::io::Error),
}

impl CacheCommand {
    /// Fills `--data` and `--profile` from the options given before `content`.
    pub fn inherit(&mut self, top: &StudentArgs) {
        let args = match self {
            CacheCommand::Fetch(args) => &mut args.cache,
            CacheCommand::Status(args) => args,
            CacheCommand::Evict(args) => &mut args.cache,
        };
        args.student = top.clone().or(std::mem::take(&mut args.student));
    }
}

/// Runs one cache subcommand.
pub fn run(command: &CacheCommand, out: &mut dyn Write) -> Result<Outcome, CacheError> {
    match command {
        CacheCommand::Fetch(args) => fetch(args, out),
        CacheCommand::Status(args) => status(args, out),
        CacheCommand::Evict(args) => evict(args, out),
    }
}

/// Opens the cache with its pins set from every profile's open assignments.
fn open_cache(args: &CacheArgs) -> Result<ContentCache, CacheError> {
    let dir = profiles_cmd::data_dir(args.student.data.as_deref())?;
    let store = Store::open(&dir)?;
    let mut pins = Vec::new();
    for profile in profiles::list(store.connection())? {
        pins.extend(assignments::open_videos(store.connection(), profile.id)?);
    }
    let mut cache = ContentCache::open(&dir.join("cache"), args.budget.saturating_mul(1 << 20))?;
    cache.set_pins(&pins)?;
    Ok(cache)
}

fn fetch(args: &FetchArgs, out: &mut dyn Write) -> Result<Outcome, CacheError> {
    let mut cache = open_cache(&args.cache)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(CacheError::Runtime)?;
    let downloader = Downloader::new(DownloadConfig::default())?;
    let manifest = runtime.block_on(downloader.fetch_manifest(&args.manifest))?;
    cache.register(&manifest)?;
    let lessons: Vec<String> = if args.lessons.is_empty() {
        manifest.lessons.iter().map(|l| l.id.clone()).collect()
    } else {
        args.lessons.clone()
    };

    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{msg:24} {bar:30} {bytes}/{total_bytes} {bytes_per_sec}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let report = |progress: &Progress| match progress {
        Progress::Bytes { key, done, total } => {
            bar.set_message(key.clone());
            bar.set_length(*total);
            bar.set_position(*done);
        }
        Progress::Retrying {
            key,
            attempt,
            error,
        } => {
            bar.println(format!("{key}: try {attempt} failed ({error}); resuming"));
        }
        Progress::Done { key } => bar.println(format!("{key}: downloaded and verified")),
    };
    for lesson in &lessons {
        runtime.block_on(downloader.fetch_lesson(&mut cache, lesson, &report, now_ms()))?;
    }
    bar.finish_and_clear();
    for lesson in &lessons {
        writeln!(
            out,
            "{lesson}: {}",
            describe(&cache.is_available_offline(lesson)?)
        )?;
    }
    Ok(Outcome::Success)
}

fn status(args: &CacheArgs, out: &mut dyn Write) -> Result<Outcome, CacheError> {
    let cache = open_cache(args)?;
    writeln!(
        out,
        "cache uses {} of {} bytes",
        cache.used_bytes()?,
        cache.budget_bytes()
    )?;
    for cached in cache.items()? {
        let state = if cached.complete {
            "complete".to_string()
        } else if cached.partial_bytes > 0 {
            format!("partial {}/{}", cached.partial_bytes, cached.item.size)
        } else {
            "not downloaded".to_string()
        };
        let pin = if cached.pinned { " pinned" } else { "" };
        writeln!(
            out,
            "{:<32} {:>12} {state}{pin}",
            cached.item.key, cached.item.size
        )?;
    }
    Ok(Outcome::Success)
}

fn evict(args: &EvictArgs, out: &mut dyn Write) -> Result<Outcome, CacheError> {
    let mut cache = open_cache(&args.cache)?;
    let keys: Vec<String> = if args.all {
        cache.items()?.into_iter().map(|c| c.item.key).collect()
    } else {
        args.keys.clone()
    };
    for key in keys {
        cache.evict(&key)?;
        writeln!(out, "evicted {key}")?;
    }
    Ok(Outcome::Success)
}

fn describe(availability: &Availability) -> String {
    match availability {
        Availability::Available => "available offline".to_string(),
        Availability::Missing(keys) => format!("missing {}", keys.join(", ")),
        Availability::UnknownLesson => "not in the manifest".to_string(),
    }
}
