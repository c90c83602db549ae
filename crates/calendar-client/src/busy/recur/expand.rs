//! Expanding a [`Rule`] into occurrence start times, in civil (wall-clock) time as §3.3.10
//! defines it, so a weekly 10:00 meeting stays at 10:00 across a DST change.
//!
//! Bounded by construction: the caller's `steps` budget is spent on every period and every
//! candidate looked at, expansion stops at `upper`, and a rule without COUNT starts near the
//! window instead of at DTSTART (a daily rule from year 1 costs the same as one from last week).

use super::rule::{Freq, Rule};
use jiff::civil::{Date, DateTime, Time, Weekday};
use jiff::{SignedDuration, Span};
use std::ops::ControlFlow;

/// Why an expansion ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ended {
    /// The rule ran out (COUNT, UNTIL, the end of representable time) or passed `upper`.
    Complete,
    /// `emit` asked to stop.
    Stopped,
    /// The `steps` budget ran out first.
    OutOfSteps,
}

/// The bounds of one expansion.
pub(crate) struct Bounds {
    /// Occurrences after this (civil, in the event's zone) are not produced.
    pub(crate) until: Option<DateTime>,
    /// Occurrences before this may be skipped (only used when the rule has no COUNT, since
    /// counting needs every occurrence from the start).
    pub(crate) lower: Option<DateTime>,
    /// Expansion stops at the first period starting after this.
    pub(crate) upper: DateTime,
}

/// Calls `emit` with each occurrence after `dtstart` in order (DTSTART itself, always the first
/// occurrence, is the caller's), counting it towards COUNT.
pub(crate) fn expand(
    rule: &Rule,
    dtstart: DateTime,
    bounds: &Bounds,
    steps: &mut u64,
    mut emit: impl FnMut(DateTime) -> ControlFlow<()>,
) -> Ended {
    let times = times_of_day(rule, dtstart.time());
    let mut k = match (rule.count, bounds.lower) {
        (None, Some(lower)) if lower > dtstart => first_period(rule, dtstart, lower),
        _ => 0,
    };
    let mut count: u64 = 1;
    let mut candidates = Vec::new();
    loop {
        if *steps == 0 {
            return Ended::OutOfSteps;
        }
        *steps -= 1;
        candidates.clear();
        let Some(floor) = period(rule, dtstart, k, &times, &mut candidates) else {
            return Ended::Complete;
        };
        if floor > bounds.upper {
            return Ended::Complete;
        }
        *steps = steps.saturating_sub(candidates.len() as u64);
        for &c in &candidates {
            if c <= dtstart {
                continue;
            }
            count += 1;
            if rule.count.is_some_and(|n| count > n) || bounds.until.is_some_and(|u| c > u) {
                return Ended::Complete;
            }
            if emit(c).is_break() {
                return Ended::Stopped;
            }
        }
        k += 1;
    }
}

/// The period index a little before `lower`, so skipping never misses an occurrence.
fn first_period(rule: &Rule, dtstart: DateTime, lower: DateTime) -> i64 {
    let periods = match rule.freq {
        Freq::Secondly | Freq::Minutely | Freq::Hourly => {
            lower.duration_since(dtstart).as_secs() / unit_seconds(rule.freq)
        }
        Freq::Daily => days_between(dtstart.date(), lower.date()),
        Freq::Weekly => {
            days_between(
                week_start(dtstart.date(), rule.wkst),
                week_start(lower.date(), rule.wkst),
            ) / 7
        }
        Freq::Monthly => month_index(lower.date()) - month_index(dtstart.date()),
        Freq::Yearly => i64::from(lower.year()) - i64::from(dtstart.year()),
    };
    (periods / rule.interval - 1).max(0)
}

fn unit_seconds(freq: Freq) -> i64 {
    match freq {
        Freq::Secondly => 1,
        Freq::Minutely => 60,
        _ => 3600,
    }
}

fn days_between(from: Date, to: Date) -> i64 {
    to.duration_since(from).as_secs() / 86_400
}

fn month_index(d: Date) -> i64 {
    i64::from(d.year()) * 12 + i64::from(d.month()) - 1
}

fn add_days(d: Date, days: i64) -> Option<Date> {
    d.checked_add(Span::new().try_days(days).ok()?).ok()
}

fn week_start(d: Date, wkst: Weekday) -> Date {
    let back = i64::from(d.weekday().since(wkst));
    add_days(d, -back).unwrap_or(d)
}

