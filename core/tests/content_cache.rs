//! The content cache against a real HTTP server on loopback (axum), which
//! serves files with range support and can cut a response half-way.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use bytes::Bytes;
use sha2::{Digest, Sha256};
use stepwise_core::content::cache::download::{DownloadConfig, Downloader, Progress};
use stepwise_core::content::cache::{Availability, ContentCache, ContentError};

/// The test server's files and behaviour.
#[derive(Default)]
struct Served {
    files: HashMap<String, Bytes>,
    /// Responses still to cut half-way.
    cuts_left: AtomicUsize,
    /// The Range header of every media request, in order.
    ranges: Mutex<Vec<Option<String>>>,
}

async fn media(
    State(served): State<Arc<Served>>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some(data) = served.files.get(&name).cloned() else {
        return Response::builder()
            .status(StatusCode::NOT_FOUND)
            .body(Body::empty())
            .expect("response");
    };
    let range = headers
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    served.ranges.lock().expect("lock").push(range.clone());
    let start: usize = range
        .as_deref()
        .and_then(|r| r.strip_prefix("bytes="))
        .and_then(|r| r.strip_suffix('-'))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    let body = data.slice(start..);
    let mut builder = Response::builder()
        .header(header::CONTENT_LENGTH, body.len())
        .header(header::ACCEPT_RANGES, "bytes");
    builder = if range.is_some() {
        builder.status(StatusCode::PARTIAL_CONTENT).header(
            header::CONTENT_RANGE,
            format!("bytes {start}-{}/{}", data.len() - 1, data.len()),
        )
    } else {
        builder.status(StatusCode::OK)
    };
    let cut = served
        .cuts_left
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok();
    if !cut {
        return builder.body(Body::from(body)).expect("response");
    }
    // Send half, then fail the body: hyper drops the connection mid-response.
    // The pause lets the first half reach the client before the cut.
    use futures_util::StreamExt;
    let half = body.slice(..body.len() / 2);
    let first = futures_util::stream::iter([Ok::<Bytes, std::io::Error>(half)]);
    let cut = futures_util::stream::once(async {
        tokio::time::sleep(Duration::from_millis(100)).await;
        Err(std::io::Error::other("connection cut by the test"))
    });
    builder
        .body(Body::from_stream(first.chain(cut)))
        .expect("response")
}

fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// Deterministic bytes, not all alike, of length `len`.
fn media_bytes(len: usize, salt: u8) -> Bytes {
    (0..len)
        .map(|i| ((i * 31 + i / 7) as u8) ^ salt)
        .collect::<Vec<u8>>()
        .into()
}

struct Server {
    base: String,
    served: Arc<Served>,
    task: tokio::task::JoinHandle<()>,
}

/// Serves `files` on a loopback port, and a manifest listing them as the
/// items of lesson `lesson-1` (with `bad_hash`, the first item's hash is wrong).
async fn serve(files: &[(&str, Bytes)], cuts: usize, bad_hash: bool) -> Server {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    let items: Vec<serde_json::Value> = files
        .iter()
        .enumerate()
        .map(|(index, (name, data))| {
            let sha = if bad_hash && index == 0 { "0".repeat(64) } else { sha256_hex(data) };
            serde_json::json!({"key": name, "url": format!("media/{name}"), "sha256": sha, "size": data.len()})
        })
        .collect();
    let manifest =
        serde_json::json!({"lessons": [{"id": "lesson-1", "title": "Lesson", "items": items}]})
            .to_string();
    let served = Arc::new(Served {
        files: files
            .iter()
            .map(|(n, d)| ((*n).to_string(), d.clone()))
            .collect(),
        cuts_left: AtomicUsize::new(cuts),
        ranges: Mutex::new(Vec::new()),
    });
    let app = Router::new()
        .route("/manifest.json", get(move || async move { manifest }))
        .route("/media/{name}", get(media))
        .with_state(served.clone());
    let task = tokio::spawn(async move {
        axum::serve(listener, app).await.expect("serve");
    });
    Server { base, served, task }
}

