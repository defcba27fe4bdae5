//! Diagnosis of wrong lines by buggy rules.
//!
//! Each misconception is a wrong rewrite. The checker applies it to the last
//! right line, everywhere it fits, and asks whether the student's line is
//! equivalent to one of the results; if it is, the student most likely used
//! that rule. Equivalence, not text, is compared, so a buggy step combined
//! with correct tidying is still recognised.

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{Signed, Zero};

use super::run::{exact_values, Line};
use super::Task;
use crate::maths::ast::{BinOp, Expr, Func, Literal, LiteralKind, RelOp, Statement};
use crate::maths::{compare_expressions, compare_statements, Limits, SetRelation};

/// Buggy lines compared against one wrong equation, at most.
const MAX_CANDIDATES: usize = 80;

/// A rewrite that models one misconception.
struct BuggyRule {
    id: &'static str,
    message: &'static str,
    apply: fn(&Expr) -> Vec<Expr>,
}

fn bin(op: BinOp, lhs: Expr, rhs: Expr) -> Expr {
    Expr::Binary {
        op,
        lhs: Box::new(lhs),
        rhs: Box::new(rhs),
        implicit: false,
    }
}

fn group(e: Expr) -> Expr {
    Expr::Group(Box::new(e))
}

fn neg(e: Expr) -> Expr {
    Expr::Neg(Box::new(e))
}

fn int(n: i64) -> Expr {
    Expr::Num(Literal {
        value: BigRational::from_integer(BigInt::from(n)),
        text: n.to_string(),
        kind: LiteralKind::Integer,
    })
}

fn strip(expr: &Expr) -> &Expr {
    match expr {
        Expr::Group(inner) => strip(inner),
        other => other,
    }
}

fn literal(expr: &Expr) -> Option<BigRational> {
    match strip(expr) {
        Expr::Num(l) => Some(l.value.clone()),
        Expr::Neg(inner) => literal(inner).map(|v| -v),
        _ => None,
    }
}

fn is_negative_factor(expr: &Expr) -> bool {
    matches!(strip(expr), Expr::Neg(_)) || literal(expr).is_some_and(|v| v.is_negative())
}

/// `a + b` or `a − b` inside brackets, as (a, b, is_subtraction).
fn bracketed_sum(expr: &Expr) -> Option<(&Expr, &Expr, bool)> {
    match strip(expr) {
        Expr::Binary {
            op: BinOp::Add,
            lhs,
            rhs,
            ..
        } => Some((lhs, rhs, false)),
        Expr::Binary {
            op: BinOp::Sub,
            lhs,
            rhs,
            ..
        } => Some((lhs, rhs, true)),
        _ => None,
    }
}

fn sum_op(subtract: bool) -> BinOp {
    if subtract {
        BinOp::Sub
    } else {
        BinOp::Add
    }
}

// The rules, each returning the buggy rewrites of one node.

fn first_term_only(e: &Expr) -> Vec<Expr> {
    // k(a + b) → ka + b
    let Expr::Binary {
        op: BinOp::Mul,
        lhs,
        rhs,
        ..
    } = e
    else {
        return vec![];
    };
    let Some((a, b, subtract)) = bracketed_sum(rhs) else {
        return vec![];
    };
    vec![bin(
        sum_op(subtract),
        bin(BinOp::Mul, (**lhs).clone(), a.clone()),
        b.clone(),
    )]
}

fn minus_bracket(e: &Expr) -> Vec<Expr> {
    // x − (a − b) → x − a − b, and −(a − b) → −a − b
    match e {
        Expr::Binary {
            op: BinOp::Sub,
            lhs,
            rhs,
            ..
        } if matches!(**rhs, Expr::Group(_)) => {
            let Some((a, b, subtract)) = bracketed_sum(rhs) else {
                return vec![];
            };
            vec![bin(
                sum_op(subtract),
                bin(BinOp::Sub, (**lhs).clone(), a.clone()),
                b.clone(),
            )]
        }
        Expr::Neg(inner) if matches!(**inner, Expr::Group(_)) => {
            let Some((a, b, subtract)) = bracketed_sum(inner) else {
                return vec![];
            };
            vec![bin(sum_op(subtract), neg(a.clone()), b.clone())]
        }
        _ => vec![],
    }
}

