//! The storage of the access log: who read whose private data, when (never what it said),
//! and the log of each person's own changes to their privacy settings.

use crate::interfaces::Result;
use async_trait::async_trait;
use jiff::Timestamp;
use stint_domain::booking::BookingId;
use stint_domain::ids::UserId;

/// One read to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAccess<'a> {
    pub owner: UserId,
    pub reader: UserId,
    /// What was read: `intake_answers`, `assessments`, `shared_notes`, `progress`.
    pub what: &'a str,
    pub booking: Option<BookingId>,
}

/// One read, as its owner sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessEntry {
    pub id: i64,
    pub reader: UserId,
    pub reader_name: String,
    pub what: String,
    pub booking: Option<BookingId>,
    pub at: Timestamp,
}

#[async_trait]
pub trait AccessLogStore: Send + Sync {
    /// Records `reads` at `now`, each unless the same reader read the same kind of the same
    /// owner's data (for the same session) within the hour before: how many were written.
    async fn record_access(&self, reads: &[NewAccess<'_>], now: Timestamp) -> Result<u64>;
    /// Records a change `user` made to their privacy settings, in words.
    async fn record_privacy_change(&self, user: UserId, change: &str, now: Timestamp)
    -> Result<()>;
    /// `user`'s latest changes to their privacy settings, newest first: words and time.
    async fn privacy_changes(&self, user: UserId, limit: u32) -> Result<Vec<(String, Timestamp)>>;
    /// `owner`'s log, newest first, before entry `before` when given.
    async fn access_log(
        &self,
        owner: UserId,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<AccessEntry>>;
}
