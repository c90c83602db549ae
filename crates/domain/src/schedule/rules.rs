//! A mentor's availability rules, validated: weekly hours, date overrides, time off,
//! buffers, notice, horizon, slot step and the load caps that protect against burnout.

use super::reach::{MAX_BREAK_MINUTES, MAX_CONSECUTIVE};
use crate::account::TimeZoneName;
use crate::validate::FieldErrors;
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Minutes since midnight, written "HH:MM"; "24:00" is allowed as the end of a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ClockTime(u16);

impl ClockTime {
    pub const MIDNIGHT: ClockTime = ClockTime(0);
    pub const END_OF_DAY: ClockTime = ClockTime(24 * 60);

    pub fn from_minutes(m: u16) -> Option<ClockTime> {
        (m <= 24 * 60).then_some(ClockTime(m))
    }

    pub fn minutes(self) -> u16 {
        self.0
    }

    pub fn parse(raw: &str) -> Result<ClockTime, String> {
        let bad = || format!("“{raw}” is not a time like 09:30");
        let (h, m) = raw.trim().split_once(':').ok_or_else(bad)?;
        let (h, m): (u16, u16) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
        if m >= 60 || h > 24 || (h == 24 && m != 0) {
            return Err(bad());
        }
        Ok(ClockTime(h * 60 + m))
    }
}

impl std::fmt::Display for ClockTime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:02}:{:02}", self.0 / 60, self.0 % 60)
    }
}

impl Serialize for ClockTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ClockTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        ClockTime::parse(&raw).map_err(serde::de::Error::custom)
    }
}

/// Working hours within one civil day, `start` inclusive, `end` exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayInterval {
    pub start: ClockTime,
    pub end: ClockTime,
}

/// A date whose hours differ from the weekly pattern: other hours, or none (a day off).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DateOverride {
    pub date: Date,
    /// Empty means the whole day is off.
    #[serde(default)]
    pub hours: Vec<DayInterval>,
}

/// A stretch of time off, as instants (holidays, conferences).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeOff {
    pub start: Timestamp,
    pub end: Timestamp,
}

/// Limits that protect a mentor from overload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct LoadCaps {
    /// Sessions per civil day (the mentor's), at most.
    pub max_per_day: Option<u16>,
    /// Sessions per ISO week (Monday to Sunday, the mentor's), at most.
    pub max_per_week: Option<u16>,
    /// At most this many sessions back to back …
    pub max_consecutive: Option<u16>,
    /// … where "back to back" means less than this many minutes between them.
    #[serde(default)]
    pub break_minutes: u16,
}

/// Everything that decides when a mentor can be booked. Stored as JSON (one row per
/// mentor), so unknown fields, written by a newer release during a rolling deploy, are
/// ignored when read; strictness belongs to input (the API's and the forms' own types).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Availability {
    /// The mentor's IANA zone; weekly hours and overrides are read in it.
    pub timezone: String,
    /// Monday first: seven lists of intervals.
    pub weekly: [Vec<DayInterval>; 7],
    #[serde(default)]
    pub overrides: Vec<DateOverride>,
    #[serde(default)]
    pub time_off: Vec<TimeOff>,
    /// Free minutes kept before and after every session.
    #[serde(default)]
    pub buffer_before_minutes: u16,
    #[serde(default)]
    pub buffer_after_minutes: u16,
    /// How long before its start a session may still be booked.
    pub min_notice_minutes: u32,
    /// How far ahead sessions may be booked.
    pub horizon_days: u16,
    /// Starts are offered every this many minutes from the start of each interval.
    pub slot_step_minutes: u16,
    #[serde(default)]
    pub caps: LoadCaps,
}

pub const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
pub const STEPS: [u16; 7] = [5, 10, 15, 20, 30, 45, 60];

