//! A mentor's load and the signs of burnout, week by week over the last eight weeks (Monday
//! to Sunday in the mentor's zone): sessions held against their weekly cap, the longest run
//! of sessions back to back, sessions closed late, and sessions the mentor cancelled or
//! missed. From them come plain suggestions for the mentor and the operators' "at risk" flag.
//! Pure: the sessions, caps and `now` come in.

use crate::schedule::LoadCaps;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

/// Weeks a report covers, the current one last.
pub const WEEKS: usize = 8;
/// A session closed more than this long after its end was closed late.
pub const CLOSE_WITHIN_HOURS: i64 = 24;
/// Sessions less than this many minutes apart (or the mentor's own break, if longer) run
/// back to back.
pub const BACK_TO_BACK_MINUTES: i64 = 10;

/// One session of the mentor's, as the report needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionFacts {
    pub start: Timestamp,
    pub end: Timestamp,
    /// Confirmed or completed (not cancelled, not a no-show).
    pub held: bool,
    pub cancelled_by_mentor: bool,
    pub mentor_no_show: bool,
    pub closed_at: Option<Timestamp>,
}

/// One week of a mentor's load.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeekLoad {
    /// The Monday the week starts on, in the mentor's zone.
    pub week: Date,
    pub sessions: u32,
    pub minutes: i64,
    /// The most sessions in a row with less than a break between them.
    pub longest_streak: u32,
    /// Sessions closed (or still open) more than a day after they ended.
    pub late_closings: u32,
    pub mentor_cancels: u32,
    pub mentor_no_shows: u32,
}

/// A mentor's last eight weeks and what they suggest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoadReport {
    /// Oldest first; the last is the current week.
    pub weeks: Vec<WeekLoad>,
    /// The mentor's weekly cap, if they set one.
    pub cap_per_week: Option<u16>,
    /// Plain suggestions, the most pressing first.
    pub suggestions: Vec<String>,
    /// Why operators should look (empty when they need not).
    pub risks: Vec<String>,
}

impl LoadReport {
    pub fn at_risk(&self) -> bool {
        !self.risks.is_empty()
    }

    pub fn this_week(&self) -> Option<&WeekLoad> {
        self.weeks.last()
    }

    /// The most sessions in any week of the report (for scaling a chart).
    pub fn peak(&self) -> u32 {
        self.weeks
            .iter()
            .map(|w| w.sessions)
            .chain(self.cap_per_week.map(u32::from))
            .max()
            .unwrap_or(0)
    }
}

/// The Monday starting the week that holds `t` in `zone`.
pub fn monday_of(t: Timestamp, zone: &TimeZone) -> Date {
    let day = t.to_zoned_datetime(zone.clone()).date();
    let back = i64::from(day.weekday().to_monday_zero_offset());
    day.checked_sub(jiff::Span::new().days(back)).unwrap_or(day)
}

/// The instant the report's first week begins: eight Mondays back from `now`'s week.
pub fn window_start(now: Timestamp, zone: &TimeZone) -> Timestamp {
    let first = monday_of(now, zone)
        .checked_sub(jiff::Span::new().weeks(WEEKS as i64 - 1))
        .unwrap_or_else(|_| monday_of(now, zone));
    zone.to_timestamp(first.to_datetime(jiff::civil::Time::midnight()))
        .unwrap_or(now)
}

