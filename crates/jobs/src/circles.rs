//! `circles.digest`, every day: queues a digest for each mentor with new posts by others in
//! their circles (`stint_app::circles::digest`); `circles.digest_mail` delivers one, by the
//! channels its member chose.

use crate::account_mail::host_of;
use crate::insights::deliver;
use async_trait::async_trait;
use std::sync::Arc;
use std::time::Duration;
use stint_app::App;
use stint_app::circles::{DIGEST, DigestMail, digest, digest_letter};
use stint_mail::Mailer;
use stint_store::Job;
use stint_worker::{Handler, JobError, Periodic};

pub fn periodic() -> Periodic {
    Periodic::new(DIGEST, Duration::from_secs(24 * 60 * 60))
}

pub struct SweepDigests {
    app: App,
}

impl SweepDigests {
    pub fn new(app: App) -> Self {
        SweepDigests { app }
    }
}

#[async_trait]
impl Handler for SweepDigests {
    async fn run(&self, _job: &Job) -> Result<(), JobError> {
        let queued = digest(&self.app)
            .await
            .map_err(|e| JobError::retry(e.to_string()))?;
        tracing::info!(queued, "circle digests queued");
        Ok(())
    }
}

pub struct SendDigest {
    app: App,
    mailer: Arc<Mailer>,
    public_url: String,
}

impl SendDigest {
    pub fn new(app: App, mailer: Arc<Mailer>, public_url: String) -> Self {
        SendDigest {
            app,
            mailer,
            public_url: public_url.trim_end_matches('/').to_string(),
        }
    }
}

#[async_trait]
impl Handler for SendDigest {
    async fn run(&self, job: &Job) -> Result<(), JobError> {
        let input: DigestMail = serde_json::from_str(&job.payload)
            .map_err(|e| JobError::fatal(format!("not a circle digest: {e}")))?;
        let Some(l) = digest_letter(&self.app, &input)
            .await
            .map_err(|e| JobError::retry(e.to_string()))?
        else {
            return Ok(());
        };
        let id = format!(
            "<circle-digest.{}.{}.{}@{}>",
            input.circle,
            input.member,
            input.upto,
            host_of(&self.public_url)
        );
        deliver(&self.app, &self.mailer, &self.public_url, l, id).await
    }
}
