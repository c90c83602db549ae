//! Who is asking: web sessions (a random id whose digest is stored) and API bearer tokens.
//! Both are checked against the database on every request, so a logged-out session, a
//! deleted token or a revoked role is refused at once on every node.

use super::secret;
use crate::App;
use crate::error::AppError;
use jiff::{SignedDuration, Timestamp};
use stint_domain::account::Account;
use stint_domain::ids::UserId;

/// How long a web session lasts.
pub const SESSION_DAYS: i64 = 14;

/// A new web session: the secret for the cookie and when it expires.
pub struct NewSession {
    pub secret: String,
    pub expires: Timestamp,
}

/// Starts a web session for `user`.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn start(app: &App, user: UserId) -> Result<NewSession, AppError> {
    let id = secret::new_secret()?;
    let now = app.now();
    let expires = now
        .saturating_add(SignedDuration::from_hours(24 * SESSION_DAYS))
        .unwrap_or(now);
    app.store
        .create_web_session(&secret::digest(&id), user, now, expires)
        .await?;
    Ok(NewSession {
        secret: id,
        expires,
    })
}

/// Ends the web session with this secret, if it exists.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn end(app: &App, session_secret: &str) -> Result<(), AppError> {
    app.store
        .delete_web_session(&secret::digest(session_secret))
        .await?;
    Ok(())
}

/// The account of a live web session.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn session_account(app: &App, session_secret: &str) -> Result<Option<Account>, AppError> {
    Ok(app
        .store
        .web_session_account(&secret::digest(session_secret), app.now())
        .await?)
}

/// The account of a live API token.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn token_account(app: &App, token: &str) -> Result<Option<Account>, AppError> {
    let digest = secret::digest(token);
    let now = app.now();
    let account = app.store.api_token_account(&digest, now).await?;
    if account.is_some() && app.token_uses.due(&digest, now) {
        // The list's "last used" is a convenience: a failed write does not refuse the request.
        if let Err(e) = app.store.touch_api_token(&digest, now).await {
            tracing::warn!(error = %e, "a token's last use was not recorded");
        }
    }
    Ok(account)
}
