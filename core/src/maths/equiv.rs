//! Equivalence of expressions, and of equations, inequalities and systems
//! by their solution sets.
//!
//! Exact methods come first: rational-function normal forms for
//! expressions, real solution sets (see [`super::sets`]) for one unknown,
//! elimination for linear systems. Letters other than the unknowns are
//! replaced by fixed awkward rationals, several times over, which is exact
//! evaluation at random points rather than rounding. Floating point is used
//! only for expressions with functions the algebra cannot see into, and the
//! result then says so.

use std::borrow::Cow;
use std::collections::BTreeMap;

use num_bigint::BigInt;
use num_rational::BigRational;

use super::ast::{BinOp, Expr, RelOp, Statement};
use super::number::Real;
use super::poly::{Atom, Budget, Frac, Normaliser};
use super::sets::{compare, Cond, SetRelation};
use super::upoly::UPoly;
use super::{numeric, Limits, MathsError};

/// Values substituted for letters that are not the unknown. Awkward
/// rationals, so that a coincidence at one of them is very unlikely.
const SAMPLES: [(i64, i64); 8] = [
    (17, 7),
    (-23, 11),
    (31, 5),
    (5, 13),
    (-41, 3),
    (59, 17),
    (7, 19),
    (-3, 29),
];

/// The result of comparing two expressions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExprComparison {
    pub equal: bool,
    /// False when the answer rests on floating-point evaluation.
    pub exact: bool,
}

/// Every way of choosing the signs of the `±` in an expression (at most 16).
pub fn expand_plus_minus(expr: &Expr) -> Vec<Expr> {
    fn walk(expr: &Expr) -> Vec<Expr> {
        match expr {
            Expr::PlusMinus { lhs, rhs } => {
                let rights = walk(rhs);
                let lefts = match lhs {
                    Some(l) => walk(l),
                    None => vec![],
                };
                let mut out = Vec::new();
                for r in &rights {
                    if lefts.is_empty() {
                        out.push(r.clone());
                        out.push(Expr::Neg(Box::new(r.clone())));
                    }
                    for l in &lefts {
                        out.push(binary(BinOp::Add, l.clone(), r.clone()));
                        out.push(binary(BinOp::Sub, l.clone(), r.clone()));
                    }
                }
                out.truncate(16);
                out
            }
            Expr::Neg(inner) => walk(inner)
                .into_iter()
                .map(|e| Expr::Neg(Box::new(e)))
                .collect(),
            Expr::Group(inner) => walk(inner)
                .into_iter()
                .map(|e| Expr::Group(Box::new(e)))
                .collect(),
            Expr::Percent(inner) => walk(inner)
                .into_iter()
                .map(|e| Expr::Percent(Box::new(e)))
                .collect(),
            Expr::Factorial(inner) => walk(inner)
                .into_iter()
                .map(|e| Expr::Factorial(Box::new(e)))
                .collect(),
            Expr::Call(f, inner) => walk(inner)
                .into_iter()
                .map(|e| Expr::Call(*f, Box::new(e)))
                .collect(),
            Expr::Binary {
                op,
                lhs,
                rhs,
                implicit,
            } => {
                let mut lefts = walk(lhs);
                let mut rights = walk(rhs);
                if let ([_], [_]) = (lefts.as_slice(), rights.as_slice()) {
                    // One choice on each side: move the halves in rather
                    // than cloning them, so that a long chain without ±
                    // costs time in proportion to its length.
                    let (Some(l), Some(r)) = (lefts.pop(), rights.pop()) else {
                        unreachable!("both sides hold one expression");
                    };
                    return vec![Expr::Binary {
                        op: *op,
                        lhs: Box::new(l),
                        rhs: Box::new(r),
                        implicit: *implicit,
                    }];
                }
                let mut out = Vec::new();
                for l in &lefts {
                    for r in &rights {
                        out.push(Expr::Binary {
                            op: *op,
                            lhs: Box::new(l.clone()),
                            rhs: Box::new(r.clone()),
                            implicit: *implicit,
                        });
                    }
                }
                out.truncate(16);
                out
            }
            other => vec![other.clone()],
        }
    }
    if !contains_plus_minus(expr) {
        return vec![expr.clone()];
    }
    walk(expr)
}

/// Lists the sign choices of `expr` as [`expand_plus_minus`] does, without
/// copying an expression that has no `±`.
pub(super) fn sign_choices(expr: &Expr) -> Cow<'_, [Expr]> {
    if contains_plus_minus(expr) {
        Cow::Owned(expand_plus_minus(expr))
    } else {
        Cow::Borrowed(std::slice::from_ref(expr))
    }
}

