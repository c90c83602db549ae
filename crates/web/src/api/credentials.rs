//! The caller's own credentials over the API: change the password, log out everywhere, list
//! and revoke API tokens, and reset a forgotten password by e-mail. Each handler is one call
//! of `stint_app::auth::credentials`.

use crate::api::availability::rfc3339_in;
use crate::auth::ApiUser;
use crate::auth::user::bearer;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::{Deserialize, Serialize};
use stint_app::auth::credentials::{self as creds, Asking};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current_password: String,
    /// At least 10 characters, not the e-mail address, not a common password.
    #[schema(format = "passphrase", min_length = 10, max_length = 128)]
    pub new_password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Ended {
    /// How many other sessions and API tokens were ended.
    pub ended: u64,
}

/// Changes the caller's password. Every other session and token ends; this token is kept.
#[utoipa::path(post, path = "/api/v1/me/password", tag = "auth", security(("bearer" = [])),
    request_body = PasswordChange,
    responses((status = 200, body = Ended), (status = 401, body = ErrorBody),
        (status = 422, description = "`current_password` is wrong or `new_password` is too weak", body = ErrorBody),
        (status = 503, description = "`busy`: too many password checks under way (`Retry-After`)", body = ErrorBody)))]
pub async fn change_password(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    parts: Parts,
    ApiJson(req): ApiJson<PasswordChange>,
) -> Result<Json<Ended>, ApiError> {
    let token = bearer(&parts).unwrap_or_default();
    let ended = creds::change_password(
        &state,
        &me,
        &req.current_password,
        &req.new_password,
        Asking::Token(&token),
    )
    .await?;
    Ok(Json(Ended { ended }))
}

/// Ends every web session and API token of the caller, this token included.
#[utoipa::path(post, path = "/api/v1/me/logout-everywhere", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = Ended), (status = 401, body = ErrorBody)))]
pub async fn log_out_everywhere(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
) -> Result<Json<Ended>, ApiError> {
    let ended = creds::log_out_everywhere(&state, &me).await?;
    Ok(Json(Ended { ended }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenDto {
    pub id: i64,
    /// Where it was made (`api`, or the name given).
    pub label: String,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub expires_at: String,
    /// Recorded at most once a minute; null if never used.
    #[schema(format = DateTime)]
    pub last_used_at: Option<String>,
}

/// The caller's live API tokens, newest first (never their secrets).
#[utoipa::path(get, path = "/api/v1/me/tokens", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = [TokenDto]), (status = 401, body = ErrorBody)))]
pub async fn list_tokens(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
) -> Result<Json<Vec<TokenDto>>, ApiError> {
    let tz = me.zone();
    let list = creds::tokens(&state, &me)
        .await?
        .into_iter()
        .map(|t| TokenDto {
            id: t.id,
            label: t.label,
            created_at: rfc3339_in(t.created_at, &tz),
            expires_at: rfc3339_in(t.expires_at, &tz),
            last_used_at: t.last_used_at.map(|at| rfc3339_in(at, &tz)),
        })
        .collect();
    Ok(Json(list))
}

/// Revokes one of the caller's tokens.
#[utoipa::path(delete, path = "/api/v1/me/tokens/{id}", tag = "auth", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Token id")),
    responses((status = 204, description = "Revoked"), (status = 401, body = ErrorBody),
        (status = 404, description = "No such token of yours", body = ErrorBody)))]
pub async fn revoke_token(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    path: Result<ApiPath<i64>, ApiError>,
) -> Result<StatusCode, ApiError> {
    let ApiPath(id) = path?;
    creds::revoke_token(&state, &me, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetRequest {
    #[schema(format = "email", max_length = 254)]
    pub email: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ResetRequested {
    /// The same words whether or not the address has an account.
    pub message: String,
}

/// Mails a single-use link to choose a new password, if the address has an account. The
/// answer is the same either way.
#[utoipa::path(post, path = "/api/v1/auth/password-reset", tag = "auth", request_body = ResetRequest,
    responses((status = 202, body = ResetRequested),
        (status = 422, description = "Not an e-mail address", body = ErrorBody)))]
pub async fn request_reset(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<ResetRequest>,
) -> Result<(StatusCode, Json<ResetRequested>), ApiError> {
    creds::request_password_reset(&state, &req.email).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(ResetRequested {
            message: RESET_SENT.to_string(),
        }),
    ))
}

/// What anyone asking for a reset link is told.
pub const RESET_SENT: &str = "If an account has this address, a link to choose a new password \
    is on its way. It works once, for an hour.";

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetConfirm {
    /// The `token` of the link in the mail.
    #[schema(max_length = 200)]
    pub token: String,
    #[schema(format = "passphrase", min_length = 10, max_length = 128)]
    pub new_password: String,
}

/// Sets a new password with a reset link. The link is used up, and every session and token
/// of the account ends; log in with the new password.
#[utoipa::path(post, path = "/api/v1/auth/password-reset/confirm", tag = "auth", request_body = ResetConfirm,
    responses((status = 204, description = "Password set"),
        (status = 422, description = "The link is unknown, used or expired (`token`), or the password too weak", body = ErrorBody),
        (status = 503, description = "`busy` (`Retry-After`)", body = ErrorBody)))]
pub async fn confirm_reset(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<ResetConfirm>,
) -> Result<StatusCode, ApiError> {
    creds::reset_password(&state, &req.token, &req.new_password).await?;
    Ok(StatusCode::NO_CONTENT)
}
