//! Canonical forms: multivariate polynomials and rational functions whose
//! coefficients are exact [`Real`] numbers.
//!
//! The indeterminates ([`Atom`]) are the student's letters, `π`, `e`, and
//! opaque atoms for anything the algebra does not see inside (`sin(x)`,
//! `√x`, `2^x`). Two rational functions `a/b` and `c/d` are equal exactly
//! when `a·d − b·c` is the zero polynomial, so equality needs no gcd.
//! Denominators are never cancelled, which keeps the points where an
//! expression is undefined visible to the solution-set code.

use std::collections::BTreeMap;
use std::fmt;

use num_rational::BigRational;
use num_traits::{One, Signed, ToPrimitive};

use super::ast::{BinOp, Constant, Expr, Func};
use super::number::Real;
use super::{Limits, MathsError};

#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub enum Atom {
    Var(String),
    Pi,
    E,
    /// A sub-expression the algebra treats as a new letter, named by a key
    /// built from its canonical form, such as `sin(x)`.
    Opaque(String),
}

impl fmt::Display for Atom {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Atom::Var(name) => write!(f, "{name}"),
            Atom::Pi => write!(f, "π"),
            Atom::E => write!(f, "e"),
            Atom::Opaque(key) => write!(f, "[{key}]"),
        }
    }
}

/// A product of atoms to positive powers, sorted by atom.
pub type Monomial = Vec<(Atom, u32)>;

#[derive(Clone, PartialEq, Eq, Default, PartialOrd, Ord, Hash)]
pub struct Poly {
    pub terms: BTreeMap<Monomial, Real>,
}

impl fmt::Debug for Poly {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}")
    }
}

impl fmt::Display for Poly {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.terms.is_empty() {
            return write!(f, "0");
        }
        for (i, (monomial, coefficient)) in self.terms.iter().enumerate() {
            if i > 0 {
                write!(f, " + ")?;
            }
            write!(f, "({coefficient})")?;
            for (atom, power) in monomial {
                write!(f, "{atom}")?;
                if *power > 1 {
                    write!(f, "^{power}")?;
                }
            }
        }
        Ok(())
    }
}

fn multiply_monomials(a: &Monomial, b: &Monomial) -> Monomial {
    let mut result: Monomial = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => {
                result.push(a[i].clone());
                i += 1;
            }
            std::cmp::Ordering::Greater => {
                result.push(b[j].clone());
                j += 1;
            }
            std::cmp::Ordering::Equal => {
                result.push((a[i].0.clone(), a[i].1 + b[j].1));
                i += 1;
                j += 1;
            }
        }
    }
    result.extend_from_slice(&a[i..]);
    result.extend_from_slice(&b[j..]);
    result
}

impl Poly {
    pub fn zero() -> Poly {
        Poly::default()
    }

    pub fn constant(value: Real) -> Poly {
        let mut terms = BTreeMap::new();
        if !value.is_zero() {
            terms.insert(Vec::new(), value);
        }
        Poly { terms }
    }

    pub fn one() -> Poly {
        Poly::constant(Real::one())
    }

    pub fn atom(atom: Atom) -> Poly {
        let mut terms = BTreeMap::new();
        terms.insert(vec![(atom, 1)], Real::one());
        Poly { terms }
    }

    pub fn is_zero(&self) -> bool {
        self.terms.is_empty()
    }

    /// The value when the polynomial has no atoms.
    pub fn as_constant(&self) -> Option<Real> {
        match self.terms.len() {
            0 => Some(Real::zero()),
            1 => self.terms.get(&Vec::new()).cloned(),
            _ => None,
        }
    }

    pub fn atoms(&self) -> Vec<Atom> {
        let mut atoms: Vec<Atom> = self
            .terms
            .keys()
            .flat_map(|m| m.iter().map(|(a, _)| a.clone()))
            .collect();
        atoms.sort();
        atoms.dedup();
        atoms
    }

    pub fn add(&self, other: &Poly) -> Poly {
        let mut terms = self.terms.clone();
        for (monomial, coefficient) in &other.terms {
            let sum = match terms.get(monomial) {
                Some(c) => c.add(coefficient),
                None => coefficient.clone(),
            };
            if sum.is_zero() {
                terms.remove(monomial);
            } else {
                terms.insert(monomial.clone(), sum);
            }
        }
        Poly { terms }
    }

