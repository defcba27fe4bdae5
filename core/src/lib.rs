//! Stepwise's core: the maths engine, the working checker and the question
//! generator. Nothing in here reads a clock, touches the network or draws
//! hidden randomness: callers pass in what a function needs.

pub mod check;
pub mod generate;
pub mod keyboard;
pub mod maths;
pub mod practice;
pub mod sync;
