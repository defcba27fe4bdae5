//! Resumable, verified downloads into the [`ContentCache`], with reqwest
//! (rustls) on tokio.
//!
//! An item downloads into its partial file. When the connection drops, the
//! next try (in this call, after a short backoff, or in a later run after a
//! restart) sends `Range: bytes=N-` for the rest. A server that responds
//! `200` instead of `206` sends the whole file, which replaces the partial
//! one. The finished file is checked against its SHA-256 before the cache
//! hands it out.

use std::time::Duration;

use futures_util::StreamExt;
use reqwest::header::{CONTENT_RANGE, RANGE};
use reqwest::{StatusCode, Url};
use tokio::io::AsyncWriteExt;

use super::{io_error, Availability, CacheManifest, ContentCache, ContentError, ItemRef};

/// A progress report from a download.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    /// Bytes of `key` held so far out of `total` (including resumed bytes).
    Bytes { key: String, done: u64, total: u64 },
    /// A try failed and another follows after a pause.
    Retrying {
        key: String,
        attempt: u32,
        error: String,
    },
    /// The item is complete and verified.
    Done { key: String },
}

/// Receives [`Progress`]; closures `Fn(&Progress)` are sinks.
pub trait ProgressSink {
    fn report(&self, progress: &Progress);
}

impl<F: Fn(&Progress)> ProgressSink for F {
    fn report(&self, progress: &Progress) {
        self(progress)
    }
}

/// Retry and timeout settings of a [`Downloader`].
#[derive(Debug, Clone)]
pub struct DownloadConfig {
    /// Tries per item, the first included.
    pub attempts: u32,
    /// Pause before the second try; it doubles for each later one.
    pub first_backoff: Duration,
    /// Maximum wait for the server to respond or send the next bytes.
    pub timeout: Duration,
}

impl Default for DownloadConfig {
    fn default() -> Self {
        DownloadConfig {
            attempts: 5,
            first_backoff: Duration::from_millis(250),
            timeout: Duration::from_secs(30),
        }
    }
}

/// The HTTP client for content.
pub struct Downloader {
    client: reqwest::Client,
    config: DownloadConfig,
}

impl Downloader {
    pub fn new(config: DownloadConfig) -> Result<Downloader, ContentError> {
        let client = reqwest::Client::builder()
            .connect_timeout(config.timeout)
            .read_timeout(config.timeout)
            .build()
            .map_err(|source| ContentError::Http {
                url: String::new(),
                source,
            })?;
        Ok(Downloader { client, config })
    }

    /// Downloads and parses a manifest; relative item addresses are made
    /// absolute against `url`.
    pub async fn fetch_manifest(&self, url: &str) -> Result<CacheManifest, ContentError> {
        let base = parse_url(url)?;
        let response = self.get(&base, 0).await?;
        let text = response.text().await.map_err(http_error(url))?;
        let mut manifest = CacheManifest::from_json(&text)?;
        for lesson in &mut manifest.lessons {
            for item in &mut lesson.items {
                item.url = base
                    .join(&item.url)
                    .map_err(|error| ContentError::InvalidUrl {
                        url: item.url.clone(),
                        reason: error.to_string(),
                    })?
                    .to_string();
            }
        }
        Ok(manifest)
    }

    /// Downloads every missing item of `lesson` (registered in `cache`).
    pub async fn fetch_lesson(
        &self,
        cache: &mut ContentCache,
        lesson: &str,
        progress: &dyn ProgressSink,
        now_ms: i64,
    ) -> Result<(), ContentError> {
        let missing = match cache.is_available_offline(lesson)? {
            Availability::Available => return Ok(()),
            Availability::UnknownLesson => {
                return Err(ContentError::UnknownLesson(lesson.to_string()))
            }
            Availability::Missing(keys) => keys,
        };
        for item in cache.lesson_items(lesson)? {
            if missing.contains(&item.key) {
                self.fetch_item(cache, &item, progress, now_ms).await?;
            }
        }
        Ok(())
    }

