//! `org.domain_mail {domain}`: makes a domain's single-use verification link and mails it to
//! the address at that domain the admin named. A request verified, removed or expired
//! meanwhile mails nothing.

use async_trait::async_trait;
use stint_app::App;
use stint_app::sponsor::domains::{DOMAIN_LINK_DAYS, DomainMailJob, new_domain_link};
use stint_mail::{Mailer, Message};
use stint_store::Job;
use stint_worker::{Handler, JobError};

use super::{escape, host_of, nonce_of};
use std::sync::Arc;

pub struct DomainMail {
    app: App,
    mailer: Arc<Mailer>,
    public_url: String,
}

impl DomainMail {
    pub fn new(app: App, mailer: Arc<Mailer>, public_url: String) -> Self {
        DomainMail {
            app,
            mailer,
            public_url: public_url.trim_end_matches('/').to_string(),
        }
    }
}

/// The mail: who asks, what confirming does, the link and how long it works.
pub fn domain_message(
    org: &str,
    domain: &str,
    address: &str,
    link: &str,
    host: &str,
    nonce: &str,
) -> Message {
    let text = format!(
        "Hello,\n\n{org} asks to confirm that {domain} is its e-mail domain on Stint. Once \
         confirmed, everyone with an address at {domain} joins {org} as a member: its budget \
         may pay for their mentoring sessions, and it sees only figures about groups, never \
         anyone's notes, answers or scores.\n\nIf {domain} belongs to {org}, open this link \
         within {DOMAIN_LINK_DAYS} days and confirm (it works once):\n\n{link}\n\nIf it does \
         not, or you did not expect this, ignore this mail: nothing changes.\n"
    );
    let html = format!(
        "<p>Hello,</p><p>{org_h} asks to confirm that <strong>{domain_h}</strong> is its e-mail \
         domain on Stint. Once confirmed, everyone with an address at {domain_h} joins {org_h} \
         as a member: its budget may pay for their mentoring sessions, and it sees only \
         figures about groups, never anyone's notes, answers or scores.</p><p><a \
         href=\"{link_h}\">Confirm {domain_h} for {org_h}</a> (the link works once, for \
         {DOMAIN_LINK_DAYS} days).</p><p>If it does not belong to {org_h}, ignore this mail: \
         nothing changes.</p>",
        org_h = escape(org),
        domain_h = escape(domain),
        link_h = escape(link),
    );
    Message {
        to: (String::new(), address.to_string()),
        subject: format!("Confirm {domain} for {org} on Stint"),
        text,
        html,
        attachments: Vec::new(),
        message_id: format!("<org-domain.{nonce}@{host}>"),
    }
}

#[async_trait]
impl Handler for DomainMail {
    async fn run(&self, job: &Job) -> Result<(), JobError> {
        let input: DomainMailJob = serde_json::from_str(&job.payload)
            .map_err(|e| JobError::fatal(format!("not a domain request: {e}")))?;
        let Some(link) = new_domain_link(&self.app, input.domain)
            .await
            .map_err(|e| JobError::retry(e.to_string()))?
        else {
            return Ok(());
        };
        let url = format!(
            "{}/org-domains/verify?token={}",
            self.public_url, link.token
        );
        let message = domain_message(
            &link.org_name,
            &link.domain,
            &link.address,
            &url,
            host_of(&self.public_url),
            &nonce_of(&link.token),
        );
        self.mailer
            .send(&message)
            .await
            .map_err(|e| JobError::retry(format!("the verification mail was not sent: {e}")))?;
        Ok(())
    }
}
