//! Value by outcome (operators only): mentees whose 90-day window after their first closed
//! session is over, grouped by whether that session was a mini-win
//! (`stint_domain::value`), with the credits they brought in over the window. Counting reads
//! every first session and its window's charges, so the figures are kept (`kept`).

use super::kept::{self, AsOf};
use crate::{App, AppError, require};
use jiff::SignedDuration;
use stint_domain::account::Account;
use stint_domain::role::Role;
use stint_domain::value::{ValueReport, WINDOW_DAYS, report as group};

/// The name the figures are kept under.
pub const KEPT_AS: &str = "value";

/// The report as last counted (at most `kept::FRESH_FOR` ago).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn report(app: &App, me: &Account) -> Result<AsOf<ValueReport>, AppError> {
    require(me, Role::Operator)?;
    kept::kept(app, KEPT_AS, count(app)).await
}

/// The report counted now (operators ask for it; the job counts it hourly).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn report_now(app: &App, me: &Account) -> Result<AsOf<ValueReport>, AppError> {
    require(me, Role::Operator)?;
    recount(app).await
}

pub(crate) async fn recount(app: &App) -> Result<AsOf<ValueReport>, AppError> {
    kept::recount(app, KEPT_AS, count(app)).await
}

/// Only mentees whose whole window has passed count, so a recent first session does not
/// look like a mentee who stopped.
async fn count(app: &App) -> Result<ValueReport, AppError> {
    let window = SignedDuration::from_hours(24 * WINDOW_DAYS);
    let now = app.now();
    let started_by = now.checked_sub(window).unwrap_or(now);
    let firsts = app.store.first_sessions(started_by, window).await?;
    Ok(group(&firsts))
}
