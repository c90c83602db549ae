//! `purchase.receipt_mail {purchase}`: the buyer's receipt, mailed once per paid purchase (the
//! store queues it in the transaction that pays it). Its Message-ID names the purchase, so a
//! retried job that had sent it is recognisable as the same message.

use async_trait::async_trait;
use std::sync::Arc;
use stint_app::money::purchases::receipt_lines;
use stint_mail::{Mailer, Message};
use stint_store::outbox::ReceiptMail;
use stint_store::{Job, Store};
use stint_worker::{Handler, JobError};

use super::{escape, host_of};

pub struct ReceiptMailer {
    store: Arc<dyn Store>,
    mailer: Arc<Mailer>,
    public_url: String,
}

impl ReceiptMailer {
    pub fn new(store: Arc<dyn Store>, mailer: Arc<Mailer>, public_url: String) -> Self {
        ReceiptMailer {
            store,
            mailer,
            public_url: public_url.trim_end_matches('/').to_string(),
        }
    }
}

#[async_trait]
impl Handler for ReceiptMailer {
    async fn run(&self, job: &Job) -> Result<(), JobError> {
        let input: ReceiptMail = serde_json::from_str(&job.payload)
            .map_err(|e| JobError::fatal(format!("not a receipt: {e}")))?;
        let retry = |e: stint_store::StoreError| JobError::retry(e.to_string());
        let Some(p) = self.store.purchase(input.purchase).await.map_err(retry)? else {
            return Ok(());
        };
        let Some(buyer) = self.store.account(p.user).await.map_err(retry)? else {
            return Ok(());
        };
        let link = format!("{}/wallet/purchases/{}", self.public_url, p.id);
        let lines = receipt_lines(&p);
        let text = format!(
            "Hello {},\n\nThank you: your credits are in your wallet.\n\n{}\n\nThe receipt, \
             any time: {link}\n",
            buyer.display_name,
            lines
                .iter()
                .map(|(k, v)| format!("{k}: {v}"))
                .collect::<Vec<_>>()
                .join("\n")
        );
        let html = format!(
            "<p>Hello {},</p><p>Thank you: your credits are in your wallet.</p><table>{}</table>\
             <p><a href=\"{}\">Your receipt</a></p>",
            escape(&buyer.display_name),
            lines
                .iter()
                .map(|(k, v)| format!(
                    "<tr><th align=\"left\">{}</th><td>{}</td></tr>",
                    escape(k),
                    escape(v)
                ))
                .collect::<String>(),
            escape(&link)
        );
        let message = Message {
            to: (buyer.display_name.clone(), buyer.email.clone()),
            subject: format!("Your Stint receipt STINT-{}", p.id),
            text,
            html,
            attachments: Vec::new(),
            message_id: format!("<receipt.{}@{}>", p.id, host_of(&self.public_url)),
        };
        self.mailer
            .send(&message)
            .await
            .map_err(|e| JobError::retry(format!("the receipt was not sent: {e}")))?;
        Ok(())
    }
}