    pub fn neg(&self) -> Poly {
        Poly {
            terms: self
                .terms
                .iter()
                .map(|(m, c)| (m.clone(), c.neg()))
                .collect(),
        }
    }

    pub fn sub(&self, other: &Poly) -> Poly {
        self.add(&other.neg())
    }

    pub fn scale(&self, factor: &Real) -> Poly {
        if factor.is_zero() {
            return Poly::zero();
        }
        Poly {
            terms: self
                .terms
                .iter()
                .map(|(m, c)| (m.clone(), c.mul(factor)))
                .collect(),
        }
    }

    /// The largest coefficient size, in bits.
    pub fn bits(&self) -> u64 {
        self.terms.values().map(Real::bits).max().unwrap_or(0)
    }

    pub fn mul(&self, other: &Poly, budget: &mut Budget) -> Result<Poly, MathsError> {
        let size = coefficient_cost(self.bits().max(other.bits()));
        budget.spend((self.terms.len() * other.terms.len()) as u64 * size)?;
        let mut terms: BTreeMap<Monomial, Real> = BTreeMap::new();
        for (ma, ca) in &self.terms {
            for (mb, cb) in &other.terms {
                let monomial = multiply_monomials(ma, mb);
                let product = ca.mul(cb);
                let sum = match terms.get(&monomial) {
                    Some(c) => c.add(&product),
                    None => product,
                };
                if sum.is_zero() {
                    terms.remove(&monomial);
                } else {
                    terms.insert(monomial, sum);
                }
            }
        }
        budget.check_terms(terms.len())?;
        Ok(Poly { terms })
    }

    pub fn pow(&self, exponent: u32, budget: &mut Budget) -> Result<Poly, MathsError> {
        let mut result = Poly::one();
        for _ in 0..exponent {
            result = result.mul(self, budget)?;
        }
        Ok(result)
    }

    /// Total degree in the given atom.
    pub fn degree_in(&self, atom: &Atom) -> u32 {
        self.terms
            .keys()
            .map(|m| m.iter().find(|(a, _)| a == atom).map_or(0, |(_, p)| *p))
            .max()
            .unwrap_or(0)
    }

    pub fn total_degree(&self) -> u32 {
        self.terms
            .keys()
            .map(|m| m.iter().map(|(_, p)| *p).sum())
            .max()
            .unwrap_or(0)
    }

    /// Substitutes exact values for atoms; atoms not in `values` stay.
    pub fn substitute(
        &self,
        values: &BTreeMap<Atom, Real>,
        budget: &mut Budget,
    ) -> Result<Poly, MathsError> {
        let mut result = Poly::zero();
        for (monomial, coefficient) in &self.terms {
            budget.spend(1 + monomial.len() as u64)?;
            let mut factor = coefficient.clone();
            let mut rest: Monomial = Vec::new();
            for (atom, power) in monomial {
                match values.get(atom) {
                    Some(value) => {
                        factor = factor.mul(&value.pow(i64::from(*power)).unwrap_or_default());
                    }
                    None => rest.push((atom.clone(), *power)),
                }
            }
            let mut term = BTreeMap::new();
            if !factor.is_zero() {
                term.insert(rest, factor);
            }
            result = result.add(&Poly { terms: term });
        }
        Ok(result)
    }

    /// True when `self = c·other` for a non-zero constant `c`; returns `c`.
    pub fn constant_ratio(&self, other: &Poly) -> Option<Real> {
        if self.terms.len() != other.terms.len() || self.is_zero() {
            return None;
        }
        let mut ratio: Option<Real> = None;
        for (monomial, a) in &self.terms {
            let b = other.terms.get(monomial)?;
            let r = a.div(b)?;
            match &ratio {
                None => ratio = Some(r),
                Some(existing) if *existing == r => {}
                Some(_) => return None,
            }
        }
        ratio
    }
}

/// The largest power of a sum that is multiplied out.
const MAX_EXPANDED_POWER: u32 = 64;

