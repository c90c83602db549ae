//! Competencies, checkpoints and versioned SKUs in SQL.

use super::SqlStore;
use crate::StoreError;
use crate::error::is_unique_violation;
use crate::interfaces::{CatalogStore, Offering, Result};
use async_trait::async_trait;
use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};
use stint_domain::catalog::{
    Checkpoint, CheckpointInput, Competency, CompetencyInput, SkuContent, SkuStatus, SkuVersion,
    edit_makes_new_version,
};
use stint_domain::ids::{CheckpointId, CompetencyId, SkuId, UserId};

/// The current or a given version of SKUs, joined with their content; `$where` completes it.
macro_rules! sku_select {
    ($where:literal) => {
        sku_select!("", $where)
    };
    // `$extra` adds columns (", x.col") from tables joined in `$where`.
    ($extra:literal, $where:literal) => {
        concat!(
            "SELECT s.id, s.slug, s.status, s.current_version, v.version, v.title, ",
            "v.duration_minutes, v.competency_id, v.checkpoint_id, v.outcome, v.artifacts, ",
            "v.intake_questions, v.pre_reads, v.followup_template, v.assessment_questions, ",
            "v.followup_delay_days, v.price_credits, ",
            "v.cancel_cutoff_hours, v.reschedule_cutoff_hours, v.late_cancel_percent, ",
            "v.bonus_credits",
            $extra,
            " FROM skus s JOIN sku_versions v ON v.sku_id = s.id ",
            $where
        )
    };
}

fn checkpoint_from(row: &AnyRow) -> Result<Checkpoint> {
    Ok(Checkpoint {
        id: CheckpointId(row.try_get("id")?),
        competency_id: CompetencyId(row.try_get("competency_id")?),
        slug: row.try_get("slug")?,
        title: row.try_get("title")?,
        description: row.try_get("description")?,
    })
}

fn competency_from(row: &AnyRow, checkpoints: Vec<Checkpoint>) -> Result<Competency> {
    let rubric: String = row.try_get("rubric")?;
    Ok(Competency {
        id: CompetencyId(row.try_get("id")?),
        slug: row.try_get("slug")?,
        name: row.try_get("name")?,
        description: row.try_get("description")?,
        rubric: serde_json::from_str(&rubric)?,
        checkpoints,
    })
}

fn sku_from(row: &AnyRow) -> Result<SkuVersion> {
    sku_from_as(row, "")
}

/// A SKU version from columns named as in `sku_select!`, each with `prefix` before it (the
/// booking-context query reads several tables' `id` and `status` in one row).
pub(super) fn sku_from_as(row: &AnyRow, prefix: &str) -> Result<SkuVersion> {
    let col = |name: &str| format!("{prefix}{name}");
    let get_i64 = |name: &str| -> Result<i64> { Ok(row.try_get::<i64, _>(col(name).as_str())?) };
    let get_text =
        |name: &str| -> Result<String> { Ok(row.try_get::<String, _>(col(name).as_str())?) };
    let status = get_text("status")?;
    Ok(SkuVersion {
        sku_id: SkuId(get_i64("id")?),
        slug: get_text("slug")?,
        version: get_i64("version")?,
        status: SkuStatus::parse(&status).ok_or_else(|| super::unknown("SKU status", &status))?,
        current_version: get_i64("current_version")?,
        content: SkuContent {
            title: get_text("title")?,
            duration_minutes: get_i64("duration_minutes")?,
            competency_id: CompetencyId(get_i64("competency_id")?),
            checkpoint_id: CheckpointId(get_i64("checkpoint_id")?),
            outcome: get_text("outcome")?,
            artifacts: serde_json::from_str(&get_text("artifacts")?)?,
            intake_questions: serde_json::from_str(&get_text("intake_questions")?)?,
            pre_reads: serde_json::from_str(&get_text("pre_reads")?)?,
            followup_template: get_text("followup_template")?,
            assessment_questions: serde_json::from_str(&get_text("assessment_questions")?)?,
            followup_delay_days: get_i64("followup_delay_days")?,
            price_credits: get_i64("price_credits")?,
            cancel_cutoff_hours: get_i64("cancel_cutoff_hours")?,
            reschedule_cutoff_hours: get_i64("reschedule_cutoff_hours")?,
            late_cancel_percent: get_i64("late_cancel_percent")?,
            bonus_credits: get_i64("bonus_credits")?,
        },
    })
}

