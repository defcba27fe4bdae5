//! Exact real numbers of the form `q0 + q1·√d1 + q2·√d2 + …`: rationals with
//! square roots of square-free integers.
//!
//! These form a field (the multi-quadratic field over the rationals), so
//! every non-zero number has an inverse, and the representation is
//! canonical: square roots of distinct square-free integers are linearly
//! independent over the rationals, so a number is zero exactly when every
//! coefficient is. That makes equality and sign exact, with no rounding.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fmt;

use num_bigint::BigInt;
use num_integer::Integer;
use num_rational::BigRational;
use num_traits::{One, Signed, ToPrimitive, Zero};

use super::MathsError;

/// The largest radicand whose square factors are found by trial division.
const MAX_RADICAND: u64 = 1_000_000_000_000;

/// A number `Σ coefficient·√radicand`, radicands square-free, `1` for the
/// rational part, zero coefficients never stored.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Real {
    terms: BTreeMap<u64, BigRational>,
}

impl fmt::Debug for Real {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}")
    }
}

impl fmt::Display for Real {
    /// Plain calculator syntax, such as `3/2 + 2√3`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.terms.is_empty() {
            return write!(f, "0");
        }
        for (i, (radicand, coefficient)) in self.terms.iter().enumerate() {
            let negative = coefficient.is_negative();
            match (i, negative) {
                (0, true) => write!(f, "-")?,
                (0, false) => {}
                (_, true) => write!(f, " - ")?,
                (_, false) => write!(f, " + ")?,
            }
            let magnitude = coefficient.abs();
            if *radicand == 1 {
                write!(f, "{magnitude}")?;
                continue;
            }
            let numerator = magnitude.numer();
            let denominator = magnitude.denom();
            if !numerator.is_one() {
                write!(f, "{numerator}")?;
            }
            write!(f, "√{radicand}")?;
            if !denominator.is_one() {
                write!(f, "/{denominator}")?;
            }
        }
        Ok(())
    }
}

pub fn rational(numerator: i64, denominator: i64) -> BigRational {
    BigRational::new(BigInt::from(numerator), BigInt::from(denominator))
}

impl Real {
    pub fn zero() -> Real {
        Real::default()
    }

    pub fn one() -> Real {
        Real::from_rational(BigRational::one())
    }

    pub fn from_int(value: i64) -> Real {
        Real::from_rational(BigRational::from_integer(BigInt::from(value)))
    }

    pub fn from_rational(value: BigRational) -> Real {
        let mut terms = BTreeMap::new();
        if !value.is_zero() {
            terms.insert(1, value);
        }
        Real { terms }
    }

    /// The square root of a non-negative rational, in simplest surd form:
    /// `√12 = 2√3`, `√(1/2) = √2/2`.
    pub fn sqrt_of(value: &BigRational) -> Result<Real, MathsError> {
        if value.is_negative() {
            return Err(MathsError::Undefined(format!("the square root of {value}")));
        }
        if value.is_zero() {
            return Ok(Real::zero());
        }
        // √(p/q) = √(p·q)/q, so only an integer radicand is needed.
        let product = value.numer() * value.denom();
        let Some(radicand) = product.to_u64().filter(|r| *r <= MAX_RADICAND) else {
            return Err(MathsError::TooLarge {
                what: format!("the square root of {value}"),
                limit: MAX_RADICAND,
            });
        };
        let (outside, inside) = split_square(radicand);
        let coefficient = BigRational::new(BigInt::from(outside), value.denom().clone());
        let mut terms = BTreeMap::new();
        terms.insert(inside, coefficient);
        Ok(Real { terms })
    }

    pub fn is_zero(&self) -> bool {
        self.terms.is_empty()
    }

    pub fn is_one(&self) -> bool {
        self.rational_ref().is_some_and(|q| q.is_one())
    }

    /// The value when it is a non-zero rational, without cloning it.
    fn rational_ref(&self) -> Option<&BigRational> {
        match self.terms.len() {
            1 => self.terms.get(&1),
            _ => None,
        }
    }

