//! What an account owner manages of their own credentials: the password hash, their API
//! tokens (listed, revoked, last use), all their sessions at once, and password-reset links.
//! Secrets are never stored, only their digests.

use crate::interfaces::Result;
use async_trait::async_trait;
use jiff::Timestamp;
use stint_domain::ids::UserId;

/// One API token as its owner sees it in the list (never the secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiTokenInfo {
    pub id: i64,
    pub label: String,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    /// `None` until first used (recorded at most once a minute per node).
    pub last_used_at: Option<Timestamp>,
}

/// Which credential of the owner's own a bulk sign-out keeps (the one asking).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep<'a> {
    Nothing,
    /// The web session with this digest.
    Session(&'a str),
    /// The API token with this digest.
    Token(&'a str),
}

#[async_trait]
pub trait CredentialStore: Send + Sync {
    /// Replaces the account's password hash.
    async fn set_password_hash(&self, user: UserId, hash: &str) -> Result<()>;
    /// Ends every web session and API token of `user` but the one `keep` names, in one
    /// transaction; how many ended.
    async fn end_sessions_and_tokens(&self, user: UserId, keep: Keep<'_>) -> Result<u64>;

    /// The user's unexpired API tokens, newest first.
    async fn api_tokens_of(&self, user: UserId, now: Timestamp) -> Result<Vec<ApiTokenInfo>>;
    /// Deletes token `id` if it is `user`'s; whether it was.
    async fn delete_api_token_of(&self, user: UserId, id: i64) -> Result<bool>;
    /// Records that the token with this digest was used at `now`.
    async fn touch_api_token(&self, token_hash: &str, now: Timestamp) -> Result<()>;

    /// Stores a reset link's digest for `user`.
    async fn create_password_reset(
        &self,
        token_hash: &str,
        user: UserId,
        now: Timestamp,
        expires: Timestamp,
    ) -> Result<()>;
    /// Whether the reset link with this digest is unused and unexpired (reading only).
    async fn password_reset_open(&self, token_hash: &str, now: Timestamp) -> Result<bool>;
    /// Uses the reset link with this digest, once: its user, if it was unused and unexpired.
    /// Every other open link of that user is used up with it.
    async fn take_password_reset(&self, token_hash: &str, now: Timestamp)
    -> Result<Option<UserId>>;
    /// How many reset links `user` was sent since `since` (to limit the mail).
    async fn password_resets_since(&self, user: UserId, since: Timestamp) -> Result<i64>;
}
