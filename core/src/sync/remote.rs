//! Typed calls for the shells: one device sync (push the outbox, pull, keep
//! the pulled assignments), the teacher's and the parent's requests, and the
//! decoder of the teacher's live stream of server-sent events.
//!
//! The CLI and the bindings both drive the server through these, so the
//! paths and the event format are written down once.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::client::{PushReport, SyncClient, SyncError};
use super::protocol::PullResponse;
use super::views::{
    AssignRequest, AssignResponse, ClassSummary, CommentRequest, LinkRequest, LinkResponse,
    LiveLine, ParentReport, StudentWork,
};
use crate::generate::rng::Rng;
use crate::store::outbox::ProfileOutbox;
use crate::store::sync_state::{self, AccountKey};
use crate::store::{ProfileId, Store, StoreError};

/// A failure of a device sync: the network side or the local store.
#[derive(Debug, thiserror::Error)]
pub enum DeviceSyncError {
    #[error(transparent)]
    Sync(#[from] SyncError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The outcome of one device sync: events pushed and updates pulled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncReport {
    pub pushed: PushReport,
    pub pulled: PullResponse,
}

/// Pushes the outbox of `profile` in the database at `database`, pulls what
/// is new for the account `user_id` since the profile's stored cursor, and
/// stores the pulled assignments, comments and new cursor in one
/// transaction. A crash before that commit pulls the same page again, and
/// [`sync_state::keep_pull`] stores each item once.
pub async fn sync_device(
    client: &SyncClient,
    database: &Path,
    profile: ProfileId,
    user_id: &str,
    now_ms: i64,
    rng: &mut Rng,
) -> Result<SyncReport, DeviceSyncError> {
    let account = AccountKey {
        server: client.base(),
        user_id,
    };
    let cursor = {
        let store = Store::open_file(database)?;
        sync_state::mark(store.connection(), profile, account)?.map_or(0, |mark| mark.cursor)
    };
    let outbox = ProfileOutbox::open(database, profile)?;
    let pushed = client.push_outbox(&outbox, rng).await?;
    let pulled = client.pull(cursor, rng).await?;

    let mut store = Store::open_file(database)?;
    let tx = store.transaction()?;
    sync_state::keep_pull(&tx, profile, account, &pulled, now_ms)?;
    tx.commit().map_err(StoreError::from)?;
    tracing::info!(
        profile = profile.0,
        pushed = pushed.acknowledged,
        from = cursor,
        cursor = pulled.cursor,
        "sync done"
    );
    Ok(SyncReport { pushed, pulled })
}

/// A class that a teacher teaches, `GET /v1/teacher/classes`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassEntry {
    pub class_id: String,
    pub name: String,
}

#[derive(Debug, Deserialize)]
struct ClassList {
    classes: Vec<ClassEntry>,
}

#[derive(Debug, Deserialize)]
struct CommentSaved {
    comment_id: String,
}

#[derive(Debug, Deserialize)]
struct Children {
    children: Vec<LinkResponse>,
}

/// Percent-encodes `id` so that it stays one segment of a URL path.
pub fn path_segment(id: &str) -> String {
    id.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

impl SyncClient {
    pub async fn teacher_classes(&self, rng: &mut Rng) -> Result<Vec<ClassEntry>, SyncError> {
        let list: ClassList = self.get("/teacher/classes", rng).await?;
        Ok(list.classes)
    }

    pub async fn assign(
        &self,
        request: &AssignRequest,
        rng: &mut Rng,
    ) -> Result<AssignResponse, SyncError> {
        self.post("/teacher/assignments", request, rng).await
    }

    pub async fn class_summary(
        &self,
        class_id: &str,
        rng: &mut Rng,
    ) -> Result<ClassSummary, SyncError> {
        let path = format!("/teacher/classes/{}/summary", path_segment(class_id));
        self.get(&path, rng).await
    }

    /// Every attempt of a student with its lines.
    pub async fn student_work(
        &self,
        student_id: &str,
        rng: &mut Rng,
    ) -> Result<StudentWork, SyncError> {
        let path = format!("/teacher/students/{}/attempts", path_segment(student_id));
        self.get(&path, rng).await
    }

    /// Comments on one line (counted from 0) of an attempt, and returns the
    /// new comment's id.
    pub async fn comment(
        &self,
        request: &CommentRequest,
        rng: &mut Rng,
    ) -> Result<String, SyncError> {
        let saved: CommentSaved = self.post("/teacher/comments", request, rng).await?;
        Ok(saved.comment_id)
    }

    /// Opens the live stream of a student's lines; read it with [`LiveStream`].
    pub async fn open_live(&self, student_id: &str) -> Result<LiveStream, SyncError> {
        let path = format!("/teacher/students/{}/live", path_segment(student_id));
        let response = self.open_stream(&path).await?;
        Ok(LiveStream {
            response,
            decoder: LiveDecoder::default(),
        })
    }

    /// Redeems the link code a school gave a parent.
    pub async fn link_child(&self, code: &str, rng: &mut Rng) -> Result<LinkResponse, SyncError> {
        let request = LinkRequest {
            code: code.to_string(),
        };
        self.post("/parent/link", &request, rng).await
    }

    pub async fn children(&self, rng: &mut Rng) -> Result<Vec<LinkResponse>, SyncError> {
        let children: Children = self.get("/parent/children", rng).await?;
        Ok(children.children)
    }

    pub async fn parent_report(
        &self,
        student_id: &str,
        rng: &mut Rng,
    ) -> Result<ParentReport, SyncError> {
        let path = format!("/parent/children/{}/report", path_segment(student_id));
        self.get(&path, rng).await
    }
}

/// One event of the teacher's live stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LiveEvent {
    /// The stream is open; lines follow as the student types them.
    Open,
    /// The server dropped lines because the reader was slow; the student's
    /// working, fetched again, has them all.
    Lagged,
    Line(LiveLine),
}

