//! A session type's materials: the operators' page that attaches a link or a file to each
//! promised artifact, and a session's download of one (its two parties). The rules are
//! `stint_app::materials`'.

use super::render::{Chrome, OrPage, PageResult, failure_for, html, refusal};
use crate::auth::PageUser;
use crate::auth::csrf::{CsrfForm, CsrfToken};
use crate::state::AppState;
use askama::Template;
use axum::extract::multipart::Multipart;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;
use stint_app::materials::{self, ArtifactMaterial, MATERIAL_MAX_BYTES};
use stint_domain::FieldErrors;
use stint_domain::account::Account;
use stint_domain::catalog::SkuVersion;
use stint_store::Attachment;

#[derive(Template)]
#[template(path = "operator/materials.html")]
struct MaterialsPage {
    chrome: Chrome,
    sku: SkuVersion,
    artifacts: Vec<ArtifactMaterial>,
    /// The artifact a refused form was for, and its messages.
    refused: Option<(i64, FieldErrors)>,
    saved: bool,
}

impl MaterialsPage {
    fn error_for(&self, position: &i64, field: &str) -> Option<String> {
        self.refused
            .as_ref()
            .filter(|(p, _)| p == position)
            .and_then(|(_, e)| e.get(field).map(str::to_string))
    }

    fn describe(&self, a: &Attachment) -> String {
        match a {
            Attachment::Link { url } => format!("Link: {url}"),
            Attachment::File {
                file_name, size, ..
            } => format!("File: {file_name} ({})", size_words(*size)),
        }
    }
}

/// "240 KB", "1.4 MB".
pub(crate) fn size_words(bytes: i64) -> String {
    #[allow(clippy::cast_precision_loss)] // files of at most 10 MB
    let kb = bytes as f64 / 1024.0;
    if kb < 1024.0 {
        format!("{:.0} KB", kb.max(1.0))
    } else {
        format!("{:.1} MB", kb / 1024.0)
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SavedParam {
    saved: String,
}

async fn render(
    state: &AppState,
    me: Account,
    csrf: &str,
    slug: &str,
    refused: Option<(i64, FieldErrors)>,
    saved: bool,
) -> PageResult {
    let (sku, artifacts) = materials::for_sku(state, &me, slug)
        .await
        .map_err(|e| failure_for(e, Some(me.clone())))?;
    let status = if refused.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok(html(
        status,
        &MaterialsPage {
            chrome: Chrome::new(
                format!("Materials of {} · Stint", sku.content.title),
                Some(me),
                csrf,
            ),
            sku,
            artifacts,
            refused,
            saved,
        },
    ))
}

/// `GET /operator/skus/{slug}/materials`.
pub async fn page(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    Path(slug): Path<String>,
    Query(q): Query<SavedParam>,
) -> PageResult {
    render(&state, me, &csrf.0, &slug, None, !q.saved.is_empty()).await
}

fn saved(slug: &str) -> Response {
    Redirect::to(&format!("/operator/skus/{slug}/materials?saved=1")).into_response()
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LinkFields {
    url: String,
}

/// `POST /operator/skus/{slug}/materials/{position}/link`.
pub async fn attach_link(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    Path((slug, position)): Path<(String, i64)>,
    CsrfForm(f): CsrfForm<LinkFields>,
) -> PageResult {
    match materials::attach_link(&state, &me, &slug, position, &f.url).await {
        Ok(()) => Ok(saved(&slug)),
        Err(e) => {
            let (_, errors) = refusal(e, &me)?;
            render(&state, me, &csrf.0, &slug, Some((position, errors)), false).await
        }
    }
}

/// `POST /operator/skus/{slug}/materials/{position}/file` (multipart).
pub async fn attach_file(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    jar: CookieJar,
    Path((slug, position)): Path<(String, i64)>,
    form: Multipart,
) -> PageResult {
    let upload = super::upload::read(&state, &jar, &me, form, "file").await?;
    let errors = if upload.too_big {
        FieldErrors::single("file", "must be at most 10 MB")
    } else {
        match upload.file {
            None => FieldErrors::single("file", "is required: choose a file"),
            Some((name, bytes)) => {
                match materials::attach_file(&state, &me, &slug, position, &name, bytes).await {
                    Ok(()) => return Ok(saved(&slug)),
                    Err(e) => refusal(e, &me)?.1,
                }
            }
        }
    };
    render(&state, me, &csrf.0, &slug, Some((position, errors)), false).await
}

#[derive(Debug, Default, Deserialize)]
pub struct NoFields {}

/// `POST /operator/skus/{slug}/materials/{position}/remove`.
pub async fn detach(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path((slug, position)): Path<(String, i64)>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> PageResult {
    materials::detach(&state, &me, &slug, position)
        .await
        .map_err(|e| failure_for(e, Some(me.clone())))?;
    Ok(saved(&slug))
}

/// `GET /sessions/{id}/materials/{position}`: a file of the session's materials, for its
/// two parties.
pub async fn download(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path((id, position)): Path<(i64, i64)>,
) -> PageResult {
    let (name, content_type, bytes) = materials::file_of_booking(&state, &me, id, position)
        .await
        .or_page()?;
    Ok(crate::download::material(&content_type, &name, bytes))
}

/// The request body limit of the upload route: the largest file and the form around it.
pub const UPLOAD_LIMIT: usize = MATERIAL_MAX_BYTES + 64 * 1024;
