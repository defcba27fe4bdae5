//! The template mini-language: exact expressions over rationals for a
//! template's `derived` values and `constraints`.
//!
//! It is separate from the parser for students' input on purpose, so that
//! templates keep working while that parser changes. Grammar, loosest first:
//!
//! ```text
//! expr    = and { ("or" | "||") and }
//! and     = not { ("and" | "&&") not }
//! not     = "not" not | compare
//! compare = sum [ ("==" | "=" | "!=" | "<" | "<=" | ">" | ">=") sum ]
//! sum     = product { ("+" | "-") product }
//! product = unary { ("*" | "/") unary }
//! unary   = "-" unary | power
//! power   = atom [ "^" unary ]          (right-associative, so -2^2 is -4)
//! atom    = number | name | name "(" expr { "," expr } ")" | "(" expr ")"
//! ```
//!
//! Numbers are integers or decimals (`0.25` is exactly one quarter). Values
//! are exact rationals or booleans, and mixing them is an error. Powers need
//! an integer exponent of at most [`MAX_EXPONENT`] in absolute value.
//!
//! Functions: `abs`, `floor`, `ceil`, `min`, `max`, `gcd`, `lcm`, `mod(a, b)`
//! (the remainder with the sign of `b`), `num` and `den` (numerator and
//! denominator in lowest terms), `sqrt` (only of rational squares),
//! `round_dp(x, n)` and `round_sf(x, n)` (half away from zero).
//! Predicates: `integer(x)`, `square(n)` (a non-negative integer that is a
//! perfect square), `coprime(a, b)`, `distinct(a, b, ...)`, `squarefree(n)`,
//! `prime(n)`, `terminating(x)` (a finite decimal).
//!
//! Approximate functions, for answers that have no exact rational value
//! (lengths by Pythagoras, trigonometry, circles): `root(x)` (the square
//! root of any non-negative number), `sin`, `cos`, `tan` of an angle in
//! degrees, `asin`, `acos`, `atan` giving degrees, and `pi(x)` for π times
//! `x`. They compute in double precision and return the exact rational of
//! that double, so they are only fit to be rounded with `round_dp` or
//! `round_sf`. The predicate `clear_dp(x, n)` is true when `x` lies at least
//! 10^-6 of a unit in the last place from a rounding boundary at `n`
//! decimal places, so that double-precision error cannot change the rounded
//! answer; use it as a constraint next to every approximate answer.

use std::collections::HashMap;
use std::fmt;

use num_bigint::BigInt;
use num_integer::Integer;
use num_rational::BigRational;
use num_traits::{One, Signed, ToPrimitive, Zero};
use thiserror::Error;

/// Largest absolute exponent that `^` expands.
pub const MAX_EXPONENT: i64 = 64;

/// Largest number of significant figures or decimal places in rounding.
const MAX_ROUNDING_DIGITS: i64 = 30;

/// Deepest bracket and operator nesting the parser accepts.
const MAX_DEPTH: usize = 64;

/// A failure to parse or evaluate a template expression.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EvalError {
    #[error("invalid expression `{source_text}` at character {position}: {message}")]
    Syntax {
        source_text: String,
        position: usize,
        message: String,
    },
    #[error("unknown name `{0}`; define it in params or in an earlier derived line")]
    UnknownName(String),
    #[error("unknown function `{0}`; see the function list in the generate::eval docs")]
    UnknownFunction(String),
    #[error("{function} expects {expected} arguments, got {got}")]
    Arity {
        function: String,
        expected: &'static str,
        got: usize,
    },
    #[error("expected a number but got a true/false value in {0}")]
    NotNumber(String),
    #[error("expected a true/false value but got a number in {0}")]
    NotBool(String),
    #[error("division by zero in {0}")]
    DivisionByZero(String),
    #[error("invalid argument for {function}: {reason}")]
    Domain { function: String, reason: String },
}

