//! `booking.changed`: plan the booking's nudges from its present state and enqueue each
//! nudge and channel as a `nudge.send` job, all in one transaction. Running twice is harmless: a job's dedupe key is
//! the nudge's, and the delivery log refuses a second delivery anyway.

use crate::load;
use crate::{SEND, SEND_ATTEMPTS};
use async_trait::async_trait;
use std::sync::Arc;
use stint_domain::clock::Clock;
use stint_domain::nudge::{Change, plan};
use stint_store::outbox::{BookingChange, BookingChanged};
use stint_store::{Job, NewJob, Store};
use stint_worker::{Handler, JobError};

pub struct Planner {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
}

impl Planner {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>) -> Self {
        Planner { store, clock }
    }
}

fn change(c: BookingChange) -> Change {
    match c {
        BookingChange::Created => Change::Created,
        BookingChange::Rescheduled => Change::Rescheduled,
        BookingChange::Cancelled => Change::Cancelled,
        BookingChange::Completed => Change::Completed,
        BookingChange::NoShow
        | BookingChange::AssessmentSubmitted
        | BookingChange::TaskDone
        | BookingChange::Replan => Change::Other,
    }
}

#[async_trait]
impl Handler for Planner {
    async fn run(&self, job: &Job) -> Result<(), JobError> {
        let input: BookingChanged = serde_json::from_str(&job.payload)
            .map_err(|e| JobError::fatal(format!("unreadable payload: {e}")))?;
        let store = &*self.store;
        let Some(session) = load::session(store, input.booking).await.map_err(retry)? else {
            // The booking is gone (its account was erased): nothing to nudge about.
            return Ok(());
        };
        let at = jiff::Timestamp::from_second(input.at).unwrap_or_else(|_| self.clock.now());
        let facts = load::facts(store, &session, change(input.change), at)
            .await
            .map_err(retry)?;
        let now = self.clock.now();
        let jobs = plan(&facts)
            .iter()
            .map(|p| {
                Ok(NewJob {
                    kind: SEND.into(),
                    payload: serde_json::to_string(p)
                        .map_err(|e| JobError::fatal(format!("cannot write a nudge: {e}")))?,
                    dedupe_key: Some(format!("nudge:{}:{}", p.key, p.channel.as_str())),
                    due_at: whole_second_up(p.due_at.max(now)),
                    max_attempts: SEND_ATTEMPTS,
                })
            })
            .collect::<Result<Vec<_>, JobError>>()?;
        // One commit for the booking's whole plan, not one per nudge.
        store.enqueue_all(&jobs, now).await.map_err(retry)?;
        Ok(())
    }
}

/// The queue keeps due times in whole seconds; rounding up means a nudge is never early.
fn whole_second_up(t: jiff::Timestamp) -> jiff::Timestamp {
    if t.subsec_nanosecond() == 0 {
        return t;
    }
    jiff::Timestamp::from_second(t.as_second().saturating_add(1)).unwrap_or(t)
}

pub(crate) fn retry(e: impl std::fmt::Display) -> JobError {
    JobError::retry(e.to_string())
}

#[cfg(test)]
mod tests {
    use super::whole_second_up;
    use jiff::Timestamp;

    #[test]
    fn due_times_round_up_to_the_whole_second() {
        let exact = Timestamp::from_second(1_800_000_000).unwrap();
        assert_eq!(whole_second_up(exact), exact);
        let later = Timestamp::new(1_800_000_000, 1).unwrap();
        assert_eq!(
            whole_second_up(later),
            Timestamp::from_second(1_800_000_001).unwrap()
        );
    }
}
