//! Active hours: how much of a week a mentor offered, as minutes, from the same rules the
//! slot search reads. Operators plan supply from it, so it counts what mentees could have
//! booked: working hours, less time off and other calendars' busy time, and no more than the
//! caps let be booked.

use super::rules::Availability;
use super::slots::{civil_instants, interval_end};
use jiff::civil::{Date, DateTime, Time};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use std::collections::BTreeMap;

/// The Monday 00:00 UTC that starts the week holding `t`: reports count weeks in UTC so
/// every mentor's week is the same span of time.
pub fn week_start(t: Timestamp) -> Timestamp {
    // 1970-01-05 was a Monday.
    const MONDAY: i64 = 4 * 86_400;
    const WEEK: i64 = 7 * 86_400;
    let s = t.as_second();
    let start = s - (s - MONDAY).rem_euclid(WEEK);
    Timestamp::from_second(start).unwrap_or(t)
}

/// One week.
pub const WEEK: SignedDuration = SignedDuration::from_hours(7 * 24);

/// The starts of the `n` weeks up to and including the one holding `now`, oldest first.
pub fn weeks_back(now: Timestamp, n: u32) -> Vec<Timestamp> {
    let this_week = week_start(now);
    (0..i32::try_from(n).unwrap_or(i32::MAX))
        .rev()
        .filter_map(|k| this_week.checked_sub(WEEK * k).ok())
        .collect()
}

