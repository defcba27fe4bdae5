//! Property tests of the engine: rewriting an expression into its expanded
//! or factorised form keeps it equivalent, and nudging one constant breaks
//! the equivalence, including nudges too small for floating point to see.

use proptest::prelude::*;
use stepwise_core::check::{check_working, Task, TaskKind, Verdict};
use stepwise_core::maths::equiv::canonical;
use stepwise_core::maths::pretty::frac_text;
use stepwise_core::maths::{equivalent, parse, Limits, Statement};

fn linear_factor() -> impl Strategy<Value = (i64, i64)> {
    (prop_oneof![1i64..=5, -5i64..=-1], -9i64..=9)
}

fn factor_text((a, b): (i64, i64)) -> String {
    let front = match a {
        1 => String::new(),
        -1 => "-".into(),
        _ => a.to_string(),
    };
    match b {
        0 => format!("({front}x)"),
        b if b > 0 => format!("({front}x + {b})"),
        b => format!("({front}x - {})", -b),
    }
}

/// Random expressions over x and y with +, −, × and small powers.
fn expression() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        (-9i64..=9).prop_map(|n| if n < 0 {
            format!("({n})")
        } else {
            n.to_string()
        }),
        Just("x".to_string()),
        Just("y".to_string()),
    ];
    leaf.prop_recursive(4, 24, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} + {b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} - {b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a}*{b}")),
            (inner, 2u32..=3).prop_map(|(a, n)| format!("({a})^{n}")),
        ]
    })
}

fn expanded(text: &str) -> String {
    let Statement::Expr(expr) = parse(text).expect("parses").statement else {
        panic!("not an expression: {text}")
    };
    frac_text(&canonical(&expr, &Limits::default()).expect("normalises"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn factorised_and_expanded_forms_agree(factors in prop::collection::vec(linear_factor(), 1..4)) {
        let factorised: String = factors.iter().copied().map(factor_text).collect();
        let expansion = expanded(&factorised);
        prop_assert!(equivalent(&factorised, &expansion).expect("compares"), "{factorised} vs {expansion}");
    }

    #[test]
    fn perturbed_constant_is_not_equivalent(factors in prop::collection::vec(linear_factor(), 1..4), nudge in prop_oneof![1i64..=9, -9i64..=-1]) {
        let factorised: String = factors.iter().copied().map(factor_text).collect();
        let nudged = format!("{} + {nudge}", expanded(&factorised));
        prop_assert!(!equivalent(&factorised, &nudged).expect("compares"), "{factorised} vs {nudged}");
    }

    #[test]
    fn tiny_nudge_is_not_equivalent(text in expression(), exponent in 4u32..=12) {
        let nudged = format!("{text} + 10^(-{exponent})");
        prop_assert!(!equivalent(&text, &nudged).expect("compares"), "{text} vs {nudged}");
    }

    #[test]
    fn expression_equals_its_normal_form(text in expression()) {
        let expansion = expanded(&text);
        prop_assert!(equivalent(&text, &expansion).expect("compares"), "{text} vs {expansion}");
    }

    #[test]
    fn roots_solve_the_factorised_equation(r1 in -9i64..=9, r2 in -9i64..=9) {
        let equation = format!("{}{} = 0", factor_text((1, -r1)), factor_text((1, -r2)));
        let answer = format!("x = {r1} or x = {r2}");
        prop_assert!(equivalent(&equation, &answer).expect("compares"), "{equation} vs {answer}");
        let wrong = format!("x = {} or x = {r2}", r1 + 1);
        prop_assert!(!equivalent(&equation, &wrong).expect("compares"), "{equation} vs {wrong}");
    }

    #[test]
    fn expanding_working_is_accepted(factors in prop::collection::vec(linear_factor(), 2..3)) {
        let factorised: String = factors.iter().copied().map(factor_text).collect();
        let expansion = expanded(&factorised);
        let report = check_working(&Task::new(TaskKind::Expand), &[&factorised, &expansion]);
        prop_assert_eq!(report.lines[1].verdict, Verdict::Follows, "{:?}", report);
    }
}

#[test]
fn high_power_is_not_zero() {
    assert!(!equivalent("t^60", "0").expect("compares"));
    assert!(!equivalent("y^2 + 0.0001", "y^2").expect("compares"));
    assert!(equivalent("(x + 1)^100 - (x + 1)^100", "0").expect("compares"));
}
