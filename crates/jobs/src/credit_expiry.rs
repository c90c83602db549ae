//! `credits.expire`, every hour: returns the outcome bonuses whose window closed unconfirmed,
//! expires the lots whose time has come and queues the warning mail of those that expire
//! within two weeks (`stint_app::money::{bonus, expiry}`), and closes the sponsors' budget
//! periods that ended where what is left expires (`stint_app::sponsor::budget::close_periods`)
//! and opens the sponsors' due notices: last month's statement, a budget running low
//! (`stint_app::sponsor::notices::open_due`).

use async_trait::async_trait;
use std::time::Duration;
use stint_app::App;
use stint_app::money::expiry::{EXPIRE, expire_due, warn_due};
use stint_store::Job;
use stint_worker::{Handler, JobError, Periodic};

pub fn periodic() -> Periodic {
    Periodic::new(EXPIRE, Duration::from_secs(60 * 60))
}

pub struct ExpireCredits {
    app: App,
}

impl ExpireCredits {
    pub fn new(app: App) -> Self {
        ExpireCredits { app }
    }
}

#[async_trait]
impl Handler for ExpireCredits {
    async fn run(&self, _job: &Job) -> Result<(), JobError> {
        stint_app::money::bonus::return_due(&self.app)
            .await
            .map_err(|e| JobError::retry(e.to_string()))?;
        expire_due(&self.app)
            .await
            .map_err(|e| JobError::retry(e.to_string()))?;
        stint_app::sponsor::budget::close_periods(&self.app)
            .await
            .map_err(|e| JobError::retry(e.to_string()))?;
        stint_app::sponsor::notices::open_due(&self.app)
            .await
            .map_err(|e| JobError::retry(e.to_string()))?;
        warn_due(&self.app)
            .await
            .map(|_| ())
            .map_err(|e| JobError::retry(e.to_string()))
    }
}
