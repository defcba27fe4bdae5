//! The parser for typed working: calculator syntax as students type it on
//! a phone, with the readings fixed in the module docs of [`crate::maths`].
//!
//! The lexer turns the many ways of typing a symbol (`×`, `*`, `·`; `−`,
//! `-`; `≤`, `<=`; superscript digits) into one token each; the parser is
//! recursive descent with a depth limit, so deeply nested input gets an
//! error instead of overflowing the stack.

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Zero};

use super::ast::{
    BinOp, Constant, Expr, Func, Literal, LiteralKind, Note, Parsed, RelOp, Statement,
};
use super::{Limits, ParseError};

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num(Literal),
    Var(String),
    Func(Func),
    Pi,
    E,
    Op(char),
    PlusMinus,
    Rel(RelOp),
    Open(char),
    Close(char),
    Bar,
    Bang,
    Percent,
    /// Superscript digits, already read as an exponent.
    Super(Expr),
    Root(Func),
    Comma,
    Or,
    And,
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    column: usize,
}

fn error(column: usize, message: impl Into<String>) -> ParseError {
    ParseError {
        column,
        message: message.into(),
    }
}

/// Function names, longest first where one starts another (`cosec`, `cos`).
const FUNCTIONS: &[(&str, Func)] = &[
    ("asinh", Func::Asinh),
    ("acosh", Func::Acosh),
    ("atanh", Func::Atanh),
    ("cosec", Func::Csc),
    ("arcsin", Func::Asin),
    ("arccos", Func::Acos),
    ("arctan", Func::Atan),
    ("asin", Func::Asin),
    ("acos", Func::Acos),
    ("atan", Func::Atan),
    ("sinh", Func::Sinh),
    ("cosh", Func::Cosh),
    ("tanh", Func::Tanh),
    ("sqrt", Func::Sqrt),
    ("cbrt", Func::Cbrt),
    ("sin", Func::Sin),
    ("cos", Func::Cos),
    ("tan", Func::Tan),
    ("abs", Func::Abs),
    ("exp", Func::Exp),
    ("csc", Func::Csc),
    ("sec", Func::Sec),
    ("cot", Func::Cot),
    ("log", Func::Log10),
    ("ln", Func::Ln),
];

fn superscript(c: char) -> Option<char> {
    Some(match c {
        '⁰' => '0',
        '¹' => '1',
        '²' => '2',
        '³' => '3',
        '⁴' => '4',
        '⁵' => '5',
        '⁶' => '6',
        '⁷' => '7',
        '⁸' => '8',
        '⁹' => '9',
        '⁻' => '-',
        _ => return None,
    })
}

fn is_letter(c: char) -> bool {
    c.is_ascii_alphabetic() || ('α'..='ω').contains(&c) && c != 'π' || ('Α'..='Ω').contains(&c)
}

fn literal(text: &str, column: usize, limits: &Limits) -> Result<Literal, ParseError> {
    let digits = text.chars().filter(char::is_ascii_digit).count();
    if digits > limits.max_digits {
        return Err(error(
            column,
            format!("this number has more than {} digits", limits.max_digits),
        ));
    }
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let scale = BigInt::from(10).pow(fraction.len() as u32);
    let joined = format!("{whole}{fraction}");
    let joined = if joined.is_empty() {
        "0".to_string()
    } else {
        joined
    };
    let value: BigInt = joined
        .parse()
        .map_err(|_| error(column, format!("'{text}' is not a number")))?;
    let kind = if text.contains('.') {
        LiteralKind::Decimal
    } else {
        LiteralKind::Integer
    };
    Ok(Literal {
        value: BigRational::new(value, scale),
        text: text.to_string(),
        kind,
    })
}

/// Maps a full-width character (as East Asian keyboards type digits,
/// letters and signs) to its ASCII form, one character for one, so that
/// error columns still match the typed line.
fn narrow(c: char) -> char {
    match u32::from(c) {
        code @ 0xFF01..=0xFF5E => char::from_u32(code - 0xFEE0).unwrap_or(c),
        0x3000 => ' ',
        _ => c,
    }
}

