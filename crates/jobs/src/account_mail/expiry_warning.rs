//! `credits.expiry_warning_mail {lot}`: tells a mentee that credits of theirs expire in two
//! weeks, with what is left of the lot when the mail goes (nothing left: no mail).

use async_trait::async_trait;
use std::sync::Arc;
use stint_mail::{Mailer, Message};
use stint_store::money::ExpiryWarning;
use stint_store::{Job, Store};
use stint_worker::{Handler, JobError};

use super::{escape, host_of};

pub struct ExpiryWarningMailer {
    store: Arc<dyn Store>,
    mailer: Arc<Mailer>,
    public_url: String,
}

impl ExpiryWarningMailer {
    pub fn new(store: Arc<dyn Store>, mailer: Arc<Mailer>, public_url: String) -> Self {
        ExpiryWarningMailer {
            store,
            mailer,
            public_url: public_url.trim_end_matches('/').to_string(),
        }
    }
}

#[async_trait]
impl Handler for ExpiryWarningMailer {
    async fn run(&self, job: &Job) -> Result<(), JobError> {
        let input: ExpiryWarning = serde_json::from_str(&job.payload)
            .map_err(|e| JobError::fatal(format!("not an expiry warning: {e}")))?;
        let retry = |e: stint_store::StoreError| JobError::retry(e.to_string());
        let Some((lot, user)) = self.store.lot(input.lot).await.map_err(retry)? else {
            return Ok(());
        };
        let (Some(expires), true) = (lot.expires_at, lot.remaining > 0) else {
            return Ok(());
        };
        let Some(who) = self.store.account(user).await.map_err(retry)? else {
            return Ok(());
        };
        let day = expires
            .to_zoned_datetime(who.zone())
            .strftime("%A %-d %B %Y")
            .to_string();
        let n = lot.remaining;
        let credits = if n == 1 { "credit" } else { "credits" };
        let book = format!("{}/skus", self.public_url);
        let wallet = format!("{}/wallet", self.public_url);
        let text = format!(
            "Hello {},\n\n{n} {credits} in your Stint wallet expire on {day}. Book a session \
             before then to use them:\n\n{book}\n\nYour wallet: {wallet}\n",
            who.display_name
        );
        let html = format!(
            "<p>Hello {},</p><p><strong>{n} {credits}</strong> in your Stint wallet expire on \
             {day}. Book a session before then to use them.</p><p><a href=\"{}\">Choose a \
             session</a> · <a href=\"{}\">Your wallet</a></p>",
            escape(&who.display_name),
            escape(&book),
            escape(&wallet)
        );
        let message = Message {
            to: (who.display_name.clone(), who.email.clone()),
            subject: format!("{n} Stint {credits} expire on {day}"),
            text,
            html,
            attachments: Vec::new(),
            message_id: format!("<expiry.{}@{}>", lot.id, host_of(&self.public_url)),
        };
        self.mailer
            .send(&message)
            .await
            .map_err(|e| JobError::retry(format!("the expiry warning was not sent: {e}")))?;
        Ok(())
    }
}