/// Checks, inside the write transaction, that the checkpoint exists and belongs to the competency.
async fn check_refs(tx: &mut Transaction<'static, Any>, content: &SkuContent) -> Result<()> {
    let row = sqlx::query("SELECT competency_id FROM checkpoints WHERE id = $1")
        .bind(content.checkpoint_id.0)
        .fetch_optional(&mut **tx)
        .await?;
    let owner: Option<i64> = row.map(|r| r.try_get("competency_id")).transpose()?;
    if owner != Some(content.competency_id.0) {
        return Err(StoreError::Invalid(stint_domain::FieldErrors::single(
            "checkpoint_id",
            "is not a checkpoint of the chosen competency",
        )));
    }
    Ok(())
}

async fn insert_version(
    tx: &mut Transaction<'static, Any>,
    sku: SkuId,
    version: i64,
    c: &SkuContent,
    by: Option<UserId>,
    now: Timestamp,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO sku_versions (sku_id, version, title, duration_minutes, competency_id, \
         checkpoint_id, outcome, artifacts, intake_questions, pre_reads, followup_template, \
         assessment_questions, followup_delay_days, price_credits, cancel_cutoff_hours, \
         reschedule_cutoff_hours, created_at, created_by, late_cancel_percent, bonus_credits) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, \
         $19, $20)",
    )
    .bind(sku.0)
    .bind(version)
    .bind(c.title.clone())
    .bind(c.duration_minutes)
    .bind(c.competency_id.0)
    .bind(c.checkpoint_id.0)
    .bind(c.outcome.clone())
    .bind(serde_json::to_string(&c.artifacts)?)
    .bind(serde_json::to_string(&c.intake_questions)?)
    .bind(serde_json::to_string(&c.pre_reads)?)
    .bind(c.followup_template.clone())
    .bind(serde_json::to_string(&c.assessment_questions)?)
    .bind(c.followup_delay_days)
    .bind(c.price_credits)
    .bind(c.cancel_cutoff_hours)
    .bind(c.reschedule_cutoff_hours)
    .bind(now.as_second())
    .bind(by.map(|u| u.0))
    .bind(c.late_cancel_percent)
    .bind(c.bonus_credits)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl SqlStore {
    /// The current version of `slug` joined with the mentor delivering it, in one query.
    pub(super) async fn sku_offered_by(
        &self,
        slug: &str,
        mentor: UserId,
    ) -> Result<Option<Offering>> {
        let cache_key = (slug.to_string(), mentor);
        if let Some(offering) = self.caches().offerings.get(&cache_key) {
            return Ok(Some(offering));
        }
        let row = sqlx::query(sku_select!(
            ", u.display_name, u.timezone, p.meeting_url",
            "JOIN mentor_skus ms ON ms.sku_id = s.id AND ms.user_id = $2 \
             JOIN mentor_profiles p ON p.user_id = ms.user_id AND p.standing = 'listed' \
             JOIN users u ON u.id = p.user_id \
             JOIN user_roles r ON r.user_id = u.id AND r.role = 'mentor' \
             WHERE s.slug = $1 AND v.version = s.current_version"
        ))
        .bind(slug.to_string())
        .bind(mentor.0)
        .fetch_optional(self.reader())
        .await?;
        let Some(row) = row else { return Ok(None) };
        let offering = Offering {
            sku: sku_from(&row)?,
            mentor_name: row.try_get("display_name")?,
            mentor_timezone: row.try_get("timezone")?,
            mentor_meeting_url: row.try_get("meeting_url")?,
        };
        self.caches().offerings.put(cache_key, offering.clone());
        Ok(Some(offering))
    }

    async fn checkpoints_of(&self, competency: Option<i64>) -> Result<Vec<Checkpoint>> {
        let rows = match competency {
            Some(id) => {
                sqlx::query(
                    "SELECT id, competency_id, slug, title, description FROM checkpoints \
                     WHERE competency_id = $1 ORDER BY id",
                )
                .bind(id)
                .fetch_all(self.reader())
                .await?
            }
            None => sqlx::query(
                "SELECT id, competency_id, slug, title, description FROM checkpoints ORDER BY id",
            )
            .fetch_all(self.reader())
            .await?,
        };
        rows.iter().map(checkpoint_from).collect()
    }

    async fn competency_row(&self, row: Option<AnyRow>) -> Result<Option<Competency>> {
        let Some(row) = row else { return Ok(None) };
        let id: i64 = row.try_get("id")?;
        Ok(Some(competency_from(
            &row,
            self.checkpoints_of(Some(id)).await?,
        )?))
    }

    async fn current_sku_in(
        &self,
        tx: &mut Transaction<'static, Any>,
        slug: &str,
    ) -> Result<SkuVersion> {
        let sql = sku_select!("WHERE s.slug = $1 AND v.version = s.current_version");
        let row = sqlx::query(sql)
            .bind(slug.to_string())
            .fetch_optional(&mut **tx)
            .await?;
        row.as_ref()
            .map(sku_from)
            .transpose()?
            .ok_or(StoreError::NotFound)
    }
}

