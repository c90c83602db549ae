//! What every account owner manages of their own credentials: change the password (the
//! current one asked first), reset it by e-mail (a single-use link, valid an hour, stored as a
//! digest; the answer never says whether the e-mail has an account), log out everywhere, and
//! the list of API tokens with their last use, each revocable. A new password ends every other
//! session and token.

use super::{password, secret};
use crate::App;
use crate::error::{AppError, ErrorKind};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use stint_domain::FieldErrors;
use stint_domain::account::{Account, check_password};
use stint_domain::ids::UserId;
use stint_store::{ApiTokenInfo, Keep, NewJob};

/// How long a reset link works.
pub const RESET_MINUTES: i64 = 60;
/// Reset mails per account per hour; more requests are answered the same and send nothing.
pub const RESETS_PER_HOUR: i64 = 3;
/// The job that makes a reset link and mails it (the secret never enters the queue).
pub const RESET_MAIL: &str = "account.password_reset_mail";

/// The reset job's input: whom to send a link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResetMailJob {
    pub user: i64,
}

/// The credential the request came with, kept when the others end.
#[derive(Debug, Clone, Copy)]
pub enum Asking<'a> {
    /// A web session, by the cookie's secret.
    Session(&'a str),
    /// An API token, by its secret.
    Token(&'a str),
}

/// A new password that passes the policy, or the field error under `field`.
fn new_password(account_email: &str, field: &str, pw: &str) -> Result<(), AppError> {
    check_password(pw, Some(account_email))
        .map_err(|m| AppError::validation(FieldErrors::single(field, m)))
}

/// Changes `me`'s password after checking the current one; every other session and token
/// ends, the one `asking` is kept.
// Holds passwords: nothing of the input is recorded.
#[tracing::instrument(skip_all)]
pub async fn change_password(
    app: &App,
    me: &Account,
    current: &str,
    new: &str,
    asking: Asking<'_>,
) -> Result<u64, AppError> {
    new_password(me.email.as_str(), "new_password", new)?;
    let (_, hash) = app
        .store
        .credentials(me.email.as_str())
        .await?
        .ok_or_else(|| AppError::not_found("account"))?;
    let right = password::verify(current.to_string(), hash)
        .await
        .map_err(|_| AppError::busy(password::RETRY_AFTER_SECS))?;
    if !right {
        return Err(AppError::validation(FieldErrors::single(
            "current_password",
            "is not your current password",
        )));
    }
    let hash = password::hash(new.to_string()).await?;
    app.store.set_password_hash(me.id, &hash).await?;
    let digest;
    let keep = match asking {
        Asking::Session(s) => {
            digest = secret::digest(s);
            Keep::Session(&digest)
        }
        Asking::Token(t) => {
            digest = secret::digest(t);
            Keep::Token(&digest)
        }
    };
    Ok(app.store.end_sessions_and_tokens(me.id, keep).await?)
}

/// Ends every web session and API token of `me`, the one asking included; how many ended.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn log_out_everywhere(app: &App, me: &Account) -> Result<u64, AppError> {
    Ok(app
        .store
        .end_sessions_and_tokens(me.id, Keep::Nothing)
        .await?)
}

/// `me`'s live API tokens, newest first.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn tokens(app: &App, me: &Account) -> Result<Vec<ApiTokenInfo>, AppError> {
    Ok(app.store.api_tokens_of(me.id, app.now()).await?)
}

/// Revokes `me`'s token `id`; anyone else's is a 404.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn revoke_token(app: &App, me: &Account, id: i64) -> Result<(), AppError> {
    if app.store.delete_api_token_of(me.id, id).await? {
        Ok(())
    } else {
        Err(AppError::not_found("token"))
    }
}

/// Asks for a reset link for `email`. The answer is the same whether or not an account has
/// that address (and whether a mail goes out at all): a job makes and mails the link.
#[tracing::instrument(skip_all)]
pub async fn request_password_reset(app: &App, email: &str) -> Result<(), AppError> {
    let email = email.trim().to_lowercase();
    if email.is_empty() || email.len() > 254 || !email.contains('@') {
        return Err(AppError::validation(FieldErrors::single(
            "email",
            "must be an e-mail address",
        )));
    }
    let Some((account, _)) = app.store.credentials(&email).await? else {
        return Ok(());
    };
    let now = app.now();
    let hour_ago = now
        .saturating_sub(SignedDuration::from_hours(1))
        .unwrap_or(now);
    if app
        .store
        .password_resets_since(account.id, hour_ago)
        .await?
        >= RESETS_PER_HOUR
    {
        tracing::info!("password reset mail not sent: hourly limit for the account");
        return Ok(());
    }
    let payload = serde_json::to_string(&ResetMailJob { user: account.id.0 })
        .map_err(|_| AppError::internal())?;
    let job = NewJob {
        kind: RESET_MAIL.to_string(),
        payload,
        // One mail in the queue per account at a time.
        dedupe_key: Some(format!("{RESET_MAIL}:{}", account.id.0)),
        due_at: now,
        max_attempts: 5,
    };
    app.store.enqueue(&job, now).await?;
    Ok(())
}

/// A new reset link for `user`: the secret to mail (the store keeps its digest only).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn new_reset_link(app: &App, user: UserId) -> Result<(String, Timestamp), AppError> {
    let token = secret::new_secret()?;
    let now = app.now();
    let expires = now
        .saturating_add(SignedDuration::from_mins(RESET_MINUTES))
        .unwrap_or(now);
    app.store
        .create_password_reset(&secret::digest(&token), user, now, expires)
        .await?;
    Ok((token, expires))
}

/// The answer to a reset link that is unknown, used or expired.
fn link_refused() -> AppError {
    AppError::field(
        ErrorKind::Invalid,
        "reset_link_invalid",
        "token",
        "This link has expired or was already used. Ask for a new one.",
    )
}

/// Sets a new password with a reset link: the link is used up (with every other open link
/// of the account), and every session and token of the account ends.
#[tracing::instrument(skip_all)]
pub async fn reset_password(app: &App, token: &str, new: &str) -> Result<Account, AppError> {
    if token.trim().is_empty() || token.len() > 200 {
        return Err(link_refused());
    }
    // The policy is checked before the link is used, so a refused password keeps it.
    if let Err(m) = check_password(new, None) {
        return Err(AppError::validation(FieldErrors::single("new_password", m)));
    }
    let digest = secret::digest(token.trim());
    // A link that is not open costs a read, not a hash: anyone can send one.
    if !app.store.password_reset_open(&digest, app.now()).await? {
        return Err(link_refused());
    }
    let hash = password::hash(new.to_string()).await?;
    let user = app
        .store
        .take_password_reset(&digest, app.now())
        .await?
        .ok_or_else(link_refused)?;
    let account = app.store.account(user).await?.ok_or_else(link_refused)?;
    app.store.set_password_hash(user, &hash).await?;
    app.store
        .end_sessions_and_tokens(user, Keep::Nothing)
        .await?;
    Ok(account)
}
