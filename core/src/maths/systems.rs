//! Systems in two unknowns that are not linear, such as `x + y = 5, xy = 6`,
//! compared by their real solution sets.
//!
//! `or` is first distributed over `and`, so a system is a union of
//! branches, each a list of relations. A branch is solved for one unknown
//! `u` as a rational function `u = g(v)` of the other, using an equation of
//! degree one in `u`, as a student substitutes into a quadratic. The branch
//! is then the set of points `(v, g(v))` where a condition in `v` alone
//! holds. So whether one system's solutions lie in another's becomes a
//! question about conditions in one unknown, which [`sets::compare`]
//! decides exactly, even when the roots are irrational.

use super::ast::RelOp;
use super::equiv::Logic;
use super::number::Real;
use super::poly::{Atom, Budget, Frac, Poly};
use super::sets::{self, Cond, SetRelation};
use super::upoly::UPoly;
use super::MathsError;

/// The maximum number of branches a system may have after distributing
/// `or` over `and`.
const MAX_BRANCHES: usize = 64;

/// One branch solved for `u`: the points `(v, value(v))` where `cond(v)`
/// holds, or, with no value, the points `(v, u)` for every `u`, as for a
/// line of working such as `x(5 - x) = 6` that no longer mentions `y`.
struct Branch {
    value: Option<Frac>,
    cond: Cond,
}

/// Compares two systems in the unknowns `unknowns` (exactly two), which
/// have no other letters left.
pub(super) fn compare_systems(
    a: &Logic,
    b: &Logic,
    unknowns: &[Atom],
    budget: &mut Budget,
) -> Result<SetRelation, MathsError> {
    let [first, second] = unknowns else {
        return Err(unsolvable());
    };
    let (Some(branches_a), Some(branches_b)) = (branches(a), branches(b)) else {
        return Err(unsolvable());
    };
    // Both systems must be solved for the same unknown, so try each.
    for (u, v) in [(second, first), (first, second)] {
        let Some(solved_a) = solve_all(&branches_a, u, v, budget)? else {
            continue;
        };
        let Some(solved_b) = solve_all(&branches_b, u, v, budget)? else {
            continue;
        };
        let a_in_b = contained(&solved_a, &solved_b, v, budget)?;
        let b_in_a = contained(&solved_b, &solved_a, v, budget)?;
        return Ok(match (a_in_b, b_in_a) {
            (true, true) => SetRelation::Equal,
            (true, false) => SetRelation::Subset,
            (false, true) => SetRelation::Superset,
            (false, false) => SetRelation::Different,
        });
    }
    Err(unsolvable())
}

fn unsolvable() -> MathsError {
    MathsError::Unsupported(
        "a system with no equation of degree one in either unknown, so it cannot be solved exactly"
            .into(),
    )
}

/// Distributes `or` over `and` to list the branches of a system. `None` when
/// there would be more than [`MAX_BRANCHES`].
fn branches(logic: &Logic) -> Option<Vec<Vec<(Frac, RelOp)>>> {
    let result = match logic {
        Logic::Rel(frac, op) => vec![vec![(frac.clone(), *op)]],
        Logic::Or(parts) => {
            let mut all = Vec::new();
            for part in parts {
                all.extend(branches(part)?);
                if all.len() > MAX_BRANCHES {
                    return None;
                }
            }
            all
        }
        Logic::And(parts) => {
            let mut all: Vec<Vec<(Frac, RelOp)>> = vec![Vec::new()];
            for part in parts {
                let choices = branches(part)?;
                if all.len() * choices.len() > MAX_BRANCHES {
                    return None;
                }
                all = all
                    .iter()
                    .flat_map(|prefix| {
                        choices.iter().map(move |choice| {
                            let mut joined = prefix.clone();
                            joined.extend(choice.iter().cloned());
                            joined
                        })
                    })
                    .collect();
            }
            all
        }
    };
    Some(result)
}