fn negative_times_negative(e: &Expr) -> Vec<Expr> {
    match e {
        // −(k(a − b)) → −ka − kb, for a leading minus read over the product.
        Expr::Neg(inner) => {
            let Expr::Binary {
                op: BinOp::Mul,
                lhs: k,
                rhs,
                ..
            } = strip(inner)
            else {
                return vec![];
            };
            let Some((a, b, true)) = bracketed_sum(rhs) else {
                return vec![];
            };
            vec![bin(
                BinOp::Sub,
                neg(bin(BinOp::Mul, (**k).clone(), a.clone())),
                bin(BinOp::Mul, (**k).clone(), b.clone()),
            )]
        }
        // (−a)(−b) → −ab
        Expr::Binary {
            op: BinOp::Mul,
            lhs,
            rhs,
            ..
        } if is_negative_factor(lhs) && is_negative_factor(rhs) => {
            vec![neg(bin(BinOp::Mul, abs_expr(lhs), abs_expr(rhs)))]
        }
        // −k(a − b) → −ka − kb: the second product keeps its minus sign.
        Expr::Binary {
            op: BinOp::Mul,
            lhs,
            rhs,
            ..
        } if is_negative_factor(lhs) => {
            let Some((a, b, true)) = bracketed_sum(rhs) else {
                return vec![];
            };
            vec![bin(
                BinOp::Sub,
                bin(BinOp::Mul, (**lhs).clone(), a.clone()),
                bin(BinOp::Mul, abs_expr(lhs), b.clone()),
            )]
        }
        _ => vec![],
    }
}

fn abs_expr(e: &Expr) -> Expr {
    match strip(e) {
        Expr::Neg(inner) => (**inner).clone(),
        other => match literal(other) {
            Some(v) if v.is_negative() => Expr::Num(Literal {
                text: (-v.clone()).to_string(),
                value: -v,
                kind: LiteralKind::Integer,
            }),
            _ => other.clone(),
        },
    }
}

fn subtract_negative(e: &Expr) -> Vec<Expr> {
    // a − (−b) → a − b
    let Expr::Binary {
        op: BinOp::Sub,
        lhs,
        rhs,
        ..
    } = e
    else {
        return vec![];
    };
    match strip(rhs) {
        Expr::Neg(b) => vec![bin(BinOp::Sub, (**lhs).clone(), (**b).clone())],
        _ => match literal(rhs) {
            Some(v) if v.is_negative() => vec![bin(BinOp::Add, (**lhs).clone(), (**rhs).clone())],
            _ => vec![],
        },
    }
}

fn divide_by_fraction(e: &Expr) -> Vec<Expr> {
    // a ÷ (1/d) → a ÷ d, and a ÷ 0.5 → a × 0.5
    let Expr::Binary {
        op: BinOp::Div,
        lhs,
        rhs,
        ..
    } = e
    else {
        return vec![];
    };
    let mut out = vec![bin(BinOp::Mul, (**lhs).clone(), (**rhs).clone())];
    if let Expr::Binary {
        op: BinOp::Div,
        rhs: d,
        ..
    } = strip(rhs)
    {
        out.push(bin(BinOp::Div, (**lhs).clone(), (**d).clone()));
    }
    out
}

fn multiply_indices(e: &Expr) -> Vec<Expr> {
    // x^a × x^b → x^(ab)
    let Expr::Binary {
        op: BinOp::Mul,
        lhs,
        rhs,
        ..
    } = e
    else {
        return vec![];
    };
    match (strip(lhs), strip(rhs)) {
        (
            Expr::Binary {
                op: BinOp::Pow,
                lhs: b1,
                rhs: e1,
                ..
            },
            Expr::Binary {
                op: BinOp::Pow,
                lhs: b2,
                rhs: e2,
                ..
            },
        ) if b1 == b2 => {
            vec![bin(
                BinOp::Pow,
                (**b1).clone(),
                group(bin(BinOp::Mul, (**e1).clone(), (**e2).clone())),
            )]
        }
        _ => vec![],
    }
}

fn negative_index(e: &Expr) -> Vec<Expr> {
    // a^(−n) → −a^n
    let Expr::Binary {
        op: BinOp::Pow,
        lhs,
        rhs,
        ..
    } = e
    else {
        return vec![];
    };
    match strip(rhs) {
        Expr::Neg(n) => vec![neg(bin(BinOp::Pow, (**lhs).clone(), (**n).clone()))],
        _ => vec![],
    }
}

fn power_as_multiplication(e: &Expr) -> Vec<Expr> {
    // x^n → n × x
    let Expr::Binary {
        op: BinOp::Pow,
        lhs,
        rhs,
        ..
    } = e
    else {
        return vec![];
    };
    match literal(rhs) {
        Some(n) if n.is_integer() && n > BigRational::from_integer(BigInt::from(1)) => {
            vec![bin(BinOp::Mul, (**rhs).clone(), (**lhs).clone())]
        }
        _ => vec![],
    }
}

