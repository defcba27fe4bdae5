//! The device store against real SQLite files in temporary folders.

use rusqlite::Connection;
use stepwise_core::check::{FinalVerdict, LineReport, Verdict};
use stepwise_core::store::attempts::{self, AttemptStatus, NewAttempt, StoredLine};
use stepwise_core::store::drafts::{self, PendingInput};
use stepwise_core::store::progress::{self, NextReason};
use stepwise_core::store::sync_state::AccountKey;
use stepwise_core::store::{
    assignments, migrations, outbox, profiles, sync_state, ProfileId, Store, StoreError,
    DATABASE_FILE,
};
use stepwise_core::sync::protocol::{Assignment, Comment, EventKind, PullResponse};

const T0: i64 = 1_700_000_000_000;
const MINUTE: i64 = 60_000;

fn question(skill: &str, seed: u64, at: i64) -> NewAttempt {
    NewAttempt {
        question_id: format!("{skill}/1/{seed}"),
        skill_id: skill.to_string(),
        question_text: format!("question {seed}"),
        start_line: "2x + 3 = 11".to_string(),
        started_at_ms: at,
        assignment_id: None,
    }
}

fn line(input: &str, verdict: Verdict, at: i64) -> StoredLine {
    StoredLine {
        report: LineReport {
            input: input.to_string(),
            verdict,
            diagnosis: None,
            message: String::new(),
            ecf: false,
        },
        typed_at_ms: at,
    }
}

fn add_profile(store: &mut Store, name: &str, pin: Option<&str>) -> ProfileId {
    let tx = store.transaction().expect("transaction");
    let id = profiles::add(&tx, name, pin, T0).expect("add profile");
    tx.commit().expect("commit");
    id
}

/// Records a whole attempt: correct when `correct`, else skipped as incorrect.
fn record(store: &mut Store, profile: ProfileId, skill: &str, seed: u64, correct: bool, at: i64) {
    let (status, verdict) = if correct {
        (AttemptStatus::Correct, FinalVerdict::Correct)
    } else {
        (AttemptStatus::Skipped, FinalVerdict::Incorrect)
    };
    let tx = store.transaction().expect("transaction");
    attempts::record_complete(
        &tx,
        profile,
        &question(skill, seed, at),
        &[line("x = 4", Verdict::Follows, at + MINUTE)],
        status,
        Some(verdict),
        at + MINUTE,
    )
    .expect("record attempt");
    tx.commit().expect("commit");
}

#[test]
fn open_uses_wal_and_latest_schema() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let store = Store::open(dir.path()).expect("open");
    let mode: String = store
        .connection()
        .query_row("PRAGMA journal_mode", [], |row| row.get(0))
        .expect("journal mode");
    assert_eq!(mode, "wal");
    assert_eq!(
        migrations::version(store.connection()).expect("version"),
        migrations::LATEST
    );
    drop(store);
    Store::open(dir.path()).expect("reopen applies nothing twice");
}

