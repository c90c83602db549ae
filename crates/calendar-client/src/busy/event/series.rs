//! One series: a master event's occurrences (DTSTART, RRULE, RDATE) less its EXDATEs and
//! overridden instances, then the overrides themselves, all bounded by the per-event cap.

use super::read::{Event, Length, Moment};
use super::{Sink, label};
use crate::busy::recur::{self, Bounds, Ended, Rule};
use crate::busy::value::Civil;
use crate::busy::{BusyQuery, MAX_OCCURRENCES_PER_EVENT, MAX_STEPS_PER_EVENT, Warnings};
use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use std::collections::HashSet;
use std::ops::ControlFlow;

/// Occurrences a series must not produce itself: EXDATEs and overridden instances.
#[derive(Default)]
struct Exclusions {
    instants: HashSet<i64>,
    /// Dates excluded whole (DATE-valued EXDATE or RECURRENCE-ID).
    dates: HashSet<Date>,
}

impl Exclusions {
    fn add(&mut self, m: &Moment) {
        if m.is_date {
            self.dates.insert(m.civil.date());
        } else if let Some(z) = m.zoned() {
            self.instants.insert(z.timestamp().as_second());
        }
    }

    fn excludes(&self, civil: DateTime, start: Timestamp) -> bool {
        self.instants.contains(&start.as_second()) || self.dates.contains(&civil.date())
    }
}

/// Adds one series' busy intervals. `false` once the total cap is reached.
pub(super) fn one_series(mut events: Vec<Event>, sink: &mut Sink, warnings: &mut Warnings) -> bool {
    let master_at = events.iter().position(|e| e.recurrence_id.is_none());
    let master = master_at.map(|i| events.remove(i));
    // A second master with the same UID is a broken calendar; count each on its own.
    let (extra_masters, overrides): (Vec<Event>, Vec<Event>) =
        events.into_iter().partition(|e| e.recurrence_id.is_none());
    if let Some(m) = &master
        && !extra_masters.is_empty()
    {
        warnings.push(format!(
            "event {}: appears {} times; each is counted",
            label(m.component),
            extra_masters.len() + 1
        ));
    }
    let mut exclusions = Exclusions::default();
    for o in &overrides {
        if let Some(rid) = &o.recurrence_id {
            exclusions.add(rid);
        }
    }
    let master_length = master.as_ref().and_then(|m| m.length);
    for m in master.iter().chain(extra_masters.iter()) {
        if !expand_master(m, &exclusions, sink, warnings) {
            return false;
        }
    }
    for o in &overrides {
        // An override without its own end lasts as long as the series does.
        let length = o
            .length
            .or(master_length)
            .unwrap_or_else(|| Length::default_for(&o.start));
        if o.busy
            && let Some(z) = o.start.zoned()
            && !sink.offer(&z, &length, &o.uid, warnings)
        {
            return false;
        }
    }
    true
}

/// Offers one event's occurrences to the sink, less its exclusions, counting them against
/// the per-event cap.
struct Occurrences<'e> {
    uid: &'e Option<String>,
    exclusions: Exclusions,
    emitted: usize,
    /// The total cap was reached: stop everything.
    full: bool,
}

impl Occurrences<'_> {
    fn offer(
        &mut self,
        m: &Moment,
        length: &Length,
        sink: &mut Sink,
        warnings: &mut Warnings,
    ) -> ControlFlow<()> {
        let Some(z) = m.zoned() else {
            return ControlFlow::Continue(());
        };
        if self.exclusions.excludes(m.civil, z.timestamp()) {
            return ControlFlow::Continue(());
        }
        let before = sink.out.len();
        if !sink.offer(&z, length, self.uid, warnings) {
            self.full = true;
            return ControlFlow::Break(());
        }
        self.emitted += sink.out.len() - before;
        if self.emitted >= MAX_OCCURRENCES_PER_EVENT {
            return ControlFlow::Break(());
        }
        ControlFlow::Continue(())
    }
}

/// DTSTART, the RRULE's occurrences and the RDATEs of one event, less its exclusions.
/// `false` once the total cap is reached.
fn expand_master(
    ev: &Event,
    overridden: &Exclusions,
    sink: &mut Sink,
    warnings: &mut Warnings,
) -> bool {
    if !ev.busy {
        return true;
    }
    let mut exclusions = Exclusions {
        instants: overridden.instants.clone(),
        dates: overridden.dates.clone(),
    };
    for ex in &ev.exdates {
        exclusions.add(ex);
    }
    let mut occ = Occurrences {
        uid: &ev.uid,
        exclusions,
        emitted: 0,
        full: false,
    };
    let length = ev.length.unwrap_or_else(|| Length::default_for(&ev.start));
    if occ.offer(&ev.start, &length, sink, warnings).is_break() {
        return !occ.full;
    }
    if let Some(rule) = &ev.rule {
        let bounds = bounds(ev, rule, &length, sink.query);
        let mut steps = MAX_STEPS_PER_EVENT.min(sink.budget.steps);
        let before = steps;
        let ended = recur::expand(rule, ev.start.civil, &bounds, &mut steps, |c| {
            // Occurrences ending well before the window are dropped in civil time, without
            // the cost of resolving them to instants.
            if bounds.lower.is_some_and(|lower| c < lower) {
                return ControlFlow::Continue(());
            }
            occ.offer(&ev.start.at(c), &length, sink, warnings)
        });
        sink.budget.steps -= before - steps;
        match ended {
            Ended::Complete => {}
            Ended::Stopped if occ.full => return false,
            Ended::Stopped => warnings.push(format!(
                "event {}: more than {MAX_OCCURRENCES_PER_EVENT} occurrences in the window; the rest are not counted",
                label(ev.component)
            )),
            Ended::OutOfSteps => warnings.push(format!(
                "event {}: its recurrence was cut short (too many occurrences to look at); later ones are not counted",
                label(ev.component)
            )),
        }
    }
    for (m, own_length) in &ev.rdates {
        if occ
            .offer(m, own_length.as_ref().unwrap_or(&length), sink, warnings)
            .is_break()
        {
            return !occ.full;
        }
    }
    true
}

/// The civil-time bounds of expanding `rule` for the query's window, in the event's zone.
fn bounds(ev: &Event, rule: &Rule, length: &Length, query: &BusyQuery) -> Bounds {
    let tz = ev.start.tz.clone();
    let to_civil = |ts: Timestamp| ts.to_zoned_datetime(tz.clone()).datetime();
    // Civil and UTC times differ by the zone's offset, and the offset changes at most a couple
    // of hours at a time (DST): three hours of slack either side keeps every occurrence that
    // can overlap, while a per-second rule only walks three hours outside the window.
    let slack = SignedDuration::from_hours(3);
    let until = rule.until.map(|u| match u {
        // A DATE UNTIL includes its whole day.
        Civil::Day(d) => d.to_datetime(jiff::civil::Time::MAX),
        Civil::Utc(dt) => dt
            .to_zoned_datetime(TimeZone::UTC)
            .map(|z| to_civil(z.timestamp()))
            .unwrap_or(dt),
        Civil::Local(dt) => dt,
    });
    // Back from the window's start by the time an occurrence lasts.
    let from = to_civil(query.from);
    let lower = match length {
        Length::Nominal(span) => from.checked_sub(*span),
        Length::Exact(d) => from.checked_sub(*d),
    }
    .and_then(|l| l.checked_sub(slack))
    .ok();
    let upper = to_civil(query.to)
        .checked_add(slack)
        .unwrap_or(DateTime::MAX);
    Bounds {
        until,
        lower,
        upper,
    }
}
