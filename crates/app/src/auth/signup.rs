//! Signing up without telling whether an address has an account: a sign-up is answered the
//! same way for every address ("check your mail"), and the account is made only when the
//! owner of the address follows the link mailed to it. An address that already has an
//! account gets a mail saying so instead, with the way to log in or reset the password.

use super::{password, secret};
use crate::App;
use crate::error::{AppError, ErrorKind};
use jiff::SignedDuration;
use serde::{Deserialize, Serialize};
use stint_domain::account::{Account, SignupInput};
use stint_store::NewJob;

/// How long a sign-up link works.
pub const SIGNUP_HOURS: i64 = 24;
/// Sign-up mails one address gets per hour; more sign-ups are answered the same and send
/// nothing (nobody can flood someone else's inbox through Stint).
pub const SIGNUPS_PER_ADDRESS_PER_HOUR: i64 = 3;
/// The job that mails a sign-up its link, or the owner of a taken address a note.
pub const SIGNUP_MAIL: &str = "account.signup_mail";

/// The sign-up job's input: which sign-up to mail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignupMailJob {
    pub signup: i64,
}

/// Starts a sign-up: validates every field (422 with field errors), admits the client
/// `address` (`signup_limit`: 429 with `Retry-After`), hashes the password at the password
/// gate (503 when full), stores the sign-up and queues its mail. Every valid sign-up gets the
/// same answer, whatever the address: nothing here reads whether it has an account.
// The input holds the password: nothing of it is recorded.
#[tracing::instrument(skip_all)]
pub async fn sign_up(app: &App, input: SignupInput, address: &str) -> Result<(), AppError> {
    let new = input.validate()?;
    app.signups.admit(address, app.now()).map_err(|secs| {
        AppError::new(
            ErrorKind::RateLimited,
            "rate_limited",
            "Too many accounts were created from your network. Try again later.",
        )
        .retry_after(secs)
    })?;
    let hash = password::hash(input.password).await?;
    let now = app.now();
    let hour_ago = now
        .saturating_sub(SignedDuration::from_hours(1))
        .unwrap_or(now);
    if app
        .store
        .signups_since(new.email.as_str(), hour_ago)
        .await?
        >= SIGNUPS_PER_ADDRESS_PER_HOUR
    {
        tracing::info!("sign-up mail not sent: hourly limit for the address");
        return Ok(());
    }
    let expires = now
        .saturating_add(SignedDuration::from_hours(SIGNUP_HOURS))
        .unwrap_or(now);
    let id = app.store.create_signup(&new, &hash, now, expires).await?;
    let payload =
        serde_json::to_string(&SignupMailJob { signup: id }).map_err(|_| AppError::internal())?;
    let job = NewJob {
        kind: SIGNUP_MAIL.to_string(),
        payload,
        dedupe_key: Some(format!("{SIGNUP_MAIL}:{id}")),
        due_at: now,
        max_attempts: 5,
    };
    app.store.enqueue(&job, now).await?;
    Ok(())
}

/// What the mail of a sign-up says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignupLetter {
    /// The link that makes the account (its secret, mailed once; the store keeps its digest).
    Link {
        name: String,
        email: String,
        token: String,
    },
    /// The address already has an account: how to log in or reset the password.
    Taken { name: String, email: String },
}

/// The mail sign-up `id` gets, decided when it is sent: `None` if the sign-up is gone, used or
/// expired. Each call for an open sign-up makes a new link (the one mailed before stops working).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn signup_letter(app: &App, id: i64) -> Result<Option<SignupLetter>, AppError> {
    let Some(signup) = app.store.signup(id).await? else {
        return Ok(None);
    };
    if signup.used || signup.expires_at <= app.now() {
        return Ok(None);
    }
    if let Some(account) = app.store.account_by_email(&signup.email).await? {
        return Ok(Some(SignupLetter::Taken {
            name: account.display_name,
            email: signup.email,
        }));
    }
    let token = secret::new_secret()?;
    app.store
        .set_signup_token(id, &secret::digest(&token))
        .await?;
    Ok(Some(SignupLetter::Link {
        name: signup.display_name,
        email: signup.email,
        token,
    }))
}

/// The answer to a sign-up link that is unknown, used or expired.
fn link_refused() -> AppError {
    AppError::field(
        ErrorKind::Invalid,
        "signup_link_invalid",
        "token",
        "This link has expired or was already used. Sign up again to get a new one.",
    )
}

/// Whether `token` is a sign-up link that still works (to show the confirm page or not).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn signup_link_open(app: &App, token: &str) -> Result<bool, AppError> {
    if token.trim().is_empty() || token.len() > 200 {
        return Ok(false);
    }
    Ok(app
        .store
        .signup_open(&secret::digest(token.trim()), app.now())
        .await?)
}

/// Follows a sign-up link: makes the account (a mentee), once. A link that is unknown, used or
/// expired is refused on `token`; an address that got an account meanwhile is a conflict on
/// `email` (only the owner of the address can see that, through their own mail).
#[tracing::instrument(skip_all)]
pub async fn confirm_sign_up(app: &App, token: &str) -> Result<Account, AppError> {
    if token.trim().is_empty() || token.len() > 200 {
        return Err(link_refused());
    }
    let digest = secret::digest(token.trim());
    match app.store.confirm_signup(&digest, app.now()).await {
        Ok(Some(account)) => {
            // Someone at a domain an organisation verified joins it; the account stands
            // whatever happens here (the join is tried again by nothing, so it is logged).
            if let Err(e) = crate::sponsor::domains::join_by_domain(app, &account).await {
                tracing::warn!(error = %e, "joining by e-mail domain failed");
            }
            Ok(account)
        }
        Ok(None) => Err(link_refused()),
        Err(stint_store::StoreError::Conflict { .. }) => Err(AppError::field(
            ErrorKind::Conflict,
            "email_taken",
            "email",
            "This address already has an account: log in, or reset your password.",
        )),
        Err(e) => Err(e.into()),
    }
}
