//! The storage side of the retention policy (`stint_domain::retention`): removing a class's
//! rows older than a cut-off, a batch at a time, the record of what each run removed
//! (counts, never content), and each person's privacy choices (how long, and whether their
//! mentor reads their prep before the session).

use crate::interfaces::Result;
use async_trait::async_trait;
use jiff::Timestamp;
use stint_domain::ids::UserId;
use stint_domain::retention::RetainedClass;

/// One run's removal of one class, as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetentionRun {
    pub class: String,
    pub removed: u64,
    pub ran_at: Timestamp,
}

#[async_trait]
pub trait RetentionStore: Send + Sync {
    /// Removes at most `batch` records of `class` whose time is up at `now`: kept
    /// `default_days` after their time counts from (a session's end, or when they were
    /// written), or as long as their owner chose (`privacy_choices`). How many it removed.
    /// Classes kept by law (the ledger) remove nothing.
    async fn remove_expired(
        &self,
        class: RetainedClass,
        now: Timestamp,
        default_days: u32,
        batch: u32,
    ) -> Result<u64>;
    /// The days `user` chose per class (by the class's name).
    async fn retention_choices(&self, user: UserId) -> Result<Vec<(String, u32)>>;
    /// Replaces `user`'s choices with `choices` (class name, days), in one transaction.
    async fn set_retention_choices(
        &self,
        user: UserId,
        choices: &[(String, u32)],
        now: Timestamp,
    ) -> Result<()>;
    /// Whether `user` keeps their intake answers and baseline from their mentor until the
    /// session starts.
    async fn prep_private_until_session(&self, user: UserId) -> Result<bool>;
    async fn set_prep_private_until_session(
        &self,
        user: UserId,
        private: bool,
        now: Timestamp,
    ) -> Result<()>;
    /// Records that a run removed `removed` records of `class`.
    async fn record_retention(&self, class: &str, removed: u64, now: Timestamp) -> Result<()>;
    /// The latest runs' records, newest first.
    async fn retention_runs(&self, limit: u32) -> Result<Vec<RetentionRun>>;
}
