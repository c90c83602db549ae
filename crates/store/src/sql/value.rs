//! `ValueStore` in SQL: the first closed session per mentee (the earliest start among their
//! completed, closed sessions), its assessments and budget hold, and a correlated sum of the
//! charges of the mentee's sessions in the window (over the mentee's (person, start) index).

use super::SqlStore;
use super::bookings::ts;
use crate::StoreError;
use crate::interfaces::Result;
use crate::value::ValueStore;
use async_trait::async_trait;
use jiff::{SignedDuration, Timestamp};
use sqlx::Row;
use stint_domain::ids::{CompetencyId, SkuId, UserId};
use stint_domain::outcome::closing::CheckpointResult;
use stint_domain::value::FirstSession;

#[async_trait]
impl ValueStore for SqlStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn first_sessions(
        &self,
        started_by: Timestamp,
        window: SignedDuration,
    ) -> Result<Vec<FirstSession>> {
        let rows = sqlx::query(
            "SELECT f.mentee_id, b.sku_id, v.title, v.competency_id, c.name, b.start_at, \
                    sc.checkpoint, \
                    (SELECT a.level FROM assessments a WHERE a.booking_id = b.id AND a.kind = 'baseline') AS baseline, \
                    (SELECT a.level FROM assessments a WHERE a.booking_id = b.id AND a.kind = 'followup') AS followup, \
                    CAST(CASE WHEN EXISTS (SELECT 1 FROM budget_holds h WHERE h.booking_id = b.id) \
                         THEN 1 ELSE 0 END AS BIGINT) AS sponsored, \
                    (SELECT CAST(COALESCE(SUM(ch.price), 0) AS BIGINT) FROM bookings o \
                       JOIN booking_charges ch ON ch.booking_id = o.id \
                      WHERE o.mentee_id = f.mentee_id AND o.start_at >= f.first_start \
                        AND o.start_at < f.first_start + $2 \
                        AND ch.state IN ('settled', 'forfeited')) AS credits \
             FROM (SELECT b.mentee_id, MIN(b.start_at) AS first_start FROM bookings b \
                     JOIN session_closings sc ON sc.booking_id = b.id \
                    WHERE b.status = 'completed' GROUP BY b.mentee_id) f \
             JOIN bookings b ON b.mentee_id = f.mentee_id AND b.start_at = f.first_start \
                            AND b.status = 'completed' \
             JOIN session_closings sc ON sc.booking_id = b.id \
             JOIN sku_versions v ON v.sku_id = b.sku_id AND v.version = b.sku_version \
             JOIN competencies c ON c.id = v.competency_id \
             WHERE f.first_start <= $1 \
             ORDER BY f.mentee_id, b.id",
        )
        .bind(started_by.as_second())
        .bind(window.as_secs())
        .fetch_all(self.reader())
        .await?;
        let mut out: Vec<FirstSession> = Vec::with_capacity(rows.len());
        for r in &rows {
            let mentee = UserId(r.try_get("mentee_id")?);
            // Two sessions at the same first instant: the first booking made counts.
            if out.last().is_some_and(|s| s.mentee == mentee) {
                continue;
            }
            let checkpoint: String = r.try_get("checkpoint")?;
            let checkpoint = CheckpointResult::parse(&checkpoint).ok_or_else(|| {
                StoreError::Backend(format!("unknown checkpoint result {checkpoint}").into())
            })?;
            let baseline: Option<i64> = r.try_get("baseline")?;
            let followup: Option<i64> = r.try_get("followup")?;
            out.push(FirstSession {
                mentee,
                sku: SkuId(r.try_get("sku_id")?),
                sku_title: r.try_get("title")?,
                competency: CompetencyId(r.try_get("competency_id")?),
                competency_name: r.try_get("name")?,
                start: ts(r.try_get("start_at")?)?,
                checkpoint,
                gain: baseline.zip(followup).map(|(b, f)| f - b),
                sponsored: r.try_get::<i64, _>("sponsored")? != 0,
                credits: r.try_get("credits")?,
            });
        }
        Ok(out)
    }
}
