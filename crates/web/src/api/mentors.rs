//! `/api/v1/mentors`: the directory, one profile, and a mentor's own profile.

use super::dto::{MentorDto, MentorProfileRequest};
use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use stint_app::{catalog_read, mentors};
use stint_domain::ids::UserId;
use stint_domain::mentor::MentorProfileInput;
use utoipa::IntoParams;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct MentorFilter {
    /// Only mentors delivering this session type (slug).
    pub sku: Option<String>,
    /// Only mentors after this one in the directory's order: the last id of the page before.
    pub after: Option<i64>,
    /// At most this many (1 to 500; 60 when not given).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

/// Mentors who can be booked now, optionally only those delivering one session type, by
/// name, a page at a time: ask again with `after` set to the last id until a page comes back
/// shorter than `limit`.
#[utoipa::path(get, path = "/api/v1/mentors", tag = "mentors", params(MentorFilter),
    responses((status = 200, body = [MentorDto]), (status = 404, description = "Unknown SKU", body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_mentors(
    State(state): State<AppState>,
    ApiQuery(filter): ApiQuery<MentorFilter>,
) -> Result<Json<Vec<MentorDto>>, ApiError> {
    let sku = match filter.sku {
        Some(slug) => Some(catalog_read::sku(&state, None, &slug).await?.sku_id),
        None => None,
    };
    let page = mentors::directory(&state, sku, filter.after, filter.limit).await?;
    Ok(Json(page.mentors.iter().map(MentorDto::from).collect()))
}

/// One mentor's public profile.
#[utoipa::path(get, path = "/api/v1/mentors/{id}", tag = "mentors",
    params(("id" = i64, Path, description = "The mentor's account id")),
    responses((status = 200, body = MentorDto), (status = 404, body = ErrorBody)))]
pub async fn get_mentor(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<MentorDto>, ApiError> {
    let m = mentors::profile(&state, UserId(id)).await?;
    Ok(Json(MentorDto::from(&m)))
}

/// Creates or replaces the calling mentor's profile.
#[utoipa::path(put, path = "/api/v1/mentors/me", tag = "mentors", security(("bearer" = [])),
    request_body = MentorProfileRequest,
    responses((status = 200, body = MentorDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn save_my_profile(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiJson(req): ApiJson<MentorProfileRequest>,
) -> Result<Json<MentorDto>, ApiError> {
    let input = MentorProfileInput {
        headline: req.headline,
        bio: req.bio,
        meeting_url: req.meeting_url,
        skus: req.skus,
    };
    let profile = mentors::save_profile(&state, &me, input).await?;
    Ok(Json(MentorDto::from(&profile)))
}
