//! Formatting of syntax trees as plain text, LaTeX and spoken English. (Being written.)
use super::ast::Expr;
pub fn plain_expr(expr: &Expr) -> String {
    format!("{expr:?}")
}
use super::ast::Statement;
pub fn plain(statement: &Statement) -> String {
    format!("{statement:?}")
}
