//! The storage side of what people ask about their own data (`stint_domain::erasure`): export
//! requests with their progress and zip, erasure requests through their grace period, and the
//! erasure itself — one transaction that removes a person's data everywhere the database holds
//! it and leaves a pseudonym where others' records need one.

use crate::interfaces::Result;
use async_trait::async_trait;
use jiff::Timestamp;
use stint_domain::erasure::{RequestKind, RequestState};
use stint_domain::ids::UserId;

/// One request, as its owner and operators see it (never the zip itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrivacyRequest {
    pub id: i64,
    pub user_id: UserId,
    /// The owner's name and address now (a pseudonym once erased).
    pub user_name: String,
    pub user_email: String,
    pub kind: RequestKind,
    pub state: RequestState,
    pub requested_at: Timestamp,
    /// An erasure: when it takes effect. An export: when it was asked.
    pub due_at: Timestamp,
    pub deadline_at: Timestamp,
    /// An export's progress, in percent.
    pub progress: u8,
    pub file_name: Option<String>,
    /// Until when an export's link works.
    pub expires_at: Option<Timestamp>,
    pub finished_at: Option<Timestamp>,
}

/// Who is erased, and what stays in their place.
#[derive(Debug, Clone)]
pub struct Erasure<'a> {
    pub user: UserId,
    pub request: i64,
    /// Their name and address as they were, to be scrubbed from others' text (the name only
    /// when it is long enough not to be part of other words: `erasure::scrubbable_name`).
    pub name: Option<&'a str>,
    pub email: &'a str,
    /// What stays in their place.
    pub pseudonym: &'a str,
    pub pseudonym_email: &'a str,
}

#[async_trait]
pub trait PrivacyRequestStore: Send + Sync {
    /// Records a request. A second open erasure of the same person is a `Conflict`.
    async fn open_privacy_request(
        &self,
        user: UserId,
        kind: RequestKind,
        now: Timestamp,
        due: Timestamp,
        deadline: Timestamp,
    ) -> Result<PrivacyRequest>;
    async fn privacy_request(&self, id: i64) -> Result<Option<PrivacyRequest>>;
    /// `user`'s requests, newest first.
    async fn privacy_requests_of(&self, user: UserId, limit: u32) -> Result<Vec<PrivacyRequest>>;
    /// Everyone's open requests (pending or erasing), the nearest deadline first.
    async fn open_privacy_requests(&self, limit: u32) -> Result<Vec<PrivacyRequest>>;
    /// Calls off `user`'s erasure while it is still in its grace period; whether there was one.
    async fn cancel_erasure(&self, user: UserId, now: Timestamp) -> Result<bool>;
    /// Erasures whose time has come at `now` (pending past their grace, or erasing and due).
    async fn due_erasures(&self, now: Timestamp, limit: u32) -> Result<Vec<PrivacyRequest>>;
    /// Moves an erasure on: `Erasing` until `due`.
    async fn set_erasing(&self, id: i64, due: Timestamp) -> Result<()>;
    /// Marks the calendar events Stint wrote for `user`'s sessions (in anyone's calendar) to be
    /// removed at their calendar's next sync (`sequence` -1): how many were not marked yet.
    async fn mark_events_for_removal(&self, user: UserId) -> Result<u64>;
    /// The erasure itself, in one transaction: how many rows it removed or changed.
    async fn erase_account(&self, erasure: &Erasure<'_>, now: Timestamp) -> Result<u64>;
    /// An export's progress so far.
    async fn set_export_progress(&self, id: i64, percent: u8) -> Result<()>;
    /// An export made: its zip kept until `expires`.
    async fn finish_export(
        &self,
        id: i64,
        file_name: &str,
        zip: &[u8],
        expires: Timestamp,
        now: Timestamp,
    ) -> Result<()>;
    /// An export that could not be made.
    async fn fail_export(&self, id: i64, now: Timestamp) -> Result<()>;
    /// A ready export's file name and zip.
    async fn export_archive(&self, id: i64) -> Result<Option<(String, Vec<u8>)>>;
    /// Drops the zips of exports whose link expired at `now`: how many.
    async fn expire_exports(&self, now: Timestamp) -> Result<u64>;
}
