//! A member's side: the organisations one belongs to, joining by a link, what one shares with
//! each, leaving.

use super::dto::*;
use crate::auth::ApiUser;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiPath};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use stint_app::sponsor::{members, orgs};
use stint_domain::ids::OrgId;
use utoipa::ToSchema;

/// The organisations you belong to now.
#[utoipa::path(get, path = "/api/v1/me/orgs", tag = "sponsor", security(("bearer" = [])),
    responses((status = 200, body = Vec<MembershipDto>)))]
pub async fn my_orgs(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
) -> Result<Json<Vec<MembershipDto>>, ApiError> {
    let all = orgs::mine(&state, &me).await?;
    Ok(Json(all.iter().map(MembershipDto::from).collect()))
}

/// An invitation link's secret.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JoinRequest {
    #[schema(format = "line", max_length = 200)]
    pub token: String,
}

/// Joins the organisation of an invitation link: unknown, used or expired is 422.
#[utoipa::path(post, path = "/api/v1/me/orgs/join", tag = "sponsor", security(("bearer" = [])),
    request_body = JoinRequest,
    responses((status = 200, body = Vec<MembershipDto>)))]
pub async fn join(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiJson(req): ApiJson<JoinRequest>,
) -> Result<Json<Vec<MembershipDto>>, ApiError> {
    members::accept(&state, &me, &req.token).await?;
    let all = orgs::mine(&state, &me).await?;
    Ok(Json(all.iter().map(MembershipDto::from).collect()))
}

/// Leaves an organisation; sessions already booked stay booked and paid by it.
#[utoipa::path(post, path = "/api/v1/me/orgs/{id}/leave", tag = "sponsor", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Organisation id")),
    responses((status = 204, description = "Left")))]
pub async fn leave(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    members::leave(&state, &me, OrgId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// What an organisation may see of a member.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ShareChoice {
    /// Nothing: not even counted in its figures about groups.
    Nothing,
    /// Figures about groups of at least five people only.
    Aggregates,
    /// Also the member's own sessions, checkpoints, skill gain and tasks; never notes or
    /// answers.
    Progress,
}

/// What to let an organisation see of you.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SharingRequest {
    pub share: ShareChoice,
}

/// Chooses what an organisation you belong to may see of you; it takes effect at once.
#[utoipa::path(put, path = "/api/v1/me/orgs/{id}/sharing", tag = "sponsor", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Organisation id")), request_body = SharingRequest,
    responses((status = 200, body = Vec<MembershipDto>), (status = 404, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)))]
pub async fn set_sharing(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<SharingRequest>,
) -> Result<Json<Vec<MembershipDto>>, ApiError> {
    let share = match req.share {
        ShareChoice::Nothing => stint_app::sponsor::sharing::NOTHING,
        ShareChoice::Aggregates => stint_app::sponsor::sharing::AGGREGATES,
        ShareChoice::Progress => stint_app::sponsor::sharing::PROGRESS,
    };
    stint_app::sponsor::sharing::set(&state, &me, OrgId(id), share).await?;
    let all = orgs::mine(&state, &me).await?;
    Ok(Json(all.iter().map(MembershipDto::from).collect()))
}
