//! Skill credentials through the API: claim one for a session, list, share, stop sharing,
//! revoke, and verify any credential (anyone, no account needed) — thin edges over
//! `stint_app::skill_credentials`.

use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use stint_app::skill_credentials::{self as creds, CredentialView};
use stint_domain::credential::ClaimChoices;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct SkillCredentialDto {
    pub id: i64,
    pub booking_id: i64,
    /// "Competency: checkpoint".
    pub name: String,
    /// The holder's name, when they chose to include it.
    pub holder: Option<String>,
    pub session_at: Option<String>,
    pub issued_at: String,
    pub revoked_at: Option<String>,
    /// The public verification link while it is shared.
    pub share_url: Option<String>,
    /// The signed credential: a VC-JWT (compact JWS, EdDSA) whose payload is an Open Badges
    /// 3.0 `OpenBadgeCredential`.
    pub jwt: String,
    /// The credential's JSON, as signed.
    #[schema(value_type = Object)]
    pub credential: serde_json::Value,
}

impl From<CredentialView> for SkillCredentialDto {
    fn from(v: CredentialView) -> Self {
        SkillCredentialDto {
            id: v.id,
            booking_id: v.booking,
            name: v.name,
            holder: v.holder,
            session_at: v.session_at.map(|t| t.to_string()),
            issued_at: v.issued_at.to_string(),
            revoked_at: v.revoked_at.map(|t| t.to_string()),
            share_url: v.share_url,
            jwt: v.jwt,
            credential: v.credential,
        }
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClaimRequest {
    /// Put your name in it (otherwise it names nobody).
    #[serde(default)]
    pub include_name: bool,
    /// Put your follow-up self-rating on the competency's rubric in it, if you took it.
    #[serde(default)]
    pub include_level: bool,
    /// Put your mentor's evidence, as written when closing the session, in it.
    #[serde(default)]
    pub include_evidence: bool,
}

/// Claims the credential for a session whose checkpoint your mentor attested as reached (its
/// mentee only). 201 when issued now, 200 with the one issued before.
#[utoipa::path(post, operation_id = "claim_credential", path = "/api/v1/bookings/{id}/credential", tag = "credentials", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Booking id")),
    request_body = ClaimRequest,
    responses((status = 201, body = SkillCredentialDto), (status = 200, description = "Issued before", body = SkillCredentialDto),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "The checkpoint was not reached, or the session is not closed", body = ErrorBody)))]
pub async fn claim(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<ClaimRequest>,
) -> Result<(StatusCode, Json<SkillCredentialDto>), ApiError> {
    let choices = ClaimChoices {
        name: req.include_name,
        level: req.include_level,
        evidence: req.include_evidence,
    };
    let (c, issued) = creds::claim(&state, &me, id, choices).await?;
    let status = if issued {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(c.into())))
}

/// Your credentials, newest first.
#[utoipa::path(get, operation_id = "my_credentials", path = "/api/v1/me/credentials", tag = "credentials", security(("bearer" = [])),
    responses((status = 200, body = [SkillCredentialDto]), (status = 401, body = ErrorBody)))]
pub async fn mine(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
) -> Result<Json<Vec<SkillCredentialDto>>, ApiError> {
    let all = creds::mine(&state, &me).await?;
    Ok(Json(all.into_iter().map(Into::into).collect()))
}

/// One of your credentials (operators: any).
#[utoipa::path(get, operation_id = "get_credential", path = "/api/v1/credentials/{id}", tag = "credentials", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Credential id")),
    responses((status = 200, body = SkillCredentialDto), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn one(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<SkillCredentialDto>, ApiError> {
    Ok(Json(creds::one(&state, &me, id).await?.into()))
}

/// Shares a public verification link (`share_url`); the same link if it is shared already.
#[utoipa::path(post, operation_id = "share_credential", path = "/api/v1/credentials/{id}/share", tag = "credentials", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Credential id")),
    responses((status = 200, body = SkillCredentialDto), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "It is revoked", body = ErrorBody)))]
pub async fn share(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<SkillCredentialDto>, ApiError> {
    Ok(Json(creds::share(&state, &me, id).await?.into()))
}

/// Stops sharing: the link no longer works.
#[utoipa::path(delete, operation_id = "unshare_credential", path = "/api/v1/credentials/{id}/share", tag = "credentials", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Credential id")),
    responses((status = 200, body = SkillCredentialDto), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn unshare(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<SkillCredentialDto>, ApiError> {
    Ok(Json(creds::stop_sharing(&state, &me, id).await?.into()))
}

/// Revokes a credential for good (its holder, or an operator): every copy verifies as
/// revoked from now on.
#[utoipa::path(post, operation_id = "revoke_credential", path = "/api/v1/credentials/{id}/revoke", tag = "credentials", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Credential id")),
    responses((status = 200, body = SkillCredentialDto), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "Revoked already", body = ErrorBody)))]
pub async fn revoke(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<SkillCredentialDto>, ApiError> {
    Ok(Json(creds::revoke(&state, &me, id).await?.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyRequest {
    /// A credential as issued (the VC-JWT).
    #[schema(format = "text", min_length = 1, max_length = 16384)]
    pub credential: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VerificationDto {
    /// `valid`, `revoked` or `tampered`.
    pub status: String,
    /// Why it is not valid, in words.
    pub reason: Option<String>,
    /// The credential's JSON when the signature holds.
    #[schema(value_type = Option<Object>)]
    pub credential: Option<serde_json::Value>,
}

/// Verifies a credential: signed by this site's issuer key, unchanged, and not revoked. No
/// account needed.
#[utoipa::path(post, operation_id = "verify_credential", path = "/api/v1/credentials/verify", tag = "credentials",
    request_body = VerifyRequest,
    responses((status = 200, body = VerificationDto), (status = 422, body = ErrorBody)))]
pub async fn verify(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<VerifyRequest>,
) -> Result<Json<VerificationDto>, ApiError> {
    let (verdict, credential) = creds::verify(&state, &req.credential).await?;
    Ok(Json(VerificationDto {
        status: verdict.as_str().to_string(),
        reason: match verdict {
            creds::Verdict::Tampered(why) => Some(why.to_string()),
            creds::Verdict::Revoked => Some("its holder or the issuer revoked it".to_string()),
            creds::Verdict::Valid => None,
        },
        credential,
    }))
}
