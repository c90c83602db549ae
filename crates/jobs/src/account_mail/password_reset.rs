//! `account.password_reset_mail {user}`: makes a single-use reset link and mails it.

use async_trait::async_trait;
use std::sync::Arc;
use stint_app::App;
use stint_app::auth::credentials::{RESET_MINUTES, ResetMailJob, new_reset_link};
use stint_domain::ids::UserId;
use stint_mail::{Mailer, Message};
use stint_store::{Job, Store};
use stint_worker::{Handler, JobError};

use super::{escape, host_of, nonce_of};

pub struct PasswordResetMail {
    app: App,
    store: Arc<dyn Store>,
    mailer: Arc<Mailer>,
    public_url: String,
}

impl PasswordResetMail {
    pub fn new(app: App, store: Arc<dyn Store>, mailer: Arc<Mailer>, public_url: String) -> Self {
        PasswordResetMail {
            app,
            store,
            mailer,
            public_url: public_url.trim_end_matches('/').to_string(),
        }
    }
}

/// The mail: the link, how long it works, and what to do if it was not you.
pub fn reset_message(name: &str, email: &str, link: &str, host: &str, nonce: &str) -> Message {
    let text = format!(
        "Hello {name},\n\nSomeone asked to reset the password of your Stint account. To choose a new \
         password, open this link within {RESET_MINUTES} minutes (it works once):\n\n{link}\n\n\
         Setting a new password signs you out everywhere. If you did not ask for this, ignore \
         this mail: your password stays as it is.\n"
    );
    let html = format!(
        "<p>Hello {},</p><p>Someone asked to reset the password of your Stint account. To choose \
         a new password, open this link within {RESET_MINUTES} minutes (it works once):</p>\
         <p><a href=\"{}\">Choose a new password</a></p><p>Setting a new password signs you out \
         everywhere. If you did not ask for this, ignore this mail: your password stays as it \
         is.</p>",
        escape(name),
        escape(link)
    );
    Message {
        to: (name.to_string(), email.to_string()),
        subject: "Reset your Stint password".to_string(),
        text,
        html,
        attachments: Vec::new(),
        message_id: format!("<password-reset.{nonce}@{host}>"),
    }
}

#[async_trait]
impl Handler for PasswordResetMail {
    async fn run(&self, job: &Job) -> Result<(), JobError> {
        let input: ResetMailJob = serde_json::from_str(&job.payload)
            .map_err(|e| JobError::fatal(format!("not a password reset: {e}")))?;
        let Some(account) = self
            .store
            .account(UserId(input.user))
            .await
            .map_err(|e| JobError::retry(e.to_string()))?
        else {
            return Ok(());
        };
        let (token, _) = new_reset_link(&self.app, account.id)
            .await
            .map_err(|e| JobError::retry(e.to_string()))?;
        let link = format!("{}/reset-password?token={token}", self.public_url);
        let message = reset_message(
            &account.display_name,
            account.email.as_str(),
            &link,
            host_of(&self.public_url),
            &nonce_of(&token),
        );
        self.mailer
            .send(&message)
            .await
            .map_err(|e| JobError::retry(format!("the reset mail was not sent: {e}")))?;
        Ok(())
    }
}
