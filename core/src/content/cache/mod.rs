//! The device's cache of downloaded packs and media (videos, captions).
//!
//! - Files are stored as `items/<sha256>` under the cache folder, and an
//!   index (`index.db`, SQLite) records each item's key, expected hash and
//!   size, whether it is complete, when it was last used, and which lessons
//!   need it.
//! - A download in progress is kept as `partial/<sha256>.part`, named by the
//!   hash it must have, so after a dropped connection or a restart the
//!   downloader requests the rest with an HTTP range request.
//! - A file is checked against its SHA-256 and size before it becomes
//!   complete; nothing unverified is ever handed out by [`ContentCache::open_item`].
//! - The cache keeps its complete files within a byte budget by deleting
//!   the least recently used ones, except pinned items (those of open
//!   assignments, set with [`ContentCache::set_pins`]).
//! - [`ContentCache::is_available_offline`] answers whether a lesson has
//!   every file it needs.
//!
//! The HTTP side is in [`download`], behind the `net` feature.

#[cfg(feature = "net")]
pub mod download;
pub mod manifest;

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OptionalExtension};
use sha2::{Digest, Sha256};
use thiserror::Error;

pub use manifest::{CacheManifest, ItemRef, LessonManifest};

/// A failure of the content cache or a download.
#[derive(Debug, Error)]
pub enum ContentError {
    #[error("failed to {action} {path}: {source}")]
    Io {
        action: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("content cache index failed: {0}")]
    Index(#[from] rusqlite::Error),
    #[error("invalid content manifest: {0}")]
    InvalidManifest(String),
    #[error("lesson `{0}` is not in any downloaded manifest; fetch the manifest first")]
    UnknownLesson(String),
    #[error("item `{0}` is not in the cache; fetch its lesson first")]
    NotAvailable(String),
    #[error("item `{key}` failed verification: expected SHA-256 {expected}, got {actual}; it was deleted and must be downloaded again")]
    HashMismatch {
        key: String,
        expected: String,
        actual: String,
    },
    #[error("item `{key}` is {actual} bytes, but the manifest says {expected}; it was deleted")]
    SizeMismatch {
        key: String,
        expected: u64,
        actual: u64,
    },
    #[error("no room for item `{key}` ({needed} bytes): the budget is {budget} bytes and pinned items use {pinned}; raise the budget or finish an assignment")]
    NoRoom {
        key: String,
        needed: u64,
        budget: u64,
        pinned: u64,
    },
    #[cfg(feature = "net")]
    #[error("download of {url} failed: {source}")]
    Http { url: String, source: reqwest::Error },
    #[error("download of {url} failed with HTTP status {status}")]
    HttpStatus { url: String, status: u16 },
    #[error("invalid item address `{url}`: {reason}")]
    InvalidUrl { url: String, reason: String },
}

/// Whether a lesson can be used with no network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Availability {
    /// Every file is downloaded and verified.
    Available,
    /// These item keys are not (or not completely) downloaded.
    Missing(Vec<String>),
    /// No registered manifest lists the lesson.
    UnknownLesson,
}

/// One item and its state in the cache.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachedItem {
    pub item: ItemRef,
    pub complete: bool,
    pub pinned: bool,
    /// Bytes of a partial download kept for resuming (0 when none).
    pub partial_bytes: u64,
    pub last_used_ms: i64,
}

/// The cache folder and its index.
pub struct ContentCache {
    dir: PathBuf,
    conn: Connection,
    budget_bytes: u64,
}

