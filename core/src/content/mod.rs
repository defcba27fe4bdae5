//! Content on the device: the cache of downloaded packs and media.

pub mod cache;
