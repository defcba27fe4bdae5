//! Turning a keyboard line into the text the parser reads and into LaTeX
//! for drawing while editing.
//!
//! The text adds brackets only where the parser would otherwise read the
//! line differently from how it is drawn: around a slot with more than a
//! number or one letter in it, around a fraction that stands next to a
//! term or under a power, and around a multi-symbol exponent.

use super::{Node, Relation, Symbol};

/// Where the cursor and the selection are, as [`super::Editor`] holds them.
pub(super) struct Marks<'a> {
    pub path: &'a [(usize, usize)],
    pub offset: usize,
    pub selection: Option<(usize, usize)>,
}

/// The strings that show the cursor and the ends of a selection.
pub(super) struct MarkStrings<'a> {
    pub cursor: &'a str,
    pub selection_start: &'a str,
    pub selection_end: &'a str,
}

const TEXT_MARKS: MarkStrings<'static> = MarkStrings {
    cursor: "|",
    selection_start: "[",
    selection_end: "]",
};

/// The parser's text for `row`, with the cursor and selection shown when
/// `marks` is given.
pub(super) fn text(row: &[Node], marks: Option<&Marks>) -> String {
    let mut out = String::new();
    let mut writer = Writer {
        marks,
        strings: &TEXT_MARKS,
        path: Vec::new(),
        out: &mut out,
    };
    writer.text_row(row);
    out
}

/// LaTeX for `row` as typed, with `\square` in empty slots.
pub(super) fn latex(row: &[Node], marks: &Marks, strings: &MarkStrings) -> String {
    let mut out = String::new();
    let mut writer = Writer {
        marks: Some(marks),
        strings,
        path: Vec::new(),
        out: &mut out,
    };
    writer.latex_row(row);
    out
}

struct Writer<'a, 'm> {
    marks: Option<&'a Marks<'m>>,
    strings: &'a MarkStrings<'a>,
    /// The slot being written, as in [`Marks::path`].
    path: Vec<(usize, usize)>,
    out: &'a mut String,
}

impl Writer<'_, '_> {
    /// Writes the marks that stand before node `index` of the current row.
    fn put_marks(&mut self, index: usize) {
        let Some(marks) = self.marks else {
            return;
        };
        if marks.path != self.path.as_slice() {
            return;
        }
        if marks.selection.is_some_and(|(_, end)| end == index) {
            self.out.push_str(self.strings.selection_end);
        }
        if marks.offset == index {
            self.out.push_str(self.strings.cursor);
        }
        if marks.selection.is_some_and(|(start, _)| start == index) {
            self.out.push_str(self.strings.selection_start);
        }
    }

    fn cursor_in_current_row(&self) -> bool {
        self.marks
            .is_some_and(|marks| marks.path == self.path.as_slice())
    }

    fn text_row(&mut self, row: &[Node]) {
        for (index, node) in row.iter().enumerate() {
            self.put_marks(index);
            let previous = index.checked_sub(1).map(|before| &row[before]);
            let next = row.get(index + 1);
            match node {
                Node::Symbol(symbol) => self.out.push_str(&symbol_text(*symbol, previous)),
                Node::Fraction(slots) => {
                    let mixed = is_mixed_number(row, index);
                    let wrap = !mixed && fraction_needs_brackets(previous, next);
                    self.out.push_str(match (mixed, wrap) {
                        (true, _) => " ",
                        (false, true) => "(",
                        (false, false) => "",
                    });
                    self.text_slot(index, 0, &slots[0], !is_simple(&slots[0]));
                    self.out.push('/');
                    self.text_slot(index, 1, &slots[1], !is_simple(&slots[1]));
                    if wrap {
                        self.out.push(')');
                    }
                }
                Node::Power([exponent]) => {
                    self.out.push('^');
                    // `x^2` then `3` would read as `x^23`.
                    let wrap = !is_simple(exponent) || next.is_some_and(starts_with_digit);
                    self.text_slot(index, 0, exponent, wrap);
                }
                Node::Root([radicand]) => {
                    // `√(2)^2` could read as the root of a square.
                    let wrap = matches!(next, Some(Node::Power(_)));
                    self.out.push_str(if wrap { "(√" } else { "√" });
                    self.text_slot(index, 0, radicand, true);
                    if wrap {
                        self.out.push(')');
                    }
                }
            }
        }
        self.put_marks(row.len());
    }

