//! Form checks on a final answer whose value is already right: the unknown
//! isolated, brackets expanded, fully factorised, fractions in lowest terms,
//! surds simplified, rounding shown, standard form.

use num_bigint::BigInt;
use num_integer::Integer;
use num_rational::BigRational;
use num_traits::{One, Signed, ToPrimitive, Zero};

use super::rounding;
use super::run::{unknowns_of, Line};
use super::{AnswerForm, Task};
use crate::maths::ast::{BinOp, Expr, Func, LiteralKind, Statement};
use crate::maths::equiv::{canonical, collect_vars};
use crate::maths::poly::{Frac, Poly};
use crate::maths::upoly::UPoly;
use crate::maths::Limits;

pub(crate) enum FormResult {
    Done,
    /// Right so far, but not yet an answer: keep going.
    NotYet(String),
    /// The right value in a form the question does not accept.
    WrongForm(String),
}

pub(crate) fn check_final(
    task: &Task,
    question: &Line,
    line: &Line,
    limits: &Limits,
) -> FormResult {
    if let Some(rule) = task.rounding {
        return match super::run::typed_values(line) {
            Some(values)
                if values
                    .iter()
                    .all(|(l, _)| rounding::shows_precision(l, rule)) =>
            {
                FormResult::Done
            }
            Some(_) => FormResult::WrongForm(match rule {
                super::Rounding::DecimalPlaces(n) => {
                    format!("give the answer to exactly {n} decimal places")
                }
                super::Rounding::SignificantFigures(n) => {
                    format!("give the answer to exactly {n} significant figures")
                }
            }),
            None => FormResult::NotYet("now round the answer as the question asks".into()),
        };
    }
    match (task.answer_form(), line) {
        (AnswerForm::Isolated, Line::Statement(statement)) => {
            let Line::Statement(q) = question else {
                return FormResult::Done;
            };
            isolated(statement, &unknowns_of(task, q))
        }
        // Index laws: a single power such as 3^7 is the simplified answer.
        (AnswerForm::Simplified, Line::Expr(parts)) if is_number(parts.last()) => {
            match parts.last().map(strip) {
                Some(Expr::Binary {
                    op: BinOp::Pow,
                    lhs,
                    rhs,
                    ..
                }) if is_literal(lhs) && is_literal(rhs) => FormResult::Done,
                Some(other) => number_form(other),
                None => FormResult::Done,
            }
        }
        (AnswerForm::Number, Line::Expr(parts)) if is_number(parts.last()) => {
            parts.last().map_or(FormResult::Done, number_form)
        }
        (AnswerForm::Simplified, Line::Expr(parts)) => parts
            .last()
            .map_or(FormResult::Done, |e| simplified(e, limits)),
        (AnswerForm::Number, Line::Expr(_)) => {
            FormResult::NotYet("work it out to a single number".into())
        }
        (AnswerForm::Expanded, Line::Expr(parts)) => parts
            .last()
            .map_or(FormResult::Done, |e| expanded(e, limits)),
        (AnswerForm::Factorised, Line::Expr(parts)) => parts
            .last()
            .map_or(FormResult::Done, |e| factorised(e, limits)),
        (AnswerForm::StandardForm, Line::Expr(parts)) => {
            parts.last().map_or(FormResult::Done, standard_form)
        }
        _ => FormResult::Done,
    }
}

fn is_number(expr: Option<&Expr>) -> bool {
    expr.is_some_and(|e| {
        let mut letters = Vec::new();
        collect_vars(e, &mut letters);
        letters.is_empty()
    })
}

fn strip(expr: &Expr) -> &Expr {
    match expr {
        Expr::Group(inner) => strip(inner),
        other => other,
    }
}

