//! Mentor profiles and the SKUs each mentor delivers, in SQL.

use super::SqlStore;
use crate::StoreError;
use crate::interfaces::{CatalogStore, MentorStore, Offering, Result};
use async_trait::async_trait;
use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};
use std::collections::HashMap;
use stint_domain::FieldErrors;
use stint_domain::ids::{CompetencyId, SkuId, UserId};
use stint_domain::mentor::{BookableMentor, DeliveredSku, MentorProfile, MentorProfileInput};

/// A profile row before its SKUs and competencies are attached.
struct ProfileRow {
    user_id: UserId,
    display_name: String,
    timezone: String,
    headline: String,
    bio: String,
    meeting_url: String,
}

fn profile_row(row: &AnyRow) -> Result<ProfileRow> {
    Ok(ProfileRow {
        user_id: UserId(row.try_get("user_id")?),
        display_name: row.try_get("display_name")?,
        timezone: row.try_get("timezone")?,
        headline: row.try_get("headline")?,
        bio: row.try_get("bio")?,
        meeting_url: row.try_get("meeting_url")?,
    })
}

/// The directory's mentors (a profile, the mentor role and an active session type, `sku`
/// when given) by display name, after mentor `after` in that order, at most `limit`: the SQL
/// and its values. Only the conditions asked for are written.
fn directory_sql(
    sku: Option<SkuId>,
    after: Option<UserId>,
    limit: Option<u32>,
) -> (String, Vec<i64>) {
    let mut values = Vec::new();
    let mut sku_condition = String::new();
    if let Some(sku) = sku {
        values.push(sku.0);
        sku_condition = format!(" AND s.id = ${}", values.len());
    }
    let mut after_condition = String::new();
    if let Some(after) = after {
        values.push(after.0);
        let n = values.len();
        after_condition = format!(
            " AND (u.display_name > (SELECT display_name FROM users WHERE id = ${n}) \
               OR (u.display_name = (SELECT display_name FROM users WHERE id = ${n}) \
                   AND p.user_id > ${n}))"
        );
    }
    let mut limit_clause = String::new();
    if let Some(limit) = limit {
        values.push(i64::from(limit));
        limit_clause = format!(" LIMIT ${}", values.len());
    }
    let sql = format!(
        "SELECT p.user_id, u.display_name, u.timezone, p.headline, p.bio, p.meeting_url \
         FROM mentor_profiles p JOIN users u ON u.id = p.user_id \
         JOIN user_roles r ON r.user_id = p.user_id AND r.role = 'mentor' \
         WHERE EXISTS (SELECT 1 FROM mentor_skus ms JOIN skus s ON s.id = ms.sku_id \
           WHERE ms.user_id = p.user_id AND s.status = 'active'{sku_condition}){after_condition} \
         ORDER BY u.display_name, p.user_id{limit_clause}"
    );
    (sql, values)
}

impl SqlStore {
    /// Attaches delivered active SKUs and their competencies to profile rows: one query for
    /// the SKUs of these mentors only, grouped by mentor.
    async fn assemble(&self, rows: Vec<ProfileRow>) -> Result<Vec<MentorProfile>> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<UserId> = rows.iter().map(|p| p.user_id).collect();
        let sql = format!(
            "SELECT ms.user_id, s.id, s.slug, v.title, v.duration_minutes, v.price_credits, \
                    v.competency_id \
             FROM mentor_skus ms JOIN skus s ON s.id = ms.sku_id \
             JOIN sku_versions v ON v.sku_id = s.id AND v.version = s.current_version \
             WHERE s.status = 'active' AND {} ORDER BY s.id",
            super::search::ids_in(self.backend(), "ms.user_id", "$1")
        );
        let delivered = sqlx::query(AssertSqlSafe(sql))
            .bind(super::search::json_ids(&ids))
            .fetch_all(self.reader())
            .await?;
        let mut by_mentor: HashMap<i64, (Vec<DeliveredSku>, Vec<CompetencyId>)> = HashMap::new();
        for d in &delivered {
            let entry = by_mentor.entry(d.try_get("user_id")?).or_default();
            entry.0.push(DeliveredSku {
                id: SkuId(d.try_get("id")?),
                slug: d.try_get("slug")?,
                title: d.try_get("title")?,
                duration_minutes: d.try_get("duration_minutes")?,
                price_credits: d.try_get("price_credits")?,
            });
            entry.1.push(CompetencyId(d.try_get("competency_id")?));
        }
        let competencies = self.competencies().await?;
        let mut out = Vec::with_capacity(rows.len());
        for p in rows {
            let (skus, competency_ids) = by_mentor.remove(&p.user_id.0).unwrap_or_default();
            out.push(MentorProfile {
                user_id: p.user_id,
                display_name: p.display_name,
                timezone: p.timezone,
                headline: p.headline,
                bio: p.bio,
                meeting_url: p.meeting_url,
                competencies: competencies
                    .iter()
                    .filter(|c| competency_ids.contains(&c.id))
                    .cloned()
                    .collect(),
                skus,
            });
        }
        Ok(out)
    }
}

