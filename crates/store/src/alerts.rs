//! The storage side of shortfall alerts (`stint_app::insights::alerts`): open shortfalls,
//! each opened once with its operators' alert jobs, and mentors asked for more hours, each
//! at most once a fortnight with its job, every record and its jobs in one transaction.

use crate::interfaces::Result;
use crate::jobs::NewJob;
use crate::nudges::NewInboxItem;
use async_trait::async_trait;
use jiff::Timestamp;
use stint_domain::ids::{CompetencyId, UserId};
use stint_domain::insights::MentorWeek;
use stint_domain::mentor::ZoneBand;

/// A shortfall that is still forecast.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenShortfall {
    pub id: i64,
    pub competency: CompetencyId,
    pub band: ZoneBand,
    pub first_week: Timestamp,
    pub opened_at: Timestamp,
}

#[async_trait]
pub trait AlertStore: Send + Sync {
    async fn open_shortfalls(&self) -> Result<Vec<OpenShortfall>>;
    /// Opens a shortfall and queues `jobs` with it; `false`, and nothing queued, when one is
    /// already open for the competency and band.
    async fn open_shortfall(
        &self,
        competency: CompetencyId,
        band: ZoneBand,
        first_week: Timestamp,
        jobs: &[NewJob],
        now: Timestamp,
    ) -> Result<bool>;
    async fn close_shortfall(&self, id: i64, now: Timestamp) -> Result<()>;
    /// Records that `mentor` is asked for more hours and queues `job`; `false`, and nothing
    /// queued, when they were asked after `since`.
    async fn ask_for_hours(
        &self,
        mentor: UserId,
        competency: CompetencyId,
        since: Timestamp,
        job: &NewJob,
        now: Timestamp,
    ) -> Result<bool>;
    /// Each bookable mentor's competencies (through their active session types).
    async fn mentor_competencies(&self) -> Result<Vec<(UserId, CompetencyId)>>;
    /// The hours kept for the week starting at `week_start`.
    async fn kept_week(&self, week_start: Timestamp) -> Result<Vec<MentorWeek>>;
    /// Every operator's id.
    async fn operator_ids(&self) -> Result<Vec<UserId>>;
    /// Puts an alert in a person's inbox.
    async fn post_alert(&self, item: &NewInboxItem, now: Timestamp) -> Result<()>;
}