#[test]
fn migration_from_v1_keeps_everything() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let path = dir.path().join(DATABASE_FILE);
    let fixture = include_str!("fixtures/schema_v1.sql");
    Connection::open(&path)
        .expect("raw open")
        .execute_batch(fixture)
        .expect("load the version 1 fixture");

    let store = Store::open(dir.path()).expect("open upgrades");
    let conn = store.connection();
    assert_eq!(
        migrations::version(conn).expect("version"),
        migrations::LATEST
    );

    let list = profiles::list(conn).expect("profiles");
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].name, "default");
    let profile = list[0].id;

    let recent = attempts::recent(conn, profile, 10).expect("attempts");
    assert_eq!(recent.len(), 3);
    for summary in &recent {
        let parsed = uuid::Uuid::parse_str(&summary.uuid).expect("a UUID");
        assert_eq!(parsed.get_version_num(), 7);
    }
    assert_ne!(recent[0].uuid, recent[1].uuid);

    let draft = drafts::load(conn, profile)
        .expect("load draft")
        .expect("the draft");
    assert_eq!(draft.attempt.question_id, "num.fractions/1/2");
    assert_eq!(draft.hint_level, 1);
    assert_eq!(draft.lines.len(), 1);
    assert_eq!(draft.lines[0].report.input, "3/6 + 2/6");

    let skipped = recent
        .iter()
        .find(|a| a.attempt.question_id == "alg.linear/1/8")
        .expect("attempt 2");
    let lines = attempts::lines(conn, profile, skipped.id).expect("lines");
    assert_eq!(
        lines[0].report.diagnosis.as_deref(),
        Some("sign-error-moving-term")
    );
    assert_eq!(skipped.final_verdict, Some(FinalVerdict::Incorrect));

    let progress = progress::list(conn, profile).expect("progress");
    assert_eq!(progress.len(), 1, "only finished attempts count");
    assert_eq!(progress[0].attempts, 2);
    assert_eq!(progress[0].correct, 1);

    // Events for every attempt: starts 3, lines 4, finishes 2.
    let pending = outbox::pending(conn, profile, 100).expect("outbox");
    assert_eq!(pending.len(), 9);
    let finishes = pending
        .iter()
        .filter(|(_, e)| matches!(e.kind, EventKind::AttemptFinished { .. }))
        .count();
    assert_eq!(finishes, 2);

    // Version 4 starts with no sync state: the first sync pulls from 0.
    let account = AccountKey {
        server: "http://127.0.0.1:1",
        user_id: "u1",
    };
    assert_eq!(
        sync_state::mark(conn, profile, account).expect("mark"),
        None
    );
    assert!(sync_state::comments(conn, profile)
        .expect("comments")
        .is_empty());
}

#[test]
fn migration_from_empty_v1_makes_no_profile() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let conn = Connection::open(dir.path().join(DATABASE_FILE)).expect("raw open");
    conn.execute_batch(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY);
         INSERT INTO schema_migrations VALUES (1);",
    )
    .expect("version table");
    conn.execute_batch(migrations::V1)
        .expect("version 1 schema");
    drop(conn);
    let store = Store::open(dir.path()).expect("open upgrades");
    assert!(profiles::list(store.connection())
        .expect("profiles")
        .is_empty());
}

#[test]
fn newer_schema_rejected() {
    let dir = tempfile::tempdir().expect("temporary folder");
    drop(Store::open(dir.path()).expect("open"));
    let conn = Connection::open(dir.path().join(DATABASE_FILE)).expect("raw open");
    conn.execute("INSERT INTO schema_migrations (version) VALUES (99)", [])
        .expect("insert");
    drop(conn);
    let result = Store::open(dir.path());
    assert!(matches!(
        result,
        Err(StoreError::NewerSchema { found: 99, .. })
    ));
}

#[test]
fn unwritable_folder_rejected() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let file = dir.path().join("a-file");
    std::fs::write(&file, b"").expect("write");
    let result = Store::open(&file.join("data"));
    assert!(matches!(result, Err(StoreError::CreateDir { .. })));
}

#[test]
fn damaged_file_named_as_damaged() {
    let dir = tempfile::tempdir().expect("temporary folder");
    std::fs::write(dir.path().join(DATABASE_FILE), [0x5a_u8; 4096]).expect("write");
    let error = Store::open(dir.path())
        .err()
        .expect("a damaged file must not open");
    assert!(matches!(error, StoreError::Damaged { .. }), "{error:?}");
    assert!(error.to_string().contains("move the file aside"), "{error}");
}