fn square_of_negative(e: &Expr) -> Vec<Expr> {
    // (−a)² → −a²
    let Expr::Binary {
        op: BinOp::Pow,
        lhs,
        rhs,
        ..
    } = e
    else {
        return vec![];
    };
    match strip(lhs) {
        Expr::Neg(a) => vec![neg(bin(BinOp::Pow, (**a).clone(), (**rhs).clone()))],
        _ => match literal(lhs) {
            Some(v) if v.is_negative() => {
                vec![neg(bin(BinOp::Pow, abs_expr(lhs), (**rhs).clone()))]
            }
            _ => vec![],
        },
    }
}

fn coefficient_in_power(e: &Expr) -> Vec<Expr> {
    // k·x^n → (kx)^n
    let Expr::Binary {
        op: BinOp::Mul,
        lhs,
        rhs,
        ..
    } = e
    else {
        return vec![];
    };
    let Expr::Binary {
        op: BinOp::Pow,
        lhs: x,
        rhs: n,
        ..
    } = strip(rhs)
    else {
        return vec![];
    };
    vec![bin(
        BinOp::Pow,
        group(bin(BinOp::Mul, (**lhs).clone(), (**x).clone())),
        (**n).clone(),
    )]
}

fn power_of_sum(e: &Expr) -> Vec<Expr> {
    // (a + b)^n → a^n + b^n
    let Expr::Binary {
        op: BinOp::Pow,
        lhs,
        rhs,
        ..
    } = e
    else {
        return vec![];
    };
    let Some((a, b, subtract)) = bracketed_sum(lhs) else {
        return vec![];
    };
    vec![bin(
        sum_op(subtract),
        bin(BinOp::Pow, a.clone(), (**rhs).clone()),
        bin(BinOp::Pow, b.clone(), (**rhs).clone()),
    )]
}

fn root_of_sum(e: &Expr) -> Vec<Expr> {
    // √(a + b) → √a + √b
    let Expr::Call(Func::Sqrt, inner) = e else {
        return vec![];
    };
    let Some((a, b, subtract)) = bracketed_sum(inner) else {
        return vec![];
    };
    vec![bin(
        sum_op(subtract),
        Expr::Call(Func::Sqrt, Box::new(a.clone())),
        Expr::Call(Func::Sqrt, Box::new(b.clone())),
    )]
}

fn mediant(e: &Expr) -> Vec<Expr> {
    // a/b + c/d → (a + c)/(b + d)
    let Expr::Binary {
        op: op @ (BinOp::Add | BinOp::Sub),
        lhs,
        rhs,
        ..
    } = e
    else {
        return vec![];
    };
    match (strip(lhs), strip(rhs)) {
        (
            Expr::Binary {
                op: BinOp::Div,
                lhs: a,
                rhs: b,
                ..
            },
            Expr::Binary {
                op: BinOp::Div,
                lhs: c,
                rhs: d,
                ..
            },
        ) => {
            let top = group(bin(*op, (**a).clone(), (**c).clone()));
            vec![
                bin(
                    BinOp::Div,
                    top.clone(),
                    group(bin(*op, (**b).clone(), (**d).clone())),
                ),
                bin(
                    BinOp::Div,
                    top,
                    group(bin(BinOp::Add, (**b).clone(), (**d).clone())),
                ),
            ]
        }
        _ => vec![],
    }
}

fn signed_terms(expr: &Expr) -> Vec<(Expr, bool)> {
    match expr {
        Expr::Binary {
            op: BinOp::Add,
            lhs,
            rhs,
            ..
        } => {
            let mut terms = signed_terms(lhs);
            terms.extend(signed_terms(rhs));
            terms
        }
        Expr::Binary {
            op: BinOp::Sub,
            lhs,
            rhs,
            ..
        } => {
            let mut terms = signed_terms(lhs);
            terms.extend(
                signed_terms(rhs)
                    .into_iter()
                    .map(|(t, negative)| (t, !negative)),
            );
            terms
        }
        Expr::Group(inner) => signed_terms(inner),
        Expr::Neg(inner) => signed_terms(inner)
            .into_iter()
            .map(|(t, negative)| (t, !negative))
            .collect(),
        other => vec![(other.clone(), false)],
    }
}

fn rebuild(terms: &[(Expr, bool)]) -> Expr {
    let mut iter = terms.iter();
    let Some((first, negative)) = iter.next() else {
        return int(0);
    };
    let mut result = if *negative {
        neg(first.clone())
    } else {
        first.clone()
    };
    for (term, negative) in iter {
        result = bin(
            if *negative { BinOp::Sub } else { BinOp::Add },
            result,
            term.clone(),
        );
    }
    result
}

