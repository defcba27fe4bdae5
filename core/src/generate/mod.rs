//! Question templates to questions.

pub mod rng;
