//! Group commit for booking claims: the claim writes that arrive together are written
//! together, so one commit (and one disk sync, one round trip) serves many bookings. Nobody
//! hears "booked" before the commit that makes it durable, and each claim keeps its own
//! outcome.
//!
//! - **SQLite** (`synchronous = FULL`, every commit waits for the disk): one transaction,
//!   each claim in a savepoint of its own, so one that fails (an overlap, a reused key) is
//!   rolled back alone.
//! - **PostgreSQL**: one statement for the whole batch (`write::write_postgres`). A claim
//!   whose mentor, idempotency key or paying wallet another claim of the batch already
//!   carries is answered `Moved` at once: only one of them could win (two holds on one wallet
//!   in one statement would both read the same funds), and the loser decides again on a
//!   fresh snapshot. Should the statement fail as a whole (an overlap the constraint refused,
//!   another node's claim with the same key), each claim is written again on its own, so each
//!   gets its own answer.
//!
//! One batch is written at a time: while it is on its way, the next one gathers. (Two at once
//! on PostgreSQL, over different mentors, measured slower: smaller batches, more contention.)

use super::claim_error;
use super::write::{ClaimWrite, Written, write_postgres, write_sqlite};
use crate::StoreError;
use crate::interfaces::{IdempotencyKey, NewBooking, Result};
use crate::migrations::Backend;
use jiff::Timestamp;
use sqlx::AnyPool;
use std::collections::{HashMap, HashSet};
use stint_domain::ids::UserId;
use tokio::sync::{mpsc, oneshot};

/// The most claims one transaction carries; more wait for the next.
const MAX_BATCH: usize = 64;

/// A claim's write, to run in the next batch.
struct Job {
    new: NewBooking,
    key: Option<IdempotencyKey>,
    version: i64,
    now: Timestamp,
    reply: oneshot::Sender<Result<Written>>,
}

impl Job {
    fn claim(&self) -> ClaimWrite<'_> {
        ClaimWrite {
            new: &self.new,
            key: self.key.as_ref(),
            version: self.version,
            now: self.now,
        }
    }
}

/// The queue in front of the claim writer; cheap to clone.
#[derive(Clone)]
pub(crate) struct ClaimQueue {
    jobs: mpsc::Sender<Job>,
}

impl ClaimQueue {
    /// Starts the writer task; it ends when the last queue handle is dropped.
    pub(crate) fn start(writer: AnyPool, backend: Backend) -> ClaimQueue {
        let (jobs, rx) = mpsc::channel(4 * MAX_BATCH);
        tokio::spawn(run(writer, backend, rx));
        ClaimQueue { jobs }
    }

