//! The storage side of applications to mentor (`stint_domain::application`): the review's
//! steps are compare-and-set on the status, and each writes its mail job in the same
//! transaction; an approval grants the mentor role in it too.

use crate::interfaces::Result;
use crate::jobs::NewJob;
use async_trait::async_trait;
use jiff::Timestamp;
use stint_domain::application::{Application, ApplicationInput, ApplicationStatus, Decision};
use stint_domain::ids::UserId;

#[async_trait]
pub trait ApplicationStore: Send + Sync {
    /// Records `user`'s application (checked input); `Conflict` on `application` when they
    /// have one under review already.
    async fn create_application(
        &self,
        user: UserId,
        input: &ApplicationInput,
        now: Timestamp,
    ) -> Result<Application>;
    async fn application(&self, id: i64) -> Result<Option<Application>>;
    /// `user`'s applications, newest first.
    async fn applications_of(&self, user: UserId) -> Result<Vec<Application>>;
    /// Applications under review (pending or asked), oldest first.
    async fn open_applications(&self) -> Result<Vec<Application>>;
    /// Makes `decision` on application `id` if it is still `from`, with `job` (the
    /// applicant's mail) in the same write; an approval also grants the mentor role. `None`
    /// when the application was no longer `from`.
    async fn decide_application(
        &self,
        id: i64,
        from: ApplicationStatus,
        decision: &Decision,
        by: UserId,
        job: &NewJob,
        now: Timestamp,
    ) -> Result<Option<Application>>;
    /// The applicant's answer to the question on `id`, which goes back to pending; `None`
    /// when `id` is not `user`'s or waits for no answer.
    async fn answer_application(
        &self,
        id: i64,
        user: UserId,
        answer: &str,
        now: Timestamp,
    ) -> Result<Option<Application>>;
}
