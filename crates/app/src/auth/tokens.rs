//! API bearer tokens: issued at log-in, valid for [`TOKEN_DAYS`], only their digest stored.

use super::secret;
use crate::App;
use crate::error::AppError;
use jiff::{SignedDuration, Timestamp};
use stint_domain::account::Account;

pub const TOKEN_DAYS: i64 = 30;

/// A token just issued: the secret (shown once) and when it expires.
pub struct IssuedToken {
    pub token: String,
    pub expires: Timestamp,
}

/// Issues a token for `account`, labelled for the token list.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn issue(app: &App, account: &Account, label: &str) -> Result<IssuedToken, AppError> {
    let token = secret::new_secret()?;
    let now = app.now();
    let expires = now
        .saturating_add(SignedDuration::from_hours(24 * TOKEN_DAYS))
        .unwrap_or(now);
    app.store
        .create_api_token(&secret::digest(&token), account.id, label, now, expires)
        .await?;
    Ok(IssuedToken { token, expires })
}

/// Revokes the token with this secret.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn revoke(app: &App, token: &str) -> Result<(), AppError> {
    app.store.delete_api_token(&secret::digest(token)).await?;
    Ok(())
}
