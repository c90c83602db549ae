//! `KeptReportStore` in SQL: one row per report name, replaced only by a later count.

use super::SqlStore;
use super::bookings::ts;
use crate::interfaces::Result;
use crate::kept_reports::KeptReportStore;
use async_trait::async_trait;
use jiff::Timestamp;
use sqlx::Row;

#[async_trait]
impl KeptReportStore for SqlStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn keep_report(&self, name: &str, body: &str, at: Timestamp) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO kept_reports (name, body, counted_at) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO UPDATE SET body = excluded.body, counted_at = excluded.counted_at \
             WHERE excluded.counted_at >= kept_reports.counted_at",
        )
        .bind(name)
        .bind(body)
        .bind(at.as_second())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn kept_report(&self, name: &str) -> Result<Option<(String, Timestamp)>> {
        let Some(row) = sqlx::query("SELECT body, counted_at FROM kept_reports WHERE name = $1")
            .bind(name)
            .fetch_optional(self.reader())
            .await?
        else {
            return Ok(None);
        };
        Ok(Some((
            row.try_get("body")?,
            ts(row.try_get("counted_at")?)?,
        )))
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn kept_report_names(&self) -> Result<Vec<String>> {
        let rows = sqlx::query("SELECT name FROM kept_reports ORDER BY name")
            .fetch_all(self.reader())
            .await?;
        rows.iter()
            .map(|r| Ok(r.try_get::<String, _>("name")?))
            .collect()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn forget_report(&self, name: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM kept_reports WHERE name = $1")
            .bind(name)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
