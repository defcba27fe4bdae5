//! The maths keyboard's editing model: one line of working as a tree of
//! symbols and templates (fraction, power, square root) with a cursor.
//!
//! Both phone shells draw this model and send it key presses; neither
//! decides anything about what a key does. The line turns into the text the
//! parser reads ([`Editor::text`]), into LaTeX for display while editing
//! ([`Editor::editing_latex`], with empty slots and the cursor shown), and,
//! once it parses, into the LaTeX and spoken forms of the maths engine.
//!
//! Invariants: the cursor's path always names existing template slots, and
//! its offset is at most the length of the row it is in. A selection is a
//! range of the cursor's own row, from the anchor to the cursor.

mod render;
#[cfg(test)]
mod tests;

use thiserror::Error;

use crate::maths::{format, parse, ParseError};

/// Nodes one line may hold, counting those inside templates. The parser
/// reads at most 400 characters, and each node is at least one character.
pub const MAX_NODES: usize = 200;

/// Templates nested inside one another, such as a fraction in a power.
pub const MAX_DEPTH: usize = 8;

/// A relation sign key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relation {
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
}

/// A key of the maths keyboard, including the editing keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    /// A digit from 0 to 9.
    Digit(u8),
    DecimalPoint,
    /// A variable: a Latin letter or a lowercase Greek letter other than π.
    Letter(char),
    Pi,
    Plus,
    Minus,
    Times,
    Divide,
    PlusMinus,
    OpenBracket,
    CloseBracket,
    Relation(Relation),
    /// Separates answers, as in `x = 2, y = 3`.
    Comma,
    /// Joins alternatives, as in `x = 2 or x = -3`.
    Or,
    /// A fraction template; a selection becomes its numerator.
    Fraction,
    /// A power template on what comes before the cursor.
    Power,
    /// A power of 2, with the cursor after it.
    Square,
    /// A square root template; a selection becomes its radicand.
    SquareRoot,
    /// One place left, through every slot of a template.
    Left,
    /// One place right, through every slot of a template.
    Right,
    /// From a fraction's denominator to its numerator.
    Up,
    /// From a fraction's numerator to its denominator.
    Down,
    /// To the start of the cursor's row.
    Home,
    /// To the end of the cursor's row.
    End,
    SelectLeft,
    SelectRight,
    SelectAll,
    Backspace,
    Delete,
    Clear,
}

/// A key press that the line cannot take.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum KeyboardError {
    #[error("the line is full ({max} symbols); submit it or delete something first")]
    LineFull { max: usize },
    #[error("templates are nested too deeply (limit {max}); move out of this one first")]
    TooDeep { max: usize },
    #[error("invalid key {key}: {reason}")]
    InvalidKey { key: String, reason: String },
}

/// A symbol typed into a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Symbol {
    Digit(u8),
    Point,
    Letter(char),
    Pi,
    Plus,
    Minus,
    Times,
    Divide,
    PlusMinus,
    Open,
    Close,
    Relation(Relation),
    Comma,
    Or,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Node {
    Symbol(Symbol),
    /// Numerator and denominator.
    Fraction([Row; 2]),
    /// The exponent; the base is whatever comes before the node.
    Power([Row; 1]),
    /// The radicand.
    Root([Row; 1]),
}

type Row = Vec<Node>;

impl Node {
    fn slots(&self) -> &[Row] {
        match self {
            Node::Symbol(_) => &[],
            Node::Fraction(slots) => slots,
            Node::Power(slots) | Node::Root(slots) => slots,
        }
    }

    fn slots_mut(&mut self) -> &mut [Row] {
        match self {
            Node::Symbol(_) => &mut [],
            Node::Fraction(slots) => slots,
            Node::Power(slots) | Node::Root(slots) => slots,
        }
    }

    fn is_template(&self) -> bool {
        !matches!(self, Node::Symbol(_))
    }

    fn is_empty_template(&self) -> bool {
        self.is_template() && self.slots().iter().all(Vec::is_empty)
    }

    fn count(&self) -> usize {
        1 + self.slots().iter().map(|row| count(row)).sum::<usize>()
    }
}

fn count(row: &[Node]) -> usize {
    row.iter().map(Node::count).sum()
}

fn depth(row: &[Node]) -> usize {
    row.iter()
        .map(|node| match node {
            Node::Symbol(_) => 0,
            _ => {
                1 + node
                    .slots()
                    .iter()
                    .map(|slot| depth(slot))
                    .max()
                    .unwrap_or(0)
            }
        })
        .max()
        .unwrap_or(0)
}

