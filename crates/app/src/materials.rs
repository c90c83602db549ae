//! A session type's materials: operators attach a link or a file to each artifact a version
//! promises ("Offer comparison worksheet"), and both parties of a session booked on that
//! version get them. Files are kept as sent but served only as downloads, with a type chosen
//! by Stint from an allowed extension, never from what the uploader claimed.

use crate::App;
use crate::access::require;
use crate::error::AppError;
use crate::outcomes::party_to;
use stint_domain::FieldErrors;
use stint_domain::account::Account;
use stint_domain::catalog::{SkuVersion, parse_url};
use stint_domain::role::Role;
use stint_store::{Attachment, Material};

/// The largest file attached, in bytes.
pub const MATERIAL_MAX_BYTES: usize = 10 * 1024 * 1024;

/// The files taken, by extension, and the type they are served as.
const FILE_TYPES: [(&str, &str); 13] = [
    ("pdf", "application/pdf"),
    (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    (
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    (
        "pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
    ("odt", "application/vnd.oasis.opendocument.text"),
    ("ods", "application/vnd.oasis.opendocument.spreadsheet"),
    ("odp", "application/vnd.oasis.opendocument.presentation"),
    ("txt", "text/plain; charset=utf-8"),
    ("md", "text/markdown; charset=utf-8"),
    ("csv", "text/csv; charset=utf-8"),
    ("png", "image/png"),
    ("jpg", "image/jpeg"),
    ("jpeg", "image/jpeg"),
];

/// One promised artifact and what is attached to it, if anything.
#[derive(Debug, Clone)]
pub struct ArtifactMaterial {
    pub position: i64,
    pub title: String,
    pub attachment: Option<Attachment>,
}

fn invalid(field: &str, message: impl Into<String>) -> AppError {
    AppError::validation(FieldErrors::single(field, message))
}

/// A file name fit for a download: its letters, digits, spaces, dots, dashes and
/// underscores, at most 100 characters; and the type its extension is served as.
pub fn checked_file(name: &str) -> Result<(String, &'static str), String> {
    let clean: String = name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default()
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, ' ' | '.' | '-' | '_'))
        .take(100)
        .collect();
    let clean = clean.trim().trim_start_matches('.').to_string();
    let extension = clean
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let kind = FILE_TYPES
        .iter()
        .find(|(e, _)| *e == extension)
        .map(|(_, t)| *t)
        .ok_or("must be a PDF, an office document, a text, CSV or Markdown file, or a PNG or JPEG picture")?;
    Ok((clean, kind))
}

/// The version's artifacts, each with what is attached to it.
async fn of_version(app: &App, sku: &SkuVersion) -> Result<Vec<ArtifactMaterial>, AppError> {
    let kept = app.store.materials(sku.sku_id, sku.version).await?;
    Ok(sku
        .content
        .artifacts
        .iter()
        .enumerate()
        .map(|(n, title)| {
            let position = i64::try_from(n).unwrap_or(i64::MAX);
            ArtifactMaterial {
                position,
                title: title.clone(),
                attachment: kept
                    .iter()
                    .find(|m| m.position == position && m.title == *title)
                    .map(|m| m.attachment.clone()),
            }
        })
        .collect())
}

/// The current version of `slug` and its artifact `position`'s title (operators).
async fn artifact(
    app: &App,
    me: &Account,
    slug: &str,
    position: i64,
) -> Result<(SkuVersion, String), AppError> {
    require(me, Role::Operator)?;
    let sku = crate::catalog_read::sku(app, Some(me), slug).await?;
    let title = usize::try_from(position)
        .ok()
        .and_then(|p| sku.content.artifacts.get(p))
        .cloned()
        .ok_or_else(|| AppError::not_found("artifact"))?;
    Ok((sku, title))
}

/// The current version of `slug` with its artifacts' materials (operators).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn for_sku(
    app: &App,
    me: &Account,
    slug: &str,
) -> Result<(SkuVersion, Vec<ArtifactMaterial>), AppError> {
    require(me, Role::Operator)?;
    let sku = crate::catalog_read::sku(app, Some(me), slug).await?;
    let all = of_version(app, &sku).await?;
    Ok((sku, all))
}

