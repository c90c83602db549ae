//! RFC 5545 iCalendar text for Stint bookings: an invitation or cancellation for one booking
//! (an iTIP message, RFC 5546), and a subscription feed of many.
//!
//! Pure: no I/O, no clock reads. The DTSTAMP arrives in the [`Event`] like every other time,
//! and time-zone rules come from jiff's bundled tzdb, so the same input always gives the same
//! bytes.

pub mod booking;
pub use booking::{BookingFacts, booking_event, booking_uid};
mod text;
mod zone;

use jiff::Timestamp;
use std::collections::BTreeMap;
use text::{Lines, param_value, uri_value};
use zone::Zone;

/// The product identifier every calendar carries.
pub const PRODID: &str = "-//Stint//Stint//EN";

/// The iTIP method of an invitation (RFC 5546 §1.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// A new or changed booking: `METHOD:REQUEST`.
    Request,
    /// A cancelled booking: `METHOD:CANCEL`.
    Cancel,
}

impl Method {
    fn as_str(self) -> &'static str {
        match self {
            Method::Request => "REQUEST",
            Method::Cancel => "CANCEL",
        }
    }
}

/// A participant: written as `CN=<name>` and a `mailto:` address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub name: String,
    pub email: String,
}

/// One booking as a calendar event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Stable per booking, e.g. `booking-42@stint`: clients match updates and cancellations by it.
    pub uid: String,
    /// Bumped on every reschedule and on cancellation; a client ignores a message whose
    /// sequence is lower than what it has. Negative values are written as 0.
    pub sequence: i64,
    pub start: Timestamp,
    pub end: Timestamp,
    /// IANA name. DTSTART/DTEND are written as wall time with `TZID=<zone>` and a VTIMEZONE for
    /// the zone is included. A name jiff's tzdb does not know falls back to UTC times (still
    /// the right instants) and no VTIMEZONE.
    pub timezone: String,
    pub summary: String,
    pub description: String,
    /// The meeting URL.
    pub location: String,
    /// A link to the session page.
    pub url: Option<String>,
    /// The mentor.
    pub organizer: Person,
    /// The mentee.
    pub attendee: Person,
    /// `STATUS:CANCELLED` rather than `STATUS:CONFIRMED`.
    pub cancelled: bool,
    /// DTSTAMP: when this message or feed was produced (passed in; nothing here reads a clock).
    pub stamp: Timestamp,
}

/// One VCALENDAR carrying `method` for one event, with the VTIMEZONE its times refer to.
///
/// `Method::Cancel` always writes `STATUS:CANCELLED`, whatever `event.cancelled` says: a
/// cancellation that calls itself confirmed would be contradictory.
pub fn invite(event: &Event, method: Method) -> String {
    let zone = Zone::lookup(&event.timezone);
    let mut lines = Lines::default();
    open_calendar(&mut lines);
    lines.raw("METHOD", method.as_str());
    if let Some(zone) = &zone {
        zone::vtimezone(
            &mut lines,
            zone,
            event.start.min(event.end),
            event.end.max(event.start),
        );
    }
    vevent(&mut lines, event, zone.as_ref(), method == Method::Cancel);
    lines.end("VCALENDAR");
    lines.finish()
}

/// A subscription feed: every event, no METHOD (a feed is published, not sent), the calendar's
/// display name, and one VTIMEZONE per distinct zone, covering all of that zone's events.
pub fn feed(calendar_name: &str, events: &[Event]) -> String {
    let zones: Vec<Option<Zone>> = events.iter().map(|e| Zone::lookup(&e.timezone)).collect();
    // Keyed by TZID so each zone appears once, in a stable order, with the span of its events.
    let mut spans: BTreeMap<&str, (&Zone, Timestamp, Timestamp)> = BTreeMap::new();
    for (event, zone) in events.iter().zip(&zones) {
        let Some(zone) = zone else { continue };
        let (lo, hi) = (event.start.min(event.end), event.end.max(event.start));
        spans
            .entry(zone.id.as_str())
            .and_modify(|span| {
                span.1 = span.1.min(lo);
                span.2 = span.2.max(hi);
            })
            .or_insert((zone, lo, hi));
    }

    let mut lines = Lines::default();
    open_calendar(&mut lines);
    // X-WR-CALNAME is what Apple, Google and Outlook show; NAME is its RFC 7986 successor.
    lines.text("X-WR-CALNAME", calendar_name);
    lines.text("NAME", calendar_name);
    for (zone, earliest, latest) in spans.values() {
        zone::vtimezone(&mut lines, zone, *earliest, *latest);
    }
    for (event, zone) in events.iter().zip(&zones) {
        vevent(&mut lines, event, zone.as_ref(), false);
    }
    lines.end("VCALENDAR");
    lines.finish()
}

fn open_calendar(lines: &mut Lines) {
    lines.begin("VCALENDAR");
    lines.text("PRODID", PRODID);
    lines.raw("VERSION", "2.0");
    lines.raw("CALSCALE", "GREGORIAN");
}

fn vevent(lines: &mut Lines, event: &Event, zone: Option<&Zone>, force_cancelled: bool) {
    lines.begin("VEVENT");
    lines.text("UID", &event.uid);
    lines.raw("SEQUENCE", &event.sequence.max(0).to_string());
    lines.raw("DTSTAMP", &zone::format_utc(event.stamp));
    zone::date_time(lines, "DTSTART", event.start, zone);
    zone::date_time(lines, "DTEND", event.end, zone);
    lines.text("SUMMARY", &event.summary);
    if !event.description.is_empty() {
        lines.text("DESCRIPTION", &event.description);
    }
    if !event.location.is_empty() {
        lines.text("LOCATION", &event.location);
    }
    if let Some(url) = &event.url {
        lines.raw("URL", &uri_value(url));
    }
    // SCHEDULE-AGENT=CLIENT (RFC 6638): Stint sends its own invitations; a CalDAV server
    // that schedules (iCloud, say) must not mail the attendee another one.
    lines.raw(
        &format!(
            "ORGANIZER{};SCHEDULE-AGENT=CLIENT",
            common_name(&event.organizer)
        ),
        &mailto(&event.organizer),
    );
    // The mentee booked the session themselves, so they have already accepted it, and there
    // is no reply to ask for.
    lines.raw(
        &format!(
            "ATTENDEE{};CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;RSVP=FALSE;\
             SCHEDULE-AGENT=CLIENT",
            common_name(&event.attendee)
        ),
        &mailto(&event.attendee),
    );
    let cancelled = event.cancelled || force_cancelled;
    lines.raw("STATUS", if cancelled { "CANCELLED" } else { "CONFIRMED" });
    lines.end("VEVENT");
}

/// `;CN=<name>`, or nothing for a nameless person.
fn common_name(person: &Person) -> String {
    if person.name.trim().is_empty() {
        String::new()
    } else {
        format!(";CN={}", param_value(&person.name))
    }
}

fn mailto(person: &Person) -> String {
    format!("mailto:{}", uri_value(&person.email))
}