/// One line being typed on the maths keyboard.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Editor {
    root: Row,
    /// Template node index and slot index, from the outer row inwards.
    path: Vec<(usize, usize)>,
    /// Position in the cursor's row: the number of nodes before the cursor.
    offset: usize,
    /// The other end of the selection, in the cursor's row.
    anchor: Option<usize>,
}

impl Editor {
    /// An empty line with the cursor at its start.
    pub fn new() -> Editor {
        Editor::default()
    }

    /// Applies one key press.
    pub fn press(&mut self, key: Key) -> Result<(), KeyboardError> {
        let symbol = |symbol| Some(Node::Symbol(symbol));
        let node = match key {
            Key::Digit(digit) if digit > 9 => {
                return Err(KeyboardError::InvalidKey {
                    key: format!("digit {digit}"),
                    reason: "a digit key is 0 to 9".into(),
                })
            }
            Key::Digit(digit) => symbol(Symbol::Digit(digit)),
            Key::Letter(letter) if !is_variable(letter) => {
                return Err(KeyboardError::InvalidKey {
                    key: format!("letter {letter:?}"),
                    reason: "a variable is a Latin letter or a lowercase Greek letter other than π"
                        .into(),
                })
            }
            Key::Letter(letter) => symbol(Symbol::Letter(letter)),
            Key::DecimalPoint => symbol(Symbol::Point),
            Key::Pi => symbol(Symbol::Pi),
            Key::Plus => symbol(Symbol::Plus),
            Key::Minus => symbol(Symbol::Minus),
            Key::Times => symbol(Symbol::Times),
            Key::Divide => symbol(Symbol::Divide),
            Key::PlusMinus => symbol(Symbol::PlusMinus),
            Key::CloseBracket => symbol(Symbol::Close),
            Key::Relation(relation) => symbol(Symbol::Relation(relation)),
            Key::Comma => symbol(Symbol::Comma),
            Key::Or => symbol(Symbol::Or),
            _ => None,
        };
        if let Some(node) = node {
            self.delete_selection();
            return self.insert(node);
        }

        match key {
            Key::OpenBracket => self.open_bracket(),
            Key::Fraction => self.fraction(),
            Key::Power => {
                self.delete_selection();
                self.insert_template(Node::Power([Row::new()]), 0)
            }
            Key::Square => {
                self.delete_selection();
                self.insert(Node::Power([vec![Node::Symbol(Symbol::Digit(2))]]))
            }
            Key::SquareRoot => self.square_root(),
            Key::Left => {
                self.move_left();
                Ok(())
            }
            Key::Right => {
                self.move_right();
                Ok(())
            }
            Key::Up => {
                self.move_vertically(1, 0);
                Ok(())
            }
            Key::Down => {
                self.move_vertically(0, 1);
                Ok(())
            }
            Key::Home => {
                self.anchor = None;
                self.offset = 0;
                Ok(())
            }
            Key::End => {
                self.anchor = None;
                self.offset = self.row().len();
                Ok(())
            }
            Key::SelectLeft => {
                self.anchor.get_or_insert(self.offset);
                self.offset = self.offset.saturating_sub(1);
                Ok(())
            }
            Key::SelectRight => {
                self.anchor.get_or_insert(self.offset);
                self.offset = (self.offset + 1).min(self.row().len());
                Ok(())
            }
            Key::SelectAll => {
                self.path.clear();
                self.anchor = Some(0);
                self.offset = self.root.len();
                Ok(())
            }
            Key::Backspace => {
                self.backspace();
                Ok(())
            }
            Key::Delete => {
                self.delete_forward();
                Ok(())
            }
            Key::Clear => {
                *self = Editor::new();
                Ok(())
            }
            // Every symbol key returned above.
            _ => Ok(()),
        }
    }

    /// Applies key presses in order, stopping at the first that fails.
    pub fn press_all(&mut self, keys: &[Key]) -> Result<(), KeyboardError> {
        keys.iter().try_for_each(|key| self.press(*key))
    }

    /// True when the line holds nothing.
    pub fn is_empty(&self) -> bool {
        self.root.is_empty()
    }

    /// True when part of the line is selected.
    pub fn has_selection(&self) -> bool {
        self.selection().is_some()
    }

    /// The line as the parser reads it, such as `(x + 1)/2 = √(5)`.
    pub fn text(&self) -> String {
        render::text(&self.root, None)
    }

