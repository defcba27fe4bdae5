//! Formatting of syntax trees as plain text (which [`super::parse`] reads
//! back), LaTeX, and spoken English for screen readers.
//!
//! Brackets typed by the student are kept; others are added only where
//! precedence needs them.

use super::ast::{BinOp, Constant, Expr, Func, RelOp, Statement};

/// Binding strength: a child weaker than its slot needs brackets.
fn precedence(expr: &Expr) -> u8 {
    match expr {
        Expr::Binary {
            op: BinOp::Add | BinOp::Sub,
            ..
        }
        | Expr::PlusMinus { .. } => 1,
        Expr::Binary {
            op: BinOp::Mul | BinOp::Div,
            ..
        } => 2,
        Expr::Neg(_) => 3,
        Expr::Binary { op: BinOp::Pow, .. } => 4,
        Expr::Factorial(_) | Expr::Percent(_) => 5,
        _ => 6,
    }
}

fn plain_at(expr: &Expr, minimum: u8) -> String {
    let text = plain_expr(expr);
    if precedence(expr) < minimum {
        format!("({text})")
    } else {
        text
    }
}

/// Plain calculator syntax: `2x + 3`, `(x + 1)^2`, `sqrt(2)`.
pub fn plain_expr(expr: &Expr) -> String {
    match expr {
        Expr::Num(literal) => literal.text.clone(),
        Expr::Var(name) => name.clone(),
        Expr::Const(Constant::Pi) => "pi".into(),
        Expr::Const(Constant::E) => "e".into(),
        Expr::Neg(inner) => format!("-{}", plain_at(inner, 3)),
        Expr::Group(inner) => format!("({})", plain_expr(inner)),
        Expr::Factorial(inner) => format!("{}!", plain_at(inner, 6)),
        Expr::Percent(inner) => format!("{}%", plain_at(inner, 6)),
        Expr::Call(func, inner) => format!("{}({})", func.name(), plain_expr(inner)),
        Expr::PlusMinus {
            lhs: Some(lhs),
            rhs,
        } => format!("{} ± {}", plain_at(lhs, 1), plain_at(rhs, 2)),
        Expr::PlusMinus { lhs: None, rhs } => format!("±{}", plain_at(rhs, 2)),
        Expr::Binary {
            op,
            lhs,
            rhs,
            implicit,
        } => match op {
            BinOp::Add => format!("{} + {}", plain_at(lhs, 1), plain_at(rhs, 2)),
            BinOp::Sub => format!("{} - {}", plain_at(lhs, 1), plain_at(rhs, 2)),
            BinOp::Div => format!("{}/{}", plain_at(lhs, 2), plain_at(rhs, 3)),
            BinOp::Pow => format!("{}^{}", plain_at(lhs, 5), plain_at(rhs, 3)),
            BinOp::Mul => {
                let left = plain_at(lhs, 2);
                let right = plain_at(rhs, 3);
                let juxtapose = *implicit && can_juxtapose(rhs, &left, &right);
                if juxtapose {
                    format!("{left}{right}")
                } else {
                    format!("{left}*{right}")
                }
            }
        },
    }
}

/// Whether `left right` written side by side reads back as the same product.
fn can_juxtapose(rhs: &Expr, left: &str, right: &str) -> bool {
    if matches!(rhs, Expr::Neg(_)) || right.starts_with(|c: char| c.is_ascii_digit() || c == '.') {
        return false;
    }
    // Two words side by side would merge into one: sin x cos x.
    let merges = left.ends_with(|c: char| c.is_ascii_alphabetic())
        && right.starts_with(|c: char| c.is_ascii_alphabetic());
    !merges || matches!(rhs, Expr::Var(_))
}

fn relation_symbol(op: RelOp) -> &'static str {
    match op {
        RelOp::Eq => "=",
        RelOp::Ne => "!=",
        RelOp::Lt => "<",
        RelOp::Le => "<=",
        RelOp::Gt => ">",
        RelOp::Ge => ">=",
    }
}

/// Plain text of a whole line.
pub fn plain(statement: &Statement) -> String {
    statement_text(statement, &PLAIN)
}

const PLAIN: Style = Style {
    expr: plain_expr,
    relation: relation_symbol,
    or: " or ",
    and: ", ",
    open: "(",
    close: ")",
};

/// The writers and separators that one output format uses for a statement.
struct Style {
    expr: fn(&Expr) -> String,
    relation: fn(RelOp) -> &'static str,
    or: &'static str,
    and: &'static str,
    /// Brackets around an `or` or `and` group inside another one.
    open: &'static str,
    close: &'static str,
}