/// Attaches a link (https) to artifact `position` of `slug`'s current version (operators).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn attach_link(
    app: &App,
    me: &Account,
    slug: &str,
    position: i64,
    url: &str,
) -> Result<(), AppError> {
    let (sku, title) = artifact(app, me, slug, position).await?;
    let url = parse_url(url).map_err(|m| invalid("url", m))?;
    let material = Material {
        position,
        title,
        attachment: Attachment::Link { url },
        added_at: app.now(),
    };
    Ok(app
        .store
        .attach_material(sku.sku_id, sku.version, &material)
        .await?)
}

/// Attaches a file to artifact `position` of `slug`'s current version (operators).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn attach_file(
    app: &App,
    me: &Account,
    slug: &str,
    position: i64,
    file_name: &str,
    bytes: Vec<u8>,
) -> Result<(), AppError> {
    let (sku, title) = artifact(app, me, slug, position).await?;
    let (file_name, content_type) = checked_file(file_name).map_err(|m| invalid("file", m))?;
    if bytes.is_empty() {
        return Err(invalid("file", "is empty"));
    }
    if bytes.len() > MATERIAL_MAX_BYTES {
        return Err(invalid("file", "must be at most 10 MB"));
    }
    let material = Material {
        position,
        title,
        attachment: Attachment::File {
            file_name,
            content_type: content_type.to_string(),
            size: i64::try_from(bytes.len()).unwrap_or(i64::MAX),
            bytes: Some(bytes),
        },
        added_at: app.now(),
    };
    Ok(app
        .store
        .attach_material(sku.sku_id, sku.version, &material)
        .await?)
}

/// Removes what artifact `position` of `slug`'s current version has (operators).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn detach(app: &App, me: &Account, slug: &str, position: i64) -> Result<(), AppError> {
    let (sku, _) = artifact(app, me, slug, position).await?;
    app.store
        .detach_material(sku.sku_id, sku.version, position)
        .await?;
    Ok(())
}

/// The materials of session `booking` (the version it was booked on), for its two parties.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn for_booking(
    app: &App,
    viewer: &Account,
    booking: i64,
) -> Result<Vec<ArtifactMaterial>, AppError> {
    let pb = party_to(app, viewer, booking).await?;
    of_party(app, &pb).await
}

/// The materials of a session whose party has been checked already (the session page).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn of_party(
    app: &App,
    pb: &crate::outcomes::PartyBooking,
) -> Result<Vec<ArtifactMaterial>, AppError> {
    of_version(app, &pb.sku).await
}

/// A file of session `booking`'s materials, with its contents: its name, type and bytes.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn file_of_booking(
    app: &App,
    viewer: &Account,
    booking: i64,
    position: i64,
) -> Result<(String, String, Vec<u8>), AppError> {
    let pb = party_to(app, viewer, booking).await?;
    let found = app
        .store
        .material(pb.sku.sku_id, pb.sku.version, position)
        .await?;
    match found.map(|m| m.attachment) {
        Some(Attachment::File {
            file_name,
            content_type,
            bytes: Some(bytes),
            ..
        }) => Ok((file_name, content_type, bytes)),
        _ => Err(AppError::not_found("file")),
    }
}

#[cfg(test)]
mod tests {
    use super::checked_file;

    #[test]
    fn files_are_named_and_typed_by_stint() {
        assert_eq!(
            checked_file("../../Offer worksheet (v2).PDF"),
            Ok(("Offer worksheet v2.PDF".to_string(), "application/pdf"))
        );
        assert!(checked_file("evil.html").is_err());
        assert!(checked_file("script.svg").is_err());
        assert!(checked_file("noextension").is_err());
        assert_eq!(
            checked_file(".hidden.txt").map(|f| f.0),
            Ok("hidden.txt".into())
        );
    }
}
