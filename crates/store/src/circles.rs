//! The storage side of mentor circles (`stint_domain::circle`): circles and members, the
//! thread, calls, and each member's digest mark, advanced in the same write as the digest's
//! mail job so a member is told of a post once.

use crate::interfaces::Result;
use crate::jobs::NewJob;
use async_trait::async_trait;
use jiff::Timestamp;
use stint_domain::circle::{Call, Circle, Post};
use stint_domain::ids::UserId;

/// New posts a member has not been told of, in one circle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestDue {
    pub member: UserId,
    pub circle: i64,
    /// The newest of them.
    pub upto: i64,
    pub posts: i64,
}

#[async_trait]
pub trait CircleStore: Send + Sync {
    async fn create_circle(
        &self,
        name: &str,
        members: &[UserId],
        by: UserId,
        now: Timestamp,
    ) -> Result<Circle>;
    async fn circle(&self, id: i64) -> Result<Option<Circle>>;
    /// Every circle, newest first (operators).
    async fn circles(&self) -> Result<Vec<Circle>>;
    /// The circles `user` is in.
    async fn circles_of(&self, user: UserId) -> Result<Vec<Circle>>;
    async fn add_post(
        &self,
        circle: i64,
        author: UserId,
        parent: Option<i64>,
        body: &str,
        html: &str,
        now: Timestamp,
    ) -> Result<Post>;
    async fn circle_post(&self, id: i64) -> Result<Option<Post>>;
    /// Every post and reply `author` wrote, oldest first (their data export).
    async fn posts_by(&self, author: UserId) -> Result<Vec<Post>>;
    /// A circle's thread, oldest first, at most `limit` posts (the newest ones).
    async fn circle_posts(&self, circle: i64, limit: i64) -> Result<Vec<Post>>;
    async fn add_call(
        &self,
        circle: i64,
        start: Timestamp,
        end: Timestamp,
        location: &str,
        by: UserId,
        now: Timestamp,
    ) -> Result<Call>;
    /// Calls of the circles `user` is in ending after `after`, soonest first.
    async fn calls_of(&self, user: UserId, after: Timestamp) -> Result<Vec<Call>>;
    /// A circle's calls ending after `after`, soonest first.
    async fn circle_calls(&self, circle: i64, after: Timestamp) -> Result<Vec<Call>>;
    /// Mentors who may be placed in a circle (id and name, by name; at most `limit`).
    async fn mentor_choices(&self, limit: i64) -> Result<Vec<(UserId, String)>>;
    /// Members with posts by others they have not been told of.
    async fn digests_due(&self) -> Result<Vec<DigestDue>>;
    /// Marks `due` told, with `job` (its letter) in the same write; `false` when another
    /// sweep told them first.
    async fn mark_digest(&self, due: &DigestDue, job: &NewJob, now: Timestamp) -> Result<bool>;
}
