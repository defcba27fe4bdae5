//! The device's sync client: pushes the outbox, pulls updates, and reaches
//! the teacher's and parent's views. reqwest with rustls on tokio.
//!
//! A push takes a batch from the [`Outbox`], sends it, and acknowledges the
//! batch to the outbox only when the server's response accounts for every
//! event in it. So an event leaves the device only once the server has
//! stored it or rejected it for good. A request that fails on the way (no
//! network, a cut connection, a 5xx, a 429) is retried after
//! [`RetryPolicy::delay`].

use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::backoff::RetryPolicy;
use super::outbox::Outbox;
use super::protocol::{encode_batch, Event, PullResponse, PushResponse, Rejected, API_PREFIX};
use super::views::{LoginRequest, LoginResponse};
use crate::generate::rng::Rng;

/// Events sent in one push: a whole day's work (about 400 events) goes in
/// one request. The server takes at most 500.
pub const PUSH_BATCH: usize = 500;

/// Request bodies at least this long are sent gzip-compressed. Smaller ones
/// would gain less than the gzip header costs.
pub const COMPRESS_FROM_BYTES: usize = 1024;

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("the server refused the token; log in again")]
    Unauthenticated,
    #[error("the server answered {status} to {path}: {message}")]
    Refused {
        path: String,
        status: u16,
        message: String,
    },
    /// `cause` is the innermost error of `source`, such as "Connection
    /// refused (os error 111)", because reqwest's own message names only
    /// the step that failed.
    #[error("failed to reach the server at {url} after {attempts} tries: {cause}. Your work is kept on this device and is sent at the next sync; check the network and the server address, then sync again")]
    Unreachable {
        url: String,
        attempts: u32,
        cause: String,
        source: reqwest::Error,
    },
    #[error("the server at {url} kept failing (HTTP {status}) after {attempts} tries. Your work is kept on this device and is sent at the next sync; try again later")]
    ServerFailing {
        url: String,
        status: u16,
        attempts: u32,
    },
    #[error("the live stream ended: {reason}; open it again")]
    StreamCut { reason: String },
    #[error("the outbox failed: {0}")]
    Outbox(Box<dyn std::error::Error + Send + Sync>),
    #[error("cannot build the HTTP client: {0}")]
    Client(reqwest::Error),
    #[error("the server responded to a push of {sent} events with {stored} stored, {repeated} repeated and {rejected} rejected (or named an event not sent); the events stay in the outbox, and a server of another protocol version would explain it")]
    BadAnswer {
        sent: usize,
        stored: u32,
        repeated: u32,
        rejected: usize,
    },
    #[error("failed to encode the request to {path}: {source}")]
    Encode {
        path: String,
        source: std::io::Error,
    },
}

/// What one full push did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PushReport {
    pub sent: usize,
    /// Events deleted from the outbox: stored, repeated or rejected.
    pub acknowledged: usize,
    /// Events the server stored for the first time.
    pub stored: usize,
    /// Events the server already stored from an earlier push whose
    /// response did not arrive.
    pub repeated: usize,
    pub rejected: Vec<Rejected>,
}

/// A client for one server and, once logged in, one account.
#[derive(Debug, Clone)]
pub struct SyncClient {
    http: reqwest::Client,
    base: String,
    token: Option<String>,
    policy: RetryPolicy,
}

impl SyncClient {
    /// `base` is the server's address, such as `http://127.0.0.1:8080`.
    pub fn new(
        base: &str,
        token: Option<String>,
        policy: RetryPolicy,
    ) -> Result<SyncClient, SyncError> {
        let http = reqwest::Client::builder()
            .gzip(true)
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(SyncError::Client)?;
        Ok(SyncClient {
            http,
            base: base.trim_end_matches('/').to_string(),
            token,
            policy,
        })
    }

    /// The server's address, without a trailing slash.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// A client for another account on the same server that shares this
    /// client's connections, as profiles on one device do.
    pub fn with_token(&self, token: Option<String>) -> SyncClient {
        SyncClient {
            token,
            ..self.clone()
        }
    }

    pub async fn login(
        &self,
        username: &str,
        password: &str,
        rng: &mut Rng,
    ) -> Result<LoginResponse, SyncError> {
        let request = LoginRequest {
            username: username.to_string(),
            password: password.to_string(),
        };
        self.send(reqwest::Method::POST, "/login", Some(&request), rng)
            .await
    }

    pub async fn logout(&self, rng: &mut Rng) -> Result<(), SyncError> {
        let _: serde_json::Value = self
            .send(
                reqwest::Method::POST,
                "/logout",
                Some(&serde_json::json!({})),
                rng,
            )
            .await?;
        Ok(())
    }

