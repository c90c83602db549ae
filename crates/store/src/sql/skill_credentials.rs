//! `SkillCredentialStore` in SQL (migration 49).

use super::SqlStore;
use super::bookings::ts;
use crate::StoreError;
use crate::interfaces::Result;
use crate::skill_credentials::{SkillCredential, SkillCredentialStore};
use async_trait::async_trait;
use jiff::Timestamp;
use sqlx::Row;
use sqlx::any::AnyRow;
use stint_domain::booking::BookingId;
use stint_domain::ids::UserId;

const COLUMNS: &str = "id, booking_id, user_id, jwt, share_token, revoked_at, created_at";

fn row_to_credential(r: &AnyRow) -> Result<SkillCredential> {
    Ok(SkillCredential {
        id: r.try_get("id")?,
        booking: BookingId(r.try_get("booking_id")?),
        user: UserId(r.try_get("user_id")?),
        jwt: r.try_get("jwt")?,
        share_token: r.try_get("share_token")?,
        revoked_at: r
            .try_get::<Option<i64>, _>("revoked_at")?
            .map(ts)
            .transpose()?,
        created_at: ts(r.try_get("created_at")?)?,
    })
}

impl SqlStore {
    async fn credential_where(&self, condition: &str, arg: i64) -> Result<Option<SkillCredential>> {
        let sql = format!("SELECT {COLUMNS} FROM skill_credentials WHERE {condition}");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(arg)
            .fetch_optional(self.reader())
            .await?;
        row.as_ref().map(row_to_credential).transpose()
    }
}

#[async_trait]
impl SkillCredentialStore for SqlStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn issue_credential(
        &self,
        booking: BookingId,
        user: UserId,
        now: Timestamp,
        sign: &(dyn Fn(i64) -> String + Send + Sync),
    ) -> Result<(SkillCredential, bool)> {
        if let Some(c) = self.credential_of_booking(booking).await? {
            return Ok((c, false));
        }
        let mut tx = self.begin_write().await?;
        let inserted = sqlx::query(
            "INSERT INTO skill_credentials (booking_id, user_id, jwt, created_at) \
             VALUES ($1, $2, '', $3) ON CONFLICT (booking_id) DO NOTHING RETURNING id",
        )
        .bind(booking.0)
        .bind(user.0)
        .bind(now.as_second())
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = inserted else {
            // Another claim of the same session won: theirs is the one.
            drop(tx);
            let c = self.credential_of_booking(booking).await?;
            return Ok((c.ok_or(StoreError::NotFound)?, false));
        };
        let id: i64 = row.try_get("id")?;
        sqlx::query("UPDATE skill_credentials SET jwt = $1 WHERE id = $2")
            .bind(sign(id))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        let c = self.skill_credential(id).await?;
        Ok((c.ok_or(StoreError::NotFound)?, true))
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn skill_credential(&self, id: i64) -> Result<Option<SkillCredential>> {
        self.credential_where("id = $1", id).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn credential_of_booking(&self, booking: BookingId) -> Result<Option<SkillCredential>> {
        self.credential_where("booking_id = $1", booking.0).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn credential_by_share(&self, token: &str) -> Result<Option<SkillCredential>> {
        let sql = format!("SELECT {COLUMNS} FROM skill_credentials WHERE share_token = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(token.to_string())
            .fetch_optional(self.reader())
            .await?;
        row.as_ref().map(row_to_credential).transpose()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn credentials_of(&self, user: UserId) -> Result<Vec<SkillCredential>> {
        let sql =
            format!("SELECT {COLUMNS} FROM skill_credentials WHERE user_id = $1 ORDER BY id DESC");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(user.0)
            .fetch_all(self.reader())
            .await?;
        rows.iter().map(row_to_credential).collect()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn set_credential_share(&self, id: i64, token: Option<&str>) -> Result<()> {
        sqlx::query("UPDATE skill_credentials SET share_token = $1 WHERE id = $2")
            .bind(token.map(str::to_string))
            .bind(id)
            .execute(self.writer())
            .await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn revoke_credential(&self, id: i64, now: Timestamp) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE skill_credentials SET revoked_at = $1, share_token = NULL \
             WHERE id = $2 AND revoked_at IS NULL",
        )
        .bind(now.as_second())
        .bind(id)
        .execute(self.writer())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn revoked_credentials(&self, below: i64) -> Result<Vec<i64>> {
        let rows = sqlx::query(
            "SELECT id FROM skill_credentials WHERE revoked_at IS NOT NULL AND id < $1 \
             ORDER BY id",
        )
        .bind(below)
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|r| Ok(r.try_get::<i64, _>("id")?))
            .collect()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn issuer_seed(&self, fresh: &str, now: Timestamp) -> Result<String> {
        // Read first: every verification asks, and only the very first may write.
        let kept = sqlx::query("SELECT seed FROM credential_issuer WHERE id = 1")
            .fetch_optional(self.reader())
            .await?;
        if let Some(row) = kept {
            return Ok(row.try_get("seed")?);
        }
        sqlx::query(
            "INSERT INTO credential_issuer (id, seed, created_at) VALUES (1, $1, $2) \
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(fresh.to_string())
        .bind(now.as_second())
        .execute(self.writer())
        .await?;
        let row = sqlx::query("SELECT seed FROM credential_issuer WHERE id = 1")
            .fetch_one(self.writer())
            .await?;
        Ok(row.try_get("seed")?)
    }
}