fn cancel_terms(e: &Expr) -> Vec<Expr> {
    // (a + b)/(a + c) → b/c: a term cancelled as if it were a factor.
    let Expr::Binary {
        op: BinOp::Div,
        lhs,
        rhs,
        ..
    } = e
    else {
        return vec![];
    };
    let top = signed_terms(lhs);
    let bottom = signed_terms(rhs);
    if top.len() < 2 && bottom.len() < 2 {
        return vec![];
    }
    let mut out = Vec::new();
    for (i, t) in top.iter().enumerate() {
        for (j, b) in bottom.iter().enumerate() {
            if t == b {
                let rest_top: Vec<_> = top
                    .iter()
                    .enumerate()
                    .filter(|(k, _)| *k != i)
                    .map(|(_, x)| x.clone())
                    .collect();
                let rest_bottom: Vec<_> = bottom
                    .iter()
                    .enumerate()
                    .filter(|(k, _)| *k != j)
                    .map(|(_, x)| x.clone())
                    .collect();
                let numerator = if rest_top.is_empty() {
                    int(1)
                } else {
                    rebuild(&rest_top)
                };
                out.push(if rest_bottom.is_empty() {
                    numerator
                } else {
                    bin(BinOp::Div, group(numerator), group(rebuild(&rest_bottom)))
                });
            }
        }
    }
    out
}

/// A term as (numeric coefficient, the rest): `3ab` is (3, ab).
fn coefficient_and_rest(e: &Expr) -> Option<(BigRational, Option<Expr>)> {
    match strip(e) {
        Expr::Num(l) => Some((l.value.clone(), None)),
        Expr::Var(_) => Some((BigRational::from_integer(BigInt::from(1)), Some(e.clone()))),
        Expr::Binary {
            op: BinOp::Mul,
            lhs,
            rhs,
            ..
        } => {
            let value = literal(lhs)?;
            Some((value, Some((**rhs).clone())))
        }
        _ => None,
    }
}

fn conjoin_terms(e: &Expr) -> Vec<Expr> {
    // 3a + 2b → 5ab
    let Expr::Binary {
        op: BinOp::Add,
        lhs,
        rhs,
        ..
    } = e
    else {
        return vec![];
    };
    let (Some((c1, Some(r1))), Some((c2, Some(r2)))) =
        (coefficient_and_rest(lhs), coefficient_and_rest(rhs))
    else {
        return vec![];
    };
    if r1 == r2 {
        return vec![];
    }
    let sum = c1 + c2;
    let coefficient = Expr::Num(Literal {
        text: sum.to_string(),
        value: sum,
        kind: LiteralKind::Integer,
    });
    vec![bin(BinOp::Mul, coefficient, bin(BinOp::Mul, r1, r2))]
}

fn left_to_right(e: &Expr) -> Vec<Expr> {
    // a + b × c → (a + b) × c
    let Expr::Binary {
        op: op @ (BinOp::Add | BinOp::Sub),
        lhs,
        rhs,
        ..
    } = e
    else {
        return vec![];
    };
    match strip(rhs) {
        Expr::Binary {
            op: inner @ (BinOp::Mul | BinOp::Div),
            lhs: b,
            rhs: c,
            ..
        } if !matches!(**rhs, Expr::Group(_)) => {
            vec![bin(
                *inner,
                group(bin(*op, (**lhs).clone(), (**b).clone())),
                (**c).clone(),
            )]
        }
        _ => vec![],
    }
}

