//! Per-skill progress of a profile, and the "what next" choice.
//!
//! Mastery estimate: an exponentially weighted success rate over the
//! skill's finished attempts, newest weighing most. An attempt scores 1
//! when it ends correct and 0 when it is skipped or submitted wrong; an
//! abandoned attempt (left and not resumed) adds time but no score. With
//! scores `s_1 … s_n`, newest last, the estimate is
//! `Σ DECAY^(n-i) s_i / Σ DECAY^(n-i)`, kept as a running `mastery` and
//! `weight` (the denominator), so one attempt counts fully at first and
//! about the last `1 / (1 - DECAY)` attempts dominate later. `attempts`
//! says how much evidence there is.
//!
//! Streak: correct attempts in a row on the skill (a wrong or skipped one
//! resets it), and the best streak so far. Time spent: the sum over
//! attempts of finish minus start, each capped at [`MAX_ATTEMPT_MS`] so that
//! a question left open overnight does not count as hours of work.
//!
//! Spaced review: after a correct attempt the skill is due again after
//! `REVIEW_BASE_MS × 2^(streak - 1)` (1, 2, 4 … up to 64 days); after a
//! wrong one, after [`RETRY_MS`].
//!
//! [`next`] mixes three kinds of work: open assignments' skills with
//! questions still to do (earliest due date first), weak skills (mastery
//! under [`WEAK_BELOW`], weakest first) and skills due for review (most
//! overdue first), then skills never tried, taken from the caller's list.

use rusqlite::{params, Connection, OptionalExtension, Transaction};

use super::attempts::AttemptStatus;
use super::{assignments, ProfileId, StoreError};

/// How much each older attempt counts relative to the next newer one.
pub const DECAY: f64 = 0.7;
/// Skills with a mastery estimate under this are weak.
pub const WEAK_BELOW: f64 = 0.7;
/// Maximum time one attempt adds to time spent: 30 minutes.
pub const MAX_ATTEMPT_MS: i64 = 30 * 60 * 1000;
/// The review interval after one correct attempt: one day.
pub const REVIEW_BASE_MS: i64 = 24 * 60 * 60 * 1000;
/// Delay before a skill with a wrong attempt is due for review: 10 minutes.
pub const RETRY_MS: i64 = 10 * 60 * 1000;
/// The review interval stops doubling after this streak (64 days).
const MAX_DOUBLINGS: u32 = 6;

/// A profile's progress on one skill.
#[derive(Debug, Clone, PartialEq)]
pub struct SkillProgress {
    pub skill_id: String,
    /// Estimated chance of a correct answer, 0 to 1.
    pub mastery: f64,
    /// Attempts that counted toward the estimate.
    pub attempts: u32,
    pub correct: u32,
    /// Correct attempts in a row, ending with the latest.
    pub streak: u32,
    pub best_streak: u32,
    pub time_spent_ms: i64,
    pub last_practised_ms: i64,
    pub review_due_ms: i64,
}

/// The reason a skill is suggested.
#[derive(Debug, Clone, PartialEq)]
pub enum NextReason {
    /// Set by a teacher; `remaining` questions still to answer correctly.
    Assignment {
        assignment_id: String,
        title: String,
        due_ms: Option<i64>,
        remaining: u32,
    },
    Weak {
        mastery: f64,
    },
    Review {
        due_ms: i64,
    },
    New,
}

/// One suggestion of what to practise next.
#[derive(Debug, Clone, PartialEq)]
pub struct NextItem {
    pub skill_id: String,
    pub reason: NextReason,
}

