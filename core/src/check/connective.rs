//! Connective words between statements: `2x = 8 so x = 4`, `therefore
//! x = 4`, `=> x = 4`, `∴ x = 4`.
//!
//! A line that starts with a connective is the statement after it. A line
//! with a connective between two statements is two steps of working: the
//! first from the line before, the second from the first.

/// Connectives written as words, matched whole and in any case.
const WORDS: [&str; 5] = ["so", "therefore", "hence", "thus", "then"];

/// Connectives written as symbols.
const SYMBOLS: [&str; 4] = ["=>", "⇒", "∴", "⟹"];

/// Splits a typed line into the statements its connectives separate.
///
/// Returns the line unchanged, as one statement, when it has no connective
/// or when splitting would leave nothing to check.
pub(crate) fn split(line: &str) -> Vec<&str> {
    let mut statements = Vec::new();
    let mut start = 0;
    let mut position = 0;
    while position < line.len() {
        let rest = &line[position..];
        if let Some(length) = connective_at(line, position) {
            statements.push(&line[start..position]);
            position += length;
            start = position;
            continue;
        }
        position += rest.chars().next().map_or(1, char::len_utf8);
    }
    statements.push(&line[start..]);
    let statements: Vec<&str> = statements
        .into_iter()
        .map(|s| s.trim_matches(|c: char| c.is_whitespace() || c == ',' || c == ';'))
        .filter(|s| !s.is_empty())
        .collect();
    if statements.is_empty() {
        vec![line]
    } else {
        statements
    }
}

/// Returns the length in bytes of the connective that starts at byte
/// `position`, if one does.
fn connective_at(line: &str, position: usize) -> Option<usize> {
    let rest = &line[position..];
    if let Some(symbol) = SYMBOLS.iter().find(|s| rest.starts_with(**s)) {
        return Some(symbol.len());
    }
    let before = line[..position].chars().next_back();
    if before.is_some_and(char::is_alphanumeric) {
        return None;
    }
    WORDS.iter().find_map(|word| {
        let candidate = rest.get(..word.len())?;
        let after = rest[word.len()..].chars().next();
        (candidate.eq_ignore_ascii_case(word) && !after.is_some_and(char::is_alphanumeric))
            .then_some(word.len())
    })
}

#[cfg(test)]
mod tests {
    use super::split;

    #[test]
    fn word_between_statements() {
        assert_eq!(split("2x = 8 so x = 4"), ["2x = 8", "x = 4"]);
        assert_eq!(split("2x = 8, hence x = 4"), ["2x = 8", "x = 4"]);
        assert_eq!(split("2x = 8 THUS x = 4"), ["2x = 8", "x = 4"]);
    }

    #[test]
    fn symbol_between_statements() {
        assert_eq!(split("2x = 8 => x = 4"), ["2x = 8", "x = 4"]);
        assert_eq!(split("2x = 8 ⇒ x = 4"), ["2x = 8", "x = 4"]);
        assert_eq!(split("2x=8∴x=4"), ["2x=8", "x=4"]);
    }

    #[test]
    fn leading_connective_dropped() {
        assert_eq!(split("therefore x = 4"), ["x = 4"]);
        assert_eq!(split("∴ x = 4"), ["x = 4"]);
        assert_eq!(split("=> x = 4"), ["x = 4"]);
        assert_eq!(split("So, x = 4"), ["x = 4"]);
    }

    #[test]
    fn letters_inside_words_kept() {
        // `so` inside a longer word, and single letters, are not connectives.
        assert_eq!(split("sos = 4"), ["sos = 4"]);
        assert_eq!(split("2s + o = 4"), ["2s + o = 4"]);
        assert_eq!(split("x >= 4"), ["x >= 4"]);
        assert_eq!(split("sin(x) = 1"), ["sin(x) = 1"]);
    }

    #[test]
    fn lone_connective_kept_for_parser() {
        assert_eq!(split("so"), ["so"]);
    }
}
