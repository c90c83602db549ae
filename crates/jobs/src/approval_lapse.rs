//! `sponsor.approval_lapse {booking}`, queued with a booking whose budget asks for approval and
//! due when the request lapses: cancels the booking and gives its credits back to the budget
//! if no admin decided by then (`stint_app::sponsor::approvals::lapse`).

use async_trait::async_trait;
use stint_app::App;
use stint_app::sponsor::approvals::{LapseJob, lapse};
use stint_domain::booking::BookingId;
use stint_store::Job;
use stint_worker::{Handler, JobError};

pub struct LapseApproval {
    app: App,
}

impl LapseApproval {
    pub fn new(app: App) -> Self {
        LapseApproval { app }
    }
}

#[async_trait]
impl Handler for LapseApproval {
    async fn run(&self, job: &Job) -> Result<(), JobError> {
        let input: LapseJob = serde_json::from_str(&job.payload)
            .map_err(|e| JobError::fatal(format!("not an approval lapse: {e}")))?;
        lapse(&self.app, BookingId(input.booking))
            .await
            .map(|_| ())
            .map_err(|e| JobError::retry(e.to_string()))
    }
}
