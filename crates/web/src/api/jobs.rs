//! `/api/v1/operator/jobs`: operators read the durable job queue (counts per state, recent
//! jobs with their last error) and put dead jobs back in the queue.

use super::availability::rfc3339_in;
use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiPath, ApiQuery};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};
use stint_app::jobs as job_ops;
use stint_app::require;
use stint_domain::FieldErrors;
use stint_domain::role::Role;
use stint_store::{Job, JobState};
use utoipa::{IntoParams, ToSchema};

/// Where a job is in its life.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum JobStateName {
    /// Waiting for its due time, or for a worker.
    Queued,
    /// Leased to a worker.
    Running,
    Done,
    /// Failed its last attempt; an operator may retry it.
    Dead,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct JobsParams {
    /// Only jobs in this state (all states when absent).
    #[param(value_type = Option<JobStateName>)]
    pub state: Option<String>,
    /// At most this many jobs, newest first (default 100).
    // Read as text and parsed by hand, so a bad value is a 422 naming `limit`.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 500)]
    pub limit: Option<String>,
    /// Only jobs older than this one: the `older_before` of the page before.
    pub before: Option<i64>,
}

/// How many jobs are in each state.
#[derive(Debug, Serialize, ToSchema)]
pub struct JobCountsDto {
    pub queued: u64,
    pub running: u64,
    pub done: u64,
    pub dead: u64,
}

/// A job as an operator sees it. Times are RFC 3339 with the operator's offset.
#[derive(Debug, Serialize, ToSchema)]
pub struct JobDto {
    pub id: i64,
    /// The handler that runs it.
    pub kind: String,
    #[schema(value_type = JobStateName)]
    pub state: String,
    /// The handler's input. Shown to operators because jobs carry ids (of bookings, users,
    /// deliveries), never secrets: handlers look anything sensitive up when they run.
    /// Stored JSON, or the stored text as a string if it is not JSON.
    pub payload: serde_json::Value,
    /// At most one queued or running job holds a key.
    pub dedupe_key: Option<String>,
    #[schema(format = DateTime)]
    pub due_at: String,
    /// Attempts started so far, the running one included.
    pub attempts: u32,
    pub max_attempts: u32,
    /// Until when the worker holds it (running jobs).
    #[schema(format = DateTime)]
    pub lease_until: Option<String>,
    /// The worker that last leased it.
    pub worker: Option<String>,
    /// What the last failed attempt reported.
    pub last_error: Option<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

impl JobDto {
    pub fn new(job: &Job, tz: &TimeZone) -> Self {
        JobDto {
            id: job.id,
            kind: job.kind.clone(),
            state: job.state.as_str().to_string(),
            payload: serde_json::from_str(&job.payload)
                .unwrap_or_else(|_| serde_json::Value::String(job.payload.clone())),
            dedupe_key: job.dedupe_key.clone(),
            due_at: rfc3339_in(job.due_at, tz),
            attempts: job.attempts,
            max_attempts: job.max_attempts,
            lease_until: job.lease_until.map(|t| rfc3339_in(t, tz)),
            worker: job.worker.clone(),
            last_error: job.last_error.clone(),
            created_at: rfc3339_in(job.created_at, tz),
            updated_at: rfc3339_in(job.updated_at, tz),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct JobsDto {
    /// The operator's IANA zone, whose offset the times carry.
    pub tz: String,
    /// Counts over the whole queue, whatever the filter.
    pub counts: JobCountsDto,
    /// Newest first.
    pub jobs: Vec<JobDto>,
    /// Ask again with `before` set to this for older jobs; null on the last page.
    pub older_before: Option<i64>,
}

/// The job queue: counts per state and recent jobs (operators only).
#[utoipa::path(get, path = "/api/v1/operator/jobs", tag = "operator", security(("bearer" = [])),
    params(JobsParams),
    responses((status = 200, body = JobsDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, description = "`state` or `limit` is not valid (the field is named)", body = ErrorBody)))]
pub async fn list_jobs(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    // Read after the role check, so a non-operator learns nothing from the query's validity.
    query: Result<ApiQuery<JobsParams>, ApiError>,
) -> Result<Json<JobsDto>, ApiError> {
    require(&me, Role::Operator)?;
    let ApiQuery(params) = query?;
    let filter = job_ops::parse_state(params.state.as_deref());
    let limit = job_ops::parse_limit(params.limit.as_deref());
    let (filter, limit) = match (filter, limit) {
        (Ok(f), Ok(l)) => (f, l),
        // Both fields are reported at once.
        (f, l) => {
            let mut errors = FieldErrors::new();
            for e in [f.err(), l.err()].into_iter().flatten() {
                errors.0.extend(e.0);
            }
            return Err(ApiError::validation(errors));
        }
    };
    let overview = job_ops::overview(&state, filter, params.before, limit).await?;
    let count = |s: JobState| {
        overview
            .counts
            .iter()
            .find(|(k, _)| *k == s)
            .map_or(0, |(_, n)| *n)
    };
    let tz = me.zone();
    Ok(Json(JobsDto {
        // The zone the times were written in (UTC when the account's is unknown).
        tz: tz.iana_name().unwrap_or("UTC").to_string(),
        counts: JobCountsDto {
            queued: count(JobState::Queued),
            running: count(JobState::Running),
            done: count(JobState::Done),
            dead: count(JobState::Dead),
        },
        jobs: overview.jobs.iter().map(|j| JobDto::new(j, &tz)).collect(),
        older_before: overview.older_before,
    }))
}

/// Puts a dead job back in the queue, due now, with its full number of attempts again
/// (operators only).
#[utoipa::path(post, path = "/api/v1/operator/jobs/{id}/retry", tag = "operator", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Job id")),
    responses((status = 200, description = "The job, queued again", body = JobDto),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, description = "No dead job has this id", body = ErrorBody),
        (status = 409, description = "A queued or running job holds the same dedupe key (field `dedupe_key`)", body = ErrorBody)))]
pub async fn retry_job(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    path: Result<ApiPath<i64>, ApiError>,
) -> Result<Json<JobDto>, ApiError> {
    require(&me, Role::Operator)?;
    let ApiPath(id) = path?;
    let job = job_ops::retry(&state, id).await?;
    Ok(Json(JobDto::new(&job, &me.zone())))
}
