//! Who may do what, at the level of roles; which data a relation may read is decided in
//! `stint_domain::access`.

use crate::error::AppError;
use stint_domain::account::Account;
use stint_domain::role::Role;

/// Fails with `Forbidden` unless the account holds `role`.
pub fn require(account: &Account, role: Role) -> Result<(), AppError> {
    if account.has(role) {
        Ok(())
    } else {
        Err(AppError::forbidden())
    }
}
