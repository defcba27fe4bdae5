//! Question templates to questions.

pub mod eval;
pub mod render;
pub mod rng;
