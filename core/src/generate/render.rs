//! Placeholder substitution for a template's `text`, `start`, `answer` and
//! `solution`, with the sign and coefficient rules that keep the maths tidy.
//!
//! A placeholder is `{` [`+`] name [`:` format] [`?`] `}`, where the name is
//! a parameter or a derived value. `{{` and `}}` write literal braces.
//!
//! | placeholder | value 4 | value -4 | value 1 | value -1 | value 3/4 |
//! | --- | --- | --- | --- | --- | --- |
//! | `{a}` | `4` | `-4` | `1` | `-1` | `3/4` |
//! | `{+a}` | ` + 4` | ` - 4` | ` + 1` | ` - 1` | ` + 3/4` |
//! | `{a:coef}` | `4` | `-4` | (empty) | `-` | `(3/4)` |
//! | `{+a:coef}` | ` + 4` | ` - 4` | ` + ` | ` - ` | ` + (3/4)` |
//! | `{a:paren}` | `4` | `(-4)` | `1` | `(-1)` | `(3/4)` |
//!
//! Formats:
//!
//! - `coef`: a coefficient written before a letter, so `{a:coef}x` gives
//!   `x`, `-x` or `3x`. A fraction is bracketed, as in `(3/4)x`.
//! - `paren`: brackets around negative numbers and fractions, for
//!   substituting into a power or a product, as in `3 × {a:paren}^2`.
//! - `dec`: a terminating decimal such as `0.35`. Rendering fails for a
//!   value such as 1/3 whose decimal does not terminate.
//! - `dp=N`: a decimal with exactly `N` places, so 7.1 with `dp=2` is
//!   `7.10`. `N` is a whole number or the name of a value.
//! - `sf=N`: the value written to `N` significant figures, keeping the
//!   zeros that count, so 2.5 with `sf=3` is `2.50` and 39000 stays `39000`.
//!
//! **Signed terms.** A `+` placeholder writes a term with its sign, spaced
//! as ` + 4` or ` - 4`. At the start of the text, after `(` or after a
//! space, there is no operator to join, so it writes `4` or `-4` (and, with
//! `coef`, nothing or `-`).
//!
//! **Optional terms.** With `?`, a zero value writes nothing, and the text
//! after the placeholder up to the next space, `{`, `)`, `,` or the end is
//! dropped with it. So `{a:coef}x^2{+b:coef?}x{+c?}` gives `x^2 + 5` when
//! `b` is 0. Without `?`, zero is written like any other value.

use std::collections::HashMap;

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Signed, Zero};
use thiserror::Error;

use super::eval::{decimal_exponent, decimal_places};

/// A failure to fill in a placeholder.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RenderError {
    #[error(
        "placeholder `{{{0}` has no closing `}}`; close it or write `{{{{` for a literal brace"
    )]
    Unclosed(String),
    #[error(
        "placeholder `{{{0}}}` names no parameter or derived value; define it or fix the spelling"
    )]
    UnknownName(String),
    #[error("placeholder `{{{placeholder}}}` has an invalid format: {reason}")]
    InvalidFormat { placeholder: String, reason: String },
    #[error("placeholder `{{{placeholder}}}` cannot write {value} as a decimal: {reason}")]
    NotDecimal {
        placeholder: String,
        value: BigRational,
        reason: String,
    },
}