#[async_trait]
impl CatalogStore for SqlStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn competencies(&self) -> Result<Vec<Competency>> {
        let rows =
            sqlx::query("SELECT id, slug, name, description, rubric FROM competencies ORDER BY id")
                .fetch_all(self.reader())
                .await?;
        let checkpoints = self.checkpoints_of(None).await?;
        rows.iter()
            .map(|row| {
                let id = CompetencyId(row.try_get("id")?);
                let mine = checkpoints
                    .iter()
                    .filter(|c| c.competency_id == id)
                    .cloned()
                    .collect();
                competency_from(row, mine)
            })
            .collect()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn competency(&self, id: CompetencyId) -> Result<Option<Competency>> {
        let row = sqlx::query(
            "SELECT id, slug, name, description, rubric FROM competencies WHERE id = $1",
        )
        .bind(id.0)
        .fetch_optional(self.reader())
        .await?;
        self.competency_row(row).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn competency_by_slug(&self, slug: &str) -> Result<Option<Competency>> {
        let row = sqlx::query(
            "SELECT id, slug, name, description, rubric FROM competencies WHERE slug = $1",
        )
        .bind(slug.to_string())
        .fetch_optional(self.reader())
        .await?;
        self.competency_row(row).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn create_competency(
        &self,
        input: &CompetencyInput,
        now: Timestamp,
    ) -> Result<Competency> {
        let done = sqlx::query(
            "INSERT INTO competencies (slug, name, description, rubric, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(input.slug.clone())
        .bind(input.name.clone())
        .bind(input.description.clone())
        .bind(serde_json::to_string(&input.rubric)?)
        .bind(now.as_second())
        .fetch_one(self.writer())
        .await;
        match done {
            Ok(row) => Ok(Competency {
                id: CompetencyId(row.try_get("id")?),
                slug: input.slug.clone(),
                name: input.name.clone(),
                description: input.description.clone(),
                rubric: input.rubric.clone(),
                checkpoints: Vec::new(),
            }),
            Err(e) if is_unique_violation(&e) => Err(StoreError::conflict(
                "slug",
                "a competency with this slug already exists",
            )),
            Err(e) => Err(e.into()),
        }
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn update_competency(&self, slug: &str, input: &CompetencyInput) -> Result<Competency> {
        let done = sqlx::query(
            "UPDATE competencies SET slug = $1, name = $2, description = $3, rubric = $4 WHERE slug = $5",
        )
        .bind(input.slug.clone())
        .bind(input.name.clone())
        .bind(input.description.clone())
        .bind(serde_json::to_string(&input.rubric)?)
        .bind(slug.to_string())
        .execute(self.writer())
        .await;
        match done {
            Ok(r) if r.rows_affected() == 0 => Err(StoreError::NotFound),
            Ok(_) => self
                .competency_by_slug(&input.slug)
                .await?
                .ok_or(StoreError::NotFound),
            Err(e) if is_unique_violation(&e) => Err(StoreError::conflict(
                "slug",
                "a competency with this slug already exists",
            )),
            Err(e) => Err(e.into()),
        }
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn add_checkpoint(
        &self,
        competency: CompetencyId,
        input: &CheckpointInput,
    ) -> Result<Checkpoint> {
        let done = sqlx::query(
            "INSERT INTO checkpoints (competency_id, slug, title, description) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(competency.0)
        .bind(input.slug.clone())
        .bind(input.title.clone())
        .bind(input.description.clone())
        .fetch_one(self.writer())
        .await;
        match done {
            Ok(row) => Ok(Checkpoint {
                id: CheckpointId(row.try_get("id")?),
                competency_id: competency,
                slug: input.slug.clone(),
                title: input.title.clone(),
                description: input.description.clone(),
            }),
            Err(e) if is_unique_violation(&e) => Err(StoreError::conflict(
                "slug",
                "this competency already has a checkpoint with this slug",
            )),
            Err(sqlx::Error::Database(db)) if db.is_foreign_key_violation() => {
                Err(StoreError::NotFound)
            }
            Err(e) => Err(e.into()),
        }
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn update_checkpoint(
        &self,
        id: CheckpointId,
        input: &CheckpointInput,
    ) -> Result<Checkpoint> {
        let done = sqlx::query(
            "UPDATE checkpoints SET slug = $1, title = $2, description = $3 WHERE id = $4 \
             RETURNING id, competency_id, slug, title, description",
        )
        .bind(input.slug.clone())
        .bind(input.title.clone())
        .bind(input.description.clone())
        .bind(id.0)
        .fetch_optional(self.writer())
        .await;
        match done {
            Ok(Some(row)) => checkpoint_from(&row),
            Ok(None) => Err(StoreError::NotFound),
            Err(e) if is_unique_violation(&e) => Err(StoreError::conflict(
                "slug",
                "this competency already has a checkpoint with this slug",
            )),
            Err(e) => Err(e.into()),
        }
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn create_sku(
        &self,
        slug: &str,
        content: &SkuContent,
        by: Option<UserId>,
        now: Timestamp,
    ) -> Result<SkuVersion> {
        let mut tx = self.begin_write().await?;
        check_refs(&mut tx, content).await?;
        let inserted = sqlx::query(
            "INSERT INTO skus (slug, status, current_version, ever_published, created_at, updated_at) \
             VALUES ($1, 'draft', 1, 0, $2, $2) RETURNING id",
        )
        .bind(slug.to_string())
        .bind(now.as_second())
        .fetch_one(&mut *tx)
        .await;
        let id = match inserted {
            Ok(row) => SkuId(row.try_get("id")?),
            Err(e) if is_unique_violation(&e) => {
                return Err(StoreError::conflict(
                    "slug",
                    "a session type with this slug already exists",
                ));
            }
            Err(e) => return Err(e.into()),
        };
        insert_version(&mut tx, id, 1, content, by, now).await?;
        let sku = self.current_sku_in(&mut tx, slug).await?;
        tx.commit().await?;
        Ok(sku)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn update_sku(
        &self,
        slug: &str,
        content: &SkuContent,
        by: Option<UserId>,
        now: Timestamp,
    ) -> Result<SkuVersion> {
        let mut tx = self.begin_write().await?;
        let row =
            sqlx::query("SELECT id, current_version, ever_published FROM skus WHERE slug = $1")
                .bind(slug.to_string())
                .fetch_optional(&mut *tx)
                .await?
                .ok_or(StoreError::NotFound)?;
        let id = SkuId(row.try_get("id")?);
        let current: i64 = row.try_get("current_version")?;
        let published: i64 = row.try_get("ever_published")?;
        check_refs(&mut tx, content).await?;
        if edit_makes_new_version(published != 0) {
            insert_version(&mut tx, id, current + 1, content, by, now).await?;
            super::materials::carry_over(&mut tx, id, (current, current + 1), &content.artifacts)
                .await?;
            sqlx::query("UPDATE skus SET current_version = $1, updated_at = $2 WHERE id = $3")
                .bind(current + 1)
                .bind(now.as_second())
                .bind(id.0)
                .execute(&mut *tx)
                .await?;
        } else {
            sqlx::query("DELETE FROM sku_versions WHERE sku_id = $1 AND version = $2")
                .bind(id.0)
                .bind(current)
                .execute(&mut *tx)
                .await?;
            insert_version(&mut tx, id, current, content, by, now).await?;
            super::materials::carry_over(&mut tx, id, (current, current), &content.artifacts)
                .await?;
            sqlx::query("UPDATE skus SET updated_at = $1 WHERE id = $2")
                .bind(now.as_second())
                .bind(id.0)
                .execute(&mut *tx)
                .await?;
        }
        let sku = self.current_sku_in(&mut tx, slug).await?;
        tx.commit().await?;
        self.forget_people_and_catalog();
        Ok(sku)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn set_sku_status(
        &self,
        slug: &str,
        status: SkuStatus,
        now: Timestamp,
    ) -> Result<SkuVersion> {
        let mut tx = self.begin_write().await?;
        let sku = self.current_sku_in(&mut tx, slug).await?;
        if sku.status == status {
            tx.commit().await?;
            return Ok(sku);
        }
        if !sku.status.can_become(status) {
            return Err(StoreError::conflict(
                "status",
                format!(
                    "a {} session type cannot become {}",
                    sku.status.as_str(),
                    status.as_str()
                ),
            ));
        }
        sqlx::query(
            "UPDATE skus SET status = $1, updated_at = $2, \
             ever_published = CASE WHEN $1 = 'active' THEN 1 ELSE ever_published END WHERE id = $3",
        )
        .bind(status.as_str())
        .bind(now.as_second())
        .bind(sku.sku_id.0)
        .execute(&mut *tx)
        .await?;
        let sku = self.current_sku_in(&mut tx, slug).await?;
        tx.commit().await?;
        self.forget_people_and_catalog();
        Ok(sku)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn skus(&self, status: Option<SkuStatus>) -> Result<Vec<SkuVersion>> {
        let rows = match status {
            Some(s) => {
                sqlx::query(sku_select!(
                    "WHERE v.version = s.current_version AND s.status = $1 ORDER BY s.id"
                ))
                .bind(s.as_str())
                .fetch_all(self.reader())
                .await?
            }
            None => {
                sqlx::query(sku_select!(
                    "WHERE v.version = s.current_version ORDER BY s.id"
                ))
                .fetch_all(self.reader())
                .await?
            }
        };
        rows.iter().map(sku_from).collect()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn sku(&self, slug: &str) -> Result<Option<SkuVersion>> {
        let row = sqlx::query(sku_select!(
            "WHERE s.slug = $1 AND v.version = s.current_version"
        ))
        .bind(slug.to_string())
        .fetch_optional(self.reader())
        .await?;
        row.as_ref().map(sku_from).transpose()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn sku_by_id(&self, id: SkuId) -> Result<Option<SkuVersion>> {
        let row = sqlx::query(sku_select!(
            "WHERE s.id = $1 AND v.version = s.current_version"
        ))
        .bind(id.0)
        .fetch_optional(self.reader())
        .await?;
        row.as_ref().map(sku_from).transpose()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn sku_version(&self, slug: &str, version: i64) -> Result<Option<SkuVersion>> {
        let row = sqlx::query(sku_select!("WHERE s.slug = $1 AND v.version = $2"))
            .bind(slug.to_string())
            .bind(version)
            .fetch_optional(self.reader())
            .await?;
        row.as_ref().map(sku_from).transpose()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn sku_version_by_id(&self, id: SkuId, version: i64) -> Result<Option<SkuVersion>> {
        let row = sqlx::query(sku_select!("WHERE s.id = $1 AND v.version = $2"))
            .bind(id.0)
            .bind(version)
            .fetch_optional(self.reader())
            .await?;
        row.as_ref().map(sku_from).transpose()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn sku_versions(&self, slug: &str) -> Result<Vec<SkuVersion>> {
        let rows = sqlx::query(sku_select!("WHERE s.slug = $1 ORDER BY v.version DESC"))
            .bind(slug.to_string())
            .fetch_all(self.reader())
            .await?;
        rows.iter().map(sku_from).collect()
    }
}
