//! `InsightStore` in SQL. Weeks are bucketed in the database as Monday 00:00 UTC
//! (`t - (t - 345600) % 604800`: 1970-01-05, 345,600 s after the epoch, was a Monday), the
//! kept hours are upserted per mentor and week, and demand counts are added in place.

use super::SqlStore;
use super::bookings::ts;
use super::forecast_body;
use crate::StoreError;
use crate::insights::{BookingsMade, DemandCount, InsightStore};
use crate::interfaces::Result;
use async_trait::async_trait;
use jiff::Timestamp;
use sqlx::Row;
use stint_domain::ids::{CompetencyId, UserId};
use stint_domain::insights::{MentorWeek, MentorWeekInput, Series, SeriesForecast, SupplyWeek};
use stint_domain::mentor::ZoneBand;

/// Each bookable mentor's current competencies (through their active session types).
pub(super) const MENTOR_COMPETENCIES: &str = "SELECT DISTINCT ms.user_id, v.competency_id FROM mentor_skus ms \
     JOIN skus s ON s.id = ms.sku_id \
     JOIN sku_versions v ON v.sku_id = s.id AND v.version = s.current_version \
     WHERE s.status = 'active'";

pub(super) fn band(raw: &str) -> Result<ZoneBand> {
    ZoneBand::parse(raw)
        .ok_or_else(|| StoreError::Backend(format!("unknown zone band {raw}").into()))
}