fn statement_text(statement: &Statement, style: &Style) -> String {
    match statement {
        Statement::Expr(expr) => (style.expr)(expr),
        Statement::Relation { parts, ops } => {
            let mut text = (style.expr)(&parts[0]);
            for (op, part) in ops.iter().zip(&parts[1..]) {
                text.push_str(&format!(
                    " {} {}",
                    (style.relation)(*op),
                    (style.expr)(part)
                ));
            }
            text
        }
        Statement::Continued { op, rest } => {
            format!("{} {}", (style.relation)(*op), statement_text(rest, style))
        }
        Statement::Or(parts) => joined(parts, style.or, style),
        Statement::And(parts) => joined(parts, style.and, style),
    }
}

/// Joins the parts of an `or` or `and` group, bracketing nested groups so
/// that `(x = 1 or x = 2), y = 3` keeps its grouping.
fn joined(parts: &[Statement], separator: &str, style: &Style) -> String {
    parts
        .iter()
        .map(|part| match part {
            Statement::Or(_) | Statement::And(_) => {
                format!(
                    "{}{}{}",
                    style.open,
                    statement_text(part, style),
                    style.close
                )
            }
            _ => statement_text(part, style),
        })
        .collect::<Vec<_>>()
        .join(separator)
}

fn latex_at(expr: &Expr, minimum: u8) -> String {
    let text = latex_expr(expr);
    if precedence(expr) < minimum {
        format!("\\left({text}\\right)")
    } else {
        text
    }
}

/// LaTeX for display: fractions as `\frac`, powers in braces.
pub fn latex_expr(expr: &Expr) -> String {
    match expr {
        Expr::Num(literal) => literal.text.clone(),
        Expr::Var(name) => name.clone(),
        Expr::Const(Constant::Pi) => "\\pi".into(),
        Expr::Const(Constant::E) => "e".into(),
        Expr::Neg(inner) => format!("-{}", latex_at(inner, 3)),
        Expr::Group(inner) => format!("\\left({}\\right)", latex_expr(inner)),
        Expr::Factorial(inner) => format!("{}!", latex_at(inner, 6)),
        Expr::Percent(inner) => format!("{}\\%", latex_at(inner, 6)),
        Expr::Call(Func::Sqrt, inner) => format!("\\sqrt{{{}}}", latex_expr(inner)),
        Expr::Call(Func::Cbrt, inner) => format!("\\sqrt[3]{{{}}}", latex_expr(inner)),
        Expr::Call(Func::Abs, inner) => format!("\\left|{}\\right|", latex_expr(inner)),
        Expr::Call(Func::Log10, inner) => {
            format!("\\log_{{10}}\\left({}\\right)", latex_expr(inner))
        }
        Expr::Call(func, inner) => {
            format!("{}\\left({}\\right)", latex_name(*func), latex_expr(inner))
        }
        Expr::PlusMinus {
            lhs: Some(lhs),
            rhs,
        } => format!("{} \\pm {}", latex_at(lhs, 1), latex_at(rhs, 2)),
        Expr::PlusMinus { lhs: None, rhs } => format!("\\pm {}", latex_at(rhs, 2)),
        Expr::Binary {
            op,
            lhs,
            rhs,
            implicit,
        } => match op {
            BinOp::Add => format!("{} + {}", latex_at(lhs, 1), latex_at(rhs, 2)),
            BinOp::Sub => format!("{} - {}", latex_at(lhs, 1), latex_at(rhs, 2)),
            BinOp::Div => format!(
                "\\frac{{{}}}{{{}}}",
                latex_expr(strip(lhs)),
                latex_expr(strip(rhs))
            ),
            BinOp::Pow => format!("{}^{{{}}}", latex_at(lhs, 5), latex_expr(strip(rhs))),
            BinOp::Mul if *implicit => format!("{}{}", latex_at(lhs, 2), latex_at(rhs, 3)),
            BinOp::Mul => format!("{} \\times {}", latex_at(lhs, 2), latex_at(rhs, 3)),
        },
    }
}

fn strip(expr: &Expr) -> &Expr {
    match expr {
        Expr::Group(inner) => inner,
        other => other,
    }
}