/// Times of day an occurrence may have: BYHOUR × BYMINUTE × BYSECOND, each defaulting to
/// DTSTART's. Used as an expansion for DAILY and coarser rules.
fn times_of_day(rule: &Rule, t: Time) -> Vec<Time> {
    let pick = |list: &[i8], default: i8| {
        if list.is_empty() {
            vec![default]
        } else {
            list.to_vec()
        }
    };
    let mut out = Vec::new();
    for h in pick(&rule.by_hour, t.hour()) {
        for m in pick(&rule.by_minute, t.minute()) {
            for s in pick(&rule.by_second, t.second()) {
                if let Ok(time) = Time::new(h, m, s, 0) {
                    out.push(time);
                }
            }
        }
    }
    out.sort();
    out
}

/// Fills `out` with period `k`'s occurrences (sorted, BYSETPOS applied) and returns the
/// earliest instant the period could hold; `None` once the period is outside jiff's range.
fn period(
    rule: &Rule,
    dtstart: DateTime,
    k: i64,
    times: &[Time],
    out: &mut Vec<DateTime>,
) -> Option<DateTime> {
    let step = k.checked_mul(rule.interval)?;
    let floor = match rule.freq {
        Freq::Secondly | Freq::Minutely | Freq::Hourly => {
            let secs = step.checked_mul(unit_seconds(rule.freq))?;
            let dt = dtstart.checked_add(SignedDuration::from_secs(secs)).ok()?;
            if date_matches(rule, dt.date()) && time_matches(rule, dt.time()) {
                out.push(dt);
            }
            return Some(dt);
        }
        Freq::Daily => {
            let d = add_days(dtstart.date(), step)?;
            if date_matches(rule, d) {
                push_times(out, d, times);
            }
            d
        }
        Freq::Weekly => {
            let start = add_days(week_start(dtstart.date(), rule.wkst), step.checked_mul(7)?)?;
            let mut days: Vec<Weekday> = rule.by_day.iter().map(|&(_, wd)| wd).collect();
            if days.is_empty() {
                days.push(dtstart.weekday());
            }
            for wd in days {
                let d = add_days(start, i64::from(wd.since(rule.wkst)))?;
                if rule.by_month.is_empty() || rule.by_month.contains(&d.month()) {
                    push_times(out, d, times);
                }
            }
            start
        }
        Freq::Monthly => {
            let index = month_index(dtstart.date()).checked_add(step)?;
            let first = month_start(index)?;
            if rule.by_month.is_empty() || rule.by_month.contains(&first.month()) {
                month_days(rule, dtstart, first, times, out);
            }
            first
        }
        Freq::Yearly => {
            let year = i16::try_from(i64::from(dtstart.year()).checked_add(step)?).ok()?;
            let first = Date::new(year, 1, 1).ok()?;
            if rule.by_month.is_empty() && !rule.by_day.is_empty() && rule.by_month_day.is_empty() {
                year_weekdays(rule, first, times, out);
            } else {
                let months: Vec<i8> = match (rule.by_month.is_empty(), rule.by_month_day.is_empty())
                {
                    (false, _) => rule.by_month.clone(),
                    (true, false) => (1..=12).collect(),
                    (true, true) => vec![dtstart.month()],
                };
                for m in months {
                    if let Ok(d) = Date::new(year, m, 1) {
                        month_days(rule, dtstart, d, times, out);
                    }
                }
            }
            first
        }
    };
    out.sort();
    out.dedup();
    apply_set_pos(rule, out);
    Some(floor.to_datetime(Time::midnight()))
}

fn month_start(index: i64) -> Option<Date> {
    let year = i16::try_from(index.div_euclid(12)).ok()?;
    Date::new(year, (index.rem_euclid(12) + 1) as i8, 1).ok()
}

fn push_times(out: &mut Vec<DateTime>, d: Date, times: &[Time]) {
    out.extend(times.iter().map(|&t| d.to_datetime(t)));
}

/// BYMONTH, BYMONTHDAY and BYDAY as filters (how they act on DAILY and finer rules).
fn date_matches(rule: &Rule, d: Date) -> bool {
    (rule.by_month.is_empty() || rule.by_month.contains(&d.month()))
        && (rule.by_month_day.is_empty() || rule.by_month_day.iter().any(|&md| month_day_is(d, md)))
        && (rule.by_day.is_empty() || rule.by_day.iter().any(|&(_, wd)| wd == d.weekday()))
}

