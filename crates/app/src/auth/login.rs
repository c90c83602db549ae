//! Logging in, shared by the API and the pages: throttled per account and per address,
//! the same answer and the same time for an unknown e-mail as for a wrong password.

use super::password;
use crate::App;
use crate::error::{AppError, ErrorKind};
use jiff::SignedDuration;
use stint_domain::account::Account;

/// Failures allowed per e-mail address within the window.
pub const MAX_FAILURES_PER_ACCOUNT: i64 = 5;
/// Failures allowed per client address within the window (shared offices are larger).
pub const MAX_FAILURES_PER_ADDRESS: i64 = 30;
pub const WINDOW_MINUTES: i64 = 15;

/// The answer to too many failed log-ins.
pub fn throttled() -> AppError {
    AppError::new(
        ErrorKind::RateLimited,
        "rate_limited",
        format!("Too many failed log-ins. Try again in {WINDOW_MINUTES} minutes."),
    )
}

/// The answer to a wrong e-mail or password; never says which.
pub fn invalid_credentials() -> AppError {
    AppError::new(
        ErrorKind::Unauthenticated,
        "invalid_credentials",
        "The e-mail or password is not right.",
    )
}

/// Checks an e-mail and password from `address`: the account, or `rate_limited`, or
/// `invalid_credentials`, or `busy` (503) while too many password checks are under way.
// The password is never recorded; neither are the e-mail and address, which identify people.
#[tracing::instrument(skip_all)]
pub async fn authenticate(
    app: &App,
    email: &str,
    pw: &str,
    address: &str,
) -> Result<Account, AppError> {
    let email = email.trim().to_lowercase();
    let now = app.now();
    let since = now
        .saturating_sub(SignedDuration::from_mins(WINDOW_MINUTES))
        .unwrap_or(now);
    let (by_account, by_address) = app
        .store
        .login_failures_since(&email, address, since)
        .await?;
    if by_account >= MAX_FAILURES_PER_ACCOUNT || by_address >= MAX_FAILURES_PER_ADDRESS {
        return Err(throttled());
    }
    let found = app.store.credentials(&email).await?;
    // A check the gate refused is no attempt: nothing is recorded, the caller comes back.
    let busy = |_| AppError::busy(password::RETRY_AFTER_SECS);
    let account = match found {
        Some((account, hash)) => password::verify(pw.to_string(), hash)
            .await
            .map_err(busy)?
            .then_some(account),
        None => {
            password::verify_nothing(pw.to_string())
                .await
                .map_err(busy)?;
            None
        }
    };
    app.store
        .record_login_attempt(&email, address, account.is_some(), now)
        .await?;
    account.ok_or_else(invalid_credentials)
}