const RULES: &[BuggyRule] = &[
    BuggyRule { id: "first-term-only", message: "the number outside the bracket multiplies every term inside it, not just the first", apply: first_term_only },
    BuggyRule { id: "minus-bracket", message: "the minus sign in front of the bracket applies to every term inside it, so the sign of each one changes", apply: minus_bracket },
    BuggyRule { id: "negative-times-negative", message: "a negative times a negative is positive", apply: negative_times_negative },
    BuggyRule { id: "subtract-negative", message: "taking away a negative number is the same as adding it", apply: subtract_negative },
    BuggyRule { id: "divide-by-fraction", message: "dividing by a fraction is the same as multiplying by its reciprocal: how many halves fit into the number?", apply: divide_by_fraction },
    BuggyRule { id: "multiply-indices", message: "when you multiply powers of the same base, add the indices", apply: multiply_indices },
    BuggyRule { id: "negative-index", message: "a negative index means one over the power, not a negative number: 4^-2 = 1/16", apply: negative_index },
    BuggyRule { id: "power-as-multiplication", message: "a power means repeated multiplication: 6² is 6 × 6, not 6 × 2", apply: power_as_multiplication },
    BuggyRule { id: "square-of-negative", message: "a negative number squared is positive: (-3)² = (-3) × (-3) = 9", apply: square_of_negative },
    BuggyRule { id: "coefficient-in-power", message: "the power belongs only to the letter next to it: in 2x², only x is squared", apply: coefficient_in_power },
    BuggyRule { id: "power-of-sum", message: "(a + b)² is (a + b)(a + b), which has a middle term 2ab; you can't square each term separately", apply: power_of_sum },
    BuggyRule { id: "root-of-sum", message: "the square root of a sum is not the sum of the square roots: work out the inside first", apply: root_of_sum },
    BuggyRule { id: "add-tops-and-bottoms", message: "to add fractions, first write them over a common denominator; don't add the tops and the bottoms", apply: mediant },
    BuggyRule { id: "cancel-terms", message: "you can only cancel a factor of the whole top and the whole bottom, not a term that is added", apply: cancel_terms },
    BuggyRule { id: "conjoin-terms", message: "unlike terms can't be combined into one term: 3a + 2b stays as it is", apply: conjoin_terms },
    BuggyRule { id: "left-to-right", message: "multiplication and division come before addition and subtraction", apply: left_to_right },
];

/// Every tree made by applying `rule` at one node of `expr`.
fn variants(expr: &Expr, rule: fn(&Expr) -> Vec<Expr>, out: &mut Vec<Expr>) {
    if out.len() > 48 {
        return;
    }
    out.extend(rule(expr));
    let mut children = Vec::new();
    match expr {
        Expr::Binary {
            op,
            lhs,
            rhs,
            implicit,
        } => {
            variants(lhs, rule, &mut children);
            for l in children.drain(..) {
                out.push(Expr::Binary {
                    op: *op,
                    lhs: Box::new(l),
                    rhs: rhs.clone(),
                    implicit: *implicit,
                });
            }
            variants(rhs, rule, &mut children);
            for r in children.drain(..) {
                out.push(Expr::Binary {
                    op: *op,
                    lhs: lhs.clone(),
                    rhs: Box::new(r),
                    implicit: *implicit,
                });
            }
        }
        Expr::Neg(inner) => {
            variants(inner, rule, &mut children);
            out.extend(children.into_iter().map(neg));
        }
        Expr::Group(inner) => {
            variants(inner, rule, &mut children);
            out.extend(children.into_iter().map(group));
        }
        Expr::Call(func, inner) => {
            variants(inner, rule, &mut children);
            out.extend(children.into_iter().map(|c| Expr::Call(*func, Box::new(c))));
        }
        _ => {}
    }
}

/// Whether both lines are small enough for the search over buggy rules,
/// which compares dozens of candidates: long lines and high powers are not
/// where these slips happen, and would make one check slow.
pub(crate) fn worth_diagnosing(reference: &Line, line: &Line) -> bool {
    let text = |l: &Line| match l {
        Line::Expr(parts) => parts
            .iter()
            .map(crate::maths::format::plain_expr)
            .collect::<Vec<_>>()
            .join(" = "),
        Line::Statement(s) => crate::maths::format::plain(s),
    };
    let (a, b) = (text(reference), text(line));
    let high_power = |t: &str| {
        t.split('^').skip(1).any(|rest| {
            rest.trim_start_matches(['(', '-'])
                .chars()
                .take_while(char::is_ascii_digit)
                .count()
                > 2
        })
    };
    let mut letters = Vec::new();
    for l in [reference, line] {
        match l {
            Line::Expr(parts) => parts
                .iter()
                .for_each(|p| crate::maths::equiv::collect_vars(p, &mut letters)),
            Line::Statement(s) => crate::maths::equiv::statement_vars(s, &mut letters),
        }
    }
    letters.sort_unstable();
    letters.dedup();
    // Functions of a letter are compared in floating point, too slowly for
    // dozens of candidates; none of the catalogued slips needs them.
    let functions = [
        "sin(", "cos(", "tan(", "ln(", "log(", "exp(", "abs(", "cbrt(", "!",
    ];
    let has_function = |t: &str| {
        functions.iter().any(|f| t.contains(f))
            || t.contains("sqrt(")
                && t.split("sqrt(")
                    .skip(1)
                    .any(|rest| rest.starts_with(|c: char| c.is_ascii_alphabetic() || c == '('))
    };
    if has_function(&a) || has_function(&b) {
        return false;
    }
    a.len() <= 80 && b.len() <= 80 && letters.len() <= 3 && !high_power(&a) && !high_power(&b)
}