fn time_matches(rule: &Rule, t: Time) -> bool {
    (rule.by_hour.is_empty() || rule.by_hour.contains(&t.hour()))
        && (rule.by_minute.is_empty() || rule.by_minute.contains(&t.minute()))
        && (rule.by_second.is_empty() || rule.by_second.contains(&t.second()))
}

/// Whether `d` is month day `md` (negative counts from the month's end: −1 is the last day).
fn month_day_is(d: Date, md: i8) -> bool {
    if md > 0 {
        d.day() == md
    } else {
        d.day() == d.days_in_month() + md + 1
    }
}

/// Whether `d` is the `ordinal`-th `wd` of its month (negative counts from the end).
fn nth_in_month(d: Date, ordinal: Option<i8>, wd: Weekday) -> bool {
    d.weekday() == wd
        && match ordinal {
            None => true,
            Some(n) if n > 0 => (d.day() - 1) / 7 + 1 == n,
            Some(n) => (d.days_in_month() - d.day()) / 7 + 1 == -n,
        }
}

/// The occurrences in the month starting at `first` for a MONTHLY rule (or a YEARLY one with
/// BYMONTH): BYMONTHDAY and BYDAY expand, and limit each other when both are given.
fn month_days(
    rule: &Rule,
    dtstart: DateTime,
    first: Date,
    times: &[Time],
    out: &mut Vec<DateTime>,
) {
    let dim = first.days_in_month();
    for day in 1..=dim {
        let Ok(d) = Date::new(first.year(), first.month(), day) else {
            continue;
        };
        let by_month_day = if rule.by_month_day.is_empty() {
            // Without BYMONTHDAY or BYDAY the day is DTSTART's, and a month without it (the
            // 31st in April) has no occurrence, as §3.3.10 says.
            !rule.by_day.is_empty() || day == dtstart.day()
        } else {
            rule.by_month_day.iter().any(|&md| month_day_is(d, md))
        };
        let by_day =
            rule.by_day.is_empty() || rule.by_day.iter().any(|&(n, wd)| nth_in_month(d, n, wd));
        if by_month_day && by_day {
            push_times(out, d, times);
        }
    }
}

/// A YEARLY rule with BYDAY and no BYMONTH: ordinals count within the year (`20MO` is the
/// year's 20th Monday).
fn year_weekdays(rule: &Rule, first: Date, times: &[Time], out: &mut Vec<DateTime>) {
    let year = first.year();
    let Ok(last) = Date::new(year, 12, 31) else {
        return;
    };
    for &(ordinal, wd) in &rule.by_day {
        let Some(first_wd) = add_days(first, i64::from(wd.since(first.weekday()))) else {
            continue;
        };
        let Some(last_wd) = add_days(last, -i64::from(last.weekday().since(wd))) else {
            continue;
        };
        let mut days = Vec::new();
        match ordinal {
            None => {
                let mut d = Some(first_wd);
                while let Some(day) = d.filter(|day| day.year() == year) {
                    days.push(day);
                    d = add_days(day, 7);
                }
            }
            Some(n) if n > 0 => days.extend(add_days(first_wd, 7 * (i64::from(n) - 1))),
            Some(n) => days.extend(add_days(last_wd, 7 * (i64::from(n) + 1))),
        }
        for d in days.into_iter().filter(|d| d.year() == year) {
            push_times(out, d, times);
        }
    }
}

