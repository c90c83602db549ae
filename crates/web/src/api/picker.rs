//! The time picker's API (`stint_app::picker`): the days of a month that have times, and one
//! day's distinct times with how many mentors are free at each. Public, like the slots.

use super::availability::rfc3339_in;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiPath, ApiQuery};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use stint_app::picker;
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DaysParams {
    /// The month, YYYY-MM, in `tz`.
    #[param(pattern = r"^[0-9]{4}-(0[1-9]|1[0-2])$")]
    pub month: String,
    /// The viewer's IANA zone: days are its days.
    #[param(format = "iana-time-zone")]
    pub tz: String,
    /// Only this mentor.
    pub mentor: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DaysDto {
    pub tz: String,
    /// YYYY-MM.
    pub month: String,
    /// The days (YYYY-MM-DD, in `tz`) with at least one bookable time, earliest first.
    pub days: Vec<String>,
}

/// The days of a month that have bookable times of a session type (with one mentor, or any).
#[utoipa::path(get, path = "/api/v1/skus/{slug}/days", tag = "scheduling",
    params(("slug" = String, Path, description = "SKU slug"), DaysParams),
    responses((status = 200, body = DaysDto), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn days(
    State(state): State<AppState>,
    ApiPath(slug): ApiPath<String>,
    ApiQuery(p): ApiQuery<DaysParams>,
) -> Result<Json<DaysDto>, ApiError> {
    let sku = stint_app::catalog_read::bookable_sku(&state, &slug).await?;
    let found = picker::days_with_times(&state, &sku, p.mentor, &p.month, &p.tz).await?;
    Ok(Json(DaysDto {
        tz: found.tz_name,
        month: found.month.strftime("%Y-%m").to_string(),
        days: found.days.iter().map(ToString::to_string).collect(),
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TimesParams {
    /// The day, YYYY-MM-DD, in `tz`.
    #[param(format = Date)]
    pub date: String,
    /// The viewer's IANA zone; times are returned with its offset.
    #[param(format = "iana-time-zone")]
    pub tz: String,
    /// Only this mentor.
    pub mentor: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TimeDto {
    /// RFC 3339 with the viewer's offset.
    pub start: String,
    pub end: String,
    /// How many mentors are free at this time; booking it without a mentor gets one of them.
    pub mentors: u32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TimesDto {
    pub tz: String,
    /// YYYY-MM-DD.
    pub date: String,
    pub duration_minutes: i64,
    /// Each bookable start time once, earliest first.
    pub times: Vec<TimeDto>,
}

/// One day's bookable times of a session type, each once, with how many mentors are free.
#[utoipa::path(get, path = "/api/v1/skus/{slug}/times", tag = "scheduling",
    params(("slug" = String, Path, description = "SKU slug"), TimesParams),
    responses((status = 200, body = TimesDto), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn times(
    State(state): State<AppState>,
    ApiPath(slug): ApiPath<String>,
    ApiQuery(p): ApiQuery<TimesParams>,
) -> Result<Json<TimesDto>, ApiError> {
    let sku = stint_app::catalog_read::bookable_sku(&state, &slug).await?;
    let day = picker::times_on(&state, &sku, p.mentor, &p.date, &p.tz).await?;
    let tz = &day.window.tz;
    Ok(Json(TimesDto {
        tz: day.window.tz_name.clone(),
        date: day.date.to_string(),
        duration_minutes: sku.content.duration_minutes,
        times: day
            .times
            .iter()
            .map(|t| TimeDto {
                start: rfc3339_in(t.start, tz),
                end: rfc3339_in(t.end, tz),
                mentors: t.mentors,
            })
            .collect(),
    }))
}
