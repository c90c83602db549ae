//! Housekeeping as a periodic job: every ten minutes, one worker removes expired sessions and
//! tokens and login attempts older than a day.

use crate::handler::{Handler, JobError};
use crate::periodic::Periodic;
use async_trait::async_trait;
use std::sync::Arc;
use std::time::Duration;
use stint_domain::clock::Clock;
use stint_store::{Job, Store};

/// The job kind.
pub const PRUNE: &str = "housekeeping.prune";

/// Login attempts are kept this long: long enough for throttling, no longer.
const KEEP_ATTEMPTS: jiff::SignedDuration = jiff::SignedDuration::from_hours(24);

/// Its schedule.
pub fn periodic() -> Periodic {
    Periodic::new(PRUNE, Duration::from_secs(600))
}

/// Runs `store.prune_expired(now, now − 24 h)`.
pub struct Prune {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
}

impl Prune {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>) -> Prune {
        Prune { store, clock }
    }
}

#[async_trait]
impl Handler for Prune {
    async fn run(&self, _job: &Job) -> Result<(), JobError> {
        let now = self.clock.now();
        let day_ago = now.checked_sub(KEEP_ATTEMPTS).unwrap_or(now);
        let removed = self
            .store
            .prune_expired(now, day_ago)
            .await
            .map_err(|e| JobError::retry(format!("pruning failed: {e}")))?;
        if removed > 0 {
            tracing::info!(
                removed,
                "pruned expired sessions, tokens and login attempts"
            );
        }
        Ok(())
    }
}
