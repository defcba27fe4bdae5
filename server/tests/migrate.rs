//! Migrations: a database left at schema version 1 (accounts only) is
//! brought to the newest version by the server, keeping its accounts, on
//! SQLite and PostgreSQL; running the migrations again changes nothing. A
//! database at version 2 keeps its work when ids become per account.

mod common;

use common::*;
use stepwise_server::auth;
use stepwise_server::db::{Db, LATEST_VERSION};

async fn from_version_one(backend: Backend) {
    let (url, dir) = match &backend {
        Backend::Sqlite(dir) => (None, dir.clone()),
        Backend::Postgres(url) => (Some(url.clone()), std::env::temp_dir()),
    };
    {
        let db = Db::open(url.as_deref(), &dir).await.expect("open");
        assert_eq!(db.migrate_to(1).await.expect("migrate to 1"), 1);
        // A version-1 school with a student, written as that version would.
        sqlx::query("INSERT INTO schools (id, name, created_ms) VALUES ('s1', 'Old School', 1)")
            .execute(&db.pool)
            .await
            .expect("school");
        sqlx::query(
            "INSERT INTO users (id, school_id, role, username, display_name, password_hash, created_ms) \
             VALUES ('u1', 's1', 'student', 'olga', 'Olga', $1, 1)",
        )
        .bind(auth::hash_password(PASSWORD).expect("hash"))
        .execute(&db.pool)
        .await
        .expect("user");
        let missing = sqlx::query("SELECT COUNT(*) FROM events")
            .execute(&db.pool)
            .await;
        assert!(missing.is_err(), "version 1 has no events table");
        db.pool.close().await;
    }

    let version = admin(&backend, &["migrate"]);
    assert_eq!(version["version"], LATEST_VERSION);
    let again = admin(&backend, &["migrate"]);
    assert_eq!(again["version"], LATEST_VERSION);

    // The old account logs in and pushes into the new tables.
    let server = Server::start(&backend);
    let token = login(&server, "olga").await;
    let response = http()
        .post(server.url("/v2/events"))
        .bearer_auth(&token)
        .json(&batch(&attempt_events("olga", &question_id(), 1, None)))
        .send()
        .await
        .expect("push");
    assert_eq!(response.status(), 200);
}

/// Rows of a version-2 database: a student's attempt with one line, its
/// events, and a teacher's comment on the line.
const VERSION_TWO_WORK: &[&str] = &[
    "INSERT INTO schools (id, name, created_ms) VALUES ('s1', 'Old School', 1)",
    "INSERT INTO users (id, school_id, role, username, display_name, password_hash, created_ms) \
     VALUES ('u1', 's1', 'student', 'olga', 'Olga', 'x', 1)",
    "INSERT INTO users (id, school_id, role, username, display_name, password_hash, created_ms) \
     VALUES ('t1', 's1', 'teacher', 'ms.lee', 'Ms Lee', 'x', 1)",
    "INSERT INTO events (id, student_id, at_ms, kind, body, received_ms) \
     VALUES ('a1.s', 'u1', 5, 'attempt_started', '{}', 6)",
    "INSERT INTO attempts (id, student_id, question_id, question_text, started_ms) \
     VALUES ('a1', 'u1', 'q/1/1', 'Solve', 5)",
    "INSERT INTO lines (attempt_id, idx, student_id, input, verdict, at_ms) \
     VALUES ('a1', 0, 'u1', 'x = 1', 'follows', 7)",
    "INSERT INTO comments (id, attempt_id, line_index, author_id, author_name, text, at_ms) \
     VALUES ('c1', 'a1', 0, 't1', 'Ms Lee', 'Good', 8)",
];

async fn from_version_two(backend: Backend) {
    let (url, dir) = match &backend {
        Backend::Sqlite(dir) => (None, dir.clone()),
        Backend::Postgres(url) => (Some(url.clone()), std::env::temp_dir()),
    };
    let db = Db::open(url.as_deref(), &dir).await.expect("open");
    assert_eq!(db.migrate_to(2).await.expect("migrate to 2"), 2);
    for statement in VERSION_TWO_WORK {
        sqlx::query(*statement)
            .execute(&db.pool)
            .await
            .unwrap_or_else(|error| panic!("{statement}: {error}"));
    }
    assert_eq!(db.migrate().await.expect("migrate"), LATEST_VERSION);

    let count = |table: &'static str| {
        let pool = db.pool.clone();
        async move {
            let sql = format!(
                "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM {table} WHERE student_id = 'u1'"
            );
            let row = sqlx::query(sqlx::AssertSqlSafe(sql))
                .fetch_one(&pool)
                .await
                .expect("count");
            sqlx::Row::try_get::<i64, _>(&row, "n").expect("n")
        }
    };
    for table in ["events", "attempts", "lines", "comments"] {
        assert_eq!(count(table).await, 1, "{table}");
    }

    // The same ids under another student are now a different row.
    sqlx::query(
        "INSERT INTO users (id, school_id, role, username, display_name, password_hash, created_ms) \
         VALUES ('u2', 's1', 'student', 'pat', 'Pat', 'x', 1)",
    )
    .execute(&db.pool)
    .await
    .expect("second student");
    sqlx::query(
        "INSERT INTO attempts (id, student_id, question_id, question_text, started_ms) \
         VALUES ('a1', 'u2', 'q/1/1', 'Solve', 5)",
    )
    .execute(&db.pool)
    .await
    .expect("the same attempt id for another student");
    db.pool.close().await;
}

#[tokio::test]
async fn migrates_from_version_two_on_sqlite() {
    let dir = temp_dir();
    from_version_two(Backend::Sqlite(path(dir.path()))).await;
}

#[tokio::test]
async fn migrates_from_version_two_on_postgres() {
    let Some(base) = postgres_url() else { return };
    from_version_two(Backend::Postgres(fresh_postgres(&base).await)).await;
}

#[tokio::test]
async fn migrates_from_version_one_on_sqlite() {
    let dir = temp_dir();
    from_version_one(Backend::Sqlite(path(dir.path()))).await;
}

#[tokio::test]
async fn migrates_from_version_one_on_postgres() {
    let Some(base) = postgres_url() else { return };
    from_version_one(Backend::Postgres(fresh_postgres(&base).await)).await;
}

#[tokio::test]
async fn corrupt_sqlite_file_fails_at_once() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let noise: Vec<u8> = (0..20_000u32).map(|i| (i * 7919 % 251) as u8).collect();
    std::fs::write(dir.path().join("stepwise.db"), noise).expect("write");
    let error = match Db::open(None, dir.path()).await {
        Ok(_) => panic!("a file of noise opened as a database"),
        Err(error) => error.to_string(),
    };
    // The pool alone would wait out its timeout and report only that.
    assert!(error.contains("not a database"), "{error}");
    // Named as damaged, not as a server that cannot be reached.
    assert!(error.contains("is damaged"), "{error}");
    assert!(error.contains("move the file aside and keep it"), "{error}");
}
