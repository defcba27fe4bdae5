//! Every built-in template's model solution is accepted by the checker,
//! line by line, with a correct final answer, over many seeds.

use stepwise_core::check::{check_working, FinalVerdict, Verdict};
use stepwise_core::generate::{builtin::builtin, generate};

const SEEDS: u64 = 40;

#[test]
fn model_solutions_pass_the_checker() {
    let skills = builtin().expect("built-in content loads");
    let mut failures = Vec::new();
    let mut checked = 0;
    for skill in &skills {
        for template in &skill.templates {
            for seed in 0..SEEDS {
                let question = generate(skill, template.version, seed).expect("generates");
                let mut lines = vec![question.start.as_str()];
                lines.extend(question.solution.iter().map(String::as_str));
                let report = check_working(&question.check_task(), &lines);
                checked += 1;
                let bad_line = report
                    .lines
                    .iter()
                    .skip(1)
                    .find(|l| l.verdict != Verdict::Follows);
                let first_of_template = failures.last().is_none_or(|last: &String| {
                    !last.starts_with(&format!("{}/{}/", skill.id, template.version))
                });
                if (bad_line.is_some() || report.final_answer.verdict != FinalVerdict::Correct)
                    && first_of_template
                {
                    failures.push(format!(
                        "{}: {:?} -> {:?} / {}",
                        question.id,
                        lines,
                        bad_line.map(|l| (&l.input, l.verdict, &l.message)),
                        report.final_answer.message
                    ));
                }
            }
        }
    }
    for failure in failures.iter().take(40) {
        eprintln!("{failure}");
    }
    assert!(
        failures.is_empty(),
        "{} templates have model solutions that were not accepted ({checked} checked)",
        failures.len()
    );
}
