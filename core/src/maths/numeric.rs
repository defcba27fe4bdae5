//! Floating-point evaluation, the last resort: used only where the exact
//! methods cannot see inside an expression (`sin`, `ln`, symbolic powers),
//! and for rounding answers to decimal places or significant figures.
//!
//! Trigonometric functions take degrees, as in GCSE questions.

use std::collections::BTreeMap;

use super::ast::{BinOp, Constant, Expr, Func};
use super::number::rational_to_f64;

/// Evaluates `expr` with the given values of its letters. Returns NaN where
/// the expression is undefined or a letter has no value.
pub fn eval(expr: &Expr, values: &BTreeMap<String, f64>) -> f64 {
    match expr {
        Expr::Num(literal) => rational_to_f64(&literal.value),
        Expr::Var(name) => values.get(name).copied().unwrap_or(f64::NAN),
        Expr::Const(Constant::Pi) => std::f64::consts::PI,
        Expr::Const(Constant::E) => std::f64::consts::E,
        Expr::Neg(inner) => -eval(inner, values),
        Expr::Group(inner) => eval(inner, values),
        Expr::Percent(inner) => eval(inner, values) / 100.0,
        Expr::Factorial(inner) => {
            let n = eval(inner, values);
            if n < 0.0 || n.fract() != 0.0 || n > 170.0 {
                return f64::NAN;
            }
            (1..=n as u32).map(f64::from).product()
        }
        Expr::PlusMinus { .. } => f64::NAN,
        Expr::Binary { op, lhs, rhs, .. } => {
            let a = eval(lhs, values);
            let b = eval(rhs, values);
            match op {
                BinOp::Add => a + b,
                BinOp::Sub => a - b,
                BinOp::Mul => a * b,
                BinOp::Div => {
                    if b == 0.0 {
                        f64::NAN
                    } else {
                        a / b
                    }
                }
                BinOp::Pow => power(a, b),
            }
        }
        Expr::Call(func, arg) => {
            let x = eval(arg, values);
            match func {
                Func::Sqrt => {
                    if x < 0.0 {
                        f64::NAN
                    } else {
                        x.sqrt()
                    }
                }
                Func::Cbrt => x.cbrt(),
                Func::Abs => x.abs(),
                Func::Sin => x.to_radians().sin(),
                Func::Cos => x.to_radians().cos(),
                Func::Tan => x.to_radians().tan(),
                Func::Sec => 1.0 / x.to_radians().cos(),
                Func::Csc => 1.0 / x.to_radians().sin(),
                Func::Cot => 1.0 / x.to_radians().tan(),
                Func::Asin => x.asin().to_degrees(),
                Func::Acos => x.acos().to_degrees(),
                Func::Atan => x.atan().to_degrees(),
                Func::Sinh => x.sinh(),
                Func::Cosh => x.cosh(),
                Func::Tanh => x.tanh(),
                Func::Asinh => x.asinh(),
                Func::Acosh => x.acosh(),
                Func::Atanh => x.atanh(),
                Func::Ln => x.ln(),
                Func::Log10 => x.log10(),
                Func::Exp => x.exp(),
            }
        }
    }
}

/// Real powers: a negative base is allowed with an integer exponent, or
/// with an exponent that is a fraction with an odd denominator (`(-8)^(1/3) = -2`).
fn power(base: f64, exponent: f64) -> f64 {
    if base >= 0.0 || exponent.fract() == 0.0 {
        return base.powf(exponent);
    }
    for denominator in [3.0, 5.0, 7.0] {
        let numerator = exponent * denominator;
        if (numerator - numerator.round()).abs() < 1e-9 {
            let root = -(-base).powf(1.0 / denominator);
            return root.powf(numerator.round());
        }
    }
    f64::NAN
}

/// True when two values agree to about twelve significant figures: looser
/// than rounding error in a few operations, tighter than a typed decimal.
pub fn close(a: f64, b: f64) -> bool {
    if a.is_nan() || b.is_nan() {
        return false;
    }
    let scale = a.abs().max(b.abs()).max(1.0);
    (a - b).abs() <= 2e-13 * scale
}
