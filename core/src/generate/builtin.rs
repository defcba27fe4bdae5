//! The skills compiled into the binary, so that the apps and the CLI can
//! generate questions on first launch with no network.
//!
//! Every file under `content/skills/` must be listed in [`SOURCES`]; a test
//! fails when one is missing. Each file's path must be
//! `<strand>/<id>.toml`, matching the skill's own `strand` and `id`.

use super::{GenerateError, Skill};

/// Each built-in skill file's path under `content/skills/` and its text.
pub const SOURCES: &[(&str, &str)] = &[
    (
        "algebra/alg.brackets.expand-double.toml",
        include_str!("../../../content/skills/algebra/alg.brackets.expand-double.toml"),
    ),
    (
        "algebra/alg.brackets.expand-single.toml",
        include_str!("../../../content/skills/algebra/alg.brackets.expand-single.toml"),
    ),
    (
        "algebra/alg.expr.collect-like-terms.toml",
        include_str!("../../../content/skills/algebra/alg.expr.collect-like-terms.toml"),
    ),
    (
        "algebra/alg.expr.index-laws.toml",
        include_str!("../../../content/skills/algebra/alg.expr.index-laws.toml"),
    ),
    (
        "algebra/alg.expr.substitute.toml",
        include_str!("../../../content/skills/algebra/alg.expr.substitute.toml"),
    ),
    (
        "algebra/alg.factorise.common-factor.toml",
        include_str!("../../../content/skills/algebra/alg.factorise.common-factor.toml"),
    ),
    (
        "algebra/alg.factorise.monic-quadratic.toml",
        include_str!("../../../content/skills/algebra/alg.factorise.monic-quadratic.toml"),
    ),
    (
        "algebra/alg.formula.rearrange-linear.toml",
        include_str!("../../../content/skills/algebra/alg.formula.rearrange-linear.toml"),
    ),
    (
        "algebra/alg.ineq.solve-linear.toml",
        include_str!("../../../content/skills/algebra/alg.ineq.solve-linear.toml"),
    ),
    (
        "algebra/alg.linear.solve-both-sides.toml",
        include_str!("../../../content/skills/algebra/alg.linear.solve-both-sides.toml"),
    ),
    (
        "algebra/alg.linear.solve-brackets.toml",
        include_str!("../../../content/skills/algebra/alg.linear.solve-brackets.toml"),
    ),
    (
        "algebra/alg.linear.solve-one-step.toml",
        include_str!("../../../content/skills/algebra/alg.linear.solve-one-step.toml"),
    ),
    (
        "algebra/alg.linear.solve-two-step.toml",
        include_str!("../../../content/skills/algebra/alg.linear.solve-two-step.toml"),
    ),
    (
        "algebra/alg.quad.solve-factorise.toml",
        include_str!("../../../content/skills/algebra/alg.quad.solve-factorise.toml"),
    ),
    (
        "algebra/alg.sim.elimination.toml",
        include_str!("../../../content/skills/algebra/alg.sim.elimination.toml"),
    ),
    (
        "number/num.acc.round-dp.toml",
        include_str!("../../../content/skills/number/num.acc.round-dp.toml"),
    ),
    (
        "number/num.acc.round-sf.toml",
        include_str!("../../../content/skills/number/num.acc.round-sf.toml"),
    ),
    (
        "number/num.frac.add-subtract.toml",
        include_str!("../../../content/skills/number/num.frac.add-subtract.toml"),
    ),
    (
        "number/num.frac.multiply.toml",
        include_str!("../../../content/skills/number/num.frac.multiply.toml"),
    ),
    (
        "number/num.frac.of-amount.toml",
        include_str!("../../../content/skills/number/num.frac.of-amount.toml"),
    ),
    (
        "number/num.pow.index-laws.toml",
        include_str!("../../../content/skills/number/num.pow.index-laws.toml"),
    ),
    (
        "number/num.sf.convert.toml",
        include_str!("../../../content/skills/number/num.sf.convert.toml"),
    ),
    (
        "number/num.surd.simplify.toml",
        include_str!("../../../content/skills/number/num.surd.simplify.toml"),
    ),
    (
        "ratio/rat.pct.of-amount.toml",
        include_str!("../../../content/skills/ratio/rat.pct.of-amount.toml"),
    ),
];

/// Loads and checks every built-in skill, in [`SOURCES`] order.
pub fn builtin() -> Result<Vec<Skill>, GenerateError> {
    SOURCES
        .iter()
        .map(|(path, source)| {
            let skill = Skill::from_toml(path, source)?;
            let expected = format!("{}/{}.toml", skill.strand, skill.id);
            if *path != expected {
                return Err(GenerateError::InvalidSkill {
                    file: path.to_string(),
                    reason: format!("the file should be at content/skills/{expected} to match its id and strand"),
                });
            }
            Ok(skill)
        })
        .collect()
}
