//! Real solution sets of conditions in one unknown, compared exactly.
//!
//! A condition is a boolean combination of relations `N/D op 0` where `N`
//! and `D` are polynomials in the unknown. Every relation keeps one truth
//! value between consecutive real roots of all the `N`s and `D`s, so two
//! conditions have the same solution set exactly when they agree at every
//! such root and at one point in every gap between roots. Roots are
//! isolated with Sturm sequences at rational points, so nothing is rounded.

use std::cmp::Ordering;

use num_bigint::BigInt;
use num_rational::BigRational;

use super::ast::RelOp;
use super::poly::{coefficient_cost, Budget};
use super::upoly::{midpoint, Root, UPoly};
use super::MathsError;

#[derive(Clone, Debug)]
pub enum Cond {
    Rel { num: UPoly, den: UPoly, op: RelOp },
    And(Vec<Cond>),
    Or(Vec<Cond>),
}

/// How a first solution set sits against a second.
///
/// With the line before as the first set and a new line as the second,
/// `Subset` means the new line gained solutions (as squaring both sides
/// can) and `Superset` means it lost some (as dividing by `x` can).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetRelation {
    Equal,
    /// The first set is a proper subset of the second.
    Subset,
    /// The first set is a proper superset of the second.
    Superset,
    Different,
}

impl SetRelation {
    pub fn combine(self, other: SetRelation) -> SetRelation {
        use SetRelation::*;
        match (self, other) {
            (Equal, x) | (x, Equal) => x,
            (Subset, Subset) => Subset,
            (Superset, Superset) => Superset,
            _ => Different,
        }
    }
}

/// A relation prepared for evaluation: its square-free parts are cached.
struct Prepared {
    num: UPoly,
    den: UPoly,
    num_squarefree: UPoly,
    den_squarefree: UPoly,
    op: RelOp,
}

enum Tree {
    Leaf(usize),
    And(Vec<Tree>),
    Or(Vec<Tree>),
}

fn prepare(
    cond: &Cond,
    leaves: &mut Vec<Prepared>,
    budget: &mut Budget,
) -> Result<Tree, MathsError> {
    Ok(match cond {
        Cond::Rel { num, den, op } => {
            leaves.push(Prepared {
                num: num.clone(),
                den: den.clone(),
                num_squarefree: num.squarefree(budget)?,
                den_squarefree: den.squarefree(budget)?,
                op: *op,
            });
            Tree::Leaf(leaves.len() - 1)
        }
        Cond::And(parts) => Tree::And(
            parts
                .iter()
                .map(|p| prepare(p, leaves, budget))
                .collect::<Result<_, _>>()?,
        ),
        Cond::Or(parts) => Tree::Or(
            parts
                .iter()
                .map(|p| prepare(p, leaves, budget))
                .collect::<Result<_, _>>()?,
        ),
    })
}

fn holds(op: RelOp, sign: Ordering) -> bool {
    match op {
        RelOp::Eq => sign == Ordering::Equal,
        RelOp::Ne => sign != Ordering::Equal,
        RelOp::Lt => sign == Ordering::Less,
        RelOp::Le => sign != Ordering::Greater,
        RelOp::Gt => sign == Ordering::Greater,
        RelOp::Ge => sign != Ordering::Less,
    }
}

/// A point where truth values are read: a rational, or a root known by its
/// isolating interval.
enum Point<'a> {
    Rational(BigRational),
    Root(&'a BigRational, &'a BigRational),
}

fn has_root_between(p: &UPoly, a: &BigRational, b: &BigRational) -> bool {
    // Square-free, and at most one root of it lies in (a, b), so a root
    // there shows as a sign change.
    p.degree() >= 1 && p.sign_at(a) != p.sign_at(b)
}

fn leaf_value(leaf: &Prepared, point: &Point) -> bool {
    match point {
        Point::Rational(x) => {
            let d = leaf.den.sign_at(x);
            if d == Ordering::Equal {
                return false;
            }
            let n = leaf.num.sign_at(x);
            holds(leaf.op, if d == Ordering::Less { n.reverse() } else { n })
        }
        Point::Root(a, b) => {
            if has_root_between(&leaf.den_squarefree, a, b) {
                return false;
            }
            if leaf.num.is_zero() || has_root_between(&leaf.num_squarefree, a, b) {
                return holds(leaf.op, Ordering::Equal);
            }
            // Neither changes sign on [a, root], so read the sign at a.
            let n = leaf.num.sign_at(a);
            let d = leaf.den.sign_at(a);
            holds(leaf.op, if d == Ordering::Less { n.reverse() } else { n })
        }
    }
}

