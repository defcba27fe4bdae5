//! What the sync client needs from the device's store: the outbox of events
//! not yet acknowledged by the server.
//!
//! The store keeps the outbox on disk, so a client killed mid-sync resumes
//! from it: whatever the server did not acknowledge is still pending and is
//! pushed again (the server stores an event once however often it comes).

use super::protocol::Event;

/// The device's outbox, in the order the events were recorded.
pub trait Outbox {
    type Error: std::error::Error + Send + Sync + 'static;

    /// Up to `limit` of the oldest unacknowledged events, with their sequence numbers.
    fn pending(&self, limit: usize) -> Result<Vec<(i64, Event)>, Self::Error>;

    /// Removes the events the server acknowledged (stored or refused for good).
    fn acknowledge(&self, seqs: &[i64]) -> Result<(), Self::Error>;
}

#[cfg(test)]
pub(crate) mod memory {
    //! An in-memory outbox for the client's unit tests only.

    use std::sync::Mutex;

    use super::{Event, Outbox};

    #[derive(Debug, Default)]
    pub struct MemoryOutbox {
        pub events: Mutex<Vec<(i64, Event)>>,
    }

    #[derive(Debug, thiserror::Error)]
    #[error("the in-memory outbox lock is poisoned")]
    pub struct Poisoned;

    impl Outbox for MemoryOutbox {
        type Error = Poisoned;

        fn pending(&self, limit: usize) -> Result<Vec<(i64, Event)>, Poisoned> {
            let events = self.events.lock().map_err(|_| Poisoned)?;
            Ok(events.iter().take(limit).cloned().collect())
        }

        fn acknowledge(&self, seqs: &[i64]) -> Result<(), Poisoned> {
            let mut events = self.events.lock().map_err(|_| Poisoned)?;
            events.retain(|(seq, _)| !seqs.contains(seq));
            Ok(())
        }
    }
}
