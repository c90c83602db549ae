//! `StandingStore` in SQL: three columns of `mentor_profiles` (migration 46).

use super::SqlStore;
use super::bookings::ts;
use crate::StoreError;
use crate::interfaces::Result;
use crate::standing::{StandingStore, UnlistedMentor};
use async_trait::async_trait;
use jiff::Timestamp;
use sqlx::Row;
use stint_domain::contribution::Contributions;
use stint_domain::ids::UserId;
use stint_domain::load::SessionFacts;
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

    #[tracing::instrument(level = "debug", skip_all)]
    async fn contributions(&self, mentor: UserId) -> Result<Contributions> {
        let closed = "FROM bookings b JOIN session_closings c ON c.booking_id = b.id \
                      WHERE b.mentor_id = $1";
        let sql = format!(
            "SELECT (SELECT COUNT(*) {closed}) AS delivered, \
               (SELECT COUNT(*) {closed} AND c.checkpoint = 'reached') AS mini_wins, \
               (SELECT COUNT(*) {closed} AND c.closed_at <= b.end_at + 86400) AS on_time, \
               (SELECT COUNT(*) FROM mentor_reviews WHERE mentor_id = $1) AS reviews, \
               (SELECT COUNT(*) FROM circle_posts WHERE author_id = $1) AS circle_posts"
        );
        let r = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(mentor.0)
            .fetch_one(self.reader())
            .await?;
        let n = |col: &str| -> Result<u32> {
            let v: i64 = r.try_get(col)?;
            Ok(u32::try_from(v).unwrap_or(u32::MAX))
        };
        Ok(Contributions {
            delivered: n("delivered")?,
            mini_wins: n("mini_wins")?,
            closed_on_time: n("on_time")?,
            reviews: n("reviews")?,
            circle_posts: n("circle_posts")?,
        })
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn load_sessions(
        &self,
        mentors: &[UserId],
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<(UserId, SessionFacts)>> {
        let ids: Vec<i64> = mentors.iter().map(|m| m.0).collect();
        let sql = format!(
            "SELECT b.mentor_id, b.start_at, b.end_at, b.status, b.cancelled_by, \
               b.no_show_side, c.closed_at \
             FROM bookings b LEFT JOIN session_closings c ON c.booking_id = b.id \
             WHERE {} AND b.start_at >= $2 AND b.start_at < $3",
            super::search::ids_in(self.backend(), "b.mentor_id", "$1")
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(serde_json::to_string(&ids)?)
            .bind(from.as_second())
            .bind(to.as_second())
            .fetch_all(self.reader())
            .await?;
        rows.iter()
            .map(|r| {
                let mentor: i64 = r.try_get("mentor_id")?;
                let status: String = r.try_get("status")?;
                let by: Option<i64> = r.try_get("cancelled_by")?;
                let side: Option<String> = r.try_get("no_show_side")?;
                let closed: Option<i64> = r.try_get("closed_at")?;
                Ok((
                    UserId(mentor),
                    SessionFacts {
                        start: ts(r.try_get("start_at")?)?,
                        end: ts(r.try_get("end_at")?)?,
                        held: status == "confirmed" || status == "completed",
                        cancelled_by_mentor: status == "cancelled" && by == Some(mentor),
                        mentor_no_show: side.as_deref() == Some("mentor"),
                        closed_at: closed.map(ts).transpose()?,
                    },
                ))
            })
            .collect()
    }
}
