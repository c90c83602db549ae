//! `account.signup_mail {signup}`: mails a sign-up the link that makes its account, or, when
//! the address already has an account, a note to its owner saying so (the sign-up's answer
//! was the same either way).

use async_trait::async_trait;
use std::sync::Arc;
use stint_app::App;
use stint_app::auth::signup::{SIGNUP_HOURS, SignupLetter, SignupMailJob, signup_letter};
use stint_mail::{Mailer, Message};
use stint_store::Job;
use stint_worker::{Handler, JobError};

use super::{escape, host_of, nonce_of};

pub struct SignupMail {
    app: App,
    mailer: Arc<Mailer>,
    public_url: String,
}

impl SignupMail {
    pub fn new(app: App, mailer: Arc<Mailer>, public_url: String) -> Self {
        SignupMail {
            app,
            mailer,
            public_url: public_url.trim_end_matches('/').to_string(),
        }
    }

    /// The mail for `letter`: the link and how long it works, or the way back into the
    /// account that exists.
    pub fn message(&self, letter: &SignupLetter, id: i64) -> Message {
        let base = &self.public_url;
        let host = host_of(base);
        match letter {
            SignupLetter::Link { name, email, token } => {
                let link = format!("{base}/signup/confirm?token={token}");
                let text = format!(
                    "Hello {name},\n\nTo finish creating your Stint account, open this link within \
                     {SIGNUP_HOURS} hours (it works once):\n\n{link}\n\nIf you did not sign up, \
                     ignore this mail: no account is made.\n"
                );
                let html = format!(
                    "<p>Hello {},</p><p>To finish creating your Stint account, open this link \
                     within {SIGNUP_HOURS} hours (it works once):</p><p><a href=\"{}\">Create my \
                     account</a></p><p>If you did not sign up, ignore this mail: no account is \
                     made.</p>",
                    escape(name),
                    escape(&link)
                );
                Message {
                    to: (name.clone(), email.clone()),
                    subject: "Confirm your Stint account".to_string(),
                    text,
                    html,
                    attachments: Vec::new(),
                    message_id: format!("<signup.{}@{host}>", nonce_of(token)),
                }
            }
            SignupLetter::Taken { name, email } => {
                let (login, reset) = (format!("{base}/login"), format!("{base}/forgot-password"));
                let text = format!(
                    "Hello {name},\n\nSomeone, perhaps you, tried to create a Stint account with \
                     this address. You already have one: log in at {login}\n\nForgot your \
                     password? Choose a new one at {reset}\n\nIf it was not you, ignore this \
                     mail: nothing has changed.\n"
                );
                let html = format!(
                    "<p>Hello {},</p><p>Someone, perhaps you, tried to create a Stint account with \
                     this address. You already have one: <a href=\"{}\">log in</a>.</p><p>Forgot \
                     your password? <a href=\"{}\">Choose a new one</a>.</p><p>If it was not you, \
                     ignore this mail: nothing has changed.</p>",
                    escape(name),
                    escape(&login),
                    escape(&reset)
                );
                Message {
                    to: (name.clone(), email.clone()),
                    subject: "You already have a Stint account".to_string(),
                    text,
                    html,
                    attachments: Vec::new(),
                    message_id: format!("<signup-taken.{id}@{host}>"),
                }
            }
        }
    }
}

#[async_trait]
impl Handler for SignupMail {
    async fn run(&self, job: &Job) -> Result<(), JobError> {
        let input: SignupMailJob = serde_json::from_str(&job.payload)
            .map_err(|e| JobError::fatal(format!("not a sign-up: {e}")))?;
        let Some(letter) = signup_letter(&self.app, input.signup)
            .await
            .map_err(|e| JobError::retry(e.to_string()))?
        else {
            return Ok(());
        };
        self.mailer
            .send(&self.message(&letter, input.signup))
            .await
            .map_err(|e| JobError::retry(format!("the sign-up mail was not sent: {e}")))?;
        Ok(())
    }
}