/// The LaTeX command for a function: a standard one such as `\\sin` where
/// LaTeX has it, otherwise `\\operatorname{…}`.
fn latex_name(func: Func) -> String {
    match func {
        Func::Asin => "\\arcsin".into(),
        Func::Acos => "\\arccos".into(),
        Func::Atan => "\\arctan".into(),
        Func::Csc => "\\csc".into(),
        Func::Sin | Func::Cos | Func::Tan | Func::Sec | Func::Cot => format!("\\{}", func.name()),
        Func::Sinh | Func::Cosh | Func::Tanh | Func::Ln | Func::Exp => {
            format!("\\{}", func.name())
        }
        _ => format!("\\operatorname{{{}}}", func.name()),
    }
}

fn latex_relation(op: RelOp) -> &'static str {
    match op {
        RelOp::Eq => "=",
        RelOp::Ne => "\\neq",
        RelOp::Lt => "<",
        RelOp::Le => "\\le",
        RelOp::Gt => ">",
        RelOp::Ge => "\\ge",
    }
}

pub fn latex(statement: &Statement) -> String {
    statement_text(statement, &LATEX)
}

const LATEX: Style = Style {
    expr: latex_expr,
    relation: latex_relation,
    or: " \\text{ or } ",
    and: ",\\ ",
    open: "\\left(",
    close: "\\right)",
};

/// Spoken English for screen readers: "2 x squared plus 3 equals 7".
pub fn spoken_expr(expr: &Expr) -> String {
    match expr {
        Expr::Num(literal) => literal.text.replace('-', "minus "),
        Expr::Var(name) => name.clone(),
        Expr::Const(Constant::Pi) => "pi".into(),
        Expr::Const(Constant::E) => "e".into(),
        Expr::Neg(inner) => format!("minus {}", spoken_expr(inner)),
        Expr::Group(inner) => match **inner {
            Expr::Binary {
                op: BinOp::Add | BinOp::Sub,
                ..
            } => format!("open bracket {} close bracket", spoken_expr(inner)),
            _ => spoken_expr(inner),
        },
        Expr::Factorial(inner) => format!("{} factorial", spoken_expr(inner)),
        Expr::Percent(inner) => format!("{} percent", spoken_expr(inner)),
        Expr::Call(Func::Sqrt, inner) => format!("the square root of {}", spoken_expr(inner)),
        Expr::Call(Func::Cbrt, inner) => format!("the cube root of {}", spoken_expr(inner)),
        Expr::Call(Func::Abs, inner) => format!("the absolute value of {}", spoken_expr(inner)),
        Expr::Call(func, inner) => format!("{} of {}", func.name(), spoken_expr(inner)),
        Expr::PlusMinus {
            lhs: Some(lhs),
            rhs,
        } => format!("{} plus or minus {}", spoken_expr(lhs), spoken_expr(rhs)),
        Expr::PlusMinus { lhs: None, rhs } => format!("plus or minus {}", spoken_expr(rhs)),
        Expr::Binary {
            op,
            lhs,
            rhs,
            implicit,
        } => match op {
            BinOp::Add => format!("{} plus {}", spoken_expr(lhs), spoken_expr(rhs)),
            BinOp::Sub => format!("{} minus {}", spoken_expr(lhs), spoken_expr(rhs)),
            BinOp::Div => format!(
                "the fraction {} over {}, end fraction",
                spoken_expr(lhs),
                spoken_expr(rhs)
            ),
            BinOp::Pow => match strip(rhs) {
                Expr::Num(l) if l.text == "2" => format!("{} squared", spoken_expr(lhs)),
                Expr::Num(l) if l.text == "3" => format!("{} cubed", spoken_expr(lhs)),
                _ => format!("{} to the power {}", spoken_expr(lhs), spoken_expr(rhs)),
            },
            BinOp::Mul if *implicit => format!("{} {}", spoken_expr(lhs), spoken_expr(rhs)),
            BinOp::Mul => format!("{} times {}", spoken_expr(lhs), spoken_expr(rhs)),
        },
    }
}

fn spoken_relation(op: RelOp) -> &'static str {
    match op {
        RelOp::Eq => "equals",
        RelOp::Ne => "is not equal to",
        RelOp::Lt => "is less than",
        RelOp::Le => "is less than or equal to",
        RelOp::Gt => "is greater than",
        RelOp::Ge => "is greater than or equal to",
    }
}

pub fn spoken(statement: &Statement) -> String {
    statement_text(statement, &SPOKEN)
}

const SPOKEN: Style = Style {
    expr: spoken_expr,
    relation: spoken_relation,
    or: ", or ",
    and: ", and ",
    open: "open bracket, ",
    close: ", close bracket",
};
