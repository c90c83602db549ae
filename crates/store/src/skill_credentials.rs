//! The storage side of skill credentials (`stint_app::skill_credentials`): one per session at
//! most, numbered in the order claimed (the number is the credential's place on the
//! revocation list), with its sharing link and revocation; and the issuer's key when none is
//! configured.

use crate::interfaces::Result;
use async_trait::async_trait;
use jiff::Timestamp;
use stint_domain::booking::BookingId;
use stint_domain::ids::UserId;

/// One issued credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkillCredential {
    pub id: i64,
    pub booking: BookingId,
    pub user: UserId,
    /// The signed credential (compact JWS); empty once its holder's account was erased.
    pub jwt: String,
    pub share_token: Option<String>,
    pub revoked_at: Option<Timestamp>,
    pub created_at: Timestamp,
}

#[async_trait]
pub trait SkillCredentialStore: Send + Sync {
    /// The session's credential, issuing it first if there is none: `sign` makes the signed
    /// text from the new credential's number, inside the same write. `(credential, issued
    /// now)`; two claims at once issue one.
    async fn issue_credential(
        &self,
        booking: BookingId,
        user: UserId,
        now: Timestamp,
        sign: &(dyn Fn(i64) -> String + Send + Sync),
    ) -> Result<(SkillCredential, bool)>;
    async fn skill_credential(&self, id: i64) -> Result<Option<SkillCredential>>;
    async fn credential_of_booking(&self, booking: BookingId) -> Result<Option<SkillCredential>>;
    async fn credential_by_share(&self, token: &str) -> Result<Option<SkillCredential>>;
    /// A holder's credentials, newest first.
    async fn credentials_of(&self, user: UserId) -> Result<Vec<SkillCredential>>;
    /// Sets (or, with `None`, removes) the sharing link.
    async fn set_credential_share(&self, id: i64, token: Option<&str>) -> Result<()>;
    /// Revokes it, once: false when it already was.
    async fn revoke_credential(&self, id: i64, now: Timestamp) -> Result<bool>;
    /// The numbers of every revoked credential below `below`.
    async fn revoked_credentials(&self, below: i64) -> Result<Vec<i64>>;
    /// The issuer's key seed: the one kept, or `fresh` kept now when there is none yet.
    async fn issuer_seed(&self, fresh: &str, now: Timestamp) -> Result<String>;
}
