//! The retention policy at work: the published policy (`stint_domain::retention::POLICY`,
//! shown at `/privacy` and `/privacy/policy.json`) and the `privacy.retention` job's use case,
//! which removes each class's data once its time is up, a batch at a time, and records how
//! much it removed (counts, never content).

use crate::App;
use crate::access::require;
use crate::error::AppError;
use jiff::SignedDuration;
use stint_domain::account::Account;
use stint_domain::retention::{AtExpiry, ClassPolicy, POLICY, RetainedClass};
use stint_domain::role::Role;
use stint_store::RetentionRun;

/// The job that enforces the policy.
pub const RETENTION: &str = "privacy.retention";
/// Rows removed per statement: short transactions, so bookings never wait long behind one.
pub const BATCH: u32 = 500;
/// The most batches of one class in one run; the next run goes on where it stopped.
const MAX_BATCHES: u32 = 200;

/// The policy as published.
pub fn policy() -> &'static [ClassPolicy] {
    &POLICY
}

/// Removes what the policy says has expired now, class by class: what each removed.
#[tracing::instrument(skip_all)]
pub async fn apply(app: &App) -> Result<Vec<(RetainedClass, u64)>, AppError> {
    let now = app.now();
    let mut done = Vec::new();
    for p in POLICY.iter().filter(|p| p.at_expiry == AtExpiry::Deleted) {
        let keep = SignedDuration::from_hours(24 * i64::from(p.default_days));
        let Ok(cutoff) = now.checked_sub(keep) else {
            continue;
        };
        let mut removed = 0;
        for _ in 0..MAX_BATCHES {
            let n = app.store.remove_expired(p.class, cutoff, BATCH).await?;
            removed += n;
            if n < u64::from(BATCH) {
                break;
            }
        }
        if removed > 0 {
            let class = serde_json::to_value(p.class)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            app.store.record_retention(&class, removed, now).await?;
            tracing::info!(class, removed, "expired data removed");
        }
        done.push((p.class, removed));
    }
    Ok(done)
}

/// What the latest runs removed (operators).
pub async fn runs(app: &App, op: &Account, limit: u32) -> Result<Vec<RetentionRun>, AppError> {
    require(op, Role::Operator)?;
    Ok(app.store.retention_runs(limit).await?)
}
