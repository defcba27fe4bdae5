//! The sync protocol's types, shared by the device and the server.
//!
//! HTTP and JSON under `/v2/`. Student activity travels as append-only
//! [`Event`]s with ids made on the device, so the server stores an event
//! once however often it is pushed. On the wire a push batch is compact
//! ([`PushRequest`]): events are grouped by attempt, times are differences,
//! and an id made from the attempt id is left out. Version 1 sent each
//! [`Event`] whole and named every stored id in the answer. Everything else comes down by a
//! server cursor in [`PullResponse`]. A change to any type here is a change
//! to the protocol: the serialisation snapshots in the tests must be
//! updated on purpose.

use serde::{Deserialize, Serialize};

/// The path prefix of this protocol version.
pub const API_PREFIX: &str = "/v2";

/// One thing a student did, as recorded on the device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// Made on the device and the server's deduplication key. The device
    /// store gives an attempt's start, lines and end the attempt's UUID, a
    /// dot and [`default_suffix`], and other events a UUID v7.
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

/// `POST /v2/events`: a batch from the device's outbox in its compact wire
/// form. [`encode_batch`] makes it from [`Event`]s and [`decode_batch`]
/// turns it back into the same events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushRequest {
    /// The batch's events in their outbox order, split into runs of
    /// consecutive events that share an attempt.
    pub groups: Vec<EventGroup>,
}

/// A run of consecutive events of one attempt, or of events outside any attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventGroup {
    /// The attempt every event of the run belongs to; absent for video events.
    #[serde(rename = "a", default, skip_serializing_if = "Option::is_none")]
    pub attempt_id: Option<String>,
    #[serde(rename = "e")]
    pub events: Vec<WireEvent>,
}

/// One event without its attempt id, which its [`EventGroup`] carries.
///
/// The event id is, in order of preference: left out, when it is the
/// attempt id, a dot and the kind's [`default_suffix`]; `s`, the part after
/// `{attempt_id}.`; or `id`, the whole id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireEvent {
    #[serde(rename = "s", default, skip_serializing_if = "Option::is_none")]
    pub suffix: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Milliseconds after the previous event of the batch, or since the Unix
    /// epoch for the first one. Negative when the device's clock went back.
    #[serde(rename = "t")]
    pub delta_ms: i64,
    #[serde(flatten)]
    pub kind: WireKind,
}

/// [`EventKind`] without the attempt id, with short names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "k", rename_all = "snake_case")]
pub enum WireKind {
    Start {
        #[serde(rename = "q")]
        question_id: String,
        #[serde(rename = "x")]
        question_text: String,
        #[serde(rename = "as", default, skip_serializing_if = "Option::is_none")]
        assignment_id: Option<String>,
    },
    Line {
        #[serde(rename = "i")]
        index: u32,
        #[serde(rename = "in")]
        input: String,
        #[serde(rename = "v")]
        verdict: String,
        #[serde(rename = "d", default, skip_serializing_if = "Option::is_none")]
        diagnosis: Option<String>,
    },
    Hint {
        #[serde(rename = "l")]
        level: u8,
    },
    End {
        #[serde(rename = "o")]
        outcome: String,
        #[serde(rename = "ms")]
        time_spent_ms: i64,
    },
    Video {
        #[serde(rename = "vid")]
        video_id: String,
        #[serde(rename = "as", default, skip_serializing_if = "Option::is_none")]
        assignment_id: Option<String>,
    },
}

/// The part after `{attempt_id}.` of the id the device store gives an event
/// of this kind: `s` for the start, the line's index for a line and `f` for
/// the end. Hints have random ids and videos no attempt, so they have none.
pub fn default_suffix(kind: &WireKind) -> Option<String> {
    match kind {
        WireKind::Start { .. } => Some("s".to_string()),
        WireKind::Line { index, .. } => Some(index.to_string()),
        WireKind::End { .. } => Some("f".to_string()),
        WireKind::Hint { .. } | WireKind::Video { .. } => None,
    }
}

