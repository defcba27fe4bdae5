//! The order in which a new learner meets the skills: every skill after its
//! prerequisites, and earlier stages before later ones.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use super::template::{Skill, Tier};

/// Returns the ids of `skills` so that each comes after the prerequisites
/// that are among them. Among the skills that are ready at a point, the
/// earliest tier comes first, then the skill's position in `skills`.
/// Prerequisites outside `skills` are ignored. Skills caught in a cycle of
/// prerequisites are not dropped: they follow the rest, in tier order.
pub fn learning_order(skills: &[Skill]) -> Vec<&str> {
    let position: HashMap<&str, usize> = skills
        .iter()
        .enumerate()
        .map(|(index, skill)| (skill.id.as_str(), index))
        .collect();
    let mut waiting_on = vec![0usize; skills.len()];
    let mut unlocks: Vec<Vec<usize>> = vec![Vec::new(); skills.len()];
    for (index, skill) in skills.iter().enumerate() {
        for prerequisite in &skill.prerequisites {
            if let Some(&before) = position.get(prerequisite.as_str()) {
                if before != index {
                    waiting_on[index] += 1;
                    unlocks[before].push(index);
                }
            }
        }
    }

    let key = |index: usize| Reverse((skills[index].tier, index));
    let mut ready: BinaryHeap<Reverse<(Tier, usize)>> = (0..skills.len())
        .filter(|&index| waiting_on[index] == 0)
        .map(key)
        .collect();
    let mut placed = vec![false; skills.len()];
    let mut order = Vec::with_capacity(skills.len());
    while let Some(Reverse((_, index))) = ready.pop() {
        placed[index] = true;
        order.push(skills[index].id.as_str());
        for &next in &unlocks[index] {
            waiting_on[next] -= 1;
            if waiting_on[next] == 0 {
                ready.push(key(next));
            }
        }
    }

    let mut stuck: Vec<usize> = (0..skills.len()).filter(|&i| !placed[i]).collect();
    stuck.sort_by_key(|&index| (skills[index].tier, index));
    order.extend(stuck.into_iter().map(|index| skills[index].id.as_str()));
    order
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::builtin::builtin;

    fn skill(id: &str, tier: Tier, prerequisites: &[&str]) -> Skill {
        let mut skill = builtin().expect("built-in skills").remove(0);
        skill.id = id.to_string();
        skill.tier = tier;
        skill.prerequisites = prerequisites.iter().map(|p| p.to_string()).collect();
        skill
    }

    #[test]
    fn prerequisites_come_first() {
        let skills = vec![
            skill("late", Tier::KeyStage3, &["middle"]),
            skill("middle", Tier::KeyStage3, &["early"]),
            skill("early", Tier::Higher, &[]),
        ];
        assert_eq!(learning_order(&skills), ["early", "middle", "late"]);
    }

    #[test]
    fn earlier_tier_first_when_ready() {
        let skills = vec![
            skill("a-level", Tier::ALevel, &[]),
            skill("higher", Tier::Higher, &[]),
            skill("ks3", Tier::KeyStage3, &[]),
        ];
        assert_eq!(learning_order(&skills), ["ks3", "higher", "a-level"]);
    }

    #[test]
    fn cycle_and_unknown_prerequisite_kept() {
        let skills = vec![
            skill("one", Tier::Foundation, &["two"]),
            skill("two", Tier::KeyStage3, &["one"]),
            skill("free", Tier::Higher, &["not-a-skill"]),
        ];
        assert_eq!(learning_order(&skills), ["free", "two", "one"]);
    }

    #[test]
    fn builtin_order_respects_prerequisites() {
        let skills = builtin().expect("built-in skills");
        let order = learning_order(&skills);
        assert_eq!(order.len(), skills.len());
        let place: HashMap<&str, usize> =
            order.iter().enumerate().map(|(i, id)| (*id, i)).collect();
        for skill in &skills {
            for prerequisite in &skill.prerequisites {
                if let Some(&before) = place.get(prerequisite.as_str()) {
                    assert!(
                        before < place[skill.id.as_str()],
                        "{} comes before its prerequisite {prerequisite}",
                        skill.id
                    );
                }
            }
        }
    }
}
