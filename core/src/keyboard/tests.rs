//! Key sequences and the line they leave, as text with the cursor shown.
//!
//! A script is read a character at a time: digits, letters, `.`, `+`, `-`,
//! `*` (times), `/` (divide), brackets, `=`, `<`, `>` and `,` are their keys,
//! spaces are skipped, and `{name}` names any other key.

use super::*;
use crate::maths::parse;

fn key_named(name: &str) -> Key {
    match name {
        "frac" => Key::Fraction,
        "pow" => Key::Power,
        "sq" => Key::Square,
        "sqrt" => Key::SquareRoot,
        "pm" => Key::PlusMinus,
        "pi" => Key::Pi,
        "le" => Key::Relation(Relation::LessOrEqual),
        "ge" => Key::Relation(Relation::GreaterOrEqual),
        "ne" => Key::Relation(Relation::NotEqual),
        "or" => Key::Or,
        "left" => Key::Left,
        "right" => Key::Right,
        "up" => Key::Up,
        "down" => Key::Down,
        "home" => Key::Home,
        "end" => Key::End,
        "sl" => Key::SelectLeft,
        "sr" => Key::SelectRight,
        "all" => Key::SelectAll,
        "bs" => Key::Backspace,
        "del" => Key::Delete,
        "clear" => Key::Clear,
        other => panic!("unknown key name {other:?} in a test script"),
    }
}

fn keys(script: &str) -> Vec<Key> {
    let mut keys = Vec::new();
    let mut chars = script.chars();
    while let Some(c) = chars.next() {
        let key = match c {
            ' ' => continue,
            '0'..='9' => Key::Digit(c as u8 - b'0'),
            '.' => Key::DecimalPoint,
            '+' => Key::Plus,
            '-' => Key::Minus,
            '*' => Key::Times,
            '/' => Key::Divide,
            '(' => Key::OpenBracket,
            ')' => Key::CloseBracket,
            '=' => Key::Relation(Relation::Equal),
            '<' => Key::Relation(Relation::Less),
            '>' => Key::Relation(Relation::Greater),
            ',' => Key::Comma,
            '{' => {
                let name: String = chars.by_ref().take_while(|c| *c != '}').collect();
                key_named(&name)
            }
            letter => Key::Letter(letter),
        };
        keys.push(key);
    }
    keys
}

fn typed(script: &str) -> Editor {
    let mut editor = Editor::new();
    editor
        .press_all(&keys(script))
        .expect("every key is accepted");
    editor
}

/// Types `script` and compares the text with the cursor shown.
fn check(script: &str, expected: &str) {
    let editor = typed(script);
    assert_eq!(editor.text_with_cursor(), expected, "script {script:?}");
}

/// Types `script` and checks that its text parses, and to what.
fn check_parses(script: &str, expected_plain: &str) {
    let editor = typed(script);
    let text = editor.text();
    let parsed = parse(&text).unwrap_or_else(|error| panic!("{text:?} does not parse: {error}"));
    assert_eq!(
        crate::maths::format::plain(&parsed.statement),
        expected_plain,
        "script {script:?}, text {text:?}"
    );
}

#[test]
fn symbols_and_spacing() {
    check("", "|");
    check("2x+3=11", "2x + 3 = 11|");
    check("-3+-2", "-3 + -2|");
    check("x=5-2", "x = 5 - 2|");
    check("2*3/4", "2 × 3 ÷ 4|");
    check("x{le}4", "x ≤ 4|");
    check("x{ge}4,y{ne}2", "x ≥ 4, y ≠ 2|");
    check("x=2{or}x=-3", "x = 2 or x = -3|");
    check("x={pm}3", "x = ±3|");
    check("3{pm}2", "3 ± 2|");
    check("2{pi}r", "2πr|");
    check("0.5+.2", "0.5 + .2|");
    check("(x+1)(x-1)", "(x + 1)(x - 1)|");
}

