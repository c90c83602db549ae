//! The storage side of operations intelligence (`stint_domain::insights`): each mentor's
//! hours per week as the hours job keeps them, search demand counted without people, and
//! the sums the operators' reports read.

use crate::interfaces::Result;
use async_trait::async_trait;
use jiff::Timestamp;
use stint_domain::ids::CompetencyId;
use stint_domain::insights::{MentorWeek, MentorWeekInput, SeriesForecast, SupplyWeek};
use stint_domain::mentor::ZoneBand;

/// Demand added by one node since its last write: per week, competency and band.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemandCount {
    pub week_start: Timestamp,
    pub competency: CompetencyId,
    pub band: ZoneBand,
    pub searches: i64,
    pub empty: i64,
    pub off_hours: i64,
}

/// Bookings made in a week of one competency by mentees of one zone (the application maps
/// zones to bands, which move with daylight saving).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookingsMade {
    pub week_start: Timestamp,
    pub competency: CompetencyId,
    pub timezone: String,
    pub bookings: i64,
    /// The booked sessions' length together.
    pub minutes: i64,
}

#[async_trait]
pub trait InsightStore: Send + Sync {
    /// Every bookable mentor (a profile, the mentor role and an active session type) with
    /// their zone, mean session length and the minutes booked and delivered in `[from, to)`.
    async fn mentor_week_inputs(
        &self,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<MentorWeekInput>>;
    /// Keeps `weeks`, replacing what was kept for the same mentor and week, in one write.
    async fn save_mentor_weeks(&self, weeks: &[MentorWeek], now: Timestamp) -> Result<()>;
    /// Supply summed per week, band and (with `by_competency`) competency, for weeks
    /// starting in `[from, to)`.
    async fn supply_weeks(
        &self,
        from: Timestamp,
        to: Timestamp,
        by_competency: bool,
    ) -> Result<Vec<SupplyWeek>>;
    /// Adds search counts (each row to its week, competency and band).
    async fn add_demand(&self, counts: &[DemandCount]) -> Result<()>;
    /// Search counts for weeks starting in `[from, to)`.
    async fn search_demand(&self, from: Timestamp, to: Timestamp) -> Result<Vec<DemandCount>>;
    /// Bookings made in `[from, to)`, per week, competency and mentee zone.
    async fn bookings_made(&self, from: Timestamp, to: Timestamp) -> Result<Vec<BookingsMade>>;
    /// Replaces every kept forecast with `forecasts`, in one write.
    async fn save_forecasts(&self, forecasts: &[SeriesForecast], now: Timestamp) -> Result<()>;
    /// The kept forecasts, by competency, band and series.
    async fn forecasts(&self) -> Result<Vec<SeriesForecast>>;
}