    /// Writes one claim in the next batch.
    pub(crate) async fn write(&self, claim: ClaimWrite<'_>) -> Result<Written> {
        let (reply, answer) = oneshot::channel();
        let job = Job {
            new: claim.new.clone(),
            key: claim.key.cloned(),
            version: claim.version,
            now: claim.now,
            reply,
        };
        let stopped = || StoreError::Backend("the claim writer has stopped".into());
        self.jobs.send(job).await.map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

/// Writes batches one after another until every queue handle is gone.
async fn run(writer: AnyPool, backend: Backend, mut jobs: mpsc::Receiver<Job>) {
    while let Some(first) = jobs.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        match backend {
            Backend::Sqlite => write_batch_sqlite(&writer, batch).await,
            Backend::Postgres => write_batch_postgres(&writer, batch).await,
        }
    }
}

fn fail_all(batch: Vec<Job>, why: &str) {
    for job in batch {
        let _ = job
            .reply
            .send(Err(StoreError::Backend(why.to_string().into())));
    }
}

async fn write_batch_sqlite(writer: &AnyPool, batch: Vec<Job>) {
    let mut tx = match writer.begin_with("BEGIN IMMEDIATE").await {
        Ok(tx) => tx,
        Err(e) => return fail_all(batch, &format!("starting the claim batch: {e}")),
    };
    let mut results = Vec::with_capacity(batch.len());
    for job in &batch {
        let result = match write_sqlite(&mut tx, job.claim()).await {
            Ok(written) => Ok(written),
            Err(e) => {
                // The claim stopped part-way: undo just its own statements.
                if let Err(undo) = sqlx::query("ROLLBACK TO claim; RELEASE claim")
                    .execute(&mut *tx)
                    .await
                {
                    return fail_all(batch, &format!("undoing a failed claim: {undo}"));
                }
                Err(claim_error(e))
            }
        };
        results.push(result);
    }
    if let Err(e) = tx.commit().await {
        return fail_all(batch, &format!("committing the claim batch: {e}"));
    }
    for (job, result) in batch.into_iter().zip(results) {
        // The asker may have gone (a dropped request); the booking stands either way.
        let _ = job.reply.send(result);
    }
}

async fn write_batch_postgres(writer: &AnyPool, batch: Vec<Job>) {
    let (go, lost) = one_per_mentor_and_key(batch);
    for job in lost {
        let _ = job.reply.send(Ok(Written::Moved));
    }
    if go.len() > 1 {
        let claims: Vec<ClaimWrite<'_>> = go.iter().map(Job::claim).collect();
        // Something may refuse the batch as a whole; then each claim is written alone below.
        if let Ok(written) = write_postgres(writer, &claims).await {
            for (job, w) in go.into_iter().zip(written) {
                let _ = job.reply.send(Ok(w));
            }
            return;
        }
    }
    for job in go {
        let written = write_postgres(writer, &[job.claim()])
            .await
            .map_err(claim_error)
            .and_then(|mut w| {
                w.pop()
                    .ok_or_else(|| StoreError::Backend("a claim write answered nothing".into()))
            });
        let _ = job.reply.send(written);
    }
}

/// Splits a batch into the claims to write and those that lost already: per mentor only the
/// claim that read the newest version can still win, per (mentee, key) only the first, and
/// per paying mentee only the first that costs credits.
fn one_per_mentor_and_key(batch: Vec<Job>) -> (Vec<Job>, Vec<Job>) {
    let mut newest: HashMap<UserId, i64> = HashMap::new();
    for job in &batch {
        let v = newest.entry(job.new.mentor_id).or_insert(job.version);
        *v = (*v).max(job.version);
    }
    let mut mentors = HashSet::new();
    let mut keys = HashSet::new();
    let mut payers = HashSet::new();
    let (mut go, mut lost) = (Vec::with_capacity(batch.len()), Vec::new());
    for job in batch {
        let newest_read = newest.get(&job.new.mentor_id) == Some(&job.version);
        let key_free = job
            .key
            .as_ref()
            .is_none_or(|k| keys.insert((job.new.mentee_id, k.key.clone())));
        let payer_free = job.new.total() == 0 || !payers.contains(&job.new.mentee_id);
        if newest_read && key_free && payer_free && mentors.insert(job.new.mentor_id) {
            if job.new.total() > 0 {
                payers.insert(job.new.mentee_id);
            }
            go.push(job);
        } else {
            lost.push(job);
        }
    }
    (go, lost)
}

#[cfg(test)]
mod tests {
    use super::*;
    use stint_domain::ids::SkuId;

    fn job(
        mentor: i64,
        version: i64,
        key: Option<&str>,
    ) -> (Job, oneshot::Receiver<Result<Written>>) {
        let (reply, answer) = oneshot::channel();
        let start = Timestamp::UNIX_EPOCH;
        let job = Job {
            new: NewBooking {
                mentor_id: UserId(mentor),
                mentee_id: UserId(100),
                sku_id: SkuId(1),
                sku_version: 1,
                start,
                end: start,
                meeting_url: String::new(),
                price: 0,
                bonus: 0,
            },
            key: key.map(|k| IdempotencyKey {
                key: k.into(),
                request_hash: "h".into(),
            }),
            version,
            now: start,
            reply,
        };
        (job, answer)
    }

    #[test]
    fn a_batch_keeps_one_claim_per_mentor_and_key_the_newest_read_first() {
        let jobs = vec![
            job(1, 4, None).0,
            job(1, 5, None).0, // read a newer version: this one can still win
            job(2, 1, Some("k")).0,
            job(3, 1, Some("k")).0, // the same mentee's key: only the first
            job(4, 1, Some("other")).0,
            job(1, 5, None).0, // the same mentor and version again: only one can win
        ];
        let (go, lost) = one_per_mentor_and_key(jobs);
        let picked: Vec<(i64, i64)> = go.iter().map(|j| (j.new.mentor_id.0, j.version)).collect();
        assert_eq!(picked, vec![(1, 5), (2, 1), (4, 1)]);
        assert_eq!(lost.len(), 3);
    }
}
