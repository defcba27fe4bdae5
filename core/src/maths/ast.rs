//! The syntax tree of what a student types.
//!
//! The tree keeps the written shape (binary operators in the order typed,
//! literals with their text) because form checks need it: `3.50` has two
//! decimal places, `2x + 3x` still has like terms. Meaning lives in
//! [`crate::maths::poly`], which turns a tree into a canonical form.

use num_rational::BigRational;

/// A number as the student wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Literal {
    /// The exact value: `0.1` is exactly one tenth.
    pub value: BigRational,
    /// The text as typed, after normalising unicode digits, such as `3.50` or `2 1/2`.
    pub text: String,
    pub kind: LiteralKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LiteralKind {
    Integer,
    /// Has a decimal point.
    Decimal,
    /// A mixed number such as `2 1/2`.
    Mixed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Constant {
    Pi,
    E,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Pow,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Func {
    Sqrt,
    /// Cube root, typed `∛x` or `cbrt(x)`.
    Cbrt,
    Abs,
    Sin,
    Cos,
    Tan,
    /// Secant, 1/cos.
    Sec,
    /// Cosecant, 1/sin; typed `cosec` or `csc`.
    Csc,
    /// Cotangent, 1/tan.
    Cot,
    Asin,
    Acos,
    Atan,
    /// Hyperbolic functions and their inverses, which take radians.
    Sinh,
    Cosh,
    Tanh,
    Asinh,
    Acosh,
    Atanh,
    /// Natural logarithm.
    Ln,
    /// Base-10 logarithm, as on a UK calculator's `log` key.
    Log10,
    Exp,
}

impl Func {
    pub fn name(self) -> &'static str {
        match self {
            Func::Sqrt => "sqrt",
            Func::Cbrt => "cbrt",
            Func::Abs => "abs",
            Func::Sin => "sin",
            Func::Cos => "cos",
            Func::Tan => "tan",
            Func::Sec => "sec",
            Func::Csc => "cosec",
            Func::Cot => "cot",
            Func::Asin => "asin",
            Func::Acos => "acos",
            Func::Atan => "atan",
            Func::Sinh => "sinh",
            Func::Cosh => "cosh",
            Func::Tanh => "tanh",
            Func::Asinh => "asinh",
            Func::Acosh => "acosh",
            Func::Atanh => "atanh",
            Func::Ln => "ln",
            Func::Log10 => "log",
            Func::Exp => "exp",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    Num(Literal),
    /// A single-letter variable (`x`, `θ`), or a letter with a digit subscript (`x1`).
    Var(String),
    Const(Constant),
    /// Unary minus: `-x`. `-2^2` parses as `Neg(2^2)`, which is -4.
    Neg(Box<Expr>),
    /// `a + b`, `a - b`, `a × b`, `a ÷ b`, `a ^ b`.
    Binary {
        op: BinOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
        /// True for multiplication written by juxtaposition (`2x`, `3(x+1)`).
        implicit: bool,
    },
    /// `a ± b`; with `lhs` absent for a leading `±b`.
    PlusMinus {
        lhs: Option<Box<Expr>>,
        rhs: Box<Expr>,
    },
    Call(Func, Box<Expr>),
    /// `n!`.
    Factorial(Box<Expr>),
    /// `x%`, which is `x/100`.
    Percent(Box<Expr>),
    /// Brackets as typed; kept so that form checks and formatting see them.
    Group(Box<Expr>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RelOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl RelOp {
    /// The relation with its two sides swapped: `a < b` is `b > a`.
    pub fn flipped(self) -> RelOp {
        match self {
            RelOp::Lt => RelOp::Gt,
            RelOp::Le => RelOp::Ge,
            RelOp::Gt => RelOp::Lt,
            RelOp::Ge => RelOp::Le,
            other => other,
        }
    }

    pub fn symbol(self) -> &'static str {
        match self {
            RelOp::Eq => "=",
            RelOp::Ne => "≠",
            RelOp::Lt => "<",
            RelOp::Le => "≤",
            RelOp::Gt => ">",
            RelOp::Ge => "≥",
        }
    }
}

/// One typed line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Statement {
    Expr(Expr),
    /// A chain such as `a = b`, `1 < x ≤ 3` or `= 2x + 1` (then `parts[0]`
    /// is absent, see `leading_relation`). `ops.len() + 1 == parts.len()`.
    Relation {
        parts: Vec<Expr>,
        ops: Vec<RelOp>,
    },
    /// A line that starts with a relation sign, such as `= 5x` under an
    /// expression being simplified.
    Continued {
        op: RelOp,
        rest: Box<Statement>,
    },
    /// `x = 2 or x = -3`.
    Or(Vec<Statement>),
    /// `x + y = 5, x - y = 1` (comma, semicolon or `and`).
    And(Vec<Statement>),
}

/// A reading of the line that a student could have meant differently.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// 1-based column (in characters) where the ambiguous part starts.
    pub column: usize,
    pub message: String,
}

/// A parsed line with the notes on how it was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    pub statement: Statement,
    pub notes: Vec<Note>,
}