#[async_trait]
impl InsightStore for SqlStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn mentor_week_inputs(
        &self,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<MentorWeekInput>> {
        let rows = sqlx::query(
            "SELECT p.user_id, u.timezone, d.minutes, \
                    COALESCE(b.booked, 0) AS booked, COALESCE(b.delivered, 0) AS delivered \
             FROM mentor_profiles p JOIN users u ON u.id = p.user_id \
             JOIN user_roles r ON r.user_id = p.user_id AND r.role = 'mentor' \
             JOIN (SELECT ms.user_id, CAST(AVG(v.duration_minutes) AS BIGINT) AS minutes \
                   FROM mentor_skus ms JOIN skus s ON s.id = ms.sku_id \
                   JOIN sku_versions v ON v.sku_id = s.id AND v.version = s.current_version \
                   WHERE s.status = 'active' GROUP BY ms.user_id) d ON d.user_id = p.user_id \
             LEFT JOIN (SELECT mentor_id, \
                   CAST(SUM(CASE WHEN status <> 'cancelled' THEN end_at - start_at ELSE 0 END) / 60 AS BIGINT) AS booked, \
                   CAST(SUM(CASE WHEN status = 'completed' THEN end_at - start_at ELSE 0 END) / 60 AS BIGINT) AS delivered \
                   FROM bookings WHERE start_at >= $1 AND start_at < $2 GROUP BY mentor_id) b \
               ON b.mentor_id = p.user_id \
             ORDER BY p.user_id",
        )
        .bind(from.as_second())
        .bind(to.as_second())
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(MentorWeekInput {
                    mentor: UserId(r.try_get("user_id")?),
                    timezone: r.try_get("timezone")?,
                    session_minutes: r.try_get("minutes")?,
                    booked_minutes: r.try_get("booked")?,
                    delivered_minutes: r.try_get("delivered")?,
                })
            })
            .collect()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn save_mentor_weeks(&self, weeks: &[MentorWeek], now: Timestamp) -> Result<()> {
        let mut tx = self.begin_write().await?;
        for w in weeks {
            sqlx::query(
                "INSERT INTO mentor_week_hours (mentor_id, week_start, band, offered_minutes, \
                   booked_minutes, delivered_minutes, computed_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) \
                 ON CONFLICT (mentor_id, week_start) DO UPDATE SET band = excluded.band, \
                   offered_minutes = excluded.offered_minutes, \
                   booked_minutes = excluded.booked_minutes, \
                   delivered_minutes = excluded.delivered_minutes, \
                   computed_at = excluded.computed_at",
            )
            .bind(w.mentor.0)
            .bind(w.week_start.as_second())
            .bind(w.band.as_str())
            .bind(w.offered_minutes)
            .bind(w.booked_minutes)
            .bind(w.delivered_minutes)
            .bind(now.as_second())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn supply_weeks(
        &self,
        from: Timestamp,
        to: Timestamp,
        by_competency: bool,
    ) -> Result<Vec<SupplyWeek>> {
        let (competency, join, group) = if by_competency {
            (
                "mc.competency_id",
                format!("JOIN ({MENTOR_COMPETENCIES}) mc ON mc.user_id = h.mentor_id"),
                ", mc.competency_id",
            )
        } else {
            ("CAST(NULL AS BIGINT)", String::new(), "")
        };
        let sql = format!(
            "SELECT h.week_start, {competency} AS competency_id, h.band, COUNT(*) AS mentors, \
                    CAST(SUM(h.offered_minutes) AS BIGINT) AS offered, \
                    CAST(SUM(h.booked_minutes) AS BIGINT) AS booked, \
                    CAST(SUM(h.delivered_minutes) AS BIGINT) AS delivered \
             FROM mentor_week_hours h {join} \
             WHERE h.week_start >= $1 AND h.week_start < $2 \
             GROUP BY h.week_start, h.band{group} \
             ORDER BY h.week_start, h.band{group}"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(from.as_second())
            .bind(to.as_second())
            .fetch_all(self.reader())
            .await?;
        rows.iter()
            .map(|r| {
                Ok(SupplyWeek {
                    week_start: ts(r.try_get("week_start")?)?,
                    competency: r
                        .try_get::<Option<i64>, _>("competency_id")?
                        .map(CompetencyId),
                    band: band(&r.try_get::<String, _>("band")?)?,
                    mentors: r.try_get("mentors")?,
                    offered_minutes: r.try_get("offered")?,
                    booked_minutes: r.try_get("booked")?,
                    delivered_minutes: r.try_get("delivered")?,
                })
            })
            .collect()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn add_demand(&self, counts: &[DemandCount]) -> Result<()> {
        if counts.is_empty() {
            return Ok(());
        }
        let mut tx = self.begin_write().await?;
        for c in counts {
            sqlx::query(
                "INSERT INTO search_demand (week_start, competency_id, band, searches, empty, off_hours) \
                 VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (week_start, competency_id, band) DO UPDATE SET \
                   searches = search_demand.searches + excluded.searches, \
                   empty = search_demand.empty + excluded.empty, \
                   off_hours = search_demand.off_hours + excluded.off_hours",
            )
            .bind(c.week_start.as_second())
            .bind(c.competency.0)
            .bind(c.band.as_str())
            .bind(c.searches)
            .bind(c.empty)
            .bind(c.off_hours)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn search_demand(&self, from: Timestamp, to: Timestamp) -> Result<Vec<DemandCount>> {
        let rows = sqlx::query(
            "SELECT week_start, competency_id, band, searches, empty, off_hours FROM search_demand \
             WHERE week_start >= $1 AND week_start < $2 ORDER BY week_start, competency_id, band",
        )
        .bind(from.as_second())
        .bind(to.as_second())
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(DemandCount {
                    week_start: ts(r.try_get("week_start")?)?,
                    competency: CompetencyId(r.try_get("competency_id")?),
                    band: band(&r.try_get::<String, _>("band")?)?,
                    searches: r.try_get("searches")?,
                    empty: r.try_get("empty")?,
                    off_hours: r.try_get("off_hours")?,
                })
            })
            .collect()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn bookings_made(&self, from: Timestamp, to: Timestamp) -> Result<Vec<BookingsMade>> {
        let rows = sqlx::query(
            "SELECT b.created_at - (b.created_at - 345600) % 604800 AS week_start, \
                    v.competency_id, u.timezone, COUNT(*) AS n, \
                    CAST(SUM(b.end_at - b.start_at) / 60 AS BIGINT) AS minutes \
             FROM bookings b \
             JOIN sku_versions v ON v.sku_id = b.sku_id AND v.version = b.sku_version \
             JOIN users u ON u.id = b.mentee_id \
             WHERE b.created_at >= $1 AND b.created_at < $2 \
             GROUP BY b.created_at - (b.created_at - 345600) % 604800, v.competency_id, u.timezone \
             ORDER BY week_start",
        )
        .bind(from.as_second())
        .bind(to.as_second())
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(BookingsMade {
                    week_start: ts(r.try_get("week_start")?)?,
                    competency: CompetencyId(r.try_get("competency_id")?),
                    timezone: r.try_get("timezone")?,
                    bookings: r.try_get("n")?,
                    minutes: r.try_get("minutes")?,
                })
            })
            .collect()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn save_forecasts(&self, forecasts: &[SeriesForecast], now: Timestamp) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM insight_forecasts")
            .execute(&mut *tx)
            .await?;
        for f in forecasts {
            sqlx::query(
                "INSERT INTO insight_forecasts (competency_id, band, series, body, computed_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(f.competency.0)
            .bind(f.band.as_str())
            .bind(f.series.as_str())
            .bind(forecast_body::write(f)?)
            .bind(now.as_second())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn forecasts(&self) -> Result<Vec<SeriesForecast>> {
        let rows = sqlx::query(
            "SELECT competency_id, band, series, body FROM insight_forecasts \
             ORDER BY competency_id, band, series",
        )
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|r| {
                let series: String = r.try_get("series")?;
                let series = Series::parse(&series).ok_or_else(|| {
                    StoreError::Backend(format!("unknown forecast series {series}").into())
                })?;
                forecast_body::read(
                    CompetencyId(r.try_get("competency_id")?),
                    band(&r.try_get::<String, _>("band")?)?,
                    series,
                    &r.try_get::<String, _>("body")?,
                )
            })
            .collect()
    }
}