/// The value of a template expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Number(BigRational),
    Bool(bool),
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Number(n) => write!(f, "{n}"),
            Value::Bool(b) => write!(f, "{b}"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BinaryOp {
    Add,
    Sub,
    Mul,
    Div,
    Pow,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Node {
    Number(BigRational),
    Name(String),
    Neg(Box<Node>),
    Not(Box<Node>),
    And(Box<Node>, Box<Node>),
    Or(Box<Node>, Box<Node>),
    Binary(BinaryOp, Box<Node>, Box<Node>),
    Call(String, Vec<Node>),
}

/// A parsed template expression, ready to evaluate many times.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expression {
    source: String,
    root: Node,
}

/// Values of the names an expression may read.
pub type Env = HashMap<String, BigRational>;

impl Expression {
    /// Parses `source` in the template mini-language.
    pub fn parse(source: &str) -> Result<Expression, EvalError> {
        let tokens = tokenize(source)?;
        let mut parser = Parser {
            source,
            tokens,
            position: 0,
            depth: 0,
        };
        let root = parser.expr()?;
        if let Some(token) = parser.tokens.get(parser.position) {
            return Err(parser.error_at(token.start, "unexpected text after the expression"));
        }
        Ok(Expression {
            source: source.to_string(),
            root,
        })
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    /// Evaluates the expression with the names in `env`.
    pub fn eval(&self, env: &Env) -> Result<Value, EvalError> {
        eval_node(&self.root, env, &self.source)
    }

    /// Evaluates to a number, or fails for a true/false result.
    pub fn eval_number(&self, env: &Env) -> Result<BigRational, EvalError> {
        match self.eval(env)? {
            Value::Number(n) => Ok(n),
            Value::Bool(_) => Err(EvalError::NotNumber(self.source.clone())),
        }
    }

    /// Evaluates to true or false, or fails for a numeric result.
    pub fn eval_bool(&self, env: &Env) -> Result<bool, EvalError> {
        match self.eval(env)? {
            Value::Bool(b) => Ok(b),
            Value::Number(_) => Err(EvalError::NotBool(self.source.clone())),
        }
    }

    /// Lists the names the expression reads, function names excluded.
    pub fn names(&self) -> Vec<String> {
        let mut names = Vec::new();
        collect_names(&self.root, &mut names);
        names
    }
}

fn collect_names(node: &Node, names: &mut Vec<String>) {
    match node {
        Node::Number(_) => {}
        Node::Name(name) => {
            if !names.contains(name) {
                names.push(name.clone());
            }
        }
        Node::Neg(inner) | Node::Not(inner) => collect_names(inner, names),
        Node::And(lhs, rhs) | Node::Or(lhs, rhs) | Node::Binary(_, lhs, rhs) => {
            collect_names(lhs, names);
            collect_names(rhs, names);
        }
        Node::Call(_, args) => {
            for arg in args {
                collect_names(arg, names);
            }
        }
    }
}

// ---------------------------------------------------------------- tokens

#[derive(Debug, Clone, PartialEq, Eq)]
enum TokenKind {
    Number(BigRational),
    Name(String),
    Symbol(&'static str),
}

#[derive(Debug, Clone)]
struct Token {
    kind: TokenKind,
    /// 1-based character position in the source.
    start: usize,
}

const SYMBOLS: [&str; 17] = [
    "==", "!=", "<=", ">=", "&&", "||", "+", "-", "*", "/", "^", "(", ")", ",", "<", ">", "=",
];

fn tokenize(source: &str) -> Result<Vec<Token>, EvalError> {
    let chars: Vec<char> = source.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start = i + 1;
        if c.is_whitespace() {
            i += 1;
        } else if c.is_ascii_digit()
            || (c == '.' && chars.get(i + 1).is_some_and(char::is_ascii_digit))
        {
            let begin = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            let text: String = chars[begin..i].iter().collect();
            let value = parse_decimal(&text).ok_or_else(|| EvalError::Syntax {
                source_text: source.to_string(),
                position: start,
                message: format!("invalid number `{text}`"),
            })?;
            tokens.push(Token {
                kind: TokenKind::Number(value),
                start,
            });
        } else if c.is_alphabetic() || c == '_' {
            let begin = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            tokens.push(Token {
                kind: TokenKind::Name(chars[begin..i].iter().collect()),
                start,
            });
        } else {
            let rest: String = chars[i..chars.len().min(i + 2)].iter().collect();
            let symbol = SYMBOLS.iter().find(|symbol| rest.starts_with(**symbol));
            match symbol {
                Some(symbol) => {
                    tokens.push(Token {
                        kind: TokenKind::Symbol(symbol),
                        start,
                    });
                    i += symbol.len();
                }
                None => {
                    return Err(EvalError::Syntax {
                        source_text: source.to_string(),
                        position: start,
                        message: format!("unexpected character `{c}`"),
                    })
                }
            }
        }
    }
    Ok(tokens)
}

/// Reads `12`, `0.25` or `.5` exactly.
pub(crate) fn parse_decimal(text: &str) -> Option<BigRational> {
    let (whole, fraction) = match text.split_once('.') {
        Some((whole, fraction)) => (whole, fraction),
        None => (text, ""),
    };
    if fraction.contains('.') || (whole.is_empty() && fraction.is_empty()) {
        return None;
    }
    let digits = format!("{whole}{fraction}");
    let numerator: BigInt = digits.parse().ok()?;
    let denominator = num_traits::pow(BigInt::from(10), fraction.len());
    Some(BigRational::new(numerator, denominator))
}

// ---------------------------------------------------------------- parser

struct Parser<'a> {
    source: &'a str,
    tokens: Vec<Token>,
    position: usize,
    depth: usize,
}

impl Parser<'_> {
    fn error_at(&self, position: usize, message: &str) -> EvalError {
        EvalError::Syntax {
            source_text: self.source.to_string(),
            position,
            message: message.to_string(),
        }
    }

    fn error_here(&self, message: &str) -> EvalError {
        let position = match self.tokens.get(self.position) {
            Some(token) => token.start,
            None => self.source.chars().count() + 1,
        };
        self.error_at(position, message)
    }

    fn peek_symbol(&self) -> Option<&'static str> {
        match self.tokens.get(self.position).map(|token| &token.kind) {
            Some(TokenKind::Symbol(symbol)) => Some(symbol),
            _ => None,
        }
    }

    fn peek_word(&self) -> Option<&str> {
        match self.tokens.get(self.position).map(|token| &token.kind) {
            Some(TokenKind::Name(name)) => Some(name.as_str()),
            _ => None,
        }
    }

    fn eat_symbol(&mut self, symbol: &str) -> bool {
        if self.peek_symbol() == Some(symbol) {
            self.position += 1;
            true
        } else {
            false
        }
    }

    fn eat_word(&mut self, word: &str) -> bool {
        if self.peek_word() == Some(word) {
            self.position += 1;
            true
        } else {
            false
        }
    }

    fn enter(&mut self) -> Result<(), EvalError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error_here("expression nested too deeply; simplify it"));
        }
        Ok(())
    }

    fn expr(&mut self) -> Result<Node, EvalError> {
        self.enter()?;
        let mut lhs = self.and()?;
        while self.eat_symbol("||") || self.eat_word("or") {
            let rhs = self.and()?;
            lhs = Node::Or(Box::new(lhs), Box::new(rhs));
        }
        self.depth -= 1;
        Ok(lhs)
    }

    fn and(&mut self) -> Result<Node, EvalError> {
        let mut lhs = self.not()?;
        while self.eat_symbol("&&") || self.eat_word("and") {
            let rhs = self.not()?;
            lhs = Node::And(Box::new(lhs), Box::new(rhs));
        }
        Ok(lhs)
    }

    fn not(&mut self) -> Result<Node, EvalError> {
        if self.eat_word("not") {
            self.enter()?;
            let inner = self.not()?;
            self.depth -= 1;
            return Ok(Node::Not(Box::new(inner)));
        }
        self.compare()
    }

    fn compare(&mut self) -> Result<Node, EvalError> {
        let lhs = self.sum()?;
        let op = match self.peek_symbol() {
            Some("==") | Some("=") => BinaryOp::Eq,
            Some("!=") => BinaryOp::Ne,
            Some("<") => BinaryOp::Lt,
            Some("<=") => BinaryOp::Le,
            Some(">") => BinaryOp::Gt,
            Some(">=") => BinaryOp::Ge,
            _ => return Ok(lhs),
        };
        self.position += 1;
        let rhs = self.sum()?;
        Ok(Node::Binary(op, Box::new(lhs), Box::new(rhs)))
    }

    fn sum(&mut self) -> Result<Node, EvalError> {
        let mut lhs = self.product()?;
        loop {
            let op = if self.eat_symbol("+") {
                BinaryOp::Add
            } else if self.eat_symbol("-") {
                BinaryOp::Sub
            } else {
                return Ok(lhs);
            };
            let rhs = self.product()?;
            lhs = Node::Binary(op, Box::new(lhs), Box::new(rhs));
        }
    }

    fn product(&mut self) -> Result<Node, EvalError> {
        let mut lhs = self.unary()?;
        loop {
            let op = if self.eat_symbol("*") {
                BinaryOp::Mul
            } else if self.eat_symbol("/") {
                BinaryOp::Div
            } else {
                return Ok(lhs);
            };
            let rhs = self.unary()?;
            lhs = Node::Binary(op, Box::new(lhs), Box::new(rhs));
        }
    }

    fn unary(&mut self) -> Result<Node, EvalError> {
        if self.eat_symbol("-") {
            self.enter()?;
            let inner = self.unary()?;
            self.depth -= 1;
            return Ok(Node::Neg(Box::new(inner)));
        }
        self.power()
    }

    fn power(&mut self) -> Result<Node, EvalError> {
        let base = self.atom()?;
        if self.eat_symbol("^") {
            self.enter()?;
            let exponent = self.unary()?;
            self.depth -= 1;
            return Ok(Node::Binary(
                BinaryOp::Pow,
                Box::new(base),
                Box::new(exponent),
            ));
        }
        Ok(base)
    }

    fn atom(&mut self) -> Result<Node, EvalError> {
        let Some(token) = self.tokens.get(self.position).cloned() else {
            return Err(self.error_here("expression ends too early"));
        };
        match token.kind {
            TokenKind::Number(value) => {
                self.position += 1;
                Ok(Node::Number(value))
            }
            TokenKind::Name(name) => {
                self.position += 1;
                if !self.eat_symbol("(") {
                    return Ok(Node::Name(name));
                }
                let mut args = vec![self.expr()?];
                while self.eat_symbol(",") {
                    args.push(self.expr()?);
                }
                if !self.eat_symbol(")") {
                    return Err(self.error_here("missing `)` after the arguments"));
                }
                Ok(Node::Call(name, args))
            }
            TokenKind::Symbol("(") => {
                self.position += 1;
                let inner = self.expr()?;
                if !self.eat_symbol(")") {
                    return Err(self.error_here("missing closing bracket"));
                }
                Ok(inner)
            }
            TokenKind::Symbol(symbol) => Err(self.error_at(
                token.start,
                &format!("expected a number, name or `(` but found `{symbol}`"),
            )),
        }
    }
}

