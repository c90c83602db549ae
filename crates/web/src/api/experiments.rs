//! `/api/v1/operator/experiments`: start, list, read and end experiments over
//! `stint_app::insights::experiments` (operators only).

use crate::auth::ApiOperator;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use stint_app::insights::experiments::{self, ExperimentReport};
use stint_domain::experiment::{ExperimentInput, Factor, VariantInput};
use stint_store::ExperimentRecord;
use utoipa::ToSchema;

/// A factor an experiment may vary: `followup_delay`, the days from a session's closing
/// until its follow-up check-in opens.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExperimentFactor {
    FollowupDelay,
}

impl ExperimentFactor {
    fn of(f: Factor) -> Self {
        match f {
            Factor::FollowUpDelay => ExperimentFactor::FollowupDelay,
        }
    }

    fn factor(self) -> Factor {
        match self {
            ExperimentFactor::FollowupDelay => Factor::FollowUpDelay,
        }
    }
}

/// One variant: its name and the factor's value (for `followup_delay`, days). Names and
/// values must differ between an experiment's variants.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExperimentVariantDto {
    #[schema(format = "line", min_length = 1, max_length = 40)]
    pub name: String,
    #[schema(minimum = 1, maximum = 60)]
    pub value: i64,
}

/// A new experiment.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExperimentRequest {
    #[schema(format = "line", min_length = 1, max_length = 80)]
    pub name: String,
    pub factor: ExperimentFactor,
    /// What is expected, and why.
    #[serde(default)]
    #[schema(max_length = 1000)]
    pub hypothesis: String,
    /// Two to four, the control first.
    #[schema(min_items = 2, max_items = 4)]
    pub variants: Vec<ExperimentVariantDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExperimentDto {
    pub id: i64,
    pub name: String,
    pub factor: ExperimentFactor,
    pub hypothesis: String,
    /// The control first.
    pub variants: Vec<ExperimentVariantDto>,
    #[schema(format = DateTime)]
    pub started_at: String,
    #[schema(format = DateTime)]
    pub ended_at: Option<String>,
    pub running: bool,
}

impl From<&ExperimentRecord> for ExperimentDto {
    fn from(e: &ExperimentRecord) -> Self {
        ExperimentDto {
            id: e.id,
            name: e.name.clone(),
            factor: ExperimentFactor::of(e.factor),
            hypothesis: e.hypothesis.clone(),
            variants: e
                .variants
                .iter()
                .map(|v| ExperimentVariantDto {
                    name: v.name.clone(),
                    value: v.value,
                })
                .collect(),
            started_at: e.started_at.to_string(),
            ended_at: e.ended_at.map(|t| t.to_string()),
            running: e.ended_at.is_none(),
        }
    }
}

