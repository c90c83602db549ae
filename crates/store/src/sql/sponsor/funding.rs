//! Money into a budget (invoices credited once) and out of it when a period ends with what
//! is left set to expire.

use crate::StoreError;
use crate::interfaces::Result;
use crate::ledger::{Moved, Movement};
use crate::sponsor::FundingRecord;
use crate::sql::SqlStore;
use crate::sql::bookings::ts;
use crate::sql::ledger::write_movement;
use jiff::Timestamp;
use sqlx::Row;
use sqlx::any::AnyRow;
use stint_domain::ids::{OrgId, UserId};
use stint_domain::ledger::{Account, Credits, Transfer, TransferKind};

fn funding_row(row: &AnyRow) -> Result<FundingRecord> {
    Ok(FundingRecord {
        id: row.try_get("id")?,
        org: OrgId(row.try_get("org_id")?),
        credits: row.try_get("credits")?,
        reference: row.try_get("reference")?,
        paid_at: row
            .try_get::<Option<i64>, _>("paid_at")?
            .map(ts)
            .transpose()?,
        created_at: ts(row.try_get("created_at")?)?,
        provider: row.try_get("provider")?,
        price_minor: row.try_get("price_minor")?,
        currency: row.try_get("currency")?,
    })
}

/// A funding's columns, as `funding_row` reads them.
const FUNDING_COLUMNS: &str =
    "id, org_id, credits, reference, paid_at, created_at, provider, price_minor, currency";

pub(super) async fn request_funding(
    store: &SqlStore,
    org: OrgId,
    credits: Credits,
    reference: &str,
    by: UserId,
    card: Option<(i64, &str)>,
    now: Timestamp,
) -> Result<FundingRecord> {
    let sql = format!(
        "INSERT INTO budget_fundings (org_id, credits, reference, state, created_by, \
         created_at, provider, price_minor, currency) \
         VALUES ($1, $2, $3, 'pending', $4, $5, $6, $7, $8) RETURNING {FUNDING_COLUMNS}"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(org.0)
        .bind(credits)
        .bind(reference.to_string())
        .bind(by.0)
        .bind(now.as_second())
        .bind(if card.is_some() { "stripe" } else { "invoice" })
        .bind(card.map(|(minor, _)| minor))
        .bind(card.map(|(_, currency)| currency.to_string()))
        .fetch_one(store.writer())
        .await?;
    funding_row(&row)
}

pub(super) async fn fundings(store: &SqlStore, org: Option<OrgId>) -> Result<Vec<FundingRecord>> {
    let rows = match org {
        Some(o) => {
            let sql = format!(
                "SELECT {FUNDING_COLUMNS} FROM budget_fundings WHERE org_id = $1 \
                 ORDER BY id DESC LIMIT 200"
            );
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(o.0)
                .fetch_all(store.reader())
                .await?
        }
        None => {
            // Operators settle invoices; a card payment is settled by its provider's word.
            let sql = format!(
                "SELECT {FUNDING_COLUMNS} FROM budget_fundings WHERE state = 'pending' \
                 AND provider = 'invoice' ORDER BY id LIMIT 200"
            );
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .fetch_all(store.reader())
                .await?
        }
    };
    rows.iter().map(funding_row).collect()
}

pub(super) async fn funding(store: &SqlStore, id: i64) -> Result<Option<FundingRecord>> {
    let sql = format!("SELECT {FUNDING_COLUMNS} FROM budget_fundings WHERE id = $1");
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(store.writer())
        .await?
        .as_ref()
        .map(funding_row)
        .transpose()
}

pub(super) async fn mark_funding_paid(
    store: &SqlStore,
    id: i64,
    provider: &str,
    now: Timestamp,
) -> Result<FundingRecord> {
    let mut tx = store.begin_write().await?;
    let sql = format!(
        "UPDATE budget_fundings SET state = 'paid', paid_at = $2 \
         WHERE id = $1 AND state = 'pending' AND provider = $3 RETURNING {FUNDING_COLUMNS}"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .bind(now.as_second())
        .bind(provider.to_string())
        .fetch_optional(&mut *tx)
        .await?;
    let Some(row) = row else {
        let known: Option<i64> =
            sqlx::query_scalar("SELECT id FROM budget_fundings WHERE id = $1 AND provider = $2")
                .bind(id)
                .bind(provider.to_string())
                .fetch_optional(&mut *tx)
                .await?;
        return Err(match known {
            Some(_) => StoreError::conflict("funding", "this invoice is paid already"),
            None => StoreError::NotFound,
        });
    };
    let funding = funding_row(&row)?;
    let movement = Movement {
        key: format!("funding:{id}"),
        transfers: vec![Transfer {
            from: Account::World,
            to: Account::Budget(funding.org),
            amount: funding.credits,
            kind: TransferKind::Purchase,
        }],
        reference: format!("funding:{id}"),
        money: None,
    };
    if write_movement(&mut tx, store.backend(), &movement, now).await? == Moved::AlreadyDone {
        return Err(StoreError::conflict(
            "funding",
            "this invoice is paid already",
        ));
    }
    tx.commit().await?;
    Ok(funding)
}

pub(super) async fn close_budget_period(
    store: &SqlStore,
    org: OrgId,
    period_start: Timestamp,
    now: Timestamp,
) -> Result<Option<Credits>> {
    let mut tx = store.begin_write().await?;
    if !mark_period_closed(&mut tx, org, period_start, now).await? {
        return Ok(None);
    }
    let funded: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(credits), 0) AS BIGINT) FROM budget_fundings \
         WHERE org_id = $1 AND paid_at >= $2",
    )
    .bind(org.0)
    .bind(period_start.as_second())
    .fetch_one(&mut *tx)
    .await?;
    let held: Option<i64> =
        sqlx::query_scalar("SELECT balance FROM ledger_accounts WHERE name = $1")
            .bind(Account::Budget(org).to_string())
            .fetch_optional(&mut *tx)
            .await?;
    let left = (held.unwrap_or(0) - funded).max(0);
    if left > 0 {
        let movement = Movement {
            key: format!("budget-expire:{}:{}", org.0, period_start.as_second()),
            transfers: vec![Transfer {
                from: Account::Budget(org),
                to: Account::Expired,
                amount: left,
                kind: TransferKind::Expiry,
            }],
            reference: format!("budget:{}", org.0),
            money: None,
        };
        write_movement(&mut tx, store.backend(), &movement, now).await?;
        sqlx::query(
            "UPDATE budget_periods SET expired = $3 WHERE org_id = $1 AND period_start = $2",
        )
        .bind(org.0)
        .bind(period_start.as_second())
        .bind(left)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(Some(left))
}

/// Records `org`'s period from `start` as closed: false if it was already.
pub(super) async fn mark_period_closed(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    org: OrgId,
    start: Timestamp,
    now: Timestamp,
) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO budget_periods (org_id, period_start, expired, closed_at) \
         VALUES ($1, $2, 0, $3) ON CONFLICT (org_id, period_start) DO NOTHING",
    )
    .bind(org.0)
    .bind(start.as_second())
    .bind(now.as_second())
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}