fn binary(op: BinOp, lhs: Expr, rhs: Expr) -> Expr {
    Expr::Binary {
        op,
        lhs: Box::new(lhs),
        rhs: Box::new(rhs),
        implicit: false,
    }
}

pub fn contains_plus_minus(expr: &Expr) -> bool {
    match expr {
        Expr::PlusMinus { .. } => true,
        Expr::Neg(e)
        | Expr::Group(e)
        | Expr::Percent(e)
        | Expr::Factorial(e)
        | Expr::Call(_, e) => contains_plus_minus(e),
        Expr::Binary { lhs, rhs, .. } => contains_plus_minus(lhs) || contains_plus_minus(rhs),
        _ => false,
    }
}

/// Compares two expressions: the same function wherever both are defined.
pub fn compare_expressions(
    a: &Expr,
    b: &Expr,
    limits: &Limits,
) -> Result<ExprComparison, MathsError> {
    if contains_plus_minus(a) || contains_plus_minus(b) {
        // Two sets of values: equal when each value of one is a value of the other.
        let left = expand_plus_minus(a);
        let right = expand_plus_minus(b);
        let mut exact = true;
        for (xs, ys) in [(&left, &right), (&right, &left)] {
            for x in xs {
                let mut found = false;
                for y in ys {
                    let c = compare_expressions(x, y, limits)?;
                    exact &= c.exact;
                    if c.equal {
                        found = true;
                        break;
                    }
                }
                if !found {
                    return Ok(ExprComparison {
                        equal: false,
                        exact,
                    });
                }
            }
        }
        return Ok(ExprComparison { equal: true, exact });
    }

    let mut normaliser = Normaliser::new(*limits);
    let normal_forms = normaliser
        .frac(a)
        .and_then(|fa| Ok((fa, normaliser.frac(b)?)));
    let (fa, fb) = match normal_forms {
        Ok(forms) => forms,
        Err(error @ (MathsError::BudgetExceeded { .. } | MathsError::TooLarge { .. })) => {
            // Too big to expand: evaluate exactly modulo a prime instead.
            let mut letters = Vec::new();
            collect_vars(a, &mut letters);
            collect_vars(b, &mut letters);
            letters.sort();
            letters.dedup();
            return match super::modular::agree(a, b, &letters) {
                Some(equal) => Ok(ExprComparison { equal, exact: true }),
                None => Err(error),
            };
        }
        Err(error) => return Err(error),
    };
    if fa.equals(&fb, &mut normaliser.budget)? {
        return Ok(ExprComparison {
            equal: true,
            exact: true,
        });
    }
    if !normaliser.has_opaque() {
        return Ok(ExprComparison {
            equal: false,
            exact: true,
        });
    }
    Ok(ExprComparison {
        equal: numerically_equal(a, b),
        exact: false,
    })
}

/// Compares two expressions at sample points in floating point.
fn numerically_equal(a: &Expr, b: &Expr) -> bool {
    let mut names = Vec::new();
    collect_vars(a, &mut names);
    collect_vars(b, &mut names);
    names.sort();
    names.dedup();
    // Letters under roots and fractional powers are taken as positive, as
    // textbooks do when simplifying (64x^10)^(1/2) to 8x^5; negative values
    // are tried too only when |x| is written, where the sign is the point.
    let signs_matter = contains_abs(a) || contains_abs(b);
    let mut agreed = 0;
    for round in 0..2 * SAMPLES.len() {
        let positive = round >= SAMPLES.len();
        if !positive && !signs_matter {
            continue;
        }
        let values: BTreeMap<String, f64> = names
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let (n, d) = SAMPLES[(round + i) % SAMPLES.len()];
                let value = n as f64 / d as f64 + 0.1 * i as f64;
                (name.clone(), if positive { value.abs() } else { value })
            })
            .collect();
        let x = numeric::eval(a, &values);
        let y = numeric::eval(b, &values);
        if !x.is_finite() || !y.is_finite() {
            continue;
        }
        if !numeric::close(x, y) {
            return false;
        }
        agreed += 1;
    }
    agreed >= 3
}

fn contains_abs(expr: &Expr) -> bool {
    match expr {
        Expr::Call(super::ast::Func::Abs, _) => true,
        Expr::Neg(e)
        | Expr::Group(e)
        | Expr::Percent(e)
        | Expr::Factorial(e)
        | Expr::Call(_, e) => contains_abs(e),
        Expr::Binary { lhs, rhs, .. } => contains_abs(lhs) || contains_abs(rhs),
        Expr::PlusMinus { lhs, rhs } => {
            lhs.as_deref().is_some_and(contains_abs) || contains_abs(rhs)
        }
        Expr::Num(_) | Expr::Var(_) | Expr::Const(_) => false,
    }
}

