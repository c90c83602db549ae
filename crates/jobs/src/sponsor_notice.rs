//! `sponsor.notice {org, notice}`: tells an organisation's admins one thing, once: the event
//! to the organisation's endpoints (and operators' subscribed to it), under a message id named
//! by the notice so a retry sends no second one, then a mail to each active admin.

use async_trait::async_trait;
use std::sync::Arc;
use stint_app::App;
use stint_app::sponsor::notices::{NoticeJob, emit, letter};
use stint_mail::{Attachment, Mailer, Message};
use stint_store::Job;
use stint_worker::{Handler, JobError};

use crate::account_mail::{escape, host_of};

pub struct SponsorNotice {
    app: App,
    mailer: Arc<Mailer>,
    public_url: String,
}

impl SponsorNotice {
    pub fn new(app: App, mailer: Arc<Mailer>, public_url: String) -> Self {
        SponsorNotice {
            app,
            mailer,
            public_url: public_url.trim_end_matches('/').to_string(),
        }
    }
}

#[async_trait]
impl Handler for SponsorNotice {
    async fn run(&self, job: &Job) -> Result<(), JobError> {
        let input: NoticeJob = serde_json::from_str(&job.payload)
            .map_err(|e| JobError::fatal(format!("not a notice: {e}")))?;
        let retry = |e: &dyn std::fmt::Display| JobError::retry(e.to_string());
        let Some(letter) = letter(&self.app, &input).await.map_err(|e| retry(&e))? else {
            return Ok(());
        };
        emit(&self.app, &letter).await.map_err(|e| retry(&e))?;
        let link = format!("{}{}", self.public_url, letter.link_path);
        let host = host_of(&self.public_url);
        for (n, (name, email)) in letter.admins.iter().enumerate() {
            let text = format!("Hello {name},\n\n{}\n\n{link}\n", letter.text);
            let html = format!(
                "<p>Hello {},</p><p>{}</p><p><a href=\"{}\">Open the console</a></p>",
                escape(name),
                escape(&letter.text),
                escape(&link)
            );
            let attachments = letter
                .attachment
                .iter()
                .map(|(file, csv)| Attachment {
                    filename: file.clone(),
                    content_type: "text/csv; charset=utf-8".into(),
                    bytes: csv.as_bytes().to_vec(),
                })
                .collect();
            let message = Message {
                to: (name.clone(), email.clone()),
                subject: letter.subject.clone(),
                text,
                html,
                attachments,
                message_id: format!("<sponsor-notice.{}.{n}@{host}>", job.id),
            };
            self.mailer
                .send(&message)
                .await
                .map_err(|e| retry(&format!("the notice was not mailed: {e}")))?;
        }
        Ok(())
    }
}
