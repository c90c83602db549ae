//! The one calendar event of a booking, as the download, the e-mail attachment, the
//! subscription feed and CalDAV all write it. Pure: the caller passes the parties, the
//! SKU's words, where the session page lives and the stamp.

use crate::{Event, Person};
use jiff::Timestamp;
use stint_domain::account::Account;
use stint_domain::booking::{Booking, BookingStatus};
use stint_domain::catalog::SkuContent;

/// A booking's UID: stable, so clients and CalDAV servers match updates by it.
pub fn booking_uid(b: &Booking) -> String {
    format!("booking-{}@stint", b.id)
}

/// What an event of a booking is made from.
pub struct BookingFacts<'a> {
    pub booking: &'a Booking,
    pub sku: &'a SkuContent,
    pub mentor: &'a Account,
    pub mentee: &'a Account,
}

/// The event of a booking seen by `viewer` (times in their zone, the other party named),
/// with a link to the session page under `site` when known.
pub fn booking_event(
    facts: &BookingFacts<'_>,
    viewer: &Account,
    site: Option<&str>,
    stamp: Timestamp,
) -> Event {
    let b = facts.booking;
    let other = if viewer.id == facts.mentor.id {
        facts.mentee
    } else {
        facts.mentor
    };
    let page = site.map(|base| format!("{}/sessions/{}", base.trim_end_matches('/'), b.id));
    let mut description = format!("{}\n\nJoin: {}", facts.sku.outcome, b.meeting_url);
    if let Some(p) = &page {
        description.push_str(&format!("\nSession page: {p}"));
    }
    Event {
        uid: booking_uid(b),
        sequence: b.sequence,
        start: b.start,
        end: b.end,
        timezone: viewer.timezone.clone(),
        summary: format!("{} with {}", facts.sku.title, other.display_name),
        description,
        location: b.meeting_url.clone(),
        url: page,
        organizer: Person {
            name: facts.mentor.display_name.clone(),
            email: facts.mentor.email.clone(),
        },
        attendee: Person {
            name: facts.mentee.display_name.clone(),
            email: facts.mentee.email.clone(),
        },
        cancelled: b.status == BookingStatus::Cancelled,
        stamp,
    }
}