/// Finds the misconception behind a wrong line, as (id, message).
pub(crate) fn diagnose(
    task: &Task,
    reference: &Line,
    line: &Line,
    relation: SetRelation,
    limits: &Limits,
) -> Option<(&'static str, String)> {
    match (reference, line) {
        (Line::Expr(reference), Line::Expr(parts)) => {
            let reference = reference.last()?;
            let student = parts.last()?;
            for rule in RULES {
                let mut candidates = Vec::new();
                variants(reference, rule.apply, &mut candidates);
                for candidate in candidates {
                    if compare_expressions(&candidate, student, &candidate_limits(limits))
                        .is_ok_and(|c| c.equal)
                    {
                        return Some((rule.id, rule.message.to_string()));
                    }
                }
            }
            None
        }
        (Line::Statement(reference), Line::Statement(student)) => {
            diagnose_statement(task, reference, student, relation, limits)
        }
        _ => None,
    }
}

/// Limits for comparing one buggy candidate: a slip worth naming is found
/// cheaply, so each candidate gets a small share of the line's budget.
fn candidate_limits(limits: &Limits) -> Limits {
    Limits {
        step_budget: limits.step_budget / 5,
        ..*limits
    }
}

fn same_set(task: &Task, a: &Statement, b: &Statement, limits: &Limits) -> bool {
    let unknowns = super::run::unknowns_of(task, a);
    matches!(
        compare_statements(a, b, &unknowns, &candidate_limits(limits)),
        Ok(SetRelation::Equal)
    )
}

fn relation(lhs: Expr, op: RelOp, rhs: Expr) -> Statement {
    Statement::Relation {
        parts: vec![lhs, rhs],
        ops: vec![op],
    }
}

