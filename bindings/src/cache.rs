//! The content cache: lessons' videos, captions and packs downloaded for
//! offline use, `stepwise_core::content::cache`.

use std::sync::Arc;

use stepwise_core::content::cache::download::{DownloadConfig, Downloader, Progress};
use stepwise_core::content::cache::{
    Availability, CacheManifest, CachedItem, ContentCache, ContentError,
};
use tokio::sync::Mutex;

use crate::app::now_ms;
use crate::runtime;
use crate::tasks::{CancelToken, ProgressListener};

/// A failure of the content cache or of a download.
#[derive(Debug, thiserror::Error, uniffi::Error)]
#[uniffi(flat_error)]
pub enum CacheError {
    #[error("{reason}")]
    InvalidManifest { reason: String },
    #[error("{reason}")]
    UnknownLesson { reason: String },
    #[error("{reason}")]
    NotAvailable { reason: String },
    #[error("{reason}")]
    Corrupt { reason: String },
    #[error("{reason}")]
    NoRoom { reason: String },
    #[error("{reason}")]
    Network { reason: String },
    #[error("{reason}")]
    Storage { reason: String },
    #[error("download cancelled by the app; the bytes received are kept, and the next download resumes from them")]
    Cancelled,
    #[error("download stopped because the progress listener failed: {reason}")]
    ListenerFailed { reason: String },
    #[error("the worker running the download stopped unexpectedly: {reason}")]
    WorkerFailed { reason: String },
}

impl From<ContentError> for CacheError {
    fn from(error: ContentError) -> Self {
        let reason = error.to_string();
        match error {
            ContentError::InvalidManifest(_) | ContentError::InvalidUrl { .. } => {
                CacheError::InvalidManifest { reason }
            }
            ContentError::UnknownLesson(_) => CacheError::UnknownLesson { reason },
            ContentError::NotAvailable(_) => CacheError::NotAvailable { reason },
            ContentError::HashMismatch { .. } | ContentError::SizeMismatch { .. } => {
                CacheError::Corrupt { reason }
            }
            ContentError::NoRoom { .. } => CacheError::NoRoom { reason },
            ContentError::Http { .. } | ContentError::HttpStatus { .. } => {
                CacheError::Network { reason }
            }
            ContentError::Io { .. } | ContentError::Index(_) => {
                tracing::warn!(%reason, "content cache storage failed");
                CacheError::Storage { reason }
            }
        }
    }
}

/// Whether a lesson can be used with no network.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum LessonAvailability {
    /// Every file is downloaded and verified.
    Available,
    /// These item keys are not, or not completely, downloaded.
    Missing { keys: Vec<String> },
    /// No registered manifest lists the lesson.
    UnknownLesson,
}

impl From<Availability> for LessonAvailability {
    fn from(availability: Availability) -> Self {
        match availability {
            Availability::Available => LessonAvailability::Available,
            Availability::Missing(keys) => LessonAvailability::Missing { keys },
            Availability::UnknownLesson => LessonAvailability::UnknownLesson,
        }
    }
}

/// One item known to the cache and its state.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CachedItemRecord {
    pub key: String,
    pub url: String,
    pub sha256: String,
    pub size: u64,
    pub complete: bool,
    pub pinned: bool,
    /// Bytes of a partial download kept for resuming (0 when none).
    pub partial_bytes: u64,
    pub last_used_ms: i64,
}

impl From<CachedItem> for CachedItemRecord {
    fn from(cached: CachedItem) -> Self {
        CachedItemRecord {
            key: cached.item.key,
            url: cached.item.url,
            sha256: cached.item.sha256,
            size: cached.item.size,
            complete: cached.complete,
            pinned: cached.pinned,
            partial_bytes: cached.partial_bytes,
            last_used_ms: cached.last_used_ms,
        }
    }
}

/// The cache folder of one device, with its byte budget.
#[derive(uniffi::Object)]
pub struct ContentLibrary {
    cache: Arc<Mutex<ContentCache>>,
    downloader: Arc<Downloader>,
}

impl std::fmt::Debug for ContentLibrary {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("ContentLibrary")
            .finish_non_exhaustive()
    }
}

/// The target of a download: a whole lesson, or one item of a lesson.
enum Target {
    Lesson(String),
    Item { lesson: String, key: String },
}

