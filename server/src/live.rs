//! Teachers' live view: lines reach every server copy as they are stored.
//!
//! On SQLite there is one server, so a tokio broadcast channel is enough. On
//! PostgreSQL the push transaction runs `pg_notify`, delivered when it
//! commits, and every copy of the server LISTENs and feeds its own channel:
//! a teacher connected to one copy sees lines pushed through another.

use sqlx::postgres::PgListener;
use tokio::sync::broadcast;

/// The PostgreSQL notification channel for new lines.
pub const CHANNEL: &str = "stepwise_lines";

pub use stepwise_core::sync::views::LiveLine;

#[derive(Debug)]
pub struct Live {
    sender: broadcast::Sender<LiveLine>,
}

impl Default for Live {
    fn default() -> Self {
        Live::new()
    }
}

impl Live {
    pub fn new() -> Live {
        let (sender, _) = broadcast::channel(4096);
        Live { sender }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<LiveLine> {
        self.sender.subscribe()
    }

    /// Hands a line to this copy's viewers.
    pub fn publish(&self, line: LiveLine) {
        // No receiver means no one is watching: nothing to do.
        let _ = self.sender.send(line);
    }

    /// Listens on PostgreSQL and republishes every notified line here, until
    /// the process ends. The listener reconnects by itself after a drop.
    pub async fn listen_postgres(self: std::sync::Arc<Self>, url: String) {
        loop {
            match PgListener::connect(&url).await {
                Ok(mut listener) => {
                    if let Err(error) = listener.listen(CHANNEL).await {
                        tracing::warn!(%error, "cannot LISTEN for live lines; retrying");
                    } else {
                        tracing::info!("listening for live lines");
                        loop {
                            match listener.recv().await {
                                Ok(note) => {
                                    match serde_json::from_str::<LiveLine>(note.payload()) {
                                        Ok(line) => self.publish(line),
                                        Err(error) => {
                                            tracing::warn!(%error, "bad live line notification")
                                        }
                                    }
                                }
                                Err(error) => {
                                    tracing::warn!(%error, "live line listener failed; reconnecting");
                                    break;
                                }
                            }
                        }
                    }
                }
                Err(error) => {
                    tracing::warn!(%error, "cannot connect the live line listener; retrying")
                }
            }
            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
        }
    }
}