/// Splits the bytes of a server-sent event stream into [`LiveEvent`]s.
/// Unknown event names and lines that do not parse are skipped with a warning.
#[derive(Debug, Default)]
pub struct LiveDecoder {
    buffer: String,
}

impl LiveDecoder {
    /// Adds received bytes and returns the events they complete.
    pub fn push(&mut self, bytes: &[u8]) -> Vec<LiveEvent> {
        self.buffer.push_str(&String::from_utf8_lossy(bytes));
        let mut events = Vec::new();
        // An event ends with a blank line.
        while let Some(end) = self.buffer.find("\n\n") {
            let block: String = self.buffer.drain(..end + 2).collect();
            let (name, data) = parse_event(&block);
            match name.as_deref() {
                Some("open") => events.push(LiveEvent::Open),
                Some("lagged") => events.push(LiveEvent::Lagged),
                Some("line") => match serde_json::from_str(&data) {
                    Ok(line) => events.push(LiveEvent::Line(line)),
                    Err(error) => tracing::warn!(%error, "skipped a live line that does not parse"),
                },
                _ => {}
            }
        }
        events
    }
}

/// Splits one server-sent event block into its name and data.
fn parse_event(block: &str) -> (Option<String>, String) {
    let mut name = None;
    let mut data = Vec::new();
    for line in block.lines() {
        if let Some(value) = line.strip_prefix("event:") {
            name = Some(value.trim().to_string());
        } else if let Some(value) = line.strip_prefix("data:") {
            data.push(value.strip_prefix(' ').unwrap_or(value));
        }
    }
    (name, data.join("\n"))
}

/// An open live stream.
pub struct LiveStream {
    response: reqwest::Response,
    decoder: LiveDecoder,
}

impl LiveStream {
    /// Waits for the next received bytes and returns the events they
    /// complete (possibly none). `Ok(None)` means the server closed the stream.
    pub async fn next_events(&mut self) -> Result<Option<Vec<LiveEvent>>, SyncError> {
        let chunk = self
            .response
            .chunk()
            .await
            .map_err(|source| SyncError::StreamCut {
                reason: source.to_string(),
            })?;
        Ok(chunk.map(|bytes| self.decoder.push(&bytes)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_block_name_and_data() {
        let (name, data) = parse_event("event: line\ndata: {\"a\":1}\n\n");
        assert_eq!(name.as_deref(), Some("line"));
        assert_eq!(data, "{\"a\":1}");
        let (name, data) = parse_event(": keep-alive\n\n");
        assert_eq!((name, data.as_str()), (None, ""));
    }

    #[test]
    fn live_decoder_splits_events_across_chunks() {
        let mut decoder = LiveDecoder::default();
        assert_eq!(
            decoder.push(b"event: open\ndata: {}\n\nevent: li"),
            vec![LiveEvent::Open]
        );
        let line = r#"{"student_id":"s","attempt_id":"a","index":0,"input":"x=1","verdict":"follows","diagnosis":null,"at_ms":5}"#;
        let events = decoder.push(format!("ne\ndata: {line}\n\nevent: lagged\n\n").as_bytes());
        assert_eq!(events.len(), 2);
        let LiveEvent::Line(parsed) = &events[0] else {
            panic!("expected a line, got {events:?}");
        };
        assert_eq!(parsed.input, "x=1");
        assert_eq!(events[1], LiveEvent::Lagged);
    }

    #[test]
    fn live_decoder_skips_bad_and_unknown_events() {
        let mut decoder = LiveDecoder::default();
        let events = decoder.push(b"event: line\ndata: not json\n\nevent: ping\n\n: comment\n\n");
        assert!(events.is_empty(), "{events:?}");
    }

    #[test]
    fn ids_stay_one_path_segment() {
        assert_eq!(path_segment("ab-C_9"), "ab-C_9");
        assert_eq!(path_segment("a/b c"), "a%2Fb%20c");
        assert_eq!(path_segment("../x"), "%2E%2E%2Fx");
    }
}