// ---------------------------------------------------------------- evaluation

fn number(value: Value, source: &str) -> Result<BigRational, EvalError> {
    match value {
        Value::Number(n) => Ok(n),
        Value::Bool(_) => Err(EvalError::NotNumber(source.to_string())),
    }
}

fn boolean(value: Value, source: &str) -> Result<bool, EvalError> {
    match value {
        Value::Bool(b) => Ok(b),
        Value::Number(_) => Err(EvalError::NotBool(source.to_string())),
    }
}

fn eval_node(node: &Node, env: &Env, source: &str) -> Result<Value, EvalError> {
    match node {
        Node::Number(n) => Ok(Value::Number(n.clone())),
        Node::Name(name) => env
            .get(name)
            .cloned()
            .map(Value::Number)
            .ok_or_else(|| EvalError::UnknownName(name.clone())),
        Node::Neg(inner) => Ok(Value::Number(-number(
            eval_node(inner, env, source)?,
            source,
        )?)),
        Node::Not(inner) => Ok(Value::Bool(!boolean(
            eval_node(inner, env, source)?,
            source,
        )?)),
        Node::And(lhs, rhs) => {
            let left = boolean(eval_node(lhs, env, source)?, source)?;
            Ok(Value::Bool(
                left && boolean(eval_node(rhs, env, source)?, source)?,
            ))
        }
        Node::Or(lhs, rhs) => {
            let left = boolean(eval_node(lhs, env, source)?, source)?;
            Ok(Value::Bool(
                left || boolean(eval_node(rhs, env, source)?, source)?,
            ))
        }
        Node::Binary(op, lhs, rhs) => {
            let left = number(eval_node(lhs, env, source)?, source)?;
            let right = number(eval_node(rhs, env, source)?, source)?;
            eval_binary(*op, left, right, source)
        }
        Node::Call(name, args) => {
            let values = args
                .iter()
                .map(|arg| eval_node(arg, env, source))
                .collect::<Result<Vec<_>, _>>()?;
            call(name, values, source)
        }
    }
}