    /// Downloads one item, resuming a partial file, retrying dropped
    /// connections, then verifies it and makes room for it in the budget.
    pub async fn fetch_item(
        &self,
        cache: &mut ContentCache,
        item: &ItemRef,
        progress: &dyn ProgressSink,
        now_ms: i64,
    ) -> Result<(), ContentError> {
        let pinned = cache.pinned_bytes()?;
        cache.make_room(item.size, Some(&item.key))?;
        if cache.used_bytes()? + item.size > cache.budget_bytes() {
            return Err(ContentError::NoRoom {
                key: item.key.clone(),
                needed: item.size,
                budget: cache.budget_bytes(),
                pinned,
            });
        }

        let mut attempt = 1;
        loop {
            match self.download_once(cache, item, progress).await {
                Ok(()) => break,
                Err(error) if attempt < self.config.attempts && retryable(&error) => {
                    tracing::warn!(key = %item.key, attempt, %error, "download failed; retrying");
                    progress.report(&Progress::Retrying {
                        key: item.key.clone(),
                        attempt,
                        error: error.to_string(),
                    });
                    tokio::time::sleep(self.config.first_backoff * 2u32.pow(attempt - 1)).await;
                    attempt += 1;
                }
                Err(error) => return Err(error),
            }
        }

        cache.complete_from_partial(item, now_ms)?;
        progress.report(&Progress::Done {
            key: item.key.clone(),
        });
        Ok(())
    }

    /// Makes one try: requests the bytes the partial file lacks and appends them.
    async fn download_once(
        &self,
        cache: &ContentCache,
        item: &ItemRef,
        progress: &dyn ProgressSink,
    ) -> Result<(), ContentError> {
        let path = cache.partial_path(&item.sha256);
        let mut have = tokio::fs::metadata(&path).await.map_or(0, |m| m.len());
        if have > item.size {
            have = 0;
        }
        if have == item.size && have > 0 {
            return Ok(());
        }
        let url = parse_url(&item.url)?;
        let response = self.get(&url, have).await?;

        // A 206 must start where the partial file ends; anything else
        // restarts from the first byte.
        let resumed = response.status() == StatusCode::PARTIAL_CONTENT
            && content_range_start(&response) == Some(have);
        if !resumed {
            have = 0;
        }
        let mut file = tokio::fs::OpenOptions::new()
            .create(true)
            .write(true)
            .append(resumed)
            .truncate(!resumed)
            .open(&path)
            .await
            .map_err(io_error("open", &path))?;
        tracing::debug!(key = %item.key, from = have, "downloading");

        let mut stream = response.bytes_stream();
        let mut result = Ok(());
        while let Some(chunk) = stream.next().await {
            let chunk = match chunk {
                Ok(chunk) => chunk,
                Err(source) => {
                    result = Err(http_error(&item.url)(source));
                    break;
                }
            };
            have += chunk.len() as u64;
            if have > item.size {
                result = Err(ContentError::SizeMismatch {
                    key: item.key.clone(),
                    expected: item.size,
                    actual: have,
                });
                break;
            }
            file.write_all(&chunk)
                .await
                .map_err(io_error("write", &path))?;
            progress.report(&Progress::Bytes {
                key: item.key.clone(),
                done: have,
                total: item.size,
            });
        }
        // Keep what arrived, even after an error, for the next try to resume.
        file.flush().await.map_err(io_error("write", &path))?;
        file.sync_data().await.map_err(io_error("sync", &path))?;
        if matches!(result, Err(ContentError::SizeMismatch { .. })) {
            let _ = tokio::fs::remove_file(&path).await;
        }
        result
    }

    async fn get(&self, url: &Url, from: u64) -> Result<reqwest::Response, ContentError> {
        let mut request = self.client.get(url.clone());
        if from > 0 {
            request = request.header(RANGE, format!("bytes={from}-"));
        }
        let response = request.send().await.map_err(http_error(url.as_str()))?;
        let status = response.status();
        if !status.is_success() {
            return Err(ContentError::HttpStatus {
                url: url.to_string(),
                status: status.as_u16(),
            });
        }
        Ok(response)
    }
}

/// Parses the first byte of a `Content-Range: bytes START-END/TOTAL` header.
fn content_range_start(response: &reqwest::Response) -> Option<u64> {
    let value = response.headers().get(CONTENT_RANGE)?.to_str().ok()?;
    let range = value.strip_prefix("bytes ")?;
    range.split('-').next()?.trim().parse().ok()
}

fn retryable(error: &ContentError) -> bool {
    match error {
        ContentError::Http { .. } => true,
        ContentError::HttpStatus { status, .. } => {
            *status >= 500 || *status == 408 || *status == 429
        }
        _ => false,
    }
}

fn parse_url(url: &str) -> Result<Url, ContentError> {
    Url::parse(url).map_err(|error| ContentError::InvalidUrl {
        url: url.to_string(),
        reason: error.to_string(),
    })
}

fn http_error(url: &str) -> impl FnOnce(reqwest::Error) -> ContentError {
    let url = url.to_string();
    move |source| ContentError::Http { url, source }
}