/// The truth of a statement at `x` for its one unknown, in floating point:
/// an equality holds within a relative tolerance. `false` where undefined.
fn holds_at(statement: &Statement, unknown: &str, x: f64) -> bool {
    let values: BTreeMap<String, f64> = [(unknown.to_string(), x)].into_iter().collect();
    super::point_systems::holds_with(statement, &values)
}

fn rational_expr(numerator: i64, denominator: i64) -> Expr {
    let literal = |n: i64| {
        Expr::Num(super::ast::Literal {
            value: BigRational::from_integer(BigInt::from(n.abs())),
            text: n.abs().to_string(),
            kind: super::ast::LiteralKind::Integer,
        })
    };
    let fraction = Expr::Group(Box::new(binary(
        BinOp::Div,
        literal(numerator),
        literal(denominator),
    )));
    if numerator < 0 {
        Expr::Group(Box::new(Expr::Neg(Box::new(fraction))))
    } else {
        fraction
    }
}

fn substitute_expr(expr: &Expr, values: &BTreeMap<String, Expr>) -> Expr {
    let walk = |e: &Expr| Box::new(substitute_expr(e, values));
    match expr {
        Expr::Var(name) => values.get(name).cloned().unwrap_or_else(|| expr.clone()),
        Expr::Neg(e) => Expr::Neg(walk(e)),
        Expr::Group(e) => Expr::Group(walk(e)),
        Expr::Percent(e) => Expr::Percent(walk(e)),
        Expr::Factorial(e) => Expr::Factorial(walk(e)),
        Expr::Call(f, e) => Expr::Call(*f, walk(e)),
        Expr::Binary {
            op,
            lhs,
            rhs,
            implicit,
        } => Expr::Binary {
            op: *op,
            lhs: walk(lhs),
            rhs: walk(rhs),
            implicit: *implicit,
        },
        Expr::PlusMinus { lhs, rhs } => Expr::PlusMinus {
            lhs: lhs.as_ref().map(|l| walk(l)),
            rhs: walk(rhs),
        },
        Expr::Num(_) | Expr::Const(_) => expr.clone(),
    }
}

fn substitute_statement(statement: &Statement, values: &BTreeMap<String, Expr>) -> Statement {
    match statement {
        Statement::Expr(e) => Statement::Expr(substitute_expr(e, values)),
        Statement::Relation { parts, ops } => Statement::Relation {
            parts: parts.iter().map(|p| substitute_expr(p, values)).collect(),
            ops: ops.clone(),
        },
        Statement::Continued { op, rest } => Statement::Continued {
            op: *op,
            rest: Box::new(substitute_statement(rest, values)),
        },
        Statement::Or(parts) => Statement::Or(
            parts
                .iter()
                .map(|p| substitute_statement(p, values))
                .collect(),
        ),
        Statement::And(parts) => Statement::And(
            parts
                .iter()
                .map(|p| substitute_statement(p, values))
                .collect(),
        ),
    }
}

/// `left − right` of every relation in a statement, for root finding.
fn differences(statement: &Statement, out: &mut Vec<(Expr, Expr)>) {
    match statement {
        Statement::Relation { parts, .. } => {
            for pair in parts.windows(2) {
                for l in sign_choices(&pair[0]).iter() {
                    for r in sign_choices(&pair[1]).iter() {
                        out.push((l.clone(), r.clone()));
                    }
                }
            }
        }
        Statement::Or(parts) | Statement::And(parts) => {
            parts.iter().for_each(|p| differences(p, out))
        }
        Statement::Expr(_) | Statement::Continued { .. } => {}
    }
}

/// Expression nodes visited by floating-point evaluation for one work unit.
///
/// Numeric comparison does no algebra, so [`Budget`] would not see its
/// cost. It charges the nodes it evaluates instead, at a rate chosen so
/// that a unit takes roughly as long as one algebra step (an estimate).
const NODES_PER_UNIT: u64 = 32;

/// Halvings of a grid interval that contains a sign change.
pub(super) const BISECTIONS: u64 = 80;

/// Returns the work units for evaluating `nodes` expression nodes `times` times.
pub(super) fn evaluation_units(nodes: u64, times: u64) -> u64 {
    nodes.saturating_mul(times).div_ceil(NODES_PER_UNIT)
}

/// Returns the sample points for root finding: sinh of evenly spaced
/// values, from about −900 to 900 and dense near 0.
pub(super) fn root_grid() -> Vec<f64> {
    (-300..=300).map(|i| (f64::from(i) / 40.0).sinh()).collect()
}