fn quick_config(attempts: u32) -> DownloadConfig {
    DownloadConfig {
        attempts,
        first_backoff: Duration::from_millis(10),
        timeout: Duration::from_secs(10),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flaky_download_resumes_then_works_offline() {
    let video = media_bytes(300_000, 1);
    let captions = media_bytes(5_000, 2);
    let server = serve(
        &[
            ("video.mp4", video.clone()),
            ("captions.vtt", captions.clone()),
        ],
        2,
        false,
    )
    .await;
    let dir = tempfile::tempdir().expect("temporary folder");
    let mut cache = ContentCache::open(dir.path(), 10_000_000).expect("open cache");
    let downloader = Downloader::new(quick_config(5)).expect("client");

    let manifest = downloader
        .fetch_manifest(&format!("{}/manifest.json", server.base))
        .await
        .expect("manifest");
    cache.register(&manifest).expect("register");
    assert_eq!(
        cache
            .is_available_offline("lesson-1")
            .expect("availability"),
        Availability::Missing(vec!["captions.vtt".into(), "video.mp4".into()])
    );

    let events = Mutex::new(Vec::new());
    let sink = |progress: &Progress| events.lock().expect("lock").push(progress.clone());
    downloader
        .fetch_lesson(&mut cache, "lesson-1", &sink, 1_000)
        .await
        .expect("fetch despite two cut connections");

    let events = events.into_inner().expect("lock");
    let retries = events
        .iter()
        .filter(|e| matches!(e, Progress::Retrying { .. }))
        .count();
    assert_eq!(retries, 2);
    assert!(events.contains(&Progress::Done {
        key: "video.mp4".into()
    }));
    assert!(events.contains(&Progress::Bytes {
        key: "video.mp4".into(),
        done: 300_000,
        total: 300_000
    }));

    // The first request of each cut item was whole; its retry asked for the rest.
    let ranges = server.served.ranges.lock().expect("lock").clone();
    let resumed: Vec<&String> = ranges.iter().flatten().collect();
    assert_eq!(resumed.len(), 2, "{ranges:?}");
    assert!(
        resumed
            .iter()
            .all(|r| r.starts_with("bytes=") && r != &"bytes=0-"),
        "{ranges:?}"
    );

    // Network off: stop the server and reopen the cache as after a restart.
    server.task.abort();
    drop(cache);
    let mut cache = ContentCache::open(dir.path(), 10_000_000).expect("reopen cache");
    assert_eq!(
        cache
            .is_available_offline("lesson-1")
            .expect("availability"),
        Availability::Available
    );
    let path = cache.open_item("video.mp4", 2_000).expect("video offline");
    assert_eq!(std::fs::read(path).expect("read video"), video);
    let path = cache
        .open_item("captions.vtt", 2_000)
        .expect("captions offline");
    assert_eq!(std::fs::read(path).expect("read captions"), captions);
    assert_eq!(
        cache
            .is_available_offline("no-such-lesson")
            .expect("availability"),
        Availability::UnknownLesson
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partial_file_resumes_after_restart() {
    let video = media_bytes(200_000, 3);
    let server = serve(&[("video.mp4", video.clone())], 1, false).await;
    let dir = tempfile::tempdir().expect("temporary folder");
    let manifest_url = format!("{}/manifest.json", server.base);

    // One try only: the cut connection fails the fetch and leaves a partial file.
    {
        let mut cache = ContentCache::open(dir.path(), 10_000_000).expect("open cache");
        let downloader = Downloader::new(quick_config(1)).expect("client");
        let manifest = downloader
            .fetch_manifest(&manifest_url)
            .await
            .expect("manifest");
        cache.register(&manifest).expect("register");
        let error = downloader
            .fetch_lesson(&mut cache, "lesson-1", &|_: &Progress| {}, 1_000)
            .await
            .expect_err("the cut connection fails the only try");
        assert!(matches!(error, ContentError::Http { .. }), "{error}");
        let items = cache.items().expect("items");
        assert_eq!(items[0].partial_bytes, 100_000);
        assert!(!items[0].complete);
    }

    // After a restart, the download asks only for the missing half.
    let mut cache = ContentCache::open(dir.path(), 10_000_000).expect("reopen cache");
    let downloader = Downloader::new(quick_config(1)).expect("client");
    downloader
        .fetch_lesson(&mut cache, "lesson-1", &|_: &Progress| {}, 2_000)
        .await
        .expect("resumed fetch");
    let ranges = server.served.ranges.lock().expect("lock").clone();
    assert_eq!(ranges, vec![None, Some("bytes=100000-".to_string())]);
    let path = cache.open_item("video.mp4", 3_000).expect("video");
    assert_eq!(std::fs::read(path).expect("read"), video);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_hash_rejected_and_deleted() {
    let server = serve(&[("video.mp4", media_bytes(10_000, 4))], 0, true).await;
    let dir = tempfile::tempdir().expect("temporary folder");
    let mut cache = ContentCache::open(dir.path(), 10_000_000).expect("open cache");
    let downloader = Downloader::new(quick_config(3)).expect("client");
    let manifest = downloader
        .fetch_manifest(&format!("{}/manifest.json", server.base))
        .await
        .expect("manifest");
    cache.register(&manifest).expect("register");
    let error = downloader
        .fetch_lesson(&mut cache, "lesson-1", &|_: &Progress| {}, 1_000)
        .await
        .expect_err("hash mismatch");
    assert!(
        matches!(error, ContentError::HashMismatch { .. }),
        "{error}"
    );
    assert!(matches!(
        cache.open_item("video.mp4", 1),
        Err(ContentError::NotAvailable(_))
    ));
    let items = cache.items().expect("items");
    assert_eq!(items[0].partial_bytes, 0, "the bad file is not kept");
    assert!(matches!(
        cache
            .is_available_offline("lesson-1")
            .expect("availability"),
        Availability::Missing(_)
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn budget_evicts_least_recent_unpinned() {
    let files = [
        ("a", media_bytes(1_000, 5)),
        ("b", media_bytes(1_000, 6)),
        ("c", media_bytes(1_000, 7)),
    ];
    let server = serve(&files, 0, false).await;
    let dir = tempfile::tempdir().expect("temporary folder");
    let mut cache = ContentCache::open(dir.path(), 2_500).expect("open cache");
    let downloader = Downloader::new(quick_config(1)).expect("client");
    let manifest = downloader
        .fetch_manifest(&format!("{}/manifest.json", server.base))
        .await
        .expect("manifest");
    cache.register(&manifest).expect("register");
    let items = cache.lesson_items("lesson-1").expect("items");
    let item = |key: &str| items.iter().find(|i| i.key == key).expect("item").clone();

    downloader
        .fetch_item(&mut cache, &item("a"), &|_: &Progress| {}, 100)
        .await
        .expect("a");
    downloader
        .fetch_item(&mut cache, &item("b"), &|_: &Progress| {}, 200)
        .await
        .expect("b");
    // `a` is the least recently used, but an open assignment pins it.
    cache.set_pins(&["a".to_string()]).expect("pin");
    downloader
        .fetch_item(&mut cache, &item("c"), &|_: &Progress| {}, 300)
        .await
        .expect("c");
    assert!(cache.open_item("a", 400).is_ok());
    assert!(matches!(
        cache.open_item("b", 400),
        Err(ContentError::NotAvailable(_))
    ));
    assert!(cache.open_item("c", 400).is_ok());
    assert!(cache.used_bytes().expect("used") <= 2_500);

    // With both complete items pinned, a third cannot fit.
    cache
        .set_pins(&["a".to_string(), "c".to_string()])
        .expect("pin");
    let error = downloader
        .fetch_item(&mut cache, &item("b"), &|_: &Progress| {}, 500)
        .await
        .expect_err("no room");
    assert!(matches!(error, ContentError::NoRoom { .. }), "{error}");
}