/// Work units for one arithmetic step on coefficients of `bits` bits.
///
/// Every rational result is reduced by a binary gcd, which shifts the
/// whole number once for each bit, so its cost grows with the square of
/// the operands' size. A number within one machine word costs 1 unit, and
/// each further square word costs 8. Without this, a power, gcd or Sturm sequence whose
/// coefficients grow to thousands of bits took a fraction of a second while
/// counting as a few thousand steps. The factor 8 is fitted to the
/// `hostile` benchmark, where it makes a unit cost roughly the same time
/// for small and big coefficients.
pub(crate) fn coefficient_cost(bits: u64) -> u64 {
    let words = bits / 64;
    1 + 8 * words * words
}

/// A count of work done, checked against [`Limits::step_budget`].
#[derive(Debug, Clone)]
pub struct Budget {
    pub limits: Limits,
    pub used: u64,
}

impl Budget {
    pub fn new(limits: Limits) -> Budget {
        Budget { limits, used: 0 }
    }

    /// Charges `steps` to this budget and to the thread's shared pool, if
    /// one is open (see [`super::work::SharedWork`]).
    pub fn spend(&mut self, steps: u64) -> Result<(), MathsError> {
        self.used = self.used.saturating_add(steps);
        if self.used > self.limits.step_budget {
            return Err(MathsError::BudgetExceeded {
                budget: self.limits.step_budget,
            });
        }
        super::work::charge(steps)
    }

    fn check_terms(&self, count: usize) -> Result<(), MathsError> {
        if count > self.limits.max_terms {
            return Err(MathsError::TooLarge {
                what: "the expanded expression".into(),
                limit: self.limits.max_terms as u64,
            });
        }
        Ok(())
    }
}

/// A rational function `num / den`. `den` is never the zero polynomial.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Frac {
    pub num: Poly,
    pub den: Poly,
}

impl fmt::Display for Frac {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.den.as_constant().is_some_and(|c| c.is_one()) {
            write!(f, "{}", self.num)
        } else {
            write!(f, "({}) / ({})", self.num, self.den)
        }
    }
}

impl Frac {
    pub fn from_poly(num: Poly) -> Frac {
        Frac {
            num,
            den: Poly::one(),
        }
    }

    pub fn constant(value: Real) -> Frac {
        Frac::from_poly(Poly::constant(value))
    }

    pub fn as_constant(&self) -> Option<Real> {
        let num = self.num.as_constant()?;
        let den = self.den.as_constant()?;
        num.div(&den)
    }

    pub fn is_zero(&self) -> bool {
        self.num.is_zero()
    }

    pub fn atoms(&self) -> Vec<Atom> {
        let mut atoms = self.num.atoms();
        atoms.extend(self.den.atoms());
        atoms.sort();
        atoms.dedup();
        atoms
    }

    /// Divides through when the denominator is a constant, so that
    /// polynomials stay polynomials.
    fn tidy(self) -> Frac {
        if let Some(c) = self.den.as_constant() {
            if !c.is_one() {
                if let Some(inverse) = c.inverse() {
                    return Frac {
                        num: self.num.scale(&inverse),
                        den: Poly::one(),
                    };
                }
            }
        }
        self
    }

    pub fn add(&self, other: &Frac, budget: &mut Budget) -> Result<Frac, MathsError> {
        if self.den == other.den {
            return Ok(Frac {
                num: self.num.add(&other.num),
                den: self.den.clone(),
            });
        }
        let num = self
            .num
            .mul(&other.den, budget)?
            .add(&other.num.mul(&self.den, budget)?);
        let den = self.den.mul(&other.den, budget)?;
        Ok(Frac { num, den }.tidy())
    }

    pub fn neg(&self) -> Frac {
        Frac {
            num: self.num.neg(),
            den: self.den.clone(),
        }
    }

    pub fn sub(&self, other: &Frac, budget: &mut Budget) -> Result<Frac, MathsError> {
        self.add(&other.neg(), budget)
    }

    pub fn mul(&self, other: &Frac, budget: &mut Budget) -> Result<Frac, MathsError> {
        let num = self.num.mul(&other.num, budget)?;
        let den = self.den.mul(&other.den, budget)?;
        Ok(Frac { num, den }.tidy())
    }

