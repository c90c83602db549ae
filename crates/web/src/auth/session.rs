//! Web sessions: a random id in an HttpOnly, SameSite cookie; only its digest is stored.

use super::secret;
use crate::error::ApiError;
use crate::state::AppState;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use jiff::SignedDuration;
use stint_domain::ids::UserId;

pub const SESSION_COOKIE: &str = "stint_session";
pub const SESSION_DAYS: i64 = 14;

/// Builds a cookie with Stint's flags: HttpOnly, SameSite=Lax, path `/`, Secure over TLS.
pub fn cookie(
    state: &AppState,
    name: &'static str,
    value: String,
    max_age_secs: i64,
) -> Cookie<'static> {
    Cookie::build((name, value))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.config.secure_cookies)
        .path("/")
        .max_age(cookie::time::Duration::seconds(max_age_secs))
        .build()
}

/// Starts a session for `user` and returns the jar with its cookie.
pub async fn start(state: &AppState, jar: CookieJar, user: UserId) -> Result<CookieJar, ApiError> {
    let id = secret::new_secret()?;
    let now = state.now();
    let expires = now
        .saturating_add(SignedDuration::from_hours(24 * SESSION_DAYS))
        .unwrap_or(now);
    state
        .store
        .create_web_session(&secret::digest(&id), user, now, expires)
        .await?;
    Ok(jar.add(cookie(state, SESSION_COOKIE, id, SESSION_DAYS * 86_400)))
}

/// Ends the session in the jar, if any, in the database and in the browser.
pub async fn end(state: &AppState, jar: CookieJar) -> Result<CookieJar, ApiError> {
    if let Some(c) = jar.get(SESSION_COOKIE) {
        state
            .store
            .delete_web_session(&secret::digest(c.value()))
            .await?;
    }
    Ok(jar.remove(Cookie::build(SESSION_COOKIE).path("/")))
}
