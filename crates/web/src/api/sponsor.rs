//! Sponsorship over HTTP, over the use cases of `stint_app::sponsor`: operators create
//! organisations and mark funding paid (`/api/v1/operator/orgs`, `/api/v1/operator/fundings`),
//! admins run their organisation's console (`/api/v1/sponsor/orgs/{id}/…`), and members see
//! and join or leave theirs (`/api/v1/me/orgs`). Paying for a booking with a budget is
//! `paid_by` on `POST /api/v1/bookings`.

use crate::auth::{ApiOperator, ApiUser};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};
use stint_app::sponsor::console::Console;
use stint_app::sponsor::{approvals, budget, console, members, orgs};
use stint_domain::ids::OrgId;
use stint_store::sponsor::{FundingRecord, InviteRecord, Membership, OrgRecord};
use utoipa::{IntoParams, ToSchema};

/// A budget's rules.
#[derive(Debug, Serialize, ToSchema)]
pub struct RulesDto {
    /// `month` or `quarter` (UTC calendar periods).
    pub period: String,
    /// What is left when a period ends: `roll_over` or `expire`.
    pub leftover: String,
    /// The most credits one member may spend per period.
    pub cap_credits: i64,
    /// The most sessions one member may book per period.
    pub cap_sessions: i64,
    /// The session types the budget pays for.
    pub sku_ids: Vec<i64>,
    /// Hours an admin has to approve each booking before it lapses; absent: no approval.
    pub approval_hours: Option<i64>,
}

/// An organisation.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrgDto {
    pub id: i64,
    pub name: String,
    /// Absent until an admin sets them.
    pub rules: Option<RulesDto>,
    pub created_at: String,
}

impl From<&OrgRecord> for OrgDto {
    fn from(o: &OrgRecord) -> Self {
        OrgDto {
            id: o.id.0,
            name: o.name.clone(),
            rules: o.rules.as_ref().map(|r| RulesDto {
                period: r.period.as_str().to_string(),
                leftover: r.leftover.as_str().to_string(),
                cap_credits: r.cap_credits,
                cap_sessions: r.cap_sessions,
                sku_ids: r.skus.iter().map(|s| s.0).collect(),
                approval_hours: r.approval_hours,
            }),
            created_at: o.created_at.to_string(),
        }
    }
}

/// A person's place in an organisation.
#[derive(Debug, Serialize, ToSchema)]
pub struct MembershipDto {
    pub org_id: i64,
    pub org_name: String,
    pub user_id: i64,
    pub name: String,
    pub email: String,
    /// `admin` or `member`.
    pub role: String,
    pub joined_at: String,
    /// When they left; they keep the sessions already booked.
    pub left_at: Option<String>,
}

impl From<&Membership> for MembershipDto {
    fn from(m: &Membership) -> Self {
        MembershipDto {
            org_id: m.org.0,
            org_name: m.org_name.clone(),
            user_id: m.user.0,
            name: m.name.clone(),
            email: m.email.clone(),
            role: m.role.as_str().to_string(),
            joined_at: m.joined_at.to_string(),
            left_at: m.left_at.map(|t| t.to_string()),
        }
    }
}

/// An invitation (its link goes only to the invited address).
#[derive(Debug, Serialize, ToSchema)]
pub struct InviteDto {
    pub id: i64,
    pub email: String,
    pub role: String,
    pub created_at: String,
    pub expires_at: String,
    pub used_at: Option<String>,
}

impl From<&InviteRecord> for InviteDto {
    fn from(i: &InviteRecord) -> Self {
        InviteDto {
            id: i.id,
            email: i.email.clone(),
            role: i.role.as_str().to_string(),
            created_at: i.created_at.to_string(),
            expires_at: i.expires_at.to_string(),
            used_at: i.used_at.map(|t| t.to_string()),
        }
    }
}

/// An invoice funding a budget.
#[derive(Debug, Serialize, ToSchema)]
pub struct FundingDto {
    pub id: i64,
    pub org_id: i64,
    pub credits: i64,
    pub reference: String,
    /// Absent while unpaid.
    pub paid_at: Option<String>,
    pub created_at: String,
}

impl From<&FundingRecord> for FundingDto {
    fn from(f: &FundingRecord) -> Self {
        FundingDto {
            id: f.id,
            org_id: f.org.0,
            credits: f.credits,
            reference: f.reference.clone(),
            paid_at: f.paid_at.map(|t| t.to_string()),
            created_at: f.created_at.to_string(),
        }
    }
}

/// One month's spend (UTC).
#[derive(Debug, Serialize, ToSchema)]
pub struct MonthSpendDto {
    /// `YYYY-MM`.
    pub month: String,
    pub credits: i64,
    pub sessions: i64,
}

/// One session type's spend; its session count is absent over fewer than five people.
#[derive(Debug, Serialize, ToSchema)]
pub struct TypeSpendDto {
    pub title: String,
    pub credits: i64,
    pub sessions: Option<i64>,
}

/// Mean skill gain in a competency; absent over fewer than five people.
#[derive(Debug, Serialize, ToSchema)]
pub struct CompetencyGainDto {
    pub competency: String,
    pub mean_gain: Option<f64>,
}

