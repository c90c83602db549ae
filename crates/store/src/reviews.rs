//! The storage side of reviews (`stint_domain::review`): one per session, an answer once.

use crate::interfaces::Result;
use async_trait::async_trait;
use jiff::Timestamp;
use stint_domain::booking::Booking;
use stint_domain::ids::UserId;
use stint_domain::review::{Review, ReviewInput, ReviewSummary};

#[async_trait]
pub trait ReviewStore: Send + Sync {
    /// Keeps the mentee's review of `booking`; a second one is a `Conflict` on `review`.
    async fn add_review(
        &self,
        booking: &Booking,
        input: &ReviewInput,
        now: Timestamp,
    ) -> Result<Review>;
    async fn review(&self, id: i64) -> Result<Option<Review>>;
    async fn review_of_booking(&self, booking: i64) -> Result<Option<Review>>;
    /// The mentor's answer; a review already answered is a `Conflict` on `reply`.
    async fn reply_to_review(&self, id: i64, text: &str, now: Timestamp) -> Result<Review>;
    /// `mentor`'s reviews, newest first, before review `before` when given, at most `limit`.
    async fn reviews_of_mentor(
        &self,
        mentor: UserId,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<Review>>;
    /// How many reviews `mentor` has and their mean rating, counted by the database.
    async fn review_summary(&self, mentor: UserId) -> Result<ReviewSummary>;
}
