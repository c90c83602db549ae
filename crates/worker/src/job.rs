//! One leased job, from start to its recorded outcome: the handler runs in its own task while
//! a heartbeat renews the lease; if the lease is lost, the handler is stopped and nothing is
//! recorded, because the job is no longer this worker's.

use crate::handler::JobError;
use crate::retry::retry_at;
use crate::time::after;
use crate::worker::Shared;
use std::sync::Arc;
use stint_store::Job;
use tokio::task::JoinHandle;
use tracing::Instrument;

/// Aborts the handler's task when the job's driver goes away (lease lost, grace period over,
/// the worker dropped), so a job never runs on unwatched, without a heartbeat.
struct AbortOnDrop<T>(JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Runs `job` to its end and records the outcome. Everything logged meanwhile, by the
/// handler too, carries the job's id, kind and attempt.
#[tracing::instrument(
    name = "job", skip_all,
    fields(job = job.id, kind = %job.kind, attempt = job.attempts, worker = %shared.settings.name)
)]
pub(crate) async fn drive(shared: Arc<Shared>, job: Job) {
    if job.attempts > job.max_attempts {
        // Leased again after a worker died (or was stopped) during the last attempt.
        let error = JobError::fatal(format!(
            "its worker stopped during attempt {} of {} and no attempts are left",
            job.attempts - 1,
            job.max_attempts
        ));
        return record(&shared, &job, Err(error)).await;
    }
    let Some(handler) = shared.registry.get(&job.kind) else {
        // Retried, not killed: during a rolling deploy an older worker may lease a kind only
        // newer ones know; backing off leaves it to them. A kind nobody knows dies in the end.
        let error = JobError::retry(format!(
            "no handler for job kind `{}` in worker {} (it knows: {})",
            job.kind,
            shared.settings.name,
            shared.registry.kinds().collect::<Vec<_>>().join(", ")
        ));
        return record(&shared, &job, Err(error)).await;
    };
    tracing::debug!(job = job.id, kind = %job.kind, attempt = job.attempts, "running job");
    // A spawned task does not inherit the span by itself.
    let mut task = AbortOnDrop(tokio::spawn(
        {
            let job = job.clone();
            async move { handler.run(&job).await }
        }
        .instrument(tracing::Span::current()),
    ));
    let outcome = tokio::select! {
        joined = &mut task.0 => match joined {
            Ok(outcome) => outcome,
            Err(e) if e.is_panic() => Err(JobError::retry("the handler panicked")),
            Err(_) => return,
        },
        () = keep_leased(&shared, &job) => {
            tracing::warn!(
                job = job.id, kind = %job.kind,
                "lost the lease of a running job (it ran past its lease, or it was finished \
                 elsewhere); stopped it without recording anything"
            );
            return;
        }
    };
    record(&shared, &job, outcome).await;
}

/// Renews the lease every `heartbeat_every`; returns only once the lease is lost.
async fn keep_leased(shared: &Shared, job: &Job) {
    let s = &shared.settings;
    loop {
        tokio::time::sleep(s.heartbeat_every).await;
        let now = shared.clock.now();
        match shared
            .store
            .heartbeat(job.id, &s.name, after(now, s.lease), now)
            .await
        {
            Ok(true) => {}
            Ok(false) => return,
            // The lease still holds for a while; the next heartbeat may get through.
            Err(e) => tracing::warn!(job = job.id, error = %e, "heartbeat failed; will retry"),
        }
    }
}

/// Writes the outcome: done, queued again after a backoff, or dead.
async fn record(shared: &Shared, job: &Job, outcome: Result<(), JobError>) {
    let name = &shared.settings.name;
    let now = shared.clock.now();
    let written = match &outcome {
        Ok(()) => shared.completions.complete(job.id).await,
        Err(error) => {
            let retry = retry_at(job, error, now);
            match retry {
                Some(at) => tracing::warn!(
                    job = job.id, kind = %job.kind, attempt = job.attempts, error = %error,
                    retry_at = %at, "job failed; will retry"
                ),
                None => tracing::error!(
                    job = job.id, kind = %job.kind, attempt = job.attempts, error = %error,
                    "job failed for good; it is dead until an operator retries it"
                ),
            }
            shared
                .store
                .fail_job(job.id, name, &error.message, retry, now)
                .await
                .map_err(|e| e.to_string())
        }
    };
    match written {
        Ok(true) => {
            tracing::debug!(job = job.id, kind = %job.kind, ok = outcome.is_ok(), "job recorded")
        }
        Ok(false) => tracing::warn!(
            job = job.id, kind = %job.kind,
            "the job's lease ran out before it finished; another worker may run it again"
        ),
        // Left running: once its lease runs out the job is leased and run again.
        Err(e) => tracing::error!(job = job.id, error = %e, "could not record the job's outcome"),
    }
}