/// Splits an event's kind into its attempt id and its wire form.
fn split(event: &Event) -> (Option<String>, WireKind) {
    match event.kind.clone() {
        EventKind::AttemptStarted {
            attempt_id,
            question_id,
            question_text,
            assignment_id,
        } => (
            Some(attempt_id),
            WireKind::Start {
                question_id,
                question_text,
                assignment_id,
            },
        ),
        EventKind::LineTyped {
            attempt_id,
            index,
            input,
            verdict,
            diagnosis,
        } => (
            Some(attempt_id),
            WireKind::Line {
                index,
                input,
                verdict,
                diagnosis,
            },
        ),
        EventKind::HintShown { attempt_id, level } => (Some(attempt_id), WireKind::Hint { level }),
        EventKind::AttemptFinished {
            attempt_id,
            outcome,
            time_spent_ms,
        } => (
            Some(attempt_id),
            WireKind::End {
                outcome,
                time_spent_ms,
            },
        ),
        EventKind::VideoWatched {
            video_id,
            assignment_id,
        } => (
            None,
            WireKind::Video {
                video_id,
                assignment_id,
            },
        ),
    }
}

/// Encodes events, in order, as a push batch.
pub fn encode_batch(events: &[Event]) -> PushRequest {
    let mut groups: Vec<EventGroup> = Vec::new();
    let mut previous_ms = 0i64;
    for event in events {
        let (attempt_id, kind) = split(event);
        let (suffix, id) = match &attempt_id {
            Some(attempt) => match event
                .id
                .strip_prefix(attempt.as_str())
                .and_then(|rest| rest.strip_prefix('.'))
            {
                Some(rest) if default_suffix(&kind).as_deref() == Some(rest) => (None, None),
                Some(rest) => (Some(rest.to_string()), None),
                None => (None, Some(event.id.clone())),
            },
            None => (None, Some(event.id.clone())),
        };
        let wire = WireEvent {
            suffix,
            id,
            delta_ms: event.at_ms.wrapping_sub(previous_ms),
            kind,
        };
        previous_ms = event.at_ms;
        match groups.last_mut() {
            Some(group) if group.attempt_id == attempt_id => group.events.push(wire),
            _ => groups.push(EventGroup {
                attempt_id,
                events: vec![wire],
            }),
        }
    }
    PushRequest { groups }
}

/// A push batch that does not decode to events.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BatchError {
    #[error(
        "event {position} of the batch is an attempt's event but its group has no attempt id (`a`)"
    )]
    MissingAttempt { position: usize },
    #[error("event {position} of the batch is a video event inside the group of attempt `{attempt_id}`; send it in a group without `a`")]
    UnexpectedAttempt { position: usize, attempt_id: String },
    #[error("event {position} of the batch has no id: give `id`, or `s` with the attempt id")]
    MissingId { position: usize },
    #[error("event {position} of the batch has both `id` and `s`; give one")]
    TwoIds { position: usize },
}

/// Decodes a push batch into its events, in order.
pub fn decode_batch(request: PushRequest) -> Result<Vec<Event>, BatchError> {
    let mut events = Vec::new();
    let mut at_ms = 0i64;
    for group in request.groups {
        for wire in group.events {
            let position = events.len();
            at_ms = at_ms.wrapping_add(wire.delta_ms);
            let id = match (&wire.id, &wire.suffix, &group.attempt_id) {
                (Some(_), Some(_), _) => return Err(BatchError::TwoIds { position }),
                (Some(id), None, _) => id.clone(),
                (None, Some(suffix), Some(attempt)) => format!("{attempt}.{suffix}"),
                (None, None, Some(attempt)) => match default_suffix(&wire.kind) {
                    Some(suffix) => format!("{attempt}.{suffix}"),
                    None => return Err(BatchError::MissingId { position }),
                },
                (None, _, None) => return Err(BatchError::MissingId { position }),
            };
            let kind = join(group.attempt_id.clone(), wire.kind, position)?;
            events.push(Event { id, at_ms, kind });
        }
    }
    Ok(events)
}

