//! `CredentialStore` on SQLite and PostgreSQL.

use super::SqlStore;
use super::bookings::ts;
use crate::credentials::{ApiTokenInfo, CredentialStore, Keep};
use crate::interfaces::Result;
use async_trait::async_trait;
use jiff::Timestamp;
use sqlx::Row;
use stint_domain::ids::UserId;

#[async_trait]
impl CredentialStore for SqlStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn set_password_hash(&self, user: UserId, hash: &str) -> Result<()> {
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(hash.to_string())
            .bind(user.0)
            .execute(self.writer())
            .await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn end_sessions_and_tokens(&self, user: UserId, keep: Keep<'_>) -> Result<u64> {
        let (session, token) = match keep {
            Keep::Nothing => ("", ""),
            Keep::Session(digest) => (digest, ""),
            Keep::Token(digest) => ("", digest),
        };
        let mut tx = self.begin_write().await?;
        let mut ended = 0;
        for (sql, kept) in [
            (
                "DELETE FROM web_sessions WHERE user_id = $1 AND token_hash <> $2",
                session,
            ),
            (
                "DELETE FROM api_tokens WHERE user_id = $1 AND token_hash <> $2",
                token,
            ),
        ] {
            ended += sqlx::query(sql)
                .bind(user.0)
                .bind(kept.to_string())
                .execute(&mut *tx)
                .await?
                .rows_affected();
        }
        tx.commit().await?;
        Ok(ended)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn api_tokens_of(&self, user: UserId, now: Timestamp) -> Result<Vec<ApiTokenInfo>> {
        let rows = sqlx::query(
            "SELECT id, label, created_at, expires_at, last_used_at FROM api_tokens \
             WHERE user_id = $1 AND expires_at > $2 ORDER BY created_at DESC, id DESC",
        )
        .bind(user.0)
        .bind(now.as_second())
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ApiTokenInfo {
                    id: r.try_get("id")?,
                    label: r.try_get("label")?,
                    created_at: ts(r.try_get("created_at")?)?,
                    expires_at: ts(r.try_get("expires_at")?)?,
                    last_used_at: r
                        .try_get::<Option<i64>, _>("last_used_at")?
                        .map(ts)
                        .transpose()?,
                })
            })
            .collect()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn delete_api_token_of(&self, user: UserId, id: i64) -> Result<bool> {
        let done = sqlx::query("DELETE FROM api_tokens WHERE id = $1 AND user_id = $2")
            .bind(id)
            .bind(user.0)
            .execute(self.writer())
            .await?;
        Ok(done.rows_affected() > 0)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn touch_api_token(&self, token_hash: &str, now: Timestamp) -> Result<()> {
        sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE token_hash = $2")
            .bind(now.as_second())
            .bind(token_hash.to_string())
            .execute(self.writer())
            .await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn create_password_reset(
        &self,
        token_hash: &str,
        user: UserId,
        now: Timestamp,
        expires: Timestamp,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO password_resets (token_hash, user_id, created_at, expires_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(token_hash.to_string())
        .bind(user.0)
        .bind(now.as_second())
        .bind(expires.as_second())
        .execute(self.writer())
        .await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn password_reset_open(&self, token_hash: &str, now: Timestamp) -> Result<bool> {
        let open: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM password_resets \
             WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
        )
        .bind(token_hash.to_string())
        .bind(now.as_second())
        .fetch_one(self.reader())
        .await?;
        Ok(open > 0)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn take_password_reset(
        &self,
        token_hash: &str,
        now: Timestamp,
    ) -> Result<Option<UserId>> {
        let mut tx = self.begin_write().await?;
        // One statement marks it used only if it was open: of two uses at once, one wins.
        let user: Option<i64> = sqlx::query_scalar(
            "UPDATE password_resets SET used_at = $1 \
             WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1 RETURNING user_id",
        )
        .bind(now.as_second())
        .bind(token_hash.to_string())
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(user) = user {
            sqlx::query(
                "UPDATE password_resets SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL",
            )
            .bind(now.as_second())
            .bind(user)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(user.map(UserId))
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn password_resets_since(&self, user: UserId, since: Timestamp) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM password_resets WHERE user_id = $1 AND created_at >= $2",
        )
        .bind(user.0)
        .bind(since.as_second())
        .fetch_one(self.writer())
        .await?)
    }
}
