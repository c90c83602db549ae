//! `PilotStore` in SQL. A pilot, its session types, members and check-in jobs are written in
//! one transaction; a check-in replaces the member's earlier answer to the same check-in.

use super::SqlStore;
use super::bookings::ts;
use super::jobs::queue_in;
use crate::StoreError;
use crate::interfaces::Result;
use crate::pilots::{CheckInRecord, NewPilot, PilotJobs, PilotRecord, PilotSession, PilotStore};
use async_trait::async_trait;
use jiff::Timestamp;
use jiff::civil::Date;
use sqlx::Row;
use sqlx::any::AnyRow;
use stint_domain::booking::BookingStatus;
use stint_domain::ids::{CompetencyId, OrgId, SkuId, UserId};
use stint_domain::outcome::closing::CheckpointResult;

fn corrupt(what: String) -> StoreError {
    StoreError::Backend(what.into())
}

impl SqlStore {
    /// The pilots the rows name, with their session types and members.
    async fn complete(&self, rows: Vec<AnyRow>) -> Result<Vec<PilotRecord>> {
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let id: i64 = r.try_get("id")?;
            let start: String = r.try_get("start_date")?;
            let skus =
                sqlx::query("SELECT sku_id FROM pilot_skus WHERE pilot_id = $1 ORDER BY sku_id")
                    .bind(id)
                    .fetch_all(self.reader())
                    .await?
                    .iter()
                    .map(|s| Ok(SkuId(s.try_get("sku_id")?)))
                    .collect::<Result<Vec<_>>>()?;
            let members = sqlx::query(
                "SELECT user_id FROM pilot_members WHERE pilot_id = $1 ORDER BY user_id",
            )
            .bind(id)
            .fetch_all(self.reader())
            .await?
            .iter()
            .map(|m| Ok(UserId(m.try_get("user_id")?)))
            .collect::<Result<Vec<_>>>()?;
            out.push(PilotRecord {
                id,
                name: r.try_get("name")?,
                org: r.try_get::<Option<i64>, _>("org_id")?.map(OrgId),
                start: start
                    .parse::<Date>()
                    .map_err(|e| corrupt(format!("pilot start {start}: {e}")))?,
                created_at: ts(r.try_get("created_at")?)?,
                skus,
                members,
            });
        }
        Ok(out)
    }
}

#[async_trait]
impl PilotStore for SqlStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn create_pilot(
        &self,
        p: &NewPilot<'_>,
        jobs: PilotJobs<'_>,
        now: Timestamp,
    ) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO pilots (name, org_id, start_date, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(p.name)
        .bind(p.org.map(|o| o.0))
        .bind(p.start.to_string())
        .bind(p.created_by.0)
        .bind(now.as_second())
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        for sku in p.skus {
            sqlx::query(
                "INSERT INTO pilot_skus (pilot_id, sku_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            )
            .bind(id)
            .bind(sku.0)
            .execute(&mut *tx)
            .await?;
        }
        for member in p.members {
            sqlx::query(
                "INSERT INTO pilot_members (pilot_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            )
            .bind(id)
            .bind(member.0)
            .execute(&mut *tx)
            .await?;
        }
        for job in jobs(id) {
            queue_in(&mut tx, &job, now).await?;
        }
        tx.commit().await?;
        Ok(id)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn pilots(&self) -> Result<Vec<PilotRecord>> {
        let rows = sqlx::query(
            "SELECT id, name, org_id, start_date, created_at FROM pilots ORDER BY id DESC",
        )
        .fetch_all(self.reader())
        .await?;
        self.complete(rows).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn pilot(&self, id: i64) -> Result<Option<PilotRecord>> {
        let rows = sqlx::query(
            "SELECT id, name, org_id, start_date, created_at FROM pilots WHERE id = $1",
        )
        .bind(id)
        .fetch_all(self.reader())
        .await?;
        Ok(self.complete(rows).await?.into_iter().next())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn pilots_of_member(&self, user: UserId) -> Result<Vec<PilotRecord>> {
        let rows = sqlx::query(
            "SELECT p.id, p.name, p.org_id, p.start_date, p.created_at FROM pilots p \
             JOIN pilot_members m ON m.pilot_id = p.id WHERE m.user_id = $1 ORDER BY p.id DESC",
        )
        .bind(user.0)
        .fetch_all(self.reader())
        .await?;
        self.complete(rows).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn save_check_in(
        &self,
        pilot: i64,
        user: UserId,
        day: i64,
        levels: &[(CompetencyId, i64)],
        now: Timestamp,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        for (competency, level) in levels {
            sqlx::query(
                "INSERT INTO pilot_check_ins (pilot_id, user_id, day, competency_id, level, answered_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (pilot_id, user_id, day, competency_id) \
                 DO UPDATE SET level = excluded.level, answered_at = excluded.answered_at",
            )
            .bind(pilot)
            .bind(user.0)
            .bind(day)
            .bind(competency.0)
            .bind(*level)
            .bind(now.as_second())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn check_ins(&self, pilot: i64) -> Result<Vec<CheckInRecord>> {
        let rows = sqlx::query(
            "SELECT user_id, day, competency_id, level, answered_at FROM pilot_check_ins \
             WHERE pilot_id = $1 ORDER BY user_id, day, competency_id",
        )
        .bind(pilot)
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(CheckInRecord {
                    user: UserId(r.try_get("user_id")?),
                    day: r.try_get("day")?,
                    competency: CompetencyId(r.try_get("competency_id")?),
                    level: r.try_get("level")?,
                    answered_at: ts(r.try_get("answered_at")?)?,
                })
            })
            .collect()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn pilot_sessions(
        &self,
        pilot: i64,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<PilotSession>> {
        let rows = sqlx::query(
            "SELECT b.mentee_id, b.status, c.checkpoint, \
               (SELECT level FROM assessments a WHERE a.booking_id = b.id AND a.kind = 'baseline') AS baseline, \
               (SELECT level FROM assessments a WHERE a.booking_id = b.id AND a.kind = 'followup') AS followup \
             FROM pilot_members m \
             JOIN bookings b ON b.mentee_id = m.user_id \
             JOIN pilot_skus s ON s.pilot_id = m.pilot_id AND s.sku_id = b.sku_id \
             LEFT JOIN session_closings c ON c.booking_id = b.id \
             WHERE m.pilot_id = $1 AND b.start_at >= $2 AND b.start_at < $3 \
               AND b.status <> 'cancelled'",
        )
        .bind(pilot)
        .bind(from.as_second())
        .bind(to.as_second())
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|r| {
                let status: String = r.try_get("status")?;
                let checkpoint: Option<String> = r.try_get("checkpoint")?;
                Ok(PilotSession {
                    mentee: UserId(r.try_get("mentee_id")?),
                    status: BookingStatus::parse(&status)
                        .ok_or_else(|| corrupt(format!("booking status {status}")))?,
                    checkpoint: checkpoint.as_deref().and_then(CheckpointResult::parse),
                    baseline: r.try_get("baseline")?,
                    followup: r.try_get("followup")?,
                })
            })
            .collect()
    }
}
