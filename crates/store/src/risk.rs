//! The storage side of no-show risk (`stint_app::insights::risk`): each session's facts as
//! the model reads them (past counts taken in the database, of sessions that started
//! earlier), and the one kept model.

use crate::interfaces::Result;
use async_trait::async_trait;
use jiff::Timestamp;
use stint_domain::booking::BookingId;
use stint_domain::risk::{RiskModel, SessionFacts};

/// Which sessions' facts to read.
#[derive(Debug, Clone)]
pub enum RiskSessions<'a> {
    /// Every held or missed session that started before this: the training history.
    FinishedBefore(Timestamp),
    /// These bookings (to score them).
    Bookings(&'a [BookingId]),
}

#[async_trait]
pub trait RiskStore: Send + Sync {
    /// The facts of `which` sessions, oldest first.
    async fn risk_sessions(&self, which: RiskSessions<'_>) -> Result<Vec<SessionFacts>>;
    /// Keeps `model` (`None` removes the kept one: too little data).
    async fn save_risk_model(&self, model: Option<&RiskModel>, now: Timestamp) -> Result<()>;
    /// The kept model.
    async fn risk_model(&self) -> Result<Option<RiskModel>>;
}
