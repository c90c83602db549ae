//! Credits expire with their lot: what is left of a lot past its expiry moves from the wallet
//! to the expired account, once, and [`WARN_AHEAD`] before that its owner is mailed, once per
//! lot. The worker runs both every hour (`credits.expire`).

use crate::App;
use crate::error::AppError;
use stint_store::money::ExpiredLot;

/// The periodic job that expires lots.
pub const EXPIRE: &str = "credits.expire";

/// Lots expired per batch.
const BATCH: u32 = 500;

/// How long before a lot expires its owner is told.
pub const WARN_AHEAD: jiff::SignedDuration = jiff::SignedDuration::from_hours(24 * 14);

/// Queues the warning mail of every lot that expires within [`WARN_AHEAD`] and was not warned
/// yet: the lots warned now.
#[tracing::instrument(skip_all)]
pub async fn warn_due(app: &App) -> Result<Vec<i64>, AppError> {
    let now = app.now();
    let until = now.saturating_add(WARN_AHEAD).unwrap_or(now);
    let mut all = Vec::new();
    loop {
        let batch = app.store.queue_expiry_warnings(now, until, BATCH).await?;
        let done = batch.len() < BATCH as usize;
        all.extend(batch);
        if done {
            break;
        }
    }
    if !all.is_empty() {
        tracing::info!(lots = all.len(), "credit expiry warnings queued");
    }
    Ok(all)
}

/// Expires every lot whose time has come, a batch at a time: what each lost.
#[tracing::instrument(skip_all)]
pub async fn expire_due(app: &App) -> Result<Vec<ExpiredLot>, AppError> {
    let mut all = Vec::new();
    loop {
        let batch = app.store.expire_lots(app.now(), BATCH).await?;
        let done = batch.len() < BATCH as usize;
        all.extend(batch);
        if done {
            break;
        }
    }
    if !all.is_empty() {
        tracing::info!(lots = all.len(), "credits expired");
    }
    Ok(all)
}
