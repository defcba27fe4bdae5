//! The sync server under load, on loopback: many students pushing their
//! work at once, and the bytes one student's day of work costs on the wire.
//!
//! Starts the real `stepwise-server` on SQLite (and on PostgreSQL when
//! `STEPWISE_TEST_POSTGRES` names a cluster, as `tests/postgres.sh start`
//! prints), gives it `STUDENTS` student accounts with tokens written
//! straight into the database (1,000 Argon2 logins would measure Argon2),
//! then has every student push `ROUNDS` questions' worth of events through
//! the core's `SyncClient`, at most `CONCURRENCY` pushes in flight and for
//! at most `MAX_SECONDS`. Prints pushes a second and the latency
//! percentiles.
//!
//! The day of work (50 questions of 6 lines each) goes through a loopback
//! proxy that counts every byte of the HTTP exchange both ways: request and
//! response headers and bodies, compressed as sent.
//!
//! Run: `cargo bench -p stepwise-server --bench load`. Environment:
//! `STEPWISE_LOAD_STUDENTS` (1000), `STEPWISE_LOAD_ROUNDS` (5),
//! `STEPWISE_LOAD_CONCURRENCY` (64), `STEPWISE_LOAD_SECONDS` (60).

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;
use sqlx::Connection;
use stepwise_core::generate::builtin::builtin;
use stepwise_core::generate::generate;
use stepwise_core::generate::rng::Rng;
use stepwise_core::sync::backoff::RetryPolicy;
use stepwise_core::sync::client::SyncClient;
use stepwise_core::sync::outbox::Outbox;
use stepwise_core::sync::protocol::{Event, EventKind};
use stepwise_server::auth;
use stepwise_server::db::{now_ms, Db};
use tokio::sync::Semaphore;

const BIN: &str = env!("CARGO_BIN_EXE_stepwise-server");

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A student's outbox in memory: the bench measures the server and the
/// wire, not the device's disk.
#[derive(Default)]
struct Queue(Mutex<Vec<(i64, Event)>>);

impl Outbox for Queue {
    type Error = std::convert::Infallible;

    fn pending(&self, limit: usize) -> Result<Vec<(i64, Event)>, Self::Error> {
        let events = self.0.lock().expect("lock");
        Ok(events.iter().take(limit).cloned().collect())
    }

    fn acknowledge(&self, seqs: &[i64]) -> Result<(), Self::Error> {
        self.0
            .lock()
            .expect("lock")
            .retain(|(seq, _)| !seqs.contains(seq));
        Ok(())
    }
}

/// Makes a UUID v7 as the device does: time in the high bits, then random.
fn uuid_v7(ms: i64, rng: &mut Rng) -> String {
    let random = rng.next_u64();
    let more = rng.next_u64();
    format!(
        "{:08x}-{:04x}-7{:03x}-{:04x}-{:012x}",
        (ms >> 16) as u32,
        (ms & 0xffff) as u16,
        random & 0xfff,
        0x8000 | ((random >> 12) & 0x3fff),
        more & 0xffff_ffff_ffff
    )
}

/// Builds the events of one question (started, six typed lines, finished)
/// with the ids the device store gives them: the attempt's UUID v7, a dot
/// and `s`, the line's index or `f`. The question and the lines come from
/// the generator's model solutions.
fn question_events(question_index: u64, rng: &mut Rng, start_ms: i64) -> Vec<Event> {
    let skills = builtin().expect("built-in skills");
    let skill = &skills[(question_index as usize * 7) % skills.len()];
    let version = skill.templates[0].version;
    let question = generate(skill, version, 1000 + question_index).expect("question");
    let attempt_id = uuid_v7(start_ms, rng);
    let mut at_ms = start_ms;
    let mut next = |suffix: String, kind: EventKind| {
        at_ms += 15_000;
        Event {
            id: format!("{attempt_id}.{suffix}"),
            at_ms,
            kind,
        }
    };
    let mut events = vec![next(
        "s".into(),
        EventKind::AttemptStarted {
            attempt_id: attempt_id.clone(),
            question_id: question.id.to_string(),
            question_text: format!("{} {}", question.text, question.start),
            assignment_id: None,
        },
    )];
    for index in 0..6u32 {
        let input = question
            .solution
            .get(index as usize % question.solution.len().max(1))
            .cloned()
            .unwrap_or_else(|| question.answer.clone());
        events.push(next(
            index.to_string(),
            EventKind::LineTyped {
                attempt_id: attempt_id.clone(),
                index,
                input,
                verdict: "follows".into(),
                diagnosis: None,
            },
        ));
    }
    events.push(next(
        "f".into(),
        EventKind::AttemptFinished {
            attempt_id: attempt_id.clone(),
            outcome: "correct".into(),
            time_spent_ms: 90_000,
        },
    ));
    events
}

struct Server {
    child: Child,
    addr: String,
}

