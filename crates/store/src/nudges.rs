//! The storage interface of nudges: each person's preferences, the per-channel delivery log
//! (which is what makes a nudge go out at most once per channel), and the in-app inbox.

use crate::interfaces::Result;
use async_trait::async_trait;
use jiff::Timestamp;
use stint_domain::booking::BookingId;
use stint_domain::ids::UserId;
use stint_domain::nudge::{Channel, NudgeKind, NudgePrefs};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryStatus {
    Sent,
    /// The last attempt failed; the job retries (or has died, which the operator sees).
    Failed,
}

/// One nudge on one channel, as the delivery log keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// The log's own order: a later delivery has a higher id.
    pub id: i64,
    pub nudge_key: String,
    pub channel: Channel,
    pub booking: BookingId,
    pub recipient: UserId,
    pub kind: NudgeKind,
    pub status: DeliveryStatus,
    /// The message id when sent; the error of the last attempt when failed.
    pub detail: String,
    pub attempts: u32,
    pub due_at: Timestamp,
    /// When it was sent, or when the last attempt failed.
    pub at: Timestamp,
}

/// What a delivery attempt records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDelivery {
    pub nudge_key: String,
    pub channel: Channel,
    pub booking: BookingId,
    pub recipient: UserId,
    pub kind: NudgeKind,
    pub due_at: Timestamp,
    pub detail: String,
}

/// A message for the in-app inbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewInboxItem {
    pub user: UserId,
    pub booking: Option<BookingId>,
    pub kind: NudgeKind,
    pub title: String,
    pub body: String,
    /// Where the message leads, a path inside Stint.
    pub link: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxItem {
    pub id: i64,
    pub booking: Option<BookingId>,
    pub kind: NudgeKind,
    pub title: String,
    pub body: String,
    pub link: String,
    pub created_at: Timestamp,
    pub read_at: Option<Timestamp>,
}

#[async_trait]
pub trait NudgeStore: Send + Sync {
    /// The person's preferences, or the defaults if they never chose.
    async fn nudge_prefs(&self, user: UserId) -> Result<NudgePrefs>;
    async fn save_nudge_prefs(
        &self,
        user: UserId,
        prefs: &NudgePrefs,
        now: Timestamp,
    ) -> Result<()>;

    async fn delivery(&self, nudge_key: &str, channel: Channel) -> Result<Option<Delivery>>;
    /// Records the nudge as sent on its channel; `false` if it already was (nothing changes).
    async fn record_sent(&self, d: &NewDelivery, now: Timestamp) -> Result<bool>;
    /// Records a failed attempt (its error in `d.detail`); a sent delivery stays sent.
    async fn record_failed(&self, d: &NewDelivery, now: Timestamp) -> Result<()>;
    /// Puts the item in the inbox and records the in-app delivery in one transaction:
    /// `false`, and no item, if it was already delivered.
    async fn deliver_in_app(
        &self,
        d: &NewDelivery,
        item: &NewInboxItem,
        now: Timestamp,
    ) -> Result<bool>;
    /// A booking's delivery log, oldest first.
    async fn deliveries(&self, booking: BookingId) -> Result<Vec<Delivery>>;
    /// The latest deliveries of everyone (the operator's view), newest first.
    async fn recent_deliveries(&self, before: Option<i64>, limit: u32) -> Result<Vec<Delivery>>;

    /// The person's inbox, newest first.
    async fn inbox(&self, user: UserId, before: Option<i64>, limit: u32) -> Result<Vec<InboxItem>>;
    async fn unread_count(&self, user: UserId) -> Result<u64>;
    /// Marks one item (or, with `None`, every item) of the person's inbox read; how many
    /// changed. Another person's item changes nothing.
    async fn mark_read(&self, user: UserId, item: Option<i64>, now: Timestamp) -> Result<u64>;
}
