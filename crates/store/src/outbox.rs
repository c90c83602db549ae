//! The outbox of booking changes: every write that changes a booking (made, moved,
//! cancelled, closed, a no-show, an assessment, a task ticked) enqueues a `booking.changed`
//! job **in the same transaction**, so what follows from it (nudges planned or withdrawn,
//! webhooks) happens exactly when the change commits, even if the process dies right after.

use crate::jobs::NewJob;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use stint_domain::booking::BookingId;

/// The job kind the outbox writes.
pub const BOOKING_CHANGED: &str = "booking.changed";
/// The job that mails a buyer their receipt, written in the transaction that pays the
/// purchase (`MoneyStore::mark_purchase_paid`), so every paid purchase gets one, once.
pub const RECEIPT_MAIL: &str = "purchase.receipt_mail";

/// `purchase.receipt_mail`'s payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptMail {
    pub purchase: i64,
}
/// The job that gives a refund's money back through the provider that took it (Stripe),
/// written in the transaction that records the refund (`AdjustmentStore::refund`).
pub const PROVIDER_REFUND: &str = "purchase.provider_refund";

/// `purchase.provider_refund`'s payload: everything the provider needs, so the job reads
/// nothing else.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderRefund {
    /// The refund (a ledger adjustment); its id keys the provider's idempotency.
    pub adjustment: i64,
    pub provider: String,
    /// The provider's reference of the payment (a Stripe PaymentIntent).
    pub payment: String,
    pub amount_minor: i64,
}

/// Attempts of a `booking.changed` job: planning only reads and enqueues, so failures are
/// the database's, and worth a long retry.
pub const BOOKING_CHANGED_ATTEMPTS: u32 = 12;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BookingChange {
    Created,
    Rescheduled,
    Cancelled,
    NoShow,
    Completed,
    AssessmentSubmitted,
    TaskDone,
    /// Nothing happened to the booking, but its nudges need planning again (a party
    /// changed their preferences).
    Replan,
}

impl BookingChange {
    pub fn as_str(self) -> &'static str {
        match self {
            BookingChange::Created => "created",
            BookingChange::Rescheduled => "rescheduled",
            BookingChange::Cancelled => "cancelled",
            BookingChange::NoShow => "no_show",
            BookingChange::Completed => "completed",
            BookingChange::AssessmentSubmitted => "assessment_submitted",
            BookingChange::TaskDone => "task_done",
            BookingChange::Replan => "replan",
        }
    }
}

/// A `booking.changed` job's payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingChanged {
    pub booking: BookingId,
    pub change: BookingChange,
    /// When the change was made.
    pub at: i64,
    /// The task, for `task_done`; the assessment kind, for `assessment_submitted`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl BookingChanged {
    pub fn new(booking: BookingId, change: BookingChange, at: Timestamp) -> Self {
        BookingChanged {
            booking,
            change,
            at: at.as_second(),
            detail: None,
        }
    }

    /// The job that carries it, due at once.
    pub fn job(&self, now: Timestamp) -> NewJob {
        NewJob {
            kind: BOOKING_CHANGED.into(),
            payload: serde_json::to_string(self).unwrap_or_default(),
            dedupe_key: None,
            due_at: now,
            max_attempts: BOOKING_CHANGED_ATTEMPTS,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_payload_written_by_sql_reads_back() {
        // The claim statements write this JSON by string concatenation.
        let sql_written = r#"{"booking":42,"change":"created","at":1800000000}"#;
        let p: BookingChanged = serde_json::from_str(sql_written).unwrap();
        assert_eq!(p.booking, BookingId(42));
        assert_eq!(p.change, BookingChange::Created);
        let again: BookingChanged =
            serde_json::from_str(&serde_json::to_string(&p).unwrap()).unwrap();
        assert_eq!(again, p);
    }
}