#[test]
fn profiles_see_only_their_own_work() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let mut store = Store::open(dir.path()).expect("open");
    let ann = add_profile(&mut store, "Ann", None);
    let ben = add_profile(&mut store, "Ben", None);

    record(&mut store, ann, "alg.linear", 1, true, T0);
    let tx = store.transaction().expect("transaction");
    let ann_draft = attempts::start(&tx, ann, &question("num.fractions", 2, T0)).expect("start");
    let assignment = Assignment {
        id: "hw1".into(),
        title: "Homework".into(),
        skills: vec!["alg.linear".into()],
        questions: 2,
        videos: vec!["v1".into()],
        due_ms: Some(T0 + 86_400_000),
        cancelled: false,
    };
    assignments::receive(&tx, ann, &assignment, T0).expect("assignment");
    tx.commit().expect("commit");

    let conn = store.connection();
    assert!(attempts::recent(conn, ben, 10).expect("recent").is_empty());
    assert!(drafts::load(conn, ben).expect("draft").is_none());
    assert!(progress::list(conn, ben).expect("progress").is_empty());
    assert!(outbox::pending(conn, ben, 10).expect("outbox").is_empty());
    assert!(assignments::list(conn, ben)
        .expect("assignments")
        .is_empty());
    assert!(assignments::open_videos(conn, ben)
        .expect("videos")
        .is_empty());
    assert!(matches!(
        attempts::load(conn, ben, ann_draft),
        Err(StoreError::AttemptNotFound(_))
    ));
    assert!(attempts::lines(conn, ben, ann_draft)
        .expect("lines")
        .is_empty());
    let next = progress::next(conn, ben, T0, &["alg.linear"], 5).expect("next");
    assert!(next.iter().all(|item| item.reason == NextReason::New));

    // Writing into another profile's attempt fails and changes nothing.
    let tx = store.transaction().expect("transaction");
    let result = attempts::add_line(&tx, ben, ann_draft, &line("x", Verdict::Follows, T0));
    assert!(matches!(result, Err(StoreError::AttemptNotFound(_))));
    let ann_events: Vec<String> = outbox::pending(&tx, ann, 100)
        .expect("outbox")
        .into_iter()
        .map(|(_, e)| e.id)
        .collect();
    assert_eq!(outbox::acknowledge(&tx, ben, &ann_events).expect("ack"), 0);
    drop(tx);

    // Each profile has its own draft.
    let tx = store.transaction().expect("transaction");
    attempts::start(&tx, ben, &question("num.fractions", 3, T0)).expect("Ben's draft");
    tx.commit().expect("commit");
    let conn = store.connection();
    let ann_loaded = drafts::load(conn, ann)
        .expect("draft")
        .expect("Ann's draft");
    let ben_loaded = drafts::load(conn, ben)
        .expect("draft")
        .expect("Ben's draft");
    assert_eq!(ann_loaded.attempt.question_id, "num.fractions/1/2");
    assert_eq!(ben_loaded.attempt.question_id, "num.fractions/1/3");
}

#[test]
fn wrong_pins_lock_profile_for_a_while() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let mut store = Store::open(dir.path()).expect("open");
    let id = add_profile(&mut store, "Dan", Some("2468"));
    let conn = store.connection();
    let start = 1_000_000;
    for attempt in 0..profiles::FREE_PIN_TRIES {
        assert!(
            matches!(
                profiles::unlock(conn, "Dan", Some("0000"), start),
                Err(StoreError::WrongPin(_))
            ),
            "wrong PIN {attempt}"
        );
    }
    // Even the right PIN is refused while the profile is locked.
    let locked = profiles::unlock(conn, "Dan", Some("2468"), start + 1_000);
    assert!(
        matches!(locked, Err(StoreError::PinLocked { seconds: 29, .. })),
        "{locked:?}"
    );
    // A wrong PIN after the lock ends locks it again for twice as long.
    let after = start + 31_000;
    assert!(matches!(
        profiles::unlock(conn, "Dan", Some("0000"), after),
        Err(StoreError::WrongPin(_))
    ));
    assert!(matches!(
        profiles::unlock(conn, "Dan", Some("2468"), after + 59_000),
        Err(StoreError::PinLocked { seconds: 1, .. })
    ));
    // The right PIN once the lock ends opens it and clears the count.
    assert_eq!(
        profiles::unlock(conn, "Dan", Some("2468"), after + 60_000).expect("unlock"),
        id
    );
    assert!(matches!(
        profiles::unlock(conn, "Dan", Some("0000"), after + 60_001),
        Err(StoreError::WrongPin(_))
    ));
    assert_eq!(
        profiles::unlock(conn, "Dan", Some("2468"), after + 60_002).expect("unlock"),
        id
    );
}

#[test]
fn pin_lock_grows_to_an_hour() {
    assert_eq!(profiles::pin_lock_ms(profiles::FREE_PIN_TRIES - 1), None);
    assert_eq!(
        profiles::pin_lock_ms(profiles::FREE_PIN_TRIES),
        Some(30_000)
    );
    assert_eq!(
        profiles::pin_lock_ms(profiles::FREE_PIN_TRIES + 1),
        Some(60_000)
    );
    assert_eq!(profiles::pin_lock_ms(u32::MAX), Some(3_600_000));
}

