//! Hints computed from the student's own current line: a nudge, the name of
//! the next step, then the next line itself.
//!
//! Strategies cover linear equations and inequalities, quadratics solved by
//! factorising, simultaneous linear equations, expanding brackets,
//! factorising, and arithmetic with fractions.

use std::collections::BTreeMap;

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Signed, Zero};

use super::run::{interpret, unknowns_of, Line};
use super::{check_working, Hint, HintLevel, Task, TaskKind, Verdict};
use crate::maths::ast::{BinOp, Expr, RelOp, Statement};
use crate::maths::equiv::{canonical, exact_value};
use crate::maths::number::Real;
use crate::maths::poly::{Atom, Budget, Frac, Poly};
use crate::maths::pretty::{frac_text, integer_linear, poly_text, rational_text, real_text};
use crate::maths::upoly::UPoly;
use crate::maths::{parse_with, Limits};

/// One step of a strategy, at all three levels.
struct Step {
    nudge: String,
    name: String,
    next: String,
}

/// A hint from where the student is: `lines[0]` is the question, the rest the working so far.
pub fn hint(task: &Task, lines: &[&str], level: HintLevel) -> Option<Hint> {
    let limits = Limits::default();
    let report = check_working(task, lines);
    // The current line: the last one that was right.
    let (index, _) = report.lines.iter().enumerate().rev().find(|(_, l)| {
        matches!(
            l.verdict,
            Verdict::Start | Verdict::Follows | Verdict::Warning
        ) && !l.ecf
    })?;
    let question = interpret(task, parse_with(lines.first()?, &limits).ok()?.statement).ok()?;
    let current = interpret(task, parse_with(lines[index], &limits).ok()?.statement).ok()?;
    let last_wrong = report
        .lines
        .last()
        .filter(|l| l.verdict == Verdict::Wrong)
        .map(|_| report.lines.len());

    let step = match task.kind {
        TaskKind::Solve | TaskKind::Rearrange => match (&question, &current) {
            (Line::Statement(q @ Statement::And(parts)), _) if parts.len() > 1 => {
                let accepted: Vec<&str> = report
                    .lines
                    .iter()
                    .zip(lines)
                    .skip(1)
                    .filter(|(r, _)| r.verdict == Verdict::Follows)
                    .map(|(_, l)| *l)
                    .collect();
                simultaneous(task, q, &accepted, &limits)
            }
            (Line::Statement(q), Line::Statement(s)) => {
                solve_step(&unknowns_of(task, q), s, &limits)
            }
            _ => None,
        },
        TaskKind::Expand => current.value_expr().and_then(|e| expand_step(e, &limits)),
        TaskKind::Factorise => current
            .value_expr()
            .and_then(|e| factorise_step(e, &limits)),
        TaskKind::Simplify | TaskKind::Evaluate => {
            current.value_expr().and_then(|e| simplify_step(e, &limits))
        }
    };
    let step = step.unwrap_or_else(|| Step {
        nudge: "look at your last line: is it already the answer in the form the question wants?"
            .into(),
        name:
            "check the form: letter on its own, fractions simplified, brackets as the question asks"
                .into(),
        next: lines[index].to_string(),
    });

    let nudge = match last_wrong {
        Some(line) => format!(
            "line {line} has a mistake, so work on from line {}: {}",
            index + 1,
            step.nudge
        ),
        None => step.nudge,
    };
    Some(match level {
        HintLevel::Nudge => Hint {
            level,
            text: nudge,
            next_line: None,
        },
        HintLevel::NextStep => Hint {
            level,
            text: step.name,
            next_line: None,
        },
        HintLevel::NextLine => Hint {
            level,
            text: format!("the next line could be: {}", step.next),
            next_line: Some(step.next),
        },
    })
}

impl Line {
    fn value_expr(&self) -> Option<&Expr> {
        match self {
            Line::Expr(parts) => parts.last(),
            Line::Statement(_) => None,
        }
    }
}