    fn text_slot(&mut self, index: usize, slot: usize, row: &[Node], brackets: bool) {
        self.path.push((index, slot));
        if brackets {
            self.out.push('(');
        }
        self.text_row(row);
        if brackets {
            self.out.push(')');
        }
        self.path.pop();
    }

    fn latex_row(&mut self, row: &[Node]) {
        for (index, node) in row.iter().enumerate() {
            self.put_marks(index);
            match node {
                Node::Symbol(Symbol::Letter(letter)) => self.out.push(*letter),
                Node::Symbol(Symbol::Digit(digit)) => self.out.push(char::from(b'0' + digit)),
                Node::Symbol(symbol) => self.out.push_str(symbol_latex(*symbol)),
                Node::Fraction(slots) => {
                    self.out.push_str("\\frac");
                    self.latex_slot(index, 0, &slots[0]);
                    self.latex_slot(index, 1, &slots[1]);
                }
                Node::Power([exponent]) => {
                    if index == 0 {
                        self.out.push_str("\\square");
                    }
                    self.out.push('^');
                    self.latex_slot(index, 0, exponent);
                }
                Node::Root([radicand]) => {
                    self.out.push_str("\\sqrt");
                    self.latex_slot(index, 0, radicand);
                }
            }
        }
        self.put_marks(row.len());
    }

    fn latex_slot(&mut self, index: usize, slot: usize, row: &[Node]) {
        self.path.push((index, slot));
        self.out.push('{');
        if row.is_empty() && !self.cursor_in_current_row() {
            self.out.push_str("\\square");
        } else {
            self.latex_row(row);
        }
        self.out.push('}');
        self.path.pop();
    }
}

/// True after nothing, an operator, a relation, an opening bracket or a
/// separator, where `-` and `±` are signs rather than operations.
fn starts_operand(previous: Option<&Node>) -> bool {
    match previous {
        None => true,
        Some(Node::Symbol(symbol)) => matches!(
            symbol,
            Symbol::Plus
                | Symbol::Minus
                | Symbol::Times
                | Symbol::Divide
                | Symbol::PlusMinus
                | Symbol::Open
                | Symbol::Relation(_)
                | Symbol::Comma
                | Symbol::Or
        ),
        Some(_) => false,
    }
}

fn symbol_text(symbol: Symbol, previous: Option<&Node>) -> String {
    let sign = starts_operand(previous);
    let text = match symbol {
        Symbol::Digit(digit) => return char::from(b'0' + digit).to_string(),
        Symbol::Letter(letter) => return letter.to_string(),
        Symbol::Point => ".",
        Symbol::Pi => "π",
        Symbol::Plus if sign => "+",
        Symbol::Plus => " + ",
        Symbol::Minus if sign => "-",
        Symbol::Minus => " - ",
        Symbol::PlusMinus if sign => "±",
        Symbol::PlusMinus => " ± ",
        Symbol::Times => " × ",
        Symbol::Divide => " ÷ ",
        Symbol::Open => "(",
        Symbol::Close => ")",
        Symbol::Relation(relation) => match relation {
            Relation::Equal => " = ",
            Relation::NotEqual => " ≠ ",
            Relation::Less => " < ",
            Relation::LessOrEqual => " ≤ ",
            Relation::Greater => " > ",
            Relation::GreaterOrEqual => " ≥ ",
        },
        Symbol::Comma => ", ",
        Symbol::Or => " or ",
    };
    text.to_string()
}

