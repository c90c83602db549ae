//! `/api/v1/mentors`: the directory, one profile, and a mentor's own profile.

use super::dto::{MentorDto, MentorProfileRequest};
use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use stint_app::{catalog_read, mentors};
use stint_domain::ids::UserId;
use stint_domain::mentor::{MentorProfileInput, ZoneBand};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct MentorFilter {
    /// Only mentors delivering this session type (slug).
    pub sku: Option<String>,
    /// Only mentors teaching this competency (slug).
    pub competency: Option<String>,
    /// Only mentors holding sessions in this language (letter case ignored).
    pub language: Option<String>,
    /// Only mentors whose zone is in this band now: `americas` (UTC−12 to −3),
    /// `europe-africa` (UTC−2 to +3) or `asia-pacific` (UTC+4 to +14).
    #[param(value_type = Option<String>, pattern = "^(americas|europe-africa|asia-pacific)$")]
    pub band: Option<String>,
    /// Words in the mentor's name or headline.
    pub q: Option<String>,
    /// Only mentors with a bookable time in the next seven days.
    pub available: Option<bool>,
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
    let query = directory_query(&state, &filter).await?;
    let page = mentors::directory(&state, &query, filter.after, filter.limit).await?;
    Ok(Json(page.mentors.iter().map(MentorDto::from).collect()))
}

