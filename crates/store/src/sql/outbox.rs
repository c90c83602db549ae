//! Writing the outbox (see `crate::outbox`) inside a change's own transaction.

use crate::interfaces::Result;
use crate::outbox::{BookingChange, BookingChanged};
use jiff::Timestamp;
use sqlx::{Any, Transaction};
use stint_domain::booking::BookingId;

/// Enqueues `booking.changed` for `booking` in `tx`: it commits, or not, with the change.
pub(super) async fn booking_changed(
    tx: &mut Transaction<'static, Any>,
    booking: BookingId,
    change: BookingChange,
    detail: Option<String>,
    now: Timestamp,
) -> Result<()> {
    let job = BookingChanged {
        detail,
        ..BookingChanged::new(booking, change, now)
    }
    .job(now);
    sqlx::query(
        "INSERT INTO jobs (kind, payload, dedupe_key, state, due_at, attempts, max_attempts, \
         created_at, updated_at) VALUES ($1, $2, NULL, 'queued', $3, 0, $4, $3, $3)",
    )
    .bind(job.kind)
    .bind(job.payload)
    .bind(now.as_second())
    .bind(i64::from(job.max_attempts))
    .execute(&mut **tx)
    .await?;
    Ok(())
}