/// Puts an event's attempt id back into its kind.
fn join(
    attempt_id: Option<String>,
    kind: WireKind,
    position: usize,
) -> Result<EventKind, BatchError> {
    let missing = BatchError::MissingAttempt { position };
    Ok(match (kind, attempt_id) {
        (
            WireKind::Video {
                video_id,
                assignment_id,
            },
            None,
        ) => EventKind::VideoWatched {
            video_id,
            assignment_id,
        },
        (WireKind::Video { .. }, Some(attempt_id)) => {
            return Err(BatchError::UnexpectedAttempt {
                position,
                attempt_id,
            })
        }
        (_, None) => return Err(missing),
        (
            WireKind::Start {
                question_id,
                question_text,
                assignment_id,
            },
            Some(attempt_id),
        ) => EventKind::AttemptStarted {
            attempt_id,
            question_id,
            question_text,
            assignment_id,
        },
        (
            WireKind::Line {
                index,
                input,
                verdict,
                diagnosis,
            },
            Some(attempt_id),
        ) => EventKind::LineTyped {
            attempt_id,
            index,
            input,
            verdict,
            diagnosis,
        },
        (WireKind::Hint { level }, Some(attempt_id)) => EventKind::HintShown { attempt_id, level },
        (
            WireKind::End {
                outcome,
                time_spent_ms,
            },
            Some(attempt_id),
        ) => EventKind::AttemptFinished {
            attempt_id,
            outcome,
            time_spent_ms,
        },
    })
}

/// The server's answer to a push. The server handles a batch in one
/// transaction, so every event of the batch is either stored (now or by an
/// earlier push) or listed in `rejected`: `stored + repeated +
/// rejected.len()` equals the batch's length, and only then may the device
/// delete the batch from its outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushResponse {
    /// Events of the batch that this push stored.
    pub stored: u32,
    /// Events of the batch that an earlier push had stored.
    pub repeated: u32,
    /// Events the server will never take (such as an unknown question id), with the reason.
    pub rejected: Vec<Rejected>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejected {
    pub id: String,
    pub reason: String,
}