/// Values that placeholders may name.
pub type Values = HashMap<String, BigRational>;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Format {
    Plain,
    Coefficient,
    Paren,
    Decimal,
    DecimalPlaces(String),
    SignificantFigures(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Placeholder {
    signed: bool,
    name: String,
    format: Format,
    optional: bool,
}

fn parse_placeholder(spec: &str) -> Result<Placeholder, RenderError> {
    let invalid = |reason: &str| RenderError::InvalidFormat {
        placeholder: spec.to_string(),
        reason: reason.to_string(),
    };
    let (body, optional) = match spec.strip_suffix('?') {
        Some(body) => (body, true),
        None => (spec, false),
    };
    let (body, signed) = match body.strip_prefix('+') {
        Some(body) => (body, true),
        None => (body, false),
    };
    let (name, format) = match body.split_once(':') {
        Some((name, format)) => (name.trim(), format.trim()),
        None => (body.trim(), ""),
    };
    if name.is_empty() || !name.chars().all(|c| c.is_alphanumeric() || c == '_') {
        return Err(invalid("the name must be letters, digits and `_`"));
    }
    let format = match format {
        "" => Format::Plain,
        "coef" => Format::Coefficient,
        "paren" => Format::Paren,
        "dec" => Format::Decimal,
        other => {
            if let Some(digits) = other.strip_prefix("dp=") {
                Format::DecimalPlaces(digits.trim().to_string())
            } else if let Some(digits) = other.strip_prefix("sf=") {
                Format::SignificantFigures(digits.trim().to_string())
            } else {
                return Err(invalid("use coef, paren, dec, dp=N or sf=N"));
            }
        }
    };
    Ok(Placeholder {
        signed,
        name: name.to_string(),
        format,
        optional,
    })
}

/// Lists the names that the placeholders in `template` read, including the
/// names used as digit counts in `dp=` and `sf=`.
pub fn placeholder_names(template: &str) -> Result<Vec<String>, RenderError> {
    let mut names = Vec::new();
    for piece in split(template)? {
        if let Piece::Placeholder(spec) = piece {
            let placeholder = parse_placeholder(&spec)?;
            names.push(placeholder.name);
            if let Format::DecimalPlaces(digits) | Format::SignificantFigures(digits) =
                placeholder.format
            {
                if digits.parse::<i64>().is_err() {
                    names.push(digits);
                }
            }
        }
    }
    Ok(names)
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    Placeholder(String),
}

fn split(template: &str) -> Result<Vec<Piece>, RenderError> {
    let mut pieces = Vec::new();
    let mut text = String::new();
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                text.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                text.push('}');
            }
            '{' => {
                let mut spec = String::new();
                let mut closed = false;
                for inner in chars.by_ref() {
                    if inner == '}' {
                        closed = true;
                        break;
                    }
                    spec.push(inner);
                }
                if !closed {
                    return Err(RenderError::Unclosed(spec));
                }
                if !text.is_empty() {
                    pieces.push(Piece::Text(std::mem::take(&mut text)));
                }
                pieces.push(Piece::Placeholder(spec));
            }
            other => text.push(other),
        }
    }
    if !text.is_empty() {
        pieces.push(Piece::Text(text));
    }
    Ok(pieces)
}

/// Fills in every placeholder of `template` from `values`.
pub fn render(template: &str, values: &Values) -> Result<String, RenderError> {
    let mut output = String::new();
    let mut skip_term = false;
    for piece in split(template)? {
        match piece {
            Piece::Text(text) => {
                let text = if skip_term {
                    skip_term = false;
                    drop_term_body(&text)
                } else {
                    text.as_str()
                };
                output.push_str(text);
            }
            Piece::Placeholder(spec) => {
                skip_term = false;
                let placeholder = parse_placeholder(&spec)?;
                let value = values
                    .get(&placeholder.name)
                    .ok_or_else(|| RenderError::UnknownName(spec.clone()))?;
                if placeholder.optional && value.is_zero() {
                    skip_term = true;
                    continue;
                }
                let rendered = render_one(&placeholder, &spec, value, values, &output)?;
                output.push_str(&rendered);
            }
        }
    }
    Ok(output)
}

/// Removes the letters that belonged to a dropped optional term.
fn drop_term_body(text: &str) -> &str {
    let end = text.find([' ', ')', ',']).unwrap_or(text.len());
    &text[end..]
}

fn render_one(
    placeholder: &Placeholder,
    spec: &str,
    value: &BigRational,
    values: &Values,
    output: &str,
) -> Result<String, RenderError> {
    let joins_previous =
        !(output.is_empty() || output.ends_with('(') || output.ends_with(char::is_whitespace));
    let magnitude = value.abs();
    let negative = value.is_negative();
    let body = match &placeholder.format {
        Format::Plain => plain(if placeholder.signed {
            &magnitude
        } else {
            value
        }),
        Format::Coefficient => {
            let shown = if placeholder.signed {
                &magnitude
            } else {
                value
            };
            coefficient(shown)
        }
        Format::Paren => {
            let text = plain(value);
            if negative || !value.is_integer() {
                format!("({text})")
            } else {
                text
            }
        }
        Format::Decimal => {
            let shown = if placeholder.signed {
                &magnitude
            } else {
                value
            };
            let places = decimal_places(shown).ok_or_else(|| RenderError::NotDecimal {
                placeholder: spec.to_string(),
                value: value.clone(),
                reason: "its decimal does not terminate".into(),
            })?;
            fixed(shown, places)
        }
        Format::DecimalPlaces(digits) => {
            let shown = if placeholder.signed {
                &magnitude
            } else {
                value
            };
            let places = digit_count(digits, values, spec)?;
            let needed = decimal_places(shown).unwrap_or(u32::MAX);
            if needed > places {
                return Err(RenderError::NotDecimal {
                    placeholder: spec.to_string(),
                    value: value.clone(),
                    reason: format!(
                        "it needs more than {places} decimal places; round it first with round_dp"
                    ),
                });
            }
            fixed(shown, places)
        }
        Format::SignificantFigures(digits) => {
            let shown = if placeholder.signed {
                &magnitude
            } else {
                value
            };
            let figures = i64::from(digit_count(digits, values, spec)?);
            let places = if shown.is_zero() {
                figures - 1
            } else {
                figures - 1 - decimal_exponent(shown)
            };
            let places = u32::try_from(places.max(0)).unwrap_or(0);
            if decimal_places(shown).unwrap_or(u32::MAX) > places {
                return Err(RenderError::NotDecimal {
                    placeholder: spec.to_string(),
                    value: value.clone(),
                    reason: format!("it has more than {figures} significant figures; round it first with round_sf"),
                });
            }
            fixed(shown, places)
        }
    };
    if !placeholder.signed {
        return Ok(body);
    }
    let text = match (joins_previous, negative) {
        (true, false) => format!(" + {body}"),
        (true, true) => format!(" - {body}"),
        (false, false) => body,
        (false, true) => format!("-{body}"),
    };
    Ok(text)
}