    /// The text with the cursor shown as `|` and a selection inside `[` and
    /// `]`, for plain-text shells and tests.
    pub fn text_with_cursor(&self) -> String {
        render::text(&self.root, Some(&self.marks()))
    }

    /// LaTeX of the line as typed, for drawing while editing: empty slots are
    /// `\square`, and the caller's `cursor` string is placed at the cursor and
    /// `selection_start` and `selection_end` around a selection.
    pub fn editing_latex(
        &self,
        cursor: &str,
        selection_start: &str,
        selection_end: &str,
    ) -> String {
        let strings = render::MarkStrings {
            cursor,
            selection_start,
            selection_end,
        };
        render::latex(&self.root, &self.marks(), &strings)
    }

    /// The parsed line formatted as LaTeX, or why it does not parse.
    pub fn latex(&self) -> Result<String, ParseError> {
        Ok(format::latex(&parse(&self.text())?.statement))
    }

    /// The parsed line in spoken English for screen readers, or why it does
    /// not parse.
    pub fn spoken(&self) -> Result<String, ParseError> {
        Ok(format::spoken(&parse(&self.text())?.statement))
    }

    fn marks(&self) -> render::Marks<'_> {
        render::Marks {
            path: &self.path,
            offset: self.offset,
            selection: self.selection(),
        }
    }

    fn selection(&self) -> Option<(usize, usize)> {
        let anchor = self.anchor?;
        (anchor != self.offset).then(|| (anchor.min(self.offset), anchor.max(self.offset)))
    }

    fn row(&self) -> &Row {
        let mut row = &self.root;
        for &(index, slot) in &self.path {
            row = &row[index].slots()[slot];
        }
        row
    }

    fn row_mut(&mut self) -> &mut Row {
        let mut row = &mut self.root;
        for &(index, slot) in &self.path {
            row = &mut row[index].slots_mut()[slot];
        }
        row
    }

    /// Removes the selected nodes and returns them, leaving the cursor where
    /// they were.
    fn delete_selection(&mut self) -> Row {
        let selection = self.selection();
        self.anchor = None;
        let Some((start, end)) = selection else {
            return Row::new();
        };
        self.offset = start;
        self.row_mut().drain(start..end).collect()
    }

    fn check_room(&self, node: &Node) -> Result<(), KeyboardError> {
        if count(&self.root) + node.count() > MAX_NODES {
            return Err(KeyboardError::LineFull { max: MAX_NODES });
        }
        let inside = node.slots().iter().map(|slot| depth(slot)).max();
        let added = inside.map_or(0, |deepest| deepest + 1);
        if self.path.len() + added > MAX_DEPTH {
            return Err(KeyboardError::TooDeep { max: MAX_DEPTH });
        }
        Ok(())
    }

    /// Inserts `node` at the cursor and moves the cursor past it.
    fn insert(&mut self, node: Node) -> Result<(), KeyboardError> {
        self.check_room(&node)?;
        let offset = self.offset;
        self.row_mut().insert(offset, node);
        self.offset += 1;
        Ok(())
    }

    /// Inserts a template at the cursor and moves the cursor to the start of
    /// its slot `slot`.
    fn insert_template(&mut self, node: Node, slot: usize) -> Result<(), KeyboardError> {
        self.insert(node)?;
        self.path.push((self.offset - 1, slot));
        self.offset = 0;
        Ok(())
    }

    fn open_bracket(&mut self) -> Result<(), KeyboardError> {
        let Some((start, end)) = self.selection() else {
            return self.insert(Node::Symbol(Symbol::Open));
        };
        // Wrapping a selection in brackets adds two nodes.
        if count(&self.root) + 2 > MAX_NODES {
            return Err(KeyboardError::LineFull { max: MAX_NODES });
        }
        self.anchor = None;
        let row = self.row_mut();
        row.insert(end, Node::Symbol(Symbol::Close));
        row.insert(start, Node::Symbol(Symbol::Open));
        self.offset = end + 2;
        Ok(())
    }

    fn fraction(&mut self) -> Result<(), KeyboardError> {
        let numerator = self.delete_selection();
        let slot = if numerator.is_empty() { 0 } else { 1 };
        let node = Node::Fraction([numerator.clone(), Row::new()]);
        if let Err(error) = self.check_room(&node) {
            self.restore(numerator);
            return Err(error);
        }
        self.insert_template(node, slot)
    }

    fn square_root(&mut self) -> Result<(), KeyboardError> {
        let radicand = self.delete_selection();
        if radicand.is_empty() {
            return self.insert_template(Node::Root([Row::new()]), 0);
        }
        let node = Node::Root([radicand.clone()]);
        if let Err(error) = self.check_room(&node) {
            self.restore(radicand);
            return Err(error);
        }
        self.insert(node)
    }

    /// Puts back nodes taken out by [`Editor::delete_selection`] when the key
    /// that took them fails, selected again.
    fn restore(&mut self, nodes: Row) {
        let start = self.offset;
        let end = start + nodes.len();
        self.row_mut().splice(start..start, nodes);
        self.anchor = Some(start);
        self.offset = end;
    }

    fn move_left(&mut self) {
        if let Some((start, _)) = self.selection() {
            self.anchor = None;
            self.offset = start;
            return;
        }
        self.anchor = None;
        if self.offset > 0 {
            let index = self.offset - 1;
            let slots = self.row()[index].slots().len();
            if slots == 0 {
                self.offset = index;
            } else {
                self.path.push((index, slots - 1));
                self.offset = self.row().len();
            }
        } else if let Some(&(index, slot)) = self.path.last() {
            self.path.pop();
            if slot > 0 {
                self.path.push((index, slot - 1));
                self.offset = self.row().len();
            } else {
                self.offset = index;
            }
        }
    }

    fn move_right(&mut self) {
        if let Some((_, end)) = self.selection() {
            self.anchor = None;
            self.offset = end;
            return;
        }
        self.anchor = None;
        if self.offset < self.row().len() {
            let index = self.offset;
            if self.row()[index].is_template() {
                self.path.push((index, 0));
                self.offset = 0;
            } else {
                self.offset += 1;
            }
        } else if let Some(&(index, slot)) = self.path.last() {
            self.path.pop();
            if slot + 1 < self.row()[index].slots().len() {
                self.path.push((index, slot + 1));
                self.offset = 0;
            } else {
                self.offset = index + 1;
            }
        }
    }

    /// Moves from slot `from` to slot `to` of the innermost fraction around
    /// the cursor whose slot `from` contains it.
    fn move_vertically(&mut self, from: usize, to: usize) {
        self.anchor = None;
        let mut outer = &self.root;
        let mut found = None;
        for (level, &(index, slot)) in self.path.iter().enumerate() {
            if slot == from && matches!(outer[index], Node::Fraction(_)) {
                found = Some(level);
            }
            outer = &outer[index].slots()[slot];
        }
        let Some(level) = found else {
            return;
        };
        let direct = level + 1 == self.path.len();
        self.path.truncate(level + 1);
        self.path[level].1 = to;
        let length = self.row().len();
        self.offset = if direct {
            self.offset.min(length)
        } else {
            length
        };
    }

    fn backspace(&mut self) {
        if self.has_selection() {
            self.delete_selection();
            return;
        }
        self.anchor = None;
        if self.offset > 0 {
            let index = self.offset - 1;
            let node = &self.row()[index];
            if node.is_template() && !node.is_empty_template() {
                self.move_left();
            } else {
                self.row_mut().remove(index);
                self.offset = index;
            }
        } else if !self.path.is_empty() {
            self.unwrap_template(false);
        }
    }

    fn delete_forward(&mut self) {
        if self.has_selection() {
            self.delete_selection();
            return;
        }
        self.anchor = None;
        if self.offset < self.row().len() {
            let index = self.offset;
            let node = &self.row()[index];
            if node.is_template() && !node.is_empty_template() {
                self.move_right();
            } else {
                self.row_mut().remove(index);
            }
        } else if !self.path.is_empty() {
            self.unwrap_template(true);
        }
    }

    /// Replaces the template around the cursor by the contents of its slots,
    /// in order, keeping the cursor at the same place in the contents: at the
    /// start of its slot's contents, or at their end when `at_end`.
    fn unwrap_template(&mut self, at_end: bool) {
        let Some((index, slot)) = self.path.pop() else {
            return;
        };
        let row = self.row_mut();
        let mut node = row.remove(index);
        let slots = node.slots_mut();
        let before: usize = slots[..slot].iter().map(Vec::len).sum();
        let own = slots[slot].len();
        let contents: Row = slots.iter_mut().flat_map(std::mem::take).collect();
        row.splice(index..index, contents);
        self.offset = index + before + if at_end { own } else { 0 };
    }
}

/// Whether the parser reads `letter` as a variable.
fn is_variable(letter: char) -> bool {
    letter.is_ascii_alphabetic() || (('α'..='ω').contains(&letter) && letter != 'π')
}
