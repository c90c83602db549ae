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
    detail: Option<&str>,
    job: Option<&NewJob>,
    now: Timestamp,
) -> Result<bool> {
    let mut tx = store.begin_write().await?;
    let opened = sqlx::query(
        "INSERT INTO org_notices (org_id, notice, opened_at, detail) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (org_id, notice) DO NOTHING",
    )
    .bind(org.0)
    .bind(notice.to_string())
    .bind(now.as_second())
    .bind(detail.map(str::to_string))
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    if let (true, Some(job)) = (opened, job) {
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

pub(super) async fn latest_notice(
    store: &SqlStore,
    org: OrgId,
    prefix: &str,
) -> Result<Option<(String, Option<String>, Timestamp)>> {
    let row = sqlx::query(
        "SELECT notice, detail, opened_at FROM org_notices WHERE org_id = $1 \
         AND notice LIKE $2 ORDER BY opened_at DESC, notice DESC LIMIT 1",
    )
    .bind(org.0)
    // Notice names are letters, digits, `-` and `:`: no pattern characters to escape.
    .bind(format!("{prefix}%"))
    .fetch_optional(store.reader())
    .await?;
    row.map(|r| -> Result<_> {
        Ok((
            r.try_get("notice")?,
            r.try_get("detail")?,
            ts(r.try_get("opened_at")?)?,
        ))
    })
    .transpose()
}

pub(super) async fn participant_ids(
    store: &SqlStore,
    org: OrgId,
    before: Timestamp,
) -> Result<Vec<UserId>> {
    sqlx::query(
        "SELECT DISTINCT h.member_id FROM budget_holds h JOIN bookings b ON b.id = h.booking_id \
         WHERE h.org_id = $1 AND b.start_at < $2 AND b.status <> 'cancelled' \
         ORDER BY h.member_id",
    )
    .bind(org.0)
    .bind(before.as_second())
    .fetch_all(store.reader())
    .await?
    .iter()
    .map(|r| Ok(UserId(r.try_get("member_id")?)))
    .collect()
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
