//! Rounding to decimal places and significant figures, half away from zero,
//! done on exact rationals so that `2.675` rounds to `2.68` (in binary
//! floating point it would be just under the half).

use num_bigint::BigInt;
use num_integer::Integer;
use num_rational::BigRational;
use num_traits::{One, Signed, Zero};

use super::Rounding;
use crate::maths::ast::{BinOp, Expr, Literal, LiteralKind};

fn ten_to(n: i64) -> BigRational {
    let power = num_traits::pow(BigInt::from(10), n.unsigned_abs() as usize);
    if n >= 0 {
        BigRational::from_integer(power)
    } else {
        BigRational::new(BigInt::one(), power)
    }
}

/// Rounds to `places` decimal places (negative: to tens, hundreds, ...).
pub fn round_dp(value: &BigRational, places: i64) -> BigRational {
    let scale = ten_to(places);
    let scaled = (value.abs() * &scale) + BigRational::new(BigInt::one(), BigInt::from(2));
    let rounded = BigRational::from_integer(scaled.floor().to_integer()) / scale;
    if value.is_negative() {
        -rounded
    } else {
        rounded
    }
}

/// The exponent `k` with `10^k ≤ |value| < 10^(k+1)`; zero for zero.
pub fn decimal_exponent(value: &BigRational) -> i64 {
    let magnitude = value.abs();
    if magnitude.is_zero() {
        return 0;
    }
    let mut k: i64 =
        (magnitude.numer().bits() as i64 - magnitude.denom().bits() as i64) * 30103 / 100_000;
    while ten_to(k) > magnitude {
        k -= 1;
    }
    while ten_to(k + 1) <= magnitude {
        k += 1;
    }
    k
}

pub fn round_sf(value: &BigRational, figures: u32) -> BigRational {
    if value.is_zero() {
        return value.clone();
    }
    let exponent = decimal_exponent(value);
    let rounded = round_dp(value, i64::from(figures) - 1 - exponent);
    // Rounding up can add a digit (9.96 to 2 s.f. is 10); that is still right.
    rounded
}

pub fn apply(value: &BigRational, rounding: Rounding) -> BigRational {
    match rounding {
        Rounding::DecimalPlaces(n) => round_dp(value, i64::from(n)),
        Rounding::SignificantFigures(n) => round_sf(value, n),
    }
}

/// Rounding toward zero, the usual slip when a student truncates.
pub fn truncate(value: &BigRational, rounding: Rounding) -> BigRational {
    let places = match rounding {
        Rounding::DecimalPlaces(n) => i64::from(n),
        Rounding::SignificantFigures(n) => i64::from(n) - 1 - decimal_exponent(value),
    };
    let scale = ten_to(places);
    let scaled = value * &scale;
    BigRational::from_integer(scaled.to_integer()) / scale
}

/// Decimal places shown in a literal as typed: `3.50` has 2.
pub fn places_shown(literal: &Literal) -> u32 {
    match literal.kind {
        LiteralKind::Decimal => literal.text.split_once('.').map_or(0, |(_, after)| {
            after.chars().take_while(char::is_ascii_digit).count() as u32
        }),
        _ => 0,
    }
}

/// Significant figures shown, counting trailing zeros after a point but
/// not trailing zeros of an integer (so `1200` shows 2, `12.0` shows 3).
pub fn figures_shown(literal: &Literal) -> u32 {
    let digits: String = literal
        .text
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    let has_point = digits.contains('.');
    let all: String = digits.chars().filter(char::is_ascii_digit).collect();
    if has_point && all.chars().all(|c| c == '0') {
        // Zero written to a number of places, such as 0.000, shows each of them.
        let after = digits.split_once('.').map_or(0, |(_, a)| a.len());
        return (after as u32).max(1);
    }
    let trimmed = all.trim_start_matches('0');
    let significant = if has_point {
        trimmed.to_string()
    } else {
        trimmed.trim_end_matches('0').to_string()
    };
    (significant.len() as u32).max(1)
}