impl Availability {
    /// A starting point for a new mentor: weekdays 09:00–17:00, Monday to Friday.
    pub fn default_for(timezone: &str) -> Availability {
        let day = vec![DayInterval {
            start: ClockTime(9 * 60),
            end: ClockTime(17 * 60),
        }];
        Availability {
            timezone: timezone.to_string(),
            weekly: [
                day.clone(),
                day.clone(),
                day.clone(),
                day.clone(),
                day,
                Vec::new(),
                Vec::new(),
            ],
            overrides: Vec::new(),
            time_off: Vec::new(),
            buffer_before_minutes: 0,
            buffer_after_minutes: 10,
            min_notice_minutes: 12 * 60,
            horizon_days: 60,
            slot_step_minutes: 30,
            caps: LoadCaps {
                max_per_day: Some(6),
                max_per_week: Some(20),
                max_consecutive: Some(3),
                break_minutes: 15,
            },
        }
    }

    /// Checks every rule, naming fields like `weekly.tue.1` or `overrides.0.hours.0`.
    pub fn validate(&self) -> Result<TimeZoneName, FieldErrors> {
        let mut e = FieldErrors::new();
        let tz = e.check("timezone", TimeZoneName::parse(&self.timezone));
        for (day, intervals) in WEEKDAYS.iter().zip(&self.weekly) {
            check_intervals(&mut e, &format!("weekly.{day}"), intervals);
        }
        if self.overrides.len() > 366 {
            e.add("overrides", "must have at most 366 dates");
        }
        for (i, o) in self.overrides.iter().enumerate() {
            check_intervals(&mut e, &format!("overrides.{i}.hours"), &o.hours);
            if self.overrides[..i].iter().any(|p| p.date == o.date) {
                e.add(
                    &format!("overrides.{i}.date"),
                    format!("{} is listed twice", o.date),
                );
            }
        }
        if self.time_off.len() > 200 {
            e.add("time_off", "must have at most 200 entries");
        }
        for (i, t) in self.time_off.iter().enumerate() {
            if t.end <= t.start {
                e.add(&format!("time_off.{i}.end"), "must be after the start");
            }
        }
        for (field, v) in [
            ("buffer_before_minutes", self.buffer_before_minutes),
            ("buffer_after_minutes", self.buffer_after_minutes),
        ] {
            if v > 120 {
                e.add(field, "must be between 0 and 120 minutes");
            }
        }
        if self.min_notice_minutes > 30 * 24 * 60 {
            e.add("min_notice_minutes", "must be at most 30 days");
        }
        if !(1..=365).contains(&self.horizon_days) {
            e.add("horizon_days", "must be between 1 and 365 days");
        }
        if !STEPS.contains(&self.slot_step_minutes) {
            e.add(
                "slot_step_minutes",
                "must be one of 5, 10, 15, 20, 30, 45 or 60",
            );
        }
        let c = &self.caps;
        if c.max_per_day.is_some_and(|n| !(1..=24).contains(&n)) {
            e.add("caps.max_per_day", "must be between 1 and 24");
        }
        if c.max_per_week.is_some_and(|n| !(1..=100).contains(&n)) {
            e.add("caps.max_per_week", "must be between 1 and 100");
        }
        if let (Some(d), Some(w)) = (c.max_per_day, c.max_per_week)
            && w < d
        {
            e.add("caps.max_per_week", "must not be less than the daily cap");
        }
        if c.max_consecutive
            .is_some_and(|n| !(1..=MAX_CONSECUTIVE).contains(&n))
        {
            e.add(
                "caps.max_consecutive",
                format!("must be between 1 and {MAX_CONSECUTIVE}"),
            );
        }
        if c.max_consecutive.is_some() && !(5..=MAX_BREAK_MINUTES).contains(&c.break_minutes) {
            e.add(
                "caps.break_minutes",
                format!("must be between 5 and {MAX_BREAK_MINUTES} minutes"),
            );
        }
        match tz {
            Some(tz) if e.is_empty() => Ok(tz),
            _ => Err(e),
        }
    }

