//! `ApplicationStore` in SQL (`mentor_applications`, migration 47).

use super::SqlStore;
use super::bookings::ts;
use crate::StoreError;
use crate::applications::ApplicationStore;
use crate::error::is_unique_violation;
use crate::interfaces::Result;
use crate::jobs::NewJob;
use async_trait::async_trait;
use jiff::Timestamp;
use sqlx::Row;
use sqlx::any::AnyRow;
use stint_domain::application::{Application, ApplicationInput, ApplicationStatus, Decision};
use stint_domain::ids::UserId;

const COLUMNS: &str = "a.id, a.user_id, u.display_name, u.email, a.experience, a.competencies, \
     a.sample, a.links, a.status, a.question, a.answer, a.reason, a.created_at, a.updated_at";

fn row_to_application(r: &AnyRow) -> Result<Application> {
    let status: String = r.try_get("status")?;
    let competencies: String = r.try_get("competencies")?;
    let links: String = r.try_get("links")?;
    Ok(Application {
        id: r.try_get("id")?,
        user_id: UserId(r.try_get("user_id")?),
        applicant_name: r.try_get("display_name")?,
        applicant_email: r.try_get("email")?,
        experience: r.try_get("experience")?,
        competencies: serde_json::from_str(&competencies)?,
        sample: r.try_get("sample")?,
        links: links
            .lines()
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect(),
        status: ApplicationStatus::parse(&status)
            .ok_or_else(|| StoreError::Backend(format!("unknown status {status}").into()))?,
        question: r.try_get("question")?,
        answer: r.try_get("answer")?,
        reason: r.try_get("reason")?,
        created_at: ts(r.try_get("created_at")?)?,
        updated_at: ts(r.try_get("updated_at")?)?,
    })
}

impl SqlStore {
    async fn applications_where(&self, condition: &str, id: i64) -> Result<Vec<Application>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM mentor_applications a JOIN users u ON u.id = a.user_id \
             WHERE {condition}"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_all(self.reader())
            .await?;
        rows.iter().map(row_to_application).collect()
    }
}

#[async_trait]
impl ApplicationStore for SqlStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn create_application(
        &self,
        user: UserId,
        input: &ApplicationInput,
        now: Timestamp,
    ) -> Result<Application> {
        let competencies = serde_json::to_string(&input.competencies)?;
        let done = sqlx::query(
            "INSERT INTO mentor_applications (user_id, experience, competencies, sample, links, \
             status, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 'pending', $6, $6) \
             RETURNING id",
        )
        .bind(user.0)
        .bind(input.experience.clone())
        .bind(competencies)
        .bind(input.sample.clone())
        .bind(input.links.clone())
        .bind(now.as_second())
        .fetch_one(self.writer())
        .await;
        let id: i64 = match done {
            Ok(row) => row.try_get("id")?,
            Err(e) if is_unique_violation(&e) => {
                return Err(StoreError::conflict(
                    "application",
                    "you have an application under review already",
                ));
            }
            Err(e) => return Err(e.into()),
        };
        self.application(id).await?.ok_or(StoreError::NotFound)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn application(&self, id: i64) -> Result<Option<Application>> {
        Ok(self.applications_where("a.id = $1", id).await?.pop())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn applications_of(&self, user: UserId) -> Result<Vec<Application>> {
        self.applications_where("a.user_id = $1 ORDER BY a.id DESC", user.0)
            .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn open_applications(&self) -> Result<Vec<Application>> {
        self.applications_where(
            "a.status IN ('pending', 'asked') AND a.id > $1 ORDER BY a.created_at, a.id",
            0,
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn decide_application(
        &self,
        id: i64,
        from: ApplicationStatus,
        decision: &Decision,
        by: UserId,
        job: &NewJob,
        now: Timestamp,
    ) -> Result<Option<Application>> {
        let (question, reason) = match decision {
            Decision::Ask(q) => (Some(q.clone()), None),
            Decision::Decline(r) => (None, Some(r.clone())),
            Decision::Approve => (None, None),
        };
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "UPDATE mentor_applications SET status = $3, \
               question = COALESCE($4, question), reason = COALESCE($5, reason), \
               decided_by = $6, updated_at = $7 \
             WHERE id = $1 AND status = $2 RETURNING user_id",
        )
        .bind(id)
        .bind(from.as_str())
        .bind(decision.status().as_str())
        .bind(question)
        .bind(reason)
        .bind(by.0)
        .bind(now.as_second())
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let applicant: i64 = row.try_get("user_id")?;
        if *decision == Decision::Approve {
            sqlx::query(
                "INSERT INTO user_roles (user_id, role) VALUES ($1, 'mentor') \
                 ON CONFLICT DO NOTHING",
            )
            .bind(applicant)
            .execute(&mut *tx)
            .await?;
        }
        super::jobs::queue_in(&mut tx, job, now).await?;
        tx.commit().await?;
        self.forget_people_and_catalog();
        self.application(id).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn answer_application(
        &self,
        id: i64,
        user: UserId,
        answer: &str,
        now: Timestamp,
    ) -> Result<Option<Application>> {
        let done = sqlx::query(
            "UPDATE mentor_applications SET status = 'pending', answer = $3, updated_at = $4 \
             WHERE id = $1 AND user_id = $2 AND status = 'asked'",
        )
        .bind(id)
        .bind(user.0)
        .bind(answer.to_string())
        .bind(now.as_second())
        .execute(self.writer())
        .await?;
        if done.rows_affected() == 0 {
            return Ok(None);
        }
        self.application(id).await
    }
}
