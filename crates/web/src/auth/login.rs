//! Logging in, shared by the API and the pages: throttled per account and per address,
//! the same answer and the same time for an unknown e-mail as for a wrong password.

use super::password;
use crate::error::ApiError;
use crate::state::AppState;
use axum::http::StatusCode;
use jiff::SignedDuration;
use stint_domain::account::Account;

/// Failures allowed per e-mail address within the window.
pub const MAX_FAILURES_PER_ACCOUNT: i64 = 5;
/// Failures allowed per client address within the window (shared offices are larger).
pub const MAX_FAILURES_PER_ADDRESS: i64 = 30;
pub const WINDOW_MINUTES: i64 = 15;

pub enum LoginError {
    Throttled,
    Invalid,
    Failed(ApiError),
}

impl From<ApiError> for LoginError {
    fn from(e: ApiError) -> Self {
        LoginError::Failed(e)
    }
}

impl From<LoginError> for ApiError {
    fn from(e: LoginError) -> Self {
        match e {
            LoginError::Throttled => ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                format!("Too many failed log-ins. Try again in {WINDOW_MINUTES} minutes."),
            ),
            LoginError::Invalid => ApiError::new(
                StatusCode::UNAUTHORIZED,
                "invalid_credentials",
                "The e-mail or password is not right.",
            ),
            LoginError::Failed(e) => e,
        }
    }
}

pub async fn authenticate(
    state: &AppState,
    email: &str,
    pw: &str,
    address: &str,
) -> Result<Account, LoginError> {
    let email = email.trim().to_lowercase();
    let now = state.now();
    let since = now
        .saturating_sub(SignedDuration::from_mins(WINDOW_MINUTES))
        .unwrap_or(now);
    let (by_account, by_address) = state
        .store
        .login_failures_since(&email, address, since)
        .await
        .map_err(ApiError::from)?;
    if by_account >= MAX_FAILURES_PER_ACCOUNT || by_address >= MAX_FAILURES_PER_ADDRESS {
        return Err(LoginError::Throttled);
    }
    let found = state
        .store
        .credentials(&email)
        .await
        .map_err(ApiError::from)?;
    let account = match found {
        Some((account, hash)) => password::verify(pw.to_string(), hash)
            .await
            .then_some(account),
        None => {
            password::verify_nothing(pw.to_string()).await;
            None
        }
    };
    state
        .store
        .record_login_attempt(&email, address, account.is_some(), now)
        .await
        .map_err(ApiError::from)?;
    account.ok_or(LoginError::Invalid)
}
