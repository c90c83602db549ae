//! Webhook endpoints, messages and delivery attempts in SQL. Event types are a JSON list and
//! flags 0/1, as elsewhere, so one row decoding serves both databases. An attempt's number is
//! taken in the statement that inserts it; the `(endpoint, message, attempt)` key refuses a
//! second writer of the same number (the job queue's dedupe key already keeps one delivery of
//! a message per endpoint running at a time).

use super::SqlStore;
use super::bookings::ts;
use crate::StoreError;
use crate::interfaces::Result;
use crate::webhooks::{
    NewWebhookAttempt, NewWebhookEndpoint, WebhookAttempt, WebhookEndpoint, WebhookEndpointUpdate,
    WebhookHealth, WebhookMessage, WebhookStore,
};
use async_trait::async_trait;
use jiff::Timestamp;
use sqlx::Row;
use sqlx::any::AnyRow;
use stint_domain::FieldErrors;
use stint_domain::ids::{OrgId, UserId};

const ENDPOINT_COLUMNS: &str = "id, url, description, secret, event_types, enabled, \
                                disabled_reason, created_by, org_id, created_at, updated_at";

const ATTEMPT_COLUMNS: &str = "a.id, a.endpoint_id, a.message_id, m.event_type, a.attempt, \
                               a.status_code, a.error, a.response_excerpt, a.duration_ms, a.at";

/// Longest error text kept: enough to read, not a whole backtrace.
const MAX_ERROR_CHARS: usize = 2000;

fn endpoint_from(r: &AnyRow) -> Result<WebhookEndpoint> {
    let types: String = r.try_get("event_types")?;
    Ok(WebhookEndpoint {
        id: r.try_get("id")?,
        url: r.try_get("url")?,
        description: r.try_get("description")?,
        secret: r.try_get("secret")?,
        event_types: serde_json::from_str(&types)?,
        enabled: r.try_get::<i64, _>("enabled")? != 0,
        disabled_reason: r.try_get("disabled_reason")?,
        created_by: UserId(r.try_get("created_by")?),
        org: r.try_get::<Option<i64>, _>("org_id")?.map(OrgId),
        created_at: ts(r.try_get("created_at")?)?,
        updated_at: ts(r.try_get("updated_at")?)?,
    })
}

fn attempt_from(r: &AnyRow) -> Result<WebhookAttempt> {
    Ok(WebhookAttempt {
        id: r.try_get("id")?,
        endpoint_id: r.try_get("endpoint_id")?,
        message_id: r.try_get("message_id")?,
        event_type: r.try_get("event_type")?,
        attempt: u32::try_from(r.try_get::<i64, _>("attempt")?).unwrap_or(u32::MAX),
        status_code: r
            .try_get::<Option<i64>, _>("status_code")?
            .and_then(|s| u16::try_from(s).ok()),
        error: r.try_get("error")?,
        response_excerpt: r.try_get("response_excerpt")?,
        duration_ms: u64::try_from(r.try_get::<i64, _>("duration_ms")?).unwrap_or(0),
        at: ts(r.try_get("at")?)?,
    })
}

fn message_from(r: &AnyRow) -> Result<WebhookMessage> {
    Ok(WebhookMessage {
        id: r.try_get("id")?,
        event_type: r.try_get("event_type")?,
        payload: r.try_get("payload")?,
        created_at: ts(r.try_get("created_at")?)?,
    })
}

