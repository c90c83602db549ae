//! Bookable slots: a pure function of a mentor's rules, their busy time and "now".
//!
//! Candidate starts are generated in the mentor's civil time, every `slot_step_minutes`
//! from the start of each working interval. A start that falls in a DST gap does not
//! exist and is skipped; one that falls in a fold happens twice and both are offered.
//! A slot must end, in real time, by the end of its interval, keep the buffers clear of
//! other sessions and blocked time, and respect notice, horizon and the load caps.

use super::rules::{Availability, ClockTime};
use jiff::civil::{Date, DateTime};
use jiff::tz::{AmbiguousOffset, TimeZone};
use jiff::{SignedDuration, Timestamp};
use serde::Serialize;
use std::collections::BTreeMap;

/// What makes time busy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BusyKind {
    /// A live Stint session: padded by buffers, counted by the caps.
    Session,
    /// Anything else (another calendar, time off): simply unavailable.
    Blocked,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Busy {
    pub start: Timestamp,
    pub end: Timestamp,
    pub kind: BusyKind,
}

/// What is being searched for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlotQuery {
    pub duration_minutes: u16,
    /// Slots starting at or after this instant …
    pub from: Timestamp,
    /// … and strictly before this one.
    pub to: Timestamp,
    pub now: Timestamp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Slot {
    pub start: Timestamp,
    pub end: Timestamp,
}

fn mins(m: i64) -> SignedDuration {
    SignedDuration::from_mins(m)
}

/// The civil date-time `minutes` after midnight of `date` (24:00 is the next midnight).
fn civil(date: Date, minutes: u16) -> Option<DateTime> {
    if minutes >= 24 * 60 {
        return date.tomorrow().ok().map(|d| d.at(0, 0, 0, 0));
    }
    let (h, m) = (
        i8::try_from(minutes / 60).ok()?,
        i8::try_from(minutes % 60).ok()?,
    );
    Some(date.at(h, m, 0, 0))
}

/// The instants a civil date-time names in `tz`: none in a gap, two in a fold.
pub fn civil_instants(tz: &TimeZone, dt: DateTime) -> Vec<Timestamp> {
    match tz.to_ambiguous_timestamp(dt).offset() {
        AmbiguousOffset::Unambiguous { offset } => offset.to_timestamp(dt).into_iter().collect(),
        AmbiguousOffset::Gap { .. } => Vec::new(),
        AmbiguousOffset::Fold { before, after } => {
            [before.to_timestamp(dt), after.to_timestamp(dt)]
                .into_iter()
                .flatten()
                .collect()
        }
    }
}

/// The instant an interval ends: the later occurrence in a fold, and in a gap the moment the
/// clocks jump (an end written inside the gap is reached when the clock skips past it: a
/// mentor working until 02:30 on a night the clock goes from 02:00 to 03:00 works until the
/// jump, and a session ending exactly then fits).
pub(crate) fn interval_end(tz: &TimeZone, date: Date, end: ClockTime) -> Option<Timestamp> {
    let dt = civil(date, end.minutes())?;
    match tz.to_ambiguous_timestamp(dt).offset() {
        AmbiguousOffset::Unambiguous { offset } => offset.to_timestamp(dt).ok(),
        AmbiguousOffset::Fold { after, .. } => after.to_timestamp(dt).ok(),
        AmbiguousOffset::Gap { before, after } => {
            let (a, b) = (before.to_timestamp(dt).ok()?, after.to_timestamp(dt).ok()?);
            let earliest = a.min(b);
            // The jump lies between the two readings; the first transition after the earlier.
            let jump = tz
                .following(earliest)
                .next()
                .map(|t| t.timestamp())
                .filter(|t| *t <= a.max(b));
            Some(jump.unwrap_or(earliest))
        }
    }
}

