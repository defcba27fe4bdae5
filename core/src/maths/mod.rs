//! The expression engine: parsing what students type, exact numbers,
//! canonical forms, equivalence of expressions and of solution sets, and
//! formatting.
//!
//! Conventions (the ones a UK student expects):
//! - numbers are real unless a question says otherwise, so `x^3 = 8` has the
//!   one solution `x = 2`;
//! - `-2^2` is `-(2^2) = -4`: unary minus binds more loosely than powers;
//! - implicit multiplication binds like `×`, left to right, so `6/2(1+2)` is
//!   9 and `7/3x` is `(7/3)x`; both readings come with a note to the student;
//! - rounding is half away from zero (`2.5` to 0 d.p. is 3, `-2.5` is -3).

pub mod ast;
mod error;
pub mod format;
pub mod parse;

pub use ast::*;
pub use error::{Limits, MathsError, ParseError};
pub use parse::{parse, parse_with};
