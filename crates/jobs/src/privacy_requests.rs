//! What people ask about their data, carried out: `privacy.erase`, every hour, erases the
//! accounts whose grace period is over (`stint_app::erasure::erase_due`); `privacy.export`
//! makes one asked-for export (`stint_app::export_requests::make`), marked failed when its
//! last attempt fails so its owner is told instead of waiting.

use async_trait::async_trait;
use std::time::Duration;
use stint_app::App;
use stint_app::erasure::{ERASE, erase_due};
use stint_app::export_requests::{self, ExportJob};
use stint_store::Job;
use stint_worker::{Handler, JobError, Periodic};

pub fn periodic() -> Periodic {
    Periodic::new(ERASE, Duration::from_secs(60 * 60))
}

pub struct EraseDue {
    app: App,
}

impl EraseDue {
    pub fn new(app: App) -> Self {
        EraseDue { app }
    }
}

#[async_trait]
impl Handler for EraseDue {
    async fn run(&self, _job: &Job) -> Result<(), JobError> {
        erase_due(&self.app)
            .await
            .map(|_| ())
            .map_err(|e| JobError::retry(e.to_string()))
    }
}

pub struct MakeExport {
    app: App,
}

impl MakeExport {
    pub fn new(app: App) -> Self {
        MakeExport { app }
    }
}

#[async_trait]
impl Handler for MakeExport {
    async fn run(&self, job: &Job) -> Result<(), JobError> {
        let asked: ExportJob = serde_json::from_str(&job.payload)
            .map_err(|e| JobError::fatal(format!("unreadable payload: {e}")))?;
        match export_requests::make(&self.app, asked.request).await {
            Ok(()) => Ok(()),
            Err(e) => {
                if job.attempts >= job.max_attempts {
                    let _ = export_requests::failed(&self.app, asked.request).await;
                }
                Err(JobError::retry(e.to_string()))
            }
        }
    }
}