#[async_trait]
impl WebhookStore for SqlStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn create_webhook_endpoint(
        &self,
        new: &NewWebhookEndpoint,
        now: Timestamp,
    ) -> Result<WebhookEndpoint> {
        let sql = format!(
            "INSERT INTO webhook_endpoints (url, description, secret, event_types, enabled, \
             created_by, org_id, created_at, updated_at) VALUES ($1, $2, $3, $4, 1, $5, $7, $6, $6) \
             RETURNING {ENDPOINT_COLUMNS}"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(new.url.clone())
            .bind(new.description.clone())
            .bind(new.secret.clone())
            .bind(serde_json::to_string(&new.event_types)?)
            .bind(new.created_by.0)
            .bind(now.as_second())
            .bind(new.org.map(|o| o.0))
            .fetch_one(self.writer())
            .await?;
        endpoint_from(&row)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn webhook_endpoint(&self, id: i64) -> Result<Option<WebhookEndpoint>> {
        let sql = format!("SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(self.reader())
            .await?;
        row.as_ref().map(endpoint_from).transpose()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn webhook_endpoints(&self) -> Result<Vec<WebhookEndpoint>> {
        let sql = format!("SELECT {ENDPOINT_COLUMNS} FROM webhook_endpoints ORDER BY id");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(self.reader())
            .await?;
        rows.iter().map(endpoint_from).collect()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn update_webhook_endpoint(
        &self,
        id: i64,
        update: &WebhookEndpointUpdate,
        now: Timestamp,
    ) -> Result<WebhookEndpoint> {
        let reason = if update.enabled {
            None
        } else {
            match update.disabled_reason.as_deref().map(str::trim) {
                Some(r) if !r.is_empty() => Some(r.to_string()),
                _ => {
                    return Err(StoreError::Invalid(FieldErrors::single(
                        "disabled_reason",
                        "say why the endpoint is disabled",
                    )));
                }
            }
        };
        let sql = format!(
            "UPDATE webhook_endpoints SET url = $1, description = $2, event_types = $3, \
             enabled = $4, disabled_reason = $5, updated_at = $6 WHERE id = $7 \
             RETURNING {ENDPOINT_COLUMNS}"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(update.url.clone())
            .bind(update.description.clone())
            .bind(serde_json::to_string(&update.event_types)?)
            .bind(i64::from(update.enabled))
            .bind(reason)
            .bind(now.as_second())
            .bind(id)
            .fetch_optional(self.writer())
            .await?;
        row.as_ref()
            .map(endpoint_from)
            .transpose()?
            .ok_or(StoreError::NotFound)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn save_webhook_message(&self, message: &WebhookMessage) -> Result<bool> {
        let done = sqlx::query(
            "INSERT INTO webhook_messages (id, event_type, payload, created_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING",
        )
        .bind(message.id.clone())
        .bind(message.event_type.clone())
        .bind(message.payload.clone())
        .bind(message.created_at.as_second())
        .execute(self.writer())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn webhook_message(&self, id: &str) -> Result<Option<WebhookMessage>> {
        let row = sqlx::query(
            "SELECT id, event_type, payload, created_at FROM webhook_messages WHERE id = $1",
        )
        .bind(id.to_string())
        .fetch_optional(self.reader())
        .await?;
        row.as_ref().map(message_from).transpose()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn record_webhook_attempt(&self, a: &NewWebhookAttempt) -> Result<WebhookAttempt> {
        let row = sqlx::query(
            "INSERT INTO webhook_attempts (endpoint_id, message_id, attempt, status_code, error, \
             response_excerpt, duration_ms, at) \
             SELECT $1, $2, COALESCE(MAX(attempt), 0) + 1, $3, $4, $5, $6, $7 \
             FROM webhook_attempts WHERE endpoint_id = $1 AND message_id = $2 \
             RETURNING id",
        )
        .bind(a.endpoint_id)
        .bind(a.message_id.clone())
        .bind(a.status_code.map(i64::from))
        .bind(
            a.error
                .as_deref()
                .map(|e| e.chars().take(MAX_ERROR_CHARS).collect::<String>()),
        )
        .bind(a.response_excerpt.clone())
        .bind(i64::try_from(a.duration_ms).unwrap_or(i64::MAX))
        .bind(a.at.as_second())
        .fetch_one(self.writer())
        .await?;
        let id: i64 = row.try_get("id")?;
        let sql = format!(
            "SELECT {ATTEMPT_COLUMNS} FROM webhook_attempts a \
             JOIN webhook_messages m ON m.id = a.message_id WHERE a.id = $1"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_one(self.writer())
            .await?;
        attempt_from(&row)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn webhook_attempts(
        &self,
        endpoint_id: i64,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<WebhookAttempt>> {
        let sql = format!(
            "SELECT {ATTEMPT_COLUMNS} FROM webhook_attempts a \
             JOIN webhook_messages m ON m.id = a.message_id \
             WHERE a.endpoint_id = $1 AND a.id < $2 ORDER BY a.id DESC LIMIT $3"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(endpoint_id)
            .bind(before.unwrap_or(i64::MAX))
            .bind(i64::from(limit))
            .fetch_all(self.reader())
            .await?;
        rows.iter().map(attempt_from).collect()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn webhook_message_tried(&self, endpoint_id: i64, message_id: &str) -> Result<bool> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM webhook_attempts WHERE endpoint_id = $1 AND message_id = $2",
        )
        .bind(endpoint_id)
        .bind(message_id.to_string())
        .fetch_one(self.reader())
        .await?;
        Ok(row.try_get::<i64, _>("n")? > 0)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn webhook_health(&self, endpoint_id: i64) -> Result<WebhookHealth> {
        let last = self
            .webhook_attempts(endpoint_id, None, 1)
            .await?
            .into_iter()
            .next();
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM webhook_attempts WHERE endpoint_id = $1 AND id > \
             COALESCE((SELECT MAX(id) FROM webhook_attempts WHERE endpoint_id = $1 \
                       AND status_code >= 200 AND status_code < 300), 0)",
        )
        .bind(endpoint_id)
        .fetch_one(self.reader())
        .await?;
        Ok(WebhookHealth {
            last_attempt: last,
            consecutive_failures: u64::try_from(row.try_get::<i64, _>("n")?).unwrap_or(0),
        })
    }
}
