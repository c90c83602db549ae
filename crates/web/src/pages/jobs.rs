//! The operator's view of the durable job queue at `/operator/jobs`: counts per state, a
//! filter, recent jobs with their last error in full, and a Retry button on dead jobs.

use super::operator::operator;
use super::render::{Chrome, OrPage, PageResult, html};
use crate::auth::PageUser;
use crate::auth::csrf::{CsrfForm, CsrfToken};
use crate::error::HttpStatus;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::Deserialize;
use stint_app::AppError;
use stint_app::jobs::{self as job_ops, DEFAULT_LIMIT};
use stint_domain::account::Account;
use stint_store::{Job, JobState};

/// One row of the table, formatted for the operator's zone.
struct JobRow {
    id: i64,
    kind: String,
    state: &'static str,
    /// Jobs carry ids, not secrets, so operators may read their input.
    payload: String,
    dedupe_key: Option<String>,
    due: When,
    updated: When,
    attempts: u32,
    max_attempts: u32,
    worker: Option<String>,
    last_error: Option<String>,
    dead: bool,
}

/// A time as people read it, and as a machine-readable `datetime`.
struct When {
    text: String,
    iso: String,
}

impl When {
    fn new(t: Timestamp, tz: &TimeZone) -> Self {
        let z = t.to_zoned_datetime(tz.clone());
        When {
            text: z.strftime("%a %-d %b %Y %H:%M:%S").to_string(),
            iso: z.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string(),
        }
    }
}

impl JobRow {
    fn new(job: &Job, tz: &TimeZone) -> Self {
        JobRow {
            id: job.id,
            kind: job.kind.clone(),
            state: job.state.as_str(),
            payload: job.payload.clone(),
            dedupe_key: job.dedupe_key.clone(),
            due: When::new(job.due_at, tz),
            updated: When::new(job.updated_at, tz),
            attempts: job.attempts,
            max_attempts: job.max_attempts,
            worker: job.worker.clone(),
            last_error: job.last_error.clone(),
            dead: job.state == JobState::Dead,
        }
    }
}

#[derive(Template)]
#[template(path = "operator/jobs.html")]
struct JobsPage {
    chrome: Chrome,
    /// Every state with its count, and its name for the filter.
    counts: Vec<(&'static str, String, u64)>,
    /// The state shown (empty: all).
    filter: String,
    /// The filter's message when it named no state.
    filter_error: Option<String>,
    jobs: Vec<JobRow>,
    tz: String,
    /// Whether this is an older page (it offers the newest again).
    paged: bool,
    /// The link to the next, older page, or empty.
    older: String,
    /// The confirmation after a retry.
    notice: Option<String>,
    /// Why the retry just asked for did not happen.
    failure: Option<String>,
}

fn label(s: JobState) -> String {
    let name = s.as_str();
    let mut chars = name.chars();
    chars
        .next()
        .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

/// What to show above the table besides the jobs.
#[derive(Default)]
struct Messages {
    notice: Option<String>,
    failure: Option<String>,
}

/// Renders the page with the jobs in `filter` (text from the query or form; empty: all).
async fn render(
    state: &AppState,
    me: Account,
    csrf: &str,
    filter: &str,
    before: Option<i64>,
    messages: Messages,
    status: StatusCode,
) -> PageResult {
    // The select offers "All" as an empty value; anything else must name a state.
    let (parsed, filter_error) = if filter.is_empty() {
        (None, None)
    } else {
        match job_ops::parse_state(Some(filter)) {
            Ok(s) => (s, None),
            Err(e) => (None, e.get("state").map(str::to_string)),
        }
    };
    let overview = job_ops::overview(state, parsed, before, DEFAULT_LIMIT)
        .await
        .or_page()?;
    let tz = me.zone();
    let status = if filter_error.is_some() && status == StatusCode::OK {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        status
    };
    let page = JobsPage {
        counts: overview
            .counts
            .iter()
            .map(|(s, n)| (s.as_str(), label(*s), *n))
            .collect(),
        filter: parsed.map(|s| s.as_str().to_string()).unwrap_or_default(),
        filter_error,
        jobs: overview.jobs.iter().map(|j| JobRow::new(j, &tz)).collect(),
        tz: tz.iana_name().unwrap_or("UTC").to_string(),
        paged: before.is_some(),
        older: overview
            .older_before
            .map(|b| {
                let state = parsed.map_or("", JobState::as_str);
                format!("/operator/jobs?state={state}&before={b}")
            })
            .unwrap_or_default(),
        notice: messages.notice,
        failure: messages.failure,
        chrome: Chrome::new("Jobs · Operator · Stint", Some(me), csrf),
    };
    Ok(html(status, &page))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct JobsQuery {
    state: String,
    /// The id of a job just put back in the queue.
    retried: String,
    /// Only jobs older than this one (a page after the first).
    before: String,
}

pub async fn jobs(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    Query(q): Query<JobsQuery>,
) -> PageResult {
    let me = operator(me)?;
    let notice =
        q.retried.parse::<i64>().ok().map(|id| {
            format!("Job {id} is queued again, due now; a worker will pick it up shortly.")
        });
    let messages = Messages {
        notice,
        failure: None,
    };
    // A cursor that is not a number is the first page.
    let before = q.before.trim().parse::<i64>().ok();
    render(
        &state,
        me,
        &csrf.0,
        &q.state,
        before,
        messages,
        StatusCode::OK,
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RetryFields {
    /// The filter the operator was looking at, to return to it.
    state: String,
}

pub async fn retry(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<RetryFields>,
) -> PageResult {
    let me = operator(me)?;
    let back = job_ops::parse_state(Some(&form.state))
        .ok()
        .flatten()
        .map(|s| s.as_str().to_string())
        .unwrap_or_default();
    let result = match id.parse::<i64>() {
        Ok(id) => job_ops::retry(&state, id).await.map(|job| job.id),
        Err(_) => Err(AppError::not_found("dead job")),
    };
    match result {
        Ok(id) => {
            let mut to = format!("/operator/jobs?retried={id}");
            if !back.is_empty() {
                to.push_str("&state=");
                to.push_str(&back);
            }
            Ok(Redirect::to(&to).into_response())
        }
        Err(e) if e.status().is_server_error() => Err(super::render::failure(e)),
        Err(e) => {
            let failure = match e.status() {
                StatusCode::NOT_FOUND => format!(
                    "Job {id} was not retried: there is no dead job with this id \
                     (it may have been retried already)."
                ),
                StatusCode::CONFLICT => format!(
                    "Job {id} was not retried: a queued or running job holds the same \
                     dedupe key, so the same work would run twice. Let that job finish first."
                ),
                _ => format!("Job {id} was not retried: {}", e.message),
            };
            let messages = Messages {
                notice: None,
                failure: Some(failure),
            };
            render(&state, me, &csrf.0, &back, None, messages, e.status()).await
        }
    }
}
