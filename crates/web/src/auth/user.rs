//! Who is asking: the API's bearer-token user and the pages' session user.

use super::session::SESSION_COOKIE;
use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::{FromRequestParts, OriginalUri};
use axum::http::header;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use stint_app::auth::sessions;
use stint_domain::account::Account;

/// The account behind `Authorization: Bearer <token>`; 401 in the API's shape otherwise.
pub struct ApiUser(pub Account);

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = bearer(parts).ok_or_else(ApiError::unauthenticated)?;
        let account = sessions::token_account(&state.app, &token)
            .await?
            .ok_or_else(ApiError::unauthenticated)?;
        Ok(ApiUser(account))
    }
}

/// The bearer-token user, who must be an operator. Checked before anything else of the
/// request is read, so anyone else gets 403 whatever body or path they sent (the rule is
/// `stint_app::access::require`, which the use case applies too).
pub struct ApiOperator(pub Account);

impl FromRequestParts<AppState> for ApiOperator {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let ApiUser(account) = ApiUser::from_request_parts(parts, state).await?;
        stint_app::access::require(&account, stint_domain::role::Role::Operator)?;
        Ok(ApiOperator(account))
    }
}

/// The bearer token of a request, if it carries one.
pub fn bearer(parts: &Parts) -> Option<String> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    (scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty())
        .then(|| token.trim().to_string())
}

/// The account of the browser's session, if logged in.
pub struct MaybeUser(pub Option<Account>);

impl FromRequestParts<AppState> for MaybeUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let jar = CookieJar::from_headers(&parts.headers);
        let Some(secret) = super::session::cookie_value(state, &jar, SESSION_COOKIE) else {
            return Ok(MaybeUser(None));
        };
        match sessions::session_account(&state.app, secret).await {
            Ok(account) => Ok(MaybeUser(account)),
            Err(e) => Err(crate::pages::render::failure(e)),
        }
    }
}

/// A logged-in browser; anyone else is sent to the log-in page and brought back after.
pub struct PageUser(pub Account);

impl FromRequestParts<AppState> for PageUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        match MaybeUser::from_request_parts(parts, state).await? {
            MaybeUser(Some(account)) => Ok(PageUser(account)),
            MaybeUser(None) => {
                // Path and query, so a booking confirmation survives the detour via log-in.
                let uri = parts
                    .extensions
                    .get::<OriginalUri>()
                    .map(|u| u.0.clone())
                    .unwrap_or_else(|| parts.uri.clone());
                let path = uri
                    .path_and_query()
                    .map(|p| p.as_str().to_string())
                    .unwrap_or_else(|| uri.path().to_string());
                let next = serde_urlencoded::to_string([("next", path)]).unwrap_or_default();
                Err(Redirect::to(&format!("/login?{next}")).into_response())
            }
        }
    }
}
