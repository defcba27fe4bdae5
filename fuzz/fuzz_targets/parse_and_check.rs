//! Feeds arbitrary UTF-8 to the parser and to the working checker. Any panic,
//! hang past libFuzzer's timeout, or sanitizer report is a bug: hostile
//! input must get an error or a verdict.

#![no_main]

use libfuzzer_sys::fuzz_target;
use stepwise_core::check::{check_working, Rounding, Task, TaskKind};
use stepwise_core::maths::parse;

/// Lines given to the checker at most, so each run stays fast.
const MAX_LINES: usize = 8;

const KINDS: [TaskKind; 6] = TaskKind::ALL;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = parse(text);

    let lines: Vec<&str> = text.lines().take(MAX_LINES).collect();
    if lines.is_empty() {
        return;
    }
    // The first byte picks the task kind, the rounding and the unknowns
    // independently (6 × 3 × 2 combinations), so the corpus reaches them all.
    let selector = usize::from(data[0]);
    let kind = KINDS[selector % KINDS.len()];
    let rounding = match (selector / KINDS.len()) % 3 {
        0 => None,
        1 => Some(Rounding::DecimalPlaces(2)),
        _ => Some(Rounding::SignificantFigures(3)),
    };
    let unknowns = if (selector / (KINDS.len() * 3)) % 2 == 0 {
        Vec::new()
    } else {
        vec!["x".to_string()]
    };
    let task = Task {
        kind,
        unknowns,
        rounding,
        form: None,
    };
    let _ = check_working(&task, &lines);
});