    /// The working intervals of a civil date: its override if any, else its weekday's.
    pub fn hours_on(&self, date: Date) -> &[DayInterval] {
        match self.overrides.iter().find(|o| o.date == date) {
            Some(o) => &o.hours,
            None => {
                let index = usize::try_from(date.weekday().to_monday_zero_offset()).unwrap_or(0);
                &self.weekly[index]
            }
        }
    }
}

fn check_intervals(e: &mut FieldErrors, field: &str, intervals: &[DayInterval]) {
    if intervals.len() > 12 {
        e.add(field, "must have at most 12 intervals");
        return;
    }
    for (i, iv) in intervals.iter().enumerate() {
        if iv.end <= iv.start {
            e.add(
                &format!("{field}.{i}"),
                format!("ends ({}) before it starts ({})", iv.end, iv.start),
            );
            continue;
        }
        if let Some(other) = intervals[..i]
            .iter()
            .position(|p| p.start < iv.end && iv.start < p.end)
        {
            e.add(
                &format!("{field}.{i}"),
                format!(
                    "{}–{} overlaps {}–{}",
                    iv.start, iv.end, intervals[other].start, intervals[other].end
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iv(a: &str, b: &str) -> DayInterval {
        DayInterval {
            start: ClockTime::parse(a).unwrap(),
            end: ClockTime::parse(b).unwrap(),
        }
    }

    #[test]
    fn clock_times() {
        assert_eq!(ClockTime::parse("09:30").map(|t| t.minutes()), Ok(570));
        assert_eq!(ClockTime::parse("24:00"), Ok(ClockTime::END_OF_DAY));
        for bad in ["9", "24:30", "10:60", "ab:cd", "-1:00"] {
            assert!(ClockTime::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(ClockTime::parse("07:05").unwrap().to_string(), "07:05");
    }

    #[test]
    fn the_default_is_valid() {
        assert!(
            Availability::default_for("Europe/Berlin")
                .validate()
                .is_ok()
        );
    }

    #[test]
    fn bad_rules_are_named_field_by_field() {
        let mut a = Availability::default_for("Mars/Base");
        a.weekly[1] = vec![iv("09:00", "12:00"), iv("11:00", "13:00")];
        a.weekly[2] = vec![iv("15:00", "14:00")];
        a.overrides = vec![
            DateOverride {
                date: jiff::civil::date(2026, 12, 24),
                hours: vec![],
            },
            DateOverride {
                date: jiff::civil::date(2026, 12, 24),
                hours: vec![],
            },
        ];
        a.slot_step_minutes = 7;
        a.horizon_days = 0;
        a.caps.max_per_day = Some(10);
        a.caps.max_per_week = Some(5);
        let e = a.validate().err().unwrap();
        for f in [
            "timezone",
            "weekly.tue.1",
            "weekly.wed.0",
            "overrides.1.date",
            "slot_step_minutes",
            "horizon_days",
            "caps.max_per_week",
        ] {
            assert!(e.get(f).is_some(), "{f} missing in {e}");
        }
    }

    #[test]
    fn overrides_win_over_the_weekly_pattern() {
        let mut a = Availability::default_for("UTC");
        let christmas = jiff::civil::date(2026, 12, 25); // a Friday
        assert_eq!(a.hours_on(christmas).len(), 1);
        a.overrides.push(DateOverride {
            date: christmas,
            hours: vec![],
        });
        assert!(a.hours_on(christmas).is_empty());
        assert!(
            a.hours_on(jiff::civil::date(2026, 12, 26)).is_empty(),
            "Saturday"
        );
    }

    #[test]
    fn json_uses_clock_strings() {
        let a = Availability::default_for("Asia/Kolkata");
        let json = serde_json::to_string(&a).unwrap();
        assert!(json.contains("\"start\":\"09:00\""), "{json}");
        let back: Availability = serde_json::from_str(&json).unwrap();
        assert_eq!(back, a);
        assert!(serde_json::from_str::<DayInterval>(r#"{"start":"25:00","end":"26:00"}"#).is_err());
    }
}