/// Updates the skill's progress with a finished attempt.
pub fn record(
    tx: &Transaction,
    profile: ProfileId,
    skill_id: &str,
    status: AttemptStatus,
    spent_ms: i64,
    finished_at_ms: i64,
) -> Result<(), StoreError> {
    let current = get(tx, profile, skill_id)?;
    let (mut mastery, mut weight, mut stats) = match &current {
        Some((progress, weight)) => (progress.mastery, *weight, progress.clone()),
        None => (0.0, 0.0, empty(skill_id, finished_at_ms)),
    };
    stats.time_spent_ms += spent_ms.clamp(0, MAX_ATTEMPT_MS);
    stats.last_practised_ms = finished_at_ms;

    let score = match status {
        AttemptStatus::Correct => Some(1.0),
        AttemptStatus::Skipped => Some(0.0),
        AttemptStatus::Abandoned | AttemptStatus::InProgress => None,
    };
    if let Some(score) = score {
        let new_weight = DECAY * weight + 1.0;
        mastery = (DECAY * weight * mastery + score) / new_weight;
        weight = new_weight;
        stats.attempts += 1;
        if score > 0.5 {
            stats.correct += 1;
            stats.streak += 1;
            stats.best_streak = stats.best_streak.max(stats.streak);
            let doublings = (stats.streak - 1).min(MAX_DOUBLINGS);
            stats.review_due_ms = finished_at_ms + REVIEW_BASE_MS * (1 << doublings);
        } else {
            stats.streak = 0;
            stats.review_due_ms = finished_at_ms + RETRY_MS;
        }
    }

    tx.execute(
        "INSERT INTO skill_progress
            (profile_id, skill_id, mastery, weight, attempts, correct, streak, best_streak,
             time_spent_ms, last_practised_ms, review_due_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
         ON CONFLICT (profile_id, skill_id) DO UPDATE SET
            mastery = excluded.mastery, weight = excluded.weight,
            attempts = excluded.attempts, correct = excluded.correct,
            streak = excluded.streak, best_streak = excluded.best_streak,
            time_spent_ms = excluded.time_spent_ms,
            last_practised_ms = excluded.last_practised_ms,
            review_due_ms = excluded.review_due_ms",
        params![
            profile.0,
            skill_id,
            mastery,
            weight,
            stats.attempts,
            stats.correct,
            stats.streak,
            stats.best_streak,
            stats.time_spent_ms,
            stats.last_practised_ms,
            stats.review_due_ms
        ],
    )?;
    Ok(())
}

fn empty(skill_id: &str, now_ms: i64) -> SkillProgress {
    SkillProgress {
        skill_id: skill_id.to_string(),
        mastery: 0.0,
        attempts: 0,
        correct: 0,
        streak: 0,
        best_streak: 0,
        time_spent_ms: 0,
        last_practised_ms: now_ms,
        review_due_ms: now_ms,
    }
}

const PROGRESS_SELECT: &str = "SELECT skill_id, mastery, attempts, correct, streak, best_streak,
        time_spent_ms, last_practised_ms, review_due_ms, weight
    FROM skill_progress";

fn progress_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<(SkillProgress, f64)> {
    Ok((
        SkillProgress {
            skill_id: row.get(0)?,
            mastery: row.get(1)?,
            attempts: row.get(2)?,
            correct: row.get(3)?,
            streak: row.get(4)?,
            best_streak: row.get(5)?,
            time_spent_ms: row.get(6)?,
            last_practised_ms: row.get(7)?,
            review_due_ms: row.get(8)?,
        },
        row.get(9)?,
    ))
}

fn get(
    conn: &Connection,
    profile: ProfileId,
    skill_id: &str,
) -> Result<Option<(SkillProgress, f64)>, StoreError> {
    let sql = format!("{PROGRESS_SELECT} WHERE profile_id = ?1 AND skill_id = ?2");
    Ok(conn
        .query_row(&sql, params![profile.0, skill_id], progress_row)
        .optional()?)
}

/// Lists the progress of `profile` on every skill it has tried, by skill id.
pub fn list(conn: &Connection, profile: ProfileId) -> Result<Vec<SkillProgress>, StoreError> {
    let sql = format!("{PROGRESS_SELECT} WHERE profile_id = ?1 ORDER BY skill_id");
    let mut statement = conn.prepare_cached(&sql)?;
    let rows = statement.query_map([profile.0], progress_row)?;
    let mut list = Vec::new();
    for row in rows {
        list.push(row?.0);
    }
    Ok(list)
}

/// Chooses up to `limit` skills for `profile` to practise next at `now_ms`,
/// each skill once. `known_skills` lists the skills available, in the order
/// new ones should be offered.
///
/// Assignment work takes up to half the places first. Then weak, review and
/// new skills take turns, and places left over go to whatever kind has more.
pub fn next(
    conn: &Connection,
    profile: ProfileId,
    now_ms: i64,
    known_skills: &[&str],
    limit: usize,
) -> Result<Vec<NextItem>, StoreError> {
    let mut assignment_work = assignments::remaining_work(conn, profile)?.into_iter();
    let progress = list(conn, profile)?;

    let mut weak: Vec<&SkillProgress> =
        progress.iter().filter(|p| p.mastery < WEAK_BELOW).collect();
    weak.sort_by(|a, b| a.mastery.total_cmp(&b.mastery));
    let mut review: Vec<&SkillProgress> = progress
        .iter()
        .filter(|p| p.mastery >= WEAK_BELOW && p.review_due_ms <= now_ms)
        .collect();
    review.sort_by_key(|p| p.review_due_ms);
    let tried: std::collections::HashSet<&str> =
        progress.iter().map(|p| p.skill_id.as_str()).collect();

    let mut weak = weak.into_iter().map(|p| NextItem {
        skill_id: p.skill_id.clone(),
        reason: NextReason::Weak { mastery: p.mastery },
    });
    let mut review = review.into_iter().map(|p| NextItem {
        skill_id: p.skill_id.clone(),
        reason: NextReason::Review {
            due_ms: p.review_due_ms,
        },
    });
    let mut new = known_skills
        .iter()
        .filter(|id| !tried.contains(**id))
        .map(|id| NextItem {
            skill_id: (*id).to_string(),
            reason: NextReason::New,
        });

    let mut chosen: Vec<NextItem> = Vec::new();
    let take = |item: NextItem, chosen: &mut Vec<NextItem>| {
        if chosen.len() < limit && !chosen.iter().any(|c| c.skill_id == item.skill_id) {
            chosen.push(item);
        }
    };
    let assignment_places = limit.div_ceil(2);
    while chosen.len() < assignment_places {
        let Some(item) = assignment_work.next() else {
            break;
        };
        take(item, &mut chosen);
    }
    loop {
        let before = chosen.len();
        let mut exhausted = true;
        for source in [
            &mut weak as &mut dyn Iterator<Item = NextItem>,
            &mut review,
            &mut new,
        ] {
            if let Some(item) = source.next() {
                exhausted = false;
                take(item, &mut chosen);
            }
        }
        if chosen.len() >= limit || (exhausted && chosen.len() == before) {
            break;
        }
    }
    for item in assignment_work {
        take(item, &mut chosen);
    }
    Ok(chosen)
}
