//! Systems in several unknowns with functions the exact methods cannot see
//! into, such as `y = √x, x + y = 6`, compared through a listed answer.
//!
//! Fixing all but one unknown at sample values, as is done for a single
//! statement, is unsound for a system: both systems then usually have no
//! solution at all and look equal. Instead, a system that lists its
//! solutions (`x = 4, y = 2 or x = 9, y = -3`) is tested point by point in
//! floating point, and the other system, when it is in two letters and one
//! of its equations gives one letter in terms of the other, is solved by
//! substitution to see whether the list is complete.

use std::collections::BTreeMap;

use super::ast::{Expr, RelOp, Statement};
use super::equiv::{
    collect_vars, evaluation_units, expr_size, root_grid, sign_choices, BISECTIONS,
};
use super::numeric;
use super::poly::{Atom, Normaliser, Poly};
use super::sets::SetRelation;
use super::{Limits, MathsError};

/// One listed solution: a value for every unknown.
type Point = BTreeMap<String, f64>;

/// Compares two statements, at least one of them a system, whose unknowns
/// `letters` (two or more) are all the letters they contain.
///
/// Two lists of points are compared as sets. A list against a general
/// system is `Different` when some listed point does not satisfy the
/// system. Otherwise the system's solutions found by [`solutions`] decide
/// whether the list is complete (`Equal`) or misses some. When the system
/// cannot be solved that way, or neither statement is a list, the result
/// is `Unsupported`.
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
        (Some(listed), None) => {
            if !listed.iter().all(|p| holds_with(b, p)) {
                return Ok(SetRelation::Different);
            }
            let found = solutions(b, letters)?.ok_or_else(unsupported)?;
            Ok(
                match found
                    .iter()
                    .all(|q| listed.iter().any(|p| same_point(p, q)))
                {
                    true => SetRelation::Equal,
                    false => SetRelation::Subset,
                },
            )
        }
        (None, Some(listed)) => {
            if !listed.iter().all(|p| holds_with(a, p)) {
                return Ok(SetRelation::Different);
            }
            let found = solutions(a, letters)?.ok_or_else(unsupported)?;
            Ok(
                match found
                    .iter()
                    .all(|q| listed.iter().any(|p| same_point(p, q)))
                {
                    true => SetRelation::Equal,
                    false => SetRelation::Superset,
                },
            )
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

/// Finds the real solutions of a system of equations in two letters by
/// substitution, in floating point. One equation gives a letter `u` as a
/// function of the other letter `v`. It is either written as `u = …` or is
/// a polynomial equation of degree one in `u` with a number as the
/// coefficient, such as `x + y = 6`. The roots in `v` of another equation
/// after substituting are found by [`roots`] and kept when every equation
/// is true there. `None` for a system of another shape.
///
/// NOTE: a root where a side touches zero without changing sign, away
/// from the grid points, is missed. A missed solution can make a listed
/// answer look complete, never make a right listed point look wrong.
fn solutions(system: &Statement, letters: &[String]) -> Result<Option<Vec<Point>>, MathsError> {
    let [first, second] = letters else {
        return Ok(None);
    };
    let Statement::And(parts) = system else {
        return Ok(None);
    };
    let mut equations = Vec::new();
    for part in parts {
        let Statement::Relation { parts: sides, ops } = part else {
            return Ok(None);
        };
        if ops.as_slice() != [RelOp::Eq] {
            return Ok(None);
        }
        equations.push((&sides[0], &sides[1]));
    }
    for (u, v) in [(first, second), (second, first)] {
        for (index, (left, right)) in equations.iter().enumerate() {
            let Some(solved) = Solved::new(left, right, u, v) else {
                continue;
            };
            // A single equation is a curve, not a list of points.
            let Some((other_left, other_right)) = equations
                .iter()
                .enumerate()
                .find(|(other, _)| *other != index)
                .map(|(_, equation)| *equation)
            else {
                return Ok(None);
            };
            // Nodes evaluated for one value of `v`: the other equation's
            // sides, and the solved expression twice over (once a side).
            let nodes = expr_size(other_left)
                + expr_size(other_right)
                + 2 * expr_size(left)
                + 2 * expr_size(right);
            let point = |x: f64| -> Point {
                [(v.clone(), x), (u.clone(), solved.value_at(x))]
                    .into_iter()
                    .collect()
            };
            let gap = |x: f64| {
                let values = point(x);
                numeric::eval(other_left, &values) - numeric::eval(other_right, &values)
            };
            let mut found: Vec<Point> = Vec::new();
            for x in roots(gap, nodes)? {
                let candidate = point(x);
                if holds_with(system, &candidate)
                    && !found.iter().any(|p| same_point(p, &candidate))
                {
                    found.push(candidate);
                }
            }
            return Ok(Some(found));
        }
    }
    Ok(None)
}

/// A letter `u` given as a function of another letter `v` by one equation.
enum Solved<'a> {
    /// `u = expression`, with `u` absent from the expression.
    Written(&'a Expr),
    /// `u = −rest(v)/coefficient`, from a polynomial equation `c·u + r(v) = 0`.
    Linear {
        coefficient: f64,
        rest: Poly,
        v: Atom,
    },
}

impl<'a> Solved<'a> {
    fn new(left: &'a Expr, right: &'a Expr, u: &str, v: &str) -> Option<Solved<'a>> {
        let free_of_u = |expr: &Expr| {
            let mut inside = Vec::new();
            collect_vars(expr, &mut inside);
            !inside.iter().any(|name| name == u)
        };
        match (left, right) {
            (Expr::Var(name), value) | (value, Expr::Var(name))
                if name == u && free_of_u(value) =>
            {
                return Some(Solved::Written(value));
            }
            _ => {}
        }
        let mut normaliser = Normaliser::new(Limits::default());
        let difference = normaliser
            .frac(left)
            .and_then(|l| l.sub(&normaliser.frac(right)?, &mut normaliser.budget))
            .ok()?;
        if normaliser.has_opaque() {
            return None;
        }
        let denominator = difference.den.as_constant()?;
        let u_atom = Atom::Var(u.to_string());
        let v_atom = Atom::Var(v.to_string());
        if difference.num.degree_in(&u_atom) != 1 {
            return None;
        }
        let mut coefficient = None;
        let mut rest = Poly::zero();
        for (monomial, value) in &difference.num.terms {
            if monomial.as_slice() == [(u_atom.clone(), 1)] {
                coefficient = Some(value.to_f64() / denominator.to_f64());
            } else if monomial.iter().all(|(atom, _)| *atom == v_atom) {
                let mut term = Poly::zero();
                term.terms
                    .insert(monomial.clone(), value.div(&denominator)?);
                rest = rest.add(&term);
            } else {
                return None;
            }
        }
        Some(Solved::Linear {
            coefficient: coefficient.filter(|c| *c != 0.0 && c.is_finite())?,
            rest,
            v: v_atom,
        })
    }

    fn value_at(&self, x: f64) -> f64 {
        match self {
            Solved::Written(expr) => {
                let mut values = Point::new();
                let mut names = Vec::new();
                collect_vars(expr, &mut names);
                for name in names {
                    values.insert(name, x);
                }
                numeric::eval(expr, &values)
            }
            Solved::Linear {
                coefficient,
                rest,
                v,
            } => {
                let mut total = 0.0;
                for (monomial, value) in &rest.terms {
                    let mut term = value.to_f64();
                    for (atom, power) in monomial {
                        if atom == v {
                            term *= x.powi(i32::try_from(*power).unwrap_or(i32::MAX));
                        }
                    }
                    total += term;
                }
                -total / coefficient
            }
        }
    }
}

