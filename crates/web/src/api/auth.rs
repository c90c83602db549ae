//! `/api/v1/auth/*` and `/api/v1/me`.

use super::dto::{
    LoginRequest, LoginResponse, Me, MeUpdate, SignupAccepted, SignupConfirm, SignupRequest,
};
use crate::auth::ApiUser;
use crate::auth::user::bearer;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ClientAddr};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::request::Parts;
use stint_app as ops;
use stint_app::auth::{login, signup, tokens};
use stint_domain::account::SignupInput;
use stint_domain::validate;

pub use stint_app::auth::tokens::TOKEN_DAYS;

/// Starts a mentee account: the address gets a mail with a link that makes the account
/// (`POST /api/v1/auth/signup/confirm`), or, if it already has one, a note saying so. The
/// answer is the same either way, so it never tells whether an address has an account.
#[utoipa::path(post, path = "/api/v1/auth/signup", tag = "auth", request_body = SignupRequest,
    responses(
        (status = 202, description = "The link is on its way to the address", body = SignupAccepted),
        (status = 422, description = "Invalid fields", body = ErrorBody),
        (status = 429, description = "Too many sign-ups from this address (`Retry-After` says when to try again)", body = ErrorBody),
        (status = 503, description = "`busy`: too many password checks under way (`Retry-After`)", body = ErrorBody),
    ))]
pub async fn signup(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    ApiJson(req): ApiJson<SignupRequest>,
) -> Result<(StatusCode, Json<SignupAccepted>), ApiError> {
    let input = SignupInput {
        email: req.email,
        password: req.password,
        display_name: req.display_name,
        timezone: req.timezone,
    };
    signup::sign_up(&state, input, &addr).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(SignupAccepted {
            message: SIGNUP_SENT.to_string(),
        }),
    ))
}

/// What everyone who signs up is told.
pub const SIGNUP_SENT: &str = "Check your mail: a link to finish creating your account is on \
    its way. It works once, for 24 hours.";

/// Follows the link mailed to a sign-up: makes the account, once.
#[utoipa::path(post, path = "/api/v1/auth/signup/confirm", tag = "auth", request_body = SignupConfirm,
    responses(
        (status = 201, description = "Account created", body = Me),
        (status = 409, description = "`email_taken`: the address got an account meanwhile", body = ErrorBody),
        (status = 422, description = "`signup_link_invalid`: unknown, used or expired link", body = ErrorBody),
    ))]
pub async fn confirm_signup(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<SignupConfirm>,
) -> Result<(StatusCode, Json<Me>), ApiError> {
    let account = signup::confirm_sign_up(&state, &req.token).await?;
    Ok((StatusCode::CREATED, Json(Me::from(&account))))
}

/// Exchanges e-mail and password for a bearer token.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses(
        (status = 200, body = LoginResponse),
        (status = 401, description = "Wrong e-mail or password", body = ErrorBody),
        (status = 429, description = "Too many failed attempts", body = ErrorBody),
        (status = 503, description = "`busy`: too many password checks under way (`Retry-After`)", body = ErrorBody),
    ))]
pub async fn login(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    ApiJson(req): ApiJson<LoginRequest>,
) -> Result<Json<LoginResponse>, ApiError> {
    let mut errors = stint_domain::FieldErrors::new();
    if req.email.trim().is_empty() {
        errors.add("email", "is required");
    }
    if req.email.len() > stint_domain::account::EMAIL_MAX {
        errors.add("email", "is too long");
    }
    if req.password.is_empty() {
        errors.add("password", "is required");
    }
    if req.password.chars().count() > stint_domain::account::PASSWORD_MAX {
        errors.add("password", "is too long");
    }
    let label = match &req.label {
        Some(l) => errors.check("label", validate::line(l, 1, 60)),
        None => Some("api".to_string()),
    };
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let account = login::authenticate(&state, &req.email, &req.password, &addr).await?;
    let issued = tokens::issue(&state, &account, &label.unwrap_or_default()).await?;
    Ok(Json(LoginResponse {
        token: issued.token,
        expires_at: issued.expires.to_string(),
        user: Me::from(&account),
    }))
}

/// Revokes the token this request is made with.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", security(("bearer" = [])),
    responses((status = 204, description = "Token revoked"), (status = 401, body = ErrorBody)))]
pub async fn logout(
    State(state): State<AppState>,
    _user: ApiUser,
    parts: Parts,
) -> Result<StatusCode, ApiError> {
    if let Some(token) = bearer(&parts) {
        tokens::revoke(&state, &token).await?;
    }
    Ok(StatusCode::NO_CONTENT)
}

/// The account behind the token.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
pub async fn me(ApiUser(account): ApiUser) -> Json<Me> {
    Json(Me::from(&account))
}

/// Changes the caller's display name or time zone.
#[utoipa::path(patch, path = "/api/v1/me", tag = "auth", security(("bearer" = [])), request_body = MeUpdate,
    responses((status = 200, body = Me), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_me(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiJson(req): ApiJson<MeUpdate>,
) -> Result<Json<Me>, ApiError> {
    let input = stint_domain::account::ProfileInput {
        display_name: req.display_name.unwrap_or_else(|| me.display_name.clone()),
        timezone: req.timezone.unwrap_or_else(|| me.timezone.clone()),
    };
    let account = ops::accounts::update_profile(&state, &me, input).await?;
    Ok(Json(Me::from(&account)))
}