    /// The value when it is rational.
    pub fn as_rational(&self) -> Option<BigRational> {
        match self.terms.len() {
            0 => Some(BigRational::zero()),
            1 => self.terms.get(&1).cloned(),
            _ => None,
        }
    }

    pub fn is_rational(&self) -> bool {
        self.as_rational().is_some()
    }

    /// The radicands other than 1 that appear.
    pub fn radicands(&self) -> impl Iterator<Item = u64> + '_ {
        self.terms.keys().copied().filter(|r| *r != 1)
    }

    pub fn terms(&self) -> impl Iterator<Item = (u64, &BigRational)> {
        self.terms.iter().map(|(r, q)| (*r, q))
    }

    /// The largest numerator or denominator size, in bits, for size limits.
    pub fn bits(&self) -> u64 {
        self.terms
            .values()
            .map(|q| q.numer().bits().max(q.denom().bits()))
            .max()
            .unwrap_or(0)
    }

    pub fn add(&self, other: &Real) -> Real {
        // Fast path: most numbers in school working are rational.
        if let (Some(a), Some(b)) = (self.rational_ref(), other.rational_ref()) {
            return Real::from_rational(add_rationals(a, b));
        }
        if other.terms.is_empty() {
            return self.clone();
        }
        if self.terms.is_empty() {
            return other.clone();
        }
        let mut terms = self.terms.clone();
        for (radicand, coefficient) in &other.terms {
            let sum = terms
                .get(radicand)
                .map_or_else(|| coefficient.clone(), |c| c + coefficient);
            if sum.is_zero() {
                terms.remove(radicand);
            } else {
                terms.insert(*radicand, sum);
            }
        }
        Real { terms }
    }

    pub fn neg(&self) -> Real {
        Real {
            terms: self.terms.iter().map(|(r, q)| (*r, -q)).collect(),
        }
    }

    pub fn sub(&self, other: &Real) -> Real {
        self.add(&other.neg())
    }

    pub fn mul(&self, other: &Real) -> Real {
        if self.terms.is_empty() || other.terms.is_empty() {
            return Real::zero();
        }
        if let (Some(a), Some(b)) = (self.rational_ref(), other.rational_ref()) {
            return Real::from_rational(mul_rationals(a, b));
        }
        let mut result = Real::zero();
        for (ra, qa) in &self.terms {
            for (rb, qb) in &other.terms {
                // √a·√b = g·√(a·b/g²) with g = gcd(a, b); a and b are square-free.
                let g = ra.gcd(rb);
                let radicand = (ra / g) * (rb / g);
                let coefficient = qa * qb * BigRational::from_integer(BigInt::from(g));
                let mut term = BTreeMap::new();
                term.insert(radicand, coefficient);
                result = result.add(&Real { terms: term });
            }
        }
        result
    }

    pub fn scale(&self, factor: &BigRational) -> Real {
        if factor.is_zero() {
            return Real::zero();
        }
        Real {
            terms: self.terms.iter().map(|(r, q)| (*r, q * factor)).collect(),
        }
    }

    /// The conjugate that flips the sign of every `√d` with `prime | d`.
    fn conjugate(&self, prime: u64) -> Real {
        Real {
            terms: self
                .terms
                .iter()
                .map(|(r, q)| (*r, if r % prime == 0 { -q } else { q.clone() }))
                .collect(),
        }
    }

    /// The multiplicative inverse, found by multiplying by conjugates until
    /// the denominator is rational. `None` for zero.
    pub fn inverse(&self) -> Option<Real> {
        if self.is_zero() {
            return None;
        }
        let mut numerator = Real::one();
        let mut denominator = self.clone();
        loop {
            let Some(prime) = denominator.radicands().next().map(smallest_prime_factor) else {
                break;
            };
            let conjugate = denominator.conjugate(prime);
            numerator = numerator.mul(&conjugate);
            denominator = denominator.mul(&conjugate);
        }
        let q = denominator.as_rational()?;
        Some(numerator.scale(&q.recip()))
    }

    pub fn div(&self, other: &Real) -> Option<Real> {
        other.inverse().map(|inverse| self.mul(&inverse))
    }

    /// The exact sign, decided without rounding.
    pub fn signum(&self) -> Ordering {
        if self.terms.is_empty() {
            return Ordering::Equal;
        }
        if let Some(q) = self.rational_ref() {
            return if q.is_negative() {
                Ordering::Less
            } else {
                Ordering::Greater
            };
        }
        // Split as a + b√p, where a and b have no √p in them. If a and b
        // have the same sign, that is the sign. Otherwise compare a² with
        // p·b², which has fewer square roots in it.
        let prime = self
            .radicands()
            .next()
            .map(smallest_prime_factor)
            .unwrap_or(2);
        let mut a = Real::zero();
        let mut b = Real::zero();
        for (radicand, coefficient) in &self.terms {
            if radicand % prime == 0 {
                let mut term = BTreeMap::new();
                term.insert(radicand / prime, coefficient.clone());
                b = b.add(&Real { terms: term });
            } else {
                let mut term = BTreeMap::new();
                term.insert(*radicand, coefficient.clone());
                a = a.add(&Real { terms: term });
            }
        }
        let sign_a = a.signum();
        let sign_b = b.signum();
        if sign_a == Ordering::Equal {
            return sign_b;
        }
        if sign_b == Ordering::Equal || sign_a == sign_b {
            return sign_a;
        }
        let p = Real::from_int(prime as i64);
        let difference = a.mul(&a).sub(&p.mul(&b).mul(&b));
        match difference.signum() {
            Ordering::Greater => sign_a,
            Ordering::Less => sign_b,
            Ordering::Equal => Ordering::Equal,
        }
    }

    pub fn is_negative(&self) -> bool {
        self.signum() == Ordering::Less
    }

    pub fn abs(&self) -> Real {
        if self.is_negative() {
            self.neg()
        } else {
            self.clone()
        }
    }

    pub fn to_f64(&self) -> f64 {
        self.terms
            .iter()
            .map(|(r, q)| rational_to_f64(q) * (*r as f64).sqrt())
            .sum()
    }

    /// An integer power; negative exponents invert. `None` for `0` to a negative power.
    pub fn pow(&self, exponent: i64) -> Option<Real> {
        let base = if exponent < 0 {
            self.inverse()?
        } else {
            self.clone()
        };
        let mut n = exponent.unsigned_abs();
        let mut result = Real::one();
        let mut square = base;
        while n > 0 {
            if n & 1 == 1 {
                result = result.mul(&square);
            }
            n >>= 1;
            if n > 0 {
                square = square.mul(&square);
            }
        }
        Some(result)
    }

    /// Compares two numbers exactly.
    pub fn compare(&self, other: &Real) -> Ordering {
        self.sub(other).signum()
    }
}

