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

/// Queues the buyer's receipt mail for purchase `purchase` in `tx` (the transaction that pays
/// it).
pub(super) async fn receipt_mail(
    tx: &mut Transaction<'static, Any>,
    purchase: i64,
    now: Timestamp,
) -> Result<()> {
    let payload = serde_json::to_string(&crate::outbox::ReceiptMail { purchase })
        .map_err(|e| crate::StoreError::Backend(e.into()))?;
    sqlx::query(
        "INSERT INTO jobs (kind, payload, dedupe_key, state, due_at, attempts, max_attempts, \
         created_at, updated_at) VALUES ($1, $2, NULL, 'queued', $3, 0, 12, $3, $3)",
    )
    .bind(crate::outbox::RECEIPT_MAIL)
    .bind(payload)
    .bind(now.as_second())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Queues the provider's half of refund `job.adjustment` in `tx` (the transaction that
/// records the refund): the money goes back exactly when the credits do.
pub(super) async fn provider_refund(
    tx: &mut Transaction<'static, Any>,
    job: &crate::outbox::ProviderRefund,
    now: Timestamp,
) -> Result<()> {
    let payload = serde_json::to_string(job).map_err(|e| crate::StoreError::Backend(e.into()))?;
    sqlx::query(
        "INSERT INTO jobs (kind, payload, dedupe_key, state, due_at, attempts, max_attempts, \
         created_at, updated_at) VALUES ($1, $2, $3, 'queued', $4, 0, 20, $4, $4)",
    )
    .bind(crate::outbox::PROVIDER_REFUND)
    .bind(payload)
    .bind(format!("provider_refund:{}", job.adjustment))
    .bind(now.as_second())
    .execute(&mut **tx)
    .await?;
    Ok(())
}