#[async_trait]
impl MentorStore for SqlStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn save_mentor_profile(
        &self,
        user: UserId,
        input: &MentorProfileInput,
        now: Timestamp,
    ) -> Result<MentorProfile> {
        let mut tx = self.begin_write().await?;
        let mut sku_ids = Vec::new();
        let mut errors = FieldErrors::new();
        for (i, slug) in input.skus.iter().enumerate() {
            let row = sqlx::query("SELECT id FROM skus WHERE slug = $1 AND status = 'active'")
                .bind(slug.clone())
                .fetch_optional(&mut *tx)
                .await?;
            match row {
                Some(r) => sku_ids.push(r.try_get::<i64, _>("id")?),
                None => errors.add(
                    &format!("skus.{i}"),
                    format!("“{slug}” is not an active session type"),
                ),
            }
        }
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors));
        }
        let exists = sqlx::query("SELECT id FROM users WHERE id = $1")
            .bind(user.0)
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_none() {
            return Err(StoreError::NotFound);
        }
        sqlx::query(
            "INSERT INTO mentor_profiles (user_id, headline, bio, meeting_url, updated_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (user_id) DO UPDATE SET \
             headline = excluded.headline, bio = excluded.bio, meeting_url = excluded.meeting_url, \
             updated_at = excluded.updated_at",
        )
        .bind(user.0)
        .bind(input.headline.clone())
        .bind(input.bio.clone())
        .bind(input.meeting_url.clone())
        .bind(now.as_second())
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM mentor_skus WHERE user_id = $1")
            .bind(user.0)
            .execute(&mut *tx)
            .await?;
        for id in sku_ids {
            sqlx::query("INSERT INTO mentor_skus (user_id, sku_id) VALUES ($1, $2)")
                .bind(user.0)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        self.forget_people_and_catalog();
        self.mentor_profile(user).await?.ok_or(StoreError::NotFound)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn mentor_profile(&self, user: UserId) -> Result<Option<MentorProfile>> {
        let row = sqlx::query(
            "SELECT p.user_id, u.display_name, u.timezone, p.headline, p.bio, p.meeting_url \
             FROM mentor_profiles p JOIN users u ON u.id = p.user_id WHERE p.user_id = $1",
        )
        .bind(user.0)
        .fetch_optional(self.reader())
        .await?;
        let rows = row
            .as_ref()
            .map(profile_row)
            .transpose()?
            .into_iter()
            .collect();
        Ok(self.assemble(rows).await?.into_iter().next())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn directory_page(
        &self,
        sku: Option<SkuId>,
        after: Option<UserId>,
        limit: u32,
    ) -> Result<Vec<MentorProfile>> {
        let (sql, values) = directory_sql(sku, after, Some(limit));
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for v in values {
            query = query.bind(v);
        }
        let rows = query.fetch_all(self.reader()).await?;
        let rows = rows.iter().map(profile_row).collect::<Result<Vec<_>>>()?;
        self.assemble(rows).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn directory_count(&self, sku: Option<SkuId>) -> Result<u64> {
        let (sql, values) = directory_sql(sku, None, None);
        let sql = format!("SELECT COUNT(*) AS n FROM ({sql}) AS d");
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for v in values {
            query = query.bind(v);
        }
        let n: i64 = query.fetch_one(self.reader()).await?.try_get("n")?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn offering(&self, slug: &str, mentor: UserId) -> Result<Option<Offering>> {
        self.sku_offered_by(slug, mentor).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn mentors_for_sku(&self, sku: SkuId) -> Result<Vec<MentorProfile>> {
        let rows = sqlx::query(super::search::MENTORS_FOR_SKU)
            .bind(sku.0)
            .fetch_all(self.reader())
            .await?;
        let rows = rows.iter().map(profile_row).collect::<Result<Vec<_>>>()?;
        self.assemble(rows).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn bookable_mentors(&self, sku: SkuId) -> Result<Vec<BookableMentor>> {
        let rows = sqlx::query(super::search::BOOKABLE_MENTORS)
            .bind(sku.0)
            .fetch_all(self.reader())
            .await?;
        rows.iter()
            .map(|r| {
                Ok(BookableMentor {
                    user_id: UserId(r.try_get("user_id")?),
                    display_name: r.try_get("display_name")?,
                    timezone: r.try_get("timezone")?,
                    schedule_version: Some(r.try_get("booking_version")?),
                })
            })
            .collect()
    }
}