fn eval_binary(
    op: BinaryOp,
    left: BigRational,
    right: BigRational,
    source: &str,
) -> Result<Value, EvalError> {
    let value = match op {
        BinaryOp::Add => Value::Number(left + right),
        BinaryOp::Sub => Value::Number(left - right),
        BinaryOp::Mul => Value::Number(left * right),
        BinaryOp::Div => {
            if right.is_zero() {
                return Err(EvalError::DivisionByZero(source.to_string()));
            }
            Value::Number(left / right)
        }
        BinaryOp::Pow => Value::Number(power(left, &right, source)?),
        BinaryOp::Eq => Value::Bool(left == right),
        BinaryOp::Ne => Value::Bool(left != right),
        BinaryOp::Lt => Value::Bool(left < right),
        BinaryOp::Le => Value::Bool(left <= right),
        BinaryOp::Gt => Value::Bool(left > right),
        BinaryOp::Ge => Value::Bool(left >= right),
    };
    Ok(value)
}

fn power(
    base: BigRational,
    exponent: &BigRational,
    source: &str,
) -> Result<BigRational, EvalError> {
    let exponent = small_integer(exponent).filter(|e| e.abs() <= MAX_EXPONENT).ok_or_else(|| EvalError::Domain {
        function: "^".into(),
        reason: format!("exponent {exponent} in `{source}` must be an integer between -{MAX_EXPONENT} and {MAX_EXPONENT}"),
    })?;
    if exponent < 0 && base.is_zero() {
        return Err(EvalError::DivisionByZero(source.to_string()));
    }
    let magnitude = usize::try_from(exponent.unsigned_abs()).unwrap_or(0);
    let raised = num_traits::pow(base, magnitude);
    Ok(if exponent < 0 { raised.recip() } else { raised })
}

fn small_integer(value: &BigRational) -> Option<i64> {
    if value.is_integer() {
        value.to_integer().to_i64()
    } else {
        None
    }
}

