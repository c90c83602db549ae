//! `/api/v1/mentors/me/pause|resume|standing` and the operators' suspensions: thin edges over
//! `stint_app::standing`.

use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use stint_app::standing;
use stint_domain::ids::UserId;
use stint_domain::standing::Standing;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct StandingDto {
    /// `listed` (found and booked), `paused` (by the mentor), `frozen` (hidden for
    /// inactivity until the mentor resumes) or `suspended` (by an operator).
    #[schema(pattern = "^(listed|paused|frozen|suspended)$")]
    pub state: String,
    /// The day a pause ends, as it begins in the mentor's zone (`YYYY-MM-DD`); none when
    /// the mentor resumes by hand.
    pub until: Option<String>,
}

impl From<Standing> for StandingDto {
    fn from(s: Standing) -> Self {
        StandingDto {
            state: s.as_str().to_string(),
            until: s.until().map(|d| d.to_string()),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PauseRequest {
    /// The day to be listed again (`YYYY-MM-DD`, after today in your zone, within a year);
    /// leave out to pause until you resume.
    #[serde(default)]
    #[schema(format = "date")]
    pub until: Option<String>,
}

/// Your standing (mentors with a profile).
#[utoipa::path(get, path = "/api/v1/mentors/me/standing", tag = "mentors", security(("bearer" = [])),
    responses((status = 200, body = StandingDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, description = "No mentor profile yet", body = ErrorBody)))]
pub async fn my_standing(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
) -> Result<Json<StandingDto>, ApiError> {
    Ok(Json(standing::own(&state, &me).await?.into()))
}

/// Pauses you (mentors): you are hidden from search and take no new bookings; your
/// sessions are kept. You are listed again on `until` or when you resume.
#[utoipa::path(post, path = "/api/v1/mentors/me/pause", tag = "mentors", security(("bearer" = [])),
    request_body = PauseRequest,
    responses((status = 200, body = StandingDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, description = "No mentor profile yet, or suspended", body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn pause(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiJson(req): ApiJson<PauseRequest>,
) -> Result<Json<StandingDto>, ApiError> {
    let until = req.until.unwrap_or_default();
    Ok(Json(standing::pause(&state, &me, &until).await?.into()))
}

/// Lists you again after a pause (mentors).
#[utoipa::path(post, path = "/api/v1/mentors/me/resume", tag = "mentors", security(("bearer" = [])),
    responses((status = 200, body = StandingDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, description = "No mentor profile yet, or suspended", body = ErrorBody)))]
pub async fn resume(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
) -> Result<Json<StandingDto>, ApiError> {
    Ok(Json(standing::resume(&state, &me).await?.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SuspendRequest {
    /// Why, kept for operators.
    #[schema(format = "text", min_length = 3, max_length = 500)]
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SuspendedDto {
    /// Upcoming sessions cancelled: their holds released in full, their mentees told.
    pub cancelled: usize,
}

/// Suspends a mentor (operators): unlisted at once, and each upcoming session cancelled
/// (holds released in full, mentees told once and offered another mentor).
#[utoipa::path(post, path = "/api/v1/operator/mentors/{id}/suspend", tag = "users", security(("bearer" = [])),
    params(("id" = i64, Path, description = "The mentor's account id")),
    request_body = SuspendRequest,
    responses((status = 200, body = SuspendedDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn suspend(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<SuspendRequest>,
) -> Result<Json<SuspendedDto>, ApiError> {
    let done = standing::suspend(&state, &me, UserId(id), &req.reason).await?;
    Ok(Json(SuspendedDto {
        cancelled: done.cancelled,
    }))
}

/// Lists a suspended mentor again (operators).
#[utoipa::path(post, path = "/api/v1/operator/mentors/{id}/reinstate", tag = "users", security(("bearer" = [])),
    params(("id" = i64, Path, description = "The mentor's account id")),
    responses((status = 200, body = StandingDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, description = "Not suspended", body = ErrorBody)))]
pub async fn reinstate(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<StandingDto>, ApiError> {
    standing::reinstate(&state, &me, UserId(id)).await?;
    Ok(Json(Standing::Listed.into()))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnlistedMentorDto {
    pub id: i64,
    pub display_name: String,
    #[serde(flatten)]
    pub standing: StandingDto,
    /// Why an operator suspended them.
    pub note: String,
    /// Since when (RFC 3339).
    pub since: Option<String>,
}

/// Mentors who are paused or suspended (operators).
#[utoipa::path(get, path = "/api/v1/operator/mentors/unlisted", tag = "users", security(("bearer" = [])),
    responses((status = 200, body = [UnlistedMentorDto]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn unlisted(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
) -> Result<Json<Vec<UnlistedMentorDto>>, ApiError> {
    let list = standing::unlisted(&state, &me).await?;
    Ok(Json(
        list.into_iter()
            .map(|m| UnlistedMentorDto {
                id: m.user_id.0,
                display_name: m.display_name,
                standing: m.standing.into(),
                note: m.note,
                since: m.since.map(|t| t.to_string()),
            })
            .collect(),
    ))
}