    pub fn div(&self, other: &Frac, budget: &mut Budget) -> Result<Frac, MathsError> {
        if other.num.is_zero() {
            return Err(MathsError::DivisionByZero("a division".into()));
        }
        let num = self.num.mul(&other.den, budget)?;
        let den = self.den.mul(&other.num, budget)?;
        Ok(Frac { num, den }.tidy())
    }

    pub fn pow(&self, exponent: i64, budget: &mut Budget) -> Result<Frac, MathsError> {
        if exponent == 0 {
            // Anything to the power 0 is 1, 0^0 included, as x^0 is 1 for
            // every x. Multiplying the atoms' exponents by 0 below would
            // instead leave x^0 as the monomial x with exponent 0.
            return Ok(Frac::constant(Real::one()));
        }
        let limit = budget.limits.max_exponent;
        let magnitude = u32::try_from(exponent.unsigned_abs())
            .ok()
            .filter(|m| *m <= limit)
            .ok_or_else(|| MathsError::TooLarge {
                what: format!("the power {exponent}"),
                limit: u64::from(limit),
            })?;
        let fast = self.num.terms.len() <= 1 && self.den.terms.len() <= 1;
        let power = |p: &Poly, budget: &mut Budget| -> Result<Poly, MathsError> {
            if fast {
                // A single term: raise its coefficient by squaring and its
                // atoms by multiplying exponents, so x^400 is cheap.
                let Some((monomial, coefficient)) = p.terms.iter().next() else {
                    return Ok(Poly::zero());
                };
                budget.spend(1)?;
                let value = coefficient.pow(i64::from(magnitude)).unwrap_or_default();
                if value.bits() > 4096 {
                    return Err(MathsError::TooLarge {
                        what: "a number".into(),
                        limit: 4096,
                    });
                }
                let monomial: Monomial = monomial
                    .iter()
                    .map(|(a, e)| (a.clone(), e * magnitude))
                    .collect();
                let mut terms = BTreeMap::new();
                terms.insert(monomial, value);
                Ok(Poly { terms })
            } else if magnitude > MAX_EXPANDED_POWER {
                // Expanding (x^4 + 1)^399 is never needed to check school
                // working; the caller falls back to evaluation modulo a prime.
                Err(MathsError::TooLarge {
                    what: format!("a bracket to the power {magnitude}"),
                    limit: u64::from(MAX_EXPANDED_POWER),
                })
            } else {
                p.pow(magnitude, budget)
            }
        };
        let num = power(&self.num, budget)?;
        let den = power(&self.den, budget)?;
        if exponent >= 0 {
            Ok(Frac { num, den }.tidy())
        } else {
            if num.is_zero() {
                return Err(MathsError::DivisionByZero(
                    "zero to a negative power".into(),
                ));
            }
            Ok(Frac { num: den, den: num }.tidy())
        }
    }

    /// `self − other` has zero numerator: the two are the same function
    /// wherever both are defined.
    pub fn equals(&self, other: &Frac, budget: &mut Budget) -> Result<bool, MathsError> {
        if self == other {
            return Ok(true);
        }
        let left = self.num.mul(&other.den, budget)?;
        let right = other.num.mul(&self.den, budget)?;
        Ok(left == right)
    }

    /// A deterministic key naming this function, for opaque atoms.
    pub fn key(&self) -> String {
        self.to_string()
    }
}

/// Turns syntax trees into rational functions, recording opaque atoms.
pub struct Normaliser {
    pub budget: Budget,
    /// Opaque atoms met so far, with what is inside them where that matters.
    pub opaque: BTreeMap<String, OpaqueKind>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum OpaqueKind {
    /// `√(inner)`: its square is `inner`.
    Sqrt(Frac),
    Other,
}

impl Normaliser {
    pub fn new(limits: Limits) -> Normaliser {
        Normaliser {
            budget: Budget::new(limits),
            opaque: BTreeMap::new(),
        }
    }

    pub fn has_opaque(&self) -> bool {
        !self.opaque.is_empty()
    }

