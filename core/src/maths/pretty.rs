//! Canonical forms written the way a student would type them:
//! `3x^2 - 2x + 5`, `x/2 + 1`, `(x + 1)/(x - 2)`.

use std::cmp::Reverse;

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Signed};

use super::number::Real;
use super::poly::{Atom, Frac, Monomial, Poly};

fn atom_text(atom: &Atom) -> String {
    match atom {
        Atom::Var(name) => name.clone(),
        Atom::Pi => "π".into(),
        Atom::E => "e".into(),
        Atom::Opaque(key) => key.clone(),
    }
}

fn monomial_text(monomial: &Monomial) -> String {
    let mut text = String::new();
    for (atom, power) in monomial {
        text.push_str(&atom_text(atom));
        if *power > 1 {
            text.push('^');
            text.push_str(&power.to_string());
        }
    }
    text
}

/// A rational written as typed: `3`, `3/4`.
pub fn rational_text(q: &BigRational) -> String {
    if q.denom().is_one() {
        q.numer().to_string()
    } else {
        format!("{}/{}", q.numer(), q.denom())
    }
}

/// A number written as typed: `3`, `-3/4`, `2√3`, `1 + √2`.
pub fn real_text(value: &Real) -> String {
    if let Some(q) = value.as_rational() {
        return rational_text(&q);
    }
    value.to_string()
}

/// One term with its sign kept apart: (negative, text without the sign).
fn term_text(monomial: &Monomial, coefficient: &Real) -> (bool, String) {
    let letters = monomial_text(monomial);
    let Some(q) = coefficient.as_rational() else {
        // A surd coefficient: bracket it when it is a sum.
        let text = coefficient.to_string();
        let many = coefficient.terms().count() > 1;
        return match (letters.is_empty(), many) {
            (true, _) => (false, text),
            (false, true) => (false, format!("({text}){letters}")),
            (false, false) => {
                let negative = coefficient.is_negative();
                let magnitude = coefficient.abs().to_string();
                (negative, format!("{magnitude}{letters}"))
            }
        };
    };
    let negative = q.is_negative();
    let magnitude = q.abs();
    if letters.is_empty() {
        return (negative, rational_text(&magnitude));
    }
    let numerator = magnitude.numer();
    let denominator = magnitude.denom();
    let front = if numerator.is_one() {
        String::new()
    } else {
        numerator.to_string()
    };
    let text = if denominator.is_one() {
        format!("{front}{letters}")
    } else {
        format!("{front}{letters}/{denominator}")
    };
    (negative, text)
}

/// Terms ordered by falling degree, then by letters.
pub fn ordered_terms(poly: &Poly) -> Vec<(&Monomial, &Real)> {
    let mut terms: Vec<(&Monomial, &Real)> = poly.terms.iter().collect();
    terms.sort_by_key(|(m, _)| {
        (
            Reverse(m.iter().map(|(_, p)| *p).sum::<u32>()),
            (*m).clone(),
        )
    });
    terms
}

pub fn poly_text(poly: &Poly) -> String {
    let terms = ordered_terms(poly);
    if terms.is_empty() {
        return "0".into();
    }
    let mut text = String::new();
    for (i, (monomial, coefficient)) in terms.into_iter().enumerate() {
        let (negative, body) = term_text(monomial, coefficient);
        match (i, negative) {
            (0, true) => text.push('-'),
            (0, false) => {}
            (_, true) => text.push_str(" - "),
            (_, false) => text.push_str(" + "),
        }
        text.push_str(&body);
    }
    text
}

fn needs_brackets(poly: &Poly) -> bool {
    poly.terms.len() > 1 || poly.terms.values().any(|c| c.terms().count() > 1)
}

pub fn frac_text(frac: &Frac) -> String {
    let Some(den) = frac.den.as_constant() else {
        let top = poly_text(&frac.num);
        let bottom = poly_text(&frac.den);
        let top = if needs_brackets(&frac.num) {
            format!("({top})")
        } else {
            top
        };
        let bottom = if needs_brackets(&frac.den)
            || frac.den.terms.keys().any(|m| !m.is_empty())
                && frac.den.terms.values().any(|c| !c.is_one())
        {
            format!("({bottom})")
        } else {
            bottom
        };
        return format!("{top}/{bottom}");
    };
    match den.inverse() {
        Some(inverse) => poly_text(&frac.num.scale(&inverse)),
        None => poly_text(&frac.num),
    }
}

/// A linear factor `a·x + b` written with integer coefficients where it can be.
pub fn integer_linear(letter: &str, a: &BigRational, b: &BigRational) -> String {
    let scale = BigRational::from_integer(num_integer::lcm(a.denom().clone(), b.denom().clone()));
    let (a, b) = (a * &scale, b * &scale);
    let mut a = a.to_integer();
    let mut b = b.to_integer();
    if a.is_negative() {
        a = -a;
        b = -b;
    }
    let front = if a.is_one() {
        String::new()
    } else {
        a.to_string()
    };
    if b == BigInt::from(0) {
        return format!("{front}{letter}");
    }
    let sign = if b.is_negative() { "-" } else { "+" };
    format!("{front}{letter} {sign} {}", b.abs())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::maths::number::rational;

    fn x() -> Poly {
        Poly::atom(Atom::Var("x".into()))
    }

    #[test]
    fn polynomial_reads_as_typed() {
        let mut budget = crate::maths::poly::Budget::new(crate::maths::Limits::default());
        let p = x()
            .mul(&x(), &mut budget)
            .expect("small")
            .scale(&Real::from_int(3))
            .sub(&x().scale(&Real::from_int(2)))
            .add(&Poly::constant(Real::from_int(5)));
        assert_eq!(poly_text(&p), "3x^2 - 2x + 5");
        let half = x().scale(&Real::from_rational(rational(-1, 2)));
        assert_eq!(poly_text(&half), "-x/2");
    }

    #[test]
    fn linear_factor_has_integers() {
        assert_eq!(
            integer_linear("x", &rational(1, 1), &rational(-3, 1)),
            "x - 3"
        );
        assert_eq!(
            integer_linear("x", &rational(1, 1), &rational(1, 2)),
            "2x + 1"
        );
    }
}
