//! Polynomials in one unknown with exact [`Real`] coefficients, and the
//! real-root machinery built on them: gcd, square-free part, Sturm
//! sequences and root isolation by bisection at rational points.

use std::cmp::Ordering;

use num_bigint::BigInt;
use num_rational::BigRational;

use super::number::Real;
use super::poly::{coefficient_cost, Atom, Budget, Poly};
use super::MathsError;

/// Coefficients from the constant term up; no trailing zeros.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct UPoly {
    pub coefficients: Vec<Real>,
}

impl UPoly {
    pub fn new(mut coefficients: Vec<Real>) -> UPoly {
        while coefficients.last().is_some_and(|c| c.is_zero()) {
            coefficients.pop();
        }
        UPoly { coefficients }
    }

    /// Reads a multivariate polynomial as one in `unknown`; `None` when
    /// another atom appears.
    pub fn from_poly(poly: &Poly, unknown: &Atom) -> Option<UPoly> {
        let degree = poly.degree_in(unknown) as usize;
        let mut coefficients = vec![Real::zero(); degree + 1];
        for (monomial, coefficient) in &poly.terms {
            match monomial.as_slice() {
                [] => coefficients[0] = coefficients[0].add(coefficient),
                [(atom, power)] if atom == unknown => {
                    let i = *power as usize;
                    coefficients[i] = coefficients[i].add(coefficient);
                }
                _ => return None,
            }
        }
        Some(UPoly::new(coefficients))
    }

    pub fn is_zero(&self) -> bool {
        self.coefficients.is_empty()
    }

    fn rational_coefficients(&self) -> Option<Vec<BigRational>> {
        self.coefficients.iter().map(Real::as_rational).collect()
    }

    /// Degree, with the zero polynomial given degree 0.
    pub fn degree(&self) -> usize {
        self.coefficients.len().saturating_sub(1)
    }

    fn leading(&self) -> Real {
        self.coefficients.last().cloned().unwrap_or_default()
    }

    pub fn eval(&self, x: &BigRational) -> Real {
        // Rational coefficients: plain rational arithmetic, no surd bookkeeping.
        if let Some(rationals) = self.rational_coefficients() {
            let mut value = BigRational::from_integer(0.into());
            for c in rationals.iter().rev() {
                value = value * x + c;
            }
            return Real::from_rational(value);
        }
        let point = Real::from_rational(x.clone());
        let mut value = Real::zero();
        for c in self.coefficients.iter().rev() {
            value = value.mul(&point).add(c);
        }
        value
    }

    pub fn eval_real(&self, x: &Real) -> Real {
        let mut value = Real::zero();
        for c in self.coefficients.iter().rev() {
            value = value.mul(x).add(c);
        }
        value
    }

    /// The sign of the value at `x`. Rational coefficients are scaled to
    /// integers first, so no step reduces a fraction by a gcd.
    pub fn sign_at(&self, x: &BigRational) -> Ordering {
        match IntegerPoly::from(self) {
            Some(integer) => integer.sign_at(x),
            None => self.eval(x).signum(),
        }
    }

    /// Work units for one [`Self::sign_at`] call at `x`.
    ///
    /// The call first scales the coefficients to integers, a gcd for each
    /// one, and then evaluates by Horner's rule on numbers that grow to
    /// the coefficients' size plus degree × the bits of `x`. Both parts
    /// are charged at [`coefficient_cost`] for those sizes.
    pub fn sign_cost(&self, x: &BigRational) -> u64 {
        let degree = self.degree() as u64;
        let coefficient_bits = self.bits();
        let point_bits = x.numer().bits().max(x.denom().bits());
        let scaling = (degree + 1).saturating_mul(coefficient_cost(coefficient_bits));
        let horner = coefficient_cost(coefficient_bits.max(point_bits.saturating_mul(degree)));
        scaling.saturating_add(horner)
    }

    fn monic(&self) -> UPoly {
        match self.leading().inverse() {
            Some(inverse) => {
                UPoly::new(self.coefficients.iter().map(|c| c.mul(&inverse)).collect())
            }
            None => self.clone(),
        }
    }

    pub fn derivative(&self) -> UPoly {
        UPoly::new(
            self.coefficients
                .iter()
                .enumerate()
                .skip(1)
                .map(|(i, c)| c.mul(&Real::from_int(i as i64)))
                .collect(),
        )
    }