    pub fn frac(&mut self, expr: &Expr) -> Result<Frac, MathsError> {
        self.budget.spend(1)?;
        let result = match expr {
            Expr::Num(literal) => Frac::constant(Real::from_rational(literal.value.clone())),
            Expr::Var(name) => Frac::from_poly(Poly::atom(Atom::Var(name.clone()))),
            Expr::Const(Constant::Pi) => Frac::from_poly(Poly::atom(Atom::Pi)),
            Expr::Const(Constant::E) => Frac::from_poly(Poly::atom(Atom::E)),
            Expr::Neg(inner) => self.frac(inner)?.neg(),
            Expr::Group(inner) => self.frac(inner)?,
            Expr::Percent(inner) => {
                let hundred = Frac::constant(Real::from_int(100));
                self.frac(inner)?.div(&hundred, &mut self.budget)?
            }
            Expr::Binary { op, lhs, rhs, .. } => {
                let a = self.frac(lhs)?;
                let b = self.frac(rhs)?;
                match op {
                    BinOp::Add => a.add(&b, &mut self.budget)?,
                    BinOp::Sub => a.sub(&b, &mut self.budget)?,
                    BinOp::Mul => a.mul(&b, &mut self.budget)?,
                    BinOp::Div => a
                        .div(&b, &mut self.budget)
                        .map_err(|_| MathsError::DivisionByZero(super::format::plain_expr(expr)))?,
                    BinOp::Pow => self.power(a, b)?,
                }
            }
            Expr::PlusMinus { .. } => {
                return Err(MathsError::Unsupported(
                    "± inside an expression here".into(),
                ))
            }
            Expr::Call(func, arg) => {
                let inner = self.frac(arg)?;
                self.call(*func, inner)?
            }
            Expr::Factorial(inner) => {
                let value = self.frac(inner)?;
                let n = value
                    .as_constant()
                    .and_then(|c| c.as_rational())
                    .filter(|q| q.is_integer() && !q.is_negative())
                    .and_then(|q| q.to_integer().to_u32())
                    .filter(|n| *n <= 200);
                match n {
                    Some(n) => {
                        let mut product = BigRational::one();
                        for k in 2..=n {
                            product *= BigRational::from_integer(k.into());
                        }
                        Frac::constant(Real::from_rational(product))
                    }
                    None => self.factorial_of_letters(value)?,
                }
            }
        };
        self.reduce_roots(result)
    }

    /// Writes `(b + k)!`, for a polynomial `b` in letters with no constant
    /// term and a whole number `k` with |k| ≤ 12, as `b!` times or over the
    /// |k| factors between them, so that `(n + 1)!` equals `(n + 1)·n!` and
    /// `(k − 1)!` equals `k!/k`. Other factorials stay opaque, among them
    /// those of negative whole numbers such as `(−1)!`.
    fn factorial_of_letters(&mut self, value: Frac) -> Result<Frac, MathsError> {
        /// The maximum number of factors a shift multiplies or divides by. A larger shift
        /// leaves the factorial opaque, so `(n + 13)!` and `(n + 13)·(n + 12)!`
        /// are compared only numerically.
        const MAX_SHIFT: i64 = 12;

        let has_letters = value.as_constant().is_none();
        let whole_denominator = value.den.as_constant().is_some_and(|d| d.is_one());
        let shift = match value.num.terms.get(&Vec::new()) {
            None => Some(0),
            Some(constant) => constant
                .as_rational()
                .filter(BigRational::is_integer)
                .and_then(|k| k.to_integer().to_i64()),
        }
        .filter(|k| has_letters && whole_denominator && k.abs() <= MAX_SHIFT);
        let Some(shift) = shift else {
            return Ok(self.opaque_atom(format!("fact({})", value.key()), OpaqueKind::Other));
        };

        let base = value.num.sub(&Poly::constant(Real::from_int(shift)));
        let base_key = Frac::from_poly(base.clone()).key();
        let mut result = self.opaque_atom(format!("fact({base_key})"), OpaqueKind::Other);
        // (b + k)! = b!·(b + 1)···(b + k), and (b − k)! = b!/(b·(b − 1)···(b − k + 1)).
        for j in 1..=shift.abs() {
            let offset = if shift > 0 { j } else { 1 - j };
            let factor = Frac::from_poly(base.add(&Poly::constant(Real::from_int(offset))));
            result = if shift > 0 {
                result.mul(&factor, &mut self.budget)?
            } else {
                result.div(&factor, &mut self.budget)?
            };
        }
        Ok(result)
    }

