//! SQLite's group commit for booking claims. With `synchronous = FULL` every commit waits
//! for the disk, so claims that arrive together are written in one transaction: one disk
//! sync serves many bookings. Each claim runs inside its own savepoint, so one that fails
//! (an overlap, a reused key) is rolled back alone; nobody hears "booked" before the
//! commit that makes it durable.

use super::claim::{SQLITE_CLAIM, bind_new};
use crate::StoreError;
use crate::interfaces::{IdempotencyKey, NewBooking, Result};
use jiff::Timestamp;
use sqlx::{AnyPool, Row};
use stint_domain::booking::BookingId;
use tokio::sync::{mpsc, oneshot};

/// The most claims one transaction carries; more wait for the next.
const MAX_BATCH: usize = 64;

/// A claim's write, to run in the next batch.
struct Job {
    new: NewBooking,
    key: Option<IdempotencyKey>,
    version: i64,
    now: Timestamp,
    /// `Some(id)` made, `None` the mentor's version had moved on.
    reply: oneshot::Sender<Result<Option<BookingId>>>,
}

/// The queue in front of SQLite's single writer; cheap to clone.
#[derive(Clone)]
pub(super) struct ClaimQueue {
    jobs: mpsc::Sender<Job>,
}

impl ClaimQueue {
    /// Starts the writer task; it ends when the last queue handle is dropped.
    pub(super) fn start(writer: AnyPool) -> ClaimQueue {
        let (jobs, rx) = mpsc::channel(4 * MAX_BATCH);
        tokio::spawn(run(writer, rx));
        ClaimQueue { jobs }
    }

    /// Writes one claim in the next batch: the booking's id, or `None` if the mentor's
    /// version was no longer `version`.
    pub(super) async fn write(
        &self,
        new: &NewBooking,
        key: Option<&IdempotencyKey>,
        version: i64,
        now: Timestamp,
    ) -> Result<Option<BookingId>> {
        let (reply, answer) = oneshot::channel();
        let job = Job {
            new: new.clone(),
            key: key.cloned(),
            version,
            now,
            reply,
        };
        let stopped = || StoreError::Backend("the SQLite claim writer has stopped".into());
        self.jobs.send(job).await.map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

async fn run(writer: AnyPool, mut jobs: mpsc::Receiver<Job>) {
    while let Some(first) = jobs.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        write_batch(&writer, batch).await;
    }
}

async fn write_batch(writer: &AnyPool, batch: Vec<Job>) {
    let fail_all = |batch: Vec<Job>, why: &str| {
        for job in batch {
            let _ = job
                .reply
                .send(Err(StoreError::Backend(why.to_string().into())));
        }
    };
    let mut tx = match writer.begin_with("BEGIN IMMEDIATE").await {
        Ok(tx) => tx,
        Err(e) => return fail_all(batch, &format!("starting the claim batch: {e}")),
    };
    let mut results = Vec::with_capacity(batch.len());
    for job in &batch {
        let written = bind_new(
            SQLITE_CLAIM,
            &job.new,
            job.key.as_ref(),
            job.now,
            job.version,
        )
        .fetch_all(&mut *tx)
        .await;
        let result = match written {
            Ok(rows) => match rows.first().map(|r| r.try_get::<i64, _>("id")) {
                Some(Ok(id)) => Ok(Some(BookingId(id))),
                Some(Err(e)) => Err(e.into()),
                None => Ok(None),
            },
            Err(e) => {
                // The claim stopped part-way: undo just its own statements.
                if let Err(undo) = sqlx::query("ROLLBACK TO claim; RELEASE claim")
                    .execute(&mut *tx)
                    .await
                {
                    return fail_all(batch, &format!("undoing a failed claim: {undo}"));
                }
                Err(super::claim::claim_error(e))
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
