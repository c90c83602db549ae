//! Operations intelligence: the words of an operator's supply and demand figures. Weeks are
//! UTC weeks from Monday 00:00 (`schedule::hours::week_start`); bands are `ZoneBand`s.

use crate::ids::{CompetencyId, UserId};
use crate::mentor::ZoneBand;
use crate::schedule::LoadCaps;
use jiff::{SignedDuration, Timestamp};

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

/// Which figure a forecast is of, in hours a week: demand is the length of the sessions
/// mentees booked (by when they booked, in their band), supply the hours mentors offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Series {
    Demand,
    Supply,
}

impl Series {
    pub fn as_str(self) -> &'static str {
        match self {
            Series::Demand => "demand",
            Series::Supply => "supply",
        }
    }

    pub fn parse(raw: &str) -> Option<Series> {
        [Series::Demand, Series::Supply]
            .into_iter()
            .find(|s| s.as_str() == raw)
    }
}

/// One forecast week: the expected hours and the interval around them.
#[derive(Debug, Clone, PartialEq)]
pub struct ForecastWeek {
    pub week_start: Timestamp,
    pub hours: f64,
    pub lower: f64,
    pub upper: f64,
}

/// The next weeks of one series of one competency in one band, with how its method was
/// chosen: the model's and the seasonal-naive baseline's MASE on weeks held out.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesForecast {
    pub competency: CompetencyId,
    pub band: ZoneBand,
    pub series: Series,
    /// The method used (`ets`, `mstl` or `seasonal_naive`).
    pub method: String,
    /// The model that was tried against the baseline.
    pub model: String,
    pub model_mase: Option<f64>,
    pub baseline_mase: Option<f64>,
    /// Weeks of history it was made from.
    pub history_weeks: i64,
    pub weeks: Vec<ForecastWeek>,
}

/// The share of supply that demand may take before it is a shortfall: above it, mentees
/// stop finding times that suit them.
pub const SHORTFALL_SHARE: f64 = 0.85;

/// The weeks in which forecast demand takes more than `SHORTFALL_SHARE` of forecast supply
/// (weeks matched by their start; supply of zero with any demand is a shortfall).
pub fn shortfall_weeks(demand: &SeriesForecast, supply: &SeriesForecast) -> Vec<Timestamp> {
    demand
        .weeks
        .iter()
        .filter_map(|d| {
            let offered = supply
                .weeks
                .iter()
                .find(|s| s.week_start == d.week_start)
                .map_or(0.0, |s| s.hours);
            (d.hours > 0.0 && d.hours > SHORTFALL_SHARE * offered).then_some(d.week_start)
        })
        .collect()
}

/// A mentor is asked to open more hours at most this often, whatever falls short.
pub const ASK_FOR_HOURS_EVERY: SignedDuration = SignedDuration::from_hours(14 * 24);

/// Whether a mentor last asked at `last_asked` may be asked again at `now`.
pub fn may_ask_for_hours(last_asked: Option<Timestamp>, now: Timestamp) -> bool {
    last_asked.is_none_or(|t| now.duration_since(t) >= ASK_FOR_HOURS_EVERY)
}

/// Whether a mentor who offers `offered_minutes` in a week could offer another session of
/// `session_minutes` without passing their caps (a day's cap counts seven times a week).
pub fn has_room_under_caps(caps: &LoadCaps, offered_minutes: i64, session_minutes: i64) -> bool {
    let sessions = [
        caps.max_per_week.map(i64::from),
        caps.max_per_day.map(|d| 7 * i64::from(d)),
    ]
    .into_iter()
    .flatten()
    .min();
    sessions.is_none_or(|n| n * session_minutes >= offered_minutes + session_minutes)
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

    fn series(series: Series, hours: &[f64]) -> SeriesForecast {
        SeriesForecast {
            competency: CompetencyId(1),
            band: ZoneBand::Americas,
            series,
            method: "ets".into(),
            model: "ets".into(),
            model_mase: None,
            baseline_mase: None,
            history_weeks: 20,
            weeks: hours
                .iter()
                .enumerate()
                .map(|(i, h)| ForecastWeek {
                    week_start: Timestamp::from_second(i as i64 * 604_800).unwrap(),
                    hours: *h,
                    lower: *h,
                    upper: *h,
                })
                .collect(),
        }
    }

    #[test]
    fn a_shortfall_is_demand_above_the_share_of_supply() {
        let demand = series(Series::Demand, &[8.0, 8.5, 9.0, 0.0, 1.0]);
        let supply = series(Series::Supply, &[10.0, 10.0, 10.0, 0.0]);
        let weeks = shortfall_weeks(&demand, &supply);
        let starts: Vec<i64> = weeks.iter().map(|t| t.as_second() / 604_800).collect();
        // 8 of 10 leaves room; 8.5 is exactly the share; 9 is above; no demand is none; demand
        // where nothing is offered is.
        assert_eq!(starts, vec![2, 4]);
    }

    #[test]
    fn a_mentor_is_asked_for_hours_at_most_once_a_fortnight() {
        let now = Timestamp::from_second(100 * 86_400).unwrap();
        assert!(may_ask_for_hours(None, now));
        let days_ago = |d: i64| Some(now - SignedDuration::from_hours(d * 24));
        assert!(!may_ask_for_hours(days_ago(13), now));
        assert!(may_ask_for_hours(days_ago(14), now));
    }

    #[test]
    fn room_under_the_caps_is_one_more_session() {
        let mut caps = LoadCaps::default();
        assert!(has_room_under_caps(&caps, 10_000, 30));
        caps.max_per_week = Some(10);
        assert!(has_room_under_caps(&caps, 270, 30));
        assert!(!has_room_under_caps(&caps, 300, 30));
        caps.max_per_day = Some(1);
        assert!(has_room_under_caps(&caps, 180, 30));
        assert!(!has_room_under_caps(&caps, 210, 30));
    }
}