fn symbol_latex(symbol: Symbol) -> &'static str {
    match symbol {
        // `Writer::latex_row` writes digits and letters as themselves.
        Symbol::Digit(_) | Symbol::Letter(_) => "",
        Symbol::Point => ".",
        Symbol::Pi => "\\pi ",
        Symbol::Plus => "+",
        Symbol::Minus => "-",
        Symbol::Times => "\\times ",
        Symbol::Divide => "\\div ",
        Symbol::PlusMinus => "\\pm ",
        Symbol::Open => "(",
        Symbol::Close => ")",
        Symbol::Relation(relation) => match relation {
            Relation::Equal => "=",
            Relation::NotEqual => "\\neq ",
            Relation::Less => "<",
            Relation::LessOrEqual => "\\le ",
            Relation::Greater => ">",
            Relation::GreaterOrEqual => "\\ge ",
        },
        Symbol::Comma => ",",
        Symbol::Or => "\\text{ or }",
    }
}

/// A number (digits and a point) or one letter, which needs no brackets as
/// a numerator, denominator or exponent.
fn is_simple(row: &[Node]) -> bool {
    let number = !row.is_empty()
        && row
            .iter()
            .all(|node| matches!(node, Node::Symbol(Symbol::Digit(_) | Symbol::Point)));
    let letter = matches!(row, [Node::Symbol(Symbol::Letter(_) | Symbol::Pi)]);
    number || letter
}

fn is_digits(row: &[Node]) -> bool {
    !row.is_empty()
        && row
            .iter()
            .all(|node| matches!(node, Node::Symbol(Symbol::Digit(_))))
}

fn starts_with_digit(node: &Node) -> bool {
    matches!(node, Node::Symbol(Symbol::Digit(_) | Symbol::Point))
}

/// True for a node that ends a term, so that a fraction after it multiplies.
fn ends_term(node: &Node) -> bool {
    match node {
        Node::Symbol(symbol) => matches!(
            symbol,
            Symbol::Digit(_) | Symbol::Point | Symbol::Letter(_) | Symbol::Pi | Symbol::Close
        ),
        _ => true,
    }
}

/// True for a node that starts a term, so that it multiplies a fraction
/// before it.
fn starts_term(node: &Node) -> bool {
    match node {
        Node::Symbol(symbol) => matches!(
            symbol,
            Symbol::Digit(_) | Symbol::Point | Symbol::Letter(_) | Symbol::Pi | Symbol::Open
        ),
        Node::Fraction(_) | Node::Root(_) => true,
        Node::Power(_) => false,
    }
}

/// Brackets keep `6 ÷ (3/4)`, `2(3/4)`, `(3/4)x` and `(3/4)^2` reading as
/// drawn; without them the parser works left to right or binds the power
/// to the denominator.
fn fraction_needs_brackets(previous: Option<&Node>, next: Option<&Node>) -> bool {
    let after_term = previous.is_some_and(ends_term);
    let after_divide = matches!(previous, Some(Node::Symbol(Symbol::Divide)));
    let before_power = matches!(next, Some(Node::Power(_)));
    let before_term = next.is_some_and(starts_term);
    after_term || after_divide || before_power || before_term
}

/// A whole number followed by a fraction of whole numbers, such as `2 3/4`,
/// which the parser reads as a mixed number when a space separates them.
fn is_mixed_number(row: &[Node], index: usize) -> bool {
    let Node::Fraction([numerator, denominator]) = &row[index] else {
        return false;
    };
    if !is_digits(numerator) || !is_digits(denominator) {
        return false;
    }
    // The parser reads only a proper fraction after the whole number.
    let value = |row: &[Node]| {
        let digits: String = row
            .iter()
            .filter_map(|node| match node {
                Node::Symbol(Symbol::Digit(digit)) => Some(char::from(b'0' + digit)),
                _ => None,
            })
            .collect();
        let significant = digits.trim_start_matches('0').to_string();
        (significant.len(), significant)
    };
    let (numerator, denominator) = (value(numerator), value(denominator));
    if numerator.0 == 0 || numerator >= denominator {
        return false;
    }
    let mut start = index;
    while start > 0 && matches!(row[start - 1], Node::Symbol(Symbol::Digit(_))) {
        start -= 1;
    }
    let has_whole = start < index;
    let whole_starts_term = start == 0 || !ends_term(&row[start - 1]);
    let next_free = row
        .get(index + 1)
        .is_none_or(|next| !starts_term(next) && !matches!(next, Node::Power(_)));
    has_whole && whole_starts_term && next_free
}
