//! What a booking change sets off, as one job: the `booking.changed` job (written by the
//! store's outbox in the change's own transaction) plans the booking's nudges, queues a sync
//! of the mentor's CalDAV calendars and tells subscribed webhooks. Every step is idempotent,
//! so a retried job repeats none: nudges by their keys, syncs by their dedupe keys, the
//! webhook message by an id derived from the job's. A booking a sponsor must approve opens
//! the sponsor's notice.

use async_trait::async_trait;
use jiff::Timestamp;
use serde_json::json;
use std::sync::Arc;
use stint_domain::clock::Clock;
use stint_notify::Planner;
use stint_store::outbox::{BookingChange, BookingChanged};
use stint_store::{Job, Store};
use stint_webhooks::EventType;
use stint_worker::{Handler, JobError};

pub struct OnBookingChanged {
    planner: Planner,
    app: stint_app::App,
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
}

impl OnBookingChanged {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>) -> Self {
        OnBookingChanged {
            planner: Planner::new(store.clone(), clock.clone()),
            app: stint_app::App::new(store.clone(), clock.clone(), stint_app::Settings::default()),
            store,
            clock,
        }
    }
}

/// The webhook event a change is, if any.
fn event_type(change: BookingChange) -> Option<EventType> {
    match change {
        BookingChange::Created => Some(EventType::BookingCreated),
        BookingChange::Rescheduled => Some(EventType::BookingRescheduled),
        BookingChange::Cancelled => Some(EventType::BookingCancelled),
        BookingChange::Completed => Some(EventType::BookingCompleted),
        BookingChange::AssessmentSubmitted => Some(EventType::AssessmentSubmitted),
        BookingChange::TaskDone => Some(EventType::TaskDone),
        BookingChange::NoShow | BookingChange::Replan => None,
    }
}

impl OnBookingChanged {
    /// `credits.settled` for a booking whose hold has ended, once per booking: how it ended
    /// and the price (a free session has no hold and sends nothing).
    async fn announce_settlement(
        &self,
        b: &stint_domain::booking::Booking,
    ) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        let Some(hold) = self.store.booking_holds(&[b.id]).await?.pop() else {
            return Ok(());
        };
        if hold.state == stint_domain::ledger::HoldState::Held {
            return Ok(());
        }
        let data = json!({
            "booking_id": b.id.0,
            "state": hold.state.as_str(),
            "price_credits": hold.price,
            "payer": hold.payer.to_string(),
            "mentor_id": b.mentor_id.0,
            "ended_at": hold.ended_at.map(|t| t.to_string()),
        });
        stint_webhooks::emit_once(
            &*self.store,
            &format!("credits.settled:{}", b.id.0),
            EventType::CreditsSettled,
            &data,
            self.clock.now(),
        )
        .await?;
        Ok(())
    }
}

#[async_trait]
impl Handler for OnBookingChanged {
    async fn run(&self, job: &Job) -> Result<(), JobError> {
        self.planner.run(job).await?;
        let change: BookingChanged = serde_json::from_str(&job.payload)
            .map_err(|e| JobError::fatal(format!("unreadable payload: {e}")))?;
        let retry = |e: &dyn std::fmt::Display| JobError::retry(e.to_string());
        let Some(b) = self
            .store
            .booking(change.booking)
            .await
            .map_err(|e| retry(&e))?
        else {
            return Ok(());
        };
        if matches!(
            change.change,
            BookingChange::Created | BookingChange::Rescheduled | BookingChange::Cancelled
        ) {
            // The mentor's CalDAV calendars get the change at their next sync, queued now.
            crate::calendar_sync::queue_for_mentor(&*self.store, b.mentor_id, self.clock.now())
                .await
                .map_err(|e| retry(&e))?;
        }
        if change.change == BookingChange::Created {
            // A budget that asks for approval tells its admins (once: the notice is recorded).
            stint_app::sponsor::notices::approval_requested(&self.app, b.id)
                .await
                .map_err(|e| retry(&e))?;
        }
        if matches!(
            change.change,
            BookingChange::Cancelled | BookingChange::Completed | BookingChange::NoShow
        ) {
            self.announce_settlement(&b).await.map_err(|e| retry(&e))?;
        }
        let Some(kind) = event_type(change.change) else {
            return Ok(());
        };
        let rfc3339 = |t: Timestamp| t.to_string();
        // Ids and times only: what a partner system needs to look the booking up, and
        // nothing about the people beyond their ids.
        let mut data = json!({
            "booking_id": b.id.0,
            "status": b.status.as_str(),
            "sequence": b.sequence,
            "sku_id": b.sku_id.0,
            "sku_version": b.sku_version,
            "mentor_id": b.mentor_id.0,
            "mentee_id": b.mentee_id.0,
            "start": rfc3339(b.start),
            "end": rfc3339(b.end),
            "changed_at": Timestamp::from_second(change.at).map(rfc3339).unwrap_or_default(),
        });
        match change.change {
            BookingChange::TaskDone => data["task_id"] = json!(change.detail),
            BookingChange::AssessmentSubmitted => data["assessment"] = json!(change.detail),
            BookingChange::Cancelled => data["late_cancellation"] = json!(b.late_cancel),
            _ => {}
        }
        let key = format!("booking.changed:{}", job.id);
        stint_webhooks::emit_once(&*self.store, &key, kind, &data, self.clock.now())
            .await
            .map_err(|e| retry(&e))?;
        Ok(())
    }
}
