//! From VEVENT and VFREEBUSY components to busy intervals in the window.
//!
//! VEVENTs sharing a UID form one series (`series.rs`): the master (no RECURRENCE-ID) is
//! expanded, and each override (with RECURRENCE-ID) replaces the occurrence it names and is
//! judged on its own (an override may be cancelled, moved into or out of the window, or made
//! transparent). `read.rs` reads one VEVENT; `freebusy.rs` reads VFREEBUSY periods.

mod freebusy;
mod read;
mod series;

use super::tree::{Component, short};
use super::zone::Zones;
use super::{Budget, BusyInterval, BusyQuery, IcsError, Warnings};
use jiff::ZonedDateTime;
use read::{Event, Length, read_event};
use std::collections::HashMap;

/// Where intervals go: the window, the budget and the output.
struct Sink<'q, 'b> {
    query: &'q BusyQuery,
    budget: &'b mut Budget,
    out: Vec<BusyInterval>,
    budget_warned: bool,
}

impl Sink<'_, '_> {
    /// Adds `[start, start + length)` if it is busy time in the window. `false` once the
    /// total cap is reached.
    fn offer(
        &mut self,
        start: &ZonedDateTime,
        length: &Length,
        uid: &Option<String>,
        warnings: &mut Warnings,
    ) -> bool {
        let Some(end) = length.end(start) else {
            return true;
        };
        let start = start.timestamp();
        if !(start < self.query.to && end > self.query.from && end > start) {
            return true;
        }
        if self.budget.intervals == 0 {
            if !self.budget_warned {
                warnings.push(format!(
                    "more than {} busy intervals: the rest are not counted",
                    super::MAX_INTERVALS
                ));
                self.budget_warned = true;
            }
            return false;
        }
        self.budget.intervals -= 1;
        self.out.push(BusyInterval {
            start,
            end,
            uid: uid.clone(),
        });
        true
    }
}

/// Every busy interval of the calendars in `top` overlapping the query's window.
pub(crate) fn collect(
    top: &[Component],
    query: &BusyQuery,
    budget: &mut Budget,
    warnings: &mut Warnings,
) -> Result<Vec<BusyInterval>, IcsError> {
    let mut items: Vec<&Component> = Vec::new();
    let mut vtimezones = Vec::new();
    let mut calendar_found = false;
    for c in top {
        match c.name.as_str() {
            "VCALENDAR" => {
                calendar_found = true;
                for child in &c.children {
                    match child.name.as_str() {
                        "VTIMEZONE" => vtimezones.push(child),
                        "VEVENT" | "VFREEBUSY" => items.push(child),
                        _ => {}
                    }
                }
            }
            "VEVENT" | "VFREEBUSY" => items.push(c),
            _ => {}
        }
    }
    if !calendar_found && items.is_empty() {
        return Err(IcsError::NotCalendar);
    }
    let mut sink = Sink {
        query,
        budget,
        out: Vec::new(),
        budget_warned: false,
    };
    if query.from >= query.to {
        return Ok(sink.out);
    }
    let mut zones = Zones::new(vtimezones, query.floating_zone.clone());

    // Group VEVENTs into series by UID, in document order so warnings come out in order.
    let mut series: Vec<Vec<Event>> = Vec::new();
    let mut by_uid: HashMap<String, usize> = HashMap::new();
    for item in items {
        if item.name == "VFREEBUSY" {
            if !freebusy::free_busy(item, &mut zones, &mut sink, warnings) {
                break;
            }
            continue;
        }
        let event = match read_event(item, &mut zones, warnings) {
            Ok(e) => e,
            Err(message) => {
                warnings.push(format!("event {} skipped: {message}", label(item)));
                continue;
            }
        };
        match event.uid.clone() {
            Some(uid) => match by_uid.get(&uid) {
                Some(&i) => series[i].push(event),
                None => {
                    by_uid.insert(uid, series.len());
                    series.push(vec![event]);
                }
            },
            None => series.push(vec![event]),
        }
    }
    for events in series {
        if !series::one_series(events, &mut sink, warnings) {
            break;
        }
    }
    Ok(sink.out)
}

/// A short name for an event in warnings.
fn label(c: &Component) -> String {
    match c.prop("UID") {
        Some(uid) => format!("'{}'", short(uid.value.trim())),
        None => "without UID".to_string(),
    }
}
