//! `/api/v1/sponsor/orgs/{id}/domains`: the e-mail domains whose people join an organisation
//! as members. Adding one mails a single-use link to an address at it; the domain counts
//! once someone there confirms (the page `/org-domains/verify`).

use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use stint_app::sponsor::domains;
use stint_domain::ids::OrgId;
use stint_store::sponsor::DomainRecord;
use utoipa::ToSchema;

/// An organisation's e-mail domain.
#[derive(Debug, Serialize, ToSchema)]
pub struct DomainDto {
    pub id: i64,
    pub domain: String,
    /// Where the verification link was sent.
    pub address: String,
    /// `pending` until someone at the address confirms, then `verified`.
    pub state: String,
    pub created_at: String,
    /// When the link stops working (while pending).
    pub expires_at: String,
    pub verified_at: Option<String>,
}

impl From<&DomainRecord> for DomainDto {
    fn from(d: &DomainRecord) -> Self {
        DomainDto {
            id: d.id,
            domain: d.domain.clone(),
            address: d.address.clone(),
            state: if d.verified_at.is_some() {
                "verified"
            } else {
                "pending"
            }
            .into(),
            created_at: d.created_at.to_string(),
            expires_at: d.expires_at.to_string(),
            verified_at: d.verified_at.map(|t| t.to_string()),
        }
    }
}

/// A domain to verify and the address at it that receives the link.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DomainRequest {
    #[schema(format = "line", max_length = 253, example = "acme.example")]
    pub domain: String,
    #[schema(format = "line", max_length = 254, example = "it@acme.example")]
    pub address: String,
}

/// The organisation's domains, verified or waiting for their link.
#[utoipa::path(get, path = "/api/v1/sponsor/orgs/{id}/domains", tag = "sponsor", security(("bearer" = [])),
    operation_id = "list_org_domains",
    params(("id" = i64, Path, description = "Organisation id")),
    responses((status = 200, body = Vec<DomainDto>), (status = 404, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<DomainDto>>, ApiError> {
    let all = domains::list(&state, &me, OrgId(id)).await?;
    Ok(Json(all.iter().map(DomainDto::from).collect()))
}

/// Asks to verify a domain: a link goes to the address, which must be at the domain. A
/// public mail service, an address elsewhere or a domain verified already is refused by
/// field (422 or 409), and nothing is written.
#[utoipa::path(post, path = "/api/v1/sponsor/orgs/{id}/domains", tag = "sponsor", security(("bearer" = [])),
    operation_id = "add_org_domain",
    params(("id" = i64, Path, description = "Organisation id")), request_body = DomainRequest,
    responses((status = 202, description = "The link is on its way", body = DomainDto),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn add(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<DomainRequest>,
) -> Result<(StatusCode, Json<DomainDto>), ApiError> {
    let d = domains::add(&state, &me, OrgId(id), &req.domain, &req.address).await?;
    Ok((StatusCode::ACCEPTED, Json(DomainDto::from(&d))))
}

/// Stops people joining by the domain; who joined stays a member.
#[utoipa::path(delete, path = "/api/v1/sponsor/orgs/{id}/domains/{domain}", tag = "sponsor", security(("bearer" = [])),
    operation_id = "remove_org_domain",
    params(("id" = i64, Path, description = "Organisation id"), ("domain" = i64, Path, description = "Domain id")),
    responses((status = 204, description = "Removed"), (status = 404, body = ErrorBody)))]
pub async fn remove(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiPath((id, domain)): ApiPath<(i64, i64)>,
) -> Result<StatusCode, ApiError> {
    domains::remove(&state, &me, OrgId(id), domain).await?;
    Ok(StatusCode::NO_CONTENT)
}
