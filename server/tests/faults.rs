//! Nothing lost through faults: students push through a proxy that drops,
//! delays, duplicates and cuts traffic, their sync is killed mid-push and
//! resumed from the outbox file, and the server restarts; at the end the
//! server holds every attempt and every line exactly once.

mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use rand::rngs::StdRng;
use rand::{Rng as _, SeedableRng};
use stepwise_core::generate::rng::Rng;
use stepwise_core::sync::backoff::RetryPolicy;
use stepwise_core::sync::client::SyncClient;
use stepwise_core::sync::outbox::Outbox;
use stepwise_core::sync::protocol::Event;
use stepwise_core::sync::views::StudentWork;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const ATTEMPTS: usize = 12;
const LINES: u32 = 6;

/// An outbox in a SQLite file, as the device keeps it: it outlives a killed client.
struct FileOutbox(Mutex<rusqlite::Connection>);

impl FileOutbox {
    fn open(path: &std::path::Path) -> FileOutbox {
        let conn = rusqlite::Connection::open(path).expect("open outbox");
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS outbox (seq INTEGER PRIMARY KEY, body TEXT NOT NULL)",
        )
        .expect("outbox table");
        FileOutbox(Mutex::new(conn))
    }

    fn fill(&self, events: &[Event]) {
        let conn = self.0.lock().expect("lock");
        for event in events {
            conn.execute(
                "INSERT INTO outbox (body) VALUES (?1)",
                [serde_json::to_string(event).expect("json")],
            )
            .expect("insert");
        }
    }
}

impl Outbox for FileOutbox {
    type Error = rusqlite::Error;

    fn pending(&self, limit: usize) -> Result<Vec<(i64, Event)>, rusqlite::Error> {
        let conn = self.0.lock().expect("lock");
        let mut statement = conn.prepare("SELECT seq, body FROM outbox ORDER BY seq LIMIT ?1")?;
        let rows = statement.query_map([limit as i64], |row| {
            let body: String = row.get(1)?;
            Ok((
                row.get(0)?,
                serde_json::from_str(&body).expect("stored event"),
            ))
        })?;
        rows.collect()
    }

    fn acknowledge(&self, seqs: &[i64]) -> Result<(), rusqlite::Error> {
        let conn = self.0.lock().expect("lock");
        for seq in seqs {
            conn.execute("DELETE FROM outbox WHERE seq = ?1", [seq])?;
        }
        Ok(())
    }
}

/// A TCP proxy that misbehaves on purpose while `faults` is on.
async fn proxy(listener: TcpListener, upstream: String, faults: Arc<AtomicBool>, seed: u64) {
    let mut rng = StdRng::seed_from_u64(seed);
    loop {
        let Ok((client, _)) = listener.accept().await else {
            return;
        };
        let fault = if faults.load(Ordering::Relaxed) {
            rng.gen_range(0..10u32)
        } else {
            9
        };
        let upstream = upstream.clone();
        let cut_after = rng.gen_range(1..400usize);
        tokio::spawn(async move {
            match fault {
                // Drop the connection before anything reaches the server.
                0 => drop(client),
                // Delay, then pass.
                1 => {
                    tokio::time::sleep(Duration::from_millis(300)).await;
                    relay(client, &upstream, false, None).await;
                }
                // Send every request twice.
                2 => relay(client, &upstream, true, None).await,
                // Cut the response part-way.
                3 => relay(client, &upstream, false, Some(cut_after)).await,
                _ => relay(client, &upstream, false, None).await,
            }
        });
    }
}

async fn relay(client: TcpStream, upstream: &str, duplicate: bool, cut_after: Option<usize>) {
    let Ok(server) = TcpStream::connect(upstream).await else {
        return;
    };
    let twin = if duplicate {
        TcpStream::connect(upstream).await.ok()
    } else {
        None
    };
    let (mut client_read, mut client_write) = client.into_split();
    let (mut server_read, mut server_write) = server.into_split();
    let up = tokio::spawn(async move {
        let mut twin = twin;
        let mut buffer = vec![0u8; 16 * 1024];
        loop {
            let n = match client_read.read(&mut buffer).await {
                Ok(0) | Err(_) => return,
                Ok(n) => n,
            };
            if let Some(t) = twin.as_mut() {
                let _ = t.write_all(&buffer[..n]).await;
            }
            if server_write.write_all(&buffer[..n]).await.is_err() {
                return;
            }
        }
    });
    let mut buffer = vec![0u8; 16 * 1024];
    let mut sent = 0usize;
    loop {
        let n = match server_read.read(&mut buffer).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        if let Some(limit) = cut_after {
            if sent + n >= limit {
                let _ = client_write
                    .write_all(&buffer[..limit.saturating_sub(sent)])
                    .await;
                break;
            }
        }
        if client_write.write_all(&buffer[..n]).await.is_err() {
            break;
        }
        sent += n;
    }
    up.abort();
}