    pub fn mul(&self, other: &UPoly, budget: &mut Budget) -> Result<UPoly, MathsError> {
        if self.is_zero() || other.is_zero() {
            return Ok(UPoly::default());
        }
        let size = coefficient_cost(self.bits().max(other.bits()));
        budget.spend((self.coefficients.len() * other.coefficients.len()) as u64 * size)?;
        let mut result = vec![Real::zero(); self.coefficients.len() + other.coefficients.len() - 1];
        for (i, a) in self.coefficients.iter().enumerate() {
            for (j, b) in other.coefficients.iter().enumerate() {
                result[i + j] = result[i + j].add(&a.mul(b));
            }
        }
        Ok(UPoly::new(result))
    }

    /// Quotient and remainder of division by a non-zero `divisor`.
    pub fn div_rem(
        &self,
        divisor: &UPoly,
        budget: &mut Budget,
    ) -> Result<(UPoly, UPoly), MathsError> {
        let Some(inverse) = divisor.leading().inverse() else {
            return Err(MathsError::DivisionByZero("a polynomial division".into()));
        };
        let mut remainder = self.coefficients.clone();
        let d = divisor.degree();
        if self.coefficients.len() < divisor.coefficients.len() {
            return Ok((UPoly::default(), self.clone()));
        }
        let mut quotient = vec![Real::zero(); self.coefficients.len() - d];
        let divisor_bits = divisor.bits();
        for k in (0..quotient.len()).rev() {
            // The remainder's coefficients grow as the division goes on, so
            // each step is charged for the sizes it works on now.
            let bits = remainder[k + d].bits().max(divisor_bits);
            budget.spend(divisor.coefficients.len() as u64 * coefficient_cost(bits))?;
            let factor = remainder[k + d].mul(&inverse);
            if factor.is_zero() {
                continue;
            }
            for (j, c) in divisor.coefficients.iter().enumerate() {
                remainder[k + j] = remainder[k + j].sub(&factor.mul(c));
            }
            quotient[k] = factor;
        }
        remainder.truncate(d);
        Ok((UPoly::new(quotient), UPoly::new(remainder)))
    }

    pub fn gcd(&self, other: &UPoly, budget: &mut Budget) -> Result<UPoly, MathsError> {
        let mut a = self.clone();
        let mut b = other.clone();
        while !b.is_zero() {
            let (_, r) = a.div_rem(&b, budget)?;
            budget.spend(r.coefficients.len() as u64 * coefficient_cost(r.bits()))?;
            a = b;
            b = r.monic();
            if b.bits() > 20_000 {
                return Err(MathsError::TooLarge {
                    what: "a polynomial gcd".into(),
                    limit: 20_000,
                });
            }
        }
        Ok(a.monic())
    }

    fn bits(&self) -> u64 {
        self.coefficients.iter().map(Real::bits).max().unwrap_or(0)
    }

    /// The square-free part: the same roots, each once.
    pub fn squarefree(&self, budget: &mut Budget) -> Result<UPoly, MathsError> {
        if self.degree() < 1 {
            return Ok(self.monic());
        }
        let g = self.gcd(&self.derivative(), budget)?;
        if g.degree() == 0 {
            return Ok(self.monic());
        }
        Ok(self.div_rem(&g, budget)?.0.monic())
    }

    fn sturm_sequence(&self, budget: &mut Budget) -> Result<Vec<UPoly>, MathsError> {
        let mut sequence = vec![self.clone(), self.derivative()];
        loop {
            let n = sequence.len();
            if sequence[n - 1].is_zero() {
                sequence.pop();
                break;
            }
            let (_, r) = sequence[n - 2].div_rem(&sequence[n - 1], budget)?;
            if r.is_zero() {
                break;
            }
            // Scaling by a positive number keeps the sign changes and the sizes small.
            budget.spend(r.coefficients.len() as u64 * coefficient_cost(r.bits()))?;
            let scale = r.leading().abs().inverse().unwrap_or_else(Real::one);
            let negated = UPoly::new(r.coefficients.iter().map(|c| c.mul(&scale).neg()).collect());
            sequence.push(negated);
        }
        Ok(sequence)
    }