fn side(relation: &Statement) -> Option<(&Expr, RelOp, &Expr)> {
    match relation {
        Statement::Relation { parts, ops } if parts.len() == 2 => {
            Some((&parts[0], ops[0], &parts[1]))
        }
        _ => None,
    }
}

/// `a·x + b` as (a, b) when the polynomial is linear in `x` with rational coefficients.
fn linear_parts(poly: &Poly, unknown: &Atom) -> Option<(BigRational, BigRational)> {
    let u = UPoly::from_poly(poly, unknown)?;
    if u.degree() > 1 {
        return None;
    }
    let b = u
        .coefficients
        .first()
        .cloned()
        .unwrap_or_default()
        .as_rational()?;
    let a = u
        .coefficients
        .get(1)
        .cloned()
        .unwrap_or_default()
        .as_rational()?;
    Some((a, b))
}

fn linear_text(letter: &str, a: &BigRational, b: &BigRational) -> String {
    let mut poly = Poly::constant(Real::from_rational(b.clone()));
    poly = poly.add(&Poly::atom(Atom::Var(letter.into())).scale(&Real::from_rational(a.clone())));
    poly_text(&poly)
}

fn has_brackets(expr: &Expr) -> bool {
    match expr {
        Expr::Binary {
            op: BinOp::Mul | BinOp::Pow,
            lhs,
            rhs,
            ..
        } => is_sum_group(lhs) || is_sum_group(rhs) || has_brackets(lhs) || has_brackets(rhs),
        Expr::Binary { lhs, rhs, .. } => has_brackets(lhs) || has_brackets(rhs),
        Expr::Neg(inner) => is_sum_group(inner) || has_brackets(inner),
        Expr::Group(inner) => has_brackets(inner),
        _ => false,
    }
}

fn is_sum_group(expr: &Expr) -> bool {
    match expr {
        Expr::Group(inner) => {
            matches!(
                **inner,
                Expr::Binary {
                    op: BinOp::Add | BinOp::Sub,
                    ..
                }
            ) || is_sum_group(inner)
        }
        _ => false,
    }
}

fn signed_amount(amount: &BigRational, letter: &str) -> String {
    let magnitude = amount.abs();
    if letter.is_empty() {
        rational_text(&magnitude)
    } else if magnitude.is_one() {
        letter.to_string()
    } else {
        format!("{}{letter}", rational_text(&magnitude))
    }
}

fn solve_step(unknowns: &[String], statement: &Statement, limits: &Limits) -> Option<Step> {
    let letter = unknowns.first()?.clone();
    let unknown = Atom::Var(letter.clone());
    let (left, op, right) = side(statement)?;
    let l = canonical(left, limits).ok()?;
    let r = canonical(right, limits).ok()?;

    // Letters in a denominator: multiply through.
    if l.den.as_constant().is_none() || r.den.as_constant().is_none() {
        let mut budget = Budget::new(*limits);
        let den = if l.den.as_constant().is_none() {
            l.den.clone()
        } else {
            r.den.clone()
        };
        let d = Frac::from_poly(den.clone());
        let new_l = l.mul(&d, &mut budget).ok()?;
        let new_r = r.mul(&d, &mut budget).ok()?;
        return Some(Step {
            nudge: format!("there is {letter} in a denominator; clear the fraction first"),
            name: format!("multiply both sides by {}", poly_text(&den)),
            next: format!(
                "{} {} {}",
                frac_text(&new_l),
                op.symbol(),
                frac_text(&new_r)
            ),
        });
    }
    // A product equal to 0 is solved factor by factor, not expanded.
    let factorised_zero = r.num.is_zero()
        && matches!(
            strip(left),
            Expr::Binary {
                op: BinOp::Mul | BinOp::Pow,
                ..
            }
        );
    if !factorised_zero && (has_brackets(left) || has_brackets(right)) {
        return Some(Step {
            nudge: "start by getting rid of the brackets".into(),
            name: "expand the brackets on each side".into(),
            next: format!("{} {} {}", frac_text(&l), op.symbol(), frac_text(&r)),
        });
    }
    if let (Some((a1, b1)), Some((a2, b2))) = (
        linear_parts(&l.num, &unknown),
        linear_parts(&r.num, &unknown),
    ) {
        return linear_step(&letter, (a1, b1), op, (a2, b2));
    }
    if op == RelOp::Eq {
        return quadratic_step(&letter, &unknown, left, &l, &r, right, limits);
    }
    None
}

