//! `AccessLogStore` in SQL: each read inserted unless the same one was logged within the
//! hour (one statement, `NOT EXISTS`), and the owner's log by its index, newest first.

use super::SqlStore;
use super::bookings::ts;
use crate::access_log::{AccessEntry, AccessLogStore, NewAccess};
use crate::interfaces::Result;
use async_trait::async_trait;
use jiff::Timestamp;
use sqlx::Row;
use stint_domain::booking::BookingId;
use stint_domain::ids::UserId;

/// A read of the same thing by the same reader within this many seconds is not logged again.
const SAME_READ_SECONDS: i64 = 3600;

#[async_trait]
impl AccessLogStore for SqlStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn record_access(&self, reads: &[NewAccess<'_>], now: Timestamp) -> Result<u64> {
        let mut written = 0;
        for r in reads {
            let done = sqlx::query(
                "INSERT INTO access_log (owner_id, reader_id, what, booking_id, at) \
                 SELECT $1, $2, $3, $4, $5 WHERE NOT EXISTS (\
                   SELECT 1 FROM access_log WHERE owner_id = $1 AND reader_id = $2 \
                   AND what = $3 AND at > $6 \
                   AND (booking_id = $4 OR (booking_id IS NULL AND $4 IS NULL)))",
            )
            .bind(r.owner.0)
            .bind(r.reader.0)
            .bind(r.what.to_string())
            .bind(r.booking.map(|b| b.0))
            .bind(now.as_second())
            .bind(now.as_second() - SAME_READ_SECONDS)
            .execute(self.writer())
            .await?;
            written += done.rows_affected();
        }
        Ok(written)
    }

    async fn record_privacy_change(
        &self,
        user: UserId,
        change: &str,
        now: Timestamp,
    ) -> Result<()> {
        sqlx::query("INSERT INTO privacy_changes (user_id, change, at) VALUES ($1, $2, $3)")
            .bind(user.0)
            .bind(change.to_string())
            .bind(now.as_second())
            .execute(self.writer())
            .await?;
        Ok(())
    }

    async fn privacy_changes(&self, user: UserId, limit: u32) -> Result<Vec<(String, Timestamp)>> {
        sqlx::query(
            "SELECT change, at FROM privacy_changes WHERE user_id = $1 ORDER BY id DESC LIMIT $2",
        )
        .bind(user.0)
        .bind(i64::from(limit))
        .fetch_all(self.reader())
        .await?
        .iter()
        .map(|r| Ok((r.try_get("change")?, ts(r.try_get("at")?)?)))
        .collect()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn access_log(
        &self,
        owner: UserId,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<AccessEntry>> {
        sqlx::query(
            "SELECT l.id, l.reader_id, u.display_name, l.what, l.booking_id, l.at \
             FROM access_log l JOIN users u ON u.id = l.reader_id \
             WHERE l.owner_id = $1 AND l.id < $2 ORDER BY l.id DESC LIMIT $3",
        )
        .bind(owner.0)
        .bind(before.unwrap_or(i64::MAX))
        .bind(i64::from(limit))
        .fetch_all(self.reader())
        .await?
        .iter()
        .map(|r| {
            Ok(AccessEntry {
                id: r.try_get("id")?,
                reader: UserId(r.try_get("reader_id")?),
                reader_name: r.try_get("display_name")?,
                what: r.try_get("what")?,
                booking: r.try_get::<Option<i64>, _>("booking_id")?.map(BookingId),
                at: ts(r.try_get("at")?)?,
            })
        })
        .collect()
    }
}