fn digit_count(digits: &str, values: &Values, spec: &str) -> Result<u32, RenderError> {
    let invalid = |reason: String| RenderError::InvalidFormat {
        placeholder: spec.to_string(),
        reason,
    };
    let value = match digits.parse::<i64>() {
        Ok(number) => BigRational::from_integer(BigInt::from(number)),
        Err(_) => values.get(digits).cloned().ok_or_else(|| {
            invalid(format!(
                "`{digits}` is neither a whole number nor a known name"
            ))
        })?,
    };
    if !value.is_integer()
        || value.is_negative()
        || value > BigRational::from_integer(BigInt::from(30))
    {
        return Err(invalid(format!(
            "digit count {value} must be a whole number from 0 to 30"
        )));
    }
    u32::try_from(value.to_integer())
        .map_err(|_| invalid(format!("digit count {value} is out of range")))
}

/// Writes an integer as `-4` and a fraction as `3/4` or `-3/4`.
pub fn plain(value: &BigRational) -> String {
    if value.is_integer() {
        value.numer().to_string()
    } else {
        format!("{}/{}", value.numer(), value.denom())
    }
}

fn coefficient(value: &BigRational) -> String {
    if value.is_one() {
        String::new()
    } else if *value == -BigRational::one() {
        "-".to_string()
    } else if value.is_integer() {
        plain(value)
    } else if value.is_negative() {
        format!("-({})", plain(&value.abs()))
    } else {
        format!("({})", plain(value))
    }
}