    /// Pushes every pending event, batch by batch, acknowledging each batch
    /// to the outbox once the server's response accounts for all of its events.
    pub async fn push_outbox<O: Outbox>(
        &self,
        outbox: &O,
        rng: &mut Rng,
    ) -> Result<PushReport, SyncError> {
        let mut report = PushReport::default();
        loop {
            let batch = outbox
                .pending(PUSH_BATCH)
                .map_err(|e| SyncError::Outbox(Box::new(e)))?;
            if batch.is_empty() {
                return Ok(report);
            }
            let events: Vec<Event> = batch.iter().map(|(_, event)| event.clone()).collect();
            let request = encode_batch(&events);
            let response: PushResponse = self
                .send(reqwest::Method::POST, "/events", Some(&request), rng)
                .await?;
            check_answer(&events, &response)?;
            // The response accounts for every event of the batch: each is
            // stored or rejected for good, so none is needed any more.
            let seqs: Vec<i64> = batch.iter().map(|(seq, _)| *seq).collect();
            outbox
                .acknowledge(&seqs)
                .map_err(|e| SyncError::Outbox(Box::new(e)))?;
            report.sent += batch.len();
            report.acknowledged += batch.len();
            report.stored += response.stored as usize;
            report.repeated += response.repeated as usize;
            report.rejected.extend(response.rejected);
            tracing::debug!(
                sent = batch.len(),
                stored = response.stored,
                repeated = response.repeated,
                "pushed a batch"
            );
        }
    }

    /// Everything new since `cursor`, page by page; store the returned cursor.
    pub async fn pull(&self, cursor: i64, rng: &mut Rng) -> Result<PullResponse, SyncError> {
        let mut all = PullResponse {
            cursor,
            assignments: Vec::new(),
            comments: Vec::new(),
            content: None,
        };
        loop {
            let page: PullResponse = self
                .send::<(), _>(
                    reqwest::Method::GET,
                    &format!("/updates?cursor={}", all.cursor),
                    None,
                    rng,
                )
                .await?;
            let done = page.cursor == all.cursor;
            all.cursor = page.cursor;
            for assignment in page.assignments {
                all.assignments.retain(|a| a.id != assignment.id);
                all.assignments.push(assignment);
            }
            all.comments.extend(page.comments);
            all.content = page.content.or(all.content);
            if done {
                return Ok(all);
            }
        }
    }

    /// A GET under the API prefix, for the teacher's and parent's views.
    pub async fn get<R: DeserializeOwned>(
        &self,
        path: &str,
        rng: &mut Rng,
    ) -> Result<R, SyncError> {
        self.send::<(), R>(reqwest::Method::GET, path, None, rng)
            .await
    }

    /// A POST under the API prefix.
    pub async fn post<B: Serialize, R: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
        rng: &mut Rng,
    ) -> Result<R, SyncError> {
        self.send(reqwest::Method::POST, path, Some(body), rng)
            .await
    }

    /// The streaming response of a GET (the teacher's live view), without retries.
    pub async fn open_stream(&self, path: &str) -> Result<reqwest::Response, SyncError> {
        let url = format!("{}{}{}", self.base, API_PREFIX, path);
        let mut request = self.http.get(&url).timeout(Duration::from_secs(24 * 3600));
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        let response = request
            .send()
            .await
            .map_err(|source| SyncError::Unreachable {
                url: url.clone(),
                attempts: 1,
                cause: root_cause(&source),
                source,
            })?;
        check_status(path, response).await
    }

    async fn send<B: Serialize, R: DeserializeOwned>(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&B>,
        rng: &mut Rng,
    ) -> Result<R, SyncError> {
        let url = format!("{}{}{}", self.base, API_PREFIX, path);
        let encoded = body
            .map(encode_body)
            .transpose()
            .map_err(|source| SyncError::Encode {
                path: path.to_string(),
                source,
            })?;
        let mut retry = 0;
        loop {
            let mut request = self.http.request(method.clone(), &url);
            if let Some(token) = &self.token {
                request = request.bearer_auth(token);
            }
            if let Some((bytes, gzipped)) = &encoded {
                request = request
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(bytes.clone());
                if *gzipped {
                    request = request.header(reqwest::header::CONTENT_ENCODING, "gzip");
                }
            }
            let last_try = retry + 1 >= self.policy.attempts;
            match request.send().await {
                Ok(response)
                    if response.status().is_server_error() || response.status().as_u16() == 429 =>
                {
                    let status = response.status().as_u16();
                    if last_try {
                        return Err(SyncError::ServerFailing {
                            url,
                            status,
                            attempts: retry + 1,
                        });
                    }
                    tracing::debug!(status, retry, "server busy or failing; retrying");
                }
                Ok(response) => {
                    let response = check_status(path, response).await?;
                    match response.json::<R>().await {
                        Ok(value) => return Ok(value),
                        // The body was cut on the way: the request may have
                        // been applied, and repeating it is safe.
                        Err(source) if last_try => {
                            return Err(SyncError::Unreachable {
                                url,
                                attempts: retry + 1,
                                cause: root_cause(&source),
                                source,
                            })
                        }
                        Err(error) => {
                            tracing::debug!(error = %root_cause(&error), retry, "response cut; retrying")
                        }
                    }
                }
                Err(source) if last_try => {
                    return Err(SyncError::Unreachable {
                        url,
                        attempts: retry + 1,
                        cause: root_cause(&source),
                        source,
                    })
                }
                Err(error) => {
                    tracing::debug!(error = %root_cause(&error), retry, "request failed; retrying")
                }
            }
            tokio::time::sleep(self.policy.delay(retry, rng)).await;
            retry += 1;
        }
    }
}

