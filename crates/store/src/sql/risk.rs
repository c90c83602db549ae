//! `RiskStore` in SQL: one query reads each session with its people's earlier no-shows,
//! late cancels and sessions as correlated counts over the (person, start) indexes, so the
//! training history and a schedule's few sessions are read the same way.

use super::SqlStore;
use super::bookings::ts;
use crate::StoreError;
use crate::interfaces::Result;
use crate::risk::{RiskSessions, RiskStore};
use async_trait::async_trait;
use jiff::Timestamp;
use sqlx::{AssertSqlSafe, Row};
use stint_domain::risk::{RiskModel, SessionFacts};

const SESSIONS: &str = "SELECT b.id, b.created_at, b.start_at, b.status, \
        mt.timezone AS mentee_zone, mr.timezone AS mentor_zone, \
        CAST(CASE WHEN EXISTS (SELECT 1 FROM booking_preps p WHERE p.booking_id = b.id \
             AND p.updated_at <= b.start_at) THEN 1 ELSE 0 END AS BIGINT) AS prep_done, \
        CAST(CASE WHEN EXISTS (SELECT 1 FROM assessments a WHERE a.booking_id = b.id \
             AND a.kind = 'baseline' AND a.submitted_at <= b.start_at) THEN 1 ELSE 0 END AS BIGINT) AS baseline_taken, \
        (SELECT COUNT(*) FROM bookings o WHERE o.mentee_id = b.mentee_id AND o.start_at < b.start_at \
             AND o.status = 'no_show' AND o.no_show_side = 'mentee') AS mentee_no_shows, \
        (SELECT COUNT(*) FROM bookings o WHERE o.mentee_id = b.mentee_id AND o.start_at < b.start_at \
             AND o.late_cancel <> 0 AND o.cancelled_by = b.mentee_id) AS mentee_late_cancels, \
        (SELECT COUNT(*) FROM bookings o WHERE o.mentor_id = b.mentor_id AND o.start_at < b.start_at \
             AND o.status = 'no_show' AND o.no_show_side = 'mentor') AS mentor_no_shows, \
        (SELECT COUNT(*) FROM bookings o WHERE o.mentor_id = b.mentor_id AND o.start_at < b.start_at \
             AND o.late_cancel <> 0 AND o.cancelled_by = b.mentor_id) AS mentor_late_cancels, \
        (SELECT COUNT(*) FROM bookings o WHERE o.mentee_id = b.mentee_id AND o.start_at < b.start_at \
             AND o.status IN ('completed', 'no_show')) AS mentee_sessions \
     FROM bookings b JOIN users mt ON mt.id = b.mentee_id JOIN users mr ON mr.id = b.mentor_id";

fn count(r: &sqlx::any::AnyRow, column: &str) -> Result<u32> {
    Ok(u32::try_from(r.try_get::<i64, _>(column)?).unwrap_or(u32::MAX))
}

#[async_trait]
impl RiskStore for SqlStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn risk_sessions(&self, which: RiskSessions<'_>) -> Result<Vec<SessionFacts>> {
        let rows = match which {
            RiskSessions::FinishedBefore(before) => {
                // Built from constants only.
                sqlx::query(AssertSqlSafe(format!(
                    "{SESSIONS} WHERE b.status IN ('completed', 'no_show') AND b.start_at < $1 \
                     ORDER BY b.start_at, b.id"
                )))
                .bind(before.as_second())
                .fetch_all(self.reader())
                .await?
            }
            RiskSessions::Bookings([]) => Vec::new(),
            RiskSessions::Bookings(ids) => {
                let marks: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
                let sql = format!(
                    "{SESSIONS} WHERE b.id IN ({}) ORDER BY b.start_at, b.id",
                    marks.join(", ")
                );
                // Constants and numbered placeholders only; the ids are bound.
                let mut q = sqlx::query(AssertSqlSafe(sql));
                for id in ids {
                    q = q.bind(id.0);
                }
                q.fetch_all(self.reader()).await?
            }
        };
        rows.iter()
            .map(|r| {
                Ok(SessionFacts {
                    booking: r.try_get("id")?,
                    made_at: ts(r.try_get("created_at")?)?,
                    start: ts(r.try_get("start_at")?)?,
                    mentee_zone: r.try_get("mentee_zone")?,
                    mentor_zone: r.try_get("mentor_zone")?,
                    prep_done: r.try_get::<i64, _>("prep_done")? != 0,
                    baseline_taken: r.try_get::<i64, _>("baseline_taken")? != 0,
                    mentee_no_shows: count(r, "mentee_no_shows")?,
                    mentee_late_cancels: count(r, "mentee_late_cancels")?,
                    mentor_no_shows: count(r, "mentor_no_shows")?,
                    mentor_late_cancels: count(r, "mentor_late_cancels")?,
                    mentee_sessions: count(r, "mentee_sessions")?,
                    no_show: r.try_get::<String, _>("status")? == "no_show",
                })
            })
            .collect()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn save_risk_model(&self, model: Option<&RiskModel>, now: Timestamp) -> Result<()> {
        let body = model
            .map(serde_json::to_string)
            .transpose()
            .map_err(|e| StoreError::Backend(e.into()))?;
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM risk_models")
            .execute(&mut *tx)
            .await?;
        if let Some(body) = &body {
            sqlx::query("INSERT INTO risk_models (id, body, trained_at) VALUES (1, $1, $2)")
                .bind(body)
                .bind(now.as_second())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn risk_model(&self) -> Result<Option<RiskModel>> {
        let Some(row) = sqlx::query("SELECT body FROM risk_models WHERE id = 1")
            .fetch_optional(self.reader())
            .await?
        else {
            return Ok(None);
        };
        let body: String = row.try_get("body")?;
        serde_json::from_str(&body)
            .map(Some)
            .map_err(|e| StoreError::Backend(format!("unreadable risk model: {e}").into()))
    }
}