fn integer_of(value: &BigRational) -> Option<BigInt> {
    value.is_integer().then(|| value.to_integer())
}

fn expect_args(name: &str, args: &[Value], count: usize) -> Result<(), EvalError> {
    if args.len() == count {
        return Ok(());
    }
    let expected = match count {
        1 => "1",
        2 => "2",
        _ => "more",
    };
    Err(EvalError::Arity {
        function: name.to_string(),
        expected,
        got: args.len(),
    })
}

fn expect_at_least(name: &str, args: &[Value], count: usize) -> Result<(), EvalError> {
    if args.len() >= count {
        return Ok(());
    }
    Err(EvalError::Arity {
        function: name.to_string(),
        expected: if count == 1 {
            "at least 1"
        } else {
            "at least 2"
        },
        got: args.len(),
    })
}

fn call(name: &str, args: Vec<Value>, source: &str) -> Result<Value, EvalError> {
    let numbers = || -> Result<Vec<BigRational>, EvalError> {
        args.iter()
            .cloned()
            .map(|value| number(value, source))
            .collect()
    };
    let integers = |function: &str| -> Result<Vec<BigInt>, EvalError> {
        numbers()?
            .iter()
            .map(|n| {
                integer_of(n).ok_or_else(|| EvalError::Domain {
                    function: function.to_string(),
                    reason: format!("{n} is not an integer"),
                })
            })
            .collect()
    };
    let value = match name {
        "abs" => {
            expect_args(name, &args, 1)?;
            Value::Number(numbers()?[0].abs())
        }
        "floor" => {
            expect_args(name, &args, 1)?;
            Value::Number(numbers()?[0].floor())
        }
        "ceil" => {
            expect_args(name, &args, 1)?;
            Value::Number(numbers()?[0].ceil())
        }
        "min" | "max" => {
            expect_at_least(name, &args, 1)?;
            let values = numbers()?;
            let picked = if name == "min" {
                values.iter().min()
            } else {
                values.iter().max()
            };
            Value::Number(picked.cloned().unwrap_or_else(BigRational::zero))
        }
        "gcd" | "lcm" => {
            expect_at_least(name, &args, 2)?;
            let values = integers(name)?;
            let mut acc = values[0].abs();
            for v in &values[1..] {
                acc = if name == "gcd" {
                    acc.gcd(v)
                } else {
                    acc.lcm(v)
                };
            }
            Value::Number(BigRational::from_integer(acc))
        }
        "mod" => {
            expect_args(name, &args, 2)?;
            let values = integers(name)?;
            if values[1].is_zero() {
                return Err(EvalError::DivisionByZero(source.to_string()));
            }
            Value::Number(BigRational::from_integer(values[0].mod_floor(&values[1])))
        }
        "num" => {
            expect_args(name, &args, 1)?;
            Value::Number(BigRational::from_integer(numbers()?[0].numer().clone()))
        }
        "den" => {
            expect_args(name, &args, 1)?;
            Value::Number(BigRational::from_integer(numbers()?[0].denom().clone()))
        }
        "sqrt" => {
            expect_args(name, &args, 1)?;
            let value = &numbers()?[0];
            Value::Number(rational_sqrt(value).ok_or_else(|| EvalError::Domain {
                function: name.into(),
                reason: format!(
                    "{value} is not the square of a rational; add a square() constraint"
                ),
            })?)
        }
        "round_dp" | "round_sf" => {
            expect_args(name, &args, 2)?;
            let values = numbers()?;
            let digits = small_integer(&values[1])
                .filter(|d| d.abs() <= MAX_ROUNDING_DIGITS)
                .ok_or_else(|| EvalError::Domain {
                    function: name.into(),
                    reason: format!(
                        "digit count {} must be an integer of at most {MAX_ROUNDING_DIGITS}",
                        values[1]
                    ),
                })?;
            let rounded = if name == "round_dp" {
                round_dp(&values[0], digits)
            } else {
                round_sf(&values[0], digits)
            };
            Value::Number(rounded)
        }
        "integer" => {
            expect_args(name, &args, 1)?;
            Value::Bool(numbers()?[0].is_integer())
        }
        "square" => {
            expect_args(name, &args, 1)?;
            let value = &numbers()?[0];
            Value::Bool(
                integer_of(value).is_some_and(|n| !n.is_negative() && n.sqrt().pow(2u32) == n),
            )
        }
        "coprime" => {
            expect_args(name, &args, 2)?;
            let values = integers(name)?;
            Value::Bool(values[0].gcd(&values[1]).is_one())
        }
        "distinct" => {
            expect_at_least(name, &args, 2)?;
            let values = numbers()?;
            let all_distinct = values
                .iter()
                .enumerate()
                .all(|(i, a)| values[i + 1..].iter().all(|b| a != b));
            Value::Bool(all_distinct)
        }
        "squarefree" => {
            expect_args(name, &args, 1)?;
            let value = &numbers()?[0];
            Value::Bool(small_integer(value).is_some_and(is_squarefree))
        }
        "prime" => {
            expect_args(name, &args, 1)?;
            let value = &numbers()?[0];
            Value::Bool(small_integer(value).is_some_and(is_prime))
        }
        "terminating" => {
            expect_args(name, &args, 1)?;
            Value::Bool(decimal_places(&numbers()?[0]).is_some())
        }
        "root" | "sin" | "cos" | "tan" | "asin" | "acos" | "atan" | "pi" => {
            expect_args(name, &args, 1)?;
            let x = to_f64(&numbers()?[0]);
            let result = match name {
                "root" => x.sqrt(),
                "sin" => x.to_radians().sin(),
                "cos" => x.to_radians().cos(),
                "tan" => x.to_radians().tan(),
                "asin" => x.asin().to_degrees(),
                "acos" => x.acos().to_degrees(),
                "atan" => x.atan().to_degrees(),
                _ => std::f64::consts::PI * x,
            };
            Value::Number(
                BigRational::from_float(result).ok_or_else(|| EvalError::Domain {
                    function: name.into(),
                    reason: format!("{x} is outside the function's domain"),
                })?,
            )
        }
        "clear_dp" => {
            expect_args(name, &args, 2)?;
            let values = numbers()?;
            let places = small_integer(&values[1])
                .filter(|d| d.abs() <= MAX_ROUNDING_DIGITS)
                .ok_or_else(|| EvalError::Domain {
                    function: name.into(),
                    reason: format!("digit count {} must be a small integer", values[1]),
                })?;
            let scaled = to_f64(&values[0]) * 10f64.powi(places as i32);
            let distance = (scaled - scaled.floor() - 0.5).abs();
            Value::Bool(distance > 1e-6)
        }
        _ => return Err(EvalError::UnknownFunction(name.to_string())),
    };
    Ok(value)
}