/// Every part is `x = value`, `x < value` or `a < x < b`, with the value
/// free of the unknowns and in simplest form.
fn isolated(statement: &Statement, unknowns: &[String]) -> FormResult {
    let parts: Vec<&Statement> = match statement {
        Statement::Or(parts) | Statement::And(parts) => parts.iter().collect(),
        other => vec![other],
    };
    for part in parts {
        let Statement::Relation { parts: sides, ops } = part else {
            return FormResult::NotYet("write each answer as the letter = its value".into());
        };
        let position = sides
            .iter()
            .position(|s| matches!(strip(s), Expr::Var(v) if unknowns.contains(v)));
        let Some(position) = position else {
            return FormResult::NotYet(format!(
                "keep going: get {} on its own",
                unknowns.join(" and ")
            ));
        };
        // `x = 5`, `5 = x`, `x < 4`, `4 > x` and `1 < x < 3` all have the letter alone.
        let alone = ops.len() == 1 || (ops.len() == 2 && position == 1);
        if !alone {
            return FormResult::NotYet(format!(
                "keep going: get {} on its own",
                unknowns.join(" and ")
            ));
        }
        for (i, side) in sides.iter().enumerate() {
            if i == position {
                continue;
            }
            let mut letters = Vec::new();
            collect_vars(side, &mut letters);
            if letters.iter().any(|l| unknowns.contains(l)) {
                return FormResult::NotYet(format!(
                    "keep going: the other side still has {} in it",
                    unknowns.join(" or ")
                ));
            }
            if letters.is_empty() {
                if let FormResult::WrongForm(message) | FormResult::NotYet(message) =
                    number_form(side)
                {
                    return FormResult::WrongForm(message);
                }
            }
        }
    }
    FormResult::Done
}

/// A number in simplest form: no arithmetic left to do, fractions in lowest
/// terms, surds simplified.
fn number_form(expr: &Expr) -> FormResult {
    if let Some(message) = unfinished_arithmetic(expr) {
        return FormResult::WrongForm(message);
    }
    FormResult::Done
}

fn is_literal(expr: &Expr) -> bool {
    matches!(strip(expr), Expr::Num(_))
        || matches!(strip(expr), Expr::Neg(inner) if matches!(strip(inner), Expr::Num(_)))
}

fn integer_value(expr: &Expr) -> Option<BigInt> {
    match strip(expr) {
        Expr::Num(l) if l.kind == LiteralKind::Integer => Some(l.value.to_integer()),
        Expr::Neg(inner) => integer_value(inner).map(|v| -v),
        _ => None,
    }
}

fn is_negative_literal(expr: &Expr) -> bool {
    matches!(strip(expr), Expr::Neg(inner) if matches!(strip(inner), Expr::Num(_)))
}

/// A square root of a number somewhere in the expression.
fn has_surd(expr: &Expr) -> bool {
    match strip(expr) {
        Expr::Call(Func::Sqrt, inner) => integer_value(inner).is_some(),
        Expr::Binary { lhs, rhs, .. } => has_surd(lhs) || has_surd(rhs),
        Expr::Neg(inner) => has_surd(inner),
        _ => false,
    }
}

/// The first piece of arithmetic left undone, as a message.
fn unfinished_arithmetic(expr: &Expr) -> Option<String> {
    match strip(expr) {
        Expr::Binary { op, lhs, rhs, .. } => {
            if *op == BinOp::Div && is_negative_literal(rhs) {
                return Some(
                    "write the minus sign in front of the fraction, not in the denominator".into(),
                );
            }
            if *op == BinOp::Div && has_surd(rhs) {
                return Some(
                    "rationalise the denominator: multiply top and bottom by the surd".into(),
                );
            }
            if *op == BinOp::Div {
                if let (Some(n), Some(d)) = (integer_value(lhs), integer_value(rhs)) {
                    let g = n.gcd(&d);
                    if d.abs().is_one() {
                        return Some(format!("{n}/{d} is a whole number: write it as one"));
                    }
                    if !g.is_one() {
                        return Some(format!(
                            "the fraction {n}/{d} can be simplified: divide top and bottom by {g}"
                        ));
                    }
                    return None;
                }
            }
            if is_literal(lhs) && is_literal(rhs) {
                return Some("there is still arithmetic to do: work out the numbers".into());
            }
            unfinished_arithmetic(lhs).or_else(|| unfinished_arithmetic(rhs))
        }
        Expr::Call(Func::Sqrt, inner) => {
            let Some(n) = integer_value(inner) else {
                return unfinished_arithmetic(inner);
            };
            let n = n.to_u64()?;
            let root = (n as f64).sqrt().round() as u64;
            if root * root == n {
                return Some(format!("√{n} is a whole number: {root}"));
            }
            let largest = (2..=root).rev().find(|k| n % (k * k) == 0);
            largest.map(|k| {
                format!(
                    "√{n} can be simplified: {n} = {} × {}, so take √{} = {k} out",
                    k * k,
                    n / (k * k),
                    k * k
                )
            })
        }
        Expr::Neg(inner) => match strip(inner) {
            Expr::Neg(_) => Some("two minus signs together make a plus".into()),
            other => unfinished_arithmetic(other),
        },
        Expr::Percent(_) => Some("write the percentage as a number".into()),
        Expr::Call(_, inner) => unfinished_arithmetic(inner),
        _ => None,
    }
}

