//! Reports too slow to count on every request at scale — value by outcome, a pilot's report,
//! an experiment's results: each reads every session of thousands of people — are counted at
//! most once per [`FRESH_FOR`] and kept in the store, so every node answers from the kept
//! figures and each report says when they were counted. The hourly `insights.reports` job
//! counts every kept report again before it goes stale, so a page seldom waits for a count;
//! an operator can ask for a count now. Kept figures hold no personal data (counts, shares,
//! session type and competency names), so an erasure leaves nothing in them.

use crate::{App, AppError};
use jiff::{SignedDuration, Timestamp};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::future::Future;

/// The job kind.
pub const REPORTS: &str = "insights.reports";

/// How long kept figures are shown before a request counts them again (the job recounts
/// hourly, so this is reached only when the job has not run).
pub const FRESH_FOR: SignedDuration = SignedDuration::from_hours(2);

/// Figures and when they were counted.
#[derive(Debug, Clone, PartialEq)]
pub struct AsOf<T> {
    pub figures: T,
    pub as_of: Timestamp,
}

/// `name`'s kept figures when they are fresh, else `count`'s (kept for the next request).
/// `count` is not run at all when the kept figures serve.
pub(crate) async fn kept<T, F>(app: &App, name: &str, count: F) -> Result<AsOf<T>, AppError>
where
    T: Serialize + DeserializeOwned,
    F: Future<Output = Result<T, AppError>>,
{
    let now = app.now();
    if let Some((body, at)) = app.store.kept_report(name).await?
        && at <= now
        && now.duration_since(at) < FRESH_FOR
    {
        // Figures of an older layout (after an upgrade) are counted again.
        if let Ok(figures) = serde_json::from_str(&body) {
            return Ok(AsOf { figures, as_of: at });
        }
    }
    recount(app, name, count).await
}

/// Counts `name` now and keeps the figures.
pub(crate) async fn recount<T, F>(app: &App, name: &str, count: F) -> Result<AsOf<T>, AppError>
where
    T: Serialize,
    F: Future<Output = Result<T, AppError>>,
{
    // Whole seconds, as kept: the first answer says the same "as of" as the next.
    let now = app.now();
    let now = Timestamp::from_second(now.as_second()).unwrap_or(now);
    let figures = count.await?;
    let body = serde_json::to_string(&figures).map_err(|e| {
        tracing::error!(error = %e, report = name, "report figures not serializable");
        AppError::internal()
    })?;
    app.store.keep_report(name, &body, now).await?;
    Ok(AsOf {
        figures,
        as_of: now,
    })
}

/// Forgets `name`'s figures: what they count changed in a way the clock does not show (an
/// experiment ended, a pilot's members changed).
pub(crate) async fn forget(app: &App, name: &str) -> Result<(), AppError> {
    Ok(app.store.forget_report(name).await?)
}

/// The `insights.reports` job: counts value by outcome and every report kept so far again
/// (a pilot or experiment someone has looked at). Returns how many were counted.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn recount_all(app: &App) -> Result<usize, AppError> {
    let mut names = app.store.kept_report_names().await?;
    if !names.iter().any(|n| n == super::value::KEPT_AS) {
        names.push(super::value::KEPT_AS.to_string());
    }
    let mut counted = 0;
    for name in names {
        let done = if name == super::value::KEPT_AS {
            super::value::recount(app).await.map(|_| true)
        } else if let Some(id) = id_after(&name, crate::pilots::report::KEPT_PREFIX) {
            crate::pilots::report::recount(app, id).await
        } else if let Some(id) = id_after(&name, super::experiments::KEPT_PREFIX) {
            super::experiments::recount(app, id).await
        } else {
            Ok(false)
        };
        match done {
            Ok(true) => counted += 1,
            // A pilot or experiment deleted since: its figures go with it.
            Ok(false) => forget(app, &name).await?,
            Err(e) => tracing::warn!(report = %name, error = %e, "report not counted"),
        }
    }
    Ok(counted)
}

fn id_after(name: &str, prefix: &str) -> Option<i64> {
    name.strip_prefix(prefix)?.parse().ok()
}