#[test]
fn pin_protects_profile() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let mut store = Store::open(dir.path()).expect("open");
    let id = add_profile(&mut store, "Cat", Some("2468"));
    let conn = store.connection();
    assert!(matches!(
        profiles::unlock(conn, "Cat", None, 0),
        Err(StoreError::PinRequired(_))
    ));
    assert!(matches!(
        profiles::unlock(conn, "cat", Some("1357"), 0),
        Err(StoreError::WrongPin(_))
    ));
    assert_eq!(
        profiles::unlock(conn, "CAT", Some("2468"), 0).expect("unlock"),
        id
    );
    let hash: String = conn
        .query_row("SELECT pin_hash FROM profiles", [], |row| row.get(0))
        .expect("hash");
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(!hash.contains("2468"));

    let tx = store.transaction().expect("transaction");
    assert!(matches!(
        profiles::add(&tx, "Dan", Some("12"), T0),
        Err(StoreError::InvalidPin)
    ));
    assert!(matches!(
        profiles::add(&tx, "Dan", Some("12ab"), T0),
        Err(StoreError::InvalidPin)
    ));
    assert!(matches!(
        profiles::add(&tx, "  ", None, T0),
        Err(StoreError::InvalidProfileName(_))
    ));
    assert!(matches!(
        profiles::add(&tx, "cat", None, T0),
        Err(StoreError::ProfileExists(_))
    ));
    assert!(matches!(
        profiles::unlock(&tx, "Eve", None, 0),
        Err(StoreError::ProfileNotFound(_))
    ));
}

#[test]
fn rolled_back_change_leaves_no_event() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let mut store = Store::open(dir.path()).expect("open");
    let ann = add_profile(&mut store, "Ann", None);
    let tx = store.transaction().expect("transaction");
    attempts::start(&tx, ann, &question("alg.linear", 1, T0)).expect("start");
    assert_eq!(outbox::count(&tx, ann).expect("count"), 1);
    tx.rollback().expect("rollback");
    assert_eq!(outbox::count(store.connection(), ann).expect("count"), 0);
    assert!(attempts::recent(store.connection(), ann, 10)
        .expect("recent")
        .is_empty());
}

#[test]
fn outbox_pending_and_acknowledge() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let mut store = Store::open(dir.path()).expect("open");
    let ann = add_profile(&mut store, "Ann", None);
    record(&mut store, ann, "alg.linear", 1, true, T0);

    let pending = outbox::pending(store.connection(), ann, 10).expect("pending");
    let kinds: Vec<&str> = pending
        .iter()
        .map(|(_, e)| match &e.kind {
            EventKind::AttemptStarted { .. } => "started",
            EventKind::LineTyped { .. } => "line",
            EventKind::AttemptFinished { .. } => "finished",
            _ => "other",
        })
        .collect();
    assert_eq!(kinds, ["started", "line", "finished"]);
    assert!(pending.windows(2).all(|w| w[0].0 < w[1].0), "seq increases");
    let EventKind::LineTyped { index, input, .. } = &pending[1].1.kind else {
        panic!("second event is the line");
    };
    assert_eq!(*index, 0);
    assert_eq!(input, "x = 4");
    let EventKind::AttemptFinished {
        outcome,
        time_spent_ms,
        ..
    } = &pending[2].1.kind
    else {
        panic!("third event is the finish");
    };
    assert_eq!(outcome, "correct");
    assert_eq!(*time_spent_ms, MINUTE);

    // The ids are the attempt's UUID and a suffix, which the sync protocol
    // leaves out on the wire.
    let EventKind::AttemptStarted { attempt_id, .. } = &pending[0].1.kind else {
        panic!("first event is the start");
    };
    let ids: Vec<&str> = pending.iter().map(|(_, e)| e.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            format!("{attempt_id}.s"),
            format!("{attempt_id}.0"),
            format!("{attempt_id}.f")
        ]
    );

    assert_eq!(
        outbox::pending(store.connection(), ann, 2)
            .expect("limit")
            .len(),
        2
    );

    let acked = vec![
        pending[0].1.id.clone(),
        pending[2].1.id.clone(),
        "unknown".into(),
    ];
    let tx = store.transaction().expect("transaction");
    assert_eq!(outbox::acknowledge(&tx, ann, &acked).expect("ack"), 2);
    tx.commit().expect("commit");
    let left = outbox::pending(store.connection(), ann, 10).expect("pending");
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].1.id, pending[1].1.id);
}

