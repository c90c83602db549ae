//! An organisation's admins: the console, the budget's rules, funding, invitations,
//! members, approvals and statements.

use super::dto::*;
use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};
use stint_app::sponsor::{approvals, budget, console, members};
use stint_domain::ids::OrgId;
use utoipa::{IntoParams, ToSchema};

/// The sponsor console of an organisation you administer.
#[utoipa::path(get, path = "/api/v1/sponsor/orgs/{id}", tag = "sponsor", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Organisation id")),
    responses((status = 200, body = ConsoleDto)))]
pub async fn get_console(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ConsoleDto>, ApiError> {
    let c = console::console(&state, &me, OrgId(id)).await?;
    Ok(Json(ConsoleDto::from(&c)))
}

/// A budget's rules as an admin sets them.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RulesRequest {
    /// `month` or `quarter`.
    #[schema(format = "line", max_length = 20)]
    pub period: String,
    /// `roll_over` or `expire`.
    #[schema(format = "line", max_length = 20)]
    pub leftover: String,
    #[serde(deserialize_with = "crate::api::integral::i64")]
    #[schema(minimum = 1, maximum = 100000)]
    pub cap_credits: i64,
    #[serde(deserialize_with = "crate::api::integral::i64")]
    #[schema(minimum = 1, maximum = 100)]
    pub cap_sessions: i64,
    /// Slugs of the session types the budget pays for.
    #[schema(min_items = 1, max_items = 100)]
    pub skus: Vec<String>,
    /// Hours an admin has to approve each booking (it lapses then, or at the session's start
    /// if sooner, and its credits come back); leave out for no approval.
    #[serde(default, deserialize_with = "crate::api::integral::opt_i64")]
    #[schema(minimum = 1, maximum = 336)]
    pub approval_hours: Option<i64>,
}

/// Sets the budget's rules: a cap above what the budget holds, an unknown session type or a
/// wrong period is 422 by field, and nothing changes.
#[utoipa::path(put, path = "/api/v1/sponsor/orgs/{id}/budget", tag = "sponsor", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Organisation id")), request_body = RulesRequest,
    responses((status = 200, body = OrgDto)))]
pub async fn put_rules(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<RulesRequest>,
) -> Result<Json<OrgDto>, ApiError> {
    let form = budget::RulesForm {
        period: req.period,
        leftover: req.leftover,
        cap_credits: req.cap_credits.to_string(),
        cap_sessions: req.cap_sessions.to_string(),
        skus: req.skus,
        approval_hours: req
            .approval_hours
            .map(|h| h.to_string())
            .unwrap_or_default(),
    };
    budget::set_rules(&state, &me, OrgId(id), &form).await?;
    let c = console::console(&state, &me, OrgId(id)).await?;
    Ok(Json(OrgDto::from(&c.org)))
}

/// An invoice to fund the budget.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FundingRequest {
    #[serde(deserialize_with = "crate::api::integral::i64")]
    #[schema(minimum = 1, maximum = 1000000)]
    pub credits: i64,
    /// Your purchase order or cost centre, printed on the invoice.
    #[serde(default)]
    #[schema(format = "line", max_length = 100)]
    pub reference: String,
}

/// The budget's funding invoices, newest first.
#[utoipa::path(get, path = "/api/v1/sponsor/orgs/{id}/fundings", tag = "sponsor", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Organisation id")),
    responses((status = 200, body = Vec<FundingDto>)))]
pub async fn list_fundings(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<FundingDto>>, ApiError> {
    let all = budget::fundings(&state, &me, OrgId(id)).await?;
    Ok(Json(all.iter().map(FundingDto::from).collect()))
}

/// Asks for an invoice funding the budget; credited when an operator marks it paid.
#[utoipa::path(post, path = "/api/v1/sponsor/orgs/{id}/fundings", tag = "sponsor", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Organisation id")), request_body = FundingRequest,
    responses((status = 201, body = FundingDto)))]
pub async fn request_funding(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<FundingRequest>,
) -> Result<(StatusCode, Json<FundingDto>), ApiError> {
    let f = budget::request_funding(
        &state,
        &me,
        OrgId(id),
        &req.credits.to_string(),
        &req.reference,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(FundingDto::from(&f))))
}

/// Credit packs to buy for the budget by card.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CardFundingRequest {
    /// A pack on sale (`/api/v1/packs`).
    pub pack_id: i64,
    #[serde(deserialize_with = "crate::api::integral::i64")]
    #[schema(minimum = 1, maximum = 100)]
    pub quantity: i64,
}

/// A card funding waiting for its payment, and where to pay it.
#[derive(Debug, Serialize, ToSchema)]
pub struct CardFundingDto {
    pub funding: FundingDto,
    /// Stripe's hosted page; the credits arrive when Stripe confirms the payment.
    pub pay_at: String,
}

/// Funds the budget by card: packs on sale at their price, paid on Stripe's page. An
/// unknown pack or a wrong quantity is 422; a server without Stripe 409 (`provider`).
#[utoipa::path(post, path = "/api/v1/sponsor/orgs/{id}/fundings/card", tag = "sponsor", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Organisation id")), request_body = CardFundingRequest,
    responses((status = 201, body = CardFundingDto), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 503, description = "Stripe is unreachable; nothing was charged", body = ErrorBody)))]
