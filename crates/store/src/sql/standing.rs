//! `StandingStore` in SQL: three columns of `mentor_profiles` (migration 46).

use super::SqlStore;
use super::bookings::ts;
use crate::StoreError;
use crate::interfaces::Result;
use crate::standing::{StandingStore, UnlistedMentor};
use async_trait::async_trait;
use jiff::Timestamp;
use sqlx::Row;
use stint_domain::ids::UserId;
use stint_domain::standing::Standing;

#[async_trait]
impl StandingStore for SqlStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn set_standing(
        &self,
        user: UserId,
        standing: &Standing,
        note: &str,
        at: Timestamp,
    ) -> Result<bool> {
        let resume_on = standing.until().map(|d| d.to_string());
        let done = sqlx::query(
            "UPDATE mentor_profiles SET standing = $2, resume_on = $3, standing_note = $4, \
             standing_since = $5, inactive_since = NULL WHERE user_id = $1",
        )
        .bind(user.0)
        .bind(standing.as_str())
        .bind(resume_on)
        .bind(note.to_string())
        .bind(at.as_second())
        .execute(self.writer())
        .await?;
        self.forget_people_and_catalog();
        Ok(done.rows_affected() > 0)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn unlisted_mentors(&self) -> Result<Vec<UnlistedMentor>> {
        let rows = sqlx::query(
            "SELECT p.user_id, u.display_name, u.timezone, p.standing, p.resume_on, \
                    p.standing_note, p.standing_since \
             FROM mentor_profiles p JOIN users u ON u.id = p.user_id \
             WHERE p.standing <> 'listed' ORDER BY u.display_name, p.user_id",
        )
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|r| {
                let state: String = r.try_get("standing")?;
                let resume_on: Option<String> = r.try_get("resume_on")?;
                Ok(UnlistedMentor {
                    user_id: UserId(r.try_get("user_id")?),
                    display_name: r.try_get("display_name")?,
                    timezone: r.try_get("timezone")?,
                    standing: Standing::from_parts(&state, resume_on.as_deref())
                        .map_err(|e| StoreError::Backend(e.into()))?,
                    note: r.try_get("standing_note")?,
                    since: r
                        .try_get::<Option<i64>, _>("standing_since")?
                        .map(ts)
                        .transpose()?,
                })
            })
            .collect()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn listed_mentors(&self) -> Result<Vec<(UserId, Option<Timestamp>)>> {
        let rows = sqlx::query(
            "SELECT p.user_id, p.inactive_since FROM mentor_profiles p \
             JOIN user_roles r ON r.user_id = p.user_id AND r.role = 'mentor' \
             WHERE p.standing = 'listed' ORDER BY p.user_id",
        )
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    UserId(r.try_get("user_id")?),
                    r.try_get::<Option<i64>, _>("inactive_since")?
                        .map(ts)
                        .transpose()?,
                ))
            })
            .collect()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn mark_inactive(
        &self,
        user: UserId,
        at: Option<Timestamp>,
        job: Option<&crate::jobs::NewJob>,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE mentor_profiles SET inactive_since = $2 WHERE user_id = $1")
            .bind(user.0)
            .bind(at.map(|t| t.as_second()))
            .execute(&mut *tx)
            .await?;
        if let (Some(job), Some(now)) = (job, at) {
            super::jobs::queue_in(&mut tx, job, now).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn unclosed_sessions(&self, mentor: UserId, before: Timestamp) -> Result<u64> {
        let n: i64 = sqlx::query(
            "SELECT COUNT(*) AS n FROM bookings \
             WHERE mentor_id = $1 AND status = 'confirmed' AND end_at < $2",
        )
        .bind(mentor.0)
        .bind(before.as_second())
        .fetch_one(self.reader())
        .await?
        .try_get("n")?;
        Ok(u64::try_from(n).unwrap_or(0))
    }
}
