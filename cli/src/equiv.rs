//! `stepwise equiv`: whether two expressions, equations or inequalities are
//! equivalent.

use std::io::{self, Write};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::batch::{self, BatchError, BatchInput};
use crate::Outcome;

/// A failure to compare two inputs.
#[derive(Debug, Error)]
pub enum EquivError {
    #[error("missing expressions; pass two, such as `stepwise equiv \"2(x+1)\" \"2x+2\"`")]
    MissingExpressions,
    #[error("cannot compare: {0}")]
    Maths(#[from] stepwise_core::maths::MathsError),
    #[error("failed to write the result: {0}; check that standard output is still open")]
    Output(#[from] io::Error),
}

/// Compares `a` with `b`.
pub fn equivalent(a: &str, b: &str) -> Result<bool, EquivError> {
    tracing::trace!(a, b, "comparing");
    Ok(stepwise_core::maths::equivalent(a, b)?)
}

/// One JSON result: `error` is null when the comparison ran, and when it is
/// not, `equivalent` is false and carries no meaning.
#[derive(Debug, Serialize)]
struct EquivResult {
    equivalent: bool,
    error: Option<String>,
}

impl EquivResult {
    fn from_result(result: &Result<bool, EquivError>) -> EquivResult {
        match result {
            Ok(equivalent) => EquivResult {
                equivalent: *equivalent,
                error: None,
            },
            Err(error) => EquivResult {
                equivalent: false,
                error: Some(error.to_string()),
            },
        }
    }
}

/// Compares one pair and prints the result. A failed comparison is printed
/// (as JSON or on standard error) and returned as the error.
pub fn run_pair(a: &str, b: &str, json: bool, out: &mut dyn Write) -> Result<Outcome, EquivError> {
    let result = equivalent(a, b);
    if json {
        let line =
            serde_json::to_string(&EquivResult::from_result(&result)).map_err(io::Error::other)?;
        writeln!(out, "{line}")?;
    }
    let equivalent = result?;
    if !json {
        let verdict = if equivalent {
            "equivalent"
        } else {
            "not equivalent"
        };
        writeln!(out, "{verdict}")?;
    }
    Ok(if equivalent {
        Outcome::Success
    } else {
        Outcome::Negative
    })
}

/// One line of `equiv --batch` input.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Pair {
    a: String,
    b: String,
}

/// Compares every pair of `input`, writing one result a line. A line that
/// is not a valid pair gets `{"error": ...}` alone. Returns the number of
/// invalid lines.
pub fn run_batch(input: BatchInput, out: &mut dyn Write) -> Result<usize, BatchError> {
    batch::run(input, out, |line| {
        let pair: Pair = serde_json::from_str(line).map_err(|error| {
            format!("invalid pair: {error}; expected an object such as {{\"a\": \"2(x+1)\", \"b\": \"2x+2\"}}")
        })?;
        Ok(EquivResult::from_result(&equivalent(&pair.a, &pair.b)))
    })
}