#[test]
fn draft_resumes_with_pending_input() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let mut store = Store::open(dir.path()).expect("open");
    let ann = add_profile(&mut store, "Ann", None);
    let tx = store.transaction().expect("transaction");
    let id = attempts::start(&tx, ann, &question("alg.linear", 1, T0)).expect("start");
    attempts::add_line(&tx, ann, id, &line("2x = 8", Verdict::Follows, T0 + 1)).expect("line");
    attempts::record_hint(&tx, ann, id, 2, T0 + 2).expect("hint");
    attempts::record_hint(&tx, ann, id, 1, T0 + 3).expect("lower hint");
    let pending = PendingInput {
        input: "x = ".into(),
        cursor: 4,
        saved_at_ms: T0 + 4,
    };
    drafts::save_pending(&tx, ann, id, &pending).expect("save pending");
    tx.commit().expect("commit");
    drop(store);

    let mut store = Store::open(dir.path()).expect("reopen");
    let draft = drafts::load(store.connection(), ann)
        .expect("load")
        .expect("draft");
    assert_eq!(draft.id, id);
    assert_eq!(draft.hint_level, 2);
    assert_eq!(draft.lines, vec![line("2x = 8", Verdict::Follows, T0 + 1)]);
    assert_eq!(draft.pending, Some(pending));

    let tx = store.transaction().expect("transaction");
    attempts::add_line(&tx, ann, id, &line("x = 4", Verdict::Follows, T0 + 5)).expect("line");
    tx.commit().expect("commit");
    let draft = drafts::load(store.connection(), ann)
        .expect("load")
        .expect("draft");
    assert_eq!(
        draft.pending, None,
        "entering a line clears the half-typed one"
    );

    let tx = store.transaction().expect("transaction");
    attempts::finish(
        &tx,
        ann,
        id,
        AttemptStatus::Correct,
        Some(FinalVerdict::Correct),
        T0 + 6,
    )
    .expect("finish");
    tx.commit().expect("commit");
    assert!(drafts::load(store.connection(), ann)
        .expect("load")
        .is_none());
}

#[test]
fn mastery_streak_and_review() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let mut store = Store::open(dir.path()).expect("open");
    let ann = add_profile(&mut store, "Ann", None);
    record(&mut store, ann, "alg.linear", 1, false, T0);
    record(&mut store, ann, "alg.linear", 2, true, T0 + 10 * MINUTE);
    record(&mut store, ann, "alg.linear", 3, true, T0 + 20 * MINUTE);

    let list = progress::list(store.connection(), ann).expect("progress");
    let skill = &list[0];
    // Weights 0.49, 0.7, 1 for scores 0, 1, 1.
    let expected = (0.7 + 1.0) / (0.49 + 0.7 + 1.0);
    assert!((skill.mastery - expected).abs() < 1e-9, "{}", skill.mastery);
    assert_eq!(skill.attempts, 3);
    assert_eq!(skill.correct, 2);
    assert_eq!(skill.streak, 2);
    assert_eq!(skill.best_streak, 2);
    assert_eq!(skill.time_spent_ms, 3 * MINUTE);
    let finished = T0 + 21 * MINUTE;
    assert_eq!(skill.review_due_ms, finished + 2 * progress::REVIEW_BASE_MS);

    record(&mut store, ann, "alg.linear", 4, false, T0 + 30 * MINUTE);
    let skill = &progress::list(store.connection(), ann).expect("progress")[0];
    assert_eq!(skill.streak, 0);
    assert_eq!(skill.best_streak, 2);
    assert_eq!(skill.review_due_ms, T0 + 31 * MINUTE + progress::RETRY_MS);
}