/// The parts of a rational when both fit in an `i64`.
fn small_parts(q: &BigRational) -> Option<(i128, i128)> {
    Some((
        i128::from(q.numer().to_i64()?),
        i128::from(q.denom().to_i64()?),
    ))
}

/// `n/d` in lowest terms, from `i128` parts with `d > 0`.
fn reduced(n: i128, d: i128) -> BigRational {
    let g = n.unsigned_abs().gcd(&d.unsigned_abs());
    let g = g as i128;
    BigRational::new_raw(BigInt::from(n / g), BigInt::from(d / g))
}

/// `a + b`, in machine integers when both are small: most numbers in a
/// line of working are, and the general path allocates for every step.
pub fn add_rationals(a: &BigRational, b: &BigRational) -> BigRational {
    if let (Some((an, ad)), Some((bn, bd))) = (small_parts(a), small_parts(b)) {
        let n = an
            .checked_mul(bd)
            .zip(bn.checked_mul(ad))
            .and_then(|(x, y)| x.checked_add(y));
        if let (Some(n), Some(d)) = (n, ad.checked_mul(bd)) {
            if n == 0 {
                return BigRational::zero();
            }
            return reduced(n, d);
        }
    }
    a + b
}

/// `a × b`, in machine integers when both are small.
pub fn mul_rationals(a: &BigRational, b: &BigRational) -> BigRational {
    if let (Some((an, ad)), Some((bn, bd))) = (small_parts(a), small_parts(b)) {
        if let (Some(n), Some(d)) = (an.checked_mul(bn), ad.checked_mul(bd)) {
            if n == 0 {
                return BigRational::zero();
            }
            return reduced(n, d);
        }
    }
    a * b
}

