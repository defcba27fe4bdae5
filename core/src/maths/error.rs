//! Errors of the maths engine and the bounds on its inputs.

use thiserror::Error;

/// Bounds on what the engine accepts, so that hostile input gets an error
/// instead of a hang or an out-of-memory kill.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Characters in one line.
    pub max_chars: usize,
    /// Nesting depth of brackets and operators.
    pub max_depth: usize,
    /// Digits in one number literal.
    pub max_digits: usize,
    /// Absolute value of an integer exponent that is expanded exactly.
    pub max_exponent: u32,
    /// Terms in one polynomial during normalisation.
    pub max_terms: usize,
    /// Work units in one check (roughly, polynomial term operations).
    pub step_budget: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_chars: 400,
            max_depth: 60,
            max_digits: 60,
            max_exponent: 400,
            max_terms: 4000,
            step_budget: 300_000,
        }
    }
}

/// A line that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("column {column}: {message}")]
pub struct ParseError {
    /// 1-based column, in characters, where reading failed.
    pub column: usize,
    /// A plain sentence for the student, such as "missing closing bracket".
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum MathsError {
    #[error(transparent)]
    Parse(#[from] ParseError),
    #[error("division by zero in {0}")]
    DivisionByZero(String),
    #[error("{what} is too large to work with exactly (limit {limit}); try smaller numbers")]
    TooLarge { what: String, limit: u64 },
    #[error("this line needs more work than the checker allows (budget {budget} steps); split it into smaller steps")]
    BudgetExceeded { budget: u64 },
    #[error("{0} is undefined for real numbers")]
    Undefined(String),
    #[error("cannot compare {0}")]
    Unsupported(String),
}
