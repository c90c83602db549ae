//! Nudge preferences, the delivery log and the inbox in SQL. The log's unique
//! `(nudge_key, channel)` is what keeps a nudge to one delivery per channel: recording
//! "sent" is an upsert that changes nothing once a row says sent.

use super::SqlStore;
use super::bookings::ts;
use crate::StoreError;
use crate::interfaces::Result;
use crate::nudges::{Delivery, DeliveryStatus, InboxItem, NewDelivery, NewInboxItem, NudgeStore};
use async_trait::async_trait;
use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::{Any, Executor, Row};
use stint_domain::booking::BookingId;
use stint_domain::ids::UserId;
use stint_domain::nudge::{Channel, NudgeKind, NudgePrefs};

const DELIVERY_COLUMNS: &str = "SELECT id, nudge_key, channel, booking_id, recipient_id, kind, status, \
                                detail, attempts, due_at, at FROM nudge_deliveries ";

fn bad(what: &str, value: &str) -> StoreError {
    StoreError::Backend(format!("unknown {what} {value} in the database").into())
}

fn delivery_from(r: &AnyRow) -> Result<Delivery> {
    let channel: String = r.try_get("channel")?;
    let kind: String = r.try_get("kind")?;
    let status: String = r.try_get("status")?;
    Ok(Delivery {
        id: r.try_get("id")?,
        nudge_key: r.try_get("nudge_key")?,
        channel: Channel::parse(&channel).ok_or_else(|| bad("channel", &channel))?,
        booking: BookingId(r.try_get("booking_id")?),
        recipient: UserId(r.try_get("recipient_id")?),
        kind: NudgeKind::parse(&kind).ok_or_else(|| bad("nudge kind", &kind))?,
        status: match status.as_str() {
            "sent" => DeliveryStatus::Sent,
            "failed" => DeliveryStatus::Failed,
            _ => return Err(bad("delivery status", &status)),
        },
        detail: r.try_get("detail")?,
        attempts: u32::try_from(r.try_get::<i64, _>("attempts")?).unwrap_or(u32::MAX),
        due_at: ts(r.try_get("due_at")?)?,
        at: ts(r.try_get("at")?)?,
    })
}

fn inbox_from(r: &AnyRow) -> Result<InboxItem> {
    let kind: String = r.try_get("kind")?;
    Ok(InboxItem {
        id: r.try_get("id")?,
        booking: r.try_get::<Option<i64>, _>("booking_id")?.map(BookingId),
        kind: NudgeKind::parse(&kind).ok_or_else(|| bad("nudge kind", &kind))?,
        title: r.try_get("title")?,
        body: r.try_get("body")?,
        link: r.try_get("link")?,
        created_at: ts(r.try_get("created_at")?)?,
        read_at: r
            .try_get::<Option<i64>, _>("read_at")?
            .map(ts)
            .transpose()?,
    })
}

/// Upserts a delivery row as `status`; a row already sent never changes. How many rows
/// changed: 1 when this call recorded it.
async fn upsert<'e, E: Executor<'e, Database = Any>>(
    ex: E,
    d: &NewDelivery,
    status: DeliveryStatus,
    now: Timestamp,
) -> Result<u64> {
    let status = match status {
        DeliveryStatus::Sent => "sent",
        DeliveryStatus::Failed => "failed",
    };
    let done = sqlx::query(
        "INSERT INTO nudge_deliveries (nudge_key, channel, booking_id, recipient_id, kind, status, \
         detail, attempts, due_at, at) VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $9) \
         ON CONFLICT (nudge_key, channel) DO UPDATE SET status = excluded.status, \
         detail = excluded.detail, attempts = nudge_deliveries.attempts + 1, at = excluded.at \
         WHERE nudge_deliveries.status <> 'sent'",
    )
    .bind(d.nudge_key.clone())
    .bind(d.channel.as_str())
    .bind(d.booking.0)
    .bind(d.recipient.0)
    .bind(d.kind.as_str())
    .bind(status)
    .bind(d.detail.clone())
    .bind(d.due_at.as_second())
    .bind(now.as_second())
    .execute(ex)
    .await?;
    Ok(done.rows_affected())
}

