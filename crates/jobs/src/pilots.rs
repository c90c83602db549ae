//! `pilots.check_in`: nudges one member to one pilot check-in (`stint_app::pilots`), by
//! e-mail and in the inbox as they chose; nothing when they already answered it.

use crate::account_mail::host_of;
use crate::insights::deliver;
use async_trait::async_trait;
use std::sync::Arc;
use stint_app::App;
use stint_app::pilots::{CheckInJob, letter};
use stint_mail::Mailer;
use stint_store::Job;
use stint_worker::{Handler, JobError};

pub struct SendCheckIn {
    app: App,
    mailer: Arc<Mailer>,
    public_url: String,
}

impl SendCheckIn {
    pub fn new(app: App, mailer: Arc<Mailer>, public_url: String) -> Self {
        SendCheckIn {
            app,
            mailer,
            public_url: public_url.trim_end_matches('/').to_string(),
        }
    }
}

#[async_trait]
impl Handler for SendCheckIn {
    async fn run(&self, job: &Job) -> Result<(), JobError> {
        let input: CheckInJob = serde_json::from_str(&job.payload)
            .map_err(|e| JobError::fatal(format!("not a check-in nudge: {e}")))?;
        let Some(l) = letter(&self.app, &input)
            .await
            .map_err(|e| JobError::retry(e.to_string()))?
        else {
            return Ok(());
        };
        let id = format!(
            "<pilot-check-in.{}.{}.{}@{}>",
            input.pilot,
            input.member,
            input.day,
            host_of(&self.public_url)
        );
        deliver(&self.app, &self.mailer, &self.public_url, l, id).await
    }
}
