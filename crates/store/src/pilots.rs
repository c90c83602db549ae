//! The storage side of pilots (`stint_app::pilots`): a pilot with its session types, members
//! and every check-in nudge job, written in one transaction; the members' check-ins; and the
//! members' sessions in the pilot's session types and days, for its report.

use crate::interfaces::Result;
use crate::jobs::NewJob;
use async_trait::async_trait;
use jiff::Timestamp;
use jiff::civil::Date;
use stint_domain::booking::BookingStatus;
use stint_domain::ids::{CompetencyId, OrgId, SkuId, UserId};
use stint_domain::outcome::closing::CheckpointResult;

/// A pilot as kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PilotRecord {
    pub id: i64,
    pub name: String,
    pub org: Option<OrgId>,
    pub start: Date,
    pub created_at: Timestamp,
    pub skus: Vec<SkuId>,
    pub members: Vec<UserId>,
}

/// A pilot to keep.
#[derive(Debug, Clone)]
pub struct NewPilot<'a> {
    pub name: &'a str,
    pub org: Option<OrgId>,
    pub start: Date,
    pub skus: &'a [SkuId],
    pub members: &'a [UserId],
    pub created_by: UserId,
}

/// One rating of a check-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckInRecord {
    pub user: UserId,
    pub day: i64,
    pub competency: CompetencyId,
    pub level: i64,
    pub answered_at: Timestamp,
}

/// A member's session in one of the pilot's session types, as the report needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PilotSession {
    pub mentee: UserId,
    pub status: BookingStatus,
    pub checkpoint: Option<CheckpointResult>,
    pub baseline: Option<i64>,
    pub followup: Option<i64>,
}

/// Builds a new pilot's jobs once its id is known.
pub type PilotJobs<'a> = &'a (dyn Fn(i64) -> Vec<NewJob> + Send + Sync);

#[async_trait]
pub trait PilotStore: Send + Sync {
    /// Keeps the pilot, its session types and members, and queues `jobs(id)` with them.
    async fn create_pilot(
        &self,
        pilot: &NewPilot<'_>,
        jobs: PilotJobs<'_>,
        now: Timestamp,
    ) -> Result<i64>;
    /// Every pilot, the newest first.
    async fn pilots(&self) -> Result<Vec<PilotRecord>>;
    async fn pilot(&self, id: i64) -> Result<Option<PilotRecord>>;
    /// The pilots `user` is a member of.
    async fn pilots_of_member(&self, user: UserId) -> Result<Vec<PilotRecord>>;
    /// Keeps (or replaces) a member's ratings for one check-in.
    async fn save_check_in(
        &self,
        pilot: i64,
        user: UserId,
        day: i64,
        levels: &[(CompetencyId, i64)],
        now: Timestamp,
    ) -> Result<()>;
    /// Every rating of the pilot's check-ins.
    async fn check_ins(&self, pilot: i64) -> Result<Vec<CheckInRecord>>;
    /// The members' sessions in the pilot's session types starting in `[from, to)`, not
    /// cancelled.
    async fn pilot_sessions(
        &self,
        pilot: i64,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<PilotSession>>;
}
