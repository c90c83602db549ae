//! Counts nudges for operators (`stint_nudges_sent_total`, `stint_nudges_failed_total`) around
//! the sending handler, so the sender stays about sending. A nudge counts as sent when its
//! run moved it to sent in the delivery log: a run that found it already sent, or withdrawn
//! (the session was cancelled), sent nothing. Every failed attempt counts as failed.

use async_trait::async_trait;
use std::sync::Arc;
use stint_domain::nudge::Planned;
use stint_store::{DeliveryStatus, Job, Store};
use stint_worker::{Handler, JobError};

pub struct Counted {
    send: Arc<dyn Handler>,
    store: Arc<dyn Store>,
}

impl Counted {
    pub fn new(send: Arc<dyn Handler>, store: Arc<dyn Store>) -> Counted {
        Counted { send, store }
    }

    /// Whether the delivery log has the nudge as sent; a log that cannot be read counts as
    /// not sent, so at worst a nudge goes uncounted, never counted twice.
    async fn sent(&self, p: &Planned) -> bool {
        match self.store.delivery(&p.key, p.channel).await {
            Ok(d) => d.is_some_and(|d| d.status == DeliveryStatus::Sent),
            Err(e) => {
                tracing::debug!(error = %e, "metrics: the delivery log could not be read");
                false
            }
        }
    }
}

#[async_trait]
impl Handler for Counted {
    async fn run(&self, job: &Job) -> Result<(), JobError> {
        // An unreadable payload is the sender's to refuse; it is then a failed attempt.
        let planned = serde_json::from_str::<Planned>(&job.payload).ok();
        let before = match &planned {
            Some(p) => self.sent(p).await,
            None => false,
        };
        let outcome = self.send.run(job).await;
        let metrics = stint_app::metrics::global();
        match (&outcome, &planned) {
            (Ok(()), Some(p)) if !before => {
                if self.sent(p).await {
                    metrics.nudge_sent();
                }
            }
            (Ok(()), _) => {}
            (Err(_), _) => metrics.nudge_failed(),
        }
        outcome
    }
}
