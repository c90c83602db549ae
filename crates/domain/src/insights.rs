//! Operations intelligence: the words of an operator's supply and demand figures. Weeks are
//! UTC weeks from Monday 00:00 (`schedule::hours::week_start`); bands are `ZoneBand`s.

use crate::ids::{CompetencyId, UserId};
use crate::mentor::ZoneBand;
use jiff::Timestamp;

/// What the hours job reads of one mentor for one week.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MentorWeekInput {
    pub mentor: UserId,
    pub timezone: String,
    /// The mean length of the session types they deliver, for what the caps allow.
    pub session_minutes: i64,
    /// Sessions that started in the week and were not cancelled.
    pub booked_minutes: i64,
    /// Of those, the sessions that took place (completed).
    pub delivered_minutes: i64,
}

/// One mentor's hours in one week, as kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MentorWeek {
    pub mentor: UserId,
    pub week_start: Timestamp,
    pub band: ZoneBand,
    pub offered_minutes: i64,
    pub booked_minutes: i64,
    pub delivered_minutes: i64,
}

/// Supply in one band in one week: the summed hours of the mentors of one competency (a
/// mentor of two competencies counts in both), or of every mentor (`competency` `None`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupplyWeek {
    pub week_start: Timestamp,
    pub competency: Option<CompetencyId>,
    pub band: ZoneBand,
    pub mentors: i64,
    pub offered_minutes: i64,
    pub booked_minutes: i64,
    pub delivered_minutes: i64,
}

/// Booked over offered; `None` when nothing was offered.
pub fn utilization(booked_minutes: i64, offered_minutes: i64) -> Option<f64> {
    #[allow(clippy::cast_precision_loss)] // minutes of a few weeks
    (offered_minutes > 0).then(|| booked_minutes as f64 / offered_minutes as f64)
}

impl SupplyWeek {
    /// Booked hours over offered hours; `None` when nothing was offered.
    pub fn utilization(&self) -> Option<f64> {
        utilization(self.booked_minutes, self.offered_minutes)
    }
}

/// Demand for one competency from one band in one week: bookings made, and searches for a
/// time with how many found none, or none in the searcher's working day.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DemandWeek {
    pub bookings: i64,
    pub searches: i64,
    pub empty: i64,
    pub off_hours: i64,
}

/// A search's outcome, as demand counts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchResult {
    /// At least one time in the searcher's working day.
    Found,
    /// Times, but none in the searcher's working day.
    OffHours,
    /// No time at all.
    Empty,
}

/// The searcher's working day, in their own zone: 09:00 to 18:00.
pub const WORKDAY_HOURS: (i8, i8) = (9, 18);

impl SearchResult {
    /// What a search found, given the local hours (in the searcher's zone) of its times.
    pub fn of_hours(hours: impl IntoIterator<Item = i8>) -> SearchResult {
        let mut any = false;
        for h in hours {
            if (WORKDAY_HOURS.0..WORKDAY_HOURS.1).contains(&h) {
                return SearchResult::Found;
            }
            any = true;
        }
        if any {
            SearchResult::OffHours
        } else {
            SearchResult::Empty
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_search_is_judged_by_the_searchers_working_day() {
        assert_eq!(SearchResult::of_hours([]), SearchResult::Empty);
        assert_eq!(SearchResult::of_hours([6, 21]), SearchResult::OffHours);
        assert_eq!(SearchResult::of_hours([18]), SearchResult::OffHours);
        assert_eq!(SearchResult::of_hours([6, 9]), SearchResult::Found);
        assert_eq!(SearchResult::of_hours([17]), SearchResult::Found);
    }

    #[test]
    fn utilization_is_booked_over_offered() {
        let mut w = SupplyWeek {
            week_start: Timestamp::UNIX_EPOCH,
            competency: Some(CompetencyId(1)),
            band: ZoneBand::Americas,
            mentors: 2,
            offered_minutes: 600,
            booked_minutes: 150,
            delivered_minutes: 120,
        };
        assert_eq!(w.utilization(), Some(0.25));
        w.offered_minutes = 0;
        assert_eq!(w.utilization(), None);
    }
}