fn linear_step(
    letter: &str,
    (a1, b1): (BigRational, BigRational),
    op: RelOp,
    (a2, b2): (BigRational, BigRational),
) -> Option<Step> {
    let zero = BigRational::zero();
    let symbol = op.symbol();
    if !a1.is_zero() && !a2.is_zero() {
        // Letters on both sides: remove the smaller letter term.
        let (remove, keep_left) = if a1 > a2 {
            (a2.clone(), true)
        } else {
            (a1.clone(), false)
        };
        let verb = if remove.is_negative() {
            "add"
        } else {
            "subtract"
        };
        let amount = signed_amount(&remove, letter);
        let next = if keep_left {
            format!(
                "{} {symbol} {}",
                linear_text(letter, &(&a1 - &a2), &b1),
                rational_text(&b2)
            )
        } else {
            format!(
                "{} {symbol} {}",
                rational_text(&b1),
                linear_text(letter, &(&a2 - &a1), &b2)
            )
        };
        return Some(Step {
            nudge: format!("there are {letter} terms on both sides; get them together on one side"),
            name: format!(
                "{verb} {amount} {} both sides",
                if verb == "add" { "to" } else { "from" }
            ),
            next,
        });
    }
    let letter_on_left = !a1.is_zero();
    let (a, b, c) = if letter_on_left {
        (a1, b1, b2)
    } else {
        (a2, b2, b1)
    };
    if a.is_zero() {
        return None;
    }
    let write = |lhs: String, rhs: String| {
        if letter_on_left {
            format!("{lhs} {symbol} {rhs}")
        } else {
            format!("{rhs} {symbol} {lhs}")
        }
    };
    if b != zero {
        let verb = if b.is_negative() { "add" } else { "subtract" };
        return Some(Step {
            nudge: format!("what is stopping {letter} being on its own? Deal with the number added to it first"),
            name: format!("{verb} {} {} both sides", rational_text(&b.abs()), if verb == "add" { "to" } else { "from" }),
            next: write(linear_text(letter, &a, &zero), rational_text(&(&c - &b))),
        });
    }
    if !a.is_one() {
        let value = &c / &a;
        let flips = a.is_negative() && op != RelOp::Eq;
        let final_op = if flips { op.flipped() } else { op };
        let lhs = letter.to_string();
        let rhs = rational_text(&value);
        let next = if letter_on_left {
            format!("{lhs} {} {rhs}", final_op.symbol())
        } else {
            format!("{rhs} {} {lhs}", final_op.symbol())
        };
        let name = if a.numer().is_one() && !a.denom().is_one() {
            format!("multiply both sides by {}", a.denom())
        } else {
            format!("divide both sides by {}", rational_text(&a))
        };
        let name = if flips {
            format!("{name}, and turn the inequality sign round because it is negative")
        } else {
            name
        };
        return Some(Step {
            nudge: format!("{letter} is multiplied by {}; undo that", rational_text(&a)),
            name,
            next,
        });
    }
    if !letter_on_left {
        return Some(Step {
            nudge: format!("{letter} is on its own; write the answer with {letter} first"),
            name: "swap the two sides".into(),
            next: format!("{letter} {} {}", op.flipped().symbol(), rational_text(&c)),
        });
    }
    None
}

