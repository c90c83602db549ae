//! `privacy.retention`, every six hours: removes what the published retention policy says
//! has expired (`stint_app::privacy::apply`).

use async_trait::async_trait;
use std::time::Duration;
use stint_app::App;
use stint_app::privacy::{RETENTION, apply};
use stint_store::Job;
use stint_worker::{Handler, JobError, Periodic};

pub fn periodic() -> Periodic {
    Periodic::new(RETENTION, Duration::from_secs(6 * 60 * 60))
}

pub struct ApplyRetention {
    app: App,
}

impl ApplyRetention {
    pub fn new(app: App) -> Self {
        ApplyRetention { app }
    }
}

#[async_trait]
impl Handler for ApplyRetention {
    async fn run(&self, _job: &Job) -> Result<(), JobError> {
        apply(&self.app)
            .await
            .map(|_| ())
            .map_err(|e| JobError::retry(e.to_string()))
    }
}
