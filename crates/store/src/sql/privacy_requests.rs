//! `PrivacyRequestStore` in SQL: requests with their owner's name joined in, an export's zip
//! kept beside its request, and at most one open erasure per person (a partial unique index).

use super::SqlStore;
use super::bookings::ts;
use super::unknown;
use crate::StoreError;
use crate::interfaces::Result;
use crate::privacy_requests::{Erasure, PrivacyRequest, PrivacyRequestStore};
use async_trait::async_trait;
use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};
use stint_domain::erasure::{RequestKind, RequestState};
use stint_domain::ids::UserId;

const COLUMNS: &str = "r.id, r.user_id, u.display_name, u.email, r.kind, r.state, \
     r.requested_at, r.due_at, r.deadline_at, r.progress, r.file_name, r.expires_at, \
     r.finished_at FROM privacy_requests r JOIN users u ON u.id = r.user_id";

type Query = sqlx::query::Query<'static, sqlx::Any, sqlx::any::AnyArguments>;

/// Requests with their owner, `rest` (the conditions and order) after the columns.
fn select(rest: &str) -> Query {
    sqlx::query(AssertSqlSafe(format!("SELECT {COLUMNS} {rest}")))
}

async fn fetch(store: &SqlStore, q: Query) -> Result<Vec<PrivacyRequest>> {
    q.fetch_all(store.reader())
        .await?
        .iter()
        .map(request_from)
        .collect()
}

fn request_from(row: &AnyRow) -> Result<PrivacyRequest> {
    let kind: String = row.try_get("kind")?;
    let state: String = row.try_get("state")?;
    let opt_ts = |col: &str| -> Result<Option<Timestamp>> {
        row.try_get::<Option<i64>, _>(col)?.map(ts).transpose()
    };
    Ok(PrivacyRequest {
        id: row.try_get("id")?,
        user_id: UserId(row.try_get("user_id")?),
        user_name: row.try_get("display_name")?,
        user_email: row.try_get("email")?,
        kind: RequestKind::parse(&kind).ok_or_else(|| unknown("request kind", &kind))?,
        state: RequestState::parse(&state).ok_or_else(|| unknown("request state", &state))?,
        requested_at: ts(row.try_get("requested_at")?)?,
        due_at: ts(row.try_get("due_at")?)?,
        deadline_at: ts(row.try_get("deadline_at")?)?,
        progress: u8::try_from(row.try_get::<i64, _>("progress")?).unwrap_or(100),
        file_name: row.try_get("file_name")?,
        expires_at: opt_ts("expires_at")?,
        finished_at: opt_ts("finished_at")?,
    })
}