fn solve_all(
    branches: &[Vec<(Frac, RelOp)>],
    u: &Atom,
    v: &Atom,
    budget: &mut Budget,
) -> Result<Option<Vec<Branch>>, MathsError> {
    let mut solved = Vec::new();
    for relations in branches {
        match solve_branch(relations, u, v, budget)? {
            Some(branch) => solved.push(branch),
            None => return Ok(None),
        }
    }
    Ok(Some(solved))
}

/// Splits `poly` as `c·u + r` with `c` and `r` free of `u`; `None` unless
/// its degree in `u` is one.
fn linear_in(poly: &Poly, u: &Atom) -> Option<(Poly, Poly)> {
    if poly.degree_in(u) != 1 {
        return None;
    }
    let mut coefficient = Poly::zero();
    let mut rest = Poly::zero();
    for (monomial, value) in &poly.terms {
        let without: Vec<(Atom, u32)> = monomial.iter().filter(|(a, _)| a != u).cloned().collect();
        let mut term = Poly::zero();
        term.terms.insert(without.clone(), value.clone());
        if without.len() == monomial.len() {
            rest = rest.add(&term);
        } else {
            coefficient = coefficient.add(&term);
        }
    }
    Some((coefficient, rest))
}

/// Solves one branch for `u`, or `None` when no equation in it gives `u`
/// as a single rational function of `v`.
fn solve_branch(
    relations: &[(Frac, RelOp)],
    u: &Atom,
    v: &Atom,
    budget: &mut Budget,
) -> Result<Option<Branch>, MathsError> {
    if relations
        .iter()
        .all(|(frac, _)| frac.num.degree_in(u) == 0 && frac.den.degree_in(u) == 0)
    {
        let parts = relations
            .iter()
            .map(|(frac, op)| condition(frac, &Frac::from_poly(Poly::one()), *op, v, budget))
            .collect::<Result<_, _>>()?;
        return Ok(Some(Branch {
            value: None,
            cond: Cond::And(parts),
        }));
    }
    for (index, (frac, op)) in relations.iter().enumerate() {
        if *op != RelOp::Eq {
            continue;
        }
        let Some((coefficient, rest)) = linear_in(&frac.num, u) else {
            continue;
        };
        let (Some(c), Some(r)) = (
            UPoly::from_poly(&coefficient, v),
            UPoly::from_poly(&rest, v),
        ) else {
            continue;
        };
        // Where c(v) and r(v) vanish together the equation holds for every
        // u, so the branch is not a single curve u = g(v).
        if c.gcd(&r, budget)?.degree() > 0 {
            continue;
        }
        let value = Frac::from_poly(rest.neg()).div(&Frac::from_poly(coefficient), budget)?;
        let mut parts = vec![Cond::Rel {
            num: c,
            den: constant_one(),
            op: RelOp::Ne,
        }];
        // The solving equation's own denominator must not vanish there.
        let den = substitute(&frac.den, u, &value, budget)?;
        parts.push(condition(
            &den,
            &Frac::from_poly(Poly::one()),
            RelOp::Ne,
            v,
            budget,
        )?);
        for (other, (frac, op)) in relations.iter().enumerate() {
            if other == index {
                continue;
            }
            let num = substitute(&frac.num, u, &value, budget)?;
            let den = substitute(&frac.den, u, &value, budget)?;
            parts.push(condition(&num, &den, *op, v, budget)?);
        }
        return Ok(Some(Branch {
            value: Some(value),
            cond: Cond::And(parts),
        }));
    }
    Ok(None)
}

fn constant_one() -> UPoly {
    UPoly::new(vec![Real::one()])
}

/// `(num / den) op 0` as a condition in `v`, false where either
/// denominator vanishes.
fn condition(
    num: &Frac,
    den: &Frac,
    op: RelOp,
    v: &Atom,
    budget: &mut Budget,
) -> Result<Cond, MathsError> {
    let top = num.num.mul(&den.den, budget)?;
    let bottom = num.den.mul(&den.num, budget)?;
    let (Some(top), Some(bottom)) = (UPoly::from_poly(&top, v), UPoly::from_poly(&bottom, v))
    else {
        return Err(MathsError::Unsupported(
            "a system with a letter other than its two unknowns".into(),
        ));
    };
    Ok(Cond::Rel {
        num: top,
        den: bottom,
        op,
    })
}

