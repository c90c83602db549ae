//! CSRF protection for forms: a random token in an HttpOnly cookie, repeated in a hidden
//! field of every form (double submit). A cross-site page can neither read the cookie
//! nor set it, so it cannot produce a matching field; SameSite=Lax is a second wall.

use super::session;
use crate::state::AppState;
use axum::extract::{FromRequest, FromRequestParts, Request, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use stint_app::auth::secret;

pub const CSRF_COOKIE: &str = "stint_csrf";
pub const CSRF_FIELD: &str = "csrf";

/// The token to put in this page's forms.
#[derive(Debug, Clone)]
pub struct CsrfToken(pub String);

tokio::task_local! {
    /// This request's token, so pages rendered far from the handler (error pages) can
    /// still give their forms (the log-out button) a valid token.
    static CURRENT: String;
}

/// The current request's CSRF token, or empty outside a page request.
pub fn current_token() -> String {
    CURRENT.try_with(|t| t.clone()).unwrap_or_default()
}

/// Gives every visitor a token before any form is rendered.
pub async fn ensure_token(
    State(state): State<AppState>,
    jar: CookieJar,
    mut req: Request,
    next: Next,
) -> Response {
    if let Some(existing) = jar.get(CSRF_COOKIE) {
        let token = existing.value().to_string();
        req.extensions_mut().insert(CsrfToken(token.clone()));
        return CURRENT.scope(token, next.run(req)).await;
    }
    let Ok(token) = secret::new_secret() else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    req.extensions_mut().insert(CsrfToken(token.clone()));
    let response = CURRENT.scope(token.clone(), next.run(req)).await;
    let jar = CookieJar::new().add(session::cookie(&state, CSRF_COOKIE, token, 365 * 86_400));
    (jar, response).into_response()
}

impl<S: Send + Sync> FromRequestParts<S> for CsrfToken {
    type Rejection = StatusCode;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, StatusCode> {
        parts
            .extensions
            .get::<CsrfToken>()
            .cloned()
            .ok_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

#[derive(Deserialize)]
struct CsrfField {
    #[serde(default)]
    csrf: String,
}

/// A URL-encoded form whose CSRF field matched the cookie. Every field of `T` should have
/// a default, so a missing field becomes a validation message rather than a rejection.
pub struct CsrfForm<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let user = match super::MaybeUser::from_request_parts(&mut parts, state).await {
            Ok(super::MaybeUser(user)) => user,
            Err(response) => return Err(response),
        };
        let req = Request::from_parts(parts, body);
        let jar = CookieJar::from_headers(req.headers());
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|e| e.into_response())?;
        let field: CsrfField = serde_html_form::from_bytes(&bytes).unwrap_or(CsrfField {
            csrf: String::new(),
        });
        let cookie = jar
            .get(CSRF_COOKIE)
            .map(|c| c.value().to_string())
            .unwrap_or_default();
        if cookie.is_empty() || !secret::constant_time_eq(&cookie, &field.csrf) {
            return Err(crate::pages::render::forbidden_form(user));
        }
        serde_html_form::from_bytes(&bytes)
            .map(CsrfForm)
            .map_err(|e| {
                (
                    StatusCode::BAD_REQUEST,
                    format!("The form could not be read: {e}"),
                )
                    .into_response()
            })
    }
}