#[test]
fn next_mixes_assignment_weak_review_and_new() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let mut store = Store::open(dir.path()).expect("open");
    let ann = add_profile(&mut store, "Ann", None);
    record(&mut store, ann, "weak.skill", 1, false, T0);
    record(&mut store, ann, "strong.skill", 1, true, T0);
    let tx = store.transaction().expect("transaction");
    let homework = Assignment {
        id: "hw1".into(),
        title: "Homework".into(),
        skills: vec!["set.skill".into()],
        questions: 1,
        videos: vec!["video-1".into()],
        due_ms: Some(T0 + 3 * 86_400_000),
        cancelled: false,
    };
    assignments::receive(&tx, ann, &homework, T0).expect("assignment");
    tx.commit().expect("commit");

    let known = ["weak.skill", "strong.skill", "set.skill", "fresh.skill"];
    // Two days on, the strong skill (one correct: due after a day) is due.
    let now = T0 + 2 * 86_400_000;
    let next = progress::next(store.connection(), ann, now, &known, 10).expect("next");
    let summary: Vec<(&str, &str)> = next
        .iter()
        .map(|item| {
            let kind = match item.reason {
                NextReason::Assignment { .. } => "assignment",
                NextReason::Weak { .. } => "weak",
                NextReason::Review { .. } => "review",
                NextReason::New => "new",
            };
            (item.skill_id.as_str(), kind)
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("set.skill", "assignment"),
            ("weak.skill", "weak"),
            ("strong.skill", "review"),
            ("fresh.skill", "new"),
        ]
    );
    assert_eq!(
        assignments::open_videos(store.connection(), ann).expect("videos"),
        ["video-1"]
    );

    // Doing the assigned question completes the assignment.
    let tx = store.transaction().expect("transaction");
    let mut attempt = question("set.skill", 5, now);
    attempt.assignment_id = Some("hw1".into());
    attempts::record_complete(
        &tx,
        ann,
        &attempt,
        &[],
        AttemptStatus::Correct,
        Some(FinalVerdict::Correct),
        now + 1,
    )
    .expect("record");
    tx.commit().expect("commit");
    let stored = assignments::list(store.connection(), ann).expect("list");
    assert_eq!(stored[0].state, assignments::AssignmentState::Completed);
    assert!(assignments::open_videos(store.connection(), ann)
        .expect("videos")
        .is_empty());
    let next = progress::next(store.connection(), ann, now, &known, 10).expect("next");
    assert!(next
        .iter()
        .all(|item| !matches!(item.reason, NextReason::Assignment { .. })));
}

#[test]
fn removed_profile_leaves_nothing() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let mut store = Store::open(dir.path()).expect("open");
    let ann = add_profile(&mut store, "Ann", None);
    let ben = add_profile(&mut store, "Ben", None);
    record(&mut store, ann, "alg.linear", 1, true, T0);
    record(&mut store, ben, "alg.linear", 1, true, T0);
    let tx = store.transaction().expect("transaction");
    let draft = attempts::start(&tx, ann, &question("alg.linear", 2, T0)).expect("draft");
    drafts::save_pending(
        &tx,
        ann,
        draft,
        &PendingInput {
            input: "x".into(),
            cursor: 1,
            saved_at_ms: T0,
        },
    )
    .expect("pending");
    tx.commit().expect("commit");

    let tx = store.transaction().expect("transaction");
    sync_state::keep_pull(&tx, ben, ACCOUNT, &pulled(3, "c1"), T0).expect("keep Ben's pull");
    tx.commit().expect("commit");
    let tx = store.transaction().expect("transaction");
    sync_state::keep_pull(&tx, ann, ACCOUNT, &pulled(3, "c1"), T0).expect("keep Ann's pull");
    profiles::remove(&tx, ann).expect("remove");
    tx.commit().expect("commit");

    let conn = store.connection();
    for table in [
        "attempts",
        "skill_progress",
        "outbox",
        "draft_inputs",
        "sync_cursors",
        "comments",
        "assignments",
    ] {
        let count: i64 = conn
            .query_row(
                &format!("SELECT COUNT(*) FROM {table} WHERE profile_id = ?1"),
                [ann.0],
                |row| row.get(0),
            )
            .expect("count");
        assert_eq!(count, 0, "{table}");
    }
    let lines: i64 = conn
        .query_row("SELECT COUNT(*) FROM attempt_lines", [], |row| row.get(0))
        .expect("count");
    assert_eq!(lines, 1, "only Ben's line is left");
    assert_eq!(attempts::recent(conn, ben, 10).expect("recent").len(), 1);
    assert_eq!(sync_state::comments(conn, ben).expect("comments").len(), 1);
}

