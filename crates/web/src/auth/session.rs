//! Web sessions in the browser: a random id in an HttpOnly, SameSite cookie; the session
//! itself (only its digest is stored) is `stint_app::auth::sessions`.

use crate::state::AppState;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use stint_app::AppError;
use stint_app::auth::sessions;
use stint_domain::ids::UserId;

pub const SESSION_COOKIE: &str = "stint_session";
pub use sessions::SESSION_DAYS;

/// A cookie's name as sent. With `secure_cookies` it starts with `__Host-`: browsers take such
/// a cookie only over HTTPS, with path `/` and no domain, so a sibling subdomain can neither
/// set nor shadow it.
pub fn cookie_name(state: &AppState, name: &str) -> String {
    if state.config.secure_cookies {
        format!("__Host-{name}")
    } else {
        name.to_string()
    }
}

/// The value of one of Stint's cookies in `jar`, by its name as sent.
pub fn cookie_value<'j>(state: &AppState, jar: &'j CookieJar, name: &str) -> Option<&'j str> {
    jar.get(&cookie_name(state, name)).map(|c| c.value())
}

/// Builds a cookie with Stint's flags: HttpOnly, SameSite=Lax, path `/`, Secure over TLS.
pub fn cookie(state: &AppState, name: &str, value: String, max_age_secs: i64) -> Cookie<'static> {
    Cookie::build((cookie_name(state, name), value))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.config.secure_cookies)
        .path("/")
        .max_age(cookie::time::Duration::seconds(max_age_secs))
        .build()
}

/// Starts a session for `user` and returns the jar with its cookie.
pub async fn start(state: &AppState, jar: CookieJar, user: UserId) -> Result<CookieJar, AppError> {
    let session = sessions::start(&state.app, user).await?;
    Ok(jar.add(cookie(
        state,
        SESSION_COOKIE,
        session.secret,
        SESSION_DAYS * 86_400,
    )))
}

/// Ends the session in the jar, if any, in the database and in the browser.
pub async fn end(state: &AppState, jar: CookieJar) -> Result<CookieJar, AppError> {
    if let Some(secret) = cookie_value(state, &jar, SESSION_COOKIE) {
        sessions::end(&state.app, secret).await?;
    }
    Ok(jar.remove(
        Cookie::build(cookie_name(state, SESSION_COOKIE))
            .path("/")
            .secure(state.config.secure_cookies),
    ))
}
