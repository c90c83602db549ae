//! The figures built from many bookings' outcome loops: the caller's own progress, impact
//! and to-dos, and what the public sees of a session type.

use super::dto::AssessmentKindName;
use crate::api::availability::rfc3339_in;
use crate::api::dto::RubricLevel;
use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorBody};
use crate::extract::ApiPath;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use serde::Serialize;
use stint_app::outcomes::{self as ops, PublicOutcomes};
use stint_app::require;
use stint_domain::outcome::metrics::{DEFINITIONS, MIN_PUBLIC_SAMPLE, OutcomeStats};
use stint_domain::outcome::todo::{Due, TodoKind};
use stint_domain::role::Role;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct ProgressPointDto {
    /// When the session the rating belongs to was closed, RFC 3339 in the viewer's zone.
    pub at: String,
    pub booking_id: i64,
    #[schema(value_type = AssessmentKindName)]
    pub kind: String,
    pub level: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CompetencyProgressDto {
    pub competency_id: i64,
    pub name: String,
    pub rubric: Vec<RubricLevel>,
    /// Baselines and follow-ups in time order.
    pub points: Vec<ProgressPointDto>,
    /// The latest level rated, if any.
    pub latest_level: Option<i64>,
    /// Closed sessions in this competency.
    pub sessions: u64,
    pub checkpoints_reached: u64,
    pub tasks_total: u64,
    pub tasks_done: u64,
    pub mini_wins: u64,
}

/// A rate's 95% interval (Wilson), from `low` to `high`, both between 0 and 1.
#[derive(Debug, Serialize, ToSchema)]
pub struct RateIntervalDto {
    pub low: f64,
    pub high: f64,
}

/// A mentor's figures over every session they closed (see `/api/v1/metrics`).
#[derive(Debug, Serialize, ToSchema)]
pub struct ImpactDto {
    /// Closed sessions: the sample size.
    pub sessions: u64,
    pub mini_wins: u64,
    pub mini_win_rate: Option<f64>,
    /// 95% Wilson interval of the mini-win rate.
    pub interval: Option<RateIntervalDto>,
    pub mean_gain: Option<f64>,
    /// Sessions with both assessments, over which `mean_gain` is taken.
    pub gains_measured: u64,
    pub checkpoints_reached: u64,
    /// Tasks set for mentees, and how many of them the mentees completed.
    pub tasks_total: u64,
    pub tasks_done: u64,
}

impl From<&OutcomeStats> for ImpactDto {
    fn from(s: &OutcomeStats) -> Self {
        ImpactDto {
            sessions: s.sessions,
            mini_wins: s.mini_wins,
            mini_win_rate: s.mini_win_rate,
            interval: interval(s),
            mean_gain: s.mean_gain,
            gains_measured: s.gains_measured,
            checkpoints_reached: s.checkpoints_reached,
            tasks_total: s.tasks_total,
            tasks_done: s.tasks_done,
        }
    }
}

fn interval(s: &OutcomeStats) -> Option<RateIntervalDto> {
    s.interval.map(|(low, high)| RateIntervalDto { low, high })
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TodoKindName {
    Prep,
    CloseSession,
    Task,
    FollowupAssessment,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TodoDto {
    pub booking_id: i64,
    #[schema(value_type = TodoKindName)]
    pub kind: String,
    /// For `task` items.
    pub task_id: Option<i64>,
    pub title: String,
    /// A deadline at an instant (a session's start or end), RFC 3339 in the viewer's zone.
    pub due_at: Option<String>,
    /// A deadline on a day (a task), `YYYY-MM-DD`: due by the end of that day.
    pub due_on: Option<String>,
    pub overdue: bool,
}

/// A SKU's public outcome figures. Below `minimum` closed sessions only `hidden`,
/// `sessions` and `minimum` are given.
#[derive(Debug, Serialize, ToSchema)]
pub struct SkuOutcomesDto {
    pub hidden: bool,
    /// The sample size: closed sessions of this SKU.
    pub sessions: u64,
    /// Figures are shown from this many sessions.
    pub minimum: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mini_wins: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mini_win_rate: Option<f64>,
    /// 95% Wilson interval of the mini-win rate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval: Option<RateIntervalDto>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mean_gain: Option<f64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MetricDto {
    pub name: String,
    pub definition: String,
}

// ---- The caller's own figures ----

/// The caller's progress as a mentee, per competency: self-ratings over time, checkpoints
/// reached, tasks done and mini-wins across their closed sessions.
#[utoipa::path(get, path = "/api/v1/me/progress", tag = "outcomes", security(("bearer" = [])),
    responses((status = 200, body = [CompetencyProgressDto])))]
pub async fn my_progress(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
) -> Result<Json<Vec<CompetencyProgressDto>>, ApiError> {
    let tz = me.zone();
    let out = ops::progress(&state, &me)
        .await?
        .into_iter()
        .map(|n| {
            let p = &n.progress;
            CompetencyProgressDto {
                competency_id: p.competency_id.0,
                name: n.name.clone(),
                rubric: RubricLevel::all(&n.rubric),
                points: p
                    .points
                    .iter()
                    .map(|pt| ProgressPointDto {
                        at: rfc3339_in(pt.at, &tz),
                        booking_id: pt.booking_id.0,
                        kind: pt.kind.as_str().to_string(),
                        level: pt.level.get(),
                    })
                    .collect(),
                latest_level: p.latest().map(|l| l.get()),
                sessions: p.sessions,
                checkpoints_reached: p.checkpoints_reached,
                tasks_total: p.tasks_total,
                tasks_done: p.tasks_done,
                mini_wins: p.mini_wins,
            }
        })
        .collect();
    Ok(Json(out))
}

/// The caller's impact as a mentor, over every session they closed.
#[utoipa::path(get, path = "/api/v1/me/impact", tag = "outcomes", security(("bearer" = [])),
    responses((status = 200, body = ImpactDto),
        (status = 403, description = "The caller is not a mentor", body = ErrorBody)))]