fn quadratic_step(
    letter: &str,
    unknown: &Atom,
    left: &Expr,
    l: &Frac,
    r: &Frac,
    right: &Expr,
    limits: &Limits,
) -> Option<Step> {
    let mut budget = Budget::new(*limits);
    let difference = l.sub(r, &mut budget).ok()?;
    let p = UPoly::from_poly(&difference.num, unknown)?;
    if p.degree() != 2 {
        return None;
    }
    let coefficients: Vec<BigRational> = p
        .coefficients
        .iter()
        .map(Real::as_rational)
        .collect::<Option<_>>()?;
    let (c, b, a) = (&coefficients[0], &coefficients[1], &coefficients[2]);
    let right_is_zero = r.num.is_zero();
    // x² = k: square root, both signs.
    if b.is_zero() && l.num.terms.len() == 1 && r.num.as_constant().is_some() {
        let k = -c / a;
        if k.is_negative() {
            return None;
        }
        let root = Real::sqrt_of(&k).ok()?;
        let text = real_text(&root);
        return Some(Step {
            nudge: format!("{letter}² is on its own; undo the square"),
            name: "take the square root of both sides, remembering the negative root".into(),
            next: format!("{letter} = {text} or {letter} = -{text}"),
        });
    }
    if !right_is_zero {
        let sign_fix = if a.is_negative() {
            difference.num.neg()
        } else {
            difference.num.clone()
        };
        return Some(Step {
            nudge: "a quadratic is easiest to solve with 0 on one side".into(),
            name: "move every term to one side so the other side is 0".into(),
            next: format!("{} = 0", poly_text(&sign_fix)),
        });
    }
    let _ = right;
    let discriminant = b * b - BigRational::from_integer(BigInt::from(4)) * a * c;
    let root = crate::maths::poly::exact_root(&discriminant, 2);
    let Some(root) = root else {
        return Some(Step {
            nudge: "this quadratic doesn't factorise with whole numbers".into(),
            name: "use the quadratic formula".into(),
            next: format!(
                "{letter} = ({} ± √{})/{}",
                rational_text(&-b),
                rational_text(&discriminant),
                rational_text(&(a * BigRational::from_integer(BigInt::from(2))))
            ),
        });
    };
    let two_a = a * BigRational::from_integer(BigInt::from(2));
    let r1 = (-b + &root) / &two_a;
    let r2 = (-b - &root) / &two_a;
    let factorised = matches!(
        strip(left),
        Expr::Binary { op: BinOp::Mul, .. } | Expr::Binary { op: BinOp::Pow, .. }
    );
    if factorised {
        let next = if r1 == r2 {
            format!("{letter} = {}", rational_text(&r1))
        } else {
            format!(
                "{letter} = {} or {letter} = {}",
                rational_text(&r1),
                rational_text(&r2)
            )
        };
        return Some(Step {
            nudge: "the product is 0, so one of the factors must be 0".into(),
            name: "set each bracket equal to 0 and solve".into(),
            next,
        });
    }
    let text = factorised_quadratic(letter, a, &r1, &r2);
    Some(Step {
        nudge: format!("can the left side be factorised? Look for two numbers that multiply to {} and add to {}", rational_text(&(a * c)), rational_text(b)),
        name: format!("factorise: the two numbers are {} and {}", rational_text(&(-&r1 * a)), rational_text(&(-&r2 * a))),
        next: format!("{text} = 0"),
    })
}

fn strip(expr: &Expr) -> &Expr {
    match expr {
        Expr::Group(inner) => strip(inner),
        other => other,
    }
}

/// `a(x − r1)(x − r2)` with integer coefficients in each bracket.
fn factorised_quadratic(
    letter: &str,
    a: &BigRational,
    r1: &BigRational,
    r2: &BigRational,
) -> String {
    let one = BigRational::one();
    let f1 = integer_linear(letter, &one, &-r1);
    let f2 = integer_linear(letter, &one, &-r2);
    // What the integer brackets already account for of the leading coefficient.
    let used = BigRational::from_integer(r1.denom().clone() * r2.denom().clone());
    let outside = a / used;
    let front = if outside.is_one() {
        String::new()
    } else if outside == -BigRational::one() {
        "-".into()
    } else {
        rational_text(&outside)
    };
    if r1 == r2 {
        return format!("{front}({f1})^2");
    }
    format!("{front}({f1})({f2})")
}

