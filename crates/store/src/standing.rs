//! The storage side of a mentor's standing (`stint_domain::standing`): listed, paused or
//! suspended, kept on the profile so every search reads it in the same query.

use crate::interfaces::Result;
use async_trait::async_trait;
use jiff::Timestamp;
use stint_domain::contribution::Contributions;
use stint_domain::ids::UserId;
use stint_domain::load::SessionFacts;
use stint_domain::standing::Standing;

/// A mentor who is not listed, as operators and the return of pauses see them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnlistedMentor {
    pub user_id: UserId,
    pub display_name: String,
    pub timezone: String,
    pub standing: Standing,
    /// Why an operator suspended them (empty for a pause).
    pub note: String,
    pub since: Option<Timestamp>,
}

#[async_trait]
pub trait StandingStore: Send + Sync {
    /// Sets `user`'s standing (with an operator's `note`) as of `at`; false when they have
    /// no mentor profile.
    async fn set_standing(
        &self,
        user: UserId,
        standing: &Standing,
        note: &str,
        at: Timestamp,
    ) -> Result<bool>;
    /// Every mentor who is paused, frozen or suspended, by name.
    async fn unlisted_mentors(&self) -> Result<Vec<UnlistedMentor>>;
    /// Every listed mentor (a profile and the mentor role), with when they were reminded
    /// of their inactivity, if they were.
    async fn listed_mentors(&self) -> Result<Vec<(UserId, Option<Timestamp>)>>;
    /// Records that `user` was found inactive and reminded at `at` (with `job`, the
    /// reminder, in the same write), or with `None` that they are active again.
    async fn mark_inactive(
        &self,
        user: UserId,
        at: Option<Timestamp>,
        job: Option<&crate::jobs::NewJob>,
    ) -> Result<()>;
    /// How many of `mentor`'s sessions ended before `before` and are still not closed.
    async fn unclosed_sessions(&self, mentor: UserId, before: Timestamp) -> Result<u64>;
    /// What `mentor` has contributed, all time (`stint_domain::contribution`).
    async fn contributions(&self, mentor: UserId) -> Result<Contributions>;
    /// The sessions of `mentors` starting in `[from, to)`, for their load reports.
    async fn load_sessions(
        &self,
        mentors: &[UserId],
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<(UserId, SessionFacts)>>;
}
