//! Pilots over `stint_app::pilots`: operators start and list them and read a pilot's report
//! (`/api/v1/operator/pilots`); a member reads their check-ins and answers one
//! (`/api/v1/me/pilot-check-ins`, `/api/v1/me/pilots/{id}/check-ins/{day}`).

use crate::auth::{ApiOperator, ApiUser};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use stint_app::pilots::report::{PilotReport, Rate, report};
use stint_app::pilots::{self, CheckIn, PilotView};
use stint_domain::pilot::PilotInput;
use utoipa::ToSchema;

/// A new pilot: a cohort (an organisation's members, people by e-mail, or both), the
/// session types it covers and its start date.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PilotRequest {
    #[schema(format = "line", min_length = 1, max_length = 80)]
    pub name: String,
    /// The first day (`YYYY-MM-DD`), within a year of today.
    #[schema(format = Date)]
    pub start: String,
    /// An organisation whose current members join.
    #[serde(default)]
    pub org_id: Option<i64>,
    /// Members by e-mail; each must have an account.
    #[serde(default)]
    #[schema(max_items = 500)]
    pub emails: Vec<String>,
    /// Slugs of the session types covered.
    #[schema(min_items = 1, max_items = 50)]
    pub skus: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PilotDto {
    pub id: i64,
    pub name: String,
    #[schema(format = Date)]
    pub start: String,
    pub org_id: Option<i64>,
    pub members: usize,
    /// Slugs of the session types covered.
    pub skus: Vec<String>,
    /// The competencies the members rate themselves on.
    pub competencies: Vec<String>,
}

impl From<&PilotView> for PilotDto {
    fn from(p: &PilotView) -> Self {
        PilotDto {
            id: p.pilot.id,
            name: p.pilot.name.clone(),
            start: p.pilot.start.to_string(),
            org_id: p.pilot.org.map(|o| o.0),
            members: p.pilot.members.len(),
            skus: p.skus.iter().map(|(s, _)| s.clone()).collect(),
            competencies: p.competencies.iter().map(|c| c.name.clone()).collect(),
        }
    }
}

/// A share with its 95% Wilson interval.
#[derive(Debug, Serialize, ToSchema)]
pub struct RateDto {
    pub share: f64,
    pub low: f64,
    pub high: f64,
    /// How many it is a share of.
    pub of: usize,
}

fn rate(r: Option<Rate>) -> Option<RateDto> {
    r.map(|r| RateDto {
        share: r.share,
        low: r.low,
        high: r.high,
        of: r.of,
    })
}

/// One check-in across the cohort.
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckInFigureDto {
    /// 0 (the start), 30, 60 or 90.
    pub day: i64,
    pub answered: usize,
    /// Mean gain over each member's start, in rubric levels, with its 95% interval; null at
    /// the start and below 5 people.
    pub gain: Option<f64>,
    pub gain_low: Option<f64>,
    pub gain_high: Option<f64>,
    pub gain_people: Option<usize>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PilotReportDto {
    pub pilot: PilotDto,
    #[schema(format = DateTime)]
    pub ends: String,
    pub members: usize,
    pub participants: usize,
    /// Null below 5 members.
    pub participation: Option<RateDto>,
    pub sessions: usize,
    pub completed: usize,
    pub mini_wins: usize,
    /// Null below 5 completed sessions.
    pub mini_win_rate: Option<RateDto>,
    pub check_ins: Vec<CheckInFigureDto>,
    /// When the figures were counted (they are kept up to two hours and counted hourly).
    #[schema(format = DateTime)]
    pub as_of: String,
}

fn report_dto(r: &PilotReport) -> PilotReportDto {
    PilotReportDto {
        pilot: PilotDto::from(&r.pilot),
        ends: r.ends.to_string(),
        as_of: r.as_of.to_string(),
        members: r.figures.members,
        participants: r.figures.participants,
        participation: rate(r.figures.participation),
        sessions: r.figures.sessions,
        completed: r.figures.completed,
        mini_wins: r.figures.mini_wins,
        mini_win_rate: rate(r.figures.mini_win_rate),
        check_ins: r
            .figures
            .check_ins
            .iter()
            .map(|c| CheckInFigureDto {
                day: c.day,
                answered: c.answered,
                gain: c.gain.map(|g| g.mean),
                gain_low: c.gain.map(|g| g.low),
                gain_high: c.gain.map(|g| g.high),
                gain_people: c.gain.map(|g| g.people),
            })
            .collect(),
    }
}

/// Starts a pilot and queues every member's check-in nudges (operators).
#[utoipa::path(post, path = "/api/v1/operator/pilots", tag = "operator", security(("bearer" = [])),
    request_body = PilotRequest,
    responses((status = 201, body = PilotDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, description = "A field is missing or out of range, an e-mail has no account, a session type does not exist", body = ErrorBody)))]
