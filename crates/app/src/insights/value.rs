//! Value by outcome (operators only): mentees whose 90-day window after their first closed
//! session is over, grouped by whether that session was a mini-win
//! (`stint_domain::value`), with the credits they brought in over the window.

use crate::{App, AppError, require};
use jiff::SignedDuration;
use stint_domain::account::Account;
use stint_domain::role::Role;
use stint_domain::value::{ValueReport, WINDOW_DAYS, report as group};

/// The report as of now: only mentees whose whole window has passed count, so a recent
/// first session does not look like a mentee who stopped.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn report(app: &App, me: &Account) -> Result<ValueReport, AppError> {
    require(me, Role::Operator)?;
    let window = SignedDuration::from_hours(24 * WINDOW_DAYS);
    let now = app.now();
    let started_by = now.checked_sub(window).unwrap_or(now);
    let firsts = app.store.first_sessions(started_by, window).await?;
    Ok(group(&firsts))
}