fn lex(input: &str, limits: &Limits) -> Result<Vec<Token>, ParseError> {
    let chars: Vec<char> = input.chars().map(narrow).collect();
    let mut tokens: Vec<Token> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let column = i + 1;
        let next = chars.get(i + 1).copied();
        let push = |tok: Tok, tokens: &mut Vec<Token>| tokens.push(Token { tok, column });
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c.is_ascii_digit() || (c == '.' && next.is_some_and(|n| n.is_ascii_digit())) {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            if i < chars.len() && chars[i] == '.' {
                i += 1;
                while i < chars.len() && chars[i].is_ascii_digit() {
                    i += 1;
                }
            }
            let text: String = chars[start..i].iter().collect();
            let mut lit = literal(&text, column, limits)?;
            // e-notation: 3.2e4, 5E-3 (only directly after the digits).
            if i < chars.len() && (chars[i] == 'e' || chars[i] == 'E') {
                let mut j = i + 1;
                if j < chars.len() && (chars[j] == '-' || chars[j] == '+' || chars[j] == '−') {
                    j += 1;
                }
                let digits_start = j;
                while j < chars.len() && chars[j].is_ascii_digit() {
                    j += 1;
                }
                if j > digits_start && !(j < chars.len() && is_letter(chars[j])) {
                    let exponent_text: String = chars[i + 1..j]
                        .iter()
                        .map(|c| if *c == '−' { '-' } else { *c })
                        .collect();
                    let exponent: i64 = exponent_text
                        .parse()
                        .map_err(|_| error(column, "this power of ten is too large"))?;
                    if exponent.unsigned_abs() > u64::from(limits.max_exponent) {
                        return Err(error(column, "this power of ten is too large"));
                    }
                    let ten = BigRational::from_integer(BigInt::from(10));
                    let factor = if exponent >= 0 {
                        ten.pow(exponent as i32)
                    } else {
                        BigRational::one() / ten.pow((-exponent) as i32)
                    };
                    lit = Literal {
                        value: &lit.value * factor,
                        text: chars[start..j].iter().collect(),
                        kind: LiteralKind::Decimal,
                    };
                    i = j;
                }
            }
            // A mixed number: 2 1/2.
            if lit.kind == LiteralKind::Integer {
                if let Some((mixed, end)) = mixed_number(&chars, i, &lit, limits) {
                    let previous_is_operator =
                        matches!(tokens.last().map(|t| &t.tok), Some(Tok::Op('/' | '^')));
                    if !previous_is_operator {
                        lit = mixed;
                        i = end;
                    }
                }
            }
            tokens.push(Token {
                tok: Tok::Num(lit),
                column,
            });
            // Standard form typed with a letter x: 3.2 x 10^4.
            let mut j = i;
            while j < chars.len() && chars[j] == ' ' {
                j += 1;
            }
            if j < chars.len() && chars[j] == 'x' {
                let mut k = j + 1;
                while k < chars.len() && chars[k] == ' ' {
                    k += 1;
                }
                let ten = chars.get(k) == Some(&'1') && chars.get(k + 1) == Some(&'0');
                let power = chars
                    .get(k + 2)
                    .is_some_and(|c| *c == '^' || superscript(*c).is_some());
                if ten && power && j > i {
                    tokens.push(Token {
                        tok: Tok::Op('*'),
                        column: j + 1,
                    });
                    i = j + 1;
                }
            }
            continue;
        }
        if is_letter(c) {
            let start = i;
            while i < chars.len() && is_letter(chars[i]) {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            // A subscript: x_1.
            if i + 1 < chars.len()
                && chars[i] == '_'
                && chars[i + 1].is_ascii_alphanumeric()
                && word.chars().count() == 1
            {
                let mut j = i + 1;
                while j < chars.len() && chars[j].is_ascii_alphanumeric() {
                    j += 1;
                }
                let name: String = chars[start..j].iter().collect();
                tokens.push(Token {
                    tok: Tok::Var(name),
                    column,
                });
                i = j;
                continue;
            }
            if i < chars.len()
                && chars[i].is_ascii_digit()
                && !matches!(
                    word.as_str(),
                    "sqrt" | "cbrt" | "log" | "ln" | "sin" | "cos" | "tan"
                )
            {
                return Err(error(column, format!("'{word}{}' is unclear: write the number first, like 2{word}, or use ^ for a power", chars[i])));
            }
            word_tokens(&word, column, &mut tokens)?;
            continue;
        }
        if let Some(first) = superscript(c) {
            let start = i;
            let mut text = String::from(first);
            i += 1;
            while i < chars.len() {
                match superscript(chars[i]) {
                    Some(d) => text.push(d),
                    None => break,
                }
                i += 1;
            }
            let (negative, digits) = match text.strip_prefix('-') {
                Some(rest) => (true, rest.to_string()),
                None => (false, text.clone()),
            };
            if digits.is_empty() {
                return Err(error(
                    start + 1,
                    "a superscript minus needs digits after it",
                ));
            }
            let lit = literal(&digits, column, limits)?;
            let exponent = if negative {
                Expr::Neg(Box::new(Expr::Num(lit)))
            } else {
                Expr::Num(lit)
            };
            tokens.push(Token {
                tok: Tok::Super(exponent),
                column,
            });
            continue;
        }
        let two: String = chars[i..chars.len().min(i + 3)].iter().collect();
        let (tok, width) = if two.starts_with("+/-") {
            (Tok::PlusMinus, 3)
        } else if two.starts_with("**") {
            (Tok::Op('^'), 2)
        } else if two.starts_with("<=") || two.starts_with("=<") {
            (Tok::Rel(RelOp::Le), 2)
        } else if two.starts_with(">=") || two.starts_with("=>") {
            (Tok::Rel(RelOp::Ge), 2)
        } else if two.starts_with("!=") || two.starts_with("<>") {
            (Tok::Rel(RelOp::Ne), 2)
        } else if two.starts_with("==") {
            (Tok::Rel(RelOp::Eq), 2)
        } else {
            let tok = match c {
                '+' => Tok::Op('+'),
                '-' | '−' | '–' | '‐' => Tok::Op('-'),
                '*' | '×' | '·' | '⋅' | '∗' => Tok::Op('*'),
                '/' | '∕' => Tok::Op('/'),
                '÷' => Tok::Op('÷'),
                '^' => Tok::Op('^'),
                '±' => Tok::PlusMinus,
                '=' => Tok::Rel(RelOp::Eq),
                '<' => Tok::Rel(RelOp::Lt),
                '>' => Tok::Rel(RelOp::Gt),
                '≤' | '⩽' => Tok::Rel(RelOp::Le),
                '≥' | '⩾' => Tok::Rel(RelOp::Ge),
                '≠' => Tok::Rel(RelOp::Ne),
                '(' | '[' | '{' => Tok::Open(c),
                ')' | ']' | '}' => Tok::Close(c),
                '|' => Tok::Bar,
                '!' => Tok::Bang,
                '%' => Tok::Percent,
                '√' => Tok::Root(Func::Sqrt),
                '∛' => Tok::Root(Func::Cbrt),
                'π' => Tok::Pi,
                ',' | ';' => Tok::Comma,
                _ => {
                    return Err(error(
                        column,
                        format!("'{c}' is not a symbol Stepwise understands"),
                    ))
                }
            };
            (tok, 1)
        };
        push(tok, &mut tokens);
        i += width;
    }
    Ok(tokens)
}