#[test]
fn fraction_template() {
    check("{frac}", "(|)/()");
    check("{frac}1", "1|/()");
    check("{frac}1{down}2", "1/2|");
    check("{frac}1{down}2{right}+1", "1/2 + 1|");
    check("{frac}x+1{down}2", "(x + 1)/2|");
    check("{frac}x+1{down}2{up}", "(x| + 1)/2");
    check("{frac}1{down}2{right}x", "(1/2)x|");
    check("x{frac}1{down}2{right}", "x(1/2)|");
    check("6/{frac}3{down}4{right}", "6 ÷ (3/4)|");
    check("2{frac}3{down}4{right}", "2 3/4|");
    check("2{frac}5{down}4{right}", "2(5/4)|");
    check("{frac}{frac}1{down}2{right}{down}3", "(1/2)/3|");
}

#[test]
fn power_and_root_templates() {
    check("x{pow}2", "x^2|");
    check("x{pow}2{right}", "x^2|");
    check("x{pow}2{right}+1", "x^2 + 1|");
    check("x{pow}n+1{right}", "x^(n + 1)|");
    check("x{pow}-2", "x^(-2|)");
    check("x{sq}", "x^2|");
    check("x{sq}3", "x^(2)3|");
    check("x{sq}y", "x^2y|");
    check("{sqrt}5", "√(5|)");
    check("{sqrt}5{right}x", "√(5)x|");
    check("{sqrt}2{right}{sq}", "(√(2))^2|");
    check("{frac}1{down}2{right}{sq}", "(1/2)^2|");
}

#[test]
fn moving_through_templates() {
    check("{frac}1{down}2{right}{left}", "1/2|");
    check("{frac}1{down}2{right}{left}{left}", "1/|2");
    check("{frac}1{down}2{right}{left}{left}{left}", "1|/2");
    check(
        "{frac}1{down}2{right}{left}{left}{left}{left}{left}",
        "|1/2",
    );
    check("{frac}1{down}2{right}{home}", "|1/2");
    check("{frac}1{down}2{home}", "1/|2");
    check("{frac}1{down}2{right}{home}{right}", "|1/2");
    check("{frac}1{down}2{right}{home}{right}{right}", "1|/2");
    check("{frac}12{left}{left}{left}", "|12/()");
    check("x{sq}{left}", "x^2|");
    check("x{sq}{left}{left}{left}", "x|^2");
    check("{sqrt}x{left}{left}{left}", "|√(x)");
    check("12{left}{left}{left}", "|12");
    check("12{right}", "12|");
    check("{frac}{frac}1{down}2{up}", "(1|/2)/()");
    check("{frac}{frac}1{right}{right}{down}", "(1/())/(|)");
}

#[test]
fn deleting() {
    check("12{bs}", "1|");
    check("{bs}", "|");
    check("x+{frac}{bs}", "x + |");
    check("{frac}1{down}2{right}{bs}", "1/2|");
    check("{frac}1{down}{bs}", "1|");
    check("{frac}1{down}2{left}{bs}", "1|2");
    check("x{pow}2{left}{bs}", "x|2");
    check("{sqrt}5{left}{bs}", "|5");
    check("12{home}{del}", "|2");
    check("{frac}{home}{del}", "|");
    check("{frac}1{down}2{right}{home}{del}", "|1/2");
    check("{frac}1{down}2{up}{end}{del}", "1|2");
    check("{clear}", "|");
    check("2x+1{clear}", "|");
}

#[test]
fn selecting_and_replacing() {
    check("123{sl}{sl}", "1|[23]");
    check("123{home}{sr}", "[1]|23");
    check("123{sl}{sl}9", "19|");
    check("123{sl}{sl}{bs}", "1|");
    check("123{sl}{sl}{left}", "1|23");
    check("123{sl}{sl}{right}", "123|");
    check("x+1{sl}{sl}{sl}{frac}", "(x + 1)/(|)");
    check("x+1{sl}{sl}{sl}{frac}2", "(x + 1)/2|");
    check("2x+1{sl}{sl}{sl}{sqrt}", "2√(x + 1)|");
    check("x+1{sl}{sl}{sl}(", "(x + 1)|");
    check("2x{all}", "[2x]|");
    check("{frac}1{down}2{all}5", "5|");
    check("x{sq}+1{sl}{sl}{sl}", "x|[^2 + 1]");
    check("x{sq}+1{sl}{sl}{sl}{sl}", "|[x^2 + 1]");
}