/// The nearest double to `value`, NaN when it is out of range.
fn to_f64(value: &BigRational) -> f64 {
    value.to_f64().unwrap_or(f64::NAN)
}

fn rational_sqrt(value: &BigRational) -> Option<BigRational> {
    if value.is_negative() {
        return None;
    }
    let numer_root = value.numer().sqrt();
    let denom_root = value.denom().sqrt();
    let exact =
        &numer_root * &numer_root == *value.numer() && &denom_root * &denom_root == *value.denom();
    exact.then(|| BigRational::new(numer_root, denom_root))
}

fn is_squarefree(n: i64) -> bool {
    if n < 1 {
        return false;
    }
    let mut d: i64 = 2;
    while d.saturating_mul(d) <= n {
        if n % (d * d) == 0 {
            return false;
        }
        d += 1;
    }
    true
}

fn is_prime(n: i64) -> bool {
    if n < 2 {
        return false;
    }
    let mut d: i64 = 2;
    while d.saturating_mul(d) <= n {
        if n % d == 0 {
            return false;
        }
        d += 1;
    }
    true
}

fn ten_power(exponent: i64) -> BigRational {
    let magnitude = num_traits::pow(
        BigInt::from(10),
        usize::try_from(exponent.unsigned_abs()).unwrap_or(0),
    );
    if exponent < 0 {
        BigRational::new(BigInt::one(), magnitude)
    } else {
        BigRational::from_integer(magnitude)
    }
}

/// Rounds `value` to `places` decimal places, half away from zero. A
/// negative `places` rounds to tens, hundreds and so on.
pub fn round_dp(value: &BigRational, places: i64) -> BigRational {
    let scale = ten_power(places);
    let scaled = (value * &scale).abs();
    let half = BigRational::new(BigInt::one(), BigInt::from(2));
    let rounded = (scaled + half).floor();
    let signed = if value.is_negative() {
        -rounded
    } else {
        rounded
    };
    signed / scale
}

/// Returns the exponent `e` with `10^e <= |value| < 10^(e+1)`, for non-zero values.
pub fn decimal_exponent(value: &BigRational) -> i64 {
    let magnitude = value.abs();
    let mut exponent: i64 = 0;
    while magnitude >= ten_power(exponent + 1) {
        exponent += 1;
    }
    while magnitude < ten_power(exponent) {
        exponent -= 1;
    }
    exponent
}

/// Rounds `value` to `figures` significant figures, half away from zero.
pub fn round_sf(value: &BigRational, figures: i64) -> BigRational {
    if value.is_zero() {
        return value.clone();
    }
    let places = figures - 1 - decimal_exponent(value);
    // Rounding 9.96 to 2 s.f. gives 10, one digit longer than 9.96. The
    // value is still right, and the renderer writes it as 10.
    round_dp(value, places)
}