async fn nothing_lost(backend: Backend) {
    let w = world(&backend);
    let mut server = Server::start(&backend);
    let server_addr = server.addr.clone();
    let teacher = login(&server, "ms.lee").await;
    let tokens = [login(&server, "ana").await, login(&server, "ben").await];

    let listener = TcpListener::bind("127.0.0.1:0").await.expect("proxy");
    let proxy_url = format!("http://{}", listener.local_addr().expect("addr"));
    let faults = Arc::new(AtomicBool::new(true));
    tokio::spawn(proxy(listener, server_addr.clone(), faults.clone(), 11));

    let dir = temp_dir();
    let outboxes: Vec<std::path::PathBuf> = (0..2)
        .map(|i| dir.path().join(format!("outbox{i}.db")))
        .collect();
    for (i, path) in outboxes.iter().enumerate() {
        let mut events = Vec::new();
        for a in 0..ATTEMPTS {
            events.extend(attempt_events(
                &format!("s{i}-a{a}"),
                &question_id(),
                LINES,
                None,
            ));
        }
        FileOutbox::open(path).fill(&events);
    }
    let policy = RetryPolicy {
        attempts: 4,
        base_delay: Duration::from_millis(20),
        max_delay: Duration::from_millis(200),
    };

    let mut kill_rng = StdRng::seed_from_u64(5);
    for round in 0..12 {
        if round == 1 {
            // Restart the server on the same address while clients are mid-sync.
            server.stop();
            server = Server::start_on(&backend, &server_addr, &[]);
        }
        if round == 9 {
            faults.store(false, Ordering::Relaxed);
        }
        let mut tasks = Vec::new();
        for (i, path) in outboxes.iter().enumerate() {
            let client =
                SyncClient::new(&proxy_url, Some(tokens[i].clone()), policy).expect("client");
            let path = path.clone();
            tasks.push(tokio::spawn(async move {
                let outbox = FileOutbox::open(&path);
                let mut rng = Rng::from_seed(round as u64 * 10 + i as u64);
                let _ = client.push_outbox(&outbox, &mut rng).await;
            }));
        }
        // Kill some clients part-way through (before round 9).
        let kill_after = Duration::from_millis(kill_rng.gen_range(5..120));
        tokio::time::sleep(kill_after).await;
        for task in &tasks {
            if round < 9 && kill_rng.gen_bool(0.5) {
                task.abort();
            }
        }
        for task in tasks {
            let _ = task.await;
        }
    }

    for (i, path) in outboxes.iter().enumerate() {
        let left = FileOutbox::open(path).pending(1000).expect("pending");
        assert!(
            left.is_empty(),
            "student {i} still has {} events unacknowledged",
            left.len()
        );
    }
    for (i, student) in w.students.iter().enumerate() {
        let work: StudentWork = http()
            .get(server.url(&format!("/v2/teacher/students/{student}/attempts")))
            .bearer_auth(&teacher)
            .send()
            .await
            .expect("attempts")
            .json()
            .await
            .expect("json");
        assert_eq!(
            work.attempts.len(),
            ATTEMPTS,
            "student {i}: every attempt exactly once"
        );
        for attempt in &work.attempts {
            let indexes: Vec<u32> = attempt.lines.iter().map(|l| l.index).collect();
            assert_eq!(
                indexes,
                (0..LINES).collect::<Vec<_>>(),
                "{}",
                attempt.attempt_id
            );
            assert_eq!(attempt.outcome.as_deref(), Some("correct"));
        }
    }
    let metrics = http()
        .get(server.url("/metrics"))
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    eprintln!(
        "{}",
        metrics
            .lines()
            .filter(|l| l.starts_with("stepwise_events"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_lost_through_faults_on_sqlite() {
    let dir = temp_dir();
    nothing_lost(Backend::Sqlite(path(dir.path()))).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_lost_through_faults_on_postgres() {
    let Some(base) = postgres_url() else { return };
    nothing_lost(Backend::Postgres(fresh_postgres(&base).await)).await;
}
