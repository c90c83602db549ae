//! Sign-ups waiting for confirmation: the account is made only when the owner of the address
//! follows the mailed link, so the answer to a sign-up never tells whether an address has an
//! account. Only the link's digest is stored.

use crate::interfaces::Result;
use async_trait::async_trait;
use jiff::Timestamp;
use stint_domain::account::{Account, NewAccount};

/// A sign-up as its confirmation mail needs it (never the password hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingSignup {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub expires_at: Timestamp,
    /// Set once the link was followed.
    pub used: bool,
}

#[async_trait]
pub trait SignupStore: Send + Sync {
    /// Records a sign-up of `new` (its password already hashed), open until `expires`.
    async fn create_signup(
        &self,
        new: &NewAccount,
        password_hash: &str,
        now: Timestamp,
        expires: Timestamp,
    ) -> Result<i64>;
    /// The sign-up `id`, for its mail.
    async fn signup(&self, id: i64) -> Result<Option<PendingSignup>>;
    /// Stores the digest of the link mailed for sign-up `id` (a newer mail replaces it).
    async fn set_signup_token(&self, id: i64, token_hash: &str) -> Result<()>;
    /// Whether the link with this digest is unused and unexpired (reading only).
    async fn signup_open(&self, token_hash: &str, now: Timestamp) -> Result<bool>;
    /// Uses the link with this digest, once, and makes its account as a mentee, in one
    /// transaction: `None` if the link was unknown, used or expired; a conflict on `email`
    /// (and the link kept) if the address got an account meanwhile.
    async fn confirm_signup(&self, token_hash: &str, now: Timestamp) -> Result<Option<Account>>;
    /// How many sign-ups named `email` since `since` (to limit the mail one address gets).
    async fn signups_since(&self, email: &str, since: Timestamp) -> Result<i64>;
}