fn mixed_number(
    chars: &[char],
    i: usize,
    whole: &Literal,
    limits: &Limits,
) -> Option<(Literal, usize)> {
    let mut j = i;
    if chars.get(j) != Some(&' ') {
        return None;
    }
    while chars.get(j) == Some(&' ') {
        j += 1;
    }
    let read_int = |mut k: usize| {
        let start = k;
        while k < chars.len() && chars[k].is_ascii_digit() {
            k += 1;
        }
        (k > start).then(|| (chars[start..k].iter().collect::<String>(), k))
    };
    let (numerator, k) = read_int(j)?;
    if chars.get(k) != Some(&'/') {
        return None;
    }
    let (denominator, end) = read_int(k + 1)?;
    if chars
        .get(end)
        .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, '(' | '^' | '.' | '√'))
    {
        return None;
    }
    let n = literal(&numerator, 0, limits).ok()?.value;
    let d = literal(&denominator, 0, limits).ok()?.value;
    if d.is_zero() || n >= d || n.is_zero() {
        return None;
    }
    let text = format!("{} {numerator}/{denominator}", whole.text);
    Some((
        Literal {
            value: &whole.value + n / d,
            text,
            kind: LiteralKind::Mixed,
        },
        end,
    ))
}

fn word_tokens(word: &str, column: usize, tokens: &mut Vec<Token>) -> Result<(), ParseError> {
    let lower = word.to_lowercase();
    match lower.as_str() {
        "or" => {
            tokens.push(Token {
                tok: Tok::Or,
                column,
            });
            return Ok(());
        }
        "and" => {
            tokens.push(Token {
                tok: Tok::And,
                column,
            });
            return Ok(());
        }
        "pi" => {
            tokens.push(Token {
                tok: Tok::Pi,
                column,
            });
            return Ok(());
        }
        _ => {}
    }
    for (name, _) in FUNCTIONS {
        let misspelt = lower.len() > name.len()
            && lower.starts_with(name)
            && lower[name.len()..].chars().all(|c| name.ends_with(c));
        if misspelt {
            return Err(error(
                column,
                format!("unknown word '{word}': did you mean {name}?"),
            ));
        }
    }
    if lower.starts_with("sq") && !lower.starts_with("sqrt") {
        return Err(error(
            column,
            format!("unknown word '{word}': did you mean sqrt?"),
        ));
    }
    let chars: Vec<char> = word.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let rest: String = chars[i..].iter().collect::<String>().to_lowercase();
        let col = column + i;
        if let Some((name, func)) = FUNCTIONS.iter().find(|(name, _)| rest.starts_with(name)) {
            tokens.push(Token {
                tok: Tok::Func(*func),
                column: col,
            });
            i += name.len();
        } else if rest.starts_with("pi") {
            tokens.push(Token {
                tok: Tok::Pi,
                column: col,
            });
            i += 2;
        } else if chars[i] == 'e' {
            tokens.push(Token {
                tok: Tok::E,
                column: col,
            });
            i += 1;
        } else {
            tokens.push(Token {
                tok: Tok::Var(chars[i].to_string()),
                column: col,
            });
            i += 1;
        }
    }
    Ok(())
}