impl Server {
    fn start(args: &[String]) -> Server {
        let mut child = Command::new(BIN)
            .args(args)
            .args([
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--rate-per-second",
                "1000",
            ])
            .env("STEPWISE_LOG", "warn")
            .stdout(Stdio::piped())
            .spawn()
            .expect("start stepwise-server");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("piped"))
            .read_line(&mut line)
            .expect("listening line");
        let value: Value = serde_json::from_str(&line).expect("listening JSON");
        Server {
            child,
            addr: value["listening"].as_str().expect("address").to_string(),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Creates a school and `count` students with tokens; returns the tokens.
async fn students(db: &Db, count: u64) -> Vec<String> {
    let school = auth::random_id();
    sqlx::query("INSERT INTO schools (id, name, created_ms) VALUES ($1, $2, $3)")
        .bind(&school)
        .bind("Load School")
        .bind(now_ms())
        .execute(&db.pool)
        .await
        .expect("school");
    // One Argon2 hash for all: no one logs in with a password here.
    let hash = auth::hash_password("load test password").expect("hash");
    let mut tokens = Vec::new();
    let mut tx = db.pool.begin().await.expect("transaction");
    for n in 0..count {
        let user = auth::random_id();
        sqlx::query(
            "INSERT INTO users (id, school_id, role, username, display_name, password_hash, created_ms) \
             VALUES ($1, $2, 'student', $3, $4, $5, $6)",
        )
        .bind(&user)
        .bind(&school)
        .bind(format!("load{n}-{user}"))
        .bind(format!("Student {n}"))
        .bind(&hash)
        .bind(now_ms())
        .execute(&mut *tx)
        .await
        .expect("user");
        let token = auth::new_token();
        sqlx::query("INSERT INTO tokens (hash, user_id, created_ms) VALUES ($1, $2, $3)")
            .bind(auth::secret_hash(&token))
            .bind(&user)
            .bind(now_ms())
            .execute(&mut *tx)
            .await
            .expect("token");
        tokens.push(token);
    }
    tx.commit().await.expect("commit");
    tokens
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Has every student push `rounds` questions, one push each, and prints the figures.
async fn push_load(base: &str, tokens: &[String], rounds: u64, concurrency: usize, max: Duration) {
    // One connection pool for all: students on their own phones would each
    // have one, but building 5,000 TLS-capable clients would load the
    // generator, not the server.
    let policy = RetryPolicy {
        attempts: 1,
        ..RetryPolicy::default()
    };
    let shared = SyncClient::new(base, None, policy).expect("client");
    let semaphore = Arc::new(Semaphore::new(concurrency));
    let latencies = Arc::new(Mutex::new(Vec::new()));
    let failures = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let deadline = started + max;
    let mut tasks = Vec::new();
    for round in 0..rounds {
        if Instant::now() >= deadline {
            break;
        }
        for (n, token) in tokens.iter().enumerate() {
            let permit = semaphore.clone().acquire_owned().await.expect("semaphore");
            if Instant::now() >= deadline {
                break;
            }
            let client = shared.with_token(Some(token.clone()));
            let (latencies, failures) = (latencies.clone(), failures.clone());
            tasks.push(tokio::spawn(async move {
                let mut rng = Rng::from_seed(round * 1_000_003 + n as u64);
                let queue = Queue::default();
                {
                    let mut events = queue.0.lock().expect("lock");
                    let start = 1_760_000_000_000 + round as i64 * 600_000;
                    for (seq, event) in question_events(round, &mut rng, start)
                        .into_iter()
                        .enumerate()
                    {
                        events.push((seq as i64, event));
                    }
                }
                let sent = Instant::now();
                match client.push_outbox(&queue, &mut rng).await {
                    Ok(report) if report.acknowledged == 8 => {
                        latencies.lock().expect("lock").push(sent.elapsed())
                    }
                    Ok(report) => {
                        eprintln!("push not fully acknowledged: {report:?}");
                        failures.fetch_add(1, Ordering::Relaxed);
                    }
                    Err(error) => {
                        eprintln!("push failed: {error}");
                        failures.fetch_add(1, Ordering::Relaxed);
                    }
                }
                drop(permit);
            }));
        }
    }
    for task in tasks {
        task.await.expect("push task");
    }
    let elapsed = started.elapsed();
    let mut latencies = latencies.lock().expect("lock").clone();
    latencies.sort();
    println!(
        "  pushes: {} ok, {} failed in {:.1} s (8 events each, {concurrency} in flight)",
        latencies.len(),
        failures.load(Ordering::Relaxed),
        elapsed.as_secs_f64()
    );
    println!(
        "  throughput: {:.0} pushes/s ({:.0} events/s)",
        latencies.len() as f64 / elapsed.as_secs_f64(),
        latencies.len() as f64 * 8.0 / elapsed.as_secs_f64()
    );
    println!(
        "  latency: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        percentile(&latencies, 50.0).as_secs_f64() * 1000.0,
        percentile(&latencies, 99.0).as_secs_f64() * 1000.0,
        latencies.last().copied().unwrap_or_default().as_secs_f64() * 1000.0
    );
}

/// Starts a loopback proxy that counts the bytes of every exchange both ways.
async fn counting_proxy(upstream: String) -> (String, Arc<AtomicU64>, Arc<AtomicU64>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind proxy");
    let addr = listener.local_addr().expect("proxy address").to_string();
    let up = Arc::new(AtomicU64::new(0));
    let down = Arc::new(AtomicU64::new(0));
    let (up_count, down_count) = (up.clone(), down.clone());
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            let upstream = upstream.clone();
            let (up, down) = (up_count.clone(), down_count.clone());
            tokio::spawn(async move {
                let Ok(mut server) = tokio::net::TcpStream::connect(&upstream).await else {
                    return;
                };
                if let Ok((sent, received)) =
                    tokio::io::copy_bidirectional(&mut client, &mut server).await
                {
                    up.fetch_add(sent, Ordering::Relaxed);
                    down.fetch_add(received, Ordering::Relaxed);
                }
            });
        }
    });
    (addr, up, down)
}

