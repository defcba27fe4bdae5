//! Systems in several unknowns with functions the exact methods cannot see
//! into, such as `y = √x, x + y = 6`, compared through a listed answer.
//!
//! Fixing all but one unknown at sample values, as is done for a single
//! statement, is unsound for a system: both systems then usually have no
//! solution at all and look equal. Instead, a system that lists its
//! solutions (`x = 4, y = 2 or x = 9, y = -3`) is tested point by point in
//! floating point.

use std::collections::BTreeMap;

use super::ast::{Expr, RelOp, Statement};
use super::equiv::{collect_vars, expand_plus_minus};
use super::numeric;
use super::sets::SetRelation;
use super::MathsError;

/// One listed solution: a value for every unknown.
type Point = BTreeMap<String, f64>;

/// Compares two statements, at least one of them a system, whose unknowns
/// `letters` (two or more) are all the letters they contain.
///
/// Two lists of points are compared as sets. A list against a general
/// system is `Different` when some listed point does not satisfy the
/// system. Whether a system has solutions beyond those listed cannot be
/// found this way, so that case and any other return `Unsupported`.
pub(super) fn compare_point_systems(
    a: &Statement,
    b: &Statement,
    letters: &[String],
) -> Result<SetRelation, MathsError> {
    let unsupported = || {
        MathsError::Unsupported(
            "a system of equations with functions such as square roots in two or more unknowns"
                .into(),
        )
    };
    match (points(a, letters), points(b, letters)) {
        (Some(pa), Some(pb)) => {
            let a_in_b = pa.iter().all(|p| pb.iter().any(|q| same_point(p, q)));
            let b_in_a = pb.iter().all(|q| pa.iter().any(|p| same_point(p, q)));
            Ok(match (a_in_b, b_in_a) {
                (true, true) => SetRelation::Equal,
                (true, false) => SetRelation::Subset,
                (false, true) => SetRelation::Superset,
                (false, false) => SetRelation::Different,
            })
        }
        // NOTE: a right answer to such a system is reported as unsupported,
        // not confirmed, until the system can be solved for its points.
        (Some(listed), None) => {
            if listed.iter().all(|p| holds_with(b, p)) {
                Err(unsupported())
            } else {
                Ok(SetRelation::Different)
            }
        }
        (None, Some(listed)) => {
            if listed.iter().all(|p| holds_with(a, p)) {
                Err(unsupported())
            } else {
                Ok(SetRelation::Different)
            }
        }
        (None, None) => Err(unsupported()),
    }
}

/// Lists the points of a statement that lists solutions, each branch of an `or`
/// giving every letter in `letters` a value with no letters in it, as in
/// `x = 4, y = 2`. `None` for any other statement.
fn points(statement: &Statement, letters: &[String]) -> Option<Vec<Point>> {
    let branches: Vec<&Statement> = match statement {
        Statement::Or(parts) => parts.iter().collect(),
        other => vec![other],
    };
    let mut all = Vec::new();
    for branch in branches {
        let relations: Vec<&Statement> = match branch {
            Statement::And(parts) => parts.iter().collect(),
            other => vec![other],
        };
        let mut point = Point::new();
        for relation in relations {
            let (letter, value) = assignment(relation)?;
            if point.insert(letter, value).is_some() {
                return None;
            }
        }
        if point.len() != letters.len() || !letters.iter().all(|l| point.contains_key(l)) {
            return None;
        }
        all.push(point);
    }
    Some(all)
}

/// Reads `x = 3` or `3 = x` as the letter and its value.
fn assignment(relation: &Statement) -> Option<(String, f64)> {
    let Statement::Relation { parts, ops } = relation else {
        return None;
    };
    if ops.as_slice() != [RelOp::Eq] {
        return None;
    }
    let (name, value) = match (&parts[0], &parts[1]) {
        (Expr::Var(name), value) | (value, Expr::Var(name)) => (name, value),
        _ => return None,
    };
    let mut inside = Vec::new();
    collect_vars(value, &mut inside);
    if !inside.is_empty() || matches!(value, Expr::PlusMinus { .. }) {
        return None;
    }
    let number = numeric::eval(value, &BTreeMap::new());
    number.is_finite().then(|| (name.clone(), number))
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-7 * a.abs().max(b.abs()).max(1.0)
}

fn same_point(p: &Point, q: &Point) -> bool {
    p.len() == q.len()
        && p.iter()
            .all(|(name, x)| q.get(name).is_some_and(|y| close(*x, *y)))
}

/// The truth of a statement at the values `values` of its letters, in
/// floating point: an equality holds within a relative tolerance of 1e-7.
/// `false` where a side is undefined.
pub(super) fn holds_with(statement: &Statement, values: &BTreeMap<String, f64>) -> bool {
    match statement {
        Statement::Relation { parts, ops } => ops.iter().enumerate().all(|(i, op)| {
            let lefts = expand_plus_minus(&parts[i]);
            let rights = expand_plus_minus(&parts[i + 1]);
            lefts.iter().any(|l| {
                rights.iter().any(|r| {
                    let a = numeric::eval(l, values);
                    let b = numeric::eval(r, values);
                    if !a.is_finite() || !b.is_finite() {
                        return false;
                    }
                    let equal = close(a, b);
                    match op {
                        RelOp::Eq => equal,
                        RelOp::Ne => !equal,
                        RelOp::Lt => a < b && !equal,
                        RelOp::Le => a < b || equal,
                        RelOp::Gt => a > b && !equal,
                        RelOp::Ge => a > b || equal,
                    }
                })
            })
        }),
        Statement::Or(parts) => parts.iter().any(|p| holds_with(p, values)),
        Statement::And(parts) => parts.iter().all(|p| holds_with(p, values)),
        Statement::Expr(_) | Statement::Continued { .. } => false,
    }
}

#[cfg(test)]
mod tests {
    use crate::maths::equivalent;

    #[test]
    fn listed_solution_of_root_system() {
        assert!(!equivalent("y = sqrt(x), x + y = 6", "x = 5, y = 3").expect("compares"));
        assert!(!equivalent("y = sin(x), y = 0", "x = 1, y = 7").expect("compares"));
        assert!(!equivalent("y = abs(x), y = 2", "x = 3, y = 2").expect("compares"));
    }

    #[test]
    fn listed_solution_not_confirmed() {
        assert!(equivalent("y = sqrt(x), x + y = 6", "x = 4, y = 2").is_err());
        assert!(equivalent("y = abs(x), y = 2", "x = 2, y = 2 or x = -2, y = 2").is_err());
    }

    #[test]
    fn two_lists_of_points() {
        let both = "x = 2, y = sin(1) or x = -2, y = 2";
        assert!(equivalent(both, "x = -2, y = 2 or x = 2, y = sin(1)").expect("compares"));
        assert!(!equivalent(both, "x = 2, y = sin(1)").expect("compares"));
        assert!(!equivalent("x = 2, y = sin(1)", "x = 2, y = sin(2)").expect("compares"));
    }

    #[test]
    fn two_general_systems_unsupported() {
        assert!(equivalent(
            "90 = v*t^t, 90 = (v + 5)(t - 1/4)",
            "90 = v*t, 90 = (v + 5)(t - 1/4)"
        )
        .is_err());
    }
}