/// The report of `sessions` (any order; those outside the eight weeks are ignored).
pub fn report(
    sessions: &[SessionFacts],
    zone: &TimeZone,
    caps: &LoadCaps,
    buffer_after_minutes: u16,
    now: Timestamp,
) -> LoadReport {
    let last = monday_of(now, zone);
    let mut weeks: Vec<WeekLoad> = (0..WEEKS)
        .rev()
        .map(|k| WeekLoad {
            week: last
                .checked_sub(jiff::Span::new().weeks(k as i64))
                .unwrap_or(last),
            sessions: 0,
            minutes: 0,
            longest_streak: 0,
            late_closings: 0,
            mentor_cancels: 0,
            mentor_no_shows: 0,
        })
        .collect();
    let mondays: Vec<Date> = weeks.iter().map(|w| w.week).collect();
    let index = |t: Timestamp| mondays.iter().position(|m| *m == monday_of(t, zone));
    let gap = SignedDuration::from_mins(BACK_TO_BACK_MINUTES.max(i64::from(caps.break_minutes)));
    let late_after = SignedDuration::from_hours(CLOSE_WITHIN_HOURS);

    let mut held: Vec<&SessionFacts> = sessions.iter().filter(|s| s.held).collect();
    held.sort_by_key(|s| s.start);
    let mut streak = (0u32, None::<Timestamp>);
    for s in &held {
        let Some(i) = index(s.start) else { continue };
        let w = &mut weeks[i];
        w.sessions += 1;
        w.minutes += s.end.duration_since(s.start).as_mins();
        streak.0 = match streak.1 {
            Some(prev_end) if s.start.duration_since(prev_end) < gap => streak.0 + 1,
            _ => 1,
        };
        streak.1 = Some(s.end);
        w.longest_streak = w.longest_streak.max(streak.0);
        let due = s.end.checked_add(late_after).unwrap_or(s.end);
        let late = match s.closed_at {
            Some(at) => at > due,
            None => now > due,
        };
        if late {
            w.late_closings += 1;
        }
    }
    for s in sessions.iter().filter(|s| !s.held) {
        let Some(i) = index(s.start) else { continue };
        if s.cancelled_by_mentor {
            weeks[i].mentor_cancels += 1;
        }
        if s.mentor_no_show {
            weeks[i].mentor_no_shows += 1;
        }
    }
    let (suggestions, risks) = read(&weeks, caps, buffer_after_minutes);
    LoadReport {
        weeks,
        cap_per_week: caps.max_per_week,
        suggestions,
        risks,
    }
}

/// Suggestions for the mentor and risks for the operators, from the weeks.
fn read(weeks: &[WeekLoad], caps: &LoadCaps, buffer_after: u16) -> (Vec<String>, Vec<String>) {
    let (mut say, mut risk) = (Vec::new(), Vec::new());
    let Some(now) = weeks.last() else {
        return (say, risk);
    };
    let plural = |n: u32, one: &str, many: &str| {
        if n == 1 {
            format!("1 {one}")
        } else {
            format!("{n} {many}")
        }
    };
    if now.late_closings >= 2 {
        let tip = if buffer_after < 15 {
            "consider a 15-minute buffer after each session, so the closing fits while it is fresh"
        } else {
            "close each session in the buffer right after it, while it is fresh"
        };
        say.push(format!(
            "You closed {} late this week: {tip}.",
            plural(now.late_closings, "session", "sessions")
        ));
    }
    let late_recent: u32 = weeks.iter().rev().take(2).map(|w| w.late_closings).sum();
    if late_recent >= 3 {
        risk.push(format!("{late_recent} sessions closed late in two weeks"));
    }
    if now.longest_streak >= 3 && caps.max_consecutive.is_none_or(|m| m > 2) {
        say.push(format!(
            "{} sessions ran back to back this week: a limit of 2 in a row (in your hours' caps) leaves room to breathe.",
            now.longest_streak
        ));
    }
    if now.longest_streak >= 4 {
        risk.push(format!("{} sessions back to back", now.longest_streak));
    }
    match caps.max_per_week {
        Some(cap) if cap > 0 => {
            let full = |w: &WeekLoad| w.sessions * 10 >= u32::from(cap) * 9;
            if full(now) {
                say.push(format!(
                    "You are at {} of your {cap} sessions this week. If that feels like a lot, lower the cap: mentees will find other mentors.",
                    now.sessions
                ));
            }
            if weeks.iter().rev().take(2).all(full) {
                risk.push(format!("at the weekly cap of {cap} two weeks running"));
            }
        }
        _ if now.sessions >= 10 => say.push(format!(
            "{} sessions this week and no weekly cap: a cap keeps a busy week from becoming a heavy one.",
            now.sessions
        )),
        _ => {}
    }
    let half = WEEKS / 2;
    let before: u32 = weeks.iter().take(half).map(|w| w.sessions).sum();
    let after: u32 = weeks.iter().skip(half).map(|w| w.sessions).sum();
    if after >= 8 && after * 2 >= before * 3 && after > before {
        say.push(format!(
            "Your load rose from {:.1} to {:.1} sessions a week over eight weeks.",
            f64::from(before) / half as f64,
            f64::from(after) / half as f64
        ));
    }
    let missed: u32 = weeks
        .iter()
        .map(|w| w.mentor_cancels + w.mentor_no_shows)
        .sum();
    if missed >= 2 {
        say.push(format!(
            "You cancelled or missed {} in eight weeks: pausing new bookings is kinder to mentees than cancelling.",
            plural(missed, "session", "sessions")
        ));
        risk.push(format!(
            "{missed} sessions cancelled or missed by the mentor"
        ));
    }
    (say, risk)
}