fn expand_step(expr: &Expr, limits: &Limits) -> Option<Step> {
    let frac = canonical(expr, limits).ok()?;
    let has = has_brackets(expr);
    if !has {
        return Some(Step {
            nudge: "the brackets are gone; are there like terms left?".into(),
            name: "collect the like terms".into(),
            next: frac_text(&frac),
        });
    }
    let double = count_sum_factors(expr) >= 2;
    Some(Step {
        nudge: if double {
            "multiply every term in the first bracket by every term in the second".into()
        } else {
            "multiply each term inside the bracket by the term outside".into()
        },
        name: if double {
            "expand the brackets (first, outer, inner, last), then collect like terms".into()
        } else {
            "expand the bracket, then collect like terms".into()
        },
        next: frac_text(&frac),
    })
}

fn count_sum_factors(expr: &Expr) -> usize {
    match expr {
        Expr::Binary {
            op: BinOp::Mul,
            lhs,
            rhs,
            ..
        } => {
            usize::from(is_sum_group(lhs))
                + usize::from(is_sum_group(rhs))
                + count_sum_factors(lhs)
                + count_sum_factors(rhs)
        }
        Expr::Binary {
            op: BinOp::Pow,
            lhs,
            ..
        } if is_sum_group(lhs) => 2,
        Expr::Binary { lhs, rhs, .. } => count_sum_factors(lhs) + count_sum_factors(rhs),
        Expr::Group(inner) | Expr::Neg(inner) => count_sum_factors(inner),
        _ => 0,
    }
}

fn factorise_step(expr: &Expr, limits: &Limits) -> Option<Step> {
    let frac = canonical(expr, limits).ok()?;
    frac.den.as_constant()?;
    let poly = frac.num.clone();
    let atoms = poly.atoms();
    // Common factor first.
    let mut content = BigInt::zero();
    for c in poly.terms.values() {
        let q = c.as_rational()?;
        if !q.is_integer() {
            return None;
        }
        content = num_integer::Integer::gcd(&content, &q.to_integer());
    }
    let common_letter = atoms
        .iter()
        .find(|a| poly.terms.keys().all(|m| m.iter().any(|(x, _)| x == *a)))
        .cloned();
    if content > BigInt::one() || common_letter.is_some() {
        let mut factor = Poly::constant(Real::from_rational(BigRational::from_integer(
            content.max(BigInt::one()),
        )));
        let mut budget = Budget::new(*limits);
        if let Some(letter) = &common_letter {
            factor = factor.mul(&Poly::atom(letter.clone()), &mut budget).ok()?;
        }
        let inside = Frac::from_poly(poly.clone())
            .div(&Frac::from_poly(factor.clone()), &mut budget)
            .ok()?;
        let inside_text = reduce_by_monomial(&poly, &factor, common_letter.as_ref())?;
        let _ = inside;
        let factor_text = poly_text(&factor);
        return Some(Step {
            nudge: "is there something that divides every term?".into(),
            name: format!("take out the common factor {factor_text}"),
            next: format!("{factor_text}({inside_text})"),
        });
    }
    let [atom] = atoms.as_slice() else {
        return None;
    };
    let Atom::Var(letter) = atom else { return None };
    let p = UPoly::from_poly(&poly, atom)?;
    if p.degree() != 2 {
        return None;
    }
    let coefficients: Vec<BigRational> = p
        .coefficients
        .iter()
        .map(Real::as_rational)
        .collect::<Option<_>>()?;
    let (c, b, a) = (&coefficients[0], &coefficients[1], &coefficients[2]);
    let discriminant = b * b - BigRational::from_integer(BigInt::from(4)) * a * c;
    let root = crate::maths::poly::exact_root(&discriminant, 2)?;
    let two_a = a * BigRational::from_integer(BigInt::from(2));
    let r1 = (-b + &root) / &two_a;
    let r2 = (-b - &root) / &two_a;
    let (m, n) = (-&r1 * a, -&r2 * a);
    let nudge = if b.is_zero() {
        "is it a difference of two squares?".to_string()
    } else {
        format!(
            "look for two numbers that multiply to {} and add to {}",
            rational_text(&(a * c)),
            rational_text(b)
        )
    };
    Some(Step {
        nudge,
        name: format!(
            "the two numbers are {} and {}: use them to write two brackets",
            rational_text(&m),
            rational_text(&n)
        ),
        next: factorised_quadratic(letter, a, &r1, &r2),
    })
}

