//! Bookings waiting for a sponsor admin's approval: the list, and each decision written once.
//! A decline or a lapse cancels the booking and releases its hold to the budget in the same
//! transaction as the decision, through the cancel use case's own write (`cancel_in`).

use crate::StoreError;
use crate::interfaces::Result;
use crate::sponsor::ApprovalRow;
use crate::sql::SqlStore;
use crate::sql::bookings::ts;
use jiff::Timestamp;
use sqlx::Row;
use stint_domain::booking::{BookingId, BookingStatus};
use stint_domain::ids::OrgId;
use stint_domain::ledger::HoldEnd;
use stint_domain::sponsor::Approval;

pub(super) async fn pending(store: &SqlStore, org: OrgId) -> Result<Vec<ApprovalRow>> {
    sqlx::query(
        "SELECT h.booking_id, u.display_name, v.title, b.start_at, h.credits, h.approval_due \
         FROM budget_holds h JOIN bookings b ON b.id = h.booking_id \
         JOIN users u ON u.id = h.member_id \
         JOIN sku_versions v ON v.sku_id = b.sku_id AND v.version = b.sku_version \
         WHERE h.org_id = $1 AND h.approval = 'pending' \
         ORDER BY h.approval_due, h.booking_id LIMIT 200",
    )
    .bind(org.0)
    .fetch_all(store.reader())
    .await?
    .iter()
    .map(|r| {
        Ok(ApprovalRow {
            booking: BookingId(r.try_get("booking_id")?),
            member: r.try_get("display_name")?,
            sku_title: r.try_get("title")?,
            start: ts(r.try_get("start_at")?)?,
            credits: r.try_get("credits")?,
            due: ts(r.try_get("approval_due")?)?,
        })
    })
    .collect()
}

pub(super) async fn decide(
    store: &SqlStore,
    org: Option<OrgId>,
    booking: BookingId,
    decision: Approval,
    now: Timestamp,
) -> Result<bool> {
    if decision == Approval::Pending {
        return Err(StoreError::conflict("approval", "a decision is needed"));
    }
    let mut tx = store.begin_write().await?;
    let known: Option<i64> = sqlx::query_scalar(
        "SELECT org_id FROM budget_holds WHERE booking_id = $1 AND approval IS NOT NULL",
    )
    .bind(booking.0)
    .fetch_optional(&mut *tx)
    .await?;
    match known {
        Some(o) if org.is_none_or(|want| want.0 == o) => {}
        _ => return Err(StoreError::NotFound),
    }
    // A lapse only once due; any decision only while pending, so a second one changes nothing.
    let lapse_due = if decision == Approval::Lapsed {
        now.as_second()
    } else {
        i64::MAX
    };
    let decided = sqlx::query(
        "UPDATE budget_holds SET approval = $2 WHERE booking_id = $1 AND approval = 'pending' \
         AND approval_due <= $3",
    )
    .bind(booking.0)
    .bind(decision.as_str())
    .bind(lapse_due)
    .execute(&mut *tx)
    .await?;
    if decided.rows_affected() == 0 {
        return Ok(false);
    }
    let mut freed = None;
    if decision != Approval::Approved {
        let current = store.booking_in(&mut tx, booking).await?;
        if current.status == BookingStatus::Confirmed {
            let reason = match decision {
                Approval::Lapsed => "your organisation did not approve it in time",
                _ => "your organisation declined to pay for it",
            };
            // Cancelled as the member's own request that was not granted: nothing is late.
            store
                .cancel_in(
                    &mut tx,
                    &current,
                    current.mentee_id,
                    reason,
                    false,
                    HoldEnd::Release,
                    now,
                )
                .await?;
            freed = Some(current.mentor_id);
        }
    }
    tx.commit().await?;
    if let Some(mentor) = freed {
        store.forget_schedule(mentor);
    }
    Ok(true)
}
