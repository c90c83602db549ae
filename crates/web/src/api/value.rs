//! `/api/v1/operator/value` (value by outcome, `stint_app::insights::value`) and
//! `/api/v1/operator/risk-model` (the kept no-show model and its held-out record,
//! `stint_app::insights::risk`), operators only.

use crate::auth::ApiOperator;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use serde::Serialize;
use stint_app::insights::{risk, value};
use stint_domain::value::{Figure, Split};
use utoipa::ToSchema;

/// One group's mentees: how many, and from 5 mentees the mean credits over the 90 days and
/// its 95% interval (null below 5).
#[derive(Debug, Serialize, ToSchema)]
pub struct ValueFigureDto {
    pub mentees: u64,
    pub mean_credits: Option<f64>,
    pub low: Option<f64>,
    pub high: Option<f64>,
}

/// A group split by whether the mentees' first session was a mini-win.
#[derive(Debug, Serialize, ToSchema)]
pub struct ValueSplitDto {
    pub group: String,
    pub mini_win: ValueFigureDto,
    pub no_mini_win: ValueFigureDto,
    /// The mini-win group's mean over the other's (null unless both are shown).
    pub ratio: Option<f64>,
}

/// 90-day credits per mentee by the outcome of their first closed session.
#[derive(Debug, Serialize, ToSchema)]
pub struct ValueReportDto {
    pub window_days: i64,
    /// When the figures were counted (they are kept up to two hours and counted hourly).
    #[schema(format = DateTime)]
    pub as_of: String,
    pub overall: ValueSplitDto,
    pub by_session_type: Vec<ValueSplitDto>,
    pub by_competency: Vec<ValueSplitDto>,
    /// Sponsored members, then self-paying mentees.
    pub by_payer: Vec<ValueSplitDto>,
}

fn figure(f: &Figure) -> ValueFigureDto {
    ValueFigureDto {
        mentees: f.mentees as u64,
        mean_credits: f.mean,
        low: f.interval.map(|i| i.0),
        high: f.interval.map(|i| i.1),
    }
}

fn split(s: &Split) -> ValueSplitDto {
    ValueSplitDto {
        group: s.label.clone(),
        mini_win: figure(&s.mini_win),
        no_mini_win: figure(&s.no_mini_win),
        ratio: s.ratio(),
    }
}

/// What mentees brought in over the 90 days from their first closed session, by whether it
/// was a mini-win: overall, per session type, per competency, sponsored against self-paying
/// (operators). Only mentees whose 90 days are over count.
#[utoipa::path(get, path = "/api/v1/operator/value", tag = "operator", security(("bearer" = [])),
    responses((status = 200, body = ValueReportDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn value_report(
    State(state): State<AppState>,
    ApiOperator(me): ApiOperator,
) -> Result<Json<ValueReportDto>, ApiError> {
    let kept = value::report(&state, &me).await?;
    let r = &kept.figures;
    Ok(Json(ValueReportDto {
        window_days: stint_domain::value::WINDOW_DAYS,
        as_of: kept.as_of.to_string(),
        overall: split(&r.overall),
        by_session_type: r.by_sku.iter().map(split).collect(),
        by_competency: r.by_competency.iter().map(split).collect(),
        by_payer: r.by_payer.iter().map(split).collect(),
    }))
}

/// Held-out sessions with similar predicted risk: the mean prediction against what happened.
#[derive(Debug, Serialize, ToSchema)]
pub struct CalibrationDto {
    pub lowest: f64,
    pub highest: f64,
    pub sessions: u64,
    pub predicted: f64,
    pub observed: f64,
}

/// The kept no-show model: what it was trained on and how it scored the later sessions it
/// was held out from.
#[derive(Debug, Serialize, ToSchema)]
pub struct RiskModelDto {
    pub trained_at: String,
    pub sessions: u64,
    pub no_shows: u64,
    /// Null when the earlier 80% alone was too little to train on.
    pub auc: Option<f64>,
    pub held_out: Option<u64>,
    pub calibration: Vec<CalibrationDto>,
}

/// The no-show model as last trained, or null while the history is below the minimum
/// (operators).
#[utoipa::path(get, path = "/api/v1/operator/risk-model", tag = "operator", security(("bearer" = [])),
    responses((status = 200, body = Option<RiskModelDto>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn risk_model(
    State(state): State<AppState>,
    ApiOperator(me): ApiOperator,
) -> Result<Json<Option<RiskModelDto>>, ApiError> {
    let model = risk::kept(&state, &me).await?;
    Ok(Json(model.map(|m| {
        let e = m.evaluation.as_ref();
        RiskModelDto {
            trained_at: m.trained_at.to_string(),
            sessions: m.sessions as u64,
            no_shows: m.no_shows as u64,
            auc: e.map(|e| e.auc),
            held_out: e.map(|e| e.held_out as u64),
            calibration: e.map_or_else(Vec::new, |e| {
                e.calibration
                    .iter()
                    .map(|b| CalibrationDto {
                        lowest: b.lowest,
                        highest: b.highest,
                        sessions: b.sessions as u64,
                        predicted: b.predicted,
                        observed: b.observed,
                    })
                    .collect()
            }),
        }
    })))
}
