//! `AlertStore` in SQL: a shortfall is opened by an insert the partial unique index lets
//! through once per competency and band while open; an ask for hours is inserted only when
//! none of the mentor's is newer than the fortnight. Each queues its jobs in its transaction.

use super::SqlStore;
use super::bookings::ts;
use super::insights::{MENTOR_COMPETENCIES, band};
use super::jobs::queue_in;
use super::nudges::insert_inbox_item;
use crate::alerts::{AlertStore, OpenShortfall};
use crate::interfaces::Result;
use crate::jobs::NewJob;
use crate::nudges::NewInboxItem;
use async_trait::async_trait;
use jiff::Timestamp;
use sqlx::Row;
use stint_domain::ids::{CompetencyId, UserId};
use stint_domain::insights::MentorWeek;
use stint_domain::mentor::ZoneBand;

#[async_trait]
impl AlertStore for SqlStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn open_shortfalls(&self) -> Result<Vec<OpenShortfall>> {
        let rows = sqlx::query(
            "SELECT id, competency_id, band, first_week, opened_at FROM shortfalls \
             WHERE closed_at IS NULL ORDER BY id",
        )
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(OpenShortfall {
                    id: r.try_get("id")?,
                    competency: CompetencyId(r.try_get("competency_id")?),
                    band: band(&r.try_get::<String, _>("band")?)?,
                    first_week: ts(r.try_get("first_week")?)?,
                    opened_at: ts(r.try_get("opened_at")?)?,
                })
            })
            .collect()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn open_shortfall(
        &self,
        competency: CompetencyId,
        band: ZoneBand,
        first_week: Timestamp,
        jobs: &[NewJob],
        now: Timestamp,
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let opened = sqlx::query(
            "INSERT INTO shortfalls (competency_id, band, first_week, opened_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        )
        .bind(competency.0)
        .bind(band.as_str())
        .bind(first_week.as_second())
        .bind(now.as_second())
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if opened {
            for job in jobs {
                queue_in(&mut tx, job, now).await?;
            }
        }
        tx.commit().await?;
        Ok(opened)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn close_shortfall(&self, id: i64, now: Timestamp) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE shortfalls SET closed_at = $1 WHERE id = $2 AND closed_at IS NULL")
            .bind(now.as_second())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn ask_for_hours(
        &self,
        mentor: UserId,
        competency: CompetencyId,
        since: Timestamp,
        job: &NewJob,
        now: Timestamp,
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let asked = sqlx::query(
            "INSERT INTO hours_asks (mentor_id, competency_id, asked_at) \
             SELECT $1, $2, $3 WHERE NOT EXISTS \
               (SELECT 1 FROM hours_asks WHERE mentor_id = $1 AND asked_at > $4) \
             ON CONFLICT DO NOTHING",
        )
        .bind(mentor.0)
        .bind(competency.0)
        .bind(now.as_second())
        .bind(since.as_second())
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if asked {
            queue_in(&mut tx, job, now).await?;
        }
        tx.commit().await?;
        Ok(asked)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn mentor_competencies(&self) -> Result<Vec<(UserId, CompetencyId)>> {
        let rows = sqlx::query(MENTOR_COMPETENCIES)
            .fetch_all(self.reader())
            .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    UserId(r.try_get("user_id")?),
                    CompetencyId(r.try_get("competency_id")?),
                ))
            })
            .collect()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn kept_week(&self, week_start: Timestamp) -> Result<Vec<MentorWeek>> {
        let rows = sqlx::query(
            "SELECT mentor_id, week_start, band, offered_minutes, booked_minutes, \
                    delivered_minutes FROM mentor_week_hours WHERE week_start = $1",
        )
        .bind(week_start.as_second())
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(MentorWeek {
                    mentor: UserId(r.try_get("mentor_id")?),
                    week_start: ts(r.try_get("week_start")?)?,
                    band: band(&r.try_get::<String, _>("band")?)?,
                    offered_minutes: r.try_get("offered_minutes")?,
                    booked_minutes: r.try_get("booked_minutes")?,
                    delivered_minutes: r.try_get("delivered_minutes")?,
                })
            })
            .collect()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn operator_ids(&self) -> Result<Vec<UserId>> {
        let rows =
            sqlx::query("SELECT user_id FROM user_roles WHERE role = 'operator' ORDER BY user_id")
                .fetch_all(self.reader())
                .await?;
        rows.iter()
            .map(|r| Ok(UserId(r.try_get("user_id")?)))
            .collect()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn post_alert(&self, item: &NewInboxItem, now: Timestamp) -> Result<()> {
        let mut tx = self.begin_write().await?;
        insert_inbox_item(&mut tx, item, now).await?;
        tx.commit().await?;
        Ok(())
    }
}