/// Additive terms as written, flattening + and − and brackets around sums.
fn additive_terms(expr: &Expr) -> Vec<&Expr> {
    match expr {
        Expr::Binary {
            op: BinOp::Add | BinOp::Sub,
            lhs,
            rhs,
            ..
        } => {
            let mut terms = additive_terms(lhs);
            terms.extend(additive_terms(rhs));
            terms
        }
        Expr::Neg(inner) => additive_terms(inner),
        other => vec![other],
    }
}

fn is_sum(expr: &Expr) -> bool {
    match strip(expr) {
        Expr::Binary {
            op: BinOp::Add | BinOp::Sub,
            ..
        } => true,
        Expr::Neg(inner) => is_sum(inner),
        _ => false,
    }
}

/// A product or power with a sum inside, such as `3(x + 2)` or `(x + 1)^2`.
fn has_bracket_product(expr: &Expr) -> bool {
    match expr {
        Expr::Binary {
            op: BinOp::Mul,
            lhs,
            rhs,
            ..
        } => is_sum(lhs) || is_sum(rhs) || has_bracket_product(lhs) || has_bracket_product(rhs),
        Expr::Binary {
            op: BinOp::Pow,
            lhs,
            ..
        } => is_sum(lhs) || has_bracket_product(lhs),
        Expr::Binary { lhs, rhs, .. } => has_bracket_product(lhs) || has_bracket_product(rhs),
        Expr::Neg(inner) => {
            matches!(**inner, Expr::Group(_)) && is_sum(inner) || has_bracket_product(inner)
        }
        Expr::Group(inner) => has_bracket_product(inner),
        _ => false,
    }
}

fn like_terms_collected(expr: &Expr, limits: &Limits) -> Option<String> {
    let Ok(frac) = canonical(expr, limits) else {
        return None;
    };
    frac.den.as_constant()?;
    let written = additive_terms(strip(expr)).len();
    // A coefficient such as 3 + 2√3 is written as one term per surd, since
    // 3 and 2√3 are not like terms.
    let needed: usize = frac
        .num
        .terms
        .values()
        .map(|coefficient| coefficient.terms().count().max(1))
        .sum::<usize>()
        .max(1);
    (written > needed).then(|| "collect the like terms".to_string())
}

fn expanded(expr: &Expr, limits: &Limits) -> FormResult {
    if has_bracket_product(expr) {
        return FormResult::NotYet("there are still brackets to multiply out".into());
    }
    if let Some(message) = like_terms_collected(expr, limits) {
        return FormResult::NotYet(message);
    }
    if let Some(message) = unfinished_arithmetic(expr) {
        return FormResult::NotYet(message);
    }
    FormResult::Done
}

fn simplified(expr: &Expr, limits: &Limits) -> FormResult {
    if let Some(message) = like_terms_collected(expr, limits) {
        return FormResult::NotYet(message);
    }
    if let Some(message) = unfinished_arithmetic(expr) {
        return FormResult::NotYet(message);
    }
    if let Some(message) = compound_fraction(expr) {
        return FormResult::NotYet(message);
    }
    if let Ok(frac) = canonical(expr, limits) {
        if let Some(message) = common_factor_in_fraction(&frac, limits) {
            return FormResult::NotYet(message);
        }
        if let Some(message) = common_number_in_fraction(&frac) {
            return FormResult::NotYet(message);
        }
    }
    FormResult::Done
}

/// Finds a fraction written inside the top or bottom of another, such as
/// `1/(1 - 1/x)` or `(x/2)/3`, or a division by 1: neither is simplified.
fn compound_fraction(expr: &Expr) -> Option<String> {
    match strip(expr) {
        Expr::Binary {
            op: BinOp::Div,
            lhs,
            rhs,
            ..
        } => {
            if matches!(strip(rhs), Expr::Num(n) if n.value.is_one()) {
                return Some("dividing by 1 changes nothing, so leave it out".into());
            }
            if has_negative_power(rhs) {
                return Some(
                    "a negative power on the bottom of a fraction is a positive power on the top, as 1/x^-2 = x^2".into(),
                );
            }
            if contains_division(lhs) || contains_division(rhs) {
                return Some(
                    "write it as a single fraction: multiply the top and bottom by the denominators inside them".into(),
                );
            }
            compound_fraction(lhs).or_else(|| compound_fraction(rhs))
        }
        Expr::Binary { lhs, rhs, .. } => compound_fraction(lhs).or_else(|| compound_fraction(rhs)),
        Expr::Neg(inner) | Expr::Group(inner) => compound_fraction(inner),
        _ => None,
    }
}