/// `poly / factor` written out, for a factor that divides every term.
fn reduce_by_monomial(poly: &Poly, factor: &Poly, _letter: Option<&Atom>) -> Option<String> {
    let (monomial, coefficient) = factor.terms.iter().next()?;
    let inverse = coefficient.inverse()?;
    let mut terms = BTreeMap::new();
    for (m, c) in &poly.terms {
        let mut reduced = m.clone();
        for (atom, power) in monomial {
            let entry = reduced.iter_mut().find(|(a, _)| a == atom)?;
            entry.1 -= power;
        }
        reduced.retain(|(_, p)| *p > 0);
        terms.insert(reduced, c.mul(&inverse));
    }
    Some(poly_text(&Poly { terms }))
}

fn simplify_step(expr: &Expr, limits: &Limits) -> Option<Step> {
    if let Ok(Some(value)) = exact_value(expr, limits) {
        // Adding or subtracting fractions: common denominator first.
        if let Some(step) = fraction_step(expr) {
            return Some(step);
        }
        return Some(Step {
            nudge: "work out the numbers one operation at a time, brackets and powers first".into(),
            name: "finish the arithmetic and simplify".into(),
            next: real_text(&value),
        });
    }
    let frac = canonical(expr, limits).ok()?;
    Some(Step {
        nudge: "look for like terms: the same letters to the same powers".into(),
        name: "collect the like terms".into(),
        next: frac_text(&frac),
    })
}

fn fraction_step(expr: &Expr) -> Option<Step> {
    let Expr::Binary {
        op: op @ (BinOp::Add | BinOp::Sub),
        lhs,
        rhs,
        ..
    } = strip(expr)
    else {
        return None;
    };
    let fraction = |e: &Expr| -> Option<(BigInt, BigInt)> {
        let Expr::Binary {
            op: BinOp::Div,
            lhs,
            rhs,
            ..
        } = strip(e)
        else {
            return None;
        };
        match (strip(lhs), strip(rhs)) {
            (Expr::Num(a), Expr::Num(b)) if a.value.is_integer() && b.value.is_integer() => {
                Some((a.value.to_integer(), b.value.to_integer()))
            }
            _ => None,
        }
    };
    let ((a, b), (c, d)) = (fraction(lhs)?, fraction(rhs)?);
    if b == d {
        let top = if *op == BinOp::Add { &a + &c } else { &a - &c };
        return Some(Step {
            nudge: "the denominators are the same, so combine the numerators".into(),
            name: format!(
                "{} the numerators and keep the denominator {b}",
                if *op == BinOp::Add { "add" } else { "subtract" }
            ),
            next: format!("{top}/{b}"),
        });
    }
    let common = num_integer::Integer::lcm(&b, &d);
    let left = &a * (&common / &b);
    let right = &c * (&common / &d);
    let symbol = if *op == BinOp::Add { "+" } else { "-" };
    Some(Step {
        nudge: "you can only add or subtract fractions with the same denominator".into(),
        name: format!("write both fractions with the common denominator {common}"),
        next: format!("{left}/{common} {symbol} {right}/{common}"),
    })
}

