//! `mentors.resume`, every hour: lists again each paused mentor whose return day has begun
//! in their zone (`stint_app::standing::resume_due`). `mentors.inactivity`, every day: reminds
//! inactive mentors and freezes those still inactive after the grace period
//! (`stint_app::inactivity::sweep`); `mentors.inactive_mail` mails one reminder.

use async_trait::async_trait;
use std::sync::Arc;
use std::time::Duration;
use stint_app::App;
use stint_app::inactivity::{INACTIVITY, InactiveMail, reminder, sweep};
use stint_app::standing::{RESUME, resume_due};
use stint_mail::Mailer;
use stint_store::Job;
use stint_worker::{Handler, JobError, Periodic};

pub fn periodic() -> Periodic {
    Periodic::new(RESUME, Duration::from_secs(60 * 60))
}

pub fn inactivity_periodic() -> Periodic {
    Periodic::new(INACTIVITY, Duration::from_secs(24 * 60 * 60))
}

pub struct ResumePaused {
    app: App,
}

impl ResumePaused {
    pub fn new(app: App) -> Self {
        ResumePaused { app }
    }
}

#[async_trait]
impl Handler for ResumePaused {
    async fn run(&self, _job: &Job) -> Result<(), JobError> {
        let resumed = resume_due(&self.app)
            .await
            .map_err(|e| JobError::retry(e.to_string()))?;
        tracing::info!(resumed, "paused mentors due back listed");
        Ok(())
    }
}

pub struct SweepInactive {
    app: App,
}

impl SweepInactive {
    pub fn new(app: App) -> Self {
        SweepInactive { app }
    }
}

#[async_trait]
impl Handler for SweepInactive {
    async fn run(&self, _job: &Job) -> Result<(), JobError> {
        sweep(&self.app)
            .await
            .map_err(|e| JobError::retry(e.to_string()))?;
        Ok(())
    }
}

pub struct InactiveMailer {
    app: App,
    mailer: Arc<Mailer>,
    public_url: String,
}

impl InactiveMailer {
    pub fn new(app: App, mailer: Arc<Mailer>, public_url: String) -> Self {
        InactiveMailer {
            app,
            mailer,
            public_url: public_url.trim_end_matches('/').to_string(),
        }
    }
}

#[async_trait]
impl Handler for InactiveMailer {
    async fn run(&self, job: &Job) -> Result<(), JobError> {
        let input: InactiveMail = serde_json::from_str(&job.payload)
            .map_err(|e| JobError::fatal(format!("not an inactivity reminder: {e}")))?;
        let Some(letter) = reminder(&self.app, &input)
            .await
            .map_err(|e| JobError::retry(e.to_string()))?
        else {
            return Ok(());
        };
        let id = format!("mentor-inactive.{}.{}", input.mentor, job.id);
        crate::application_mail::send_letter(&self.mailer, &self.public_url, &letter, &id).await
    }
}
