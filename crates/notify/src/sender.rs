//! `nudge.send`: deliver one planned nudge on one channel, at most once and at least once.
//!
//! At most once: the delivery log has one row per nudge and channel, and a nudge it already
//! records as sent is skipped. In the inbox the item and the row are one transaction, so
//! exactly once. By e-mail the row is written once the mail server accepted the message: a
//! worker that dies between the two sends again when the job is retried, with the same
//! Message-ID, the one duplicate SMTP cannot rule out (it has no idempotent submit).
//! At least once: the job is retried with backoff until the channel accepts, each failure
//! kept in the delivery log for the parties to see and in the job for the operator.

use crate::NudgeSettings;
use crate::chat::ChatPoster;
use crate::email;
use crate::load;
use crate::planner::retry;
use crate::wording::words;
use async_trait::async_trait;
use std::sync::Arc;
use stint_domain::clock::Clock;
use stint_domain::nudge::{Channel, Planned, still_wanted};
use stint_store::{DeliveryStatus, Job, NewDelivery, NewInboxItem, Store};
use stint_worker::{Handler, JobError};

pub struct Sender {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    mailer: Arc<stint_mail::Mailer>,
    settings: Arc<NudgeSettings>,
    /// Posts to workspace chats; without one, chat nudges are not sent.
    chat: Option<Arc<dyn ChatPoster>>,
}

impl Sender {
    pub fn new(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        mailer: Arc<stint_mail::Mailer>,
        settings: Arc<NudgeSettings>,
    ) -> Self {
        Sender {
            store,
            clock,
            mailer,
            settings,
            chat: None,
        }
    }

    /// The same sender, posting chat nudges through `poster`.
    pub fn with_chat(mut self, poster: Arc<dyn ChatPoster>) -> Self {
        self.chat = Some(poster);
        self
    }
}

/// What one run of a `nudge.send` job did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sent {
    /// Delivered now.
    Delivered,
    /// Nothing new: delivered before (by this run's twin, even), withdrawn, or the booking
    /// is gone.
    Nothing,
}

#[async_trait]
impl Handler for Sender {
    async fn run(&self, job: &Job) -> Result<(), JobError> {
        self.send(job).await.map(|_| ())
    }
}

impl Sender {
    /// Runs a `nudge.send` job and says whether it delivered, for whoever counts.
    pub async fn send(&self, job: &Job) -> Result<Sent, JobError> {
        let p: Planned = serde_json::from_str(&job.payload)
            .map_err(|e| JobError::fatal(format!("unreadable nudge: {e}")))?;
        let store = &*self.store;
        if let Some(d) = store.delivery(&p.key, p.channel).await.map_err(retry)?
            && d.status == DeliveryStatus::Sent
        {
            return Ok(Sent::Nothing);
        }
        let Some(session) = load::session(store, p.booking).await.map_err(retry)? else {
            return Ok(Sent::Nothing);
        };
        let now = self.clock.now();
        let current = load::current(store, &session, &p).await.map_err(retry)?;
        if let Err(why) = still_wanted(&p, now, &current) {
            tracing::debug!(nudge = %p.key, channel = p.channel.as_str(), why, "nudge withdrawn");
            return Ok(Sent::Nothing);
        }
        let task_title = match p.task {
            Some(id) => store
                .tasks(p.booking)
                .await
                .map_err(retry)?
                .into_iter()
                .find(|t| t.id == id)
                .map(|t| t.title),
            None => None,
        };
        let Some(text) = words(&session, &p, task_title.as_deref()) else {
            return Err(JobError::fatal(
                "the recipient is not a party of the booking",
            ));
        };
        let Some((recipient, _)) = session.parties(p.recipient) else {
            return Err(JobError::fatal(
                "the recipient is not a party of the booking",
            ));
        };
        let mut delivery = NewDelivery {
            nudge_key: p.key.clone(),
            channel: p.channel,
            booking: p.booking,
            recipient: p.recipient,
            kind: p.kind,
            due_at: p.due_at,
            detail: String::new(),
        };
        match p.channel {
            Channel::InApp => {
                let item = NewInboxItem {
                    user: p.recipient,
                    booking: Some(p.booking),
                    kind: p.kind,
                    title: text.subject.clone(),
                    body: text.lines.join("\n\n"),
                    link: text.action.1.clone(),
                };
                delivery.detail = "inbox".into();
                let new = store
                    .deliver_in_app(&delivery, &item, now)
                    .await
                    .map_err(retry)?;
                Ok(if new { Sent::Delivered } else { Sent::Nothing })
            }
            Channel::Chat => {
                let Some(poster) = &self.chat else {
                    return Ok(Sent::Nothing);
                };
                let base = self.settings.public_url.trim_end_matches('/');
                let message = stint_domain::chat::ChatMessage {
                    title: text.subject.clone(),
                    lines: text.lines.clone(),
                    link: Some((text.action.0.clone(), format!("{base}{}", text.action.1))),
                };
                match poster.post(p.recipient, &message).await {
                    Ok(None) => Ok(Sent::Nothing),
                    Ok(Some(detail)) => {
                        delivery.detail = detail;
                        let new = store.record_sent(&delivery, now).await.map_err(retry)?;
                        Ok(if new { Sent::Delivered } else { Sent::Nothing })
                    }
                    Err(e) => {
                        delivery.detail = e.message.clone();
                        if let Err(log) = store.record_failed(&delivery, now).await {
                            tracing::warn!(error = %log, "cannot record a failed delivery");
                        }
                        Err(JobError {
                            message: e.message,
                            retry: e.retry,
                        })
                    }
                }
            }
            Channel::Email => {
                let base = &self.settings.public_url;
                let message = email::message(&session, &p, &text, recipient, base, now)
                    .map_err(|e| JobError::fatal(format!("cannot write the e-mail: {e}")))?;
                match self.mailer.send(&message).await {
                    Ok(_) => {
                        delivery.detail = message.message_id.clone();
                        let new = store.record_sent(&delivery, now).await.map_err(retry)?;
                        Ok(if new { Sent::Delivered } else { Sent::Nothing })
                    }
                    Err(e) => {
                        delivery.detail = e.to_string();
                        // The log keeps the error for the parties; if even that fails the
                        // job's own error still reaches the operator.
                        if let Err(log) = store.record_failed(&delivery, now).await {
                            tracing::warn!(error = %log, "cannot record a failed delivery");
                        }
                        Err(JobError {
                            message: e.to_string(),
                            retry: e.is_retryable(),
                        })
                    }
                }
            }
        }
    }
}