/// "8 Jun": a week's label on a chart.
pub fn week_label(d: Date) -> String {
    d.strftime("%-d %b").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn held(start: &str, mins: i64, closed_after_hours: Option<i64>) -> SessionFacts {
        let start = at(start);
        let end = start + SignedDuration::from_mins(mins);
        SessionFacts {
            start,
            end,
            held: true,
            cancelled_by_mentor: false,
            mentor_no_show: false,
            closed_at: closed_after_hours.map(|h| end + SignedDuration::from_hours(h)),
        }
    }

    #[test]
    fn late_closings_back_to_back_and_the_cap_are_read_in_the_mentors_week() {
        // Thursday 2026-06-11 in Berlin; the week began Monday 8 June.
        let now = at("2026-06-11T16:00:00Z");
        let zone = TimeZone::get("Europe/Berlin").unwrap();
        let caps = LoadCaps {
            max_per_week: Some(4),
            ..LoadCaps::default()
        };
        let sessions = vec![
            // Three in a row on Monday, two closed late, one not closed after a day.
            held("2026-06-08T08:00:00Z", 30, Some(30)),
            held("2026-06-08T08:35:00Z", 30, Some(1)),
            held("2026-06-08T09:10:00Z", 30, None),
            // Sunday 7 June 22:30 UTC is Monday 00:30 in Berlin: this week.
            held("2026-06-07T22:30:00Z", 20, Some(1)),
            // Last week, on time.
            held("2026-06-02T08:00:00Z", 30, Some(2)),
        ];
        let r = report(&sessions, &zone, &caps, 0, now);
        assert_eq!(r.weeks.len(), WEEKS);
        let w = r.this_week().unwrap();
        assert_eq!(w.week.to_string(), "2026-06-08");
        assert_eq!(w.sessions, 4);
        assert_eq!(w.longest_streak, 3);
        assert_eq!(w.late_closings, 2);
        assert_eq!(r.weeks[WEEKS - 2].sessions, 1);
        assert!(
            r.suggestions[0]
                .starts_with("You closed 2 sessions late this week: consider a 15-minute buffer"),
            "{:?}",
            r.suggestions
        );
        assert!(r.suggestions.iter().any(|s| s.contains("back to back")));
        assert!(r.suggestions.iter().any(|s| s.contains("4 of your 4")));
        assert!(!r.at_risk(), "{:?}", r.risks);
    }

    #[test]
    fn cancelling_and_missing_sessions_puts_a_mentor_at_risk() {
        let now = at("2026-06-11T16:00:00Z");
        let mut gone = held("2026-05-20T08:00:00Z", 30, None);
        gone.held = false;
        gone.cancelled_by_mentor = true;
        let mut missed = held("2026-06-09T08:00:00Z", 30, None);
        missed.held = false;
        missed.mentor_no_show = true;
        let r = report(
            &[gone, missed],
            &TimeZone::UTC,
            &LoadCaps::default(),
            0,
            now,
        );
        assert!(r.at_risk());
        assert!(
            r.suggestions
                .iter()
                .any(|s| s.contains("cancelled or missed 2 sessions"))
        );
        // A calm mentor is not.
        let calm = report(
            &[held("2026-06-09T08:00:00Z", 30, Some(1))],
            &TimeZone::UTC,
            &LoadCaps::default(),
            15,
            now,
        );
        assert!(!calm.at_risk() && calm.suggestions.is_empty(), "{calm:?}");
    }

    #[test]
    fn a_rising_load_is_named() {
        let now = at("2026-06-11T16:00:00Z");
        let mut s = vec![held("2026-04-21T08:00:00Z", 30, Some(1))];
        for day in 1..=10 {
            s.push(held(&format!("2026-06-{day:02}T12:00:00Z"), 30, Some(1)));
        }
        let r = report(&s, &TimeZone::UTC, &LoadCaps::default(), 15, now);
        assert!(
            r.suggestions
                .iter()
                .any(|x| x.contains("rose from 0.2 to 2.5")),
            "{:?}",
            r.suggestions
        );
    }
}
