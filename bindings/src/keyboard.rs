//! The maths keyboard's editing model, `stepwise_core::keyboard`.

use std::sync::{Arc, Mutex, MutexGuard};

use stepwise_core::keyboard::{self as core, Editor, Key, Relation};

/// A key press the line cannot take, or a line that cannot be read yet.
#[derive(Debug, thiserror::Error, uniffi::Error)]
#[uniffi(flat_error)]
pub enum KeyboardError {
    #[error("the line is full ({max} symbols); submit it or delete something first")]
    LineFull { max: u32 },
    #[error("templates are nested too deeply (limit {max}); move out of this one first")]
    TooDeep { max: u32 },
    #[error("invalid key {key}: {reason}")]
    InvalidKey { key: String, reason: String },
    /// The line does not parse yet, so it has no display form.
    #[error("column {column}: {reason}")]
    Unreadable { column: u32, reason: String },
}

fn to_u32(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

impl From<core::KeyboardError> for KeyboardError {
    fn from(error: core::KeyboardError) -> Self {
        match error {
            core::KeyboardError::LineFull { max } => KeyboardError::LineFull { max: to_u32(max) },
            core::KeyboardError::TooDeep { max } => KeyboardError::TooDeep { max: to_u32(max) },
            core::KeyboardError::InvalidKey { key, reason } => {
                KeyboardError::InvalidKey { key, reason }
            }
        }
    }
}

impl From<stepwise_core::maths::ParseError> for KeyboardError {
    fn from(error: stepwise_core::maths::ParseError) -> Self {
        KeyboardError::Unreadable {
            column: to_u32(error.column),
            reason: error.message,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum RelationSign {
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
}

impl From<RelationSign> for Relation {
    fn from(sign: RelationSign) -> Self {
        match sign {
            RelationSign::Equal => Relation::Equal,
            RelationSign::NotEqual => Relation::NotEqual,
            RelationSign::Less => Relation::Less,
            RelationSign::LessOrEqual => Relation::LessOrEqual,
            RelationSign::Greater => Relation::Greater,
            RelationSign::GreaterOrEqual => Relation::GreaterOrEqual,
        }
    }
}

/// A key of the maths keyboard, as `stepwise_core::keyboard::Key`.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum KeyboardKey {
    Digit {
        value: u8,
    },
    DecimalPoint,
    /// One Latin letter, or one lowercase Greek letter other than π.
    Letter {
        letter: String,
    },
    Pi,
    Plus,
    Minus,
    Times,
    Divide,
    PlusMinus,
    OpenBracket,
    CloseBracket,
    Relation {
        sign: RelationSign,
    },
    Comma,
    Or,
    Fraction,
    Power,
    Square,
    SquareRoot,
    Left,
    Right,
    Up,
    Down,
    Home,
    End,
    SelectLeft,
    SelectRight,
    SelectAll,
    Backspace,
    Delete,
    Clear,
}

impl TryFrom<KeyboardKey> for Key {
    type Error = KeyboardError;

    fn try_from(key: KeyboardKey) -> Result<Self, Self::Error> {
        Ok(match key {
            KeyboardKey::Digit { value } => Key::Digit(value),
            KeyboardKey::DecimalPoint => Key::DecimalPoint,
            KeyboardKey::Letter { letter } => {
                let mut chars = letter.chars();
                match (chars.next(), chars.next()) {
                    (Some(single), None) => Key::Letter(single),
                    _ => {
                        return Err(KeyboardError::InvalidKey {
                            key: format!("letter {letter:?}"),
                            reason: "a letter key holds exactly one character".into(),
                        })
                    }
                }
            }
            KeyboardKey::Pi => Key::Pi,
            KeyboardKey::Plus => Key::Plus,
            KeyboardKey::Minus => Key::Minus,
            KeyboardKey::Times => Key::Times,
            KeyboardKey::Divide => Key::Divide,
            KeyboardKey::PlusMinus => Key::PlusMinus,
            KeyboardKey::OpenBracket => Key::OpenBracket,
            KeyboardKey::CloseBracket => Key::CloseBracket,
            KeyboardKey::Relation { sign } => Key::Relation(sign.into()),
            KeyboardKey::Comma => Key::Comma,
            KeyboardKey::Or => Key::Or,
            KeyboardKey::Fraction => Key::Fraction,
            KeyboardKey::Power => Key::Power,
            KeyboardKey::Square => Key::Square,
            KeyboardKey::SquareRoot => Key::SquareRoot,
            KeyboardKey::Left => Key::Left,
            KeyboardKey::Right => Key::Right,
            KeyboardKey::Up => Key::Up,
            KeyboardKey::Down => Key::Down,
            KeyboardKey::Home => Key::Home,
            KeyboardKey::End => Key::End,
            KeyboardKey::SelectLeft => Key::SelectLeft,
            KeyboardKey::SelectRight => Key::SelectRight,
            KeyboardKey::SelectAll => Key::SelectAll,
            KeyboardKey::Backspace => Key::Backspace,
            KeyboardKey::Delete => Key::Delete,
            KeyboardKey::Clear => Key::Clear,
        })
    }
}

/// One line being typed on the maths keyboard.
#[derive(Debug, Default, uniffi::Object)]
pub struct MathsKeyboard {
    editor: Mutex<Editor>,
}

impl MathsKeyboard {
    fn editor(&self) -> MutexGuard<'_, Editor> {
        // An editor is valid after every key press, so a panic elsewhere
        // while the lock was held leaves nothing half-done to recover from.
        self.editor
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[uniffi::export]
impl MathsKeyboard {
    #[uniffi::constructor]
    pub fn new() -> Arc<Self> {
        Arc::new(MathsKeyboard::default())
    }

    pub fn press(&self, key: KeyboardKey) -> Result<(), KeyboardError> {
        Ok(self.editor().press(key.try_into()?)?)
    }

    /// Applies keys in order, stopping at the first that fails.
    pub fn press_all(&self, keys: Vec<KeyboardKey>) -> Result<(), KeyboardError> {
        let keys = keys
            .into_iter()
            .map(Key::try_from)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(self.editor().press_all(&keys)?)
    }

    pub fn is_empty(&self) -> bool {
        self.editor().is_empty()
    }

    pub fn has_selection(&self) -> bool {
        self.editor().has_selection()
    }

    /// The line as the checker reads it.
    pub fn text(&self) -> String {
        self.editor().text()
    }

    /// The text with the cursor as `|` and a selection inside `[` and `]`.
    pub fn text_with_cursor(&self) -> String {
        self.editor().text_with_cursor()
    }

    /// LaTeX of the line as typed, with the given strings at the cursor and
    /// around a selection, and `\square` in empty slots.
    pub fn editing_latex(
        &self,
        cursor: String,
        selection_start: String,
        selection_end: String,
    ) -> String {
        self.editor()
            .editing_latex(&cursor, &selection_start, &selection_end)
    }

    /// The line read by the parser and formatted as LaTeX.
    pub fn latex(&self) -> Result<String, KeyboardError> {
        Ok(self.editor().latex()?)
    }

    /// The line read by the parser, in spoken English.
    pub fn spoken(&self) -> Result<String, KeyboardError> {
        Ok(self.editor().spoken()?)
    }
}