pub async fn fund_by_card(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<CardFundingRequest>,
) -> Result<(StatusCode, Json<CardFundingDto>), ApiError> {
    let (f, pay_at) = stint_app::sponsor::card::fund_by_card(
        &state,
        &me,
        OrgId(id),
        &req.pack_id.to_string(),
        &req.quantity.to_string(),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(CardFundingDto {
            funding: FundingDto::from(&f),
            pay_at,
        }),
    ))
}

/// The progress of the members who chose to share it (and only theirs), by name.
#[utoipa::path(get, path = "/api/v1/sponsor/orgs/{id}/progress", tag = "sponsor", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Organisation id")),
    responses((status = 200, body = Vec<MemberProgressDto>), (status = 404, body = ErrorBody)))]
pub async fn shared_progress(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<MemberProgressDto>>, ApiError> {
    let all = stint_app::sponsor::sharing::shared_progress(&state, &me, OrgId(id)).await?;
    Ok(Json(all.iter().map(MemberProgressDto::from).collect()))
}

/// An invitation to send.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InviteRequest {
    #[schema(format = "line", max_length = 254)]
    pub email: String,
    /// `member` or `admin`.
    #[schema(format = "line", max_length = 20)]
    pub role: String,
}

/// The invitations sent, newest first.
#[utoipa::path(get, path = "/api/v1/sponsor/orgs/{id}/invites", tag = "sponsor", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Organisation id")),
    responses((status = 200, body = Vec<InviteDto>)))]
pub async fn list_invites(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<InviteDto>>, ApiError> {
    let all = members::invites(&state, &me, OrgId(id)).await?;
    Ok(Json(all.iter().map(InviteDto::from).collect()))
}

/// Invites someone by e-mail; the link (single use, 14 days) is mailed to them.
#[utoipa::path(post, path = "/api/v1/sponsor/orgs/{id}/invites", tag = "sponsor", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Organisation id")), request_body = InviteRequest,
    responses((status = 201, body = InviteDto)))]
pub async fn invite(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<InviteRequest>,
) -> Result<(StatusCode, Json<InviteDto>), ApiError> {
    let i = members::invite(&state, &me, OrgId(id), &req.email, &req.role).await?;
    Ok((StatusCode::CREATED, Json(InviteDto::from(&i))))
}

/// Everyone who belongs or belonged to the organisation.
#[utoipa::path(get, path = "/api/v1/sponsor/orgs/{id}/members", tag = "sponsor", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Organisation id")),
    responses((status = 200, body = Vec<MembershipDto>)))]
pub async fn list_members(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<MembershipDto>>, ApiError> {
    let all = members::members(&state, &me, OrgId(id)).await?;
    Ok(Json(all.iter().map(MembershipDto::from).collect()))
}

/// A booking waiting for an admin's approval.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApprovalDto {
    pub booking_id: i64,
    /// The member who asked.
    pub member: String,
    pub session_type: String,
    pub start: String,
    pub credits: i64,
    /// When it lapses if nobody decides.
    pub due: String,
}

/// The bookings waiting for approval, the first to lapse first.
#[utoipa::path(get, path = "/api/v1/sponsor/orgs/{id}/approvals", tag = "sponsor", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Organisation id")),
    responses((status = 200, body = Vec<ApprovalDto>)))]
pub async fn list_approvals(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<ApprovalDto>>, ApiError> {
    let all = approvals::pending(&state, &me, OrgId(id)).await?;
    Ok(Json(
        all.iter()
            .map(|a| ApprovalDto {
                booking_id: a.booking.0,
                member: a.member.clone(),
                session_type: a.sku_title.clone(),
                start: a.start.to_string(),
                credits: a.credits,
                due: a.due.to_string(),
            })
            .collect(),
    ))
}

/// An admin's decision.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionRequest {
    /// `true` approves; `false` declines, which cancels the booking and returns its credits.
    pub approve: bool,
}

/// Approves or declines a booking waiting for approval; a second decision is 409.
#[utoipa::path(post, path = "/api/v1/sponsor/orgs/{id}/approvals/{booking}", tag = "sponsor", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Organisation id"), ("booking" = i64, Path, description = "Booking id")),
    request_body = DecisionRequest,
    responses((status = 204, description = "Decided"), (status = 409, description = "Decided already or lapsed", body = ErrorBody)))]
pub async fn decide_approval(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiPath((id, booking)): ApiPath<(i64, i64)>,
    ApiJson(req): ApiJson<DecisionRequest>,
) -> Result<StatusCode, ApiError> {
    approvals::decide(
        &state,
        &me,
        OrgId(id),
        stint_domain::booking::BookingId(booking),
        req.approve,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Which month's statement.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct StatementParams {
    /// `YYYY-MM` (UTC).
    #[param(pattern = "^[0-9]{4}-[0-9]{2}$")]
    pub month: String,
}

/// A month's statement as CSV: each session the budget paid for that started in the month,
/// with the credits held, returned and spent; sessions, never who took them.
#[utoipa::path(get, path = "/api/v1/sponsor/orgs/{id}/statement", tag = "sponsor", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Organisation id"), StatementParams),
    responses((status = 200, description = "The statement", content_type = "text/csv", body = String)))]
pub async fn statement(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(p): ApiQuery<StatementParams>,
) -> Result<impl IntoResponse, ApiError> {
    let (name, body) = console::statement_csv(&state, &me, OrgId(id), &p.month).await?;
    Ok(crate::download::csv(&name, body))
}
