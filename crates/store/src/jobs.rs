//! The storage interface of the durable job queue: enqueue (with a dedupe key), lease due
//! jobs to one worker at a time, heartbeat, finish or fail with a retry time, and keep dead
//! jobs for operators. Every node and `stint worker` process shares it through the database.

use crate::interfaces::Result;
use async_trait::async_trait;
use jiff::Timestamp;

/// Where a job is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum JobState {
    /// Waiting for its due time, or for a worker.
    Queued,
    /// Leased to a worker until `lease_until`.
    Running,
    Done,
    /// Failed its last attempt; kept for an operator to read and retry.
    Dead,
}

impl JobState {
    pub const ALL: [JobState; 4] = [
        JobState::Queued,
        JobState::Running,
        JobState::Done,
        JobState::Dead,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Done => "done",
            JobState::Dead => "dead",
        }
    }

    pub fn parse(s: &str) -> Option<JobState> {
        JobState::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A job to add.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewJob {
    /// What runs it (a handler registered under this name).
    pub kind: String,
    /// The handler's input, JSON.
    pub payload: String,
    /// At most one queued or running job per key: enqueueing the same work twice (a periodic
    /// sweep from every node, a reminder planned again) adds nothing.
    pub dedupe_key: Option<String>,
    pub due_at: Timestamp,
    /// Attempts before the job is dead (at least 1).
    pub max_attempts: u32,
}

/// What enqueueing did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Enqueued {
    New(i64),
    /// A live job with the same dedupe key was already there; its id.
    Duplicate(i64),
}

/// A job as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    pub id: i64,
    pub kind: String,
    pub payload: String,
    pub dedupe_key: Option<String>,
    pub state: JobState,
    pub due_at: Timestamp,
    /// Attempts started so far, this one included while running.
    pub attempts: u32,
    pub max_attempts: u32,
    pub lease_until: Option<Timestamp>,
    pub worker: Option<String>,
    pub last_error: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// The durable job queue.
#[async_trait]
pub trait JobStore: Send + Sync {
    async fn enqueue(&self, job: &NewJob, now: Timestamp) -> Result<Enqueued>;
    /// Enqueues every job of `jobs` in one transaction (one commit, however many), each as
    /// [`Self::enqueue`] would: a job whose dedupe key a live job holds is left out. How many
    /// were new.
    async fn enqueue_all(&self, jobs: &[NewJob], now: Timestamp) -> Result<u64>;

    /// Leases up to `limit` jobs to `worker` until `lease_until`: queued jobs that are due,
    /// and running jobs whose lease ran out (their worker died). Each lease counts an attempt.
    /// Two workers never lease the same job at once (PostgreSQL: `FOR UPDATE SKIP LOCKED`;
    /// SQLite: the single writer).
    async fn lease_jobs(
        &self,
        worker: &str,
        now: Timestamp,
        lease_until: Timestamp,
        limit: u32,
    ) -> Result<Vec<Job>>;

    /// Extends a lease; `false` if the job is no longer this worker's (its lease ran out and
    /// another worker took it, or it finished).
    async fn heartbeat(
        &self,
        id: i64,
        worker: &str,
        lease_until: Timestamp,
        now: Timestamp,
    ) -> Result<bool>;

    /// Marks a leased job done; `false` if it is no longer this worker's.
    async fn complete_job(&self, id: i64, worker: &str, now: Timestamp) -> Result<bool>;

    /// Marks leased jobs done in one statement; answers those that were still this
    /// worker's (the others are left as they are).
    async fn complete_jobs(&self, ids: &[i64], worker: &str, now: Timestamp) -> Result<Vec<i64>>;

    /// Records a failed attempt: queued again for `retry_at`, or dead when `None`.
    /// `false` if the job is no longer this worker's.
    async fn fail_job(
        &self,
        id: i64,
        worker: &str,
        error: &str,
        retry_at: Option<Timestamp>,
        now: Timestamp,
    ) -> Result<bool>;

    /// Hands back every job still leased to `worker` (a worker stopping before they finish):
    /// queued again, due at `now`, the interrupted attempt not counted, so another worker
    /// takes them at once instead of after their leases. Returns how many.
    async fn release_jobs(&self, worker: &str, now: Timestamp) -> Result<u64>;

    async fn job(&self, id: i64) -> Result<Option<Job>>;
    /// Jobs in `state` (all when `None`), most recently changed first.
    async fn jobs(
        &self,
        state: Option<JobState>,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<Job>>;
    /// How many jobs are in each state.
    async fn job_counts(&self) -> Result<Vec<(JobState, u64)>>;
    /// When the earliest queued job is due, so an idle worker knows how long to sleep.
    async fn next_due(&self) -> Result<Option<Timestamp>>;

    /// Puts a dead job back in the queue, due at `now`, with `max_attempts` more attempts.
    /// `NotFound` if there is no dead job with this id; `Conflict { field: "dedupe_key" }` if
    /// a live job with its dedupe key exists.
    async fn retry_job(&self, id: i64, now: Timestamp) -> Result<()>;
}