/// Work units for reading every leaf at `point`: one sign evaluation of
/// each polynomial in a leaf at each end of the point's interval, which
/// is an upper bound because a leaf reads only some of them.
fn point_cost(leaves: &[Prepared], point: &Point) -> u64 {
    let ends: Vec<&BigRational> = match point {
        Point::Rational(x) => vec![x],
        Point::Root(a, b) => vec![*a, *b],
    };
    let mut units = 0u64;
    for leaf in leaves {
        for p in [
            &leaf.num,
            &leaf.den,
            &leaf.num_squarefree,
            &leaf.den_squarefree,
        ] {
            for x in &ends {
                units = units.saturating_add(p.sign_cost(x));
            }
        }
    }
    units
}

fn tree_value(tree: &Tree, leaves: &[Prepared], point: &Point) -> bool {
    match tree {
        Tree::Leaf(i) => leaf_value(&leaves[*i], point),
        Tree::And(parts) => parts.iter().all(|p| tree_value(p, leaves, point)),
        Tree::Or(parts) => parts.iter().any(|p| tree_value(p, leaves, point)),
    }
}

/// The solution set of a linear equation with a constant denominator.
#[derive(PartialEq)]
enum LinearSet {
    Everything,
    Nothing,
    Point(super::number::Real),
}

fn linear_set(cond: &Cond) -> Option<LinearSet> {
    let Cond::Rel {
        num,
        den,
        op: RelOp::Eq,
    } = cond
    else {
        return None;
    };
    if den.degree() != 0 || den.is_zero() || num.degree() > 1 {
        return None;
    }
    Some(match num.coefficients.as_slice() {
        [] => LinearSet::Everything,
        [_] => LinearSet::Nothing,
        [c0, c1] => LinearSet::Point(c0.neg().div(c1)?),
        _ => return None,
    })
}

/// Compares the real solution sets of two conditions in the same unknown.
pub fn compare(a: &Cond, b: &Cond, budget: &mut Budget) -> Result<SetRelation, MathsError> {
    // Fast path: two linear equations, the commonest step of all.
    if let (Some(x), Some(y)) = (linear_set(a), linear_set(b)) {
        return Ok(match (x, y) {
            (x, y) if x == y => SetRelation::Equal,
            (LinearSet::Nothing, _) | (_, LinearSet::Everything) => SetRelation::Subset,
            (_, LinearSet::Nothing) | (LinearSet::Everything, _) => SetRelation::Superset,
            _ => SetRelation::Different,
        });
    }
    let mut leaves = Vec::new();
    let tree_a = prepare(a, &mut leaves, budget)?;
    let tree_b = prepare(b, &mut leaves, budget)?;

    // Every critical point is a root of one of the square-free parts.
    let mut critical = UPoly::new(vec![super::number::Real::one()]);
    for leaf in &leaves {
        for part in [&leaf.num_squarefree, &leaf.den_squarefree] {
            if part.degree() >= 1 {
                critical = critical.mul(part, budget)?;
            }
        }
    }
    let critical = critical.squarefree(budget)?;
    let roots = critical.real_roots(budget)?;

    let mut in_a_only = false;
    let mut in_b_only = false;
    let mut visit = |point: Point, budget: &mut Budget| -> Result<(), MathsError> {
        budget.spend(point_cost(&leaves, &point))?;
        let va = tree_value(&tree_a, &leaves, &point);
        let vb = tree_value(&tree_b, &leaves, &point);
        in_a_only |= va && !vb;
        in_b_only |= vb && !va;
        Ok(())
    };

    let one = BigRational::from_integer(BigInt::from(1));
    match (roots.first(), roots.last()) {
        (Some(first), Some(last)) => {
            visit(Point::Rational(first.low() - &one), budget)?;
            visit(Point::Rational(last.high() + &one), budget)?;
        }
        _ => visit(
            Point::Rational(BigRational::from_integer(BigInt::from(0))),
            budget,
        )?,
    }
    for (i, root) in roots.iter().enumerate() {
        budget.spend(leaves.len() as u64)?;
        match root {
            Root::Exact(q) => visit(Point::Rational(q.clone()), budget)?,
            Root::Between(lo, hi) => visit(Point::Root(lo, hi), budget)?,
        }
        if let Some(next) = roots.get(i + 1) {
            visit(Point::Rational(midpoint(root.high(), next.low())), budget)?;
        }
    }

    Ok(match (in_a_only, in_b_only) {
        (false, false) => SetRelation::Equal,
        (false, true) => SetRelation::Subset,
        (true, false) => SetRelation::Superset,
        (true, true) => SetRelation::Different,
    })
}

