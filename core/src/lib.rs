//! Stepwise's core: the maths engine, the working checker, the question
//! generator, the device's store and the sync protocol.
//!
//! `maths`, `check` and `generate` read no clock, touch no file or network
//! and draw no hidden randomness: callers pass in what a function needs.
//! `store` does I/O (SQLite) and makes UUID v7 ids from the system clock.

pub mod check;
pub mod content;
pub mod generate;
pub mod keyboard;
pub mod maths;
pub mod practice;
pub mod store;
pub mod sync;
