//! Refunds, corrections and their audit list (operators), over
//! `stint_app::money::adjustments`.

use crate::auth::ApiOperator;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use stint_app::money::adjustments::{self, AuditRow};
use stint_store::adjustments::AdjustmentRecord;
use utoipa::ToSchema;

/// A refund or a correction.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdjustmentDto {
    pub id: i64,
    /// `refund` or `correction`.
    pub kind: String,
    pub user_id: i64,
    pub operator_id: i64,
    /// Into the wallet if positive, out of it if negative.
    pub credits: i64,
    pub purchase_id: Option<i64>,
    /// The money a refund gives back, in the currency's minor unit.
    pub money_minor: Option<i64>,
    pub currency: Option<String>,
    /// How a refund's money goes back: `stripe` (to the card, through Stripe, at once) or
    /// `manual` (by bank transfer, which the operator sends).
    pub provider: Option<String>,
    pub reason: String,
    pub at: String,
    /// `Name <email>` of the wallet's owner and of the operator (in the audit list).
    pub user: Option<String>,
    pub operator: Option<String>,
}

impl From<&AdjustmentRecord> for AdjustmentDto {
    fn from(a: &AdjustmentRecord) -> Self {
        AdjustmentDto {
            id: a.id,
            kind: a.kind.as_str().to_string(),
            user_id: a.user.0,
            operator_id: a.operator.0,
            credits: a.credits,
            purchase_id: a.purchase,
            money_minor: a.money.as_ref().map(|m| m.minor),
            currency: a.money.as_ref().map(|m| m.currency.clone()),
            provider: a.provider.clone(),
            reason: a.reason.clone(),
            at: a.at.to_string(),
            user: None,
            operator: None,
        }
    }
}

impl From<&AuditRow> for AdjustmentDto {
    fn from(r: &AuditRow) -> Self {
        AdjustmentDto {
            user: Some(r.user.clone()),
            operator: Some(r.operator.clone()),
            ..AdjustmentDto::from(&r.adjustment)
        }
    }
}

/// A refund of a purchase's unspent credits.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefundRequest {
    #[schema(minimum = 1)]
    pub credits: i64,
    #[schema(format = "text", min_length = 1, max_length = 500)]
    pub reason: String,
}

/// Credits given to (positive) or taken from (negative) a wallet.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CorrectionRequest {
    #[schema(format = "line", max_length = 254)]
    pub email: String,
    pub credits: i64,
    #[schema(format = "text", min_length = 1, max_length = 500)]
    pub reason: String,
}

/// Refunds unspent credits of a paid purchase with their share of its price (operators).
#[utoipa::path(post, path = "/api/v1/operator/purchases/{id}/refunds", tag = "money", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Purchase id")), request_body = RefundRequest,
    responses((status = 201, body = AdjustmentDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "The purchase is not paid", body = ErrorBody),
        (status = 422, description = "More credits than the purchase has left unspent, or no reason", body = ErrorBody)))]
pub async fn refund(
    State(state): State<AppState>,
    ApiOperator(me): ApiOperator,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<RefundRequest>,
) -> Result<(StatusCode, Json<AdjustmentDto>), ApiError> {
    let done = adjustments::refund(&state, &me, id, req.credits, &req.reason).await?;
    Ok((StatusCode::CREATED, Json(AdjustmentDto::from(&done))))
}

/// Gives credits to a wallet, or takes them (operators).
#[utoipa::path(post, path = "/api/v1/operator/corrections", tag = "money", security(("bearer" = [])),
    request_body = CorrectionRequest,
    responses((status = 201, body = AdjustmentDto), (status = 403, body = ErrorBody),
        (status = 422, description = "No such account, 0 credits, more than the wallet holds, or no reason", body = ErrorBody)))]
pub async fn correct(
    State(state): State<AppState>,
    ApiOperator(me): ApiOperator,
    ApiJson(req): ApiJson<CorrectionRequest>,
) -> Result<(StatusCode, Json<AdjustmentDto>), ApiError> {
    let done = adjustments::correct(&state, &me, &req.email, req.credits, &req.reason).await?;
    Ok((StatusCode::CREATED, Json(AdjustmentDto::from(&done))))
}

/// The newest refunds and corrections, newest first (operators).
#[utoipa::path(get, path = "/api/v1/operator/adjustments", tag = "money", security(("bearer" = [])),
    responses((status = 200, body = Vec<AdjustmentDto>), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiOperator(me): ApiOperator,
) -> Result<Json<Vec<AdjustmentDto>>, ApiError> {
    let rows = adjustments::audit(&state, &me).await?;
    Ok(Json(rows.iter().map(AdjustmentDto::from).collect()))
}
