//! Migrations: a database left at schema version 1 (accounts only) is
//! brought to the newest version by the server, keeping its accounts, on
//! SQLite and PostgreSQL; running the migrations again changes nothing.

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
}