/// Keeps only the BYSETPOS-th members of the period's sorted occurrences.
fn apply_set_pos(rule: &Rule, out: &mut Vec<DateTime>) {
    if rule.by_set_pos.is_empty() || out.is_empty() {
        return;
    }
    let len = out.len() as i64;
    let mut kept: Vec<DateTime> = rule
        .by_set_pos
        .iter()
        .filter_map(|&p| {
            let index = if p > 0 {
                i64::from(p) - 1
            } else {
                len + i64::from(p)
            };
            usize::try_from(index)
                .ok()
                .and_then(|i| out.get(i).copied())
        })
        .collect();
    kept.sort();
    kept.dedup();
    *out = kept;
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn run(rule: &str, start: DateTime, upper: DateTime) -> Vec<DateTime> {
        let rule = Rule::parse(rule).unwrap();
        let bounds = Bounds {
            until: None,
            lower: None,
            upper,
        };
        let mut out = vec![start];
        let mut steps = 100_000;
        expand(&rule, start, &bounds, &mut steps, |c| {
            out.push(c);
            ControlFlow::Continue(())
        });
        out
    }

    #[test]
    fn weekly_by_day_with_count() {
        let got = run(
            "FREQ=WEEKLY;BYDAY=MO,WE;COUNT=4",
            date(2026, 3, 2).at(9, 0, 0, 0),
            DateTime::MAX,
        );
        let days: Vec<i8> = got.iter().map(|d| d.day()).collect();
        assert_eq!(days, vec![2, 4, 9, 11]);
    }

    #[test]
    fn monthly_skips_months_without_the_day() {
        let got = run(
            "FREQ=MONTHLY;COUNT=4",
            date(2026, 1, 31).at(9, 0, 0, 0),
            DateTime::MAX,
        );
        let months: Vec<i8> = got.iter().map(|d| d.month()).collect();
        assert_eq!(months, vec![1, 3, 5, 7]);
    }

    #[test]
    fn monthly_last_weekday_with_set_pos() {
        let got = run(
            "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;COUNT=3",
            date(2026, 1, 30).at(9, 0, 0, 0),
            DateTime::MAX,
        );
        assert_eq!(
            got,
            vec![
                date(2026, 1, 30).at(9, 0, 0, 0),
                date(2026, 2, 27).at(9, 0, 0, 0),
                date(2026, 3, 31).at(9, 0, 0, 0),
            ]
        );
    }

    #[test]
    fn yearly_nth_weekday_and_leap_day() {
        let got = run(
            "FREQ=YEARLY;BYMONTH=11;BYDAY=4TH;COUNT=2",
            date(2026, 11, 26).at(12, 0, 0, 0),
            DateTime::MAX,
        );
        assert_eq!(got[1].date(), date(2027, 11, 25));
        let leap = run(
            "FREQ=YEARLY;COUNT=3",
            date(2024, 2, 29).at(0, 0, 0, 0),
            DateTime::MAX,
        );
        assert_eq!(
            leap.iter().map(|d| d.year()).collect::<Vec<_>>(),
            vec![2024, 2028, 2032]
        );
        let year_scope = run(
            "FREQ=YEARLY;BYDAY=-1SU;COUNT=2",
            date(2026, 12, 27).at(0, 0, 0, 0),
            DateTime::MAX,
        );
        assert_eq!(year_scope[1].date(), date(2027, 12, 26));
    }

    #[test]
    fn skipping_ahead_reaches_a_far_window_quickly() {
        let rule = Rule::parse("FREQ=DAILY;INTERVAL=3").unwrap();
        let start = date(1, 1, 1).at(8, 0, 0, 0);
        let lower = date(2026, 6, 1).at(0, 0, 0, 0);
        let bounds = Bounds {
            until: None,
            lower: Some(lower),
            upper: date(2026, 6, 10).at(0, 0, 0, 0),
        };
        let mut steps = 1_000;
        let mut got = Vec::new();
        let ended = expand(&rule, start, &bounds, &mut steps, |c| {
            if c >= lower && c < bounds.upper {
                got.push(c);
            }
            ControlFlow::Continue(())
        });
        assert_eq!(ended, Ended::Complete);
        assert_eq!(
            got,
            vec![
                date(2026, 6, 1).at(8, 0, 0, 0),
                date(2026, 6, 4).at(8, 0, 0, 0),
                date(2026, 6, 7).at(8, 0, 0, 0)
            ]
        );
        // Every third day from 0001-01-01, checked independently of the expansion.
        for d in &got {
            assert_eq!(days_between(start.date(), d.date()) % 3, 0);
        }
        assert!(
            steps > 900,
            "skipping should cost a handful of steps, left {steps}"
        );
    }

    #[test]
    fn a_rule_matching_nothing_stops_on_the_step_budget() {
        let rule = Rule::parse("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30").unwrap();
        let bounds = Bounds {
            until: None,
            lower: None,
            upper: DateTime::MAX,
        };
        let mut steps = 5_000;
        let ended = expand(
            &rule,
            date(2026, 1, 1).at(0, 0, 0, 0),
            &bounds,
            &mut steps,
            |_| ControlFlow::Continue(()),
        );
        assert_eq!(ended, Ended::OutOfSteps);
    }
}