/// Sorted, merged `(start, end)` intervals.
fn merged(mut all: Vec<(Timestamp, Timestamp)>) -> Vec<(Timestamp, Timestamp)> {
    all.retain(|(s, e)| s < e);
    all.sort();
    let mut out: Vec<(Timestamp, Timestamp)> = Vec::with_capacity(all.len());
    for (s, e) in all {
        match out.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    out
}

/// `open` less `blocked` (both sorted and merged).
fn minus(
    open: &[(Timestamp, Timestamp)],
    blocked: &[(Timestamp, Timestamp)],
) -> Vec<(Timestamp, Timestamp)> {
    let mut out = Vec::new();
    for &(s, e) in open {
        let mut at = s;
        for &(bs, be) in blocked.iter().filter(|(bs, be)| *be > s && *bs < e) {
            if bs > at {
                out.push((at, bs));
            }
            at = at.max(be);
        }
        if at < e {
            out.push((at, e));
        }
    }
    out
}

fn minutes(from: Timestamp, to: Timestamp) -> i64 {
    to.duration_since(from).as_secs() / 60
}

/// The minutes mentor `rules` offered within `[from, to)`: their working hours (in `tz`,
/// the rules' zone), less time off and `blocked` (other calendars), with each of their civil
/// days holding at most `max_per_day` sessions of `session_minutes` and each ISO week at most
/// `max_per_week` (time beyond what the caps let be booked is not supply).
pub fn offered_minutes(
    rules: &Availability,
    tz: &TimeZone,
    blocked: &[(Timestamp, Timestamp)],
    (from, to): (Timestamp, Timestamp),
    session_minutes: i64,
) -> i64 {
    if from >= to {
        return 0;
    }
    let (Ok(first), Ok(last)) = (
        tz.to_datetime(from).date().yesterday(),
        tz.to_datetime(to).date().tomorrow(),
    ) else {
        return 0;
    };
    // Each civil day's open intervals apart, so a day's cap counts that day's hours.
    let mut open: BTreeMap<Date, Vec<(Timestamp, Timestamp)>> = BTreeMap::new();
    let mut date = first;
    while date <= last {
        for iv in rules.hours_on(date) {
            let start = DateTime::from_parts(date, Time::midnight())
                .checked_add(SignedDuration::from_mins(i64::from(iv.start.minutes())))
                .ok()
                .and_then(|dt| civil_instants(tz, dt).into_iter().next());
            if let (Some(s), Some(e)) = (start, interval_end(tz, date, iv.end)) {
                open.entry(date).or_default().push((s.max(from), e.min(to)));
            }
        }
        let Ok(next) = date.tomorrow() else { break };
        date = next;
    }
    let off = merged(
        rules
            .time_off
            .iter()
            .map(|t| (t.start, t.end))
            .chain(blocked.iter().copied())
            .collect(),
    );
    let session = session_minutes.max(1);
    let mut per_week: BTreeMap<(i16, i8), i64> = BTreeMap::new();
    for (date, intervals) in open {
        let m: i64 = minus(&merged(intervals), &off)
            .into_iter()
            .map(|(s, e)| minutes(s, e))
            .sum();
        let day = rules
            .caps
            .max_per_day
            .map_or(m, |cap| m.min(i64::from(cap) * session));
        let w = date.iso_week_date();
        *per_week.entry((w.year(), w.week())).or_insert(0) += day;
    }
    per_week
        .into_values()
        .map(|m| {
            rules
                .caps
                .max_per_week
                .map_or(m, |cap| m.min(i64::from(cap) * session))
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::rules::{LoadCaps, TimeOff};

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn berlin_week() -> (Timestamp, Timestamp) {
        // Monday 2026-03-02 00:00 UTC to the next Monday.
        (at("2026-03-02T00:00:00Z"), at("2026-03-09T00:00:00Z"))
    }

    #[test]
    fn weeks_back_end_with_this_week() {
        let weeks = weeks_back(at("2026-03-04T15:30:00Z"), 3);
        assert_eq!(
            weeks,
            [
                at("2026-02-16T00:00:00Z"),
                at("2026-02-23T00:00:00Z"),
                at("2026-03-02T00:00:00Z")
            ]
        );
    }

    #[test]
    fn weeks_start_on_monday_in_utc() {
        assert_eq!(
            week_start(at("2026-03-04T15:30:00Z")),
            at("2026-03-02T00:00:00Z")
        );
        assert_eq!(
            week_start(at("2026-03-02T00:00:00Z")),
            at("2026-03-02T00:00:00Z")
        );
        assert_eq!(
            week_start(at("2026-03-01T23:59:59Z")),
            at("2026-02-23T00:00:00Z")
        );
    }

    /// The default hours without caps: 09:00–17:00 on weekdays.
    fn uncapped(zone: &str) -> Availability {
        let mut rules = Availability::default_for(zone);
        rules.caps = LoadCaps::default();
        rules
    }

    #[test]
    fn default_hours_offer_forty_hours_a_week() {
        let tz = TimeZone::get("Europe/Berlin").unwrap();
        let rules = uncapped("Europe/Berlin");
        assert_eq!(
            offered_minutes(&rules, &tz, &[], berlin_week(), 30),
            40 * 60
        );
        // The default caps (20 sessions a week) bound it: 20 sessions' worth.
        let rules = Availability::default_for("Europe/Berlin");
        assert_eq!(offered_minutes(&rules, &tz, &[], berlin_week(), 30), 600);
        assert_eq!(offered_minutes(&rules, &tz, &[], berlin_week(), 60), 1200);
    }

    #[test]
    fn time_off_and_other_calendars_are_not_offered() {
        let mut rules = uncapped("Europe/Berlin");
        rules.time_off.push(TimeOff {
            // Monday 09:00–11:00 Berlin (08:00–10:00 UTC).
            start: at("2026-03-02T08:00:00Z"),
            end: at("2026-03-02T10:00:00Z"),
        });
        let tz = TimeZone::get("Europe/Berlin").unwrap();
        // Tuesday 12:00–13:00 Berlin, and an overlapping second event.
        let blocked = [
            (at("2026-03-03T11:00:00Z"), at("2026-03-03T12:00:00Z")),
            (at("2026-03-03T11:30:00Z"), at("2026-03-03T12:00:00Z")),
        ];
        assert_eq!(
            offered_minutes(&rules, &tz, &blocked, berlin_week(), 30),
            40 * 60 - 120 - 60
        );
    }

    #[test]
    fn caps_bound_what_is_offered() {
        let mut rules = uncapped("Europe/Berlin");
        let tz = TimeZone::get("Europe/Berlin").unwrap();
        rules.caps = LoadCaps {
            max_per_day: Some(4),
            ..LoadCaps::default()
        };
        // Four 30-minute sessions a day on five days.
        assert_eq!(
            offered_minutes(&rules, &tz, &[], berlin_week(), 30),
            5 * 120
        );
        rules.caps.max_per_week = Some(6);
        assert_eq!(offered_minutes(&rules, &tz, &[], berlin_week(), 30), 180);
    }

    #[test]
    fn only_the_asked_span_counts() {
        let rules = uncapped("America/New_York");
        let tz = TimeZone::get("America/New_York").unwrap();
        // Monday 2026-03-02 from 12:00 New York (17:00 UTC) to the end of Tuesday UTC.
        let span = (at("2026-03-02T17:00:00Z"), at("2026-03-04T00:00:00Z"));
        assert_eq!(offered_minutes(&rules, &tz, &[], span, 30), 5 * 60 + 8 * 60);
        assert_eq!(offered_minutes(&rules, &tz, &[], (span.1, span.0), 30), 0);
    }
}
