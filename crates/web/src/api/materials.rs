//! `/api/v1/…/materials`: a session type's links and files for the artifacts it promises
//! (operators attach them to the current version), and a session's (its two parties).

use crate::auth::{ApiOperator, ApiUser};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use stint_app::materials::{self, ArtifactMaterial};
use stint_store::Attachment;
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Serialize, ToSchema)]
pub struct MaterialDto {
    /// The artifact's place in the version's list, from 0.
    pub position: i64,
    pub title: String,
    /// `link`, `file`, or `none` when nothing is attached.
    pub kind: String,
    /// The link, or where the file is downloaded from.
    pub url: Option<String>,
    pub file_name: Option<String>,
    pub size: Option<i64>,
}

fn dto(m: &ArtifactMaterial, download: impl Fn(i64) -> String) -> MaterialDto {
    let (kind, url, file_name, size) = match &m.attachment {
        Some(Attachment::Link { url }) => ("link", Some(url.clone()), None, None),
        Some(Attachment::File {
            file_name, size, ..
        }) => (
            "file",
            Some(download(m.position)),
            Some(file_name.clone()),
            Some(*size),
        ),
        None => ("none", None, None, None),
    };
    MaterialDto {
        position: m.position,
        title: m.title.clone(),
        kind: kind.into(),
        url,
        file_name,
        size,
    }
}

/// The materials of a session (the version it was booked on), for its two parties.
#[utoipa::path(get, path = "/api/v1/bookings/{id}/materials", tag = "catalog", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Booking id")),
    responses((status = 200, body = [MaterialDto]), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn session_materials(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<MaterialDto>>, ApiError> {
    let all = materials::for_booking(&state, &me, id).await?;
    let download = |p: i64| format!("/api/v1/bookings/{id}/materials/{p}/file");
    Ok(Json(all.iter().map(|m| dto(m, download)).collect()))
}

/// One file of a session's materials, as a download.
#[utoipa::path(get, path = "/api/v1/bookings/{id}/materials/{position}/file", tag = "catalog", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Booking id"), ("position" = i64, Path, description = "The artifact's position")),
    responses((status = 200, description = "The file", content_type = "application/octet-stream"),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn session_material_file(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiPath((id, position)): ApiPath<(i64, i64)>,
) -> Result<Response, ApiError> {
    let (name, content_type, bytes) = materials::file_of_booking(&state, &me, id, position).await?;
    Ok(crate::download::material(&content_type, &name, bytes))
}

/// The current version's artifacts and what is attached to each (operators).
#[utoipa::path(get, path = "/api/v1/skus/{slug}/materials", tag = "catalog", security(("bearer" = [])),
    params(("slug" = String, Path, description = "Session type")),
    responses((status = 200, body = [MaterialDto]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn sku_materials(
    State(state): State<AppState>,
    ApiOperator(me): ApiOperator,
    ApiPath(slug): ApiPath<String>,
) -> Result<Json<Vec<MaterialDto>>, ApiError> {
    let (_, all) = materials::for_sku(&state, &me, &slug).await?;
    Ok(Json(
        all.iter().map(|m| dto(m, |_| String::new())).collect(),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkRequest {
    /// An https address.
    #[schema(format = "uri", max_length = 2000)]
    pub url: String,
}

/// Attaches a link to artifact `position` of the current version (operators).
#[utoipa::path(put, path = "/api/v1/skus/{slug}/materials/{position}", tag = "catalog", security(("bearer" = [])),
    params(("slug" = String, Path, description = "Session type"), ("position" = i64, Path, description = "The artifact's position")),
    request_body = LinkRequest,
    responses((status = 200, body = [MaterialDto]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, description = "No such session type or artifact", body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_link(
    State(state): State<AppState>,
    ApiOperator(me): ApiOperator,
    ApiPath((slug, position)): ApiPath<(String, i64)>,
    ApiJson(req): ApiJson<LinkRequest>,
) -> Result<Json<Vec<MaterialDto>>, ApiError> {
    materials::attach_link(&state, &me, &slug, position, &req.url).await?;
    sku_materials(State(state), ApiOperator(me), ApiPath(slug)).await
}

/// Removes what artifact `position` of the current version has (operators).
#[utoipa::path(delete, path = "/api/v1/skus/{slug}/materials/{position}", tag = "catalog", security(("bearer" = [])),
    params(("slug" = String, Path, description = "Session type"), ("position" = i64, Path, description = "The artifact's position")),
    responses((status = 200, body = [MaterialDto]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_material(
    State(state): State<AppState>,
    ApiOperator(me): ApiOperator,
    ApiPath((slug, position)): ApiPath<(String, i64)>,
) -> Result<Json<Vec<MaterialDto>>, ApiError> {
    materials::detach(&state, &me, &slug, position).await?;
    sku_materials(State(state), ApiOperator(me), ApiPath(slug)).await
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct FileName {
    /// The file's name; its extension says its type (pdf, docx, xlsx, pptx, odt, ods, odp,
    /// txt, md, csv, png, jpg).
    pub name: String,
}

/// Attaches a file to artifact `position` of the current version (operators): the body is
/// the file itself, at most 10 MB.
#[utoipa::path(put, path = "/api/v1/skus/{slug}/materials/{position}/file", tag = "catalog", security(("bearer" = [])),
    params(("slug" = String, Path, description = "Session type"), ("position" = i64, Path, description = "The artifact's position"), FileName),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The file"),
    responses((status = 200, body = [MaterialDto]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 413, description = "More than 10 MB"), (status = 422, body = ErrorBody)))]
pub async fn put_file(
    State(state): State<AppState>,
    ApiOperator(me): ApiOperator,
    ApiPath((slug, position)): ApiPath<(String, i64)>,
    ApiQuery(q): ApiQuery<FileName>,
    body: axum::body::Bytes,
) -> Result<Json<Vec<MaterialDto>>, ApiError> {
    materials::attach_file(&state, &me, &slug, position, &q.name, body.to_vec()).await?;
    sku_materials(State(state), ApiOperator(me), ApiPath(slug)).await
}