    /// Bound B with every real root in (-B, B).
    fn root_bound(&self) -> BigRational {
        let leading = self.leading().to_f64().abs();
        let largest = self
            .coefficients
            .iter()
            .map(|c| c.to_f64().abs())
            .fold(0.0, f64::max);
        let bound = (1.0 + largest / leading).ceil() + 1.0;
        let bound = if bound.is_finite() && bound < 1e300 {
            bound
        } else {
            1e300
        };
        BigRational::from_integer(BigInt::from(bound as u128))
    }

    /// The real roots of a square-free polynomial, each as an exact rational
    /// or as an isolating open interval with rational ends that are not roots.
    pub fn real_roots(&self, budget: &mut Budget) -> Result<Vec<Root>, MathsError> {
        if self.degree() == 0 {
            return Ok(Vec::new());
        }
        if self.degree() == 1 {
            // c0 + c1·x = 0.
            let root = self.coefficients[0]
                .neg()
                .div(&self.coefficients[1])
                .unwrap_or_default();
            return Ok(vec![match root.as_rational() {
                Some(q) => Root::Exact(q),
                None => self.isolate_one(&root),
            }]);
        }
        let sturm = self.sturm_sequence(budget)?;
        let integers: Vec<Option<IntegerPoly>> = sturm.iter().map(IntegerPoly::from).collect();
        let this = IntegerPoly::from(self);
        let is_root = |x: &BigRational| match &this {
            Some(integer) => integer.sign_at(x) == Ordering::Equal,
            None => self.eval(x).is_zero(),
        };
        let bound = self.root_bound();
        let mut roots = Vec::new();
        let mut stack = vec![(-bound.clone(), bound)];
        while let Some((a, b)) = stack.pop() {
            budget.spend(sturm.len() as u64 * 4)?;
            let count = sign_changes(&sturm, &integers, &a) - sign_changes(&sturm, &integers, &b);
            if count == 0 {
                continue;
            }
            if count == 1 && !is_root(&b) {
                roots.push(Root::Between(a, b));
                continue;
            }
            let middle = (&a + &b) / BigRational::from_integer(2.into());
            if is_root(&middle) {
                roots.push(Root::Exact(middle.clone()));
                // Split around the exact root with ends that are not roots.
                let width = (&b - &a) / BigRational::from_integer(1024.into());
                let mut left_end = &middle - &width;
                let mut right_end = &middle + &width;
                while is_root(&left_end) || is_root(&right_end) {
                    left_end = (&left_end + &middle) / BigRational::from_integer(2.into());
                    right_end = (&right_end + &middle) / BigRational::from_integer(2.into());
                    budget.spend(1)?;
                }
                stack.push((a, left_end));
                stack.push((right_end, b));
            } else {
                stack.push((a, middle.clone()));
                stack.push((middle, b));
            }
        }
        // Exact roots can also sit at an interval's right end; those were
        // counted by Sturm on (a, b] and found by the midpoint test instead.
        roots.sort_by(|x, y| x.low().cmp(y.low()));
        Ok(roots)
    }

    fn isolate_one(&self, root: &Real) -> Root {
        // A linear polynomial's irrational root: bracket it with rationals
        // from its decimal value, widened until the ends have opposite signs.
        let approximate = root.to_f64();
        let mut width = 1e-6_f64.max(approximate.abs() * 1e-9);
        loop {
            let a = BigRational::from_float(approximate - width).unwrap_or_default();
            let b = BigRational::from_float(approximate + width).unwrap_or_default();
            if self.sign_at(&a) != self.sign_at(&b)
                && !self.eval(&a).is_zero()
                && !self.eval(&b).is_zero()
            {
                return Root::Between(a, b);
            }
            width *= 16.0;
        }
    }
}

/// A polynomial with rational coefficients scaled to integers, for fast
/// exact signs at rational points (no gcd per step).
struct IntegerPoly {
    coefficients: Vec<BigInt>,
}

impl IntegerPoly {
    fn from(poly: &UPoly) -> Option<IntegerPoly> {
        let rationals = poly.rational_coefficients()?;
        let lcm = rationals.iter().fold(BigInt::from(1), |acc, q| {
            num_integer::Integer::lcm(&acc, q.denom())
        });
        let coefficients = rationals
            .iter()
            .map(|q| (q * BigRational::from_integer(lcm.clone())).to_integer())
            .collect();
        Some(IntegerPoly { coefficients })
    }