#[async_trait]
impl PrivacyRequestStore for SqlStore {
    async fn open_privacy_request(
        &self,
        user: UserId,
        kind: RequestKind,
        now: Timestamp,
        due: Timestamp,
        deadline: Timestamp,
    ) -> Result<PrivacyRequest> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO privacy_requests (user_id, kind, state, requested_at, due_at, deadline_at) \
             VALUES ($1, $2, 'pending', $3, $4, $5) RETURNING id",
        )
        .bind(user.0)
        .bind(kind.as_str())
        .bind(now.as_second())
        .bind(due.as_second())
        .bind(deadline.as_second())
        .fetch_one(self.writer())
        .await
        .map_err(|e| {
            if crate::error::is_unique_violation(&e) {
                StoreError::conflict("erasure", "an erasure of this account is already asked")
            } else {
                e.into()
            }
        })?;
        self.privacy_request(id).await?.ok_or(StoreError::NotFound)
    }

    async fn privacy_request(&self, id: i64) -> Result<Option<PrivacyRequest>> {
        Ok(fetch(self, select("WHERE r.id = $1").bind(id))
            .await?
            .into_iter()
            .next())
    }

    async fn privacy_requests_of(&self, user: UserId, limit: u32) -> Result<Vec<PrivacyRequest>> {
        let q = select("WHERE r.user_id = $1 ORDER BY r.id DESC LIMIT $2");
        fetch(self, q.bind(user.0).bind(i64::from(limit))).await
    }

    async fn open_privacy_requests(&self, limit: u32) -> Result<Vec<PrivacyRequest>> {
        let q =
            select("WHERE r.state IN ('pending', 'erasing') ORDER BY r.deadline_at, r.id LIMIT $1");
        fetch(self, q.bind(i64::from(limit))).await
    }

    async fn cancel_erasure(&self, user: UserId, now: Timestamp) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE privacy_requests SET state = 'cancelled', finished_at = $2 \
             WHERE user_id = $1 AND kind = 'erasure' AND state = 'pending'",
        )
        .bind(user.0)
        .bind(now.as_second())
        .execute(self.writer())
        .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn due_erasures(&self, now: Timestamp, limit: u32) -> Result<Vec<PrivacyRequest>> {
        let q = select(
            "WHERE r.state IN ('pending', 'erasing') AND r.kind = 'erasure' \
             AND r.due_at <= $1 ORDER BY r.due_at, r.id LIMIT $2",
        );
        fetch(self, q.bind(now.as_second()).bind(i64::from(limit))).await
    }

    async fn set_erasing(&self, id: i64, due: Timestamp) -> Result<()> {
        sqlx::query(
            "UPDATE privacy_requests SET state = 'erasing', due_at = $2 \
             WHERE id = $1 AND state IN ('pending', 'erasing')",
        )
        .bind(id)
        .bind(due.as_second())
        .execute(self.writer())
        .await?;
        Ok(())
    }

    async fn mark_events_for_removal(&self, user: UserId) -> Result<u64> {
        let done = sqlx::query(
            "UPDATE calendar_events SET sequence = -1 WHERE sequence <> -1 AND booking_id IN (\
             SELECT id FROM bookings WHERE mentor_id = $1 OR mentee_id = $1)",
        )
        .bind(user.0)
        .execute(self.writer())
        .await?;
        Ok(done.rows_affected())
    }

    async fn erase_account(&self, erasure: &Erasure<'_>, now: Timestamp) -> Result<u64> {
        let changed = super::erasure::erase(self, erasure, now).await?;
        self.forget_people_and_catalog();
        self.forget_schedule(erasure.user);
        Ok(changed)
    }

    async fn set_export_progress(&self, id: i64, percent: u8) -> Result<()> {
        sqlx::query("UPDATE privacy_requests SET progress = $2 WHERE id = $1")
            .bind(id)
            .bind(i64::from(percent.min(100)))
            .execute(self.writer())
            .await?;
        Ok(())
    }

    async fn finish_export(
        &self,
        id: i64,
        file_name: &str,
        zip: &[u8],
        expires: Timestamp,
        now: Timestamp,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE privacy_requests SET state = 'ready', progress = 100, file_name = $2, \
             archive = $3, expires_at = $4, finished_at = $5 WHERE id = $1",
        )
        .bind(id)
        .bind(file_name.to_string())
        .bind(zip.to_vec())
        .bind(expires.as_second())
        .bind(now.as_second())
        .execute(self.writer())
        .await?;
        Ok(())
    }

    async fn fail_export(&self, id: i64, now: Timestamp) -> Result<()> {
        sqlx::query(
            "UPDATE privacy_requests SET state = 'failed', finished_at = $2 \
             WHERE id = $1 AND state = 'pending'",
        )
        .bind(id)
        .bind(now.as_second())
        .execute(self.writer())
        .await?;
        Ok(())
    }

    async fn export_archive(&self, id: i64) -> Result<Option<(String, Vec<u8>)>> {
        let row = sqlx::query(
            "SELECT file_name, archive FROM privacy_requests \
             WHERE id = $1 AND state = 'ready' AND archive IS NOT NULL",
        )
        .bind(id)
        .fetch_optional(self.reader())
        .await?;
        row.map(|r| Ok((r.try_get("file_name")?, r.try_get("archive")?)))
            .transpose()
    }

    async fn expire_exports(&self, now: Timestamp) -> Result<u64> {
        let done = sqlx::query(
            "UPDATE privacy_requests SET state = 'expired', archive = NULL \
             WHERE kind = 'export' AND state = 'ready' AND expires_at <= $1",
        )
        .bind(now.as_second())
        .execute(self.writer())
        .await?;
        Ok(done.rows_affected())
    }
}
