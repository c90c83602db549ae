//! Busy time from iCalendar text (RFC 5545), pure: no I/O, no clock.
//!
//! [`parse_busy`] reads any calendar (a CalDAV resource, a subscribed `.ics` feed, a
//! free-busy answer) and returns the intervals in a window during which its owner is busy.
//! The input is untrusted, so every loop is bounded: lines by length, nesting by depth,
//! recurrence expansion by the window and by per-event and total caps. Bad parts are skipped
//! with a warning; only a document that cannot be read at all is an error.

mod event;
mod lines;
mod recur;
mod tree;
mod value;
mod zone;

use jiff::Timestamp;
use jiff::tz::TimeZone;

/// At most this many intervals come from one recurring event.
pub const MAX_OCCURRENCES_PER_EVENT: usize = 5_000;
/// At most this many intervals come from one call.
pub const MAX_INTERVALS: usize = 50_000;
/// Work allowed on one recurring event (periods and candidates looked at).
pub(crate) const MAX_STEPS_PER_EVENT: u64 = 100_000;
/// Work allowed in one call, across all events.
pub(crate) const MAX_STEPS: u64 = 1_000_000;
/// Warnings kept; the rest are counted.
const MAX_WARNINGS: usize = 100;

/// What to read: the window, and the zone for floating times and all-day dates.
#[derive(Debug, Clone)]
pub struct BusyQuery {
    pub from: Timestamp,
    pub to: Timestamp,
    /// Times written without a zone ("floating") and all-day dates are read in this zone;
    /// the calendar owner's zone is the right one.
    pub floating_zone: TimeZone,
}

impl BusyQuery {
    /// A window with floating times read as UTC.
    pub fn new(from: Timestamp, to: Timestamp) -> Self {
        BusyQuery {
            from,
            to,
            floating_zone: TimeZone::UTC,
        }
    }
}

/// One busy interval, `[start, end)` in UTC.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct BusyInterval {
    pub start: Timestamp,
    pub end: Timestamp,
    /// The event's UID, when it came from an event that has one.
    pub uid: Option<String>,
}

/// The busy intervals overlapping the window, sorted by start, and what was skipped or
/// approximated on the way (for the user to see, e.g. "unknown time zone").
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedBusy {
    pub intervals: Vec<BusyInterval>,
    pub warnings: Vec<String>,
}

/// A calendar that could not be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IcsError {
    #[error("calendar components are nested deeper than {limit} levels")]
    TooDeep { limit: usize },
    #[error("no calendar data found (no VCALENDAR, VEVENT or VFREEBUSY)")]
    NotCalendar,
}

/// The busy intervals of `text` overlapping `[query.from, query.to)`.
///
/// An event is busy unless it is `TRANSP:TRANSPARENT` or `STATUS:CANCELLED`. Recurring events
/// are expanded (RRULE, RDATE, EXDATE, RECURRENCE-ID overrides) only as far as the window,
/// at most [`MAX_OCCURRENCES_PER_EVENT`] per event and [`MAX_INTERVALS`] in all.
pub fn parse_busy(text: &str, query: &BusyQuery) -> Result<ParsedBusy, IcsError> {
    parse_with_budget(text, query, &mut Budget::new())
}

/// What a caller reading several calendars in one go may still spend, shared between them so
/// that many small hostile documents cannot add up to unbounded work.
#[derive(Debug)]
pub(crate) struct Budget {
    pub(crate) steps: u64,
    pub(crate) intervals: usize,
}

impl Budget {
    pub(crate) fn new() -> Self {
        Budget {
            steps: MAX_STEPS,
            intervals: MAX_INTERVALS,
        }
    }
}

pub(crate) fn parse_with_budget(
    text: &str,
    query: &BusyQuery,
    budget: &mut Budget,
) -> Result<ParsedBusy, IcsError> {
    let mut warnings = Warnings::default();
    let top = tree::parse(text, &mut warnings)?;
    let mut intervals = event::collect(&top, query, budget, &mut warnings)?;
    intervals.sort();
    Ok(ParsedBusy {
        intervals,
        warnings: warnings.finish(),
    })
}

/// Warnings with a cap, so a document of a million bad lines does not make a million strings.
#[derive(Debug, Default)]
pub(crate) struct Warnings {
    list: Vec<String>,
    dropped: usize,
}

impl Warnings {
    pub(crate) fn push(&mut self, message: String) {
        if self.list.len() < MAX_WARNINGS {
            self.list.push(message);
        } else {
            self.dropped += 1;
        }
    }

    pub(crate) fn finish(mut self) -> Vec<String> {
        if self.dropped > 0 {
            self.list
                .push(format!("… and {} more warnings", self.dropped));
        }
        self.list
    }
}

#[cfg(test)]
mod tests;
