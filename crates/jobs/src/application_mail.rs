//! `mentor_application.mail {application, step}`: tells an applicant a step of their review
//! (a question, the approval, the decline with its reason), under a message id named by the
//! job so a retry sends no second one. `send_letter` mails any such letter (the inactivity
//! reminder of `mentors.rs` too).

use async_trait::async_trait;
use std::sync::Arc;
use stint_app::App;
use stint_app::applications::{ApplicationMail, letter};
use stint_app::letter::Letter;
use stint_mail::{Mailer, Message};
use stint_store::Job;
use stint_worker::{Handler, JobError};

use crate::account_mail::{escape, host_of};

pub struct ApplicationMailer {
    app: App,
    mailer: Arc<Mailer>,
    public_url: String,
}

impl ApplicationMailer {
    pub fn new(app: App, mailer: Arc<Mailer>, public_url: String) -> Self {
        ApplicationMailer {
            app,
            mailer,
            public_url: public_url.trim_end_matches('/').to_string(),
        }
    }
}

#[async_trait]
impl Handler for ApplicationMailer {
    async fn run(&self, job: &Job) -> Result<(), JobError> {
        let input: ApplicationMail = serde_json::from_str(&job.payload)
            .map_err(|e| JobError::fatal(format!("not an application mail: {e}")))?;
        let Some(letter) = letter(&self.app, &input)
            .await
            .map_err(|e| JobError::retry(e.to_string()))?
        else {
            return Ok(());
        };
        let id = format!("mentor-application.{}.{}", input.application, job.id);
        send_letter(&self.mailer, &self.public_url, &letter, &id).await
    }
}

/// Mails `letter` under the message id `<{id}@{host}>` (named by the job, so a retry sends
/// no second one).
pub(crate) async fn send_letter(
    mailer: &Mailer,
    public_url: &str,
    letter: &Letter,
    id: &str,
) -> Result<(), JobError> {
    let link = format!("{public_url}{}", letter.link_path);
    let text = format!(
        "Hello {},\n\n{}\n\n{link}\n",
        letter.name,
        letter.lines.join("\n\n")
    );
    let paragraphs: String = letter
        .lines
        .iter()
        .map(|l| format!("<p>{}</p>", escape(l)))
        .collect();
    let html = format!(
        "<p>Hello {},</p>{paragraphs}<p><a href=\"{}\">Open Stint</a></p>",
        escape(&letter.name),
        escape(&link)
    );
    let message = Message {
        to: (letter.name.clone(), letter.email.clone()),
        subject: letter.subject.clone(),
        text,
        html,
        attachments: Vec::new(),
        message_id: format!("<{id}@{}>", host_of(public_url)),
    };
    mailer
        .send(&message)
        .await
        .map_err(|e| JobError::retry(format!("the mail was not sent: {e}")))?;
    Ok(())
}
