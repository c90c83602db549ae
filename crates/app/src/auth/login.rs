//! Logging in, shared by the API and the pages: throttled by `throttle`'s rules, the same
//! answer and the same time for an unknown e-mail as for a wrong password.

use super::password;
use super::throttle::{self, Verdict};
use crate::App;
use crate::error::{AppError, ErrorKind};
use stint_domain::account::Account;
use stint_store::LoginOutcome;

/// The answer to an attempt the throttle refused: try again in `secs`.
pub fn throttled(secs: u64) -> AppError {
    let wait = if secs >= 60 {
        format!("{} minutes", secs.div_ceil(60))
    } else {
        format!("{secs} seconds")
    };
    AppError::new(
        ErrorKind::RateLimited,
        "rate_limited",
        format!("Too many failed log-ins. Try again in {wait}."),
    )
    .retry_after(secs)
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
    let windows = throttle::windows(now);
    // An attempt the throttle refuses on the counts as they stand is refused without a write,
    // so a flood of refused guesses costs reads only.
    let before = app.store.login_counts(&email, address, &windows).await?;
    if let Verdict::Wait(secs) = throttle::verdict(&throttle::with_one_more(before)) {
        return Err(throttled(secs));
    }
    let (attempt, counts) = app
        .store
        .begin_login_attempt(&email, address, now, &windows)
        .await?;
    let finish = |outcome| app.store.finish_login_attempt(attempt, outcome);
    if let Verdict::Wait(secs) = throttle::verdict(&counts) {
        finish(LoginOutcome::NotChecked).await?;
        return Err(throttled(secs));
    }
    let found = app.store.credentials(&email).await?;
    let checked = match found {
        Some((account, hash)) => password::verify(pw.to_string(), hash)
            .await
            .map(|ok| ok.then_some(account)),
        None => password::verify_nothing(pw.to_string()).await.map(|_| None),
    };
    match checked {
        // A check the gate refused is no attempt: it is forgotten, the caller comes back.
        Err(_) => {
            finish(LoginOutcome::NotChecked).await?;
            Err(AppError::busy(password::RETRY_AFTER_SECS))
        }
        Ok(Some(account)) => {
            finish(LoginOutcome::Succeeded).await?;
            Ok(account)
        }
        Ok(None) => {
            finish(LoginOutcome::Failed).await?;
            Err(invalid_credentials())
        }
    }
}