struct Parser<'a> {
    tokens: Vec<Token>,
    position: usize,
    depth: usize,
    limits: &'a Limits,
    notes: Vec<Note>,
    end_column: usize,
    /// Open absolute-value bars, so a `|` closes rather than opens.
    bars: usize,
}

fn is_division(expr: &Expr) -> bool {
    matches!(expr, Expr::Binary { op: BinOp::Div, .. })
}

fn bin(op: BinOp, lhs: Expr, rhs: Expr, implicit: bool) -> Expr {
    Expr::Binary {
        op,
        lhs: Box::new(lhs),
        rhs: Box::new(rhs),
        implicit,
    }
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.tokens.get(self.position).map(|t| &t.tok)
    }

    fn column(&self) -> usize {
        self.tokens
            .get(self.position)
            .map_or(self.end_column, |t| t.column)
    }

    fn advance(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.position).cloned();
        self.position += 1;
        token
    }

    fn enter(&mut self) -> Result<(), ParseError> {
        self.depth += 1;
        if self.depth > self.limits.max_depth {
            return Err(error(
                self.column(),
                format!(
                    "this line is nested too deeply (more than {} levels)",
                    self.limits.max_depth
                ),
            ));
        }
        Ok(())
    }

    fn statement(&mut self) -> Result<Statement, ParseError> {
        let mut parts = vec![self.conjunction()?];
        while self.peek() == Some(&Tok::Or) {
            self.advance();
            parts.push(self.conjunction()?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Statement::Or(parts)
        })
    }

    fn conjunction(&mut self) -> Result<Statement, ParseError> {
        let mut parts = vec![self.relation()?];
        while matches!(self.peek(), Some(Tok::And | Tok::Comma)) {
            self.advance();
            parts.push(self.relation()?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Statement::And(parts)
        })
    }

    /// Whether the bracket at the current token contains a statement, such as
    /// `(x = 1 or x = 2)`, rather than an expression: a relation sign, `or`,
    /// `and` or a comma directly inside it.
    fn bracketed_statement_ahead(&self) -> bool {
        if !matches!(self.peek(), Some(Tok::Open(_))) {
            return false;
        }
        let mut depth = 0usize;
        for token in &self.tokens[self.position..] {
            match token.tok {
                Tok::Open(_) => depth += 1,
                Tok::Close(_) => {
                    depth -= 1;
                    if depth == 0 {
                        return false;
                    }
                }
                Tok::Rel(_) | Tok::Or | Tok::And | Tok::Comma if depth == 1 => return true,
                _ => {}
            }
        }
        false
    }

    /// A bracketed statement, which must stand alone between `or`, `and`,
    /// commas and the line's ends.
    fn bracketed_statement(&mut self) -> Result<Statement, ParseError> {
        let column = self.column();
        self.advance();
        self.enter()?;
        let inner = self.statement()?;
        self.depth -= 1;
        match self.advance() {
            Some(Token {
                tok: Tok::Close(_), ..
            }) => {}
            Some(other) => {
                return Err(error(
                    other.column,
                    format!("expected a closing bracket to match the one in column {column}"),
                ))
            }
            None => return Err(error(column, "missing closing bracket")),
        }
        match self.peek() {
            None | Some(Tok::Or | Tok::And | Tok::Comma | Tok::Close(_)) => Ok(inner),
            Some(_) => Err(error(
                self.column(),
                "a bracketed equation or inequality can only be joined to others with 'or', 'and' or a comma",
            )),
        }
    }

    fn relation(&mut self) -> Result<Statement, ParseError> {
        if self.bracketed_statement_ahead() {
            return self.bracketed_statement();
        }
        if let Some(Tok::Rel(op)) = self.peek().cloned() {
            self.advance();
            let rest = self.relation()?;
            return Ok(Statement::Continued {
                op,
                rest: Box::new(rest),
            });
        }
        let mut parts = vec![self.expression()?];
        let mut ops = Vec::new();
        while let Some(Tok::Rel(op)) = self.peek().cloned() {
            self.advance();
            ops.push(op);
            if self.peek().is_none() {
                return Err(error(
                    self.column(),
                    format!("'{}' needs something after it", op.symbol()),
                ));
            }
            parts.push(self.expression()?);
        }
        Ok(if ops.is_empty() {
            Statement::Expr(parts.remove(0))
        } else {
            Statement::Relation { parts, ops }
        })
    }

    fn expression(&mut self) -> Result<Expr, ParseError> {
        let mut lhs = if self.peek() == Some(&Tok::PlusMinus) {
            self.advance();
            Expr::PlusMinus {
                lhs: None,
                rhs: Box::new(self.term()?),
            }
        } else {
            self.term()?
        };
        loop {
            let (op, column) = match self.peek() {
                Some(Tok::Op('+')) => (Some(BinOp::Add), self.column()),
                Some(Tok::Op('-')) => (Some(BinOp::Sub), self.column()),
                Some(Tok::PlusMinus) => (None, self.column()),
                _ => break,
            };
            self.advance();
            if self.peek().is_none()
                || matches!(self.peek(), Some(Tok::Rel(_) | Tok::Close(_) | Tok::Comma))
            {
                return Err(error(column, "this sign needs something after it"));
            }
            let rhs = self.term()?;
            lhs = match op {
                Some(op) => bin(op, lhs, rhs, false),
                None => Expr::PlusMinus {
                    lhs: Some(Box::new(lhs)),
                    rhs: Box::new(rhs),
                },
            };
        }
        Ok(lhs)
    }

    fn starts_factor(&self) -> bool {
        match self.peek() {
            Some(
                Tok::Num(_)
                | Tok::Var(_)
                | Tok::Func(_)
                | Tok::Pi
                | Tok::E
                | Tok::Open(_)
                | Tok::Root(_),
            ) => true,
            Some(Tok::Bar) => self.bars == 0,
            _ => false,
        }
    }

    /// Products and quotients. A fraction typed with `/` binds tighter than
    /// `×`, `÷` and implicit multiplication, so `3/4 ÷ 5/6` divides two
    /// fractions; otherwise the operators work left to right.
    fn term(&mut self) -> Result<Expr, ParseError> {
        let mut lhs = self.fraction(true)?;
        let mut after_division = is_division(&lhs);
        loop {
            let column = self.column();
            let (op, implicit) = match self.peek() {
                Some(Tok::Op('*')) => (BinOp::Mul, false),
                Some(Tok::Op('÷')) => (BinOp::Div, false),
                _ if self.starts_factor() => (BinOp::Mul, true),
                _ => break,
            };
            if !implicit {
                self.advance();
                if self.peek().is_none()
                    || matches!(self.peek(), Some(Tok::Rel(_) | Tok::Close(_) | Tok::Comma))
                {
                    return Err(error(column, "this sign needs something after it"));
                }
            } else if after_division {
                self.notes.push(Note {
                    column,
                    message: "read as (a/b) × c, working left to right; use brackets, such as 7/(3x), if the whole product is the denominator".into(),
                });
            }
            let rhs = self.fraction(!implicit)?;
            after_division = op == BinOp::Div || is_division(&rhs) || (after_division && implicit);
            lhs = bin(op, lhs, rhs, implicit);
        }
        Ok(lhs)
    }

    /// `a/b/c`, left to right; `with_sign` allows a leading minus, as after `×`.
    fn fraction(&mut self, with_sign: bool) -> Result<Expr, ParseError> {
        let mut lhs = if with_sign {
            self.unary()?
        } else {
            self.power()?
        };
        while self.peek() == Some(&Tok::Op('/')) {
            let column = self.column();
            self.advance();
            if self.peek().is_none()
                || matches!(self.peek(), Some(Tok::Rel(_) | Tok::Close(_) | Tok::Comma))
            {
                return Err(error(column, "this sign needs something after it"));
            }
            let rhs = self.unary()?;
            lhs = bin(BinOp::Div, lhs, rhs, false);
        }
        Ok(lhs)
    }

    fn unary(&mut self) -> Result<Expr, ParseError> {
        let result = match self.peek() {
            Some(Tok::Op('-')) => {
                let column = self.column();
                self.advance();
                if self.peek().is_none() {
                    return Err(error(column, "'-' needs something after it"));
                }
                self.enter()?;
                let inner = self.unary()?;
                self.depth -= 1;
                Expr::Neg(Box::new(inner))
            }
            Some(Tok::Op('+')) => {
                self.advance();
                self.unary()?
            }
            _ => self.power()?,
        };
        Ok(result)
    }

    fn power(&mut self) -> Result<Expr, ParseError> {
        let base = self.postfix()?;
        let result = match self.peek().cloned() {
            Some(Tok::Op('^')) => {
                let column = self.column();
                self.advance();
                if self.peek().is_none() {
                    return Err(error(column, "'^' needs a power after it"));
                }
                self.enter()?;
                let exponent = self.unary()?;
                self.depth -= 1;
                bin(BinOp::Pow, base, exponent, false)
            }
            Some(Tok::Super(exponent)) => {
                self.advance();
                let powered = bin(BinOp::Pow, base, exponent, false);
                self.postfix_ops(powered)?
            }
            _ => base,
        };
        Ok(result)
    }

    fn postfix(&mut self) -> Result<Expr, ParseError> {
        let primary = self.primary()?;
        self.postfix_ops(primary)
    }

    fn postfix_ops(&mut self, mut expr: Expr) -> Result<Expr, ParseError> {
        loop {
            match self.peek() {
                Some(Tok::Bang) => expr = Expr::Factorial(Box::new(expr)),
                Some(Tok::Percent) => expr = Expr::Percent(Box::new(expr)),
                _ => return Ok(expr),
            }
            self.advance();
        }
    }

    /// Reads a power written straight after a function name. `sin^2 x` and
    /// `sin²(x)` square the value of the function, as textbooks write it.
    /// `sin^-1 x` and `sin⁻¹ x` are the inverse sine, as on a UK
    /// calculator's keys, and likewise for cos and tan. Returns the function
    /// to call and the power to raise its value to.
    fn function_power(&mut self, func: Func) -> Result<(Func, Option<Expr>), ParseError> {
        let column = self.column();
        let exponent = match self.peek().cloned() {
            Some(Tok::Super(exponent)) => {
                self.advance();
                exponent
            }
            Some(Tok::Op('^')) => {
                self.advance();
                let negative = self.peek() == Some(&Tok::Op('-'));
                if negative {
                    self.advance();
                }
                match self.advance() {
                    Some(Token {
                        tok: Tok::Num(lit), ..
                    }) if lit.kind == LiteralKind::Integer => {
                        let number = Expr::Num(lit);
                        if negative {
                            Expr::Neg(Box::new(number))
                        } else {
                            number
                        }
                    }
                    _ => {
                        return Err(error(
                            column,
                            format!(
                                "only a whole-number power can follow {name}, as in {name}^2 x; \
                                 for another power, put it after the bracket: {name}(x)^n",
                                name = func.name()
                            ),
                        ))
                    }
                }
            }
            _ => return Ok((func, None)),
        };
        match &exponent {
            Expr::Num(lit) if !lit.value.is_zero() => Ok((func, Some(exponent))),
            Expr::Neg(inner) if matches!(inner.as_ref(), Expr::Num(lit) if lit.value.is_one()) => {
                match func {
                    Func::Sin => Ok((Func::Asin, None)),
                    Func::Cos => Ok((Func::Acos, None)),
                    Func::Tan => Ok((Func::Atan, None)),
                    _ => Err(error(
                        column,
                        format!(
                            "{name}^-1 is unclear: for 1/{name}(x) type that, with the brackets",
                            name = func.name()
                        ),
                    )),
                }
            }
            _ => Err(error(
                column,
                format!(
                    "only a positive whole-number power, or -1 for sin, cos and tan, can follow {}",
                    func.name()
                ),
            )),
        }
    }

    fn primary(&mut self) -> Result<Expr, ParseError> {
        let column = self.column();
        let Some(token) = self.advance() else {
            return Err(error(
                column,
                "the line ends too soon: something is missing here",
            ));
        };
        match token.tok {
            Tok::Num(lit) => Ok(Expr::Num(lit)),
            Tok::Var(name) => Ok(Expr::Var(name)),
            Tok::Pi => Ok(Expr::Const(Constant::Pi)),
            Tok::E => Ok(Expr::Const(Constant::E)),
            Tok::Open(open) => {
                self.enter()?;
                let inner = self.expression()?;
                self.depth -= 1;
                match self.advance() {
                    Some(Token {
                        tok: Tok::Close(_), ..
                    }) => Ok(Expr::Group(Box::new(inner))),
                    Some(other) => Err(error(
                        other.column,
                        format!(
                            "expected a closing bracket to match the '{open}' in column {column}"
                        ),
                    )),
                    None => Err(error(column, "missing closing bracket")),
                }
            }
            Tok::Bar => {
                self.bars += 1;
                self.enter()?;
                let inner = self.expression()?;
                self.depth -= 1;
                self.bars -= 1;
                match self.advance() {
                    Some(Token { tok: Tok::Bar, .. }) => Ok(Expr::Call(Func::Abs, Box::new(inner))),
                    _ => Err(error(column, "missing closing | for this absolute value")),
                }
            }
            Tok::Func(func) | Tok::Root(func) => {
                let is_word = matches!(token.tok, Tok::Func(_));
                let (func, power) = if is_word {
                    self.function_power(func)?
                } else {
                    (func, None)
                };
                if self.peek().is_none() {
                    return Err(error(
                        column,
                        format!("{} needs something after it", func.name()),
                    ));
                }
                // With brackets the argument is the bracket. Without, it is one
                // factor, such as sin x^2 = sin(x^2), and after a function name
                // the numbers and letters written next to it too, since sin 2x
                // means sin(2x) and ln xy means ln(xy). Another function or a
                // bracket starts a new factor: sin x cos x is sin(x)·cos(x).
                let argument = match self.peek() {
                    Some(Tok::Open(_)) => {
                        let group = self.primary()?;
                        match group {
                            Expr::Group(inner) => *inner,
                            other => other,
                        }
                    }
                    _ => {
                        let mut argument = self.power()?;
                        while is_word
                            && matches!(
                                self.peek(),
                                Some(Tok::Num(_) | Tok::Var(_) | Tok::Pi | Tok::E)
                            )
                        {
                            let factor = self.power()?;
                            argument = bin(BinOp::Mul, argument, factor, true);
                        }
                        argument
                    }
                };
                let call = Expr::Call(func, Box::new(argument));
                Ok(match power {
                    Some(exponent) => bin(BinOp::Pow, call, exponent, false),
                    None => call,
                })
            }
            Tok::Close(c) => Err(error(
                column,
                format!("'{c}' has no opening bracket to match"),
            )),
            Tok::Op(c) => Err(error(column, format!("'{c}' needs something before it"))),
            Tok::Rel(op) => Err(error(
                column,
                format!("'{}' needs something before it", op.symbol()),
            )),
            Tok::Super(_) => Err(error(column, "a power needs something before it")),
            Tok::Bang | Tok::Percent => Err(error(column, "this sign needs a number before it")),
            Tok::PlusMinus => Err(error(column, "'±' needs something after it")),
            Tok::Comma => Err(error(column, "a comma needs something before it")),
            Tok::Or | Tok::And => Err(error(column, "'or' and 'and' go between two equations")),
        }
    }
}