pub fn rational_to_f64(q: &BigRational) -> f64 {
    match (q.numer().to_f64(), q.denom().to_f64()) {
        (Some(n), Some(d)) if n.is_finite() && d.is_finite() => n / d,
        _ => {
            // Very large parts: scale both down by the same power of two.
            let shift = q.numer().bits().max(q.denom().bits()).saturating_sub(900);
            let n = (q.numer() >> shift).to_f64().unwrap_or(f64::NAN);
            let d = (q.denom() >> shift).to_f64().unwrap_or(f64::NAN);
            n / d
        }
    }
}

/// Writes `n = outside² · inside` with `inside` square-free.
fn split_square(mut n: u64) -> (u64, u64) {
    let mut outside = 1;
    let mut inside = 1;
    let mut p = 2;
    while p * p <= n {
        let mut count = 0;
        while n % p == 0 {
            n /= p;
            count += 1;
        }
        outside *= p.pow(count / 2);
        if count % 2 == 1 {
            inside *= p;
        }
        p += if p == 2 { 1 } else { 2 };
    }
    inside *= n;
    (outside, inside)
}

fn smallest_prime_factor(n: u64) -> u64 {
    let mut p = 2;
    while p * p <= n {
        if n % p == 0 {
            return p;
        }
        p += 1;
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sqrt(n: i64) -> Real {
        Real::sqrt_of(&rational(n, 1)).expect("non-negative")
    }

    #[test]
    fn sqrt_simplest_form() {
        assert_eq!(sqrt(12).to_string(), "2√3");
        assert_eq!(sqrt(49).to_string(), "7");
        assert_eq!(
            Real::sqrt_of(&rational(1, 2)).expect("ok").to_string(),
            "√2/2"
        );
        assert_eq!(sqrt(72).to_string(), "6√2");
    }

    #[test]
    fn products_of_surds_combine() {
        assert_eq!(sqrt(2).mul(&sqrt(3)), sqrt(6));
        assert_eq!(sqrt(6).mul(&sqrt(3)), sqrt(18));
        assert_eq!(sqrt(2).mul(&sqrt(2)), Real::from_int(2));
    }

    #[test]
    fn inverse_rationalises() {
        let x = Real::one().add(&sqrt(2));
        let inverse = x.inverse().expect("non-zero");
        assert_eq!(inverse.to_string(), "-1 + √2");
        let y = sqrt(2).add(&sqrt(3)).add(&sqrt(5));
        assert!(y.mul(&y.inverse().expect("non-zero")).is_one());
    }

    #[test]
    fn signs_are_exact() {
        // √2 + √3 - √10 is about -0.0164.
        let x = sqrt(2).add(&sqrt(3)).sub(&sqrt(10));
        assert_eq!(x.signum(), Ordering::Less);
        let y = Real::from_int(3).sub(&sqrt(8));
        assert_eq!(y.signum(), Ordering::Greater);
        assert_eq!(sqrt(5).sub(&sqrt(5)).signum(), Ordering::Equal);
    }

    #[test]
    fn small_rational_paths_match_general() {
        let big = BigRational::new(BigInt::from(i64::MAX) * 3, BigInt::from(7));
        let values = [
            rational(0, 1),
            rational(3, 4),
            rational(-5, 6),
            rational(i64::MAX, 1),
            rational(i64::MIN, 1),
            rational(1, i64::MAX),
            rational(-7, i64::MAX - 1),
            big,
        ];
        for a in &values {
            for b in &values {
                assert_eq!(add_rationals(a, b), a + b, "{a} + {b}");
                assert_eq!(mul_rationals(a, b), a * b, "{a} * {b}");
            }
        }
    }

    #[test]
    fn negative_sqrt_is_undefined() {
        assert!(Real::sqrt_of(&rational(-4, 1)).is_err());
    }
}
