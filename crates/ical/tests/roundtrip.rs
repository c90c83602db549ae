//! Property tests: whatever the text and whatever the instant, unfolding and unescaping the
//! output gives back the input, and the wall time read through the VTIMEZONE gives back the
//! instant.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{assert_wire_format, instant, parse};
use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;
use stint_ical::{Event, Method, Person, feed, invite};

fn event(summary: &str, description: &str, location: &str) -> Event {
    let start: Timestamp = "2025-06-10T08:00:00Z".parse().unwrap();
    Event {
        uid: "booking-7@stint".into(),
        sequence: 2,
        start,
        end: start + SignedDuration::from_mins(45),
        timezone: "Europe/Berlin".into(),
        summary: summary.into(),
        description: description.into(),
        location: location.into(),
        url: None,
        organizer: Person {
            name: "Ada".into(),
            email: "ada@example.com".into(),
        },
        attendee: Person {
            name: "Bob".into(),
            email: "bob@example.com".into(),
        },
        cancelled: false,
        stamp: start,
    }
}

/// Text that TEXT can carry as is: the escaped specials, line feeds, tabs, quotes, colons, and
/// characters of every UTF-8 length (including U+2028, which some readers split lines on).
fn text() -> impl Strategy<Value = String> {
    proptest::string::string_regex("[a-zA-Z0-9 ,;:\\\\\n\t\"'éß€東京😀𝄞\u{2028}\u{00A0}]{1,200}")
        .unwrap()
}

/// What the encoder promises for arbitrary input: every line break becomes a line feed and the
/// other ASCII control characters (which TEXT cannot carry) are gone.
fn normalised(s: &str) -> String {
    s.replace("\r\n", "\n")
        .replace('\r', "\n")
        .chars()
        .filter(|c| *c == '\n' || *c == '\t' || !c.is_ascii_control())
        .collect()
}

const ZONES: &[&str] = &[
    "America/New_York",
    "Europe/Berlin",
    "Australia/Lord_Howe",
    "Asia/Kolkata",
    "UTC",
    "America/Sao_Paulo",
    "Pacific/Chatham",
    "Europe/Dublin",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn text_round_trips_through_escaping_and_folding(
        summary in text(),
        description in text(),
        location in text(),
        calendar_name in text(),
    ) {
        let e = event(&summary, &description, &location);
        for method in [Method::Request, Method::Cancel] {
            let ics = invite(&e, method);
            let cal = parse(&ics);
            let ev = cal.events()[0];
            prop_assert_eq!(ev.text("SUMMARY").unwrap(), summary.clone());
            prop_assert_eq!(ev.text("DESCRIPTION").unwrap(), description.clone());
            prop_assert_eq!(ev.text("LOCATION").unwrap(), location.clone());
        }
        let cal = parse(&feed(&calendar_name, std::slice::from_ref(&e)));
        prop_assert_eq!(cal.text("X-WR-CALNAME").unwrap(), calendar_name);
        prop_assert_eq!(cal.events()[0].text("SUMMARY").unwrap(), summary);
    }

    #[test]
    fn arbitrary_strings_come_back_normalised_and_never_break_the_format(
        summary in any::<String>(),
        description in any::<String>(),
        name in any::<String>(),
        email in any::<String>(),
        url in any::<String>(),
    ) {
        let mut e = event(&summary, &description, "");
        e.organizer.name = name;
        e.attendee.email = email;
        e.url = Some(url);
        let ics = invite(&e, Method::Request);
        assert_wire_format(&ics);
        let cal = parse(&ics);
        let ev = cal.events()[0];
        prop_assert_eq!(ev.text("SUMMARY").unwrap(), normalised(&summary));
        prop_assert_eq!(ev.text("DESCRIPTION").unwrap_or_default(), normalised(&description));
        // Exactly the one VEVENT's properties: nothing injected a line of its own.
        let names: Vec<&str> = ev.props.iter().map(|p| p.name.as_str()).collect();
        prop_assert!(names.iter().all(|n| [
            "UID", "SEQUENCE", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "DESCRIPTION",
            "URL", "ORGANIZER", "ATTENDEE", "STATUS",
        ].contains(n)), "{:?}", names);
    }

    #[test]
    fn any_instant_in_any_zone_reads_back_exactly_through_the_vtimezone(
        start in 946_684_800i64..2_208_988_800, // 2000 to 2040
        minutes in 15i64..=240,
        zone in proptest::sample::select(ZONES),
        second_zone in proptest::sample::select(ZONES),
        gap_days in 0i64..800,
        near_a_change in any::<bool>(),
        change in 0usize..60,
        around in -180i64..=180,
    ) {
        let mut e = event("s", "d", "l");
        e.timezone = zone.to_string();
        e.start = Timestamp::from_second(start).unwrap();
        if near_a_change {
            // Uniform instants rarely land in a skipped or repeated hour; aim at one.
            let tz = jiff::tz::TimeZone::get(zone).unwrap();
            let changes: Vec<Timestamp> = tz.following(e.start).take(60).map(|t| t.timestamp()).collect();
            if let Some(at) = changes.get(change % changes.len().max(1)) {
                e.start = *at + SignedDuration::from_mins(around);
            }
        }
        e.end = e.start + SignedDuration::from_mins(minutes);
        let cal = parse(&invite(&e, Method::Request));
        let ev = cal.events()[0];
        prop_assert_eq!(instant(&cal, ev.prop("DTSTART").unwrap()), e.start);
        prop_assert_eq!(instant(&cal, ev.prop("DTEND").unwrap()), e.end);

        // In a feed, one VTIMEZONE per zone must serve events far apart.
        let mut later = e.clone();
        later.uid = "booking-8@stint".into();
        later.timezone = second_zone.to_string();
        later.start = e.start + SignedDuration::from_hours(24 * gap_days) + SignedDuration::from_mins(7);
        later.end = later.start + SignedDuration::from_mins(minutes);
        let cal = parse(&feed("f", &[e.clone(), later.clone(), e.clone()]));
        let zones = if zone == second_zone { 1 } else { 2 };
        prop_assert_eq!(cal.children("VTIMEZONE").len(), zones);
        for (ev, want) in cal.events().iter().zip([&e, &later, &e]) {
            prop_assert_eq!(instant(&cal, ev.prop("DTSTART").unwrap()), want.start);
            prop_assert_eq!(instant(&cal, ev.prop("DTEND").unwrap()), want.end);
        }
    }
}
