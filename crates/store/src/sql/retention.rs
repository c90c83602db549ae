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
use stint_domain::ids::UserId;
use stint_domain::retention::RetainedClass;

/// The statements that remove one batch: `$1` now, `$2` the batch size, `$3` the policy's
/// default in seconds. A row's owner may have chosen another time (`privacy_choices`).
fn deletes(class: RetainedClass) -> &'static [&'static str] {
    match class {
        // Shared and the mentee's private notes are the mentee's; the mentor's private notes
        // are the mentor's.
        RetainedClass::Notes => &["DELETE FROM booking_notes WHERE (booking_id, kind) IN (\
             SELECT n.booking_id, n.kind FROM booking_notes n JOIN bookings b ON b.id = n.booking_id \
             LEFT JOIN privacy_choices c ON c.class = 'notes' AND c.user_id = \
               CASE WHEN n.kind = 'mentor_private' THEN b.mentor_id ELSE b.mentee_id END \
             WHERE b.end_at < $1 - COALESCE(c.days * 86400, $3) LIMIT $2)"],
        RetainedClass::IntakeAnswers => &["DELETE FROM booking_preps WHERE booking_id IN (\
             SELECT p.booking_id FROM booking_preps p JOIN bookings b ON b.id = p.booking_id \
             LEFT JOIN privacy_choices c ON c.class = 'intake_answers' AND c.user_id = b.mentee_id \
             WHERE b.end_at < $1 - COALESCE(c.days * 86400, $3) LIMIT $2)"],
        RetainedClass::Assessments => &["DELETE FROM assessments WHERE (booking_id, kind) IN (\
             SELECT a.booking_id, a.kind FROM assessments a JOIN bookings b ON b.id = a.booking_id \
             LEFT JOIN privacy_choices c ON c.class = 'assessments' AND c.user_id = b.mentee_id \
             WHERE b.end_at < $1 - COALESCE(c.days * 86400, $3) LIMIT $2)"],
        RetainedClass::Inbox => &["DELETE FROM inbox_items WHERE id IN (\
             SELECT i.id FROM inbox_items i \
             LEFT JOIN privacy_choices c ON c.class = 'inbox' AND c.user_id = i.user_id \
             WHERE i.created_at < $1 - COALESCE(c.days * 86400, $3) LIMIT $2)"],
        RetainedClass::DeliveryLog => &["DELETE FROM nudge_deliveries WHERE id IN (\
             SELECT d.id FROM nudge_deliveries d \
             LEFT JOIN privacy_choices c ON c.class = 'delivery_log' AND c.user_id = d.recipient_id \
             WHERE d.at < $1 - COALESCE(c.days * 86400, $3) LIMIT $2)"],
        // Attempts first: they point at their message.
        RetainedClass::WebhookPayloads => &[
            "DELETE FROM webhook_attempts WHERE message_id IN (\
             SELECT id FROM webhook_messages WHERE created_at < $1 - $3 \
             ORDER BY created_at LIMIT $2)",
            "DELETE FROM webhook_messages WHERE id IN (\
             SELECT m.id FROM webhook_messages m WHERE m.created_at < $1 - $3 AND NOT EXISTS (\
             SELECT 1 FROM webhook_attempts a WHERE a.message_id = m.id) \
             ORDER BY m.created_at LIMIT $2)",
        ],
        RetainedClass::LoginRecords => &["DELETE FROM login_attempts WHERE id IN (\
             SELECT id FROM login_attempts WHERE at < $1 - $3 LIMIT $2)"],
        RetainedClass::AccessLog => &["DELETE FROM access_log WHERE id IN (\
             SELECT id FROM access_log WHERE at < $1 - $3 LIMIT $2)"],
        RetainedClass::Ledger => &[],
    }
}

#[async_trait]
impl RetentionStore for SqlStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn remove_expired(
        &self,
        class: RetainedClass,
        now: Timestamp,
        default_days: u32,
        batch: u32,
    ) -> Result<u64> {
        let mut removed = 0;
        for sql in deletes(class) {
            let done = sqlx::query(*sql)
                .bind(now.as_second())
                .bind(i64::from(batch))
                .bind(i64::from(default_days) * 86_400)
                .execute(self.writer())
                .await?;
            removed = done.rows_affected();
        }
        Ok(removed)
    }

    async fn retention_choices(&self, user: UserId) -> Result<Vec<(String, u32)>> {
        sqlx::query("SELECT class, days FROM privacy_choices WHERE user_id = $1 ORDER BY class")
            .bind(user.0)
            .fetch_all(self.reader())
            .await?
            .iter()
            .map(|r| {
                Ok((
                    r.try_get("class")?,
                    u32::try_from(r.try_get::<i64, _>("days")?).unwrap_or(u32::MAX),
                ))
            })
            .collect()
    }

    async fn set_retention_choices(
        &self,
        user: UserId,
        choices: &[(String, u32)],
        now: Timestamp,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM privacy_choices WHERE user_id = $1")
            .bind(user.0)
            .execute(&mut *tx)
            .await?;
        for (class, days) in choices {
            sqlx::query(
                "INSERT INTO privacy_choices (user_id, class, days, updated_at) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(user.0)
            .bind(class.clone())
            .bind(i64::from(*days))
            .bind(now.as_second())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn prep_private_until_session(&self, user: UserId) -> Result<bool> {
        let row =
            sqlx::query("SELECT prep_private_until_session FROM privacy_prefs WHERE user_id = $1")
                .bind(user.0)
                .fetch_optional(self.reader())
                .await?;
        Ok(match row {
            Some(r) => r.try_get::<i64, _>("prep_private_until_session")? != 0,
            None => false,
        })
    }

    async fn set_prep_private_until_session(
        &self,
        user: UserId,
        private: bool,
        now: Timestamp,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO privacy_prefs (user_id, prep_private_until_session, updated_at) \
             VALUES ($1, $2, $3) ON CONFLICT (user_id) DO UPDATE SET \
             prep_private_until_session = excluded.prep_private_until_session, \
             updated_at = excluded.updated_at",
        )
        .bind(user.0)
        .bind(i64::from(private))
        .bind(now.as_second())
        .execute(self.writer())
        .await?;
        Ok(())
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