/// Returns the message of the innermost error under `error`: for a server
/// that is down, "Connection refused (os error 111)" rather than reqwest's
/// "error sending request for url".
fn root_cause(error: &reqwest::Error) -> String {
    let mut cause: &dyn std::error::Error = error;
    while let Some(inner) = cause.source() {
        cause = inner;
    }
    cause.to_string()
}

/// Checks that a push response accounts for every event of the batch, so
/// the batch may leave the outbox.
fn check_answer(events: &[Event], response: &PushResponse) -> Result<(), SyncError> {
    let answered =
        u64::from(response.stored) + u64::from(response.repeated) + response.rejected.len() as u64;
    let unknown = response
        .rejected
        .iter()
        .find(|r| !events.iter().any(|e| e.id == r.id));
    if answered != events.len() as u64 || unknown.is_some() {
        return Err(SyncError::BadAnswer {
            sent: events.len(),
            stored: response.stored,
            repeated: response.repeated,
            rejected: response.rejected.len(),
        });
    }
    Ok(())
}

/// Serialises a request body, gzip-compressed when it is long enough to
/// gain from it. Returns the bytes and whether they are compressed.
fn encode_body<B: Serialize>(body: &B) -> std::io::Result<(Vec<u8>, bool)> {
    use std::io::Write;

    let json = serde_json::to_vec(body).map_err(std::io::Error::other)?;
    if json.len() < COMPRESS_FROM_BYTES {
        return Ok((json, false));
    }
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(&json)?;
    Ok((encoder.finish()?, true))
}

async fn check_status(
    path: &str,
    response: reqwest::Response,
) -> Result<reqwest::Response, SyncError> {
    let status = response.status();
    if status.as_u16() == 401 {
        return Err(SyncError::Unauthenticated);
    }
    if status.is_success() {
        return Ok(response);
    }
    let message = response
        .json::<serde_json::Value>()
        .await
        .ok()
        .and_then(|v| v["error"].as_str().map(str::to_string))
        .unwrap_or_else(|| status.to_string());
    Err(SyncError::Refused {
        path: path.to_string(),
        status: status.as_u16(),
        message,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::outbox::memory::MemoryOutbox;
    use crate::sync::protocol::EventKind;

    fn event(n: i64) -> (i64, Event) {
        let event = Event {
            id: format!("e{n}"),
            at_ms: n,
            kind: EventKind::HintShown {
                attempt_id: "a".into(),
                level: 1,
            },
        };
        (n, event)
    }

    #[tokio::test]
    async fn an_unreachable_server_leaves_the_outbox_whole() {
        // A port that was just free: nothing listens there.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        drop(listener);
        let policy = RetryPolicy {
            attempts: 3,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(5),
        };
        let client =
            SyncClient::new(&format!("http://{addr}"), Some("t".into()), policy).expect("client");
        let outbox = MemoryOutbox::default();
        outbox
            .events
            .lock()
            .expect("lock")
            .extend((1..=3).map(event));
        let error = client
            .push_outbox(&outbox, &mut Rng::from_seed(1))
            .await
            .expect_err("nothing listens");
        assert!(
            matches!(error, SyncError::Unreachable { attempts: 3, .. }),
            "{error}"
        );
        let message = error.to_string();
        assert!(message.contains("failed to reach the server"), "{message}");
        assert!(
            message.to_lowercase().contains("connection refused"),
            "the cause is shown: {message}"
        );
        assert!(!message.contains("error sending request"), "{message}");
        assert!(message.contains("kept on this device"), "{message}");
        assert_eq!(outbox.pending(10).expect("pending").len(), 3);
    }

    #[test]
    fn response_must_cover_whole_batch() {
        let events: Vec<Event> = (1..=3).map(|n| event(n).1).collect();
        let answer = |stored, repeated, rejected: &[&str]| PushResponse {
            stored,
            repeated,
            rejected: rejected
                .iter()
                .map(|id| Rejected {
                    id: id.to_string(),
                    reason: "test".into(),
                })
                .collect(),
        };
        assert!(check_answer(&events, &answer(2, 0, &["e3"])).is_ok());
        assert!(check_answer(&events, &answer(0, 3, &[])).is_ok());
        assert!(check_answer(&events, &answer(2, 0, &[])).is_err());
        assert!(check_answer(&events, &answer(4, 0, &[])).is_err());
        assert!(check_answer(&events, &answer(2, 0, &["e9"])).is_err());
    }
}