    fn opaque_atom(&mut self, key: String, kind: OpaqueKind) -> Frac {
        self.opaque.entry(key.clone()).or_insert(kind);
        Frac::from_poly(Poly::atom(Atom::Opaque(key)))
    }

    fn power(&mut self, base: Frac, exponent: Frac) -> Result<Frac, MathsError> {
        let Some(q) = exponent.as_constant().and_then(|c| c.as_rational()) else {
            if base.as_constant().is_some_and(|c| c.is_one()) {
                return Ok(base);
            }
            let key = format!("pow({},{})", base.key(), exponent.key());
            return Ok(self.opaque_atom(key, OpaqueKind::Other));
        };
        if q.is_integer() {
            let n = q
                .to_integer()
                .to_i64()
                .ok_or_else(|| MathsError::TooLarge {
                    what: format!("the power {q}"),
                    limit: u64::from(self.budget.limits.max_exponent),
                })?;
            return base.pow(n, &mut self.budget);
        }
        // A fractional power p/q: exact when the base is a rational perfect power.
        let p = q.numer().to_i64().unwrap_or(i64::MAX);
        let root = q.denom().to_u32().unwrap_or(u32::MAX);
        if let Some(value) = base.as_constant().and_then(|c| c.as_rational()) {
            if value.is_negative() && root % 2 == 0 {
                return Err(MathsError::Undefined(format!("({value})^({q})")));
            }
            if let Some(exact) = exact_root(&value, root) {
                return Frac::constant(Real::from_rational(exact)).pow(p, &mut self.budget);
            }
            if root == 2 && !value.is_negative() {
                let surd = Real::sqrt_of(&value)?;
                return Frac::constant(surd).pow(p, &mut self.budget);
            }
        }
        let atom = if root == 2 {
            self.sqrt_atom(base)
        } else {
            let key = format!("root{root}({})", base.key());
            self.opaque_atom(key, OpaqueKind::Other)
        };
        atom.pow(p, &mut self.budget)
    }

    fn sqrt_atom(&mut self, inner: Frac) -> Frac {
        let key = format!("sqrt({})", inner.key());
        self.opaque_atom(key, OpaqueKind::Sqrt(inner))
    }

    fn call(&mut self, func: Func, inner: Frac) -> Result<Frac, MathsError> {
        let constant = inner.as_constant();
        match func {
            Func::Sqrt => match constant.as_ref().and_then(|c| c.as_rational()) {
                Some(q) => Ok(Frac::constant(Real::sqrt_of(&q)?)),
                None => {
                    if constant.as_ref().is_some_and(|c| c.is_negative()) {
                        return Err(MathsError::Undefined(
                            "the square root of a negative number".into(),
                        ));
                    }
                    Ok(self.sqrt_atom(inner))
                }
            },
            Func::Cbrt => {
                if let Some(exact) = constant
                    .as_ref()
                    .and_then(|c| c.as_rational())
                    .and_then(|q| exact_root(&q, 3))
                {
                    return Ok(Frac::constant(Real::from_rational(exact)));
                }
                Ok(self.opaque_atom(format!("cbrt({})", inner.key()), OpaqueKind::Other))
            }
            Func::Abs => match constant {
                Some(c) => Ok(Frac::constant(c.abs())),
                None => Ok(self.opaque_atom(format!("abs({})", inner.key()), OpaqueKind::Other)),
            },
            Func::Exp => {
                let e = Frac::from_poly(Poly::atom(Atom::E));
                self.power(e, inner)
            }
            Func::Ln if constant.as_ref().is_some_and(|c| c.is_one()) => {
                Ok(Frac::constant(Real::zero()))
            }
            Func::Ln | Func::Log10
                if constant
                    .as_ref()
                    .is_some_and(|c| c.signum() != std::cmp::Ordering::Greater) =>
            {
                Err(MathsError::Undefined(format!(
                    "{}({})",
                    func.name(),
                    inner.key()
                )))
            }
            _ => Ok(self.opaque_atom(
                format!("{}({})", func.name(), inner.key()),
                OpaqueKind::Other,
            )),
        }
    }