fn diagnose_statement(
    task: &Task,
    reference: &Statement,
    student: &Statement,
    set_relation: SetRelation,
    limits: &Limits,
) -> Option<(&'static str, String)> {
    // A chain of = signs joining values that are not equal.
    if let Statement::Relation { parts, ops } = student {
        if parts.len() >= 3 && ops.iter().all(|op| *op == RelOp::Eq) {
            return Some((
                "equals-chain",
                "each = must join two things that are equal; write each new equation on its own line".into(),
            ));
        }
    }

    // Inequality sign not reversed after multiplying or dividing by a negative.
    if let Statement::Relation { parts, ops } = student {
        if ops
            .iter()
            .any(|op| matches!(op, RelOp::Lt | RelOp::Le | RelOp::Gt | RelOp::Ge))
        {
            let flipped = Statement::Relation {
                parts: parts.clone(),
                ops: ops.iter().map(|op| op.flipped()).collect(),
            };
            if same_set(task, reference, &flipped, limits) {
                return Some((
                    "inequality-not-reversed",
                    "when you multiply or divide both sides by a negative number, the inequality sign turns round".into(),
                ));
            }
        }
    }

    if set_relation == SetRelation::Superset {
        if let Some(found) = lost_solutions(task, reference, student, limits) {
            return Some(found);
        }
    }

    let Statement::Relation { parts, ops } = reference else {
        return None;
    };
    if parts.len() != 2 {
        return None;
    }
    let (left, right, op) = (&parts[0], &parts[1], ops[0]);

    // Zero-product rule used on a product that equals something other than 0.
    if let Some(found) = zero_product_without_zero(task, left, right, student, limits) {
        return Some(found);
    }

    // Candidate buggy lines, in order of how common the slip is.
    let mut candidates: Vec<(&'static str, String, Statement)> = Vec::new();
    for rule in RULES {
        for (side, other, on_left) in [(left, right, true), (right, left, false)] {
            let mut rewritten = Vec::new();
            variants(side, rule.apply, &mut rewritten);
            for candidate in rewritten {
                let statement = if on_left {
                    relation(candidate, op, other.clone())
                } else {
                    relation(other.clone(), op, candidate)
                };
                candidates.push((rule.id, rule.message.to_string(), statement));
            }
        }
    }

    // A term moved to the other side without changing its sign.
    for (side, other, on_left) in [(left, right, true), (right, left, false)] {
        let terms = signed_terms(side);
        // Moving a side's only term is moving the whole side, not a term.
        if terms.len() < 2 {
            continue;
        }
        for (i, (term, negative)) in terms.iter().enumerate() {
            let rest: Vec<(Expr, bool)> = terms
                .iter()
                .enumerate()
                .filter(|(k, _)| *k != i)
                .map(|(_, t)| t.clone())
                .collect();
            let rest = if rest.is_empty() {
                int(0)
            } else {
                rebuild(&rest)
            };
            let moved = bin(
                if *negative { BinOp::Sub } else { BinOp::Add },
                group(other.clone()),
                term.clone(),
            );
            let statement = if on_left {
                relation(rest, op, moved)
            } else {
                relation(moved, op, rest)
            };
            candidates.push((
                "sign-not-changed-moving-term",
                "when a term moves to the other side, do the inverse operation to both sides: + becomes − and − becomes +".into(),
                statement,
            ));
        }
    }

    // Numbers in the equation, for the division rules.
    let mut numbers = Vec::new();
    collect_numbers(left, &mut numbers);
    collect_numbers(right, &mut numbers);
    numbers.sort();
    numbers.dedup();
    for d in numbers
        .iter()
        .filter(|d| !d.is_zero() && d.abs() != BigRational::from_integer(BigInt::from(1)))
    {
        let divisor = Expr::Num(Literal {
            text: d.to_string(),
            value: d.clone(),
            kind: LiteralKind::Integer,
        });
        // Only one term of a side divided.
        for (side, other, on_left) in [(left, right, true), (right, left, false)] {
            let terms = signed_terms(side);
            if terms.len() < 2 {
                continue;
            }
            let other_divided = bin(BinOp::Div, group(other.clone()), divisor.clone());
            for i in 0..terms.len() {
                let mut changed = terms.clone();
                changed[i].0 = bin(BinOp::Div, group(changed[i].0.clone()), divisor.clone());
                let side_divided = rebuild(&changed);
                let statement = if on_left {
                    relation(side_divided, op, other_divided.clone())
                } else {
                    relation(other_divided.clone(), op, side_divided)
                };
                candidates.push((
                    "divided-one-term",
                    "when you divide both sides, divide every term on each side, not just one"
                        .into(),
                    statement,
                ));
            }
            // Only one term of a side multiplied, as when clearing a fraction.
            let other_multiplied = bin(BinOp::Mul, group(other.clone()), divisor.clone());
            for i in 0..terms.len() {
                let mut changed = terms.clone();
                changed[i].0 = bin(BinOp::Mul, group(changed[i].0.clone()), divisor.clone());
                let side_multiplied = rebuild(&changed);
                let statement = if on_left {
                    relation(side_multiplied, op, other_multiplied.clone())
                } else {
                    relation(other_multiplied.clone(), op, side_multiplied)
                };
                candidates.push((
                    "multiplied-one-term",
                    "when you multiply both sides, multiply every term on each side, not just one"
                        .into(),
                    statement,
                ));
            }
        }
        // The same operation done where its inverse was needed.
        for (a, b) in [(BinOp::Mul, BinOp::Div), (BinOp::Div, BinOp::Mul)] {
            let statement = relation(
                bin(a, group(left.clone()), divisor.clone()),
                op,
                bin(b, group(right.clone()), divisor.clone()),
            );
            candidates.push((
                "inverse-operation",
                "to undo an operation, do its inverse to both sides: undo ÷ with ×, and × with ÷"
                    .into(),
                statement,
            ));
        }
    }

    // In one unknown many different slips give the same solution, so a
    // candidate whose two sides match the student's sides wins. Without
    // one, a slip is named only when every candidate with the student's
    // solutions is that same slip: a bare answer reached by several slips
    // says nothing about which one it was.
    let mut fallback: Option<(&'static str, String)> = None;
    // A bare answer such as `x = 2` can come from any slip on the way, so
    // it is named only when a candidate matches it side for side.
    let mut ambiguous = is_bare_answer(student);
    for (id, message, candidate) in candidates.into_iter().take(MAX_CANDIDATES) {
        if !same_set(task, &candidate, student, limits) {
            continue;
        }
        if sides_match(&candidate, student, limits) {
            return Some((id, message));
        }
        match &fallback {
            None => fallback = Some((id, message)),
            Some((first, _)) if *first != id => ambiguous = true,
            Some(_) => {}
        }
    }
    if ambiguous {
        None
    } else {
        fallback
    }
}

/// True for `letter = value` or `value = letter`, with no letter in the value.
fn is_bare_answer(statement: &Statement) -> bool {
    let Statement::Relation { parts, ops } = statement else {
        return false;
    };
    if parts.len() != 2 || ops[0] != RelOp::Eq {
        return false;
    }
    let no_letters = |expr: &Expr| {
        let mut letters = Vec::new();
        crate::maths::equiv::collect_vars(expr, &mut letters);
        letters.is_empty()
    };
    matches!((strip(&parts[0]), strip(&parts[1])), (Expr::Var(_), value) if no_letters(value))
        || matches!((strip(&parts[0]), strip(&parts[1])), (value, Expr::Var(_)) if no_letters(value))
}

/// True when each side of one relation equals the matching side of the other.
fn sides_match(a: &Statement, b: &Statement, limits: &Limits) -> bool {
    let (Statement::Relation { parts: pa, .. }, Statement::Relation { parts: pb, .. }) = (a, b)
    else {
        return false;
    };
    if pa.len() != 2 || pb.len() != 2 {
        return false;
    }
    let equal = |x: &Expr, y: &Expr| compare_expressions(x, y, limits).is_ok_and(|c| c.equal);
    (equal(&pa[0], &pb[0]) && equal(&pa[1], &pb[1]))
        || (equal(&pa[0], &pb[1]) && equal(&pa[1], &pb[0]))
}

fn collect_numbers(expr: &Expr, out: &mut Vec<BigRational>) {
    match expr {
        Expr::Num(l) => out.push(l.value.clone()),
        Expr::Neg(inner)
        | Expr::Group(inner)
        | Expr::Call(_, inner)
        | Expr::Percent(inner)
        | Expr::Factorial(inner) => collect_numbers(inner, out),
        Expr::Binary { lhs, rhs, .. } => {
            collect_numbers(lhs, out);
            collect_numbers(rhs, out);
        }
        _ => {}
    }
}

fn lost_solutions(
    task: &Task,
    reference: &Statement,
    student: &Statement,
    limits: &Limits,
) -> Option<(&'static str, String)> {
    let expected = exact_values(task, &Line::Statement(reference.clone()), limits)?;
    let given = exact_values(task, &Line::Statement(student.clone()), limits)?;
    let missing: Vec<&BigRational> = expected.iter().filter(|v| !given.contains(v)).collect();
    if missing.iter().any(|v| v.is_zero()) {
        return Some((
            "divided-by-variable",
            "dividing both sides by the letter loses the solution where it is 0; factorise instead"
                .into(),
        ));
    }
    let lost_negative = missing
        .iter()
        .find(|v| given.iter().any(|g| *g == -(**v).clone()))?;
    let message = match short_fraction(lost_negative) {
        Some(value) => format!(
            "a square root has a positive and a negative value, so {value} is a solution too"
        ),
        None => "a square root has a positive and a negative value, so there is another solution: \
                 write both with ±"
            .to_string(),
    };
    Some(("missing-negative-root", message))
}

/// Writes `value` as `-7` or `-3/2` when that is short enough to read in a
/// message. A value read from a long decimal has a huge denominator.
fn short_fraction(value: &BigRational) -> Option<String> {
    let text = value.to_string();
    (text.len() <= 12).then_some(text)
}

fn factors_of(expr: &Expr) -> Vec<&Expr> {
    match strip(expr) {
        Expr::Binary {
            op: BinOp::Mul,
            lhs,
            rhs,
            ..
        } => {
            let mut all = factors_of(lhs);
            all.extend(factors_of(rhs));
            all
        }
        other => vec![other],
    }
}

fn zero_product_without_zero(
    task: &Task,
    left: &Expr,
    right: &Expr,
    student: &Statement,
    limits: &Limits,
) -> Option<(&'static str, String)> {
    let value = literal(right)?;
    if value.is_zero() {
        return None;
    }
    let factors = factors_of(left);
    if factors.len() < 2 {
        return None;
    }
    let buggy = Statement::Or(
        factors
            .iter()
            .map(|f| relation((*f).clone(), RelOp::Eq, right.clone()))
            .collect(),
    );
    same_set(task, &buggy, student, limits).then(|| {
        (
            "zero-product-without-zero",
            "a product is 0 when one factor is 0, but that only works when the other side is 0: rearrange to = 0 first".into(),
        )
    })
}

/// True when `line` is what squaring both sides of `previous` gives.
pub(crate) fn squared_both_sides(previous: &Line, line: &Line) -> bool {
    let (Line::Statement(Statement::Relation { parts, ops }), Line::Statement(student)) =
        (previous, line)
    else {
        return false;
    };
    if parts.len() != 2 || ops.as_slice() != [RelOp::Eq] {
        return false;
    }
    let two = int(2);
    let squared = relation(
        bin(BinOp::Pow, group(parts[0].clone()), two.clone()),
        RelOp::Eq,
        bin(BinOp::Pow, group(parts[1].clone()), two),
    );
    matches!(
        compare_statements(&squared, student, &[], &Limits::default()),
        Ok(SetRelation::Equal)
    )
}
