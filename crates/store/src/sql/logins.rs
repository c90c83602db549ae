//! The log-in attempts table: the counts (one statement), begin (insert, then count: every
//! committed attempt is seen, its own included), finish.

use super::SqlStore;
use crate::interfaces::Result;
use crate::logins::{LoginCounts, LoginOutcome, LoginWindows};
use jiff::Timestamp;
use sqlx::Row;

/// Every count in one statement: $1 e-mail, $2 address, $3 failures since, $4 recent
/// since, $5 known since. The pair's failures count from its last success.
const COUNTS: &str = "SELECT \
    (SELECT COUNT(*) FROM login_attempts WHERE email = $1 AND address = $2 AND at >= $3 \
        AND succeeded = 0 AND id > COALESCE((SELECT MAX(id) FROM login_attempts \
        WHERE email = $1 AND address = $2 AND succeeded = 1), 0)) AS pair_failures, \
    (SELECT COUNT(*) FROM login_attempts WHERE email = $1 AND at >= $3 AND succeeded = 0) \
        AS account_failures, \
    (SELECT COUNT(*) FROM login_attempts WHERE address = $2 AND at >= $3 AND succeeded = 0) \
        AS address_failures, \
    (SELECT COUNT(*) FROM login_attempts WHERE email = $1 AND at >= $4) AS account_recent, \
    (SELECT COUNT(*) FROM login_attempts WHERE email = $1 AND address = $2 AND at >= $5 \
        AND succeeded = 1) AS known";

/// The counts as committed now. Read on the reader: each attempt's own record is committed
/// before it counts, so it is seen there too.
pub(super) async fn counts(
    store: &SqlStore,
    email: &str,
    address: &str,
    windows: &LoginWindows,
) -> Result<LoginCounts> {
    let row = sqlx::query(COUNTS)
        .bind(email.trim().to_lowercase())
        .bind(address.to_string())
        .bind(windows.failures_since.as_second())
        .bind(windows.recent_since.as_second())
        .bind(windows.known_since.as_second())
        .fetch_one(store.reader())
        .await?;
    Ok(LoginCounts {
        pair_failures: row.try_get("pair_failures")?,
        account_failures: row.try_get("account_failures")?,
        address_failures: row.try_get("address_failures")?,
        account_recent: row.try_get("account_recent")?,
        known_pair: row.try_get::<i64, _>("known")? > 0,
    })
}

pub(super) async fn begin(
    store: &SqlStore,
    email: &str,
    address: &str,
    now: Timestamp,
    windows: &LoginWindows,
) -> Result<(i64, LoginCounts)> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO login_attempts (email, address, at, succeeded) VALUES ($1, $2, $3, 0) \
         RETURNING id",
    )
    .bind(email.trim().to_lowercase())
    .bind(address.to_string())
    .bind(now.as_second())
    .fetch_one(store.writer())
    .await?;
    Ok((id, counts(store, email, address, windows).await?))
}

pub(super) async fn finish(store: &SqlStore, id: i64, outcome: LoginOutcome) -> Result<()> {
    let sql = match outcome {
        LoginOutcome::Succeeded => "UPDATE login_attempts SET succeeded = 1 WHERE id = $1",
        LoginOutcome::Failed => return Ok(()),
        LoginOutcome::NotChecked => "DELETE FROM login_attempts WHERE id = $1",
    };
    sqlx::query(sql).bind(id).execute(store.writer()).await?;
    Ok(())
}
