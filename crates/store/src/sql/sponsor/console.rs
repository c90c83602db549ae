//! The budget's figures for the sponsor console, counted by the database: spend by month and
//! session type, and how many members took part. What may be shown of them is decided in
//! the application (`stint_domain::sponsor::privacy`).

use crate::interfaces::Result;
use crate::migrations::Backend;
use crate::sponsor::{SpendRow, StatementLine};
use crate::sql::SqlStore;
use crate::sql::bookings::ts;
use jiff::Timestamp;
use sqlx::Row;
use stint_domain::booking::BookingId;
use stint_domain::ids::{OrgId, SkuId};
use stint_domain::ledger::Account;

/// A booking's start as `YYYY-MM` in UTC, in each backend's words.
fn month_of(backend: Backend, column: &str) -> String {
    match backend {
        Backend::Sqlite => format!("strftime('%Y-%m', {column}, 'unixepoch')"),
        Backend::Postgres => {
            format!("to_char(to_timestamp({column}) AT TIME ZONE 'UTC', 'YYYY-MM')")
        }
    }
}

/// Sessions the budget paid for (released ones are not spend), with what each cost it net of
/// what came back to it, by month of the session and session type.
pub(super) async fn spend(store: &SqlStore, org: OrgId) -> Result<Vec<SpendRow>> {
    let month = month_of(store.backend(), "b.start_at");
    let sql = format!(
        "SELECT {month} AS month, b.sku_id, MAX(v.title) AS title, COUNT(*) AS sessions, \
           COUNT(DISTINCT h.member_id) AS people, \
           CAST(SUM(h.credits - COALESCE((SELECT SUM(t.amount) FROM ledger_transfers t \
               WHERE t.reference = 'booking:' || CAST(h.booking_id AS TEXT) \
                 AND t.to_account = $2), 0)) AS BIGINT) AS credits \
         FROM budget_holds h JOIN bookings b ON b.id = h.booking_id \
         JOIN booking_charges c ON c.booking_id = h.booking_id \
         JOIN sku_versions v ON v.sku_id = b.sku_id AND v.version = b.sku_version \
         WHERE h.org_id = $1 AND c.state <> 'released' \
         GROUP BY {month}, b.sku_id ORDER BY month DESC, b.sku_id"
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(org.0)
        .bind(Account::Budget(org).to_string())
        .fetch_all(store.reader())
        .await?
        .iter()
        .map(|r| {
            Ok(SpendRow {
                month: r.try_get("month")?,
                sku: SkuId(r.try_get("sku_id")?),
                sku_title: r.try_get("title")?,
                sessions: r.try_get("sessions")?,
                people: r.try_get("people")?,
                credits: r.try_get("credits")?,
            })
        })
        .collect()
}

/// Active members (admins and those who keep out of its figures aside) with at least one session the budget paid for that was not released.
pub(super) async fn participants(store: &SqlStore, org: OrgId) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM org_members m WHERE m.org_id = $1 AND m.left_at IS NULL \
           AND m.role = 'member' AND m.withheld = 0 \
           AND EXISTS (SELECT 1 FROM budget_holds h \
                       JOIN booking_charges c ON c.booking_id = h.booking_id \
                       WHERE h.org_id = $1 AND h.member_id = m.user_id AND c.state <> 'released')",
    )
    .bind(org.0)
    .fetch_one(store.reader())
    .await?)
}

/// The sessions the budget paid for that start in `[from, to)`, with what came back of each.
pub(super) async fn statement(
    store: &SqlStore,
    org: OrgId,
    from: Timestamp,
    to: Timestamp,
) -> Result<Vec<StatementLine>> {
    sqlx::query(
        "SELECT h.booking_id, b.start_at, v.title, c.state, h.credits, \
           CAST(COALESCE((SELECT SUM(t.amount) FROM ledger_transfers t \
               WHERE t.reference = 'booking:' || CAST(h.booking_id AS TEXT) \
                 AND t.to_account = $4), 0) AS BIGINT) AS returned \
         FROM budget_holds h JOIN bookings b ON b.id = h.booking_id \
         JOIN booking_charges c ON c.booking_id = h.booking_id \
         JOIN sku_versions v ON v.sku_id = b.sku_id AND v.version = b.sku_version \
         WHERE h.org_id = $1 AND b.start_at >= $2 AND b.start_at < $3 \
         ORDER BY b.start_at, h.booking_id",
    )
    .bind(org.0)
    .bind(from.as_second())
    .bind(to.as_second())
    .bind(Account::Budget(org).to_string())
    .fetch_all(store.reader())
    .await?
    .iter()
    .map(|r| {
        Ok(StatementLine {
            booking: BookingId(r.try_get("booking_id")?),
            start: ts(r.try_get("start_at")?)?,
            sku_title: r.try_get("title")?,
            state: r.try_get("state")?,
            held: r.try_get("credits")?,
            returned: r.try_get("returned")?,
        })
    })
    .collect()
}