    /// The sign of the value at `x = n/d` (d > 0): the sign of Σ c_i n^i d^(k−i).
    fn sign_at(&self, x: &BigRational) -> Ordering {
        let Some((last, rest)) = self.coefficients.split_last() else {
            return Ordering::Equal;
        };
        let (n, d) = (x.numer(), x.denom());
        let mut value = last.clone();
        let mut power = BigInt::from(1);
        for c in rest.iter().rev() {
            power *= d;
            value = value * n + c * &power;
        }
        value.sign_ordering()
    }
}

trait SignOrdering {
    fn sign_ordering(&self) -> Ordering;
}

impl SignOrdering for BigInt {
    fn sign_ordering(&self) -> Ordering {
        match self.sign() {
            num_bigint::Sign::Minus => Ordering::Less,
            num_bigint::Sign::NoSign => Ordering::Equal,
            num_bigint::Sign::Plus => Ordering::Greater,
        }
    }
}

/// A real root: exactly a rational, or the only root in an open interval.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Root {
    Exact(BigRational),
    Between(BigRational, BigRational),
}

impl Root {
    pub fn low(&self) -> &BigRational {
        match self {
            Root::Exact(q) => q,
            Root::Between(a, _) => a,
        }
    }

    pub fn high(&self) -> &BigRational {
        match self {
            Root::Exact(q) => q,
            Root::Between(_, b) => b,
        }
    }

    pub fn to_f64(&self) -> f64 {
        let middle = (self.low() + self.high()) / BigRational::from_integer(2.into());
        super::number::rational_to_f64(&middle)
    }
}

fn sign_changes(sequence: &[UPoly], integers: &[Option<IntegerPoly>], x: &BigRational) -> i64 {
    let mut changes = 0;
    let mut previous = Ordering::Equal;
    for (p, integer) in sequence.iter().zip(integers) {
        let sign = match integer {
            Some(integer) => integer.sign_at(x),
            None => p.sign_at(x),
        };
        if sign == Ordering::Equal {
            continue;
        }
        if previous != Ordering::Equal && sign != previous {
            changes += 1;
        }
        previous = sign;
    }
    changes
}

/// Half of `a + b`, for choosing sample points.
pub fn midpoint(a: &BigRational, b: &BigRational) -> BigRational {
    (a + b) / BigRational::from_integer(2.into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::maths::Limits;

    fn poly(coefficients: &[i64]) -> UPoly {
        UPoly::new(coefficients.iter().map(|c| Real::from_int(*c)).collect())
    }

    #[test]
    fn roots_of_x_squared_minus_two() {
        let mut budget = Budget::new(Limits::default());
        let roots = poly(&[-2, 0, 1]).real_roots(&mut budget).expect("small");
        assert_eq!(roots.len(), 2);
        let low = crate::maths::number::rational_to_f64(roots[0].low());
        let high = crate::maths::number::rational_to_f64(roots[0].high());
        assert!(low < -std::f64::consts::SQRT_2 && -std::f64::consts::SQRT_2 < high);
    }

    #[test]
    fn cubic_has_one_real_root() {
        let mut budget = Budget::new(Limits::default());
        let p = poly(&[-8, 0, 0, 1]).squarefree(&mut budget).expect("small");
        let roots = p.real_roots(&mut budget).expect("small");
        assert_eq!(roots.len(), 1);
    }

    #[test]
    fn squarefree_removes_repeats() {
        let mut budget = Budget::new(Limits::default());
        // (x - 3)^2 (x + 1) = x^3 - 5x^2 + 3x + 9
        let p = poly(&[9, 3, -5, 1]).squarefree(&mut budget).expect("small");
        assert_eq!(p.degree(), 2);
    }

    #[test]
    fn rational_roots_found_exactly() {
        let mut budget = Budget::new(Limits::default());
        // (x - 1)(x - 2)(x + 3)
        let p = poly(&[6, -7, 0, 1]);
        let roots = p.real_roots(&mut budget).expect("small");
        assert_eq!(roots.len(), 3);
    }
}
