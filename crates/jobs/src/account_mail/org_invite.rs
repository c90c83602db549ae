//! `org.invite_mail {invite}`: makes an invitation's single-use link and mails it to the
//! invited address. An invitation used or expired meanwhile mails nothing.

use async_trait::async_trait;
use stint_app::App;
use stint_app::sponsor::members::{INVITE_DAYS, InviteMailJob, new_invite_link};
use stint_domain::sponsor::OrgRole;
use stint_mail::{Mailer, Message};
use stint_store::Job;
use stint_worker::{Handler, JobError};

use super::{escape, host_of, nonce_of};
use std::sync::Arc;

pub struct InviteMail {
    app: App,
    mailer: Arc<Mailer>,
    public_url: String,
}

impl InviteMail {
    pub fn new(app: App, mailer: Arc<Mailer>, public_url: String) -> Self {
        InviteMail {
            app,
            mailer,
            public_url: public_url.trim_end_matches('/').to_string(),
        }
    }
}

/// The mail: who invites, what joining means, the link and how long it works.
pub fn invite_message(
    org: &str,
    role: OrgRole,
    email: &str,
    link: &str,
    host: &str,
    nonce: &str,
) -> Message {
    let what = match role {
        OrgRole::Admin => "as an admin: you will manage its mentoring budget and see its figures",
        OrgRole::Member => {
            "as a member: it pays for the mentoring sessions its budget covers, and sees only \
             figures about groups, never your notes, answers or scores"
        }
    };
    let text = format!(
        "Hello,\n\n{org} invites you to join it on Stint {what}.\n\nTo join, open this link within \
         {INVITE_DAYS} days and sign in or create an account (it works once):\n\n{link}\n\n\
         If you did not expect this, ignore this mail.\n"
    );
    let html = format!(
        "<p>Hello,</p><p>{} invites you to join it on Stint {}.</p><p><a href=\"{}\">Join {}</a> \
         (the link works once, for {INVITE_DAYS} days).</p><p>If you did not expect this, ignore \
         this mail.</p>",
        escape(org),
        escape(what),
        escape(link),
        escape(org)
    );
    Message {
        to: (String::new(), email.to_string()),
        subject: format!("{org} invites you to Stint"),
        text,
        html,
        attachments: Vec::new(),
        message_id: format!("<org-invite.{nonce}@{host}>"),
    }
}

#[async_trait]
impl Handler for InviteMail {
    async fn run(&self, job: &Job) -> Result<(), JobError> {
        let input: InviteMailJob = serde_json::from_str(&job.payload)
            .map_err(|e| JobError::fatal(format!("not an invitation: {e}")))?;
        let Some(link) = new_invite_link(&self.app, input.invite)
            .await
            .map_err(|e| JobError::retry(e.to_string()))?
        else {
            return Ok(());
        };
        let url = format!("{}/join?token={}", self.public_url, link.token);
        let message = invite_message(
            &link.org_name,
            link.role,
            &link.email,
            &url,
            host_of(&self.public_url),
            &nonce_of(&link.token),
        );
        self.mailer
            .send(&message)
            .await
            .map_err(|e| JobError::retry(format!("the invitation was not sent: {e}")))?;
        Ok(())
    }
}
