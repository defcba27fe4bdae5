//! Sync between the device and the server: the protocol types (shared with
//! `stepwise-server`) and, later, the client.

pub mod protocol;
