//! Content packs: every skill file in one JSON document with a manifest of
//! SHA-256 hashes, so that a device can take newer content than the content
//! built into it and prove that what it loads is what was built.
//!
//! A pack contains a [`Manifest`] and the text of each skill file. The manifest
//! lists, per skill, its id, title, tier, strand, template versions, path,
//! size and the SHA-256 of its text. The hash of the whole pack is the
//! SHA-256 of one line per file, `<file hash>  <path>\n`, in path order (the
//! layout `sha256sum` prints), and the pack's version is the format number
//! and the first [`VERSION_HEX_DIGITS`] hex digits of that hash: the same
//! content always builds the same pack, with no clock involved.
//!
//! [`Pack::verify`] recomputes every hash and reports the first mismatch by
//! file; [`load`] parses, verifies and loads the skills in one call. Reading
//! and writing pack files is left to the caller: this module does no I/O.

use std::collections::HashSet;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use thiserror::Error;

use super::builtin::{load_skill, SOURCES};
use super::{GenerateError, Skill, Tier};

/// The pack layout this build reads and writes.
pub const PACK_FORMAT: u32 = 1;

/// Hex digits of the whole-pack hash kept in the version.
pub const VERSION_HEX_DIGITS: usize = 12;

/// A failure to build, verify or load a pack.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PackError {
    #[error("the pack is not valid pack JSON: {0}; rebuild it with `stepwise pack`")]
    Json(String),
    #[error("the pack has format {found}, but this build reads format {PACK_FORMAT}; update the app or build the pack with a matching `stepwise pack`")]
    Format { found: u32 },
    #[error("the pack has no skills; build it from a content folder with skill files")]
    Empty,
    #[error("the manifest lists {path}, but the pack holds no such file; the pack is incomplete")]
    MissingFile { path: String },
    #[error("the pack holds {path}, which the manifest does not list; the pack was edited after it was built")]
    UnlistedFile { path: String },
    #[error("{path} appears twice in the pack; file paths must be unique")]
    DuplicatePath { path: String },
    #[error("skill `{id}` appears in both {first} and {second}; skill ids must be unique")]
    DuplicateSkill {
        id: String,
        first: String,
        second: String,
    },
    #[error("{path} has SHA-256 {actual}, but the manifest says {expected}; the file was changed after the pack was built")]
    FileHash {
        path: String,
        expected: String,
        actual: String,
    },
    #[error("{path} is {actual} bytes, but the manifest says {expected}; the file was changed after the pack was built")]
    FileSize {
        path: String,
        expected: u64,
        actual: u64,
    },
    #[error("the pack's SHA-256 is {actual}, but the manifest says {expected}; the manifest was changed after the pack was built")]
    PackHash { expected: String, actual: String },
    #[error("the pack's version is `{actual}`, but its hash gives `{expected}`; the manifest was changed after the pack was built")]
    Version { expected: String, actual: String },
    #[error("the manifest entry for {path} says {field} `{listed}`, but the file says `{found}`")]
    Entry {
        path: String,
        field: &'static str,
        listed: String,
        found: String,
    },
    #[error(transparent)]
    Skill(#[from] GenerateError),
}

/// One skill file as the manifest lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkillEntry {
    pub id: String,
    pub title: String,
    /// `KS3`, `F`, `H` or `A`, as in the skill file.
    pub tier: String,
    pub strand: String,
    /// Template versions, ascending.
    pub templates: Vec<u32>,
    /// Path under `content/skills/`, such as `algebra/alg.frac.equation.toml`.
    pub path: String,
    /// Length of the file's text in bytes (UTF-8).
    pub bytes: u64,
    /// SHA-256 of the file's text, lower-case hex.
    pub sha256: String,
}

/// The list of a pack's files and the hashes that prove them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    /// `<format>.<first hex digits of sha256>`.
    pub version: String,
    /// SHA-256 of the whole pack (see the module documentation).
    pub sha256: String,
    /// In path order.
    pub skills: Vec<SkillEntry>,
}

/// One skill file's text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackFile {
    pub path: String,
    pub text: String,
}

/// A content pack: the manifest and the files it describes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pack {
    pub manifest: Manifest,
    pub files: Vec<PackFile>,
}

impl Pack {
    /// Builds a pack from skill files given as (path under
    /// `content/skills/`, text). Every file must load as a skill.
    pub fn build<P: AsRef<str>, T: AsRef<str>>(sources: &[(P, T)]) -> Result<Pack, PackError> {
        let mut files: Vec<PackFile> = sources
            .iter()
            .map(|(path, text)| PackFile {
                path: path.as_ref().to_string(),
                text: text.as_ref().to_string(),
            })
            .collect();
        files.sort_by(|a, b| a.path.cmp(&b.path));
        if files.is_empty() {
            return Err(PackError::Empty);
        }
        let mut skills = Vec::with_capacity(files.len());
        let mut seen: Vec<(String, &str)> = Vec::new();
        for (index, file) in files.iter().enumerate() {
            if index > 0 && files[index - 1].path == file.path {
                return Err(PackError::DuplicatePath {
                    path: file.path.clone(),
                });
            }
            let skill = load_skill(&file.path, &file.text)?;
            if let Some((_, first)) = seen.iter().find(|(id, _)| *id == skill.id) {
                return Err(PackError::DuplicateSkill {
                    id: skill.id.clone(),
                    first: first.to_string(),
                    second: file.path.clone(),
                });
            }
            seen.push((skill.id.clone(), file.path.as_str()));
            skills.push(entry(&skill, file));
        }
        let sha256 = pack_hash(&skills);
        let manifest = Manifest {
            format: PACK_FORMAT,
            version: version_of(&sha256),
            sha256,
            skills,
        };
        Ok(Pack { manifest, files })
    }

