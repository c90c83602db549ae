//! Operators' side: organisations and the funding invoices they mark paid.

use super::dto::*;
use crate::auth::ApiOperator;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use stint_app::sponsor::{budget, orgs};
use utoipa::ToSchema;

/// A new organisation and its first admin (an existing account).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrgRequest {
    #[schema(format = "line", min_length = 2, max_length = 100)]
    pub name: String,
    #[schema(format = "line", max_length = 254)]
    pub admin_email: String,
}

/// Creates an organisation with its first admin (operators).
#[utoipa::path(post, path = "/api/v1/operator/orgs", tag = "sponsor", security(("bearer" = [])),
    request_body = OrgRequest,
    responses((status = 201, body = OrgDto), (status = 403, body = ErrorBody),
        (status = 422, description = "No name, or no account with that e-mail", body = ErrorBody)))]
pub async fn create_org(
    State(state): State<AppState>,
    ApiOperator(me): ApiOperator,
    ApiJson(req): ApiJson<OrgRequest>,
) -> Result<(StatusCode, Json<OrgDto>), ApiError> {
    let org = orgs::create(&state, &me, &req.name, &req.admin_email).await?;
    Ok((StatusCode::CREATED, Json(OrgDto::from(&org))))
}

/// Every organisation (operators).
#[utoipa::path(get, path = "/api/v1/operator/orgs", tag = "sponsor", security(("bearer" = [])),
    responses((status = 200, body = Vec<OrgDto>), (status = 403, body = ErrorBody)))]
pub async fn list_orgs(
    State(state): State<AppState>,
    ApiOperator(me): ApiOperator,
) -> Result<Json<Vec<OrgDto>>, ApiError> {
    let all = orgs::all(&state, &me).await?;
    Ok(Json(all.iter().map(OrgDto::from).collect()))
}

/// Funding invoices not yet paid (operators).
#[utoipa::path(get, path = "/api/v1/operator/fundings", tag = "sponsor", security(("bearer" = [])),
    responses((status = 200, body = Vec<FundingDto>), (status = 403, body = ErrorBody)))]
pub async fn unpaid_fundings(
    State(state): State<AppState>,
    ApiOperator(me): ApiOperator,
) -> Result<Json<Vec<FundingDto>>, ApiError> {
    let all = budget::unpaid_fundings(&state, &me).await?;
    Ok(Json(all.iter().map(FundingDto::from).collect()))
}

/// Marks a funding invoice paid, crediting its budget once (operators).
#[utoipa::path(post, path = "/api/v1/operator/fundings/{id}/paid", tag = "sponsor", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Funding id")),
    responses((status = 200, body = FundingDto), (status = 403, body = ErrorBody),
        (status = 409, description = "Paid already", body = ErrorBody)))]
pub async fn mark_funding_paid(
    State(state): State<AppState>,
    ApiOperator(me): ApiOperator,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<FundingDto>, ApiError> {
    let paid = budget::mark_paid(&state, &me, id).await?;
    Ok(Json(FundingDto::from(&paid)))
}