#[async_trait]
impl NudgeStore for SqlStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn nudge_prefs(&self, user: UserId) -> Result<NudgePrefs> {
        let row = sqlx::query("SELECT prefs FROM nudge_prefs WHERE user_id = $1")
            .bind(user.0)
            .fetch_optional(self.reader())
            .await?;
        match row {
            Some(r) => Ok(super::rows::nudge_prefs(&r.try_get::<String, _>("prefs")?)?),
            None => Ok(NudgePrefs::default()),
        }
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn save_nudge_prefs(
        &self,
        user: UserId,
        prefs: &NudgePrefs,
        now: Timestamp,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO nudge_prefs (user_id, prefs, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (user_id) DO UPDATE SET prefs = excluded.prefs, updated_at = excluded.updated_at",
        )
        .bind(user.0)
        .bind(serde_json::to_string(prefs)?)
        .bind(now.as_second())
        .execute(self.writer())
        .await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn delivery(&self, nudge_key: &str, channel: Channel) -> Result<Option<Delivery>> {
        let sql = format!("{DELIVERY_COLUMNS}WHERE nudge_key = $1 AND channel = $2");
        // A read: the single SQLite writer stays free for writes. (A delivery recorded a
        // moment ago is visible here; the unique key refuses a second one anyway.)
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(nudge_key.to_string())
            .bind(channel.as_str())
            .fetch_optional(self.reader())
            .await?;
        row.as_ref().map(delivery_from).transpose()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn record_sent(&self, d: &NewDelivery, now: Timestamp) -> Result<bool> {
        Ok(upsert(self.writer(), d, DeliveryStatus::Sent, now).await? == 1)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn record_failed(&self, d: &NewDelivery, now: Timestamp) -> Result<()> {
        upsert(self.writer(), d, DeliveryStatus::Failed, now).await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn deliver_in_app(
        &self,
        d: &NewDelivery,
        item: &NewInboxItem,
        now: Timestamp,
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        if upsert(&mut *tx, d, DeliveryStatus::Sent, now).await? != 1 {
            return Ok(false);
        }
        insert_inbox_item(&mut tx, item, now).await?;
        tx.commit().await?;
        Ok(true)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn deliveries(&self, booking: BookingId) -> Result<Vec<Delivery>> {
        let sql = format!("{DELIVERY_COLUMNS}WHERE booking_id = $1 ORDER BY at, id");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(booking.0)
            .fetch_all(self.reader())
            .await?;
        rows.iter().map(delivery_from).collect()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn recent_deliveries(&self, before: Option<i64>, limit: u32) -> Result<Vec<Delivery>> {
        let sql = format!("{DELIVERY_COLUMNS}WHERE id < $1 ORDER BY id DESC LIMIT $2");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(before.unwrap_or(i64::MAX))
            .bind(i64::from(limit))
            .fetch_all(self.reader())
            .await?;
        rows.iter().map(delivery_from).collect()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn inbox(&self, user: UserId, before: Option<i64>, limit: u32) -> Result<Vec<InboxItem>> {
        let rows = sqlx::query(
            "SELECT id, booking_id, kind, title, body, link, created_at, read_at FROM inbox_items \
             WHERE user_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3",
        )
        .bind(user.0)
        .bind(before.unwrap_or(i64::MAX))
        .bind(i64::from(limit))
        .fetch_all(self.reader())
        .await?;
        rows.iter().map(inbox_from).collect()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn unread_count(&self, user: UserId) -> Result<u64> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM inbox_items WHERE user_id = $1 AND read_at IS NULL",
        )
        .bind(user.0)
        .fetch_one(self.reader())
        .await?;
        Ok(u64::try_from(row.try_get::<i64, _>("n")?).unwrap_or(0))
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn mark_read(&self, user: UserId, item: Option<i64>, now: Timestamp) -> Result<u64> {
        let done = sqlx::query(
            "UPDATE inbox_items SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL \
             AND ($3 = 0 OR id = $3)",
        )
        .bind(now.as_second())
        .bind(user.0)
        .bind(item.unwrap_or(0))
        .execute(self.writer())
        .await?;
        Ok(done.rows_affected())
    }
}

/// Puts `item` in its owner's inbox, inside `tx` (with its delivery record, or alone for an
/// alert that is not about a session).
pub(super) async fn insert_inbox_item(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    item: &NewInboxItem,
    now: Timestamp,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO inbox_items (user_id, booking_id, kind, title, body, link, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(item.user.0)
    .bind(item.booking.map(|b| b.0))
    .bind(item.kind.as_str())
    .bind(item.title.clone())
    .bind(item.body.clone())
    .bind(item.link.clone())
    .bind(now.as_second())
    .execute(&mut **tx)
    .await?;
    Ok(())
}
