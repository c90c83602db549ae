//! The log-in attempts table: begin (insert, then count on the writer, which sees every
//! committed attempt including its own), finish, and the counts.

use super::SqlStore;
use crate::interfaces::Result;
use crate::logins::{LoginCounts, LoginOutcome, LoginWindows};
use jiff::Timestamp;

/// Failures of the pair since the pair's last success (within the window).
const PAIR_FAILURES: &str = "SELECT COUNT(*) FROM login_attempts \
    WHERE email = $1 AND address = $2 AND at >= $3 AND succeeded = 0 \
    AND id > COALESCE((SELECT MAX(id) FROM login_attempts \
        WHERE email = $1 AND address = $2 AND succeeded = 1), 0)";
const ACCOUNT_FAILURES: &str =
    "SELECT COUNT(*) FROM login_attempts WHERE email = $1 AND at >= $2 AND succeeded = 0";
const ADDRESS_FAILURES: &str =
    "SELECT COUNT(*) FROM login_attempts WHERE address = $1 AND at >= $2 AND succeeded = 0";
const ACCOUNT_RECENT: &str = "SELECT COUNT(*) FROM login_attempts WHERE email = $1 AND at >= $2";
const KNOWN_PAIR: &str = "SELECT COUNT(*) FROM login_attempts \
    WHERE email = $1 AND address = $2 AND at >= $3 AND succeeded = 1";

pub(super) async fn begin(
    store: &SqlStore,
    email: &str,
    address: &str,
    now: Timestamp,
    windows: &LoginWindows,
) -> Result<(i64, LoginCounts)> {
    let email = email.trim().to_lowercase();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO login_attempts (email, address, at, succeeded) VALUES ($1, $2, $3, 0) \
         RETURNING id",
    )
    .bind(email.clone())
    .bind(address.to_string())
    .bind(now.as_second())
    .fetch_one(store.writer())
    .await?;
    let (pair, account) = ([email.as_str(), address], [email.as_str()]);
    let counts = LoginCounts {
        pair_failures: count(store, PAIR_FAILURES, &pair, windows.failures_since).await?,
        account_failures: count(store, ACCOUNT_FAILURES, &account, windows.failures_since).await?,
        address_failures: count(store, ADDRESS_FAILURES, &[address], windows.failures_since)
            .await?,
        account_recent: count(store, ACCOUNT_RECENT, &account, windows.recent_since).await?,
        known_pair: count(store, KNOWN_PAIR, &pair, windows.known_since).await? > 0,
    };
    Ok((id, counts))
}

/// `sql` with `texts` bound first, then `since`.
async fn count(
    store: &SqlStore,
    sql: &'static str,
    texts: &[&str],
    since: Timestamp,
) -> Result<i64> {
    let mut query = sqlx::query_scalar::<_, i64>(sql);
    for text in texts {
        query = query.bind(text.to_string());
    }
    Ok(query
        .bind(since.as_second())
        .fetch_one(store.writer())
        .await?)
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
