//! The job queue in SQL. One statement leases: it picks due jobs (and expired leases) and
//! marks them running for one worker; on PostgreSQL `FOR UPDATE SKIP LOCKED` lets many
//! workers lease side by side without waiting on or taking each other's jobs, on SQLite the
//! single writer does the same by running one lease at a time.

use super::SqlStore;
use super::bookings::ts;
use crate::StoreError;
use crate::error::is_unique_violation;
use crate::interfaces::Result;
use crate::jobs::{Enqueued, Job, JobState, JobStore, NewJob};
use crate::migrations::Backend;
use async_trait::async_trait;
use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

const COLUMNS: &str = "id, kind, payload, dedupe_key, state, due_at, attempts, max_attempts, \
                       lease_until, worker, last_error, created_at, updated_at";

fn job_from(r: &AnyRow) -> Result<Job> {
    let state: String = r.try_get("state")?;
    let count = |col: &str| -> Result<u32> {
        Ok(u32::try_from(r.try_get::<i64, _>(col)?).unwrap_or(u32::MAX))
    };
    Ok(Job {
        id: r.try_get("id")?,
        kind: r.try_get("kind")?,
        payload: r.try_get("payload")?,
        dedupe_key: r.try_get("dedupe_key")?,
        state: JobState::parse(&state)
            .ok_or_else(|| StoreError::Backend(format!("unknown job state {state}").into()))?,
        due_at: ts(r.try_get("due_at")?)?,
        attempts: count("attempts")?,
        max_attempts: count("max_attempts")?,
        lease_until: r
            .try_get::<Option<i64>, _>("lease_until")?
            .map(ts)
            .transpose()?,
        worker: r.try_get("worker")?,
        last_error: r.try_get("last_error")?,
        created_at: ts(r.try_get("created_at")?)?,
        updated_at: ts(r.try_get("updated_at")?)?,
    })
}

/// Errors are kept for people to read, not whole backtraces.
fn clip(error: &str) -> String {
    error.chars().take(2000).collect()
}