/// `poly` with `u` replaced by the rational function `value`.
fn substitute(
    poly: &Poly,
    u: &Atom,
    value: &Frac,
    budget: &mut Budget,
) -> Result<Frac, MathsError> {
    let mut result = Frac::from_poly(Poly::zero());
    for (monomial, coefficient) in &poly.terms {
        let mut power = 0;
        let mut rest = Poly::zero();
        let without: Vec<(Atom, u32)> = monomial
            .iter()
            .filter(|(atom, exponent)| {
                if atom == u {
                    power = *exponent;
                }
                atom != u
            })
            .cloned()
            .collect();
        rest.terms.insert(without, coefficient.clone());
        let term = Frac::from_poly(rest).mul(&value.pow(i64::from(power), budget)?, budget)?;
        result = result.add(&term, budget)?;
    }
    Ok(result)
}

/// Whether every branch of `inner` lies in the union of `outer`'s branches:
/// wherever a branch's condition holds, some branch of `outer` holds at the
/// same `v` and gives the same `u`. A branch free in `u` has infinitely many
/// points at each `v`, so only free branches of `outer` can hold it.
fn contained(
    inner: &[Branch],
    outer: &[Branch],
    v: &Atom,
    budget: &mut Budget,
) -> Result<bool, MathsError> {
    let one = Frac::from_poly(Poly::one());
    for branch in inner {
        let mut choices = Vec::new();
        for candidate in outer {
            match (&branch.value, &candidate.value) {
                (_, None) => choices.push(candidate.cond.clone()),
                (None, Some(_)) => {}
                (Some(value), Some(other)) => {
                    let gap = other.sub(value, budget)?;
                    let same = condition(&gap, &one, RelOp::Eq, v, budget)?;
                    choices.push(Cond::And(vec![candidate.cond.clone(), same]));
                }
            }
        }
        let relation = sets::compare(&branch.cond, &Cond::Or(choices), budget)?;
        if !matches!(relation, SetRelation::Equal | SetRelation::Subset) {
            return Ok(false);
        }
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use crate::maths::equivalent;

    #[track_caller]
    fn same(a: &str, b: &str) {
        assert!(
            equivalent(a, b).unwrap_or_else(|e| panic!("{a} | {b}: {e}")),
            "{a} | {b}"
        );
    }

    #[track_caller]
    fn differ(a: &str, b: &str) {
        assert!(
            !equivalent(a, b).unwrap_or_else(|e| panic!("{a} | {b}: {e}")),
            "{a} | {b}"
        );
    }

    #[test]
    fn substitution_into_quadratic() {
        same("x + y = 5, xy = 6", "x = 2, y = 3 or x = 3, y = 2");
        same("x + y = 5, xy = 6", "(x = 3, y = 2) or (x = 2, y = 3)");
        same("y = x^2, x + y = 2", "y = 2 - x, x^2 + x - 2 = 0");
        differ("x + y = 5, xy = 6", "x = 2, y = 3");
        differ("x + y = 5, xy = 6", "x = 2, y = 3 or x = 3, y = 3");
    }

    #[test]
    fn irrational_solutions_are_exact() {
        same(
            "x + y = 2, xy = -1",
            "x = 1 + sqrt(2), y = 1 - sqrt(2) or x = 1 - sqrt(2), y = 1 + sqrt(2)",
        );
        differ(
            "x + y = 2, xy = -1",
            "x = 1.4142, y = 0.5858 or x = -0.4142, y = 2.4142",
        );
    }

    #[test]
    fn circle_and_line() {
        same(
            "x^2 + y^2 = 25, y = x + 1",
            "x = 3, y = 4 or x = -4, y = -3",
        );
        // A line that misses the circle: no real solutions on either side.
        same("x^2 + y^2 = 1, y = x + 5", "x^2 + y^2 = 4, y = x + 9");
    }

    #[test]
    fn grouped_statements() {
        same("(x = 1 or x = 2), y = 3", "x = 1, y = 3 or x = 2, y = 3");
        differ("(x = 1 or x = 2), y = 3", "x = 1, y = 3");
    }
}
