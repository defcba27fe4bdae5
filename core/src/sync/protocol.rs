//! The sync protocol's types, shared by the device and the server.
//!
//! HTTP and JSON under `/v1/`. Student activity travels as append-only
//! [`Event`]s with ids made on the device (UUID v7), so the server stores an
//! event once however often it is pushed. Everything else comes down by a
//! server cursor in [`PullResponse`]. A change to any type here is a change
//! to the protocol: the serialisation snapshots in the tests must be
//! updated on purpose.

use serde::{Deserialize, Serialize};

/// The path prefix of this protocol version.
pub const API_PREFIX: &str = "/v1";

/// One thing a student did, as recorded on the device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// UUID v7 made on the device; the server's deduplication key.
    pub id: String,
    /// Milliseconds since the Unix epoch, from the device's clock.
    pub at_ms: i64,
    #[serde(flatten)]
    pub kind: EventKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventKind {
    /// A question was started. `question_id` is `skill/version/seed`.
    AttemptStarted {
        attempt_id: String,
        question_id: String,
        /// The rendered question, so the teacher sees what the student saw.
        question_text: String,
        assignment_id: Option<String>,
    },
    /// One line of working with the checker's verdict.
    LineTyped {
        attempt_id: String,
        /// 0 for the first line after the question.
        index: u32,
        input: String,
        verdict: String,
        diagnosis: Option<String>,
    },
    /// A hint was shown.
    HintShown { attempt_id: String, level: u8 },
    /// The attempt ended: `correct`, `incorrect`, `wrong_form`, `unfinished` or `abandoned`.
    AttemptFinished {
        attempt_id: String,
        outcome: String,
        time_spent_ms: i64,
    },
    /// A lesson video was watched to the end.
    VideoWatched {
        video_id: String,
        assignment_id: Option<String>,
    },
}

/// `POST /v1/events`: a batch from the device's outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushRequest {
    pub events: Vec<Event>,
}

/// Which pushed events the server now holds. An event appears in
/// `accepted` whether it was new or a repeat; only then may the device
/// delete it from its outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushResponse {
    pub accepted: Vec<String>,
    /// Events the server will never take (such as an unknown question id), with the reason.
    pub rejected: Vec<Rejected>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejected {
    pub id: String,
    pub reason: String,
}

/// `GET /v1/updates?cursor=N`: what changed for this user since `cursor`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullResponse {
    pub cursor: i64,
    pub assignments: Vec<Assignment>,
    pub comments: Vec<Comment>,
    /// The newest content pack the server offers, if newer than the device's.
    pub content: Option<ContentUpdate>,
}

/// Work set by a teacher.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    pub id: String,
    pub title: String,
    pub skills: Vec<String>,
    /// Questions to answer per skill.
    pub questions: u32,
    pub videos: Vec<String>,
    /// Milliseconds since the Unix epoch.
    pub due_ms: Option<i64>,
    pub cancelled: bool,
}

/// A teacher's comment on one line of an attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comment {
    pub id: String,
    pub attempt_id: String,
    pub line_index: u32,
    pub author: String,
    pub text: String,
    pub at_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContentUpdate {
    pub version: String,
    pub url: String,
    pub sha256: String,
    pub size: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_serialises_flat_with_type_tag() {
        let event = Event {
            id: "0190f5a2-0000-7000-8000-000000000001".into(),
            at_ms: 1_700_000_000_000,
            kind: EventKind::LineTyped {
                attempt_id: "a1".into(),
                index: 0,
                input: "2x = 8".into(),
                verdict: "follows".into(),
                diagnosis: None,
            },
        };
        let json = serde_json::to_string(&event).expect("serialises");
        assert_eq!(
            json,
            r#"{"id":"0190f5a2-0000-7000-8000-000000000001","at_ms":1700000000000,"type":"line_typed","attempt_id":"a1","index":0,"input":"2x = 8","verdict":"follows","diagnosis":null}"#
        );
        let back: Event = serde_json::from_str(&json).expect("parses");
        assert_eq!(back, event);
    }
}
