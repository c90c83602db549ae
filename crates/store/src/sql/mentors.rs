//! Mentor profiles and the SKUs each mentor delivers, in SQL.

use super::SqlStore;
use super::directory::{bind_all, directory_sql};
use crate::StoreError;
use crate::interfaces::{CatalogStore, MentorPhoto, MentorStore, Offering, Result};
use async_trait::async_trait;
use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};
use std::collections::HashMap;
use stint_domain::FieldErrors;
use stint_domain::ids::{CompetencyId, SkuId, UserId};
use stint_domain::mentor::{
    BookableMentor, DeliveredSku, DirectoryFilter, MentorProfile, MentorProfileInput,
};
use stint_domain::standing::Standing;

/// A profile row before its SKUs and competencies are attached.
struct ProfileRow {
    user_id: UserId,
    display_name: String,
    timezone: String,
    headline: String,
    bio: String,
    experience: String,
    meeting_url: String,
    standing: Standing,
}

fn profile_row(row: &AnyRow) -> Result<ProfileRow> {
    Ok(ProfileRow {
        user_id: UserId(row.try_get("user_id")?),
        display_name: row.try_get("display_name")?,
        timezone: row.try_get("timezone")?,
        headline: row.try_get("headline")?,
        bio: row.try_get("bio")?,
        experience: row.try_get("experience")?,
        meeting_url: row.try_get("meeting_url")?,
        standing: Standing::from_parts(
            &row.try_get::<String, _>("standing")?,
            row.try_get::<Option<String>, _>("resume_on")?.as_deref(),
        )
        .map_err(|e| StoreError::Backend(e.into()))?,
    })
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
        let sql = format!(
            "SELECT user_id, name FROM mentor_languages ms WHERE {} ORDER BY user_id, position",
            super::search::ids_in(self.backend(), "ms.user_id", "$1")
        );
        let spoken = sqlx::query(AssertSqlSafe(sql))
            .bind(super::search::json_ids(&ids))
            .fetch_all(self.reader())
            .await?;
        let mut languages: HashMap<i64, Vec<String>> = HashMap::new();
        for l in &spoken {
            languages
                .entry(l.try_get("user_id")?)
                .or_default()
                .push(l.try_get("name")?);
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
                experience: p.experience,
                languages: languages.remove(&p.user_id.0).unwrap_or_default(),
                meeting_url: p.meeting_url,
                competencies: competencies
                    .iter()
                    .filter(|c| competency_ids.contains(&c.id))
                    .cloned()
                    .collect(),
                skus,
                standing: p.standing,
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
            "INSERT INTO mentor_profiles \
             (user_id, headline, bio, meeting_url, updated_at, experience) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (user_id) DO UPDATE SET \
             headline = excluded.headline, bio = excluded.bio, meeting_url = excluded.meeting_url, \
             updated_at = excluded.updated_at, experience = excluded.experience",
        )
        .bind(user.0)
        .bind(input.headline.clone())
        .bind(input.bio.clone())
        .bind(input.meeting_url.clone())
        .bind(now.as_second())
        .bind(input.experience.clone())
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM mentor_languages WHERE user_id = $1")
            .bind(user.0)
            .execute(&mut *tx)
            .await?;
        for (position, name) in (0i64..).zip(&input.languages) {
            sqlx::query(
                "INSERT INTO mentor_languages (user_id, position, name) VALUES ($1, $2, $3)",
            )
            .bind(user.0)
            .bind(position)
            .bind(name.clone())
            .execute(&mut *tx)
            .await?;
        }
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
            "SELECT p.user_id, u.display_name, u.timezone, p.headline, p.bio, p.experience, \
                p.meeting_url, p.standing, p.resume_on \
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
        filter: &DirectoryFilter,
        after: Option<UserId>,
        limit: u32,
    ) -> Result<Vec<MentorProfile>> {
        let (sql, values) = directory_sql(self.backend(), filter, after, Some(limit));
        let query = bind_all(sqlx::query(AssertSqlSafe(sql)), values);
        let rows = query.fetch_all(self.reader()).await?;
        let rows = rows.iter().map(profile_row).collect::<Result<Vec<_>>>()?;
        self.assemble(rows).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn directory_count(&self, filter: &DirectoryFilter) -> Result<u64> {
        let (sql, values) = directory_sql(self.backend(), filter, None, None);
        let sql = format!("SELECT COUNT(*) AS n FROM ({sql}) AS d");
        let query = bind_all(sqlx::query(AssertSqlSafe(sql)), values);
        let n: i64 = query.fetch_one(self.reader()).await?.try_get("n")?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn save_mentor_photo(&self, user: UserId, photo: &MentorPhoto) -> Result<()> {
        sqlx::query(
            "INSERT INTO mentor_photos (user_id, content_type, bytes, updated_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (user_id) DO UPDATE SET \
             content_type = excluded.content_type, bytes = excluded.bytes, \
             updated_at = excluded.updated_at",
        )
        .bind(user.0)
        .bind(photo.content_type.clone())
        .bind(photo.bytes.clone())
        .bind(photo.updated_at.as_second())
        .execute(self.writer())
        .await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn mentor_photo(&self, user: UserId) -> Result<Option<MentorPhoto>> {
        let row = sqlx::query(
            "SELECT content_type, bytes, updated_at FROM mentor_photos WHERE user_id = $1",
        )
        .bind(user.0)
        .fetch_optional(self.reader())
        .await?;
        row.map(|r| {
            Ok(MentorPhoto {
                content_type: r.try_get("content_type")?,
                bytes: r.try_get("bytes")?,
                updated_at: super::bookings::ts(r.try_get("updated_at")?)?,
            })
        })
        .transpose()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn remove_mentor_photo(&self, user: UserId) -> Result<bool> {
        let done = sqlx::query("DELETE FROM mentor_photos WHERE user_id = $1")
            .bind(user.0)
            .execute(self.writer())
            .await?;
        Ok(done.rows_affected() > 0)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn mentor_zones(&self) -> Result<Vec<String>> {
        let rows = sqlx::query(
            "SELECT DISTINCT u.timezone FROM mentor_profiles p JOIN users u ON u.id = p.user_id \
             ORDER BY u.timezone",
        )
        .fetch_all(self.reader())
        .await?;
        rows.iter().map(|r| Ok(r.try_get("timezone")?)).collect()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn mentor_language_names(&self) -> Result<Vec<String>> {
        let rows = sqlx::query("SELECT DISTINCT name FROM mentor_languages ORDER BY name")
            .fetch_all(self.reader())
            .await?;
        let mut names: Vec<String> = Vec::new();
        for r in &rows {
            let name: String = r.try_get("name")?;
            if !names.iter().any(|n| n.eq_ignore_ascii_case(&name)) {
                names.push(name);
            }
        }
        Ok(names)
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
