//! The storage side of experiments (`stint_app::insights::experiments`): experiments, at
//! most one running per factor; exposures, the first per person kept; and the facts per
//! exposed person the results are computed from.

use crate::interfaces::Result;
use async_trait::async_trait;
use jiff::Timestamp;
use stint_domain::experiment::{ExperimentDraft, Factor, Variant};
use stint_domain::ids::UserId;

/// An experiment as kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExperimentRecord {
    pub id: i64,
    pub name: String,
    pub factor: Factor,
    pub hypothesis: String,
    /// The control first.
    pub variants: Vec<Variant>,
    pub started_by: UserId,
    pub started_at: Timestamp,
    pub ended_at: Option<Timestamp>,
}

/// What one exposed person did, counted up to `until` (see
/// [`ExperimentStore::exposed_people`]). Carries no id: results are about groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExposedPerson {
    pub variant: usize,
    pub exposed_at: Timestamp,
    /// Their sessions closed while exposed whose follow-up window has passed.
    pub followups_due: i64,
    /// Of those, the follow-ups they answered within the window.
    pub followups_answered: i64,
    /// Sessions they booked within the rebooking window after their exposure.
    pub rebooked: i64,
}

/// The windows the results count in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Windows {
    /// Closings after this instant are not counted (the experiment's end, or now).
    pub until: Timestamp,
    /// Only follow-ups that opened by this instant (now less the answer window) count.
    pub followup_opened_by: Timestamp,
    /// How long after opening an answer counts, in seconds.
    pub answer_within_secs: i64,
    /// How long after exposure a new booking counts as a rebooking, in seconds.
    pub rebook_within_secs: i64,
}

#[async_trait]
pub trait ExperimentStore: Send + Sync {
    /// Starts an experiment; `None` when one is already running for its factor.
    async fn start_experiment(
        &self,
        draft: &ExperimentDraft,
        started_by: UserId,
        now: Timestamp,
    ) -> Result<Option<i64>>;
    /// Ends a running experiment; `false` when it was not running.
    async fn end_experiment(&self, id: i64, now: Timestamp) -> Result<bool>;
    /// Every experiment, the newest first.
    async fn experiments(&self) -> Result<Vec<ExperimentRecord>>;
    async fn experiment(&self, id: i64) -> Result<Option<ExperimentRecord>>;
    async fn running_experiment(&self, factor: Factor) -> Result<Option<ExperimentRecord>>;
    /// Records that `user` met the experiment in `variant`, unless they already had: the
    /// variant they are recorded in.
    async fn expose(
        &self,
        experiment: i64,
        user: UserId,
        variant: usize,
        now: Timestamp,
    ) -> Result<usize>;
    /// The experiments `user` was placed in: name, variant name, since when (for their export).
    async fn exposures_of(&self, user: UserId) -> Result<Vec<(String, String, Timestamp)>>;
    /// Every exposed person of the experiment with their counts.
    async fn exposed_people(&self, experiment: i64, windows: Windows)
    -> Result<Vec<ExposedPerson>>;
}
