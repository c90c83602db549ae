//! Planning a booking's nudges, in two steps so a booking writes a handful of rows, not one
//! per reminder. `booking.changed` plans from the booking's present state and queues a
//! `nudge.send` job for each nudge and channel due within the hour, all in one
//! transaction; the rest wait for one `nudge.plan` job due with the first of them, which
//! plans again from the booking as it is then and does the same. Running either twice is
//! harmless: a send job's dedupe key is the nudge's, and the delivery log refuses a second
//! delivery anyway. A `nudge.plan` job whose booking has since been moved, cancelled or
//! closed does nothing: that change planned afresh.

use crate::load::{self, Session};
use crate::{SEND, SEND_ATTEMPTS};
use async_trait::async_trait;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use stint_domain::booking::{BookingId, BookingStatus};
use stint_domain::clock::Clock;
use stint_domain::nudge::{Change, Planned, plan};
use stint_store::outbox::{BookingChange, BookingChanged};
use stint_store::{Job, NewJob, Store};
use stint_worker::{Handler, JobError};

/// The job kind that plans a booking's later nudges when the first of them is due.
pub const PLAN: &str = "nudge.plan";
/// Attempts of a `nudge.plan` job, as many as a send's.
const PLAN_ATTEMPTS: u32 = SEND_ATTEMPTS;
/// Nudges due within this of planning are queued at once; later ones are planned again
/// when the first of them is due.
const HORIZON: SignedDuration = SignedDuration::from_hours(1);

/// What a `nudge.plan` job carries: the change it continues and the booking's state then.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Later {
    booking: BookingId,
    change: Change,
    /// When that change happened (whole seconds).
    at: i64,
    sequence: i64,
    status: BookingStatus,
}

#[derive(Clone)]
pub struct Planner {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
}

impl Planner {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>) -> Self {
        Planner { store, clock }
    }

    /// Queues the nudges `change` calls for that are due within the horizon (and from
    /// `not_before` on, when a `nudge.plan` job continues a plan), and one `nudge.plan` job
    /// for the rest.
    async fn queue(
        &self,
        session: &Session,
        change: Change,
        at: Timestamp,
        not_before: Option<Timestamp>,
    ) -> Result<(), JobError> {
        let store = &*self.store;
        let facts = load::facts(store, session, change, at)
            .await
            .map_err(retry)?;
        let now = self.clock.now();
        let horizon = now.saturating_add(HORIZON).unwrap_or(now);
        let mut jobs = Vec::new();
        let mut first_later: Option<Timestamp> = None;
        let wanted = plan(&facts)
            .into_iter()
            .filter(|p| not_before.is_none_or(|t| p.due_at >= t));
        for p in wanted {
            if p.due_at > horizon {
                first_later = Some(first_later.map_or(p.due_at, |t| t.min(p.due_at)));
            } else {
                jobs.push(send_job(&p, now)?);
            }
        }
        if let Some(first) = first_later {
            let later = Later {
                booking: facts.booking,
                change,
                at: at.as_second(),
                sequence: facts.sequence,
                status: facts.status,
            };
            jobs.push(later_job(&later, first)?);
        }
        // One commit for what is due soon, not one per nudge.
        store.enqueue_all(&jobs, now).await.map_err(retry)?;
        Ok(())
    }
}

fn send_job(p: &Planned, now: Timestamp) -> Result<NewJob, JobError> {
    Ok(NewJob {
        kind: SEND.into(),
        payload: serde_json::to_string(p)
            .map_err(|e| JobError::fatal(format!("cannot write a nudge: {e}")))?,
        dedupe_key: Some(format!("nudge:{}:{}", p.key, p.channel.as_str())),
        due_at: whole_second_up(p.due_at.max(now)),
        max_attempts: SEND_ATTEMPTS,
    })
}

/// Due at the whole second at or before `first`, so the plan it makes sends `first` on
/// time; one per booking, sequence and time.
fn later_job(later: &Later, first: Timestamp) -> Result<NewJob, JobError> {
    let due = Timestamp::from_second(first.as_second()).unwrap_or(first);
    Ok(NewJob {
        kind: PLAN.into(),
        payload: serde_json::to_string(later)
            .map_err(|e| JobError::fatal(format!("cannot write a plan: {e}")))?,
        dedupe_key: Some(format!(
            "{PLAN}:{}@{}:{}",
            later.booking,
            later.sequence,
            due.as_second()
        )),
        due_at: due,
        max_attempts: PLAN_ATTEMPTS,
    })
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

/// `booking.changed`: plans from the booking as it is now.
#[async_trait]
impl Handler for Planner {
    async fn run(&self, job: &Job) -> Result<(), JobError> {
        let input: BookingChanged = serde_json::from_str(&job.payload)
            .map_err(|e| JobError::fatal(format!("unreadable payload: {e}")))?;
        let Some(session) = load::session(&*self.store, input.booking)
            .await
            .map_err(retry)?
        else {
            // The booking is gone (its account was erased): nothing to nudge about.
            return Ok(());
        };
        let at = Timestamp::from_second(input.at).unwrap_or_else(|_| self.clock.now());
        self.queue(&session, change(input.change), at, None).await
    }
}

/// `nudge.plan`: the later part of a plan, when its first nudge is due.
pub struct LaterPlanner(Planner);

impl LaterPlanner {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>) -> Self {
        LaterPlanner(Planner::new(store, clock))
    }
}

#[async_trait]
impl Handler for LaterPlanner {
    async fn run(&self, job: &Job) -> Result<(), JobError> {
        let later: Later = serde_json::from_str(&job.payload)
            .map_err(|e| JobError::fatal(format!("unreadable plan: {e}")))?;
        let Some(session) = load::session(&*self.0.store, later.booking)
            .await
            .map_err(retry)?
        else {
            return Ok(());
        };
        let b = &session.booking;
        if b.sequence != later.sequence || b.status != later.status {
            // Moved, cancelled or closed since: that change planned afresh.
            return Ok(());
        }
        let at = Timestamp::from_second(later.at).unwrap_or(job.due_at);
        self.0
            .queue(&session, later.change, at, Some(job.due_at))
            .await
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
