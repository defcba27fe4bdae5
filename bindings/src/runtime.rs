//! The one tokio runtime of the library, shared by every exported async
//! call and started on first use.
//!
//! Exported async functions hand their work to this runtime and await the
//! task's `JoinHandle`, which any executor can poll, so the futures that
//! Kotlin and Swift drive never need a tokio context of their own. reqwest,
//! which the sync client uses, needs a tokio runtime.

use std::future::Future;
use std::sync::OnceLock;

use tokio::runtime::{Builder, Runtime};
use tokio::task::JoinHandle;

/// Worker threads: phones have few cores, and long work here is a few
/// downloads or a batch of checks at a time.
const WORKER_THREADS: usize = 2;

fn runtime() -> &'static Runtime {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        Builder::new_multi_thread()
            .worker_threads(WORKER_THREADS)
            .thread_name("stepwise-worker")
            .enable_all()
            .build()
            // Without threads the library cannot do any long work at all.
            .expect("failed to start the tokio runtime; the system may be out of threads")
    })
}

/// Runs blocking work (the checker, SQLite) on the runtime's blocking pool.
pub(crate) fn spawn_blocking<F, T>(work: F) -> JoinHandle<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    runtime().spawn_blocking(work)
}

/// Runs async work (network calls) on the runtime.
pub(crate) fn spawn<F>(work: F) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    runtime().spawn(work)
}

/// Runs async work whose future is not `Send` (it borrows a non-`Sync`
/// progress sink) on a thread of the blocking pool, inside the runtime so
/// that reqwest finds its reactor.
pub(crate) fn spawn_local_blocking<F, Fut>(work: F) -> JoinHandle<Fut::Output>
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: Future,
    Fut::Output: Send + 'static,
{
    let handle = runtime().handle().clone();
    runtime().spawn_blocking(move || handle.block_on(work()))
}