/// Counts the decimal places `value` needs, or returns `None` if its decimal
/// expansion does not terminate.
pub fn decimal_places(value: &BigRational) -> Option<u32> {
    let mut denominator = value.denom().clone();
    let two = BigInt::from(2);
    let five = BigInt::from(5);
    let mut twos = 0u32;
    let mut fives = 0u32;
    while (&denominator % &two).is_zero() {
        denominator /= &two;
        twos += 1;
    }
    while (&denominator % &five).is_zero() {
        denominator /= &five;
        fives += 1;
    }
    denominator.is_one().then_some(twos.max(fives))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rational(numerator: i64, denominator: i64) -> BigRational {
        BigRational::new(BigInt::from(numerator), BigInt::from(denominator))
    }

    fn env(pairs: &[(&str, i64)]) -> Env {
        pairs
            .iter()
            .map(|(name, value)| (name.to_string(), rational(*value, 1)))
            .collect()
    }

    fn number_of(source: &str, env: &Env) -> BigRational {
        Expression::parse(source)
            .expect("expression parses")
            .eval_number(env)
            .expect("expression evaluates")
    }

    fn bool_of(source: &str, env: &Env) -> bool {
        Expression::parse(source)
            .expect("expression parses")
            .eval_bool(env)
            .expect("expression evaluates")
    }

    #[test]
    fn arithmetic_is_exact() {
        let empty = Env::new();
        assert_eq!(number_of("1/3 + 1/6", &empty), rational(1, 2));
        assert_eq!(number_of("2 + 3 * 4", &empty), rational(14, 1));
        assert_eq!(number_of("(2 + 3) * 4", &empty), rational(20, 1));
        assert_eq!(number_of("0.25 * 8", &empty), rational(2, 1));
        assert_eq!(number_of("10 - 4 - 3", &empty), rational(3, 1));
        assert_eq!(number_of("12 / 4 / 3", &empty), rational(1, 1));
    }

    #[test]
    fn powers_and_unary_minus() {
        let empty = Env::new();
        assert_eq!(number_of("-2^2", &empty), rational(-4, 1));
        assert_eq!(number_of("(-2)^2", &empty), rational(4, 1));
        assert_eq!(number_of("2^3^2", &empty), rational(512, 1));
        assert_eq!(number_of("2^-2", &empty), rational(1, 4));
        assert_eq!(number_of("(2/3)^3", &empty), rational(8, 27));
    }

    #[test]
    fn power_rejects_bad_exponents() {
        let empty = Env::new();
        let fractional = Expression::parse("4^(1/2)").expect("parses").eval(&empty);
        assert!(matches!(fractional, Err(EvalError::Domain { .. })));
        let huge = Expression::parse("2^65").expect("parses").eval(&empty);
        assert!(matches!(huge, Err(EvalError::Domain { .. })));
        let zero = Expression::parse("0^-1").expect("parses").eval(&empty);
        assert!(matches!(zero, Err(EvalError::DivisionByZero(_))));
    }

    #[test]
    fn names_come_from_env() {
        let values = env(&[("a", 3), ("b", -4), ("c", 1)]);
        assert_eq!(number_of("b^2 - 4*a*c", &values), rational(4, 1));
        let missing = Expression::parse("a + z").expect("parses").eval(&values);
        assert_eq!(missing, Err(EvalError::UnknownName("z".into())));
    }

    #[test]
    fn comparisons_and_logic() {
        let values = env(&[("a", 3), ("b", -4)]);
        assert!(bool_of("a != 0", &values));
        assert!(bool_of("a = 3", &values));
        assert!(bool_of("a == 3 and b < 0", &values));
        assert!(bool_of("a > 5 or b <= -4", &values));
        assert!(bool_of("not (a >= 4)", &values));
        assert!(!bool_of("a > 3 || b > 0", &values));
        assert!(bool_of("a > 2 && not integer(a / 2)", &values));
    }

    #[test]
    fn type_mismatch_is_error() {
        let empty = Env::new();
        let sum = Expression::parse("1 + (2 < 3)")
            .expect("parses")
            .eval(&empty);
        assert!(matches!(sum, Err(EvalError::NotNumber(_))));
        let logic = Expression::parse("1 and 2 < 3")
            .expect("parses")
            .eval(&empty);
        assert!(matches!(logic, Err(EvalError::NotBool(_))));
    }

    #[test]
    fn arithmetic_functions() {
        let empty = Env::new();
        assert_eq!(number_of("abs(-7/2)", &empty), rational(7, 2));
        assert_eq!(number_of("gcd(12, 18)", &empty), rational(6, 1));
        assert_eq!(number_of("gcd(-12, 18, 8)", &empty), rational(2, 1));
        assert_eq!(number_of("lcm(4, 6)", &empty), rational(12, 1));
        assert_eq!(number_of("min(3, -1, 2)", &empty), rational(-1, 1));
        assert_eq!(number_of("max(3, -1, 2)", &empty), rational(3, 1));
        assert_eq!(number_of("floor(-7/2)", &empty), rational(-4, 1));
        assert_eq!(number_of("ceil(7/2)", &empty), rational(4, 1));
        assert_eq!(number_of("mod(-7, 3)", &empty), rational(2, 1));
        assert_eq!(number_of("num(6/8)", &empty), rational(3, 1));
        assert_eq!(number_of("den(6/8)", &empty), rational(4, 1));
        assert_eq!(number_of("sqrt(9/4)", &empty), rational(3, 2));
    }

    #[test]
    fn sqrt_rejects_non_squares() {
        let result = Expression::parse("sqrt(8)")
            .expect("parses")
            .eval(&Env::new());
        assert!(matches!(result, Err(EvalError::Domain { .. })));
    }

    #[test]
    fn rounding_functions() {
        let empty = Env::new();
        assert_eq!(number_of("round_dp(7.0963, 2)", &empty), rational(710, 100));
        assert_eq!(number_of("round_dp(2.5, 0)", &empty), rational(3, 1));
        assert_eq!(number_of("round_dp(-2.5, 0)", &empty), rational(-3, 1));
        assert_eq!(number_of("round_dp(38650, -3)", &empty), rational(39000, 1));
        assert_eq!(
            number_of("round_sf(0.0040672, 3)", &empty),
            rational(407, 100_000)
        );
        assert_eq!(number_of("round_sf(38650, 2)", &empty), rational(39000, 1));
        assert_eq!(number_of("round_sf(9.96, 2)", &empty), rational(10, 1));
    }

    #[test]
    fn predicates() {
        let empty = Env::new();
        assert!(bool_of("integer(6/3)", &empty));
        assert!(!bool_of("integer(7/3)", &empty));
        assert!(bool_of("square(49)", &empty));
        assert!(bool_of("square(0)", &empty));
        assert!(!bool_of("square(50)", &empty));
        assert!(!bool_of("square(-4)", &empty));
        assert!(!bool_of("square(9/4)", &empty));
        assert!(bool_of("coprime(8, 15)", &empty));
        assert!(!bool_of("coprime(8, 14)", &empty));
        assert!(bool_of("distinct(1, 2, 3)", &empty));
        assert!(!bool_of("distinct(1, 2, 1)", &empty));
        assert!(bool_of("squarefree(30)", &empty));
        assert!(!bool_of("squarefree(12)", &empty));
        assert!(bool_of("prime(13)", &empty));
        assert!(!bool_of("prime(1)", &empty));
        assert!(bool_of("terminating(3/8)", &empty));
        assert!(!bool_of("terminating(1/3)", &empty));
    }

    #[test]
    fn syntax_errors_give_position() {
        let cases = [
            ("2 +", 4),
            ("(1 + 2", 7),
            ("3 $ 4", 3),
            ("1 2", 3),
            ("f(1", 4),
        ];
        for (source, expected) in cases {
            match Expression::parse(source) {
                Err(EvalError::Syntax { position, .. }) => {
                    assert_eq!(position, expected, "position for `{source}`")
                }
                other => panic!("expected a syntax error for `{source}`, got {other:?}"),
            }
        }
    }

    #[test]
    fn unknown_function_and_arity() {
        let empty = Env::new();
        let unknown = Expression::parse("cube(2)").expect("parses").eval(&empty);
        assert_eq!(unknown, Err(EvalError::UnknownFunction("cube".into())));
        let arity = Expression::parse("abs(1, 2)").expect("parses").eval(&empty);
        assert!(matches!(arity, Err(EvalError::Arity { .. })));
    }

    #[test]
    fn deep_nesting_is_rejected() {
        let source = format!("{}1{}", "(".repeat(200), ")".repeat(200));
        assert!(matches!(
            Expression::parse(&source),
            Err(EvalError::Syntax { .. })
        ));
    }

    #[test]
    fn names_lists_variables_once() {
        let expression = Expression::parse("gcd(a, b) + a * c").expect("parses");
        assert_eq!(expression.names(), vec!["a", "b", "c"]);
    }

    #[test]
    fn decimal_places_and_exponent() {
        assert_eq!(decimal_places(&rational(7, 20)), Some(2));
        assert_eq!(decimal_places(&rational(5, 1)), Some(0));
        assert_eq!(decimal_places(&rational(1, 6)), None);
        assert_eq!(decimal_exponent(&rational(407, 100_000)), -3);
        assert_eq!(decimal_exponent(&rational(38650, 1)), 4);
        assert_eq!(decimal_exponent(&rational(-1, 1)), 0);
    }
}
