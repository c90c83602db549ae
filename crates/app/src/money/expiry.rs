//! Credits expire with their lot: what is left of a lot past its expiry moves from the wallet
//! to the expired account, once. The worker runs this every hour (`credits.expire`).

use crate::App;
use crate::error::AppError;
use stint_store::money::ExpiredLot;

/// The periodic job that expires lots.
pub const EXPIRE: &str = "credits.expire";

/// Lots expired per batch.
const BATCH: u32 = 500;

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