/// Nodes in `expr`, each counted once.
pub(super) fn expr_size(expr: &Expr) -> u64 {
    match expr {
        Expr::Num(_) | Expr::Var(_) | Expr::Const(_) => 1,
        Expr::Neg(e)
        | Expr::Group(e)
        | Expr::Percent(e)
        | Expr::Factorial(e)
        | Expr::Call(_, e) => 1 + expr_size(e),
        Expr::Binary { lhs, rhs, .. } => 1 + expr_size(lhs) + expr_size(rhs),
        Expr::PlusMinus { lhs, rhs } => 1 + lhs.as_deref().map_or(0, expr_size) + expr_size(rhs),
    }
}

/// Nodes evaluated by one [`holds_at`] call on `statement`, counting every
/// sign choice of a `±`.
fn statement_cost(statement: &Statement) -> u64 {
    match statement {
        Statement::Relation { parts, .. } => parts
            .windows(2)
            .map(|pair| {
                let choices = |e: &Expr| sign_choices(e).iter().map(expr_size).sum::<u64>();
                choices(&pair[0]) + choices(&pair[1])
            })
            .sum(),
        Statement::Or(parts) | Statement::And(parts) => parts.iter().map(statement_cost).sum(),
        Statement::Expr(_) | Statement::Continued { .. } => 0,
    }
}