pub async fn create_pilot(
    State(state): State<AppState>,
    ApiOperator(me): ApiOperator,
    ApiJson(req): ApiJson<PilotRequest>,
) -> Result<(StatusCode, Json<PilotDto>), ApiError> {
    let input = PilotInput {
        name: req.name,
        start: req.start,
        org: req.org_id,
        emails: req.emails.join("\n"),
        skus: req.skus,
    };
    let p = pilots::create(&state, &me, &input).await?;
    Ok((StatusCode::CREATED, Json(PilotDto::from(&p))))
}

/// Every pilot, the newest first (operators).
#[utoipa::path(get, path = "/api/v1/operator/pilots", tag = "operator", security(("bearer" = [])),
    responses((status = 200, body = Vec<PilotDto>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list_pilots(
    State(state): State<AppState>,
    ApiOperator(me): ApiOperator,
) -> Result<Json<Vec<PilotDto>>, ApiError> {
    let all = pilots::list(&state, &me).await?;
    Ok(Json(all.iter().map(PilotDto::from).collect()))
}

/// A pilot's report (operators).
#[utoipa::path(get, path = "/api/v1/operator/pilots/{id}", tag = "operator", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Pilot id")),
    responses((status = 200, body = PilotReportDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn pilot_report(
    State(state): State<AppState>,
    ApiOperator(me): ApiOperator,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<PilotReportDto>, ApiError> {
    let r = report(&state, &me, id).await?;
    Ok(Json(report_dto(&r)))
}

/// A competency to rate at a check-in, and the member's rating.
#[derive(Debug, Serialize, ToSchema)]
pub struct RatingDto {
    pub competency_id: i64,
    pub competency: String,
    /// The rubric, level 1 first.
    pub rubric: Vec<String>,
    pub level: Option<i64>,
}

/// One of the member's check-ins.
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckInDto {
    pub pilot_id: i64,
    pub pilot: String,
    /// 0 (the start), 30, 60 or 90.
    pub day: i64,
    #[schema(format = DateTime)]
    pub due: String,
    /// Open for two weeks from when it is due.
    pub open: bool,
    pub ratings: Vec<RatingDto>,
}

fn check_in_dto(c: &CheckIn) -> CheckInDto {
    CheckInDto {
        pilot_id: c.pilot.pilot.id,
        pilot: c.pilot.pilot.name.clone(),
        day: c.day,
        due: c.due.to_string(),
        open: c.open,
        ratings: c
            .pilot
            .competencies
            .iter()
            .map(|comp| RatingDto {
                competency_id: comp.id.0,
                competency: comp.name.clone(),
                rubric: comp.rubric.clone(),
                level: c.answered.get(&comp.id).copied(),
            })
            .collect(),
    }
}

/// The check-ins of every pilot the caller is a member of.
#[utoipa::path(get, path = "/api/v1/me/pilot-check-ins", tag = "outcomes", security(("bearer" = [])),
    responses((status = 200, body = Vec<CheckInDto>), (status = 401, body = ErrorBody)))]
pub async fn my_check_ins(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
) -> Result<Json<Vec<CheckInDto>>, ApiError> {
    let all = pilots::mine(&state, &me).await?;
    Ok(Json(all.iter().map(check_in_dto).collect()))
}

/// A check-in's ratings: competency id → level 1–5, one for each competency of the pilot.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckInRequest {
    pub levels: BTreeMap<String, i64>,
}

/// Answers (or changes) one of the caller's check-ins while it is open.
#[utoipa::path(put, path = "/api/v1/me/pilots/{id}/check-ins/{day}", tag = "outcomes", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Pilot id"), ("day" = i64, Path, description = "0, 30, 60 or 90")),
    request_body = CheckInRequest,
    responses((status = 200, body = CheckInDto), (status = 401, body = ErrorBody),
        (status = 404, description = "Not a pilot of the caller, or no such check-in", body = ErrorBody),
        (status = 409, description = "Not open yet, or closed", body = ErrorBody),
        (status = 422, description = "A competency is not rated 1 to 5", body = ErrorBody)))]
pub async fn answer_check_in(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiPath((id, day)): ApiPath<(i64, i64)>,
    ApiJson(req): ApiJson<CheckInRequest>,
) -> Result<Json<CheckInDto>, ApiError> {
    let levels: BTreeMap<i64, String> = req
        .levels
        .iter()
        .filter_map(|(k, v)| Some((k.trim().parse::<i64>().ok()?, v.to_string())))
        .collect();
    let c = pilots::answer(&state, &me, id, day, &levels).await?;
    Ok(Json(check_in_dto(&c)))
}
