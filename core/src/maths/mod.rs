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
pub mod equiv;
mod error;
pub mod format;
pub mod modular;
pub mod number;
pub mod numeric;
pub mod parse;
mod point_systems;
pub mod poly;
pub mod pretty;
pub mod sets;
mod systems;
pub mod upoly;
pub mod work;

pub use ast::*;
pub use equiv::{compare_expressions, compare_statements, ExprComparison};
pub use error::{Limits, MathsError, ParseError};
pub use parse::{parse, parse_with};
pub use sets::SetRelation;

/// Whether two typed lines say the same thing: two expressions with the
/// same value everywhere, or two equations, inequalities or systems with the
/// same real solutions in all their letters.
///
/// ```
/// use stepwise_core::maths::equivalent;
/// assert!(equivalent("2(x + 3)", "2x + 6").unwrap());
/// assert!(equivalent("x^3 = 8", "x = 2").unwrap());
/// assert!(!equivalent("(a + b)^2", "a^2 + b^2").unwrap());
/// ```
pub fn equivalent(a: &str, b: &str) -> Result<bool, MathsError> {
    let limits = Limits::default();
    let first = parse_with(a, &limits)?.statement;
    let second = parse_with(b, &limits)?.statement;
    match (&first, &second) {
        (Statement::Expr(x), Statement::Expr(y)) => Ok(compare_expressions(x, y, &limits)?.equal),
        (Statement::Expr(_), _) | (_, Statement::Expr(_)) => Ok(false),
        _ => {
            let first = equiv::listing_as_or(&first).unwrap_or(first);
            let second = equiv::listing_as_or(&second).unwrap_or(second);
            Ok(compare_statements(&first, &second, &[], &limits)? == SetRelation::Equal)
        }
    }
}