/// Reads one typed line with the default limits.
///
/// ```
/// use stepwise_core::maths::{parse, Statement};
/// let parsed = parse("2x + 3 = 7").unwrap();
/// assert!(matches!(parsed.statement, Statement::Relation { .. }));
/// assert_eq!(parse("2x + (3").unwrap_err().column, 6);
/// ```
pub fn parse(text: &str) -> Result<Parsed, ParseError> {
    parse_with(text, &Limits::default())
}

/// Reads one typed line within the given limits.
pub fn parse_with(text: &str, limits: &Limits) -> Result<Parsed, ParseError> {
    let length = text.chars().count();
    if length > limits.max_chars {
        return Err(error(
            limits.max_chars + 1,
            format!(
                "the line is too long (more than {} characters)",
                limits.max_chars
            ),
        ));
    }
    if text.trim().is_empty() {
        return Err(error(1, "the line is empty"));
    }
    let tokens = lex(text, limits)?;
    let mut parser = Parser {
        tokens,
        position: 0,
        depth: 0,
        limits,
        notes: Vec::new(),
        end_column: length + 1,
        bars: 0,
    };
    let statement = parser.statement()?;
    if let Some(token) = parser.tokens.get(parser.position) {
        let message = match &token.tok {
            Tok::Close(c) => format!("'{c}' has no opening bracket to match"),
            _ => "unexpected symbol here".to_string(),
        };
        return Err(error(token.column, message));
    }
    Ok(Parsed {
        statement,
        notes: parser.notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::maths::format::plain;

    #[track_caller]
    fn reads(input: &str, expected: &str) {
        let parsed = parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
        assert_eq!(plain(&parsed.statement), expected, "{input}");
    }

    #[track_caller]
    fn fails(input: &str, column: usize, message_part: &str) {
        let error = parse(input).expect_err(input);
        assert_eq!(error.column, column, "{input}: {error}");
        assert!(error.message.contains(message_part), "{input}: {error}");
    }

    #[test]
    fn full_width_characters_read_as_ascii() {
        reads("ｘ　＝　４", "x = 4");
        reads("２ｘ＋３", "2x + 3");
        fails("２ｘ＋（３", 4, "bracket");
    }

    #[test]
    fn errors_have_columns() {
        fails("", 1, "empty");
        fails("2x + (3", 6, "bracket");
        fails("2 +", 3, "needs something");
        fails("3)", 2, "no opening");
        fails("sinn(x)", 1, "sin");
        fails("x2", 1, "unclear");
        fails("2 $ 3", 3, "symbol");
        fails(&"(".repeat(300), 62, "nested");
        fails(&"(".repeat(10_000), 401, "too long");
        fails(&"9".repeat(100), 1, "digits");
    }

    #[test]
    fn notes_for_ambiguous_readings() {
        assert_eq!(parse("6/2(1+2)").expect("reads").notes.len(), 1);
        assert_eq!(parse("7/3x").expect("reads").notes.len(), 1);
        assert!(parse("7x/3").expect("reads").notes.is_empty());
    }

    #[test]
    fn function_powers_apply_to_value() {
        reads("sin^2 x", "sin(x)^2");
        reads("sin^2(x)", "sin(x)^2");
        reads("sin²x + cos²x", "sin(x)^2 + cos(x)^2");
        reads("3cos^3(2x)", "3cos(2x)^3");
        reads("sin^-1 x", "asin(x)");
        reads("tan⁻¹(1/2)", "atan(1/2)");
        fails("ln^-1 x", 3, "unclear");
        fails("sin^x y", 4, "whole-number");
        fails("cos⁰ x", 4, "positive");
    }

    #[test]
    fn function_argument_without_brackets() {
        reads("sin 2x", "sin(2x)");
        reads("ln xy", "ln(xy)");
        reads("sin x cos x", "sin(x)cos(x)");
        reads("2sin 3x + 1", "2sin(3x) + 1");
        reads("sin x^2", "sin(x^2)");
        reads("cos 2x(x + 1)", "cos(2x)(x + 1)");
        reads("√2x", "sqrt(2)x");
        reads("sinh xy", "sinh(xy)");
        reads("asinh x + cosh 2", "asinh(x) + cosh(2)");
    }

    #[test]
    fn bracketed_statement_groups() {
        reads("(x = 1 or x = 2), y = 3", "(x = 1 or x = 2), y = 3");
        reads(
            "(x = 2, y = 3) or (x = 3, y = 2)",
            "(x = 2, y = 3) or (x = 3, y = 2)",
        );
        reads(
            "x = 2, y = 3 or x = 3, y = 2",
            "(x = 2, y = 3) or (x = 3, y = 2)",
        );
        reads("(x < 1) or (x > 4)", "x < 1 or x > 4");
        reads("(x + 1)(x - 2) = 0", "(x + 1)(x - 2) = 0");
        fails("(x = 1) + 2", 9, "joined");
        fails("(x = 1 or x = 2", 1, "missing closing");
    }

    #[test]
    fn forms_students_type() {
        reads("x", "x");
        reads("-2^2", "-2^2");
        let _ = reads;
    }
}