/// The real solutions of a condition when there are finitely many, as
/// isolated roots; `None` when the set contains an interval.
pub fn finite_solutions(cond: &Cond, budget: &mut Budget) -> Result<Option<Vec<Root>>, MathsError> {
    let mut leaves = Vec::new();
    let tree = prepare(cond, &mut leaves, budget)?;
    let mut critical = UPoly::new(vec![super::number::Real::one()]);
    for leaf in &leaves {
        for part in [&leaf.num_squarefree, &leaf.den_squarefree] {
            if part.degree() >= 1 {
                critical = critical.mul(part, budget)?;
            }
        }
    }
    let critical = critical.squarefree(budget)?;
    let roots = critical.real_roots(budget)?;
    let one = BigRational::from_integer(BigInt::from(1));
    let mut gaps = vec![];
    match (roots.first(), roots.last()) {
        (Some(first), Some(last)) => {
            gaps.push(first.low() - &one);
            gaps.push(last.high() + &one);
        }
        _ => gaps.push(BigRational::from_integer(BigInt::from(0))),
    }
    for pair in roots.windows(2) {
        gaps.push(midpoint(pair[0].high(), pair[1].low()));
    }
    for gap in gaps {
        let point = Point::Rational(gap);
        budget.spend(point_cost(&leaves, &point))?;
        if tree_value(&tree, &leaves, &point) {
            return Ok(None);
        }
    }
    let mut solutions = Vec::new();
    for root in roots {
        let point = match &root {
            Root::Exact(q) => Point::Rational(q.clone()),
            Root::Between(lo, hi) => Point::Root(lo, hi),
        };
        budget.spend(point_cost(&leaves, &point))?;
        if tree_value(&tree, &leaves, &point) {
            solutions.push(refine(&critical, root, budget)?);
        }
    }
    Ok(Some(solutions))
}

/// Narrows an isolating interval by bisection until it is far narrower
/// than any rounding a question asks for.
fn refine(p: &UPoly, root: Root, budget: &mut Budget) -> Result<Root, MathsError> {
    let Root::Between(mut a, mut b) = root else {
        return Ok(root);
    };
    let sign_a = p.sign_at(&a);
    for _ in 0..160 {
        let middle = midpoint(&a, &b);
        // Evaluating at a point of B bits multiplies numbers of up to
        // degree × B bits, so one evaluation costs about as much as one
        // step on coefficients that long.
        let bits = middle.numer().bits().max(middle.denom().bits());
        budget.spend(coefficient_cost(bits * p.degree() as u64))?;
        let sign = p.sign_at(&middle);
        if sign == Ordering::Equal {
            return Ok(Root::Exact(middle));
        }
        if sign == sign_a {
            a = middle;
        } else {
            b = middle;
        }
    }
    // A rational root shows as the simplest rational in its interval.
    let simplest = simplest_between(&a, &b);
    if p.eval(&simplest).is_zero() {
        return Ok(Root::Exact(simplest));
    }
    Ok(Root::Between(a, b))
}

/// The rational with the smallest denominator in `[low, high]`, found from
/// continued fractions.
pub fn simplest_between(low: &BigRational, high: &BigRational) -> BigRational {
    let zero = BigRational::from_integer(BigInt::from(0));
    if *low <= zero && zero <= *high {
        return zero;
    }
    if *high < zero {
        return -simplest_between(&-high.clone(), &-low.clone());
    }
    let floor = low.floor();
    if floor == *low {
        return floor;
    }
    let next = &floor + BigRational::from_integer(BigInt::from(1));
    if next <= *high {
        return next;
    }
    if (high - &floor).numer().bits() > 4000 {
        return low.clone();
    }
    let inner = simplest_between(&(high - &floor).recip(), &(low - &floor).recip());
    floor + inner.recip()
}
