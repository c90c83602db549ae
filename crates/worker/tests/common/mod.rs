//! What the worker tests share: running each test on SQLite and on a fresh PostgreSQL
//! database, a clock the test moves by hand, workers that notice changes quickly, handlers
//! that count, fail or block, and a way to wait for the database to reach a state.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use async_trait::async_trait;
use jiff::{SignedDuration, Timestamp};
use std::future::Future;
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use stint_domain::clock::Clock;
use stint_store::{Enqueued, Job, NewJob, Store};
use stint_worker::{Handler, JobError, Periodic, Registry, Worker, WorkerSettings};
use tokio::sync::{Notify, oneshot};
use tokio::task::JoinHandle;

/// Runs each named `async fn(String)` (given a database URL) on both backends. The
/// PostgreSQL tests are ignored, with the reason, when the tests were built without
/// `STINT_TEST_POSTGRES_URL` (never with `CI=true`; see `stint-testkit`).
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let db = stint_store::testing::fresh_sqlite();
                    super::$name(db.url().to_string()).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                #[cfg_attr(not(peer_postgres), ignore = "needs PostgreSQL: set STINT_TEST_POSTGRES_URL")]
                async fn $name() {
                    let db = stint_store::testing::fresh_postgres().await;
                    super::$name(db.url().to_string()).await;
                }
            )*
        }
    };
}

pub async fn open(url: &str) -> Arc<dyn Store> {
    match stint_store::open(url).await {
        Ok(s) => s,
        Err(e) => panic!("cannot open {url}: {e}"),
    }
}

/// A clock that moves only when the test says so, starting on a ten-minute boundary.
pub struct TestClock(AtomicI64);

pub const START: i64 = 1_800_000_000;

impl TestClock {
    pub fn new() -> Arc<TestClock> {
        Arc::new(TestClock(AtomicI64::new(START)))
    }

    pub fn advance(&self, secs: i64) {
        self.0.fetch_add(secs, Ordering::SeqCst);
    }
}

impl Clock for TestClock {
    fn now(&self) -> Timestamp {
        Timestamp::from_second(self.0.load(Ordering::SeqCst)).unwrap()
    }
}

pub fn t(secs: i64) -> Timestamp {
    Timestamp::from_second(START + secs).unwrap()
}

/// Settings for tests: a named worker that polls every 10 ms (real time), with the default
/// 60-second lease (clock time) and a heartbeat too slow to matter unless a test wants it.
pub fn settings(name: &str) -> WorkerSettings {
    WorkerSettings {
        name: name.into(),
        lease: Duration::from_secs(60),
        heartbeat_every: Duration::from_secs(3600),
        batch: 4,
        idle_max: Duration::from_millis(10),
        grace: Duration::from_secs(10),
    }
}

/// A running worker and the means to stop it gracefully or to kill it.
pub struct Running {
    pub stop: Option<oneshot::Sender<()>>,
    pub task: JoinHandle<()>,
}

pub fn start(worker: Worker) -> Running {
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(worker.run(async {
        let _ = stopped.await;
    }));
    Running {
        stop: Some(stop),
        task,
    }
}

impl Running {
    /// Asks the worker to stop and waits until it has.
    pub async fn stop(mut self) {
        let _ = self.stop.take().unwrap().send(());
        tokio::time::timeout(Duration::from_secs(20), self.task)
            .await
            .expect("the worker stops")
            .unwrap();
    }

    /// A crash: the worker's task is gone at once, its jobs' tasks with it.
    pub async fn kill(self) {
        self.task.abort();
        assert!(self.task.await.unwrap_err().is_cancelled());
    }
}

pub fn worker(
    store: &Arc<dyn Store>,
    clock: &Arc<TestClock>,
    name: &str,
    registry: Registry,
) -> Worker {
    Worker::new(store.clone(), clock.clone(), registry, settings(name))
}

pub fn job(kind: &str, due: Timestamp, max_attempts: u32) -> NewJob {
    NewJob {
        kind: kind.into(),
        payload: "{}".into(),
        dedupe_key: None,
        due_at: due,
        max_attempts,
    }
}

pub async fn enqueue(store: &Arc<dyn Store>, job: NewJob, now: Timestamp) -> i64 {
    match store.enqueue(&job, now).await.unwrap() {
        Enqueued::New(id) => id,
        Enqueued::Duplicate(id) => panic!("job {id} was already there"),
    }
}

/// Waits (briefly, in real time) until `check` holds; the workers are real tasks.
pub async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while !check().await {
        assert!(tokio::time::Instant::now() < deadline, "timed out: {what}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Lets the workers' tasks run a few rounds, for checking that something does NOT happen.
pub async fn let_workers_run() {
    tokio::time::sleep(Duration::from_millis(150)).await;
}

pub async fn job_now(store: &Arc<dyn Store>, id: i64) -> Job {
    store.job(id).await.unwrap().unwrap()
}

/// Records which job ids it ran.
#[derive(Default)]
pub struct Counting {
    pub ran: Mutex<Vec<i64>>,
}

#[async_trait]
impl Handler for Counting {
    async fn run(&self, job: &Job) -> Result<(), JobError> {
        tokio::task::yield_now().await;
        self.ran.lock().unwrap().push(job.id);
        Ok(())
    }
}

/// Always fails, saying which attempt it was.
pub struct Failing {
    pub retry: bool,
}

#[async_trait]
impl Handler for Failing {
    async fn run(&self, job: &Job) -> Result<(), JobError> {
        Err(JobError {
            message: format!("boom on attempt {}", job.attempts),
            retry: self.retry,
        })
    }
}

/// Blocks its first run until `release` is notified (never, unless the test does); later
/// runs finish at once. Counts runs started, finished, and first runs stopped mid-way.
#[derive(Default)]
pub struct Blocking {
    pub started: AtomicUsize,
    pub finished: AtomicUsize,
    pub stopped: AtomicUsize,
    pub release: Notify,
}

/// Counts a run as stopped when it is dropped before finishing.
struct StopGuard<'a>(&'a AtomicUsize, bool);

impl Drop for StopGuard<'_> {
    fn drop(&mut self) {
        if !self.1 {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
}

#[async_trait]
impl Handler for Blocking {
    async fn run(&self, _job: &Job) -> Result<(), JobError> {
        let first = self.started.fetch_add(1, Ordering::SeqCst) == 0;
        let mut guard = StopGuard(&self.stopped, false);
        if first {
            self.release.notified().await;
        }
        guard.1 = true;
        self.finished.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
}

impl Blocking {
    pub fn started(&self) -> usize {
        self.started.load(Ordering::SeqCst)
    }
    pub fn finished(&self) -> usize {
        self.finished.load(Ordering::SeqCst)
    }
    pub fn stopped(&self) -> usize {
        self.stopped.load(Ordering::SeqCst)
    }
}

pub fn registry(kind: &str, handler: Arc<dyn Handler>) -> Registry {
    Registry::new().with(kind, handler)
}

pub fn ticks(every_secs: u64) -> Periodic {
    Periodic::new("tick", Duration::from_secs(every_secs))
}

pub fn secs(d: SignedDuration) -> i64 {
    d.as_secs()
}
