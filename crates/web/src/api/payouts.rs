//! `/api/v1/me/earnings` (mentors) and the operators' payouts: who is owed what, payout runs
//! and each run's CSV, over `stint_app::money::{earnings, payouts}`.

use crate::auth::{ApiOperator, ApiUser};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};
use stint_app::money::{earnings, payouts};
use stint_store::payouts::PayoutRun;
use utoipa::ToSchema;

/// One month of a mentor's earnings, in credits.
#[derive(Debug, Serialize, ToSchema)]
pub struct EarningsMonthDto {
    /// `2026-12`, in the mentor's time zone.
    pub month: String,
    pub sessions: i64,
    /// Paid for sessions closed, after the platform's fee.
    pub settled: i64,
    /// Shares of late cancels and missed sessions, after the fee.
    pub forfeits: i64,
    pub bonuses: i64,
    /// The platform's fees on the mentor's sessions.
    pub fees: i64,
    pub earned: i64,
    pub paid_out: i64,
}

/// A mentor's earnings.
#[derive(Debug, Serialize, ToSchema)]
pub struct EarningsDto {
    /// Earned and not yet paid out.
    pub owed: i64,
    /// Newest first.
    pub months: Vec<EarningsMonthDto>,
}

/// A mentor owed credits.
#[derive(Debug, Serialize, ToSchema)]
pub struct OwedDto {
    pub mentor_id: i64,
    pub name: String,
    pub email: String,
    pub credits: i64,
}

/// A payout run.
#[derive(Debug, Serialize, ToSchema)]
pub struct PayoutRunDto {
    pub id: i64,
    pub operator_id: i64,
    pub total: i64,
    pub payouts: i64,
    pub at: String,
    /// The run's payouts as CSV.
    pub csv_url: String,
}

impl From<&PayoutRun> for PayoutRunDto {
    fn from(r: &PayoutRun) -> Self {
        PayoutRunDto {
            id: r.id,
            operator_id: r.operator.0,
            total: r.total,
            payouts: r.payouts,
            at: r.at.to_string(),
            csv_url: format!("/api/v1/operator/payout-runs/{}/csv", r.id),
        }
    }
}

/// Who is owed what, and the runs so far.
#[derive(Debug, Serialize, ToSchema)]
pub struct PayoutsDto {
    pub owed: Vec<OwedDto>,
    /// Newest first.
    pub runs: Vec<PayoutRunDto>,
}

/// One chosen payout.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChosenPayout {
    pub mentor_id: i64,
    #[schema(minimum = 1)]
    pub credits: i64,
}

/// A payout run: the chosen amounts, or without `payouts` everyone what they are owed.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PayoutRunRequest {
    pub payouts: Option<Vec<ChosenPayout>>,
}

/// The caller's earnings (mentors): owed now, and per month.
#[utoipa::path(get, path = "/api/v1/me/earnings", tag = "money", security(("bearer" = [])),
    responses((status = 200, body = EarningsDto), (status = 403, body = ErrorBody)))]
pub async fn my_earnings(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
) -> Result<Json<EarningsDto>, ApiError> {
    let e = earnings::mine(&state, &me).await?;
    Ok(Json(EarningsDto {
        owed: e.owed,
        months: e
            .months
            .iter()
            .map(|m| EarningsMonthDto {
                month: m.month.clone(),
                sessions: m.sessions,
                settled: m.settled,
                forfeits: m.forfeits,
                bonuses: m.bonuses,
                fees: m.fees,
                earned: m.earned(),
                paid_out: m.paid_out,
            })
            .collect(),
    }))
}

/// Mentors owed credits and the payout runs so far (operators).
#[utoipa::path(get, path = "/api/v1/operator/payouts", tag = "money", security(("bearer" = [])),
    responses((status = 200, body = PayoutsDto), (status = 403, body = ErrorBody)))]
pub async fn list_payouts(
    State(state): State<AppState>,
    ApiOperator(me): ApiOperator,
) -> Result<Json<PayoutsDto>, ApiError> {
    let owed = payouts::owed(&state, &me).await?;
    let runs = payouts::runs(&state, &me).await?;
    Ok(Json(PayoutsDto {
        owed: owed
            .into_iter()
            .map(|o| OwedDto {
                mentor_id: o.mentor.id.0,
                name: o.mentor.display_name,
                email: o.mentor.email,
                credits: o.credits,
            })
            .collect(),
        runs: runs.iter().map(PayoutRunDto::from).collect(),
    }))
}

/// Runs payouts (operators): everyone what they are owed, or the chosen amounts. All or
/// nothing; an amount above what a mentor is owed is refused.
#[utoipa::path(post, path = "/api/v1/operator/payout-runs", tag = "money", security(("bearer" = [])),
    request_body = PayoutRunRequest,
    responses((status = 201, body = PayoutRunDto), (status = 403, body = ErrorBody),
        (status = 409, description = "Nobody is owed anything, or what was owed changed meanwhile", body = ErrorBody),
        (status = 422, description = "An amount above what the mentor is owed", body = ErrorBody)))]
pub async fn run_payouts(
    State(state): State<AppState>,
    ApiOperator(me): ApiOperator,
    ApiJson(req): ApiJson<PayoutRunRequest>,
) -> Result<(StatusCode, Json<PayoutRunDto>), ApiError> {
    let chosen = req.payouts.map(|list| {
        list.iter()
            .map(|p| payouts::chosen(p.mentor_id, p.credits))
            .collect()
    });
    let run = payouts::run(&state, &me, chosen).await?;
    Ok((StatusCode::CREATED, Json(PayoutRunDto::from(&run))))
}

/// One run's payouts as CSV, for the bank transfers (operators).
#[utoipa::path(get, path = "/api/v1/operator/payout-runs/{id}/csv", tag = "money", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Run id")),
    responses((status = 200, content_type = "text/csv", body = String), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn run_csv(
    State(state): State<AppState>,
    ApiOperator(me): ApiOperator,
    ApiPath(id): ApiPath<i64>,
) -> Result<impl IntoResponse, ApiError> {
    let body = payouts::csv(&state, &me, id).await?;
    Ok(crate::download::csv(
        &format!("stint-payouts-{id}.csv"),
        body,
    ))
}