impl ContentLibrary {
    fn cache(&self) -> tokio::sync::MutexGuard<'_, ContentCache> {
        // The synchronous methods are called from the app's threads, never
        // from inside the runtime, where blocking would stall a worker.
        self.cache.blocking_lock()
    }

    /// Runs one download off the calling thread. It ends early with
    /// `Cancelled` once `cancel` is set, or with `ListenerFailed` once the
    /// listener returns an error. The bytes received so far stay in the
    /// partial file either way.
    async fn download(
        &self,
        target: Target,
        listener: Option<Arc<dyn ProgressListener>>,
        cancel: Arc<CancelToken>,
    ) -> Result<(), CacheError> {
        let cache = self.cache.clone();
        let downloader = self.downloader.clone();
        let work = runtime::spawn_local_blocking(move || async move {
            let listener_failed = CancelToken::default();
            let failure = std::sync::Mutex::new(None::<String>);
            let sink = |progress: &Progress| {
                let (Some(listener), Progress::Bytes { done, total, .. }) = (&listener, progress)
                else {
                    return;
                };
                if let Err(error) = listener.on_progress(*done, *total) {
                    tracing::warn!(%error, "progress listener failed; stopping the download");
                    *failure
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner) =
                        Some(error.to_string());
                    listener_failed.cancel();
                }
            };

            let mut cache = cache.lock().await;
            let fetch = async {
                match &target {
                    Target::Lesson(lesson) => {
                        downloader
                            .fetch_lesson(&mut cache, lesson, &sink, now_ms())
                            .await
                    }
                    Target::Item { lesson, key } => {
                        let items = cache.lesson_items(lesson)?;
                        let Some(item) = items.into_iter().find(|item| &item.key == key) else {
                            return Err(ContentError::NotAvailable(key.clone()));
                        };
                        downloader
                            .fetch_item(&mut cache, &item, &sink, now_ms())
                            .await
                    }
                }
            };
            tokio::select! {
                result = fetch => result.map_err(CacheError::from),
                () = cancel.cancelled() => Err(CacheError::Cancelled),
                () = listener_failed.cancelled() => {
                    let reason = failure
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                        .take()
                        .unwrap_or_default();
                    Err(CacheError::ListenerFailed { reason })
                }
            }
        });
        work.await.map_err(|error| CacheError::WorkerFailed {
            reason: error.to_string(),
        })?
    }
}

#[uniffi::export]
impl ContentLibrary {
    /// Opens (creating if needed) the cache in `dir`, keeping complete files
    /// within `budget_bytes` by deleting the least recently used unpinned ones.
    #[uniffi::constructor]
    pub fn open(dir: String, budget_bytes: u64) -> Result<Arc<Self>, CacheError> {
        let cache = ContentCache::open(std::path::Path::new(&dir), budget_bytes)?;
        let downloader = Downloader::new(DownloadConfig::default())?;
        Ok(Arc::new(ContentLibrary {
            cache: Arc::new(Mutex::new(cache)),
            downloader: Arc::new(downloader),
        }))
    }

    /// Registers a manifest given as JSON; item addresses must be absolute.
    /// Returns the ids of its lessons.
    pub fn register_manifest(&self, json: String) -> Result<Vec<String>, CacheError> {
        let manifest = CacheManifest::from_json(&json)?;
        self.cache().register(&manifest)?;
        Ok(manifest
            .lessons
            .into_iter()
            .map(|lesson| lesson.id)
            .collect())
    }

    /// Downloads the manifest at `url` (relative item addresses resolve
    /// against it) and registers it. Returns the ids of its lessons.
    pub async fn fetch_manifest(&self, url: String) -> Result<Vec<String>, CacheError> {
        let cache = self.cache.clone();
        let downloader = self.downloader.clone();
        let work = runtime::spawn(async move {
            let manifest = downloader.fetch_manifest(&url).await?;
            cache.lock().await.register(&manifest)?;
            let lessons: Vec<String> = manifest
                .lessons
                .into_iter()
                .map(|lesson| lesson.id)
                .collect();
            Ok::<_, CacheError>(lessons)
        });
        work.await.map_err(|error| CacheError::WorkerFailed {
            reason: error.to_string(),
        })?
    }

    pub fn availability(&self, lesson: String) -> Result<LessonAvailability, CacheError> {
        Ok(self.cache().is_available_offline(&lesson)?.into())
    }

    /// Downloads every missing item of `lesson`, resuming partial files.
    /// `listener` receives bytes done and total for the item in progress.
    pub async fn download_lesson(
        &self,
        lesson: String,
        listener: Option<Arc<dyn ProgressListener>>,
        cancel: Arc<CancelToken>,
    ) -> Result<(), CacheError> {
        self.download(Target::Lesson(lesson), listener, cancel)
            .await
    }

    /// Downloads one item of `lesson`, resuming its partial file.
    pub async fn download_item(
        &self,
        lesson: String,
        key: String,
        listener: Option<Arc<dyn ProgressListener>>,
        cancel: Arc<CancelToken>,
    ) -> Result<(), CacheError> {
        self.download(Target::Item { lesson, key }, listener, cancel)
            .await
    }

    /// Every known item with its state, most recently used first.
    pub fn items(&self) -> Result<Vec<CachedItemRecord>, CacheError> {
        let items = self.cache().items()?;
        Ok(items.into_iter().map(Into::into).collect())
    }

    pub fn used_bytes(&self) -> Result<u64, CacheError> {
        Ok(self.cache().used_bytes()?)
    }

    /// The path of a complete, verified item, for the player to open.
    pub fn open_item(&self, key: String) -> Result<String, CacheError> {
        let path = self.cache().open_item(&key, now_ms())?;
        Ok(path.display().to_string())
    }

    /// Deletes an item's file; it stays registered and can be downloaded again.
    pub fn evict(&self, key: String) -> Result<(), CacheError> {
        Ok(self.cache().evict(&key)?)
    }

    /// Replaces the set of pinned items, which eviction never deletes.
    pub fn set_pins(&self, keys: Vec<String>) -> Result<(), CacheError> {
        Ok(self.cache().set_pins(&keys)?)
    }
}