    /// Builds the pack of the skills compiled into this binary.
    pub fn builtin() -> Result<Pack, PackError> {
        Pack::build(SOURCES)
    }

    /// Parses a pack from its JSON text, without verifying it.
    pub fn from_json(text: &str) -> Result<Pack, PackError> {
        serde_json::from_str(text).map_err(|error| PackError::Json(error.to_string()))
    }

    /// Writes the pack as pretty-printed JSON, ending in a newline.
    pub fn to_json(&self) -> String {
        // A tree of strings and numbers always serialises.
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Checks the format, every file's size and hash, the whole hash and the
    /// version against the manifest, then loads every skill and checks that
    /// it matches its entry. Returns the skills in manifest order.
    pub fn verify(&self) -> Result<Vec<Skill>, PackError> {
        let manifest = &self.manifest;
        if manifest.format != PACK_FORMAT {
            return Err(PackError::Format {
                found: manifest.format,
            });
        }
        if manifest.skills.is_empty() {
            return Err(PackError::Empty);
        }
        let mut paths = HashSet::new();
        for file in &self.files {
            if !paths.insert(file.path.as_str()) {
                return Err(PackError::DuplicatePath {
                    path: file.path.clone(),
                });
            }
            if !manifest.skills.iter().any(|entry| entry.path == file.path) {
                return Err(PackError::UnlistedFile {
                    path: file.path.clone(),
                });
            }
        }
        let mut skills = Vec::with_capacity(manifest.skills.len());
        let mut ids: Vec<(&str, &str)> = Vec::new();
        for listed in &manifest.skills {
            let file = self
                .files
                .iter()
                .find(|file| file.path == listed.path)
                .ok_or_else(|| PackError::MissingFile {
                    path: listed.path.clone(),
                })?;
            let actual = sha256_hex(file.text.as_bytes());
            if actual != listed.sha256 {
                return Err(PackError::FileHash {
                    path: listed.path.clone(),
                    expected: listed.sha256.clone(),
                    actual,
                });
            }
            let bytes = file.text.len() as u64;
            if bytes != listed.bytes {
                return Err(PackError::FileSize {
                    path: listed.path.clone(),
                    expected: listed.bytes,
                    actual: bytes,
                });
            }
            if let Some((_, first)) = ids.iter().find(|(id, _)| *id == listed.id) {
                return Err(PackError::DuplicateSkill {
                    id: listed.id.clone(),
                    first: first.to_string(),
                    second: listed.path.clone(),
                });
            }
            ids.push((listed.id.as_str(), listed.path.as_str()));
            skills.push(file);
        }
        let actual = pack_hash(&manifest.skills);
        if actual != manifest.sha256 {
            return Err(PackError::PackHash {
                expected: manifest.sha256.clone(),
                actual,
            });
        }
        let expected = version_of(&actual);
        if manifest.version != expected {
            return Err(PackError::Version {
                expected,
                actual: manifest.version.clone(),
            });
        }
        manifest
            .skills
            .iter()
            .zip(skills)
            .map(|(listed, file)| {
                let skill = load_skill(&file.path, &file.text)?;
                check_entry(listed, &entry(&skill, file))?;
                Ok(skill)
            })
            .collect()
    }
}

/// Parses, verifies and loads the skills of a pack given as JSON text.
pub fn load(text: &str) -> Result<Vec<Skill>, PackError> {
    Pack::from_json(text)?.verify()
}

/// Returns the lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut hex = String::with_capacity(64);
    for byte in digest {
        // Writing to a String cannot fail.
        let _ = write!(hex, "{byte:02x}");
    }
    hex
}

fn entry(skill: &Skill, file: &PackFile) -> SkillEntry {
    SkillEntry {
        id: skill.id.clone(),
        title: skill.title.clone(),
        tier: tier_code(skill.tier).to_string(),
        strand: skill.strand.clone(),
        templates: skill
            .templates
            .iter()
            .map(|template| template.version)
            .collect(),
        path: file.path.clone(),
        bytes: file.text.len() as u64,
        sha256: sha256_hex(file.text.as_bytes()),
    }
}

