//! CSRF protection for forms: a random secret in an HttpOnly cookie, and in a hidden field of
//! every form a token made from that secret and the browser's session (double submit, bound to
//! the session). A cross-site page can neither read the cookie nor set it, so it cannot produce
//! a matching field; a token from another session (or from before a log-in) is refused; the
//! cookie is `__Host-` over HTTPS; SameSite=Lax is another wall.

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

/// The token forms carry: the cookie's secret bound to the session cookie's (none before log-in).
fn form_token(cookie_secret: &str, session: Option<&str>) -> String {
    secret::digest(&format!("{cookie_secret}\u{1f}{}", session.unwrap_or("")))
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
    let session = session::cookie_value(&state, &jar, session::SESSION_COOKIE);
    if let Some(existing) = session::cookie_value(&state, &jar, CSRF_COOKIE) {
        let token = form_token(existing, session);
        req.extensions_mut().insert(CsrfToken(token.clone()));
        return CURRENT.scope(token, next.run(req)).await;
    }
    let Ok(cookie_secret) = secret::new_secret() else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let token = form_token(&cookie_secret, session);
    req.extensions_mut().insert(CsrfToken(token.clone()));
    let response = CURRENT.scope(token, next.run(req)).await;
    let jar = CookieJar::new().add(session::cookie(
        &state,
        CSRF_COOKIE,
        cookie_secret,
        365 * 86_400,
    ));
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

/// Whether `sent` is the form token of the cookies in `jar`: for forms read another way
/// than [`CsrfForm`] (a file upload).
pub fn token_matches(state: &AppState, jar: &CookieJar, sent: &str) -> bool {
    let cookie = session::cookie_value(state, jar, CSRF_COOKIE).unwrap_or_default();
    let expected = form_token(
        cookie,
        session::cookie_value(state, jar, session::SESSION_COOKIE),
    );
    !cookie.is_empty() && secret::constant_time_eq(&expected, sent)
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
        if !token_matches(state, &jar, &field.csrf) {
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