/// A variant's difference from the control, in shares (0.05 = 5 percentage points).
#[derive(Debug, Serialize, ToSchema)]
pub struct ExperimentLiftDto {
    pub difference: f64,
    /// The 95% interval (Welch, people as the unit).
    pub low: f64,
    pub high: f64,
    /// The difference over the control's rate; null when that rate is zero.
    pub relative: Option<f64>,
    /// The true difference these sample sizes find with 80% power.
    pub detectable: f64,
    /// The interval leaves out zero.
    pub clear: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExperimentFigureDto {
    pub variant: String,
    /// People counted on this metric.
    pub people: usize,
    /// Their mean; null below 5 people.
    pub rate: Option<f64>,
    /// Against the control; null for the control and below 5 people on either side.
    pub lift: Option<ExperimentLiftDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExperimentMetricDto {
    /// `followup_answered` or `rebooked_30d`.
    pub metric: String,
    pub label: String,
    /// The control first.
    pub variants: Vec<ExperimentFigureDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExperimentResultsDto {
    pub experiment: ExperimentDto,
    /// People exposed per variant, the control first.
    pub exposed: Vec<usize>,
    pub metrics: Vec<ExperimentMetricDto>,
    #[schema(format = DateTime)]
    pub as_of: String,
}

fn results(r: &ExperimentReport) -> ExperimentResultsDto {
    let name = |i: usize| {
        r.experiment
            .variants
            .get(i)
            .map_or_else(String::new, |v| v.name.clone())
    };
    ExperimentResultsDto {
        experiment: ExperimentDto::from(&r.experiment),
        exposed: r.exposed.clone(),
        metrics: r
            .metrics
            .iter()
            .map(|m| ExperimentMetricDto {
                metric: m.metric.as_str().to_string(),
                label: m.metric.label().to_string(),
                variants: m
                    .figures
                    .iter()
                    .enumerate()
                    .map(|(i, f)| ExperimentFigureDto {
                        variant: name(i),
                        people: f.people,
                        rate: f.mean,
                        lift: f.lift.map(|l| ExperimentLiftDto {
                            difference: l.difference,
                            low: l.low,
                            high: l.high,
                            relative: l.relative,
                            detectable: l.detectable,
                            clear: l.is_clear(),
                        }),
                    })
                    .collect(),
            })
            .collect(),
        as_of: r.as_of.to_string(),
    }
}

/// Starts an experiment (operators); one per factor runs at a time.
#[utoipa::path(post, path = "/api/v1/operator/experiments", tag = "operator", security(("bearer" = [])),
    request_body = ExperimentRequest,
    responses((status = 201, body = ExperimentDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, description = "An experiment on this factor is running", body = ErrorBody),
        (status = 422, description = "A field is missing or out of range", body = ErrorBody)))]
pub async fn start_experiment(
    State(state): State<AppState>,
    ApiOperator(me): ApiOperator,
    ApiJson(req): ApiJson<ExperimentRequest>,
) -> Result<(StatusCode, Json<ExperimentDto>), ApiError> {
    let input = ExperimentInput {
        name: req.name,
        factor: req.factor.factor().as_str().to_string(),
        hypothesis: req.hypothesis,
        variants: req
            .variants
            .into_iter()
            .map(|v| VariantInput {
                name: v.name,
                value: v.value.to_string(),
            })
            .collect(),
    };
    let e = experiments::start(&state, &me, &input).await?;
    Ok((StatusCode::CREATED, Json(ExperimentDto::from(&e))))
}

/// Every experiment, the newest first (operators).
#[utoipa::path(get, path = "/api/v1/operator/experiments", tag = "operator", security(("bearer" = [])),
    responses((status = 200, body = Vec<ExperimentDto>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list_experiments(
    State(state): State<AppState>,
    ApiOperator(me): ApiOperator,
) -> Result<Json<Vec<ExperimentDto>>, ApiError> {
    let all = experiments::list(&state, &me).await?;
    Ok(Json(all.iter().map(ExperimentDto::from).collect()))
}

/// An experiment's results: people per variant and each metric's lift over the control
/// (operators).
#[utoipa::path(get, path = "/api/v1/operator/experiments/{id}", tag = "operator", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Experiment id")),
    responses((status = 200, body = ExperimentResultsDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn experiment_results(
    State(state): State<AppState>,
    ApiOperator(me): ApiOperator,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ExperimentResultsDto>, ApiError> {
    let report = experiments::report(&state, &me, id).await?;
    Ok(Json(results(&report)))
}

/// Ends a running experiment: nobody new is exposed (operators).
#[utoipa::path(post, path = "/api/v1/operator/experiments/{id}/end", tag = "operator", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Experiment id")),
    responses((status = 200, body = ExperimentDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, description = "Ended already", body = ErrorBody)))]
pub async fn end_experiment(
    State(state): State<AppState>,
    ApiOperator(me): ApiOperator,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ExperimentDto>, ApiError> {
    let e = experiments::end(&state, &me, id).await?;
    Ok(Json(ExperimentDto::from(&e)))
}