/// Pushes one student's day (50 questions, 6 lines each) in the client's
/// batches (one of 400 events), through the counting proxy, and prints the
/// bytes. `bytes of JSON` is the size of the events as the outbox stores
/// them, before the compact wire form and gzip.
async fn day_of_work(server_addr: &str, token: &str) {
    let (proxy, up, down) = counting_proxy(server_addr.to_string()).await;
    let mut rng = Rng::from_seed(99);
    let queue = Queue::default();
    {
        let mut events = queue.0.lock().expect("lock");
        for question in 0..50u64 {
            let start = 1_760_000_000_000 + question as i64 * 600_000;
            for event in question_events(question, &mut rng, start) {
                let seq = events.len() as i64;
                events.push((seq, event));
            }
        }
    }
    let json_bytes: usize = queue
        .0
        .lock()
        .expect("lock")
        .iter()
        .map(|(_, e)| serde_json::to_vec(e).expect("json").len())
        .sum();
    let client = SyncClient::new(
        &format!("http://{proxy}"),
        Some(token.to_string()),
        RetryPolicy::default(),
    )
    .expect("client");
    let report = client
        .push_outbox(&queue, &mut rng)
        .await
        .expect("day push");
    drop(client);
    // The proxy counts a connection when it closes.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (up, down) = (up.load(Ordering::Relaxed), down.load(Ordering::Relaxed));
    println!(
        "  a day of work (50 questions x 6 lines, {} events, {} bytes of JSON): {} bytes up + {} bytes down = {} bytes on the wire (budget 10240)",
        report.acknowledged,
        json_bytes,
        up,
        down,
        up + down
    );
}

async fn run(name: &str, args: Vec<String>, db: Db) {
    let students_count = setting("STEPWISE_LOAD_STUDENTS", 1000);
    let rounds = setting("STEPWISE_LOAD_ROUNDS", 5);
    let concurrency = setting("STEPWISE_LOAD_CONCURRENCY", 64) as usize;
    let max = Duration::from_secs(setting("STEPWISE_LOAD_SECONDS", 60));

    db.migrate().await.expect("migrate");
    let mut tokens = students(&db, students_count + 1).await;
    db.pool.close().await;
    let day_token = tokens.pop().expect("a spare student");
    let server = Server::start(&args);
    let base = format!("http://{}", server.addr);
    println!("{name}: {students_count} students");
    push_load(&base, &tokens, rounds, concurrency, max).await;
    day_of_work(&server.addr, &day_token).await;
}

#[tokio::main]
async fn main() {
    // `cargo bench` passes `--bench`; a filter argument is not used here.
    println!(
        "machine: {} cores, {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        std::env::consts::ARCH
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let sqlite = Db::open(None, dir.path()).await.expect("open SQLite");
    run(
        "SQLite",
        vec!["--data-dir".into(), dir.path().display().to_string()],
        sqlite,
    )
    .await;

    if let Ok(base) = std::env::var("STEPWISE_TEST_POSTGRES") {
        let url = fresh_postgres(&base).await;
        let db = Db::open(Some(&url), Path::new("."))
            .await
            .expect("open PostgreSQL");
        run("PostgreSQL", vec!["--database".into(), url], db).await;
    } else {
        println!(
            "PostgreSQL: skipped (set STEPWISE_TEST_POSTGRES; tests/postgres.sh start prints it)"
        );
    }
}

async fn fresh_postgres(base: &str) -> String {
    let name = format!("stepwise_load_{}", std::process::id());
    let mut conn = sqlx::PgConnection::connect(base)
        .await
        .expect("connect to the PostgreSQL cluster");
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS {name}"
    )))
    .execute(&mut conn)
    .await
    .expect("drop an old load database");
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .expect("create the load database");
    let (prefix, _) = base.rsplit_once('/').expect("the URL names a database");
    format!("{prefix}/{name}")
}