/// `GET /v2/updates?cursor=N`: what changed for this user since `cursor`.
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

    fn sample_batch() -> Vec<Event> {
        let attempt = "0190f5a2-0000-7000-8000-00000000000a";
        let line = |index: u32, at_ms: i64| Event {
            id: format!("{attempt}.{index}"),
            at_ms,
            kind: EventKind::LineTyped {
                attempt_id: attempt.into(),
                index,
                input: format!("x = {index}"),
                verdict: "follows".into(),
                diagnosis: (index == 1).then(|| "sign_error".to_string()),
            },
        };
        vec![
            Event {
                id: format!("{attempt}.s"),
                at_ms: 1_700_000_000_000,
                kind: EventKind::AttemptStarted {
                    attempt_id: attempt.into(),
                    question_id: "alg.linear/1/7".into(),
                    question_text: "Solve 2x = 8".into(),
                    assignment_id: Some("as1".into()),
                },
            },
            line(0, 1_700_000_004_000),
            // The device clock went back a second.
            line(1, 1_700_000_003_000),
            Event {
                id: "0190f5a2-0000-7000-8000-0000000000h1".into(),
                at_ms: 1_700_000_005_000,
                kind: EventKind::HintShown {
                    attempt_id: attempt.into(),
                    level: 2,
                },
            },
            Event {
                id: "0190f5a2-0000-7000-8000-0000000000v1".into(),
                at_ms: 1_700_000_006_000,
                kind: EventKind::VideoWatched {
                    video_id: "v9".into(),
                    assignment_id: None,
                },
            },
            // Made before ids were derived: a random id, sent whole.
            Event {
                id: "0190f5a2-0000-7000-8000-0000000000f0".into(),
                at_ms: 1_700_000_007_000,
                kind: EventKind::AttemptFinished {
                    attempt_id: attempt.into(),
                    outcome: "correct".into(),
                    time_spent_ms: 7_000,
                },
            },
            // A second end of the same attempt, with a suffix of its own.
            Event {
                id: format!("{attempt}.f2"),
                at_ms: 1_700_000_008_000,
                kind: EventKind::AttemptFinished {
                    attempt_id: attempt.into(),
                    outcome: "abandoned".into(),
                    time_spent_ms: 8_000,
                },
            },
        ]
    }

    #[test]
    fn batch_round_trips() {
        let events = sample_batch();
        let request = encode_batch(&events);
        let json = serde_json::to_string(&request).expect("serialises");
        let parsed: PushRequest = serde_json::from_str(&json).expect("parses");
        assert_eq!(decode_batch(parsed).expect("decodes"), events);
    }

    #[test]
    fn batch_groups_and_ids_on_the_wire() {
        let request = encode_batch(&sample_batch());
        // The video splits the attempt's run into two groups.
        assert_eq!(request.groups.len(), 3);
        assert_eq!(request.groups[1].attempt_id, None);
        let first = &request.groups[0].events;
        assert_eq!(
            (first[0].suffix.as_ref(), first[0].id.as_ref()),
            (None, None)
        );
        assert_eq!(first[1].delta_ms, 4_000);
        assert_eq!(first[2].delta_ms, -1_000);
        assert!(first[3].id.is_some(), "a hint's random id is sent whole");
        let last = &request.groups[2].events;
        assert!(
            last[0].id.is_some(),
            "an id not made from the attempt is sent whole"
        );
        assert_eq!(last[1].suffix.as_deref(), Some("f2"));
        let json = serde_json::to_string(&request.groups[0].events[1]).expect("serialises");
        assert_eq!(
            json,
            r#"{"t":4000,"k":"line","i":0,"in":"x = 0","v":"follows"}"#
        );
    }

    #[test]
    fn batch_decode_rejects_malformed_groups() {
        let line = WireKind::Line {
            index: 0,
            input: "x = 1".into(),
            verdict: "follows".into(),
            diagnosis: None,
        };
        let wire = |suffix: Option<&str>, id: Option<&str>, kind: WireKind| WireEvent {
            suffix: suffix.map(str::to_string),
            id: id.map(str::to_string),
            delta_ms: 1,
            kind,
        };
        let batch = |attempt_id: Option<&str>, event: WireEvent| PushRequest {
            groups: vec![EventGroup {
                attempt_id: attempt_id.map(str::to_string),
                events: vec![event],
            }],
        };
        let cases = [
            (
                batch(None, wire(None, Some("e1"), line.clone())),
                BatchError::MissingAttempt { position: 0 },
            ),
            (
                batch(None, wire(None, None, line.clone())),
                BatchError::MissingId { position: 0 },
            ),
            (
                batch(Some("a"), wire(Some("1"), Some("e1"), line)),
                BatchError::TwoIds { position: 0 },
            ),
            (
                batch(Some("a"), wire(None, None, WireKind::Hint { level: 1 })),
                BatchError::MissingId { position: 0 },
            ),
            (
                batch(
                    Some("a"),
                    wire(
                        None,
                        Some("v1"),
                        WireKind::Video {
                            video_id: "v".into(),
                            assignment_id: None,
                        },
                    ),
                ),
                BatchError::UnexpectedAttempt {
                    position: 0,
                    attempt_id: "a".into(),
                },
            ),
        ];
        for (request, expected) in cases {
            assert_eq!(decode_batch(request), Err(expected));
        }
    }
}