#[test]
fn typed_lines_parse() {
    check_parses("2x+3=11", "2x + 3 = 11");
    check_parses("{frac}x+1{down}2{right}=3", "(x + 1)/2 = 3");
    check_parses("x{sq}-5x+6=0", "x^2 - 5x + 6 = 0");
    check_parses(
        "x={frac}-b{pm}{sqrt}b{sq}-4ac{right}{down}2a",
        "x = (-b ± sqrt(b^2 - 4ac))/(2a)",
    );
    check_parses("2{frac}3{down}4", "2 3/4");
    check_parses("6/{frac}3{down}4", "6/(3/4)");
    check_parses("{frac}1{down}2{right}{sq}", "(1/2)^2");
    check_parses("x=2{or}x=-3", "x = 2 or x = -3");
}

#[test]
fn display_forms() {
    let editor = typed("{frac}x+1{down}2{right}=3");
    assert_eq!(editor.latex().as_deref(), Ok("\\frac{x + 1}{2} = 3"));
    assert!(editor
        .spoken()
        .is_ok_and(|spoken| spoken.contains("equals")));

    let incomplete = typed("{frac}1");
    assert!(incomplete.latex().is_err());
    assert_eq!(
        incomplete.editing_latex("|", "[", "]"),
        "\\frac{1|}{\\square}"
    );

    let editing = typed("x{sq}+{sqrt}");
    assert_eq!(editing.editing_latex("|", "[", "]"), "x^{2}+\\sqrt{|}");
    let selected = typed("2{pi}{sl}");
    assert_eq!(selected.editing_latex("|", "[", "]"), "2|[\\pi ]");
}

#[test]
fn invalid_keys_rejected() {
    let mut editor = Editor::new();
    assert!(matches!(
        editor.press(Key::Digit(10)),
        Err(KeyboardError::InvalidKey { .. })
    ));
    assert!(matches!(
        editor.press(Key::Letter('π')),
        Err(KeyboardError::InvalidKey { .. })
    ));
    assert!(matches!(
        editor.press(Key::Letter('3')),
        Err(KeyboardError::InvalidKey { .. })
    ));
    assert!(editor.is_empty());
}

#[test]
fn line_length_bounded() {
    let mut editor = Editor::new();
    for _ in 0..MAX_NODES {
        editor
            .press(Key::Digit(1))
            .expect("room for one more digit");
    }
    assert_eq!(
        editor.press(Key::Digit(1)),
        Err(KeyboardError::LineFull { max: MAX_NODES })
    );
    assert_eq!(editor.text().len(), MAX_NODES);

    // A failed fraction leaves the selection in place.
    editor
        .press_all(&[Key::SelectLeft, Key::SelectLeft])
        .expect("selecting");
    assert_eq!(
        editor.press(Key::Fraction),
        Err(KeyboardError::LineFull { max: MAX_NODES })
    );
    assert!(editor.has_selection());
    assert_eq!(editor.text().len(), MAX_NODES);
}

#[test]
fn nesting_bounded() {
    let mut editor = Editor::new();
    for _ in 0..MAX_DEPTH {
        editor
            .press(Key::Fraction)
            .expect("room for one more level");
    }
    assert_eq!(
        editor.press(Key::Fraction),
        Err(KeyboardError::TooDeep { max: MAX_DEPTH })
    );
    assert_eq!(
        editor.press(Key::SquareRoot),
        Err(KeyboardError::TooDeep { max: MAX_DEPTH })
    );
    editor.press(Key::Digit(1)).expect("a digit adds no level");
}

/// Random key sequences never break the cursor invariant or panic.
#[test]
fn random_keys_keep_cursor_valid() {
    use proptest::prelude::*;
    let all_keys = keys("0123456789.+-*/()=<>,xy{frac}{pow}{sq}{sqrt}{pm}{pi}{le}{or}{left}{right}{up}{down}{home}{end}{sl}{sr}{all}{bs}{del}{clear}");
    let strategy = proptest::collection::vec(proptest::sample::select(all_keys), 0..60);
    proptest!(|(sequence in strategy)| {
        let mut editor = Editor::new();
        for key in sequence {
            let _ = editor.press(key);
            prop_assert!(editor.offset <= editor.row().len());
            let marked = editor.text_with_cursor();
            prop_assert_eq!(marked.matches('|').count(), 1);
            let _ = editor.latex();
        }
    });
}