/// Sorted, merged intervals a candidate's padded time must not touch.
fn forbidden(rules: &Availability, busy: &[Busy]) -> Vec<(Timestamp, Timestamp)> {
    let (before, after) = (
        mins(rules.buffer_before_minutes.into()),
        mins(rules.buffer_after_minutes.into()),
    );
    let mut all: Vec<(Timestamp, Timestamp)> = busy
        .iter()
        .map(|b| match b.kind {
            // Padding both sides keeps before + after minutes between two sessions.
            BusyKind::Session => (
                b.start.saturating_sub(before).unwrap_or(b.start),
                b.end.saturating_add(after).unwrap_or(b.end),
            ),
            BusyKind::Blocked => (b.start, b.end),
        })
        .chain(rules.time_off.iter().map(|t| (t.start, t.end)))
        .filter(|(s, e)| s < e)
        .collect();
    all.sort();
    let mut merged: Vec<(Timestamp, Timestamp)> = Vec::with_capacity(all.len());
    for (s, e) in all {
        match merged.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    merged
}

/// Counts used by the caps, computed once per search.
struct Load {
    tz: TimeZone,
    sessions: Vec<(Timestamp, Timestamp)>,
    per_day: BTreeMap<Date, u16>,
    per_week: BTreeMap<(i16, i8), u16>,
}

impl Load {
    fn new(tz: &TimeZone, busy: &[Busy]) -> Load {
        let mut sessions: Vec<(Timestamp, Timestamp)> = busy
            .iter()
            .filter(|b| b.kind == BusyKind::Session)
            .map(|b| (b.start, b.end))
            .collect();
        sessions.sort();
        let mut per_day = BTreeMap::new();
        let mut per_week = BTreeMap::new();
        for (s, _) in &sessions {
            let date = tz.to_datetime(*s).date();
            *per_day.entry(date).or_insert(0u16) += 1;
            let w = date.iso_week_date();
            *per_week.entry((w.year(), w.week())).or_insert(0u16) += 1;
        }
        Load {
            tz: tz.clone(),
            sessions,
            per_day,
            per_week,
        }
    }

    fn allows(&self, rules: &Availability, slot: Slot) -> bool {
        let caps = &rules.caps;
        let date = self.tz.to_datetime(slot.start).date();
        if caps
            .max_per_day
            .is_some_and(|max| self.per_day.get(&date).copied().unwrap_or(0) >= max)
        {
            return false;
        }
        let w = date.iso_week_date();
        if caps.max_per_week.is_some_and(|max| {
            self.per_week
                .get(&(w.year(), w.week()))
                .copied()
                .unwrap_or(0)
                >= max
        }) {
            return false;
        }
        if let Some(max) = caps.max_consecutive {
            let gap = mins(caps.break_minutes.into());
            let at = self.sessions.partition_point(|(s, _)| *s < slot.start);
            let mut chain = 1u16;
            // Back to back means the next starts less than `gap` after the previous ends.
            let mut edge = slot.start;
            for (s, e) in self.sessions[..at].iter().rev() {
                if e.saturating_add(gap).unwrap_or(*e) > edge {
                    chain += 1;
                    edge = *s;
                } else {
                    break;
                }
            }
            let mut edge = slot.end;
            for (s, e) in &self.sessions[at..] {
                if edge.saturating_add(gap).unwrap_or(edge) > *s {
                    chain += 1;
                    edge = *e;
                } else {
                    break;
                }
            }
            if chain > max {
                return false;
            }
        }
        true
    }
}

/// Every bookable slot for `query`, in order. `tz` is the rules' validated zone.
pub fn slots(rules: &Availability, tz: &TimeZone, busy: &[Busy], query: &SlotQuery) -> Vec<Slot> {
    let duration = mins(query.duration_minutes.into());
    let earliest = query
        .now
        .saturating_add(mins(rules.min_notice_minutes.into()))
        .unwrap_or(query.now);
    let latest = query
        .now
        .saturating_add(SignedDuration::from_hours(
            24 * i64::from(rules.horizon_days),
        ))
        .unwrap_or(query.now);
    let lower = query.from.max(earliest);
    if query.duration_minutes == 0
        || rules.slot_step_minutes == 0
        || lower >= query.to
        || lower > latest
    {
        return Vec::new();
    }
    let forbidden = forbidden(rules, busy);
    let load = Load::new(tz, busy);
    let (before, after) = (
        mins(rules.buffer_before_minutes.into()),
        mins(rules.buffer_after_minutes.into()),
    );
    let clear = |slot: Slot| {
        let (s, e) = (
            slot.start.saturating_sub(before).unwrap_or(slot.start),
            slot.end.saturating_add(after).unwrap_or(slot.end),
        );
        let i = forbidden.partition_point(|(_, fe)| *fe <= s);
        forbidden.get(i).is_none_or(|(fs, _)| *fs >= e)
    };

    let mut out = Vec::new();
    // A day's intervals may start on the civil date before `lower` reads in the zone.
    let Ok(mut date) = tz.to_datetime(lower).date().yesterday() else {
        return out;
    };
    let last = tz.to_datetime(query.to.min(latest)).date();
    while date <= last {
        for iv in rules.hours_on(date) {
            let Some(end_of_interval) = interval_end(tz, date, iv.end) else {
                continue;
            };
            let mut m = iv.start.minutes();
            while m + query.duration_minutes <= iv.end.minutes() {
                for start in civil(date, m)
                    .map(|dt| civil_instants(tz, dt))
                    .unwrap_or_default()
                {
                    let Ok(end) = start.checked_add(duration) else {
                        continue;
                    };
                    let slot = Slot { start, end };
                    if start >= lower
                        && start < query.to
                        && start <= latest
                        && end <= end_of_interval
                        && clear(slot)
                        && load.allows(rules, slot)
                    {
                        out.push(slot);
                    }
                }
                m += rules.slot_step_minutes;
            }
        }
        let Ok(next) = date.tomorrow() else { break };
        date = next;
    }
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests;