/// Outcomes of the sessions the budget paid for, in aggregate. Every figure about people is
/// absent when fewer than five people stand behind it, or when it and another figure shown
/// would together narrow a group below five.
#[derive(Debug, Serialize, ToSchema)]
pub struct OutcomesDto {
    pub participants: Option<i64>,
    pub non_participants: Option<i64>,
    /// Closed sessions the figures are over.
    pub sessions: Option<u64>,
    pub mini_win_rate: Option<f64>,
    /// The 95% Wilson interval of the mini-win rate.
    pub interval_low: Option<f64>,
    pub interval_high: Option<f64>,
    pub mean_gain: Option<f64>,
    /// Tasks done of tasks set.
    pub task_completion: Option<f64>,
    pub by_competency: Vec<CompetencyGainDto>,
}

/// The sponsor console.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConsoleDto {
    pub org: OrgDto,
    /// Credits the budget holds now.
    pub balance: i64,
    pub period_start: Option<String>,
    pub period_end: Option<String>,
    pub spent_this_period: i64,
    /// Spent this period of what was available in it (0–1).
    pub utilization: Option<f64>,
    pub members: usize,
    pub admins: usize,
    pub by_month: Vec<MonthSpendDto>,
    pub by_type: Vec<TypeSpendDto>,
    pub outcomes: OutcomesDto,
}

impl From<&Console> for ConsoleDto {
    fn from(c: &Console) -> Self {
        let stats = c.outcomes.stats.as_ref();
        ConsoleDto {
            org: OrgDto::from(&c.org),
            balance: c.balance,
            period_start: c.period.map(|(s, _)| s.to_string()),
            period_end: c.period.map(|(_, e)| e.to_string()),
            spent_this_period: c.spent_this_period,
            utilization: c.utilization,
            members: c.members,
            admins: c.admins,
            by_month: c
                .by_month
                .iter()
                .map(|m| MonthSpendDto {
                    month: m.month.clone(),
                    credits: m.credits,
                    sessions: m.sessions,
                })
                .collect(),
            by_type: c
                .by_type
                .iter()
                .map(|t| TypeSpendDto {
                    title: t.title.clone(),
                    credits: t.credits,
                    sessions: t.sessions,
                })
                .collect(),
            outcomes: OutcomesDto {
                participants: c.outcomes.participants,
                non_participants: c.outcomes.non_participants,
                sessions: stats.map(|s| s.sessions),
                mini_win_rate: stats.and_then(|s| s.mini_win_rate),
                interval_low: stats.and_then(|s| s.interval).map(|i| i.0),
                interval_high: stats.and_then(|s| s.interval).map(|i| i.1),
                mean_gain: stats.and_then(|s| s.mean_gain),
                task_completion: stats
                    .filter(|s| s.tasks_total > 0)
                    .map(|s| s.tasks_done as f64 / s.tasks_total as f64),
                by_competency: c
                    .outcomes
                    .by_competency
                    .iter()
                    .map(|g| CompetencyGainDto {
                        competency: g.competency.clone(),
                        mean_gain: g.mean_gain,
                    })
                    .collect(),
            },
        }
    }
}

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
    #[serde(deserialize_with = "super::integral::i64")]
    #[schema(minimum = 1, maximum = 100000)]
    pub cap_credits: i64,
    #[serde(deserialize_with = "super::integral::i64")]
    #[schema(minimum = 1, maximum = 100)]
    pub cap_sessions: i64,
    /// Slugs of the session types the budget pays for.
    #[schema(min_items = 1, max_items = 100)]
    pub skus: Vec<String>,
    /// Hours an admin has to approve each booking (it lapses then, or at the session's start
    /// if sooner, and its credits come back); leave out for no approval.
    #[serde(default, deserialize_with = "super::integral::opt_i64")]
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
    #[serde(deserialize_with = "super::integral::i64")]
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

/// The organisations you belong to now.
#[utoipa::path(get, path = "/api/v1/me/orgs", tag = "sponsor", security(("bearer" = [])),
    responses((status = 200, body = Vec<MembershipDto>)))]
pub async fn my_orgs(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
) -> Result<Json<Vec<MembershipDto>>, ApiError> {
    let all = orgs::mine(&state, &me).await?;
    Ok(Json(all.iter().map(MembershipDto::from).collect()))
}

/// An invitation link's secret.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JoinRequest {
    #[schema(format = "line", max_length = 200)]
    pub token: String,
}

/// Joins the organisation of an invitation link: unknown, used or expired is 422.
#[utoipa::path(post, path = "/api/v1/me/orgs/join", tag = "sponsor", security(("bearer" = [])),
    request_body = JoinRequest,
    responses((status = 200, body = Vec<MembershipDto>)))]
pub async fn join(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiJson(req): ApiJson<JoinRequest>,
) -> Result<Json<Vec<MembershipDto>>, ApiError> {
    members::accept(&state, &me, &req.token).await?;
    let all = orgs::mine(&state, &me).await?;
    Ok(Json(all.iter().map(MembershipDto::from).collect()))
}

/// Leaves an organisation; sessions already booked stay booked and paid by it.
#[utoipa::path(post, path = "/api/v1/me/orgs/{id}/leave", tag = "sponsor", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Organisation id")),
    responses((status = 204, description = "Left")))]
pub async fn leave(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    members::leave(&state, &me, OrgId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
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
