//! Sync between the device and the server: the protocol types (shared with
//! `stepwise-server`), the messages of the account, teacher and parent
//! views, the [`outbox::Outbox`] the store implements, and (with the `net`
//! feature) the client.

pub mod backoff;
#[cfg(feature = "net")]
pub mod client;
pub mod outbox;
pub mod protocol;
#[cfg(feature = "net")]
pub mod remote;
pub mod views;
