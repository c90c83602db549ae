//! A mentor's standing: whether mentees can find and book them now. Only a listed mentor is
//! in the directory and the slot searches. A pause is the mentor's own: their sessions are
//! kept, and it ends by hand or on the day they chose, as that day begins in their zone. A
//! suspension is an operator's and ends only by one.

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

/// How far ahead a pause's return date may be.
pub const MAX_PAUSE_DAYS: i64 = 366;

/// Whether a mentor is listed, and if not, why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Standing {
    Listed,
    /// Paused by the mentor, until `until` begins in their zone or until they resume.
    Paused {
        until: Option<Date>,
    },
    /// Hidden for inactivity (no bookable time, or sessions left unclosed, past the grace
    /// period); the mentor reactivates in one step.
    Frozen,
    /// Suspended by an operator.
    Suspended,
}

impl Standing {
    /// The word kept in the database.
    pub fn as_str(&self) -> &'static str {
        match self {
            Standing::Listed => "listed",
            Standing::Paused { .. } => "paused",
            Standing::Frozen => "frozen",
            Standing::Suspended => "suspended",
        }
    }

    /// The standing kept as `state` with the return day `resume_on` (`YYYY-MM-DD`).
    pub fn from_parts(state: &str, resume_on: Option<&str>) -> Result<Standing, String> {
        match state {
            "listed" => Ok(Standing::Listed),
            "paused" => {
                let until = resume_on
                    .map(|d| {
                        d.parse::<Date>()
                            .map_err(|e| format!("return day {d}: {e}"))
                    })
                    .transpose()?;
                Ok(Standing::Paused { until })
            }
            "frozen" => Ok(Standing::Frozen),
            "suspended" => Ok(Standing::Suspended),
            other => Err(format!("unknown standing {other}")),
        }
    }

    /// The day a pause ends, if it is a pause with one.
    pub fn until(&self) -> Option<Date> {
        match self {
            Standing::Paused { until } => *until,
            _ => None,
        }
    }

    pub fn is_listed(&self) -> bool {
        matches!(self, Standing::Listed)
    }

    /// Whether a pause with a return day is over at `now`: that day has begun in `zone`
    /// (an IANA name; an unknown one is read as UTC).
    pub fn resumes_by(&self, zone: &str, now: Timestamp) -> bool {
        match self {
            Standing::Paused { until: Some(day) } => today_in(zone, now) >= *day,
            _ => false,
        }
    }
}

/// How far ahead a listed mentor must have a bookable time not to count as inactive.
pub const INACTIVE_LOOKAHEAD_DAYS: i64 = 28;
/// A session ended this long ago and still not closed counts as left unclosed.
pub const UNCLOSED_AFTER_DAYS: i64 = 7;
/// Between the reminder and the freeze.
pub const GRACE_DAYS: i64 = 7;

/// Why a listed mentor counts as inactive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inactivity {
    /// No bookable time in the next [`INACTIVE_LOOKAHEAD_DAYS`].
    NoTime,
    /// This many sessions ended over [`UNCLOSED_AFTER_DAYS`] ago and are not closed.
    Unclosed(u64),
}

impl Inactivity {
    /// Why, as the mentor and operators read it.
    pub fn words(&self) -> String {
        match self {
            Inactivity::NoTime => "no bookable time in the next four weeks".into(),
            Inactivity::Unclosed(1) => "a session left unclosed for over a week".into(),
            Inactivity::Unclosed(n) => format!("{n} sessions left unclosed for over a week"),
        }
    }
}

/// What the inactivity sweep does about one listed mentor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InactivityStep {
    Nothing,
    /// Found inactive for the first time: remind them, and start the grace period.
    Remind,
    /// Still inactive when the grace period is over: hide them.
    Freeze,
    /// Active again: forget the reminder.
    Clear,
}

/// The sweep's step for a listed mentor who is `inactive` (or not) at `now`, reminded at
/// `reminded` if they were.
pub fn inactivity_step(
    inactive: Option<Inactivity>,
    reminded: Option<Timestamp>,
    now: Timestamp,
) -> InactivityStep {
    match (inactive, reminded) {
        (Some(_), None) => InactivityStep::Remind,
        (Some(_), Some(at)) if now.duration_since(at).as_hours() >= GRACE_DAYS * 24 => {
            InactivityStep::Freeze
        }
        (None, Some(_)) => InactivityStep::Clear,
        _ => InactivityStep::Nothing,
    }
}

