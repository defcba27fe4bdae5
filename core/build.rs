//! Compiles the skill files under `content/skills/` into one gzip-compressed
//! JSON document that `generate::builtin` embeds.
//!
//! The phone library then needs no TOML parser, and the 240 KB of skill
//! text shrinks to about a fifth. Only the syntax changes here: every
//! field is still checked when the skills load, by the same code that reads
//! a skill file. A file that is not valid TOML fails the build and names
//! the file.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use flate2::write::GzEncoder;
use flate2::Compression;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../content/skills");
    println!("cargo:rerun-if-changed={}", root.display());

    let mut files = Vec::new();
    collect_toml_files(&root, &mut files);
    let mut entries: Vec<(String, PathBuf)> = files
        .into_iter()
        .map(|file| {
            let relative = file
                .strip_prefix(&root)
                .expect("every collected file is under the content root")
                .to_string_lossy()
                .replace('\\', "/");
            (relative, file)
        })
        .collect();
    // Byte order of the relative paths: the order `builtin::SOURCES` lists.
    entries.sort();

    let mut document = Vec::with_capacity(entries.len());
    for (relative, file) in entries {
        println!("cargo:rerun-if-changed={}", file.display());
        let text = fs::read_to_string(&file)
            .unwrap_or_else(|error| panic!("cannot read content/skills/{relative}: {error}"));
        let skill: toml::Value = toml::from_str(&text).unwrap_or_else(|error| {
            panic!("content/skills/{relative} is not valid TOML, fix the file: {error}")
        });
        document.push(serde_json::json!({ "path": relative, "skill": skill }));
    }

    let json = serde_json::to_vec(&document).expect("TOML values convert to JSON");
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    encoder
        .write_all(&json)
        .expect("compressing into memory cannot fail");
    let compressed = encoder
        .finish()
        .expect("compressing into memory cannot fail");

    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    fs::write(out_dir.join("skills.json.gz"), compressed)
        .expect("cannot write the compiled skills to OUT_DIR");
}

/// Collects every `.toml` file under `dir`, at any depth.
fn collect_toml_files(dir: &Path, files: &mut Vec<PathBuf>) {
    let listing =
        fs::read_dir(dir).unwrap_or_else(|error| panic!("cannot list {}: {error}", dir.display()));
    for entry in listing {
        let path = entry
            .unwrap_or_else(|error| panic!("cannot list {}: {error}", dir.display()))
            .path();
        if path.is_dir() {
            collect_toml_files(&path, files);
        } else if path
            .extension()
            .is_some_and(|extension| extension == "toml")
        {
            files.push(path);
        }
    }
}