/// Checks whether a factor of a product is a power with a negative
/// number as its exponent, such as the x^-2 in 3x^-2.
fn has_negative_power(expr: &Expr) -> bool {
    match strip(expr) {
        Expr::Binary {
            op: BinOp::Pow,
            rhs,
            ..
        } => is_negative_literal(rhs),
        Expr::Binary {
            op: BinOp::Mul,
            lhs,
            rhs,
            ..
        } => has_negative_power(lhs) || has_negative_power(rhs),
        Expr::Neg(inner) => has_negative_power(inner),
        _ => false,
    }
}

/// Checks whether a division appears in a sum or product, not counting those
/// inside functions and powers.
fn contains_division(expr: &Expr) -> bool {
    match strip(expr) {
        Expr::Binary { op: BinOp::Div, .. } => true,
        Expr::Binary {
            op: BinOp::Mul | BinOp::Add | BinOp::Sub,
            lhs,
            rhs,
            ..
        } => contains_division(lhs) || contains_division(rhs),
        Expr::Neg(inner) => contains_division(inner),
        _ => false,
    }
}

/// Finds a whole number greater than 1 that divides every coefficient of both
/// the top and the bottom, as 2 does in `(2a + 2b)/(4c + 4d)`.
fn common_number_in_fraction(frac: &Frac) -> Option<String> {
    if frac.den.as_constant().is_some() {
        return None;
    }
    let content = |poly: &Poly| -> Option<BigInt> {
        let mut g = BigInt::zero();
        for coefficient in poly.terms.values() {
            let q = coefficient.as_rational()?;
            if !q.is_integer() {
                return None;
            }
            g = g.gcd(q.numer());
        }
        Some(g)
    };
    let common = content(&frac.num)?.gcd(&content(&frac.den)?);
    (common > BigInt::one()).then(|| format!("the top and bottom can both be divided by {common}"))
}

fn common_factor_in_fraction(frac: &Frac, limits: &Limits) -> Option<String> {
    let atoms = frac.atoms();
    let [atom] = atoms.as_slice() else {
        return None;
    };
    let num = UPoly::from_poly(&frac.num, atom)?;
    let den = UPoly::from_poly(&frac.den, atom)?;
    if den.degree() == 0 {
        return None;
    }
    let mut budget = crate::maths::poly::Budget::new(*limits);
    let g = num.gcd(&den, &mut budget).ok()?;
    (g.degree() >= 1).then(|| "the top and bottom still have a common factor to cancel".to_string())
}

/// Factors of a product as written: `2(x + 1)(x - 3)^2` gives 2, x + 1, x - 3.
fn factors(expr: &Expr) -> Vec<&Expr> {
    match strip(expr) {
        Expr::Binary {
            op: BinOp::Mul,
            lhs,
            rhs,
            ..
        } => {
            let mut all = factors(lhs);
            all.extend(factors(rhs));
            all
        }
        Expr::Binary {
            op: BinOp::Pow,
            lhs,
            rhs,
            ..
        } if matches!(strip(rhs), Expr::Num(_)) => factors(lhs),
        Expr::Neg(inner) => factors(inner),
        other => vec![other],
    }
}

fn factorised(expr: &Expr, limits: &Limits) -> FormResult {
    let parts = factors(expr);
    let is_product = match strip(expr) {
        Expr::Neg(inner) => !matches!(
            strip(inner),
            Expr::Binary {
                op: BinOp::Add | BinOp::Sub,
                ..
            }
        ),
        other => matches!(
            other,
            Expr::Binary {
                op: BinOp::Mul | BinOp::Pow,
                ..
            }
        ),
    };
    if !is_product && parts.len() == 1 && is_sum(parts[0]) {
        // A single sum is already factorised when nothing comes out of it.
        return match reducible(parts[0], limits) {
            Some(message) => FormResult::NotYet(message),
            None => FormResult::Done,
        };
    }
    for factor in parts {
        let Ok(frac) = canonical(factor, limits) else {
            continue;
        };
        // A factor whose value is a number, such as the (3 + 1) in
        // 2/3(3 + 1), has no common factor or root to take out.
        if frac.as_constant().is_some() {
            continue;
        }
        if frac.den.as_constant().is_none() {
            return FormResult::WrongForm(
                "each factor should be a polynomial, with no letters in a denominator".into(),
            );
        }
        if !is_sum(factor) {
            continue;
        }
        if let Some(message) = reducible(factor, limits) {
            return FormResult::WrongForm(format!("not fully factorised: {message}"));
        }
    }
    FormResult::Done
}

