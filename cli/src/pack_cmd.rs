//! `stepwise pack`: builds the skill files into one content pack with a
//! manifest of SHA-256 hashes ([`stepwise_core::generate::pack`]), and reads
//! a pack file back for `stepwise practice --pack`.
//!
//! By default the pack contains the skills compiled into this binary (the
//! `content/` folder it was built from); `--content DIR` reads the skill
//! files of another content folder instead, so that authors can ship new
//! content without a new build.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use clap::Args;
use thiserror::Error;

use stepwise_core::generate::pack::{self, Pack, PackError};
use stepwise_core::generate::Skill;

/// The file written when `--out` is not given.
pub const DEFAULT_PACK_FILE: &str = "stepwise-pack.json";

#[derive(Debug, Args)]
pub struct PackArgs {
    /// The file to write the pack to.
    #[arg(long, value_name = "FILE", default_value = DEFAULT_PACK_FILE)]
    pub out: PathBuf,
    /// Build from this content folder (holding `skills/<strand>/<id>.toml`)
    /// instead of the skills built into this binary.
    #[arg(long, value_name = "DIR")]
    pub content: Option<PathBuf>,
}

#[derive(Debug, Error)]
pub enum PackCmdError {
    #[error("failed to read {path}: {source}; check the path and its permissions")]
    Read { path: PathBuf, source: io::Error },
    #[error(
        "no skill files found under {0}; give a content folder holding skills/<strand>/<id>.toml"
    )]
    NoSkills(PathBuf),
    #[error("{path} is not a skill file path in UTF-8; rename it")]
    BadPath { path: PathBuf },
    #[error("failed to build the pack: {0}")]
    Build(PackError),
    #[error("failed to write the pack to {path}: {source}; check that the folder exists and is writable")]
    Write { path: PathBuf, source: io::Error },
    #[error("failed to load the content pack {path}: {source}")]
    Load { path: PathBuf, source: PackError },
    #[error("failed to write the output: {0}; check that standard output is still open")]
    Output(#[from] io::Error),
}

/// Builds the pack and writes it to `args.out`, then prints a summary.
pub fn run(args: &PackArgs, out: &mut impl Write) -> Result<(), PackCmdError> {
    let pack = match &args.content {
        Some(dir) => Pack::build(&read_content(dir)?),
        None => Pack::builtin(),
    }
    .map_err(PackCmdError::Build)?;
    fs::write(&args.out, pack.to_json()).map_err(|source| PackCmdError::Write {
        path: args.out.clone(),
        source,
    })?;
    tracing::info!(file = %args.out.display(), version = %pack.manifest.version, "pack written");
    writeln!(
        out,
        "wrote {}: pack {}, {} skills, sha256 {}",
        args.out.display(),
        pack.manifest.version,
        pack.manifest.skills.len(),
        pack.manifest.sha256
    )?;
    Ok(())
}

/// Reads, verifies and loads the skills of the pack file at `path`.
pub fn load_file(path: &Path) -> Result<Vec<Skill>, PackCmdError> {
    let text = fs::read_to_string(path).map_err(|source| PackCmdError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    pack::load(&text).map_err(|source| PackCmdError::Load {
        path: path.to_path_buf(),
        source,
    })
}

/// Every `.toml` file under `dir/skills`, as (path under `skills/` with `/`
/// separators, text).
pub fn read_content(dir: &Path) -> Result<Vec<(String, String)>, PackCmdError> {
    let root = dir.join("skills");
    let mut files = Vec::new();
    collect(&root, &root, &mut files)?;
    if files.is_empty() {
        return Err(PackCmdError::NoSkills(dir.to_path_buf()));
    }
    Ok(files)
}

fn collect(root: &Path, dir: &Path, files: &mut Vec<(String, String)>) -> Result<(), PackCmdError> {
    let read_error = |source| PackCmdError::Read {
        path: dir.to_path_buf(),
        source,
    };
    for entry in fs::read_dir(dir).map_err(read_error)? {
        let path = entry.map_err(read_error)?.path();
        if path.is_dir() {
            collect(root, &path, files)?;
        } else if path.extension().is_some_and(|ext| ext == "toml") {
            let relative = path
                .strip_prefix(root)
                .ok()
                .and_then(|relative| {
                    let parts: Option<Vec<&str>> = relative
                        .components()
                        .map(|part| part.as_os_str().to_str())
                        .collect();
                    parts.map(|parts| parts.join("/"))
                })
                .ok_or_else(|| PackCmdError::BadPath { path: path.clone() })?;
            let text = fs::read_to_string(&path).map_err(|source| PackCmdError::Read {
                path: path.clone(),
                source,
            })?;
            files.push((relative, text));
        }
    }
    Ok(())
}