#[async_trait]
impl JobStore for SqlStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn enqueue(&self, job: &NewJob, now: Timestamp) -> Result<Enqueued> {
        let inserted = sqlx::query(AssertSqlSafe(format!("{INSERT} RETURNING id")))
            .bind(job.kind.clone())
            .bind(job.payload.clone())
            .bind(job.dedupe_key.clone())
            .bind(job.due_at.as_second())
            .bind(i64::from(job.max_attempts.max(1)))
            .bind(now.as_second())
            .fetch_optional(self.writer())
            .await?;
        if let Some(row) = inserted {
            return Ok(Enqueued::New(row.try_get("id")?));
        }
        let live = sqlx::query(
            "SELECT id FROM jobs WHERE dedupe_key = $1 AND state IN ('queued', 'running')",
        )
        .bind(job.dedupe_key.clone())
        .fetch_optional(self.writer())
        .await?;
        match live {
            Some(row) => Ok(Enqueued::Duplicate(row.try_get("id")?)),
            // The live one finished between the two statements: enqueue afresh.
            None => Box::pin(self.enqueue(job, now)).await,
        }
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn enqueue_all(&self, jobs: &[NewJob], now: Timestamp) -> Result<u64> {
        if jobs.is_empty() {
            return Ok(0);
        }
        let insert = |chunk: &[NewJob]| {
            let mut q = sqlx::query(AssertSqlSafe(insert_many(chunk.len())));
            for job in chunk {
                q = q
                    .bind(job.kind.clone())
                    .bind(job.payload.clone())
                    .bind(job.dedupe_key.clone())
                    .bind(job.due_at.as_second())
                    .bind(i64::from(job.max_attempts.max(1)))
                    .bind(now.as_second());
            }
            q
        };
        // A booking's plan is one statement, one round trip; only a list longer than one
        // statement takes needs a transaction around its statements.
        if jobs.len() <= INSERT_ROWS {
            return Ok(insert(jobs).execute(self.writer()).await?.rows_affected());
        }
        let mut tx = self.begin_write().await?;
        let mut new = 0;
        for chunk in jobs.chunks(INSERT_ROWS) {
            new += insert(chunk).execute(&mut *tx).await?.rows_affected();
        }
        tx.commit().await?;
        Ok(new)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn lease_jobs(
        &self,
        worker: &str,
        now: Timestamp,
        lease_until: Timestamp,
        limit: u32,
    ) -> Result<Vec<Job>> {
        let sql = format!(
            "UPDATE jobs SET state = 'running', worker = $1, lease_until = $2, \
             attempts = attempts + 1, updated_at = $3 \
             WHERE id IN ({}) RETURNING {COLUMNS}",
            due_sql(self.backend())
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(worker.to_string())
            .bind(lease_until.as_second())
            .bind(now.as_second())
            .bind(i64::from(limit))
            .fetch_all(self.writer())
            .await?;
        let mut jobs = rows.iter().map(job_from).collect::<Result<Vec<_>>>()?;
        jobs.sort_by_key(|j| (j.due_at, j.id));
        Ok(jobs)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn heartbeat(
        &self,
        id: i64,
        worker: &str,
        lease_until: Timestamp,
        now: Timestamp,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE jobs SET lease_until = $1, updated_at = $2 \
             WHERE id = $3 AND worker = $4 AND state = 'running'",
        )
        .bind(lease_until.as_second())
        .bind(now.as_second())
        .bind(id)
        .bind(worker.to_string())
        .execute(self.writer())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn complete_job(&self, id: i64, worker: &str, now: Timestamp) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE jobs SET state = 'done', lease_until = NULL, updated_at = $1 \
             WHERE id = $2 AND worker = $3 AND state = 'running'",
        )
        .bind(now.as_second())
        .bind(id)
        .bind(worker.to_string())
        .execute(self.writer())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn complete_jobs(&self, ids: &[i64], worker: &str, now: Timestamp) -> Result<Vec<i64>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "UPDATE jobs SET state = 'done', lease_until = NULL, updated_at = $1 \
             WHERE {} AND worker = $3 AND state = 'running' RETURNING id",
            super::search::ids_in(self.backend(), "id", "$2")
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(now.as_second())
            .bind(serde_json::to_string(ids)?)
            .bind(worker.to_string())
            .fetch_all(self.writer())
            .await?;
        rows.iter()
            .map(|r| Ok(r.try_get::<i64, _>("id")?))
            .collect()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn fail_job(
        &self,
        id: i64,
        worker: &str,
        error: &str,
        retry_at: Option<Timestamp>,
        now: Timestamp,
    ) -> Result<bool> {
        let q = match retry_at {
            Some(at) => sqlx::query(
                "UPDATE jobs SET state = 'queued', due_at = $1, lease_until = NULL, worker = NULL, \
                 last_error = $2, updated_at = $3 WHERE id = $4 AND worker = $5 AND state = 'running'",
            )
            .bind(at.as_second()),
            None => sqlx::query(
                "UPDATE jobs SET state = 'dead', lease_until = NULL, last_error = $1, updated_at = $2 \
                 WHERE id = $3 AND worker = $4 AND state = 'running'",
            ),
        };
        let done = q
            .bind(clip(error))
            .bind(now.as_second())
            .bind(id)
            .bind(worker.to_string())
            .execute(self.writer())
            .await?;
        Ok(done.rows_affected() == 1)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn release_jobs(&self, worker: &str, now: Timestamp) -> Result<u64> {
        let done = sqlx::query(
            "UPDATE jobs SET state = 'queued', due_at = $1, attempts = attempts - 1, \
             lease_until = NULL, worker = NULL, updated_at = $1 \
             WHERE worker = $2 AND state = 'running'",
        )
        .bind(now.as_second())
        .bind(worker.to_string())
        .execute(self.writer())
        .await?;
        Ok(done.rows_affected())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn job(&self, id: i64) -> Result<Option<Job>> {
        let sql = format!("SELECT {COLUMNS} FROM jobs WHERE id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(self.reader())
            .await?;
        row.as_ref().map(job_from).transpose()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn jobs(
        &self,
        state: Option<JobState>,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<Job>> {
        let sql = list_sql(state.is_some());
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(state.map_or("", JobState::as_str).to_string())
            .bind(before.unwrap_or(i64::MAX))
            .bind(i64::from(limit))
            .fetch_all(self.reader())
            .await?;
        rows.iter().map(job_from).collect()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn job_counts(&self) -> Result<Vec<(JobState, u64)>> {
        let rows = sqlx::query("SELECT state, COUNT(*) AS n FROM jobs GROUP BY state")
            .fetch_all(self.reader())
            .await?;
        let mut counts: Vec<(JobState, u64)> = JobState::ALL.iter().map(|s| (*s, 0)).collect();
        for r in &rows {
            let state: String = r.try_get("state")?;
            let n: i64 = r.try_get("n")?;
            if let Some(c) = counts
                .iter_mut()
                .find(|(s, _)| Some(*s) == JobState::parse(&state))
            {
                c.1 = u64::try_from(n).unwrap_or(0);
            }
        }
        Ok(counts)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn next_due(&self) -> Result<Option<Timestamp>> {
        let row = sqlx::query(
            "SELECT MIN(t) AS t FROM (\
               SELECT MIN(due_at) AS t FROM jobs WHERE state = 'queued' \
               UNION ALL SELECT MIN(lease_until) FROM jobs WHERE state = 'running') AS next",
        )
        .fetch_one(self.reader())
        .await?;
        row.try_get::<Option<i64>, _>("t")?.map(ts).transpose()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn retry_job(&self, id: i64, now: Timestamp) -> Result<()> {
        let done = sqlx::query(
            "UPDATE jobs SET state = 'queued', due_at = $1, max_attempts = attempts + max_attempts, \
             lease_until = NULL, worker = NULL, updated_at = $1 WHERE id = $2 AND state = 'dead'",
        )
        .bind(now.as_second())
        .bind(id)
        .execute(self.writer())
        .await;
        match done {
            Ok(d) if d.rows_affected() == 1 => Ok(()),
            Ok(_) => Err(StoreError::NotFound),
            Err(e) if is_unique_violation(&e) => Err(StoreError::conflict(
                "dedupe_key",
                "a job with the same dedupe key is already queued or running",
            )),
            Err(e) => Err(e.into()),
        }
    }
}

/// The jobs a lease takes: `$3` now, `$4` how many; queued ones due by now (found by
/// `jobs_state_due`, migration 27, by state and due time together) and running ones whose
/// lease ran out, earliest first. On PostgreSQL rows another worker is leasing are skipped.
pub(super) fn due_sql(backend: Backend) -> String {
    let lock = match backend {
        Backend::Postgres => "FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    };
    // Two searches, each in its index's order and stopped at the limit, then the earliest of
    // both: one `WHERE` with an `OR` of the two made PostgreSQL read every due job and sort
    // them on each lease (15 ms with a backlog of 20,000, most of the worker's time).
    format!(
        "SELECT id FROM ( \
           SELECT id, due_at FROM (SELECT id, due_at FROM jobs \
             WHERE state = 'queued' AND due_at <= $3 ORDER BY due_at, id LIMIT $4 {lock}) queued \
           UNION ALL \
           SELECT id, due_at FROM (SELECT id, due_at FROM jobs \
             WHERE state = 'running' AND lease_until < $3 ORDER BY lease_until LIMIT $4 {lock}) lapsed \
         ) due ORDER BY due_at, id LIMIT $4"
    )
}

/// A page of the operators' job list, newest first by id (a cursor no change to a job moves):
/// `$1` the state (written as a plain equality only when `of_one_state`, so `jobs_state_id`,
/// migration 26, answers it), `$2` the `before` id, `$3` the limit.
pub(super) fn list_sql(of_one_state: bool) -> String {
    let state = if of_one_state {
        "state = $1"
    } else {
        "$1 = ''"
    };
    format!("SELECT {COLUMNS} FROM jobs WHERE {state} AND id < $2 ORDER BY id DESC LIMIT $3")
}

/// Nothing is written over a live job with the same dedupe key.
macro_rules! live_conflict {
    () => {
        "ON CONFLICT (dedupe_key) WHERE dedupe_key IS NOT NULL \
         AND state IN ('queued', 'running') DO NOTHING"
    };
}

/// Jobs one `INSERT` writes: six values each, well under SQLite's 32,766.
const INSERT_ROWS: usize = 500;

/// `rows` jobs queued by one statement, each unless a live job holds its dedupe key (six
/// values a job, in the order of [`INSERT`]'s).
fn insert_many(rows: usize) -> String {
    let values: Vec<String> = (0..rows)
        .map(|i| {
            let n = i * 6;
            format!(
                "(${}, ${}, ${}, 'queued', ${}, 0, ${}, ${}, ${})",
                n + 1,
                n + 2,
                n + 3,
                n + 4,
                n + 5,
                n + 6,
                n + 6
            )
        })
        .collect();
    format!(
        "INSERT INTO jobs (kind, payload, dedupe_key, state, due_at, attempts, max_attempts, \
         created_at, updated_at) VALUES {} {}",
        values.join(", "),
        live_conflict!()
    )
}

/// Queues `job` inside `tx`, so it exists exactly when the record it belongs to is written
/// (unless a live job holds its dedupe key).
pub(super) async fn queue_in(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    job: &NewJob,
    now: Timestamp,
) -> Result<()> {
    sqlx::query(INSERT)
        .bind(job.kind.clone())
        .bind(job.payload.clone())
        .bind(job.dedupe_key.clone())
        .bind(job.due_at.as_second())
        .bind(i64::from(job.max_attempts.max(1)))
        .bind(now.as_second())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// A job queued, unless a live job holds its dedupe key: `$1` kind, `$2` payload, `$3` dedupe
/// key, `$4` due, `$5` attempts allowed, `$6` now.
const INSERT: &str = concat!(
    "INSERT INTO jobs (kind, payload, dedupe_key, state, due_at, attempts, max_attempts, \
     created_at, updated_at) VALUES ($1, $2, $3, 'queued', $4, 0, $5, $6, $6) ",
    live_conflict!()
);