pub async fn my_impact(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
) -> Result<Json<ImpactDto>, ApiError> {
    require(&me, Role::Mentor)?;
    let stats = ops::impact(&state, &me).await?;
    Ok(Json(ImpactDto::from(&stats)))
}

/// What is due from the caller now across their bookings, most urgent first.
#[utoipa::path(get, path = "/api/v1/me/todo", tag = "outcomes", security(("bearer" = [])),
    responses((status = 200, body = [TodoDto])))]
pub async fn my_todo(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
) -> Result<Json<Vec<TodoDto>>, ApiError> {
    let tz = me.zone();
    let items = ops::todo_of(&state, &me).await?;
    Ok(Json(
        items
            .into_iter()
            .map(|i| {
                let (due_at, due_on) = match i.due {
                    Some(Due::At(t)) => (Some(rfc3339_in(t, &tz)), None),
                    Some(Due::On(d)) => (None, Some(d.to_string())),
                    None => (None, None),
                };
                TodoDto {
                    booking_id: i.booking_id.0,
                    kind: todo_kind(i.kind).to_string(),
                    task_id: i.task_id,
                    title: i.title,
                    due_at,
                    due_on,
                    overdue: i.overdue,
                }
            })
            .collect(),
    ))
}

fn todo_kind(k: TodoKind) -> &'static str {
    match k {
        TodoKind::Prep => "prep",
        TodoKind::CloseSession => "close_session",
        TodoKind::Task => "task",
        TodoKind::FollowupAssessment => "followup_assessment",
    }
}

// ---- Public figures ----

/// A session type's public outcome figures: its mini-win rate with a 95% interval and the
/// sample size. Below five closed sessions the figures are hidden.
#[utoipa::path(get, path = "/api/v1/skus/{slug}/outcomes", tag = "outcomes",
    params(("slug" = String, Path, description = "SKU slug")),
    responses((status = 200, body = SkuOutcomesDto), (status = 404, body = ErrorBody)))]
pub async fn sku_outcomes(
    State(state): State<AppState>,
    ApiPath(slug): ApiPath<String>,
) -> Result<Json<SkuOutcomesDto>, ApiError> {
    let sku = stint_app::catalog_read::sku(&state, None, &slug).await?;
    let hidden = |sessions| SkuOutcomesDto {
        hidden: true,
        sessions,
        minimum: MIN_PUBLIC_SAMPLE,
        mini_wins: None,
        mini_win_rate: None,
        interval: None,
        mean_gain: None,
    };
    Ok(Json(
        match ops::sku_public_outcomes(&state, sku.sku_id).await? {
            PublicOutcomes::Hidden { sessions } => hidden(sessions),
            PublicOutcomes::Shown(s) => SkuOutcomesDto {
                hidden: false,
                sessions: s.sessions,
                minimum: MIN_PUBLIC_SAMPLE,
                mini_wins: Some(s.mini_wins),
                mini_win_rate: s.mini_win_rate,
                interval: interval(&s),
                mean_gain: s.mean_gain,
            },
        },
    ))
}

/// What each outcome figure means, in the words every page uses.
#[utoipa::path(get, path = "/api/v1/metrics", tag = "outcomes",
    responses((status = 200, body = [MetricDto])))]
pub async fn metrics() -> Json<Vec<MetricDto>> {
    Json(
        DEFINITIONS
            .iter()
            .map(|(name, definition)| MetricDto {
                name: name.to_string(),
                definition: definition.to_string(),
            })
            .collect(),
    )
}
