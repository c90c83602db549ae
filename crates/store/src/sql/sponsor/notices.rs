//! What an organisation's admins are told once: each notice (a month's statement, a low
//! budget, a request to approve) is recorded under its name and its job queued in the same
//! transaction, so however often the hourly check or a retried job asks, it goes out once.

use crate::NewJob;
use crate::interfaces::Result;
use crate::sponsor::BudgetHoldInfo;
use crate::sql::SqlStore;
use crate::sql::bookings::ts;
use jiff::Timestamp;
use sqlx::Row;
use stint_domain::booking::BookingId;
use stint_domain::ids::{OrgId, UserId};
use stint_domain::sponsor::Approval;

pub(super) async fn open_notice(
    store: &SqlStore,
    org: OrgId,
    notice: &str,
    job: &NewJob,
    now: Timestamp,
) -> Result<bool> {
    let mut tx = store.begin_write().await?;
    let opened = sqlx::query(
        "INSERT INTO org_notices (org_id, notice, opened_at) VALUES ($1, $2, $3) \
         ON CONFLICT (org_id, notice) DO NOTHING",
    )
    .bind(org.0)
    .bind(notice.to_string())
    .bind(now.as_second())
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    if opened {
        sqlx::query(
            "INSERT INTO jobs (kind, payload, state, due_at, attempts, max_attempts, \
             created_at, updated_at) VALUES ($1, $2, 'queued', $3, 0, $4, $5, $5)",
        )
        .bind(job.kind.clone())
        .bind(job.payload.clone())
        .bind(job.due_at.as_second())
        .bind(i64::from(job.max_attempts.max(1)))
        .bind(now.as_second())
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(opened)
}

pub(super) async fn budget_hold_of(
    store: &SqlStore,
    booking: BookingId,
) -> Result<Option<BudgetHoldInfo>> {
    let row = sqlx::query(
        "SELECT h.org_id, o.name, h.member_id, h.credits, h.approval, h.approval_due \
         FROM budget_holds h JOIN organisations o ON o.id = h.org_id WHERE h.booking_id = $1",
    )
    .bind(booking.0)
    .fetch_optional(store.reader())
    .await?;
    let Some(row) = row else { return Ok(None) };
    let approval: Option<String> = row.try_get("approval")?;
    Ok(Some(BudgetHoldInfo {
        org: OrgId(row.try_get("org_id")?),
        org_name: row.try_get("name")?,
        member: UserId(row.try_get("member_id")?),
        credits: row.try_get("credits")?,
        approval: approval.as_deref().and_then(Approval::parse),
        approval_due: row
            .try_get::<Option<i64>, _>("approval_due")?
            .map(ts)
            .transpose()?,
    }))
}