/// Roots of `g` found by sign changes on a grid from about −900 to 900,
/// dense near 0, refined by bisection, with the grid points where `g` is 0.
/// Each evaluation of `g` visits `nodes` expression nodes, charged to the
/// thread's shared work pool before the evaluations are made.
fn roots(mut g: impl FnMut(f64) -> f64, nodes: u64) -> Result<Vec<f64>, MathsError> {
    let grid = root_grid();
    super::work::charge(evaluation_units(nodes, grid.len() as u64))?;
    let on_grid: Vec<f64> = grid.iter().map(|&x| g(x)).collect();
    let mut found = Vec::new();
    for (i, window) in grid.windows(2).enumerate() {
        let (mut lo, mut hi) = (window[0], window[1]);
        let (glo, ghi) = (on_grid[i], on_grid[i + 1]);
        if glo == 0.0 {
            found.push(lo);
        }
        if !glo.is_finite() || !ghi.is_finite() || glo.signum() == ghi.signum() || ghi == 0.0 {
            continue;
        }
        super::work::charge(evaluation_units(nodes, BISECTIONS))?;
        for _ in 0..BISECTIONS {
            let mid = 0.5 * (lo + hi);
            if g(mid).signum() == glo.signum() {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        found.push(0.5 * (lo + hi));
    }
    Ok(found)
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
/// floating point: an equality is true within a relative tolerance of 1e-7.
/// `false` where a side is undefined.
pub(super) fn holds_with(statement: &Statement, values: &BTreeMap<String, f64>) -> bool {
    match statement {
        Statement::Relation { parts, ops } => ops.iter().enumerate().all(|(i, op)| {
            let lefts = sign_choices(&parts[i]);
            let rights = sign_choices(&parts[i + 1]);
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
    fn listed_solution_confirmed() {
        assert!(equivalent("y = sqrt(x), x + y = 6", "x = 4, y = 2").expect("compares"));
        assert!(equivalent("x + y = 6, y = sqrt(x)", "y = 2, x = 4").expect("compares"));
        let both = "x = 2, y = 2 or x = -2, y = 2";
        assert!(equivalent("y = abs(x), y = 2", both).expect("compares"));
        assert!(equivalent("2y - 4 = 0, y = abs(x)", both).expect("compares"));
    }

    #[test]
    fn listed_solution_missing_one() {
        assert!(!equivalent("y = abs(x), y = 2", "x = 2, y = 2").expect("compares"));
        assert!(!equivalent("x = -2, y = 2", "y = abs(x), y = 2").expect("compares"));
    }

    #[test]
    fn system_of_other_shape_unsupported() {
        assert!(equivalent("x*y = 4, y^2 = sqrt(x) - 1", "x = 4, y = 1").is_err());
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