/// The app's directory question from the query string; unknown names are 404s, a band that
/// is none of the three a 422.
async fn directory_query(
    state: &AppState,
    filter: &MentorFilter,
) -> Result<mentors::DirectoryQuery, ApiError> {
    let sku = match &filter.sku {
        Some(slug) => Some(catalog_read::sku(state, None, slug).await?.sku_id),
        None => None,
    };
    let competency = match &filter.competency {
        Some(slug) => Some(catalog_read::competency(state, slug).await?.id),
        None => None,
    };
    let band = match filter.band.as_deref() {
        Some(raw) => Some(ZoneBand::parse(raw).ok_or_else(|| {
            stint_app::AppError::validation(stint_domain::FieldErrors::single(
                "band",
                "must be americas, europe-africa or asia-pacific",
            ))
        })?),
        None => None,
    };
    let text = |v: &Option<String>| {
        v.as_ref()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    Ok(mentors::DirectoryQuery {
        sku,
        competency,
        language: text(&filter.language),
        band,
        text: text(&filter.q),
        available_this_week: filter.available.unwrap_or(false),
    })
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MentorOutcomesDto {
    /// Sessions closed, the sample size.
    pub sessions: u64,
    pub mini_win_rate: Option<f64>,
    /// 95% Wilson interval of the mini-win rate: [low, high].
    pub interval: Option<[f64; 2]>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NextTimeDto {
    pub start: String,
    /// The session type of that time (slug).
    pub sku: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MentorDetailDto {
    #[serde(flatten)]
    pub mentor: MentorDto,
    /// Their outcome figures, once 5 sessions are closed.
    pub outcomes: Option<MentorOutcomesDto>,
    /// Sessions closed so far.
    pub sessions_closed: u64,
    /// Their next bookable time in the coming 60 days.
    pub next_available: Option<NextTimeDto>,
    pub review_count: u64,
    pub review_average: Option<f64>,
    pub contribution: ContributionDto,
}

/// A mentor's contribution level and the counts it is earned from (no ranking: a level says
/// what this mentor has done).
#[derive(Debug, Serialize, ToSchema)]
pub struct ContributionDto {
    /// "Vetted mentor", "Established", "Proven" or "Mentor of mentors".
    pub level: String,
    /// What the level means.
    pub meaning: String,
    pub delivered: u32,
    pub mini_wins: u32,
    /// Share of closed sessions closed within a day, 0 to 100.
    pub on_time_percent: u32,
    pub reviews: u32,
    pub circle_posts: u32,
    /// What the next level still asks, if there is one.
    pub next_level: Option<String>,
    pub next_needs: Vec<String>,
}

impl From<stint_domain::contribution::Contributions> for ContributionDto {
    fn from(c: stint_domain::contribution::Contributions) -> Self {
        use stint_domain::contribution::{LEVELS, level_of};
        let (i, level) = level_of(&c);
        let next = LEVELS.get(i + 1);
        ContributionDto {
            level: level.name.into(),
            meaning: level.meaning.into(),
            delivered: c.delivered,
            mini_wins: c.mini_wins,
            on_time_percent: c.on_time_percent(),
            reviews: c.reviews,
            circle_posts: c.circle_posts,
            next_level: next.map(|l| l.name.to_string()),
            next_needs: next.map(|l| l.missing(&c)).unwrap_or_default(),
        }
    }
}

/// One mentor's public profile, with their outcome figures, next time and review summary.
#[utoipa::path(get, path = "/api/v1/mentors/{id}", tag = "mentors",
    params(("id" = i64, Path, description = "The mentor's account id")),
    responses((status = 200, body = MentorDetailDto), (status = 404, body = ErrorBody)))]
pub async fn get_mentor(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<MentorDetailDto>, ApiError> {
    let view = mentors::profile_view(&state, UserId(id), None, Some(1)).await?;
    Ok(Json(MentorDetailDto {
        mentor: MentorDto::from(&view.profile),
        outcomes: view.figures.map(|f| MentorOutcomesDto {
            sessions: f.sessions,
            mini_win_rate: f.mini_win_rate,
            interval: f.interval.map(|(lo, hi)| [lo, hi]),
        }),
        sessions_closed: view.sessions_closed,
        next_available: view.next.map(|n| NextTimeDto {
            start: n.start.to_string(),
            sku: n.sku_slug,
        }),
        review_count: view.reviews.summary.count,
        review_average: view.reviews.summary.average,
        contribution: view.contribution.into(),
    }))
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
        experience: req.experience,
        languages: req.languages,
        meeting_url: req.meeting_url,
        skus: req.skus,
    };
    let profile = mentors::save_profile(&state, &me, input).await?;
    Ok(Json(MentorDto::from(&profile)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PhotoDto {
    /// Where the portrait is served (a photo, or initials when there is none).
    pub url: String,
    pub has_photo: bool,
}

/// Replaces your photo (mentors): the request body is the picture itself, a PNG, JPEG or
/// WebP of up to 5 MB and at least 64 pixels a side; it is cropped to a 256-pixel square.
#[utoipa::path(put, path = "/api/v1/mentors/me/photo", tag = "mentors", security(("bearer" = [])),
    request_body(content = Vec<u8>, content_type = "image/jpeg", description = "The picture (PNG, JPEG or WebP)"),
    responses((status = 200, body = PhotoDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 413, description = "More than 5 MB"),
        (status = 422, description = "Not a PNG, JPEG or WebP picture, or too small", body = ErrorBody)))]
pub async fn put_my_photo(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    body: axum::body::Bytes,
) -> Result<Json<PhotoDto>, ApiError> {
    stint_app::photos::save_photo(&state, &me, body.to_vec()).await?;
    let version = stint_app::photos::own_photo_time(&state, &me).await?;
    Ok(Json(PhotoDto {
        url: photo_url(me.id, version),
        has_photo: true,
    }))
}

/// Removes your photo (mentors): your initials are shown instead.
#[utoipa::path(delete, path = "/api/v1/mentors/me/photo", tag = "mentors", security(("bearer" = [])),
    responses((status = 200, body = PhotoDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn delete_my_photo(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
) -> Result<Json<PhotoDto>, ApiError> {
    stint_app::photos::remove_photo(&state, &me).await?;
    Ok(Json(PhotoDto {
        url: photo_url(me.id, None),
        has_photo: false,
    }))
}

/// The portrait's address; `version` (the photo's time) makes a new photo a new address.
fn photo_url(id: UserId, version: Option<i64>) -> String {
    match version {
        Some(v) => format!("/mentors/{id}/photo?v={v}"),
        None => format!("/mentors/{id}/photo"),
    }
}
