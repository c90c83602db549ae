//! The operator's view of the durable job queue: counts per state, recent jobs, and putting
//! a dead job back in the queue. The API and the `/operator/jobs` page both call these, so
//! both read the filter the same way and answer a retry with the same errors.

use crate::App;
use crate::error::AppError;
use stint_domain::FieldErrors;
use stint_store::{Job, JobState, StoreError};

/// The most jobs one listing returns.
pub const MAX_LIMIT: u32 = 500;
/// How many jobs a listing returns when no limit is asked for.
pub const DEFAULT_LIMIT: u32 = 100;

/// A state filter: absent means every state; anything given must name one exactly.
pub fn parse_state(raw: Option<&str>) -> Result<Option<JobState>, FieldErrors> {
    match raw {
        None => Ok(None),
        Some(s) => JobState::parse(s)
            .map(Some)
            .ok_or_else(|| FieldErrors::single("state", "must be queued, running, done or dead")),
    }
}

/// A listing limit, 1 to 500; absent means the default. Digits only: `+5` or ` 5` are not
/// the integers the API documents.
pub fn parse_limit(raw: Option<&str>) -> Result<u32, FieldErrors> {
    crate::paging::whole_number(raw, "limit", DEFAULT_LIMIT, MAX_LIMIT)
}

/// What an operator sees of the queue.
pub struct Overview {
    /// Every state, in `JobState::ALL` order, with zero for a state that has no job.
    pub counts: Vec<(JobState, u64)>,
    /// Newest first.
    pub jobs: Vec<Job>,
    /// The `before` of the next, older page, when there is one.
    pub older_before: Option<i64>,
}

/// Every state, in `JobState::ALL` order, with zero for a state that has no job.
async fn counts(app: &App) -> Result<Vec<(JobState, u64)>, AppError> {
    let stored = app.store.job_counts().await?;
    Ok(JobState::ALL
        .into_iter()
        .map(|s| {
            let n = stored.iter().find(|(k, _)| *k == s).map_or(0, |(_, n)| *n);
            (s, n)
        })
        .collect())
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn overview(
    app: &App,
    filter: Option<JobState>,
    before: Option<i64>,
    limit: u32,
) -> Result<Overview, AppError> {
    let counts = counts(app).await?;
    let found = app.store.jobs(filter, before, limit + 1).await?;
    let (jobs, older_before) = crate::paging::split(found, limit, |j| j.id);
    Ok(Overview {
        counts,
        jobs,
        older_before,
    })
}

/// The queue as an operator's monitoring sees it: how many jobs are in each state, and how
/// long the job that has waited longest for a worker has waited.
pub struct QueueStats {
    /// Every state, in `JobState::ALL` order.
    pub counts: Vec<(JobState, u64)>,
    /// Zero when nothing is due. A job waits from when it falls due, or, when a worker died
    /// holding it, from when its lease ran out: either way no worker is taking it, which is
    /// what a growing age means.
    pub oldest_due_age: std::time::Duration,
}

/// Two cheap reads: the counts per state, and the earliest time anything became leasable.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn queue_stats(app: &App) -> Result<QueueStats, AppError> {
    let counts = counts(app).await?;
    let now = app.now();
    let oldest_due_age = match app.store.next_due().await? {
        Some(due) if due < now => now
            .duration_since(due)
            .try_into()
            .unwrap_or(std::time::Duration::ZERO),
        _ => std::time::Duration::ZERO,
    };
    Ok(QueueStats {
        counts,
        oldest_due_age,
    })
}

/// Puts a dead job back in the queue, due now, and returns it as it now stands.
/// 404 unless the job exists and is dead; 409 naming `dedupe_key` when a live job holds
/// its key (retrying would run the same work twice).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn retry(app: &App, id: i64) -> Result<Job, AppError> {
    match app.store.retry_job(id, app.now()).await {
        Ok(()) => {}
        Err(StoreError::NotFound) => return Err(AppError::not_found("dead job")),
        Err(StoreError::Conflict { field, .. }) => {
            return Err(AppError::field(
                crate::ErrorKind::Conflict,
                "conflict",
                field,
                "a queued or running job already holds this dedupe key; \
                 let it finish before retrying this one",
            ));
        }
        Err(e) => return Err(e.into()),
    }
    app.store
        .job(id)
        .await?
        .ok_or_else(|| AppError::not_found("dead job"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_name_the_field_they_refuse() {
        assert_eq!(parse_state(None), Ok(None));
        assert!(parse_state(Some("")).is_err());
        assert_eq!(parse_state(Some("dead")), Ok(Some(JobState::Dead)));
        assert!(parse_state(Some("Dead")).is_err_and(|e| e.get("state").is_some()));
        assert_eq!(parse_limit(None), Ok(DEFAULT_LIMIT));
        assert_eq!(parse_limit(Some("1")), Ok(1));
        assert_eq!(parse_limit(Some("500")), Ok(500));
        for bad in ["0", "501", "-1", "ten", "", "+5", " 5", "99999999999"] {
            assert!(
                parse_limit(Some(bad)).is_err_and(|e| e.get("limit").is_some()),
                "{bad}"
            );
        }
    }
}
