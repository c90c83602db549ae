//! `MaterialStore` in SQL: one row per promised artifact of a version, a link or a file.

use super::SqlStore;
use super::bookings::ts;
use crate::interfaces::Result;
use crate::materials::{Attachment, Material, MaterialStore};
use async_trait::async_trait;
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};
use stint_domain::ids::SkuId;

fn material_from(r: &AnyRow, with_bytes: bool) -> Result<Material> {
    let url: Option<String> = r.try_get("url")?;
    let attachment = match url {
        Some(url) => Attachment::Link { url },
        None => Attachment::File {
            file_name: r
                .try_get::<Option<String>, _>("file_name")?
                .unwrap_or_default(),
            content_type: r
                .try_get::<Option<String>, _>("content_type")?
                .unwrap_or_default(),
            bytes: if with_bytes {
                r.try_get("bytes")?
            } else {
                None
            },
            size: r.try_get("size")?,
        },
    };
    Ok(Material {
        position: r.try_get("position")?,
        title: r.try_get("title")?,
        attachment,
        added_at: ts(r.try_get("added_at")?)?,
    })
}

/// After a version's artifacts changed: the materials of `from` whose title is still an
/// artifact of version `to` (titled `titles`) are kept there at its new position; the rest
/// are dropped. `from == to` for a draft edited in place.
pub(super) async fn carry_over(
    tx: &mut Transaction<'static, Any>,
    sku: SkuId,
    (from, to): (i64, i64),
    titles: &[String],
) -> Result<()> {
    let rows =
        sqlx::query("SELECT position, title FROM sku_materials WHERE sku_id = $1 AND version = $2")
            .bind(sku.0)
            .bind(from)
            .fetch_all(&mut **tx)
            .await?;
    let mut moves = Vec::new();
    for r in &rows {
        let position: i64 = r.try_get("position")?;
        let title: String = r.try_get("title")?;
        let target = titles.iter().position(|t| *t == title);
        moves.push((position, target.and_then(|t| i64::try_from(t).ok())));
    }
    // Kept rows are written first at positions that cannot clash (negative), then the old
    // version's rows go (a draft's own), then the kept ones take their places.
    for (old, new) in &moves {
        if let Some(new) = new {
            sqlx::query(
                "INSERT INTO sku_materials (sku_id, version, position, title, url, file_name, \
                 content_type, bytes, size, added_at) \
                 SELECT sku_id, $3, $4, title, url, file_name, content_type, bytes, size, added_at \
                 FROM sku_materials WHERE sku_id = $1 AND version = $2 AND position = $5",
            )
            .bind(sku.0)
            .bind(from)
            .bind(to)
            .bind(-1 - new)
            .bind(*old)
            .execute(&mut **tx)
            .await?;
        }
    }
    if from == to {
        sqlx::query(
            "DELETE FROM sku_materials WHERE sku_id = $1 AND version = $2 AND position >= 0",
        )
        .bind(sku.0)
        .bind(to)
        .execute(&mut **tx)
        .await?;
    }
    sqlx::query(
        "UPDATE sku_materials SET position = -1 - position \
         WHERE sku_id = $1 AND version = $2 AND position < 0",
    )
    .bind(sku.0)
    .bind(to)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[async_trait]
impl MaterialStore for SqlStore {
    async fn attach_material(&self, sku: SkuId, version: i64, m: &Material) -> Result<()> {
        let (url, file_name, content_type, bytes, size) = match &m.attachment {
            Attachment::Link { url } => (Some(url.clone()), None, None, None, 0),
            Attachment::File {
                file_name,
                content_type,
                bytes,
                size,
            } => (
                None,
                Some(file_name.clone()),
                Some(content_type.clone()),
                Some(bytes.clone().unwrap_or_default()),
                *size,
            ),
        };
        sqlx::query(
            "INSERT INTO sku_materials (sku_id, version, position, title, url, file_name, \
             content_type, bytes, size, added_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
             ON CONFLICT (sku_id, version, position) DO UPDATE SET title = excluded.title, \
             url = excluded.url, file_name = excluded.file_name, \
             content_type = excluded.content_type, bytes = excluded.bytes, size = excluded.size, \
             added_at = excluded.added_at",
        )
        .bind(sku.0)
        .bind(version)
        .bind(m.position)
        .bind(m.title.clone())
        .bind(url)
        .bind(file_name)
        .bind(content_type)
        .bind(bytes)
        .bind(size)
        .bind(m.added_at.as_second())
        .execute(self.writer())
        .await?;
        Ok(())
    }

    async fn detach_material(&self, sku: SkuId, version: i64, position: i64) -> Result<bool> {
        let done = sqlx::query(
            "DELETE FROM sku_materials WHERE sku_id = $1 AND version = $2 AND position = $3",
        )
        .bind(sku.0)
        .bind(version)
        .bind(position)
        .execute(self.writer())
        .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn materials(&self, sku: SkuId, version: i64) -> Result<Vec<Material>> {
        sqlx::query(
            "SELECT position, title, url, file_name, content_type, size, added_at \
             FROM sku_materials WHERE sku_id = $1 AND version = $2 ORDER BY position",
        )
        .bind(sku.0)
        .bind(version)
        .fetch_all(self.reader())
        .await?
        .iter()
        .map(|r| material_from(r, false))
        .collect()
    }

    async fn material(&self, sku: SkuId, version: i64, position: i64) -> Result<Option<Material>> {
        sqlx::query(
            "SELECT position, title, url, file_name, content_type, bytes, size, added_at \
             FROM sku_materials WHERE sku_id = $1 AND version = $2 AND position = $3",
        )
        .bind(sku.0)
        .bind(version)
        .bind(position)
        .fetch_optional(self.reader())
        .await?
        .as_ref()
        .map(|r| material_from(r, true))
        .transpose()
    }
}