/// The date at `now` in `zone` (UTC for a zone the system does not know).
pub fn today_in(zone: &str, now: Timestamp) -> Date {
    let tz = TimeZone::get(zone).unwrap_or(TimeZone::UTC);
    now.to_zoned_datetime(tz).date()
}

/// A pause's return day as typed: empty is none (paused until resumed by hand); otherwise a
/// `YYYY-MM-DD` after today in the mentor's zone and at most [`MAX_PAUSE_DAYS`] ahead.
pub fn return_day(input: &str, zone: &str, now: Timestamp) -> Result<Option<Date>, String> {
    let input = input.trim();
    if input.is_empty() {
        return Ok(None);
    }
    let day: Date = input
        .parse()
        .map_err(|_| "must be a date like 2027-01-31".to_string())?;
    let today = today_in(zone, now);
    if day <= today {
        return Err(format!("must be after today ({today})"));
    }
    let last = today
        .checked_add(jiff::Span::new().days(MAX_PAUSE_DAYS))
        .unwrap_or(today);
    if day > last {
        return Err(format!("must be at most a year ahead (by {last})"));
    }
    Ok(Some(day))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn a_pause_ends_as_its_day_begins_in_the_mentors_zone() {
        let p = Standing::Paused {
            until: Some("2026-06-10".parse().unwrap()),
        };
        // Midnight of 10 June in Auckland (UTC+12 in June) is 12:00 UTC on the 9th.
        assert!(!p.resumes_by("Pacific/Auckland", at("2026-06-09T11:59:59Z")));
        assert!(p.resumes_by("Pacific/Auckland", at("2026-06-09T12:00:00Z")));
        // In Los Angeles (UTC−7) the same day begins 19 hours later.
        assert!(!p.resumes_by("America/Los_Angeles", at("2026-06-10T06:59:59Z")));
        assert!(p.resumes_by("America/Los_Angeles", at("2026-06-10T07:00:00Z")));
        assert!(!Standing::Paused { until: None }.resumes_by("UTC", at("2030-01-01T00:00:00Z")));
        assert!(!Standing::Suspended.resumes_by("UTC", at("2030-01-01T00:00:00Z")));
    }

    #[test]
    fn the_inactive_are_reminded_then_frozen_after_the_grace_period() {
        let now = at("2026-06-20T09:00:00Z");
        let week = jiff::SignedDuration::from_hours(24 * GRACE_DAYS);
        let idle = Some(Inactivity::NoTime);
        assert_eq!(inactivity_step(idle, None, now), InactivityStep::Remind);
        let reminded = now - week + jiff::SignedDuration::from_secs(1);
        assert_eq!(
            inactivity_step(idle, Some(reminded), now),
            InactivityStep::Nothing
        );
        assert_eq!(
            inactivity_step(idle, Some(now - week), now),
            InactivityStep::Freeze
        );
        assert_eq!(
            inactivity_step(None, Some(now - week), now),
            InactivityStep::Clear
        );
        assert_eq!(inactivity_step(None, None, now), InactivityStep::Nothing);
        assert_eq!(
            Inactivity::Unclosed(2).words(),
            "2 sessions left unclosed for over a week"
        );
    }

    #[test]
    fn return_days_are_after_today_and_within_a_year() {
        let now = at("2026-06-09T20:00:00Z");
        assert_eq!(return_day(" ", "UTC", now), Ok(None));
        assert!(return_day("2026-06-09", "UTC", now).is_err());
        // Already the 10th in Auckland, so the 10th is today there.
        assert!(return_day("2026-06-10", "Pacific/Auckland", now).is_err());
        assert_eq!(
            return_day("2026-06-10", "UTC", now),
            Ok(Some("2026-06-10".parse().unwrap()))
        );
        assert!(return_day("2027-06-11", "UTC", now).is_err());
        assert!(return_day("10 June", "UTC", now).is_err());
    }

    #[test]
    fn standings_read_back_as_written() {
        for s in [
            Standing::Listed,
            Standing::Paused { until: None },
            Standing::Paused {
                until: Some("2026-07-01".parse().unwrap()),
            },
            Standing::Frozen,
            Standing::Suspended,
        ] {
            let day = s.until().map(|d| d.to_string());
            assert_eq!(Standing::from_parts(s.as_str(), day.as_deref()), Ok(s));
        }
        assert!(Standing::from_parts("gone", None).is_err());
    }
}