/// The next line for simultaneous linear equations in two unknowns.
fn simultaneous(
    task: &Task,
    system: &Statement,
    accepted: &[&str],
    limits: &Limits,
) -> Option<Step> {
    let unknowns = unknowns_of(task, system);
    let [x, y] = unknowns.as_slice() else {
        return None;
    };
    let Statement::And(parts) = system else {
        return None;
    };
    let [first, second] = parts.as_slice() else {
        return None;
    };
    let row = |s: &Statement| -> Option<(BigRational, BigRational, BigRational)> {
        let (l, _, r) = side(s)?;
        let mut budget = Budget::new(*limits);
        let f = canonical(l, limits)
            .ok()?
            .sub(&canonical(r, limits).ok()?, &mut budget)
            .ok()?;
        let mut a = BigRational::zero();
        let mut b = BigRational::zero();
        let mut c = BigRational::zero();
        for (m, coefficient) in &f.num.terms {
            let q = coefficient.as_rational()?;
            match m.as_slice() {
                [] => c = -q,
                [(Atom::Var(name), 1)] if name == x => a = q,
                [(Atom::Var(name), 1)] if name == y => b = q,
                _ => return None,
            }
        }
        Some((a, b, c))
    };
    let (a1, b1, c1) = row(first)?;
    let (a2, b2, c2) = row(second)?;
    let determinant = &a1 * &b2 - &a2 * &b1;
    if determinant.is_zero() {
        return None;
    }
    let x_value = (&c1 * &b2 - &c2 * &b1) / &determinant;
    let y_value = (&a1 * &c2 - &a2 * &c1) / &determinant;

    // What the student has found so far.
    let found = |letter: &str| {
        accepted.iter().any(|line| {
            let compact: String = line.chars().filter(|c| !c.is_whitespace()).collect();
            compact.starts_with(&format!("{letter}="))
                && compact[letter.len() + 1..].parse::<f64>().is_ok()
        })
    };
    let (has_x, has_y) = (found(x), found(y));
    if has_x && !has_y {
        return Some(Step {
            nudge: format!("you know {x}; use it to find {y}"),
            name: format!(
                "substitute {x} = {} into one of the equations",
                rational_text(&x_value)
            ),
            next: format!("{y} = {}", rational_text(&y_value)),
        });
    }
    if has_y && !has_x {
        return Some(Step {
            nudge: format!("you know {y}; use it to find {x}"),
            name: format!(
                "substitute {y} = {} into one of the equations",
                rational_text(&y_value)
            ),
            next: format!("{x} = {}", rational_text(&x_value)),
        });
    }
    if let Some(last) = accepted.last() {
        // A single equation in one letter after eliminating: solve it.
        let compact: String = last.chars().filter(|c| !c.is_whitespace()).collect();
        if !compact.contains(',') && (compact.contains(x.as_str()) != compact.contains(y.as_str()))
        {
            let letter = if compact.contains(x.as_str()) { x } else { y };
            let value = if letter == x { &x_value } else { &y_value };
            return Some(Step {
                nudge: format!("this equation has only {letter} in it; solve it"),
                name: format!("divide to get {letter} on its own"),
                next: format!("{letter} = {}", rational_text(value)),
            });
        }
    }
    // Eliminate y: make its coefficients match, then add or subtract.
    let (k1, k2) = (b2.abs(), b1.abs());
    let same_sign = b1.is_negative() == b2.is_negative();
    let (ea, ec) = if same_sign {
        (&a1 * &k1 - &a2 * &k2, &c1 * &k1 - &c2 * &k2)
    } else {
        (&a1 * &k1 + &a2 * &k2, &c1 * &k1 + &c2 * &k2)
    };
    let verb = if same_sign { "subtract" } else { "add" };
    let name = if k1 == k2 {
        format!("{verb} the equations to eliminate {y}")
    } else {
        format!("multiply the first equation by {} and the second by {}, then {verb} them to eliminate {y}", rational_text(&k1), rational_text(&k2))
    };
    Some(Step {
        nudge: format!("get rid of one letter: can you make the {y} terms match?"),
        name,
        next: format!(
            "{} = {}",
            linear_text(x, &ea, &BigRational::zero()),
            rational_text(&ec)
        ),
    })
}