fn check_entry(listed: &SkillEntry, found: &SkillEntry) -> Result<(), PackError> {
    let fields = [
        ("id", &listed.id, &found.id),
        ("title", &listed.title, &found.title),
        ("tier", &listed.tier, &found.tier),
        ("strand", &listed.strand, &found.strand),
    ];
    for (field, listed_value, found_value) in fields {
        if listed_value != found_value {
            return Err(PackError::Entry {
                path: listed.path.clone(),
                field,
                listed: listed_value.clone(),
                found: found_value.clone(),
            });
        }
    }
    if listed.templates != found.templates {
        return Err(PackError::Entry {
            path: listed.path.clone(),
            field: "templates",
            listed: format!("{:?}", listed.templates),
            found: format!("{:?}", found.templates),
        });
    }
    Ok(())
}

/// Returns the tier as the skill files write it.
pub fn tier_code(tier: Tier) -> &'static str {
    match tier {
        Tier::KeyStage3 => "KS3",
        Tier::Foundation => "F",
        Tier::Higher => "H",
        Tier::ALevel => "A",
    }
}

fn pack_hash(entries: &[SkillEntry]) -> String {
    let mut listing = String::new();
    for entry in entries {
        listing.push_str(&entry.sha256);
        listing.push_str("  ");
        listing.push_str(&entry.path);
        listing.push('\n');
    }
    sha256_hex(listing.as_bytes())
}

fn version_of(sha256: &str) -> String {
    let digits = sha256.get(..VERSION_HEX_DIGITS).unwrap_or(sha256);
    format!("{PACK_FORMAT}.{digits}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small_sources() -> Vec<(&'static str, &'static str)> {
        SOURCES.iter().take(3).copied().collect()
    }

    #[test]
    fn sha256_matches_the_standard_vector() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn the_same_content_builds_the_same_pack_in_any_order() {
        let sources = small_sources();
        let mut reversed = sources.clone();
        reversed.reverse();
        let a = Pack::build(&sources).expect("builds");
        let b = Pack::build(&reversed).expect("builds");
        assert_eq!(a.to_json(), b.to_json());
        assert!(a.manifest.version.starts_with("1."));
        assert_eq!(a.manifest.version.len(), 2 + VERSION_HEX_DIGITS);
    }

    #[test]
    fn a_built_pack_round_trips_through_json() {
        let pack = Pack::builtin().expect("builds");
        let skills = load(&pack.to_json()).expect("loads");
        assert_eq!(skills.len(), SOURCES.len());
        assert_eq!(pack.manifest.skills.len(), SOURCES.len());
    }

    #[test]
    fn a_changed_file_is_named_with_both_hashes() {
        let mut pack = Pack::build(&small_sources()).expect("builds");
        let path = pack.files[1].path.clone();
        pack.files[1].text = pack.files[1].text.replacen("title", "title ", 1);
        match pack.verify() {
            Err(PackError::FileHash {
                path: named,
                expected,
                actual,
            }) => {
                assert_eq!(named, path);
                assert_eq!(expected, pack.manifest.skills[1].sha256);
                assert_ne!(expected, actual);
            }
            other => panic!("expected a file hash error, got {other:?}"),
        }
    }

    #[test]
    fn a_changed_manifest_is_caught() {
        let pack = Pack::build(&small_sources()).expect("builds");

        let mut rehashed = pack.clone();
        rehashed.manifest.skills[0].sha256 = sha256_hex(b"other");
        rehashed.files[0].text = "other".into();
        rehashed.manifest.skills[0].bytes = 5;
        assert!(matches!(rehashed.verify(), Err(PackError::PackHash { .. })));

        let mut renamed = pack.clone();
        renamed.manifest.skills[0].title = "Another title".into();
        assert!(matches!(
            renamed.verify(),
            Err(PackError::Entry { field: "title", .. })
        ));

        let mut versioned = pack.clone();
        versioned.manifest.version = "1.000000000000".into();
        assert!(matches!(versioned.verify(), Err(PackError::Version { .. })));

        let mut extra = pack.clone();
        extra.files.push(PackFile {
            path: "algebra/extra.toml".into(),
            text: String::new(),
        });
        assert!(matches!(
            extra.verify(),
            Err(PackError::UnlistedFile { .. })
        ));

        let mut missing = pack.clone();
        missing.files.pop();
        assert!(matches!(
            missing.verify(),
            Err(PackError::MissingFile { .. })
        ));

        let mut future = pack;
        future.manifest.format = PACK_FORMAT + 1;
        assert!(matches!(future.verify(), Err(PackError::Format { .. })));
    }

    #[test]
    fn bad_input_is_an_error() {
        assert!(matches!(load("not json"), Err(PackError::Json(_))));
        assert!(matches!(
            Pack::build::<&str, &str>(&[]),
            Err(PackError::Empty)
        ));
        let (path, text) = SOURCES[0];
        assert!(matches!(
            Pack::build(&[(path, text), (path, text)]),
            Err(PackError::DuplicatePath { .. })
        ));
        let moved = format!("number/{}", path.rsplit('/').next().unwrap_or(path));
        assert!(matches!(
            Pack::build(&[(moved.as_str(), text)]),
            Err(PackError::Skill(_))
        ));
    }
}
