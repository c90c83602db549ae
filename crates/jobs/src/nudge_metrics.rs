//! Counts nudges for operators (`stint_nudges_sent_total`, `stint_nudges_failed_total`) around
//! the sending handler, so the sender stays about sending. A nudge counts as sent when its
//! run moved it to sent in the delivery log (the sender says so, from the log's own write): a
//! run that found it already sent, or withdrawn (the session was cancelled), sent nothing.
//! Every failed attempt counts as failed.

use async_trait::async_trait;
use std::sync::Arc;
use stint_notify::{Sender, Sent};
use stint_store::Job;
use stint_worker::{Handler, JobError};

pub struct Counted {
    send: Arc<Sender>,
}

impl Counted {
    pub fn new(send: Arc<Sender>) -> Counted {
        Counted { send }
    }
}

#[async_trait]
impl Handler for Counted {
    async fn run(&self, job: &Job) -> Result<(), JobError> {
        let outcome = self.send.send(job).await;
        let metrics = stint_app::metrics::global();
        match outcome {
            Ok(Sent::Delivered) => metrics.nudge_sent(),
            Ok(Sent::Nothing) => {}
            Err(_) => metrics.nudge_failed(),
        }
        outcome.map(|_| ())
    }
}
