//! The cache manifest: the lessons the cache can download and the files each needs.
//!
//! A manifest is JSON, such as
//! `{"lessons":[{"id":"alg.linear","title":"Linear equations","items":[
//! {"key":"alg.linear/video","url":"media/linear.mp4","sha256":"…","size":1234}]}]}`.
//! A relative `url` is resolved against the manifest's own address by the
//! downloader.

use serde::{Deserialize, Serialize};

use super::ContentError;

/// The lessons a server offers for download.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CacheManifest {
    pub lessons: Vec<LessonManifest>,
}

/// One lesson and every file it needs to work offline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LessonManifest {
    pub id: String,
    #[serde(default)]
    pub title: String,
    pub items: Vec<ItemRef>,
}

/// One downloadable file: a pack, a video or its captions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemRef {
    /// Stable name of the item, such as a video id.
    pub key: String,
    pub url: String,
    /// Expected SHA-256 of the whole file, 64 lower-case hex digits.
    pub sha256: String,
    /// Expected size in bytes.
    pub size: u64,
}

impl CacheManifest {
    /// Parses and checks a manifest.
    pub fn from_json(text: &str) -> Result<CacheManifest, ContentError> {
        let manifest: CacheManifest = serde_json::from_str(text)
            .map_err(|error| ContentError::InvalidManifest(error.to_string()))?;
        for lesson in &manifest.lessons {
            if lesson.id.trim().is_empty() {
                return Err(ContentError::InvalidManifest(
                    "a lesson has an empty id".into(),
                ));
            }
            for item in &lesson.items {
                item.validate()?;
            }
        }
        Ok(manifest)
    }

    pub fn lesson(&self, id: &str) -> Option<&LessonManifest> {
        self.lessons.iter().find(|lesson| lesson.id == id)
    }
}

impl ItemRef {
    fn validate(&self) -> Result<(), ContentError> {
        if self.key.trim().is_empty() {
            return Err(ContentError::InvalidManifest(
                "an item has an empty key".into(),
            ));
        }
        let hex = self.sha256.len() == 64
            && self
                .sha256
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if !hex {
            return Err(ContentError::InvalidManifest(format!(
                "item `{}` has sha256 `{}`, which is not 64 lower-case hex digits",
                self.key, self.sha256
            )));
        }
        Ok(())
    }
}