/// The literal a line's value is written as: `2.35`, `-2.35`, `(2.35)`,
/// or in standard form `6.02 × 10^23`, whose figures are the mantissa's.
pub fn literal_of(expr: &Expr) -> Option<(Literal, bool)> {
    match expr {
        Expr::Num(literal) => Some((literal.clone(), false)),
        Expr::Neg(inner) => literal_of(inner).map(|(l, negative)| (l, !negative)),
        Expr::Group(inner) => literal_of(inner),
        Expr::Binary {
            op: BinOp::Mul,
            lhs,
            rhs,
            ..
        } => {
            let (mantissa, negative) = literal_of(lhs)?;
            let Expr::Binary {
                op: BinOp::Pow,
                lhs: base,
                rhs: exponent,
                ..
            } = strip(rhs)
            else {
                return None;
            };
            let (ten, false) = literal_of(base)? else {
                return None;
            };
            if ten.value != BigRational::from_integer(BigInt::from(10)) {
                return None;
            }
            let (power, power_negative) = literal_of(exponent)?;
            if !power.value.is_integer() {
                return None;
            }
            let n = power.value.to_integer();
            let n: i64 = num_traits::ToPrimitive::to_i64(&n)?;
            let n = if power_negative { -n } else { n };
            if n.abs() > 400 {
                return None;
            }
            Some((
                Literal {
                    value: &mantissa.value * ten_to(n),
                    ..mantissa
                },
                negative,
            ))
        }
        _ => None,
    }
}

fn strip(expr: &Expr) -> &Expr {
    match expr {
        Expr::Group(inner) => strip(inner),
        other => other,
    }
}

/// Whether the literal shows the number of places or figures asked for.
pub fn shows_precision(literal: &Literal, rounding: Rounding) -> bool {
    match rounding {
        Rounding::DecimalPlaces(n) => places_shown(literal) == n,
        Rounding::SignificantFigures(n) => {
            let shown = figures_shown(literal);
            // An integer such as 1200 to 3 s.f. cannot show its third zero,
            // but it has no more figures than digits: 1200 is not 5 s.f.
            let digits = literal
                .text
                .chars()
                .filter(char::is_ascii_digit)
                .skip_while(|c| *c == '0')
                .count() as u32;
            shown == n
                || (literal.kind == LiteralKind::Integer
                    && shown < n
                    && n <= digits
                    && literal.value.numer().is_multiple_of(&BigInt::from(10)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::maths::number::rational;

    #[test]
    fn halves_round_away_from_zero() {
        assert_eq!(round_dp(&rational(5, 2), 0), rational(3, 1));
        assert_eq!(round_dp(&rational(-5, 2), 0), rational(-3, 1));
        assert_eq!(round_dp(&rational(2675, 1000), 2), rational(268, 100));
    }

    #[test]
    fn significant_figures() {
        assert_eq!(round_sf(&rational(123_456, 1), 2), rational(120_000, 1));
        assert_eq!(round_sf(&rational(1, 300), 2), rational(33, 10_000));
        assert_eq!(round_sf(&rational(996, 100), 2), rational(10, 1));
    }

    fn integer(text: &str) -> Literal {
        Literal {
            value: BigRational::from_integer(text.parse().expect("integer")),
            text: text.to_string(),
            kind: LiteralKind::Integer,
        }
    }

    #[test]
    fn integer_trailing_zeros_figures() {
        // 2000 shows 1 figure for certain and may stand for 2, 3 or 4.
        for n in 1..=4 {
            assert!(shows_precision(
                &integer("2000"),
                Rounding::SignificantFigures(n)
            ));
        }
        assert!(!shows_precision(
            &integer("2000"),
            Rounding::SignificantFigures(5)
        ));
        assert!(!shows_precision(
            &integer("-121000"),
            Rounding::SignificantFigures(7)
        ));
        assert!(shows_precision(
            &integer("121000"),
            Rounding::SignificantFigures(6)
        ));
        assert!(!shows_precision(
            &integer("121000"),
            Rounding::SignificantFigures(2)
        ));
    }
}
