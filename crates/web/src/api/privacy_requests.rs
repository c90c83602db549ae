//! `/api/v1/me/exports`: exports made in the background, with progress and a download that
//! works for a week; `/api/v1/me/erasure`: asking for the account's erasure, seeing it, and
//! calling it off during its grace period; `/api/v1/operator/privacy-requests`: everyone's
//! open requests with their legal deadline. Over `stint_app::{export_requests, erasure}`.

use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorBody};
use crate::extract::ApiPath;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use stint_app::{erasure, export_requests};
use stint_store::PrivacyRequest;
use utoipa::ToSchema;

/// An export or an erasure someone asked for.
#[derive(Debug, Serialize, ToSchema)]
pub struct PrivacyRequestDto {
    pub id: i64,
    /// `export` or `erasure`.
    pub kind: &'static str,
    /// `pending`, `erasing`, `done`, `cancelled`, `ready`, `expired` or `failed`.
    pub state: &'static str,
    pub requested_at: String,
    /// An erasure: when it takes effect. An export: when it was asked.
    pub due_at: String,
    /// The deadline the law sets for answering it.
    pub deadline_at: String,
    /// An export's progress, in percent.
    pub progress: u8,
    /// A ready export: where to download it (with the same credentials).
    pub download: Option<String>,
    /// Until when a ready export can be downloaded.
    pub expires_at: Option<String>,
}

impl From<&PrivacyRequest> for PrivacyRequestDto {
    fn from(r: &PrivacyRequest) -> Self {
        let ready = r.state == stint_domain::erasure::RequestState::Ready;
        PrivacyRequestDto {
            id: r.id,
            kind: r.kind.as_str(),
            state: r.state.as_str(),
            requested_at: r.requested_at.to_string(),
            due_at: r.due_at.to_string(),
            deadline_at: r.deadline_at.to_string(),
            progress: r.progress,
            download: ready.then(|| format!("/api/v1/me/exports/{}/download", r.id)),
            expires_at: r.expires_at.map(|t| t.to_string()),
        }
    }
}

/// Asks for an export of everything Stint holds about you; it is made in the background
/// (ask `GET /api/v1/me/exports` for its progress). An export already being made is answered
/// again.
#[utoipa::path(post, path = "/api/v1/me/exports", tag = "privacy", security(("bearer" = [])),
    responses((status = 202, body = PrivacyRequestDto), (status = 401, body = ErrorBody)))]
pub async fn request_export(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
) -> Result<(StatusCode, Json<PrivacyRequestDto>), ApiError> {
    let r = export_requests::request(&state, &me).await?;
    Ok((StatusCode::ACCEPTED, Json(PrivacyRequestDto::from(&r))))
}

/// Your exports, newest first.
#[utoipa::path(get, path = "/api/v1/me/exports", tag = "privacy", security(("bearer" = [])),
    responses((status = 200, body = Vec<PrivacyRequestDto>), (status = 401, body = ErrorBody)))]
pub async fn exports(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
) -> Result<Json<Vec<PrivacyRequestDto>>, ApiError> {
    let list = export_requests::mine(&state, &me).await?;
    Ok(Json(list.iter().map(PrivacyRequestDto::from).collect()))
}

/// A ready export's zip. Another person's export, or one whose link expired, is not found.
#[utoipa::path(get, path = "/api/v1/me/exports/{id}/download", tag = "privacy", security(("bearer" = [])),
    params(("id" = i64, Path, description = "The export's id")),
    responses((status = 200, description = "The zip", content_type = "application/zip", body = Vec<u8>),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn download(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    path: Result<ApiPath<i64>, ApiError>,
) -> Result<axum::response::Response, ApiError> {
    let ApiPath(id) = path?;
    let (name, bytes) = export_requests::download(&state, &me, id).await?;
    Ok(crate::download::zip(&name, bytes))
}

/// Your erasure, if one is asked, and the sessions it would cancel.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErasureDto {
    pub pending: Option<PrivacyRequestDto>,
    /// Starts of your sessions ahead: cancelled when the erasure takes effect, under each
    /// session type's policy.
    pub sessions_cancelled: Vec<String>,
    pub grace_days: i64,
}

/// Your erasure, if one is asked.
#[utoipa::path(get, path = "/api/v1/me/erasure", tag = "privacy", security(("bearer" = [])),
    responses((status = 200, body = ErasureDto), (status = 401, body = ErrorBody)))]
pub async fn get_erasure(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
) -> Result<Json<ErasureDto>, ApiError> {
    let pending = erasure::pending(&state, &me).await?;
    let ahead = erasure::sessions_cancelled_at_erasure(&state, &me).await?;
    Ok(Json(ErasureDto {
        pending: pending.as_ref().map(PrivacyRequestDto::from),
        sessions_cancelled: ahead.iter().map(|(s, _)| s.to_string()).collect(),
        grace_days: stint_domain::erasure::GRACE_DAYS,
    }))
}

/// Asks for your account to be erased when the grace period ends. Refused (409, field
/// `erasure`) while one of your sessions is under way or starts within 24 hours, or when an
/// erasure is already asked.
#[utoipa::path(post, path = "/api/v1/me/erasure", tag = "privacy", security(("bearer" = [])),
    responses((status = 202, body = PrivacyRequestDto), (status = 401, body = ErrorBody),
        (status = 409, description = "A session within a day, or already asked (`erasure`)", body = ErrorBody)))]
pub async fn request_erasure(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
) -> Result<(StatusCode, Json<PrivacyRequestDto>), ApiError> {
    let r = erasure::request(&state, &me).await?;
    Ok((StatusCode::ACCEPTED, Json(PrivacyRequestDto::from(&r))))
}

/// Calls off your erasure during its grace period.
#[utoipa::path(delete, path = "/api/v1/me/erasure", tag = "privacy", security(("bearer" = [])),
    responses((status = 204, description = "Called off"), (status = 401, body = ErrorBody),
        (status = 404, description = "No erasure is pending", body = ErrorBody)))]
pub async fn cancel_erasure(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
) -> Result<StatusCode, ApiError> {
    erasure::cancel(&state, &me).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An open request with whose it is (operators).
#[derive(Debug, Serialize, ToSchema)]
pub struct OpenRequestDto {
    pub user_id: i64,
    pub name: String,
    pub email: String,
    #[serde(flatten)]
    pub request: PrivacyRequestDto,
}

/// Everyone's open exports and erasures, the nearest legal deadline first (operators).
#[utoipa::path(get, path = "/api/v1/operator/privacy-requests", tag = "operator", security(("bearer" = [])),
    responses((status = 200, body = Vec<OpenRequestDto>), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
pub async fn open_requests(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
) -> Result<Json<Vec<OpenRequestDto>>, ApiError> {
    let list = erasure::open_requests(&state, &me).await?;
    Ok(Json(
        list.iter()
            .map(|r| OpenRequestDto {
                user_id: r.user_id.0,
                name: r.user_name.clone(),
                email: r.user_email.clone(),
                request: PrivacyRequestDto::from(r),
            })
            .collect(),
    ))
}