/// Writes a value whose decimal terminates within `places` places, padding
/// with zeros to exactly `places`.
fn fixed(value: &BigRational, places: u32) -> String {
    let scale = num_traits::pow(BigInt::from(10), places as usize);
    let scaled = (value * BigRational::from_integer(scale)).to_integer();
    let negative = scaled.is_negative();
    let digits = scaled.abs().to_string();
    let places = places as usize;
    let digits = if digits.len() <= places {
        format!("{}{digits}", "0".repeat(places + 1 - digits.len()))
    } else {
        digits
    };
    let (whole, fraction) = digits.split_at(digits.len() - places);
    let sign = if negative { "-" } else { "" };
    if places == 0 {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{fraction}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(pairs: &[(&str, i64, i64)]) -> Values {
        pairs
            .iter()
            .map(|(name, numerator, denominator)| {
                (
                    name.to_string(),
                    BigRational::new(BigInt::from(*numerator), BigInt::from(*denominator)),
                )
            })
            .collect()
    }

    fn show(template: &str, pairs: &[(&str, i64, i64)]) -> String {
        render(template, &values(pairs)).expect("template renders")
    }

    #[test]
    fn plain_values() {
        assert_eq!(show("{a}", &[("a", 4, 1)]), "4");
        assert_eq!(show("{a}", &[("a", -4, 1)]), "-4");
        assert_eq!(show("{a}", &[("a", 6, 8)]), "3/4");
        assert_eq!(show("{a}", &[("a", -3, 4)]), "-3/4");
        assert_eq!(show("x = {a}", &[("a", 0, 1)]), "x = 0");
    }

    #[test]
    fn coefficients_hide_one() {
        assert_eq!(show("{a:coef}x", &[("a", 1, 1)]), "x");
        assert_eq!(show("{a:coef}x", &[("a", -1, 1)]), "-x");
        assert_eq!(show("{a:coef}x", &[("a", 3, 1)]), "3x");
        assert_eq!(show("{a:coef}x", &[("a", -3, 1)]), "-3x");
        assert_eq!(show("{a:coef}x", &[("a", 3, 4)]), "(3/4)x");
    }

    #[test]
    fn signed_terms() {
        let cases = [
            ("{a:coef}x{+b}", 2, 4, "2x + 4"),
            ("{a:coef}x{+b}", 2, -4, "2x - 4"),
            ("{a:coef}x{+b:coef}y", 1, 1, "x + y"),
            ("{a:coef}x{+b:coef}y", -1, -1, "-x - y"),
            ("{a:coef}x{+b:coef}y", 5, -3, "5x - 3y"),
            ("{a}{+b}", 7, 0, "7 + 0"),
        ];
        for (template, a, b, expected) in cases {
            assert_eq!(
                show(template, &[("a", a, 1), ("b", b, 1)]),
                expected,
                "{template} with a={a}, b={b}"
            );
        }
    }

    #[test]
    fn signed_term_at_term_start() {
        assert_eq!(show("{+b}", &[("b", -4, 1)]), "-4");
        assert_eq!(show("{+b}", &[("b", 4, 1)]), "4");
        assert_eq!(show("x = {+b}", &[("b", -4, 1)]), "x = -4");
        assert_eq!(
            show("({+b:coef}x{+c})", &[("b", -1, 1), ("c", 2, 1)]),
            "(-x + 2)"
        );
    }

    #[test]
    fn optional_terms_drop_when_zero() {
        let template = "{a:coef}x^2{+b:coef?}x{+c?}";
        let with_b = [("a", 1, 1), ("b", -5, 1), ("c", 6, 1)];
        assert_eq!(show(template, &with_b), "x^2 - 5x + 6");
        let without_b = [("a", 1, 1), ("b", 0, 1), ("c", 6, 1)];
        assert_eq!(show(template, &without_b), "x^2 + 6");
        let without_c = [("a", 2, 1), ("b", 3, 1), ("c", 0, 1)];
        assert_eq!(show(template, &without_c), "2x^2 + 3x");
        let in_brackets = [("a", 1, 1), ("b", 0, 1), ("c", 0, 1)];
        assert_eq!(
            show("({a:coef}x^2{+b:coef?}x) = 0", &in_brackets),
            "(x^2) = 0"
        );
    }

    #[test]
    fn paren_wraps_negatives_and_fractions() {
        assert_eq!(show("3 × {a:paren}^2", &[("a", -2, 1)]), "3 × (-2)^2");
        assert_eq!(show("3 × {a:paren}^2", &[("a", 2, 1)]), "3 × 2^2");
        assert_eq!(show("{a:paren}", &[("a", 1, 2)]), "(1/2)");
    }

    #[test]
    fn decimals() {
        assert_eq!(show("{a:dec}", &[("a", 7, 20)]), "0.35");
        assert_eq!(show("{a:dec}", &[("a", -407, 100_000)]), "-0.00407");
        assert_eq!(show("{a:dec}", &[("a", 12, 1)]), "12");
        assert_eq!(show("{a:dp=2}", &[("a", 71, 10)]), "7.10");
        assert_eq!(show("{a:dp=d}", &[("a", 3, 1), ("d", 1, 1)]), "3.0");
        assert_eq!(show("{+a:dec}", &[("a", -5, 2)]), "-2.5");
        assert_eq!(show("1{+a:dec}", &[("a", -5, 2)]), "1 - 2.5");
    }

    #[test]
    fn significant_figures_keep_zeros() {
        assert_eq!(show("{a:sf=3}", &[("a", 5, 2)]), "2.50");
        assert_eq!(show("{a:sf=2}", &[("a", 39_000, 1)]), "39000");
        assert_eq!(show("{a:sf=3}", &[("a", 407, 100_000)]), "0.00407");
        assert_eq!(show("{a:sf=2}", &[("a", 10, 1)]), "10");
        assert_eq!(show("{a:sf=3}", &[("a", 4, 100)]), "0.0400");
    }

    #[test]
    fn decimal_errors() {
        let third = values(&[("a", 1, 3)]);
        assert!(matches!(
            render("{a:dec}", &third),
            Err(RenderError::NotDecimal { .. })
        ));
        let long = values(&[("a", 7_0963, 10_000)]);
        assert!(matches!(
            render("{a:dp=2}", &long),
            Err(RenderError::NotDecimal { .. })
        ));
        assert!(matches!(
            render("{a:sf=2}", &long),
            Err(RenderError::NotDecimal { .. })
        ));
    }

    #[test]
    fn template_errors() {
        let one = values(&[("a", 1, 1)]);
        assert!(matches!(render("{a", &one), Err(RenderError::Unclosed(_))));
        assert!(matches!(
            render("{b}", &one),
            Err(RenderError::UnknownName(_))
        ));
        assert!(matches!(
            render("{a:bold}", &one),
            Err(RenderError::InvalidFormat { .. })
        ));
        assert!(matches!(
            render("{a:dp=q}", &one),
            Err(RenderError::InvalidFormat { .. })
        ));
        assert_eq!(render("{{a}}", &one), Ok("{a}".to_string()));
    }

    #[test]
    fn placeholder_names_include_digit_names() {
        let names = placeholder_names("{a:coef}x{+b} to {r:dp=d}{{no}}").expect("valid template");
        assert_eq!(names, vec!["a", "b", "r", "d"]);
    }
}