const SCHEMA: &str = "
    CREATE TABLE IF NOT EXISTS items (
        key TEXT PRIMARY KEY,
        url TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        size INTEGER NOT NULL,
        complete INTEGER NOT NULL DEFAULT 0,
        last_used_ms INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE IF NOT EXISTS lesson_items (
        lesson TEXT NOT NULL,
        key TEXT NOT NULL,
        PRIMARY KEY (lesson, key)
    );
    CREATE TABLE IF NOT EXISTS pins (key TEXT PRIMARY KEY);";

impl ContentCache {
    /// Opens (creating if needed) the cache in `dir` with a budget in bytes.
    pub fn open(dir: &Path, budget_bytes: u64) -> Result<ContentCache, ContentError> {
        for sub in ["items", "partial"] {
            let path = dir.join(sub);
            std::fs::create_dir_all(&path).map_err(io_error("create", &path))?;
        }
        let conn = Connection::open(dir.join("index.db"))?;
        conn.query_row("PRAGMA journal_mode = WAL", [], |row| {
            row.get::<_, String>(0)
        })?;
        conn.execute_batch(SCHEMA)?;
        Ok(ContentCache {
            dir: dir.to_path_buf(),
            conn,
            budget_bytes,
        })
    }

    pub fn budget_bytes(&self) -> u64 {
        self.budget_bytes
    }

    /// Records a manifest's lessons and items, so that availability can be
    /// checked offline later. Items already complete stay complete when
    /// their hash is unchanged.
    pub fn register(&mut self, manifest: &CacheManifest) -> Result<(), ContentError> {
        let tx = self.conn.transaction()?;
        for lesson in &manifest.lessons {
            tx.execute("DELETE FROM lesson_items WHERE lesson = ?1", [&lesson.id])?;
            for item in &lesson.items {
                tx.execute(
                    "INSERT INTO items (key, url, sha256, size) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (key) DO UPDATE SET
                        url = excluded.url, size = excluded.size,
                        complete = CASE WHEN items.sha256 = excluded.sha256
                                        THEN items.complete ELSE 0 END,
                        sha256 = excluded.sha256",
                    params![item.key, item.url, item.sha256, item.size],
                )?;
                tx.execute(
                    "INSERT OR IGNORE INTO lesson_items (lesson, key) VALUES (?1, ?2)",
                    params![lesson.id, item.key],
                )?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Checks whether `lesson` can be used with the network off.
    pub fn is_available_offline(&self, lesson: &str) -> Result<Availability, ContentError> {
        let mut statement = self.conn.prepare_cached(
            "SELECT i.key, i.complete, i.sha256 FROM lesson_items l JOIN items i ON i.key = l.key
             WHERE l.lesson = ?1 ORDER BY i.key",
        )?;
        let rows: Vec<(String, bool, String)> = statement
            .query_map([lesson], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
            .collect::<Result<_, _>>()?;
        if rows.is_empty() {
            return Ok(Availability::UnknownLesson);
        }
        let missing: Vec<String> = rows
            .into_iter()
            .filter(|(_, complete, sha256)| !complete || !self.item_path(sha256).is_file())
            .map(|(key, _, _)| key)
            .collect();
        Ok(if missing.is_empty() {
            Availability::Available
        } else {
            Availability::Missing(missing)
        })
    }

    /// Lists the items of a registered lesson.
    pub fn lesson_items(&self, lesson: &str) -> Result<Vec<ItemRef>, ContentError> {
        let mut statement = self.conn.prepare_cached(
            "SELECT i.key, i.url, i.sha256, i.size FROM lesson_items l JOIN items i ON i.key = l.key
             WHERE l.lesson = ?1 ORDER BY i.key",
        )?;
        let items: Vec<ItemRef> = statement
            .query_map([lesson], item_ref_row)?
            .collect::<Result<_, _>>()?;
        if items.is_empty() {
            return Err(ContentError::UnknownLesson(lesson.to_string()));
        }
        Ok(items)
    }

    /// Returns the path of a complete, verified item for use, and marks it
    /// used at `now_ms` for the eviction order.
    pub fn open_item(&mut self, key: &str, now_ms: i64) -> Result<PathBuf, ContentError> {
        let row: Option<(String, u64, bool)> = self
            .conn
            .query_row(
                "SELECT sha256, size, complete FROM items WHERE key = ?1",
                [key],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
            )
            .optional()?;
        let Some((sha256, size, true)) = row else {
            return Err(ContentError::NotAvailable(key.to_string()));
        };
        let path = self.item_path(&sha256);
        // The hash was checked when the download finished; a size check here
        // catches a file truncated since without reading it all again.
        let on_disk = std::fs::metadata(&path).map(|m| m.len()).ok();
        if on_disk != Some(size) {
            self.conn
                .execute("UPDATE items SET complete = 0 WHERE key = ?1", [key])?;
            return Err(ContentError::NotAvailable(key.to_string()));
        }
        self.touch(key, now_ms)?;
        Ok(path)
    }

    /// Replaces the set of pinned item keys (those of open assignments).
    pub fn set_pins(&mut self, keys: &[String]) -> Result<(), ContentError> {
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM pins", [])?;
        for key in keys {
            tx.execute("INSERT OR IGNORE INTO pins (key) VALUES (?1)", [key])?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Lists every known item with its state, most recently used first.
    pub fn items(&self) -> Result<Vec<CachedItem>, ContentError> {
        let mut statement = self.conn.prepare(
            "SELECT key, url, sha256, size, complete, last_used_ms,
                    key IN (SELECT key FROM pins)
             FROM items ORDER BY last_used_ms DESC, key",
        )?;
        let rows = statement.query_map([], |row| {
            Ok((item_ref_row(row)?, row.get(4)?, row.get(5)?, row.get(6)?))
        })?;
        let mut items = Vec::new();
        for row in rows {
            let (item, complete, last_used_ms, pinned): (ItemRef, bool, i64, bool) = row?;
            let partial_bytes = std::fs::metadata(self.partial_path(&item.sha256))
                .map(|m| m.len())
                .unwrap_or(0);
            items.push(CachedItem {
                item,
                complete,
                pinned,
                partial_bytes,
                last_used_ms,
            });
        }
        Ok(items)
    }

    /// Bytes used by complete items.
    pub fn used_bytes(&self) -> Result<u64, ContentError> {
        Ok(self.conn.query_row(
            "SELECT COALESCE(SUM(size), 0) FROM items WHERE complete = 1",
            [],
            |row| row.get(0),
        )?)
    }

    /// Deletes least recently used, unpinned complete items (never `keep`)
    /// until `extra` more bytes fit in the budget; returns the evicted keys.
    pub fn make_room(
        &mut self,
        extra: u64,
        keep: Option<&str>,
    ) -> Result<Vec<String>, ContentError> {
        let mut evicted = Vec::new();
        loop {
            if self.used_bytes()? + extra <= self.budget_bytes {
                return Ok(evicted);
            }
            let victim: Option<String> = self
                .conn
                .query_row(
                    "SELECT key FROM items
                     WHERE complete = 1 AND key NOT IN (SELECT key FROM pins) AND key != ?1
                     ORDER BY last_used_ms, key LIMIT 1",
                    [keep.unwrap_or("")],
                    |row| row.get(0),
                )
                .optional()?;
            let Some(victim) = victim else {
                return Ok(evicted);
            };
            self.evict(&victim)?;
            evicted.push(victim);
        }
    }

    /// Deletes an item's file (complete or partial), keeping its manifest entry.
    pub fn evict(&mut self, key: &str) -> Result<(), ContentError> {
        let sha256: Option<String> = self
            .conn
            .query_row("SELECT sha256 FROM items WHERE key = ?1", [key], |row| {
                row.get(0)
            })
            .optional()?;
        let Some(sha256) = sha256 else {
            return Err(ContentError::NotAvailable(key.to_string()));
        };
        self.conn
            .execute("UPDATE items SET complete = 0 WHERE key = ?1", [key])?;
        // Two keys may name the same file; delete it only when no other
        // complete item needs it.
        let shared: bool = self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM items WHERE sha256 = ?1 AND complete = 1)",
            [&sha256],
            |row| row.get(0),
        )?;
        if !shared {
            remove_if_exists(&self.item_path(&sha256))?;
        }
        remove_if_exists(&self.partial_path(&sha256))?;
        tracing::debug!(key, "content item evicted");
        Ok(())
    }

    /// Bytes pinned items use.
    pub fn pinned_bytes(&self) -> Result<u64, ContentError> {
        Ok(self.conn.query_row(
            "SELECT COALESCE(SUM(size), 0) FROM items
             WHERE complete = 1 AND key IN (SELECT key FROM pins)",
            [],
            |row| row.get(0),
        )?)
    }

    pub fn item_path(&self, sha256: &str) -> PathBuf {
        self.dir.join("items").join(sha256)
    }

    pub fn partial_path(&self, sha256: &str) -> PathBuf {
        self.dir.join("partial").join(format!("{sha256}.part"))
    }

    /// Checks a finished partial file against `item` and, when it matches,
    /// moves it into place as complete. A file that does not match is deleted.
    pub fn complete_from_partial(
        &mut self,
        item: &ItemRef,
        now_ms: i64,
    ) -> Result<(), ContentError> {
        let partial = self.partial_path(&item.sha256);
        let verified = verify_file(&partial, item);
        if verified.is_err() {
            remove_if_exists(&partial)?;
        }
        verified?;
        let target = self.item_path(&item.sha256);
        std::fs::rename(&partial, &target).map_err(io_error("move into place", &target))?;
        self.conn.execute(
            "UPDATE items SET complete = 1, last_used_ms = ?2 WHERE sha256 = ?1",
            params![item.sha256, now_ms],
        )?;
        tracing::info!(key = %item.key, size = item.size, "content item verified");
        Ok(())
    }

    fn touch(&mut self, key: &str, now_ms: i64) -> Result<(), ContentError> {
        self.conn.execute(
            "UPDATE items SET last_used_ms = ?2 WHERE key = ?1",
            params![key, now_ms],
        )?;
        Ok(())
    }
}

fn item_ref_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<ItemRef> {
    Ok(ItemRef {
        key: row.get(0)?,
        url: row.get(1)?,
        sha256: row.get(2)?,
        size: row.get(3)?,
    })
}

/// Checks the file at `path` has `item`'s size and SHA-256.
pub fn verify_file(path: &Path, item: &ItemRef) -> Result<(), ContentError> {
    let mut file = File::open(path).map_err(io_error("open", path))?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 64 * 1024];
    let mut total = 0u64;
    loop {
        let read = file.read(&mut buffer).map_err(io_error("read", path))?;
        if read == 0 {
            break;
        }
        total += read as u64;
        hasher.update(&buffer[..read]);
    }
    if total != item.size {
        return Err(ContentError::SizeMismatch {
            key: item.key.clone(),
            expected: item.size,
            actual: total,
        });
    }
    let actual = hex::encode(hasher.finalize());
    if actual != item.sha256 {
        return Err(ContentError::HashMismatch {
            key: item.key.clone(),
            expected: item.sha256.clone(),
            actual,
        });
    }
    Ok(())
}

fn remove_if_exists(path: &Path) -> Result<(), ContentError> {
    match std::fs::remove_file(path) {
        Err(error) if error.kind() != std::io::ErrorKind::NotFound => {
            Err(io_error("delete", path)(error))
        }
        _ => Ok(()),
    }
}

fn io_error(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> ContentError {
    let path = path.to_path_buf();
    move |source| ContentError::Io {
        action,
        path,
        source,
    }
}
