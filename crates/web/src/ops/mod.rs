//! Use cases shared by the API and the pages, so both enforce the same rules.

pub mod accounts;
pub mod calendars;
pub mod catalog;
pub mod jobs;
pub mod nudges;
pub mod outcomes;
pub mod scheduling;
pub mod webhooks;

use crate::error::ApiError;
use stint_domain::account::Account;
use stint_domain::role::Role;

/// Fails with 403 unless the account holds `role`.
pub fn require(account: &Account, role: Role) -> Result<(), ApiError> {
    if account.has(role) {
        Ok(())
    } else {
        Err(ApiError::forbidden())
    }
}