/// Compares solution sets in one unknown in floating point, for statements
/// with functions the exact methods cannot see into (`√x`, `|x|`, `sin x`).
/// Roots of every `left − right` are found by sign changes on a grid from
/// about −900 to 900 (sinh of evenly spaced points, so dense near 0) and
/// refined by bisection. Both statements are then tested at the roots and at
/// the grid points.
///
/// Charges the evaluations to `budget` before making them.
fn compare_numerically(
    a: &Statement,
    b: &Statement,
    unknown: &str,
    budget: &mut Budget,
) -> Result<SetRelation, MathsError> {
    let grid = root_grid();
    let mut pairs = Vec::new();
    differences(a, &mut pairs);
    differences(b, &mut pairs);
    let mut points = grid.clone();
    let mut values: BTreeMap<String, f64> = [(unknown.to_string(), 0.0)].into_iter().collect();
    for (l, r) in &pairs {
        let nodes = expr_size(l) + expr_size(r);
        budget.spend(evaluation_units(nodes, grid.len() as u64))?;
        let mut g = |x: f64| {
            values.insert(unknown.to_string(), x);
            numeric::eval(l, &values) - numeric::eval(r, &values)
        };
        let on_grid: Vec<f64> = grid.iter().map(|&x| g(x)).collect();
        for (i, window) in grid.windows(2).enumerate() {
            let (mut lo, mut hi) = (window[0], window[1]);
            let (glo, ghi) = (on_grid[i], on_grid[i + 1]);
            if glo == 0.0 {
                points.push(lo);
            }
            if !glo.is_finite() || !ghi.is_finite() || glo.signum() == ghi.signum() {
                continue;
            }
            budget.spend(evaluation_units(nodes, BISECTIONS))?;
            for _ in 0..BISECTIONS {
                let mid = 0.5 * (lo + hi);
                if g(mid).signum() == glo.signum() {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            points.push(0.5 * (lo + hi));
        }
    }
    budget.spend(evaluation_units(
        statement_cost(a) + statement_cost(b),
        points.len() as u64,
    ))?;
    let (mut in_a_only, mut in_b_only) = (false, false);
    for x in points {
        let (va, vb) = (holds_at(a, unknown, x), holds_at(b, unknown, x));
        in_a_only |= va && !vb;
        in_b_only |= vb && !va;
    }
    Ok(match (in_a_only, in_b_only) {
        (false, false) => SetRelation::Equal,
        (false, true) => SetRelation::Subset,
        (true, false) => SetRelation::Superset,
        (true, true) => SetRelation::Different,
    })
}

pub fn collect_vars(expr: &Expr, names: &mut Vec<String>) {
    match expr {
        Expr::Var(name) => names.push(name.clone()),
        Expr::Neg(e)
        | Expr::Group(e)
        | Expr::Percent(e)
        | Expr::Factorial(e)
        | Expr::Call(_, e) => collect_vars(e, names),
        Expr::Binary { lhs, rhs, .. } => {
            collect_vars(lhs, names);
            collect_vars(rhs, names);
        }
        Expr::PlusMinus { lhs, rhs } => {
            if let Some(l) = lhs {
                collect_vars(l, names);
            }
            collect_vars(rhs, names);
        }
        Expr::Num(_) | Expr::Const(_) => {}
    }
}

pub fn statement_vars(statement: &Statement, names: &mut Vec<String>) {
    match statement {
        Statement::Expr(e) => collect_vars(e, names),
        Statement::Relation { parts, .. } => parts.iter().for_each(|p| collect_vars(p, names)),
        Statement::Continued { rest, .. } => statement_vars(rest, names),
        Statement::Or(parts) | Statement::And(parts) => {
            parts.iter().for_each(|p| statement_vars(p, names))
        }
    }
}

/// A condition with its sides normalised, before choosing the unknown.
#[derive(Clone, Debug)]
pub(super) enum Logic {
    Rel(Frac, RelOp),
    And(Vec<Logic>),
    Or(Vec<Logic>),
}

fn logic(statement: &Statement, normaliser: &mut Normaliser) -> Result<Logic, MathsError> {
    Ok(match statement {
        Statement::Expr(_) => {
            return Err(MathsError::Unsupported(
                "an expression with an equation (there is no = or < to compare)".into(),
            ))
        }
        Statement::Continued { .. } => {
            return Err(MathsError::Unsupported(
                "a line that starts with a relation sign".into(),
            ))
        }
        Statement::Relation { parts, ops } => {
            let mut relations = Vec::new();
            for (i, op) in ops.iter().enumerate() {
                let lefts = sign_choices(&parts[i]);
                let rights = sign_choices(&parts[i + 1]);
                let mut choices = Vec::new();
                for l in lefts.iter() {
                    for r in rights.iter() {
                        let difference = normaliser
                            .frac(l)?
                            .sub(&normaliser.frac(r)?, &mut normaliser.budget)?;
                        choices.push(Logic::Rel(difference, *op));
                    }
                }
                relations.push(if choices.len() == 1 {
                    choices.remove(0)
                } else {
                    Logic::Or(choices)
                });
            }
            if relations.len() == 1 {
                relations.remove(0)
            } else {
                Logic::And(relations)
            }
        }
        Statement::Or(parts) => Logic::Or(
            parts
                .iter()
                .map(|p| logic(p, normaliser))
                .collect::<Result<_, _>>()?,
        ),
        Statement::And(parts) => Logic::And(
            parts
                .iter()
                .map(|p| logic(p, normaliser))
                .collect::<Result<_, _>>()?,
        ),
    })
}

fn logic_atoms(logic: &Logic, atoms: &mut Vec<Atom>) {
    match logic {
        Logic::Rel(f, _) => atoms.extend(f.atoms()),
        Logic::And(parts) | Logic::Or(parts) => parts.iter().for_each(|p| logic_atoms(p, atoms)),
    }
}

fn substitute(
    logic: &Logic,
    values: &BTreeMap<Atom, Real>,
    budget: &mut Budget,
) -> Result<Logic, MathsError> {
    Ok(match logic {
        Logic::Rel(f, op) => Logic::Rel(
            Frac {
                num: f.num.substitute(values, budget)?,
                den: f.den.substitute(values, budget)?,
            },
            *op,
        ),
        Logic::And(parts) => Logic::And(
            parts
                .iter()
                .map(|p| substitute(p, values, budget))
                .collect::<Result<_, _>>()?,
        ),
        Logic::Or(parts) => Logic::Or(
            parts
                .iter()
                .map(|p| substitute(p, values, budget))
                .collect::<Result<_, _>>()?,
        ),
    })
}

fn to_cond(logic: &Logic, unknown: &Atom) -> Option<Cond> {
    Some(match logic {
        Logic::Rel(f, op) => Cond::Rel {
            num: UPoly::from_poly(&f.num, unknown)?,
            den: UPoly::from_poly(&f.den, unknown)?,
            op: *op,
        },
        Logic::And(parts) => Cond::And(
            parts
                .iter()
                .map(|p| to_cond(p, unknown))
                .collect::<Option<_>>()?,
        ),
        Logic::Or(parts) => Cond::Or(
            parts
                .iter()
                .map(|p| to_cond(p, unknown))
                .collect::<Option<_>>()?,
        ),
    })
}

/// Turns a list of values for one letter, `x = 2, x = -3`, into `x = 2 or x = -3`.
///
/// Students list solutions with commas; read literally, a comma is "and",
/// which would make the list contradictory.
pub fn listing_as_or(statement: &Statement) -> Option<Statement> {
    let Statement::And(parts) = statement else {
        return None;
    };
    let mut letter: Option<&str> = None;
    for part in parts {
        let Statement::Relation { parts: sides, ops } = part else {
            return None;
        };
        if ops.as_slice() != [RelOp::Eq] {
            return None;
        }
        let Expr::Var(name) = &sides[0] else {
            return None;
        };
        let mut others = Vec::new();
        collect_vars(&sides[1], &mut others);
        if !others.is_empty() || letter.is_some_and(|l| l != name) {
            return None;
        }
        letter = Some(name);
    }
    Some(Statement::Or(parts.clone()))
}

fn equations_proportional(a: &Statement, b: &Statement) -> Option<bool> {
    let (Statement::Relation { parts: pa, ops: oa }, Statement::Relation { parts: pb, ops: ob }) =
        (a, b)
    else {
        return None;
    };
    if oa.as_slice() != [RelOp::Eq] || ob.as_slice() != [RelOp::Eq] {
        return None;
    }
    let mut letters = Vec::new();
    statement_vars(a, &mut letters);
    statement_vars(b, &mut letters);
    letters.sort();
    letters.dedup();
    super::modular::proportional((&pa[0], &pa[1]), (&pb[0], &pb[1]), &letters)
}

/// Compares the solution sets of two statements over the real numbers.
///
/// `unknowns` names the letters solved for; other letters are parameters.
/// With no unknowns given, every letter is an unknown.
pub fn compare_statements(
    a: &Statement,
    b: &Statement,
    unknowns: &[String],
    limits: &Limits,
) -> Result<SetRelation, MathsError> {
    let mut normaliser = Normaliser::new(*limits);
    let forms = logic(a, &mut normaliser).and_then(|la| Ok((la, logic(b, &mut normaliser)?)));
    let (la, lb) = match forms {
        Ok(forms) => forms,
        Err(error @ (MathsError::BudgetExceeded { .. } | MathsError::TooLarge { .. })) => {
            // Too big to expand, such as y = (x − a)^6000: two equations whose
            // sides differ by a constant factor are still recognised.
            return equations_proportional(a, b)
                .map(|_| SetRelation::Equal)
                .ok_or(error);
        }
        Err(error) => return Err(error),
    };
    if normaliser.has_opaque() {
        // Functions the algebra cannot see into: compare in floating point,
        // which is only possible with a single unknown.
        let mut letters = Vec::new();
        statement_vars(a, &mut letters);
        statement_vars(b, &mut letters);
        letters.sort();
        letters.dedup();
        let mut system_letters: Vec<String> = letters
            .iter()
            .filter(|l| unknowns.contains(l))
            .cloned()
            .collect();
        if system_letters.is_empty() {
            system_letters.clone_from(&letters);
        }
        let is_system = statement_has_and(a) || statement_has_and(b);
        if is_system && system_letters.len() > 1 {
            // Fixing all unknowns but one would leave both systems with no
            // solutions, so only listed solutions can be tested.
            if system_letters.len() < letters.len() {
                return Err(MathsError::Unsupported(
                    "a system with functions such as square roots and other letters".into(),
                ));
            }
            return super::point_systems::compare_point_systems(a, b, &system_letters);
        }
        let Some(unknown) = unknowns
            .iter()
            .find(|u| letters.contains(u))
            .or(letters.first())
            .cloned()
        else {
            return compare_numerically(a, b, "x", &mut normaliser.budget);
        };
        // Other letters take fixed awkward values, three times over.
        let others: Vec<&String> = letters.iter().filter(|l| **l != unknown).collect();
        let rounds = if others.is_empty() { 1 } else { 3 };
        let mut relation = SetRelation::Equal;
        for round in 0..rounds {
            let values: BTreeMap<String, Expr> = others
                .iter()
                .enumerate()
                .map(|(i, name)| {
                    let (n, d) = SAMPLES[(round * 3 + i + 1) % SAMPLES.len()];
                    ((*name).clone(), rational_expr(n, d))
                })
                .collect();
            let sa = substitute_statement(a, &values);
            let sb = substitute_statement(b, &values);
            relation = relation.combine(compare_numerically(
                &sa,
                &sb,
                &unknown,
                &mut normaliser.budget,
            )?);
        }
        return Ok(relation);
    }
    let budget = &mut normaliser.budget;

    // Fast path: two equations whose sides differ by a constant factor.
    if let (Logic::Rel(fa, RelOp::Eq), Logic::Rel(fb, RelOp::Eq)) = (&la, &lb) {
        let constant_dens = fa.den.as_constant().is_some() && fb.den.as_constant().is_some();
        if constant_dens && !fa.num.is_zero() && fa.num.constant_ratio(&fb.num).is_some() {
            return Ok(SetRelation::Equal);
        }
    }

    let mut atoms = Vec::new();
    logic_atoms(&la, &mut atoms);
    logic_atoms(&lb, &mut atoms);
    atoms.sort();
    atoms.dedup();
    let letters: Vec<&Atom> = atoms.iter().filter(|a| matches!(a, Atom::Var(_))).collect();
    let mut chosen: Vec<Atom> = letters
        .iter()
        .filter(|a| matches!(a, Atom::Var(name) if unknowns.iter().any(|u| u == name)))
        .map(|a| (*a).clone())
        .collect();
    if chosen.is_empty() {
        chosen = letters.iter().map(|a| (*a).clone()).collect();
    }

    let is_system = (has_and(&la) || has_and(&lb)) && chosen.len() > 1;
    let parameters: Vec<Atom> = atoms
        .iter()
        .filter(|a| !chosen.contains(a))
        .cloned()
        .collect();
    let rounds = if parameters.is_empty() { 1 } else { 3 };
    let mut relation = SetRelation::Equal;
    for round in 0..rounds {
        let values: BTreeMap<Atom, Real> = parameters
            .iter()
            .enumerate()
            .map(|(i, atom)| {
                let (n, d) = SAMPLES[(round * 3 + i) % SAMPLES.len()];
                (
                    atom.clone(),
                    Real::from_rational(BigRational::new(BigInt::from(n), BigInt::from(d))),
                )
            })
            .collect();
        let sa = substitute(&la, &values, budget)?;
        let sb = substitute(&lb, &values, budget)?;
        let this = if is_system {
            match compare_linear_systems(&sa, &sb, &chosen, budget) {
                Err(MathsError::Unsupported(_)) if chosen.len() == 2 => {
                    super::systems::compare_systems(&sa, &sb, &chosen, budget)?
                }
                other => other?,
            }
        } else {
            compare_one_unknown(&sa, &sb, &chosen, budget)?
        };
        relation = relation.combine(this);
        if relation == SetRelation::Different {
            break;
        }
    }
    Ok(relation)
}

/// Reports whether a statement is or contains a system, such as `x + y = 5, xy = 6`.
fn statement_has_and(statement: &Statement) -> bool {
    match statement {
        Statement::And(_) => true,
        Statement::Or(parts) => parts.iter().any(statement_has_and),
        Statement::Continued { rest, .. } => statement_has_and(rest),
        Statement::Expr(_) | Statement::Relation { .. } => false,
    }
}

/// Whether `and` appears anywhere, as in a system of equations.
fn has_and(logic: &Logic) -> bool {
    match logic {
        Logic::Rel(..) => false,
        Logic::And(_) => true,
        Logic::Or(parts) => parts.iter().any(has_and),
    }
}

fn compare_one_unknown(
    a: &Logic,
    b: &Logic,
    chosen: &[Atom],
    budget: &mut Budget,
) -> Result<SetRelation, MathsError> {
    let unknown = chosen.first().cloned().unwrap_or(Atom::Var("x".into()));
    // Further unknowns in a single equation (such as 2x + 3y = 6) are
    // treated as parameters: the sets must agree for every value of them.
    let others: Vec<Atom> = chosen.iter().skip(1).cloned().collect();
    if others.is_empty() {
        let (Some(ca), Some(cb)) = (to_cond(a, &unknown), to_cond(b, &unknown)) else {
            return Err(MathsError::Unsupported(
                "these statements in one unknown".into(),
            ));
        };
        return compare(&ca, &cb, budget);
    }
    let mut relation = SetRelation::Equal;
    for round in 0..3 {
        let values: BTreeMap<Atom, Real> = others
            .iter()
            .enumerate()
            .map(|(i, atom)| {
                let (n, d) = SAMPLES[(round * 2 + i + 1) % SAMPLES.len()];
                (
                    atom.clone(),
                    Real::from_rational(BigRational::new(BigInt::from(n), BigInt::from(d))),
                )
            })
            .collect();
        let sa = substitute(a, &values, budget)?;
        let sb = substitute(b, &values, budget)?;
        let (Some(ca), Some(cb)) = (to_cond(&sa, &unknown), to_cond(&sb, &unknown)) else {
            return Err(MathsError::Unsupported("these statements".into()));
        };
        relation = relation.combine(compare(&ca, &cb, budget)?);
    }
    Ok(relation)
}

/// Rows `[c1, …, cn, constant]` meaning `c1·x1 + … + cn·xn + constant = 0`.
fn linear_rows(
    logic: &Logic,
    unknowns: &[Atom],
    rows: &mut Vec<Vec<Real>>,
) -> Result<(), MathsError> {
    let unsupported = || MathsError::Unsupported("a system that is not linear".into());
    match logic {
        Logic::Rel(f, RelOp::Eq) => {
            let den = f.den.as_constant().ok_or_else(unsupported)?;
            let mut row = vec![Real::zero(); unknowns.len() + 1];
            for (monomial, coefficient) in &f.num.terms {
                let c = coefficient.div(&den).ok_or_else(unsupported)?;
                match monomial.as_slice() {
                    [] => row[unknowns.len()] = c,
                    [(atom, 1)] => {
                        let i = unknowns
                            .iter()
                            .position(|u| u == atom)
                            .ok_or_else(unsupported)?;
                        row[i] = c;
                    }
                    _ => return Err(unsupported()),
                }
            }
            rows.push(row);
            Ok(())
        }
        Logic::And(parts) => parts
            .iter()
            .try_for_each(|p| linear_rows(p, unknowns, rows)),
        _ => Err(unsupported()),
    }
}

/// Row-reduces in place and returns the rank of the coefficient part and
/// whether the system is consistent.
fn row_reduce(
    rows: &mut [Vec<Real>],
    columns: usize,
    budget: &mut Budget,
) -> Result<(usize, bool), MathsError> {
    let mut rank = 0;
    for column in 0..columns {
        let Some(pivot) = (rank..rows.len()).find(|r| !rows[*r][column].is_zero()) else {
            continue;
        };
        rows.swap(rank, pivot);
        let inverse = rows[rank][column].inverse().unwrap_or_else(Real::one);
        for value in rows[rank].iter_mut() {
            *value = value.mul(&inverse);
        }
        for r in 0..rows.len() {
            if r != rank && !rows[r][column].is_zero() {
                budget.spend(rows[r].len() as u64)?;
                let factor = rows[r][column].clone();
                for c in 0..rows[r].len() {
                    let delta = factor.mul(&rows[rank][c]);
                    rows[r][c] = rows[r][c].sub(&delta);
                }
            }
        }
        rank += 1;
    }
    let consistent = rows
        .iter()
        .all(|row| row[..columns].iter().any(|v| !v.is_zero()) || row[columns].is_zero());
    Ok((rank, consistent))
}

fn compare_linear_systems(
    a: &Logic,
    b: &Logic,
    unknowns: &[Atom],
    budget: &mut Budget,
) -> Result<SetRelation, MathsError> {
    let n = unknowns.len();
    let mut rows_a = Vec::new();
    linear_rows(a, unknowns, &mut rows_a)?;
    let mut rows_b = Vec::new();
    linear_rows(b, unknowns, &mut rows_b)?;
    let mut rows_ab: Vec<Vec<Real>> = rows_a.iter().chain(rows_b.iter()).cloned().collect();
    let (rank_a, consistent_a) = row_reduce(&mut rows_a, n, budget)?;
    let (rank_b, consistent_b) = row_reduce(&mut rows_b, n, budget)?;
    let (rank_ab, consistent_ab) = row_reduce(&mut rows_ab, n, budget)?;
    Ok(match (consistent_a, consistent_b) {
        (false, false) => SetRelation::Equal,
        (false, true) => SetRelation::Subset,
        (true, false) => SetRelation::Superset,
        (true, true) => {
            let a_in_b = consistent_ab && rank_ab == rank_a;
            let b_in_a = consistent_ab && rank_ab == rank_b;
            match (a_in_b, b_in_a) {
                (true, true) => SetRelation::Equal,
                (true, false) => SetRelation::Subset,
                (false, true) => SetRelation::Superset,
                (false, false) => SetRelation::Different,
            }
        }
    })
}

/// Normalises one expression to its canonical rational function.
pub fn canonical(expr: &Expr, limits: &Limits) -> Result<Frac, MathsError> {
    Normaliser::new(*limits).frac(expr)
}

/// The exact value of an expression without letters, when the algebra can
/// find one.
pub fn exact_value(expr: &Expr, limits: &Limits) -> Result<Option<Real>, MathsError> {
    let mut normaliser = Normaliser::new(*limits);
    let frac = normaliser.frac(expr)?;
    if normaliser.has_opaque() {
        return Ok(None);
    }
    Ok(frac.as_constant())
}

/// The real solutions of a statement in one unknown, when there are
/// finitely many: exact where rational, otherwise the midpoint of an
/// interval narrower than 10^-40. `None` when the set contains an interval
/// or the statement has other letters.
pub fn solution_values(
    statement: &Statement,
    unknown: &str,
    limits: &Limits,
) -> Result<Option<Vec<BigRational>>, MathsError> {
    let statement = listing_as_or(statement).unwrap_or_else(|| statement.clone());
    let mut normaliser = Normaliser::new(*limits);
    let tree = logic(&statement, &mut normaliser)?;
    if normaliser.has_opaque() {
        return Ok(None);
    }
    let Some(cond) = to_cond(&tree, &Atom::Var(unknown.to_string())) else {
        return Ok(None);
    };
    let Some(roots) = super::sets::finite_solutions(&cond, &mut normaliser.budget)? else {
        return Ok(None);
    };
    Ok(Some(
        roots
            .iter()
            .map(|r| super::upoly::midpoint(r.low(), r.high()))
            .collect(),
    ))
}
