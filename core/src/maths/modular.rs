//! Exact evaluation modulo a large prime, for identities whose normal forms
//! are too big to build, such as `(x^4 + 1)^399`.
//!
//! Two different rational functions of total degree at most `d` agree at a
//! random point modulo `p` with probability at most `d/p` (the
//! Schwartz–Zippel lemma). With `p = 2^61 − 1`, a degree below a million and
//! several points, a wrong "equal" is far less likely than a cosmic-ray bit
//! flip. Only rational operations are supported: square roots and functions
//! make the evaluation return `None`, and the caller must not conclude.

use std::collections::BTreeMap;

use num_bigint::BigInt;
use num_traits::{Signed, ToPrimitive};

use super::ast::{BinOp, Constant, Expr};

/// The Mersenne prime 2^61 − 1.
pub const PRIME: u64 = (1 << 61) - 1;

fn mul(a: u64, b: u64) -> u64 {
    ((u128::from(a) * u128::from(b)) % u128::from(PRIME)) as u64
}

fn add(a: u64, b: u64) -> u64 {
    ((u128::from(a) + u128::from(b)) % u128::from(PRIME)) as u64
}

fn neg(a: u64) -> u64 {
    if a == 0 {
        0
    } else {
        PRIME - a
    }
}

fn pow(mut base: u64, mut exponent: u64) -> u64 {
    let mut result = 1;
    while exponent > 0 {
        if exponent & 1 == 1 {
            result = mul(result, base);
        }
        base = mul(base, base);
        exponent >>= 1;
    }
    result
}

fn inverse(a: u64) -> Option<u64> {
    (a != 0).then(|| pow(a, PRIME - 2))
}

fn reduce(value: &BigInt) -> u64 {
    let p = BigInt::from(PRIME);
    let mut r = value % &p;
    if r.is_negative() {
        r += p;
    }
    r.to_u64().unwrap_or(0)
}

/// The value of `expr` modulo [`PRIME`] at the given point, or `None` when
/// the expression is not a rational function or is undefined there.
pub fn eval(expr: &Expr, point: &BTreeMap<String, u64>) -> Option<u64> {
    match expr {
        Expr::Num(literal) => {
            let numerator = reduce(literal.value.numer());
            let denominator = reduce(literal.value.denom());
            Some(mul(numerator, inverse(denominator)?))
        }
        Expr::Var(name) => point.get(name).copied(),
        Expr::Const(Constant::Pi) => point.get("π").copied(),
        Expr::Const(Constant::E) => point.get("e").copied(),
        Expr::Neg(inner) => eval(inner, point).map(neg),
        Expr::Group(inner) => eval(inner, point),
        Expr::Percent(inner) => Some(mul(eval(inner, point)?, inverse(100)?)),
        Expr::Binary { op, lhs, rhs, .. } => {
            if *op == BinOp::Pow {
                let base = eval(lhs, point)?;
                let exponent = integer_exponent(rhs)?;
                return if exponent >= 0 {
                    Some(pow(base, exponent as u64))
                } else {
                    inverse(pow(base, exponent.unsigned_abs()))
                };
            }
            let a = eval(lhs, point)?;
            let b = eval(rhs, point)?;
            match op {
                BinOp::Add => Some(add(a, b)),
                BinOp::Sub => Some(add(a, neg(b))),
                BinOp::Mul => Some(mul(a, b)),
                BinOp::Div => Some(mul(a, inverse(b)?)),
                BinOp::Pow => None,
            }
        }
        Expr::PlusMinus { .. } | Expr::Call(..) | Expr::Factorial(_) => None,
    }
}

fn integer_exponent(expr: &Expr) -> Option<i64> {
    match expr {
        Expr::Num(literal) if literal.value.is_integer() => literal.value.to_integer().to_i64(),
        Expr::Neg(inner) => integer_exponent(inner).map(|n| -n),
        Expr::Group(inner) => integer_exponent(inner),
        _ => None,
    }
}

/// Whether two expressions agree at several pseudo-random points modulo the
/// prime; `None` when either cannot be evaluated this way.
pub fn agree(a: &Expr, b: &Expr, letters: &[String]) -> Option<bool> {
    // Fixed, well-spread points: the checker uses no hidden randomness.
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut defined = 0;
    for _ in 0..8 {
        let mut point = BTreeMap::new();
        for letter in letters.iter().map(String::as_str).chain(["π", "e"]) {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            point.insert(letter.to_string(), (state >> 3) % PRIME);
        }
        let (Some(x), Some(y)) = (eval(a, &point), eval(b, &point)) else {
            continue;
        };
        if x != y {
            return Some(false);
        }
        defined += 1;
        if defined == 4 {
            return Some(true);
        }
    }
    None
}

/// Whether `a − b` and `c − d` are non-zero constant multiples of each
/// other at several points modulo the prime: then the equations `a = b` and
/// `c = d` have the same solutions. `None` when that cannot be shown, which
/// is not evidence of a difference.
pub fn proportional(
    first: (&Expr, &Expr),
    second: (&Expr, &Expr),
    letters: &[String],
) -> Option<bool> {
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    let mut ratio: Option<u64> = None;
    let mut defined = 0;
    for _ in 0..8 {
        let mut point = BTreeMap::new();
        for letter in letters.iter().map(String::as_str).chain(["π", "e"]) {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            point.insert(letter.to_string(), (state >> 3) % PRIME);
        }
        let f = add(eval(first.0, &point)?, neg(eval(first.1, &point)?));
        let g = add(eval(second.0, &point)?, neg(eval(second.1, &point)?));
        let Some(r) = inverse(g).map(|inv| mul(f, inv)) else {
            continue;
        };
        if r == 0 {
            return None;
        }
        match ratio {
            None => ratio = Some(r),
            Some(existing) if existing != r => return None,
            Some(_) => {}
        }
        defined += 1;
    }
    (defined >= 4).then_some(true)
}
