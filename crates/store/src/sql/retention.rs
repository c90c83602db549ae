//! `RetentionStore` in SQL: one `DELETE` per class and batch, choosing its rows by the
//! policy's clock (a session's end through `bookings`, or the row's own time), on both
//! backends alike.

use super::SqlStore;
use super::bookings::ts;
use crate::interfaces::Result;
use crate::retention::{RetentionRun, RetentionStore};
use async_trait::async_trait;
use jiff::Timestamp;
use sqlx::Row;
use stint_domain::retention::RetainedClass;

/// The statements that remove one batch: `$1` the cut-off, `$2` the batch size.
fn deletes(class: RetainedClass) -> &'static [&'static str] {
    match class {
        RetainedClass::Notes => &["DELETE FROM booking_notes WHERE booking_id IN (\
             SELECT n.booking_id FROM booking_notes n JOIN bookings b ON b.id = n.booking_id \
             WHERE b.end_at < $1 LIMIT $2)"],
        RetainedClass::IntakeAnswers => &["DELETE FROM booking_preps WHERE booking_id IN (\
             SELECT p.booking_id FROM booking_preps p JOIN bookings b ON b.id = p.booking_id \
             WHERE b.end_at < $1 LIMIT $2)"],
        RetainedClass::Assessments => &["DELETE FROM assessments WHERE booking_id IN (\
             SELECT a.booking_id FROM assessments a JOIN bookings b ON b.id = a.booking_id \
             WHERE b.end_at < $1 LIMIT $2)"],
        RetainedClass::Inbox => &["DELETE FROM inbox_items WHERE id IN (\
             SELECT id FROM inbox_items WHERE created_at < $1 ORDER BY created_at LIMIT $2)"],
        RetainedClass::DeliveryLog => &["DELETE FROM nudge_deliveries WHERE id IN (\
             SELECT id FROM nudge_deliveries WHERE at < $1 ORDER BY at LIMIT $2)"],
        // Attempts first: they point at their message.
        RetainedClass::WebhookPayloads => &[
            "DELETE FROM webhook_attempts WHERE message_id IN (\
             SELECT id FROM webhook_messages WHERE created_at < $1 ORDER BY created_at LIMIT $2)",
            "DELETE FROM webhook_messages WHERE id IN (\
             SELECT m.id FROM webhook_messages m WHERE m.created_at < $1 AND NOT EXISTS (\
             SELECT 1 FROM webhook_attempts a WHERE a.message_id = m.id) \
             ORDER BY m.created_at LIMIT $2)",
        ],
        RetainedClass::LoginRecords => &["DELETE FROM login_attempts WHERE id IN (\
             SELECT id FROM login_attempts WHERE at < $1 LIMIT $2)"],
        RetainedClass::Ledger => &[],
    }
}

#[async_trait]
impl RetentionStore for SqlStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn remove_expired(
        &self,
        class: RetainedClass,
        cutoff: Timestamp,
        batch: u32,
    ) -> Result<u64> {
        let mut removed = 0;
        for sql in deletes(class) {
            let done = sqlx::query(*sql)
                .bind(cutoff.as_second())
                .bind(i64::from(batch))
                .execute(self.writer())
                .await?;
            removed = done.rows_affected();
        }
        Ok(removed)
    }

    async fn record_retention(&self, class: &str, removed: u64, now: Timestamp) -> Result<()> {
        sqlx::query("INSERT INTO retention_runs (class, removed, ran_at) VALUES ($1, $2, $3)")
            .bind(class.to_string())
            .bind(i64::try_from(removed).unwrap_or(i64::MAX))
            .bind(now.as_second())
            .execute(self.writer())
            .await?;
        Ok(())
    }

    async fn retention_runs(&self, limit: u32) -> Result<Vec<RetentionRun>> {
        sqlx::query("SELECT class, removed, ran_at FROM retention_runs ORDER BY id DESC LIMIT $1")
            .bind(i64::from(limit))
            .fetch_all(self.reader())
            .await?
            .iter()
            .map(|r| {
                Ok(RetentionRun {
                    class: r.try_get("class")?,
                    removed: u64::try_from(r.try_get::<i64, _>("removed")?).unwrap_or(0),
                    ran_at: ts(r.try_get("ran_at")?)?,
                })
            })
            .collect()
    }
}
