//! `ExperimentStore` in SQL: the running experiment per factor is guarded by a partial
//! unique index; an exposure is an insert that keeps the first; the results read one row
//! per exposed person with their counts (index-backed sub-queries on the person's bookings).

use super::SqlStore;
use super::bookings::ts;
use crate::StoreError;
use crate::experiments::{ExperimentRecord, ExperimentStore, ExposedPerson, Windows};
use crate::interfaces::Result;
use async_trait::async_trait;
use jiff::Timestamp;
use sqlx::Row;
use sqlx::any::AnyRow;
use stint_domain::experiment::{ExperimentDraft, Factor, Variant};
use stint_domain::ids::UserId;

/// An experiment's columns, then `$rest` (a literal, so the SQL stays static).
macro_rules! select {
    ($rest:literal) => {
        concat!(
            "SELECT id, name, factor, hypothesis, variants, started_by, started_at, ended_at \
             FROM experiments ",
            $rest
        )
    };
}

fn record(r: &AnyRow) -> Result<ExperimentRecord> {
    let factor: String = r.try_get("factor")?;
    let variants: String = r.try_get("variants")?;
    Ok(ExperimentRecord {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        factor: Factor::parse(&factor)
            .ok_or_else(|| StoreError::Backend(format!("unknown factor {factor}").into()))?,
        hypothesis: r.try_get("hypothesis")?,
        variants: serde_json::from_str::<Vec<Variant>>(&variants)?,
        started_by: UserId(r.try_get("started_by")?),
        started_at: ts(r.try_get("started_at")?)?,
        ended_at: r
            .try_get::<Option<i64>, _>("ended_at")?
            .map(ts)
            .transpose()?,
    })
}

#[async_trait]
impl ExperimentStore for SqlStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn start_experiment(
        &self,
        draft: &ExperimentDraft,
        started_by: UserId,
        now: Timestamp,
    ) -> Result<Option<i64>> {
        let variants = serde_json::to_string(&draft.variants)?;
        let mut tx = self.begin_write().await?;
        let id = sqlx::query(
            "INSERT INTO experiments (name, factor, hypothesis, variants, started_by, started_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING id",
        )
        .bind(&draft.name)
        .bind(draft.factor.as_str())
        .bind(&draft.hypothesis)
        .bind(variants)
        .bind(started_by.0)
        .bind(now.as_second())
        .fetch_optional(&mut *tx)
        .await?
        .map(|r| r.try_get::<i64, _>("id"))
        .transpose()?;
        tx.commit().await?;
        Ok(id)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn end_experiment(&self, id: i64, now: Timestamp) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let ended =
            sqlx::query("UPDATE experiments SET ended_at = $1 WHERE id = $2 AND ended_at IS NULL")
                .bind(now.as_second())
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected()
                == 1;
        tx.commit().await?;
        Ok(ended)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn experiments(&self) -> Result<Vec<ExperimentRecord>> {
        let rows = sqlx::query(select!("ORDER BY id DESC"))
            .fetch_all(self.reader())
            .await?;
        rows.iter().map(record).collect()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn experiment(&self, id: i64) -> Result<Option<ExperimentRecord>> {
        sqlx::query(select!("WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.reader())
            .await?
            .as_ref()
            .map(record)
            .transpose()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn running_experiment(&self, factor: Factor) -> Result<Option<ExperimentRecord>> {
        sqlx::query(select!("WHERE factor = $1 AND ended_at IS NULL"))
            .bind(factor.as_str())
            .fetch_optional(self.reader())
            .await?
            .as_ref()
            .map(record)
            .transpose()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn expose(
        &self,
        experiment: i64,
        user: UserId,
        variant: usize,
        now: Timestamp,
    ) -> Result<usize> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO experiment_exposures (experiment_id, user_id, variant, exposed_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        )
        .bind(experiment)
        .bind(user.0)
        .bind(variant as i64)
        .bind(now.as_second())
        .execute(&mut *tx)
        .await?;
        let kept: i64 = sqlx::query(
            "SELECT variant FROM experiment_exposures WHERE experiment_id = $1 AND user_id = $2",
        )
        .bind(experiment)
        .bind(user.0)
        .fetch_one(&mut *tx)
        .await?
        .try_get("variant")?;
        tx.commit().await?;
        Ok(usize::try_from(kept).unwrap_or(0))
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn exposures_of(&self, user: UserId) -> Result<Vec<(String, String, Timestamp)>> {
        let rows = sqlx::query(
            "SELECT e.name, e.variants, x.variant, x.exposed_at FROM experiment_exposures x \
             JOIN experiments e ON e.id = x.experiment_id WHERE x.user_id = $1 ORDER BY x.exposed_at",
        )
        .bind(user.0)
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|r| {
                let variants: Vec<Variant> =
                    serde_json::from_str(&r.try_get::<String, _>("variants")?)?;
                let index = usize::try_from(r.try_get::<i64, _>("variant")?).unwrap_or(0);
                let name = variants
                    .get(index)
                    .map_or_else(String::new, |v| v.name.clone());
                Ok((r.try_get("name")?, name, ts(r.try_get("exposed_at")?)?))
            })
            .collect()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn exposed_people(&self, experiment: i64, w: Windows) -> Result<Vec<ExposedPerson>> {
        // Sessions closed while exposed (so their follow-up had the variant's delay) whose
        // answer window has passed, those answered in it, and bookings made in the rebooking
        // window after the exposure.
        let rows = sqlx::query(
            "SELECT x.variant, x.exposed_at, \
               (SELECT COUNT(*) FROM bookings b JOIN session_closings c ON c.booking_id = b.id \
                 WHERE b.mentee_id = x.user_id AND c.closed_at >= x.exposed_at \
                   AND c.closed_at <= $2 AND c.followup_opens_at <= $3) AS due, \
               (SELECT COUNT(*) FROM bookings b JOIN session_closings c ON c.booking_id = b.id \
                 JOIN assessments a ON a.booking_id = b.id AND a.kind = 'followup' \
                 WHERE b.mentee_id = x.user_id AND c.closed_at >= x.exposed_at \
                   AND c.closed_at <= $2 AND c.followup_opens_at <= $3 \
                   AND a.submitted_at <= c.followup_opens_at + $4) AS answered, \
               (SELECT COUNT(*) FROM bookings b WHERE b.mentee_id = x.user_id \
                 AND b.created_at > x.exposed_at AND b.created_at <= x.exposed_at + $5) AS rebooked \
             FROM experiment_exposures x WHERE x.experiment_id = $1",
        )
        .bind(experiment)
        .bind(w.until.as_second())
        .bind(w.followup_opened_by.as_second())
        .bind(w.answer_within_secs)
        .bind(w.rebook_within_secs)
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ExposedPerson {
                    variant: usize::try_from(r.try_get::<i64, _>("variant")?).unwrap_or(0),
                    exposed_at: ts(r.try_get("exposed_at")?)?,
                    followups_due: r.try_get("due")?,
                    followups_answered: r.try_get("answered")?,
                    rebooked: r.try_get("rebooked")?,
                })
            })
            .collect()
    }
}