/// Why a sum can be factorised further, if it can.
fn reducible(sum: &Expr, limits: &Limits) -> Option<String> {
    let frac = canonical(sum, limits).ok()?;
    frac.den.as_constant()?;
    let poly = &frac.num;
    // A common whole-number factor.
    let mut content = BigInt::zero();
    for coefficient in poly.terms.values() {
        let q = coefficient.as_rational()?;
        if !q.is_integer() {
            return None;
        }
        content = content.gcd(&q.to_integer());
    }
    if content > BigInt::one() {
        return Some(format!("{content} is a factor of every term"));
    }
    // A letter common to every term.
    for atom in poly.atoms() {
        if poly.terms.keys().all(|m| m.iter().any(|(a, _)| *a == atom)) {
            return Some(format!("{atom} is a factor of every term"));
        }
    }
    // One letter: a rational root means a linear factor.
    let atoms = poly.atoms();
    if let [atom] = atoms.as_slice() {
        let upoly = UPoly::from_poly(poly, atom)?;
        if upoly.degree() >= 2 && has_rational_root(&upoly) {
            return Some("a bracket still factorises".into());
        }
    }
    if let Some(message) = difference_of_squares(poly) {
        return Some(message);
    }
    None
}

fn difference_of_squares(poly: &Poly) -> Option<String> {
    if poly.terms.len() != 2 {
        return None;
    }
    let mut signs = Vec::new();
    for (monomial, coefficient) in &poly.terms {
        let q = coefficient.as_rational()?;
        crate::maths::poly::exact_root(&q.abs(), 2)?;
        if monomial.iter().any(|(_, p)| p % 2 == 1) {
            return None;
        }
        signs.push(q.is_negative());
    }
    (signs[0] != signs[1]).then(|| "a difference of two squares factorises".to_string())
}

fn has_rational_root(p: &UPoly) -> bool {
    // Rational root test on the integer polynomial: p/q with p | a0, q | an.
    let Some(rationals) = p
        .coefficients
        .iter()
        .map(|c| c.as_rational())
        .collect::<Option<Vec<_>>>()
    else {
        return false;
    };
    let lcm = rationals
        .iter()
        .fold(BigInt::one(), |acc, q| acc.lcm(q.denom()));
    let integers: Vec<BigInt> = rationals
        .iter()
        .map(|q| (q * BigRational::from_integer(lcm.clone())).to_integer())
        .collect();
    if integers[0].is_zero() {
        return true;
    }
    let (Some(a0), Some(an)) = (
        integers.first().and_then(|v| v.abs().to_u64()),
        integers.last().and_then(|v| v.abs().to_u64()),
    ) else {
        return false;
    };
    if a0 > 1_000_000 || an > 1_000_000 {
        return false;
    }
    let divisors = |n: u64| (1..=n).filter(move |d| n % d == 0);
    for numerator in divisors(a0) {
        for denominator in divisors(an) {
            for sign in [1i64, -1] {
                let candidate = BigRational::new(
                    BigInt::from(sign) * BigInt::from(numerator),
                    BigInt::from(denominator),
                );
                if p.eval(&candidate).is_zero() {
                    return true;
                }
            }
        }
    }
    false
}

fn standard_form(expr: &Expr) -> FormResult {
    let wrong =
        || FormResult::WrongForm("write it in standard form, A × 10^n with 1 ≤ A < 10".into());
    let Expr::Binary {
        op: BinOp::Mul,
        lhs,
        rhs,
        ..
    } = strip(expr)
    else {
        return wrong();
    };
    let Some((mantissa, negative)) = rounding::literal_of(lhs) else {
        return wrong();
    };
    let _ = negative;
    let ten = BigRational::from_integer(BigInt::from(10));
    if mantissa.value < BigRational::one() || mantissa.value >= ten {
        return wrong();
    }
    match strip(rhs) {
        Expr::Binary {
            op: BinOp::Pow,
            lhs: base,
            ..
        } if integer_value(base) == Some(BigInt::from(10)) => FormResult::Done,
        _ => wrong(),
    }
}
