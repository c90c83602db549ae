//! Load and burnout signals on the API, thin edges over `stint_app::load`.

use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use serde::Serialize;
use stint_app::load;
use stint_domain::load::LoadReport;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct WeekLoadDto {
    /// The Monday the week starts on, in the mentor's zone.
    pub week: String,
    pub sessions: u32,
    pub minutes: i64,
    /// The most sessions in a row with less than a break between them.
    pub longest_streak: u32,
    /// Sessions closed (or still open) more than a day after they ended.
    pub late_closings: u32,
    pub mentor_cancels: u32,
    pub mentor_no_shows: u32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LoadDto {
    /// Eight weeks, oldest first; the last is the current week.
    pub weeks: Vec<WeekLoadDto>,
    pub cap_per_week: Option<u16>,
    pub suggestions: Vec<String>,
    /// Why operators would look; empty when they need not.
    pub risks: Vec<String>,
}

impl From<LoadReport> for LoadDto {
    fn from(r: LoadReport) -> Self {
        LoadDto {
            weeks: r
                .weeks
                .into_iter()
                .map(|w| WeekLoadDto {
                    week: w.week.to_string(),
                    sessions: w.sessions,
                    minutes: w.minutes,
                    longest_streak: w.longest_streak,
                    late_closings: w.late_closings,
                    mentor_cancels: w.mentor_cancels,
                    mentor_no_shows: w.mentor_no_shows,
                })
                .collect(),
            cap_per_week: r.cap_per_week,
            suggestions: r.suggestions,
            risks: r.risks,
        }
    }
}

/// Your load over the last eight weeks against your caps, with suggestions (mentors).
#[utoipa::path(get, operation_id = "my_load", path = "/api/v1/mentors/me/load", tag = "mentors", security(("bearer" = [])),
    responses((status = 200, body = LoadDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn mine(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
) -> Result<Json<LoadDto>, ApiError> {
    Ok(Json(load::mine(&state, &me).await?.into()))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AtRiskDto {
    pub mentor_id: i64,
    pub name: String,
    pub load: LoadDto,
}

/// Listed mentors at risk of burning out, with why (operators).
#[utoipa::path(get, operation_id = "mentors_at_risk", path = "/api/v1/operator/mentors/at-risk", tag = "users", security(("bearer" = [])),
    responses((status = 200, body = [AtRiskDto]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn at_risk(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
) -> Result<Json<Vec<AtRiskDto>>, ApiError> {
    let list = load::at_risk(&state, &me).await?;
    Ok(Json(
        list.into_iter()
            .map(|a| AtRiskDto {
                mentor_id: a.mentor.0,
                name: a.name,
                load: a.report.into(),
            })
            .collect(),
    ))
}