const ACCOUNT: AccountKey<'static> = AccountKey {
    server: "http://127.0.0.1:8080",
    user_id: "student-1",
};

/// A pull that ends at `cursor` with one assignment and the comment `comment`.
fn pulled(cursor: i64, comment: &str) -> PullResponse {
    PullResponse {
        cursor,
        assignments: vec![Assignment {
            id: "as1".into(),
            title: "Homework".into(),
            skills: vec!["alg.linear".into()],
            questions: 2,
            videos: Vec::new(),
            due_ms: None,
            cancelled: false,
        }],
        comments: vec![Comment {
            id: comment.into(),
            attempt_id: "a1".into(),
            line_index: 0,
            author: "Ms Lee".into(),
            text: format!("comment {comment}"),
            at_ms: T0 + cursor,
        }],
        content: None,
    }
}

#[test]
fn sync_state_per_profile_and_account() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let mut store = Store::open(dir.path()).expect("open");
    let ann = add_profile(&mut store, "Ann", None);
    let ben = add_profile(&mut store, "Ben", None);

    let tx = store.transaction().expect("transaction");
    sync_state::keep_pull(&tx, ann, ACCOUNT, &pulled(5, "c1"), T0).expect("keep");
    // The same page again, as after a crash before the commit of the cursor.
    sync_state::keep_pull(&tx, ann, ACCOUNT, &pulled(5, "c1"), T0 + 1).expect("keep again");
    sync_state::keep_pull(&tx, ann, ACCOUNT, &pulled(9, "c2"), T0 + 2).expect("keep next");
    // An overlapping sync that started earlier commits last.
    sync_state::keep_pull(&tx, ann, ACCOUNT, &pulled(5, "c1"), T0 + 2).expect("keep late");
    tx.commit().expect("commit");
    drop(store);

    let store = Store::open(dir.path()).expect("reopen");
    let conn = store.connection();
    let mark = sync_state::mark(conn, ann, ACCOUNT)
        .expect("mark")
        .expect("a mark");
    assert_eq!(mark.cursor, 9);
    assert_eq!(mark.synced_at_ms, T0 + 2);
    let comments = sync_state::comments(conn, ann).expect("comments");
    let ids: Vec<&str> = comments.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["c1", "c2"]);
    assert_eq!(assignments::list(conn, ann).expect("assignments").len(), 1);

    // Another profile, or another account or server, starts from nothing.
    assert_eq!(sync_state::mark(conn, ben, ACCOUNT).expect("mark"), None);
    let other_user = AccountKey {
        user_id: "student-2",
        ..ACCOUNT
    };
    assert_eq!(sync_state::mark(conn, ann, other_user).expect("mark"), None);
    let other_server = AccountKey {
        server: "http://127.0.0.1:9090",
        ..ACCOUNT
    };
    assert_eq!(
        sync_state::mark(conn, ann, other_server).expect("mark"),
        None
    );
    assert!(sync_state::comments(conn, ben)
        .expect("comments")
        .is_empty());
}

#[test]
fn profile_outbox_serves_sync_client() {
    use stepwise_core::sync::outbox::Outbox;

    let dir = tempfile::tempdir().expect("temporary folder");
    let mut store = Store::open(dir.path()).expect("open");
    let ann = add_profile(&mut store, "Ann", None);
    let ben = add_profile(&mut store, "Ben", None);
    record(&mut store, ann, "alg.linear", 1, true, T0);
    record(&mut store, ben, "alg.linear", 1, true, T0);

    let ann_outbox = outbox::ProfileOutbox::open(store.path(), ann).expect("open outbox");
    let pending = ann_outbox.pending(10).expect("pending");
    assert_eq!(pending.len(), 3);
    ann_outbox
        .acknowledge(&[pending[0].0])
        .expect("acknowledge");
    assert_eq!(ann_outbox.pending(10).expect("pending").len(), 2);
    assert_eq!(outbox::count(store.connection(), ann).expect("count"), 2);
    assert_eq!(outbox::count(store.connection(), ben).expect("count"), 3);
}
