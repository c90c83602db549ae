//! `ChatStore` in SQL (migration 50).

use super::SqlStore;
use super::bookings::ts;
use crate::StoreError;
use crate::chat::{ChatChannel, ChatStore};
use crate::interfaces::Result;
use async_trait::async_trait;
use jiff::Timestamp;
use sqlx::Row;
use stint_domain::chat::ChatKind;
use stint_domain::ids::UserId;

#[async_trait]
impl ChatStore for SqlStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn set_chat(
        &self,
        user: UserId,
        kind: ChatKind,
        sealed_url: &str,
        host: &str,
        now: Timestamp,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO chat_channels (user_id, kind, url, host, created_at, last_error) \
             VALUES ($1, $2, $3, $4, $5, '') \
             ON CONFLICT (user_id) DO UPDATE SET kind = excluded.kind, url = excluded.url, \
             host = excluded.host, created_at = excluded.created_at, last_ok_at = NULL, \
             last_error = '', last_error_at = NULL",
        )
        .bind(user.0)
        .bind(kind.as_str())
        .bind(sealed_url.to_string())
        .bind(host.to_string())
        .bind(now.as_second())
        .execute(self.writer())
        .await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn chat_of(&self, user: UserId) -> Result<Option<ChatChannel>> {
        let row = sqlx::query(
            "SELECT user_id, kind, url, host, created_at, last_ok_at, last_error, last_error_at \
             FROM chat_channels WHERE user_id = $1",
        )
        .bind(user.0)
        .fetch_optional(self.reader())
        .await?;
        let Some(r) = row else {
            return Ok(None);
        };
        let kind: String = r.try_get("kind")?;
        let opt_ts = |name: &str| -> Result<Option<Timestamp>> {
            r.try_get::<Option<i64>, _>(name)?.map(ts).transpose()
        };
        Ok(Some(ChatChannel {
            user: UserId(r.try_get("user_id")?),
            kind: ChatKind::parse(&kind)
                .ok_or_else(|| StoreError::Backend(format!("unknown chat kind {kind:?}").into()))?,
            url: r.try_get("url")?,
            host: r.try_get("host")?,
            created_at: ts(r.try_get("created_at")?)?,
            last_ok_at: opt_ts("last_ok_at")?,
            last_error: r.try_get("last_error")?,
            last_error_at: opt_ts("last_error_at")?,
        }))
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn remove_chat(&self, user: UserId) -> Result<bool> {
        let done = sqlx::query("DELETE FROM chat_channels WHERE user_id = $1")
            .bind(user.0)
            .execute(self.writer())
            .await?;
        Ok(done.rows_affected() > 0)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn chat_result(&self, user: UserId, error: Option<&str>, now: Timestamp) -> Result<()> {
        let sql = match error {
            None => "UPDATE chat_channels SET last_ok_at = $2, last_error = $3 WHERE user_id = $1",
            Some(_) => {
                "UPDATE chat_channels SET last_error = $3, last_error_at = $2 WHERE user_id = $1"
            }
        };
        sqlx::query(sql)
            .bind(user.0)
            .bind(now.as_second())
            .bind(error.unwrap_or_default().to_string())
            .execute(self.writer())
            .await?;
        Ok(())
    }
}