    /// Replaces `√A · √A` by `A` wherever a square-root atom appears squared.
    fn reduce_roots(&mut self, frac: Frac) -> Result<Frac, MathsError> {
        if !self
            .opaque
            .values()
            .any(|k| matches!(k, OpaqueKind::Sqrt(_)))
        {
            return Ok(frac);
        }
        let num = self.reduce_poly(&frac.num)?;
        let den = self.reduce_poly(&frac.den)?;
        let reduced = num.div(&den, &mut self.budget)?;
        Ok(reduced)
    }

    fn reduce_poly(&mut self, poly: &Poly) -> Result<Frac, MathsError> {
        let needs = poly.terms.keys().any(|m| {
            m.iter().any(|(a, p)| {
                *p >= 2 && matches!(a, Atom::Opaque(k) if matches!(self.opaque.get(k), Some(OpaqueKind::Sqrt(_))))
            })
        });
        if !needs {
            return Ok(Frac::from_poly(poly.clone()));
        }
        let mut result = Frac::constant(Real::zero());
        for (monomial, coefficient) in &poly.terms {
            let mut term = Frac::constant(coefficient.clone());
            for (atom, power) in monomial {
                let factor = match atom {
                    Atom::Opaque(key) => match self.opaque.get(key).cloned() {
                        Some(OpaqueKind::Sqrt(inner)) if *power >= 2 => {
                            let squared = inner.pow(i64::from(power / 2), &mut self.budget)?;
                            if power % 2 == 1 {
                                squared.mul(
                                    &Frac::from_poly(Poly::atom(atom.clone())),
                                    &mut self.budget,
                                )?
                            } else {
                                squared
                            }
                        }
                        _ => Frac::from_poly(Poly::atom(atom.clone()))
                            .pow(i64::from(*power), &mut self.budget)?,
                    },
                    _ => Frac::from_poly(Poly::atom(atom.clone()))
                        .pow(i64::from(*power), &mut self.budget)?,
                };
                term = term.mul(&factor, &mut self.budget)?;
            }
            result = result.add(&term, &mut self.budget)?;
        }
        Ok(result)
    }
}

/// The exact `n`-th root of a rational, when there is one.
pub fn exact_root(value: &BigRational, n: u32) -> Option<BigRational> {
    if n == 0 || n > 64 {
        return None;
    }
    let negative = value.is_negative();
    if negative && n % 2 == 0 {
        return None;
    }
    let magnitude = value.abs();
    let numerator = magnitude.numer().nth_root(n);
    let denominator = magnitude.denom().nth_root(n);
    if num_traits::pow(numerator.clone(), n as usize) != *magnitude.numer()
        || num_traits::pow(denominator.clone(), n as usize) != *magnitude.denom()
    {
        return None;
    }
    let root = BigRational::new(numerator, denominator);
    Some(if negative { -root } else { root })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn x() -> Frac {
        Frac::from_poly(Poly::atom(Atom::Var("x".into())))
    }

    #[test]
    fn binomial_square_expands() {
        let mut budget = Budget::new(Limits::default());
        let one = Frac::constant(Real::one());
        let sum = x().add(&one, &mut budget).expect("small");
        let square = sum.pow(2, &mut budget).expect("small");
        assert_eq!(square.num.terms.len(), 3);
        assert_eq!(square.num.degree_in(&Atom::Var("x".into())), 2);
    }

    #[test]
    fn cross_multiplication_equality() {
        let mut budget = Budget::new(Limits::default());
        let two = Frac::constant(Real::from_int(2));
        let a = x().div(&two, &mut budget).expect("non-zero");
        let half = Frac::constant(Real::from_rational(super::super::number::rational(1, 2)));
        let b = half.mul(&x(), &mut budget).expect("small");
        assert!(a.equals(&b, &mut budget).expect("small"));
    }

    fn expression(text: &str) -> Expr {
        match super::super::parse(text).expect("valid").statement {
            super::super::Statement::Expr(expr) => expr,
            other => panic!("{text} is not an expression: {other:?}"),
        }
    }

    /// Reports whether `a` and `b` normalise to the same fraction.
    fn same_normal_form(a: &str, b: &str) -> bool {
        let mut normaliser = Normaliser::new(Limits::default());
        let fa = normaliser.frac(&expression(a)).expect("normalises");
        let fb = normaliser.frac(&expression(b)).expect("normalises");
        fa.equals(&fb, &mut normaliser.budget).expect("small")
    }

    #[test]
    fn factorial_shifted_up_expands() {
        assert!(same_normal_form("(n+1)!", "(n+1)*n!"));
        assert!(same_normal_form("(n+1)!/n!", "n+1"));
        assert!(same_normal_form("(n+3)!/(n+1)!", "(n+3)(n+2)"));
        assert!(!same_normal_form("(n+1)!", "n*n!"));
        assert!(!same_normal_form("(n+2)!", "(n+2)*n!"));
    }

    #[test]
    fn factorial_shifted_down_expands() {
        assert!(same_normal_form("(n-1)!", "n!/n"));
        assert!(same_normal_form("(n-2)!*n*(n-1)", "n!"));
        assert!(same_normal_form(
            "n!/((k-1)!*(n-k+1)!)",
            "n!*k/(k!*(n-k+1)!)"
        ));
        assert!(!same_normal_form("(n-1)!", "n!/(n-1)"));
    }

    #[test]
    fn factorial_of_multiple_keeps_base() {
        assert!(same_normal_form("(2n+1)!", "(2n+1)*(2n)!"));
        assert!(same_normal_form("(2n)!", "2n*(2n-1)!"));
        assert!(!same_normal_form("(2n)!", "2*n!"));
        assert!(!same_normal_form("(2n)!", "2n*n!"));
        assert!(!same_normal_form("(2n)!", "(2n)*(n-1)!"));
    }

    #[test]
    fn factorial_of_negative_number_stays_opaque() {
        let mut normaliser = Normaliser::new(Limits::default());
        let value = normaliser
            .frac(&expression("(-1)!"))
            .expect("no division by zero");
        assert!(value.as_constant().is_none());
        assert!(normaliser.has_opaque());
    }

    #[test]
    fn factorial_large_shift_stays_opaque() {
        assert!(same_normal_form("(n+12)!", "(n+12)*(n+11)!"));
        assert!(!same_normal_form("(n+13)!", "(n+13)*(n+12)!"));
        assert!(same_normal_form("(n+13)!", "(n+13)!"));
    }

    #[test]
    fn factorial_shift_respects_budget() {
        let limits = Limits {
            step_budget: 2_000,
            ..Limits::default()
        };
        let base = expression("(a+b+c+d+e)^4");
        assert!(Normaliser::new(limits).frac(&base).is_ok());
        let shifted = expression("((a+b+c+d+e)^4+12)!");
        assert!(matches!(
            Normaliser::new(limits).frac(&shifted),
            Err(MathsError::BudgetExceeded { .. } | MathsError::TooLarge { .. })
        ));
    }

    #[test]
    fn zero_to_power_zero_is_one() {
        let mut budget = Budget::new(Limits::default());
        let zero = Frac::from_poly(Poly::zero());
        let one = Frac::constant(Real::one());
        assert_eq!(zero.pow(0, &mut budget).expect("small"), one);
        assert!(zero.pow(3, &mut budget).expect("small").is_zero());
        assert!(zero.pow(-1, &mut budget).is_err());
        assert!(same_normal_form("0^0", "1"));
        assert!(same_normal_form("(x - x)^0", "1"));
    }

    #[test]
    fn power_zero_is_one() {
        assert!(same_normal_form("x^0", "1"));
        assert!(same_normal_form("(3x^2y)^0", "1"));
        assert!(same_normal_form("x^(2-2)", "1"));
        assert!(same_normal_form("5a^0", "5"));
        assert!(same_normal_form("x^3*x^0", "x^3"));
        assert!(!same_normal_form("x^0", "x"));
        assert!(!same_normal_form("x^0", "0"));
    }

    #[test]
    fn huge_power_is_bounded() {
        let mut budget = Budget::new(Limits::default());
        let one = Frac::constant(Real::one());
        let sum = x().add(&one, &mut budget).expect("small");
        assert!(sum.pow(100_000, &mut budget).is_err());
    }
}
