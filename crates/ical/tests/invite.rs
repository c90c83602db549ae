//! Invitations, cancellations and feeds read back with an independent parser: the wire format,
//! escaping and folding, the iTIP headers, and wall times checked against the calendar's own
//! VTIMEZONE and against jiff.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Component, instant, observances, offset_at, parse, parse_line, unfold};
use jiff::{SignedDuration, Timestamp, tz::TimeZone};
use stint_ical::{Event, Method, PRODID, Person, feed, invite};

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn event(zone: &str, start: &str) -> Event {
    let start = ts(start);
    Event {
        uid: "booking-42@stint".into(),
        sequence: 0,
        start,
        end: start + SignedDuration::from_mins(30),
        timezone: zone.into(),
        summary: "Interview practice".into(),
        description: "Bring your CV.".into(),
        location: "https://meet.example.com/abc-defg-hij".into(),
        url: Some("https://stint.example/sessions/42".into()),
        organizer: Person {
            name: "Ada Lovelace".into(),
            email: "ada@example.com".into(),
        },
        attendee: Person {
            name: "Bob Builder".into(),
            email: "bob@example.com".into(),
        },
        cancelled: false,
        stamp: ts("2025-01-02T03:04:05Z"),
    }
}

fn only_event(cal: &Component) -> &Component {
    let events = cal.events();
    assert_eq!(events.len(), 1, "VEVENT count");
    events[0]
}

/// The raw (still escaped, unfolded) content line named `name`, outside any VTIMEZONE (whose
/// observances have DTSTARTs of their own).
fn raw_line(ics: &str, name: &str) -> String {
    let mut in_tz = false;
    let mut found = Vec::new();
    for line in unfold(ics) {
        match line.as_str() {
            "BEGIN:VTIMEZONE" => in_tz = true,
            "END:VTIMEZONE" => in_tz = false,
            _ if !in_tz && parse_line(&line).name == name => found.push(line),
            _ => {}
        }
    }
    assert_eq!(found.len(), 1, "{name} lines in\n{ics}");
    found.remove(0)
}

#[test]
fn every_output_uses_crlf_and_lines_of_at_most_75_octets() {
    let mut long = event("Australia/Lord_Howe", "2025-10-04T15:30:00Z");
    long.summary = "Ünïcödé ".repeat(30);
    long.description = "Multi\r\nline, with; specials \\ and 😀 ".repeat(20);
    long.organizer.name = "Ada \"Countess\" Lovelace, of the Analytical Engine; née Byron".into();
    for ics in [
        invite(&long, Method::Request),
        invite(&long, Method::Cancel),
        feed(
            "Long feed ".repeat(20).as_str(),
            &[long.clone(), event("UTC", "2025-06-01T09:00:00Z")],
        ),
    ] {
        // `parse` asserts: no bare CR or LF, every line ends with CRLF, none over 75 octets.
        let cal = parse(&ics);
        assert!(ics.starts_with("BEGIN:VCALENDAR\r\n"));
        assert!(ics.ends_with("END:VCALENDAR\r\n"));
        assert!(
            ics.lines().count() > 40,
            "expected folding to produce many lines"
        );
        assert!(!cal.events().is_empty());
    }
}

#[test]
fn a_request_carries_the_itip_headers_and_the_event() {
    let mut e = event("Europe/Berlin", "2025-06-10T08:00:00Z");
    e.sequence = 3;
    let ics = invite(&e, Method::Request);
    let cal = parse(&ics);
    assert_eq!(cal.text("PRODID").unwrap(), PRODID);
    assert_eq!(cal.text("PRODID").unwrap(), "-//Stint//Stint//EN");
    assert_eq!(cal.value("VERSION"), Some("2.0"));
    assert_eq!(cal.value("METHOD"), Some("REQUEST"));
    assert!(cal.prop("X-WR-CALNAME").is_none());

    let ev = only_event(&cal);
    assert_eq!(ev.text("UID").unwrap(), "booking-42@stint");
    assert_eq!(ev.value("SEQUENCE"), Some("3"));
    assert_eq!(ev.value("STATUS"), Some("CONFIRMED"));
    assert_eq!(ev.value("DTSTAMP"), Some("20250102T030405Z"));
    assert_eq!(ev.text("SUMMARY").unwrap(), "Interview practice");
    assert_eq!(ev.text("DESCRIPTION").unwrap(), "Bring your CV.");
    assert_eq!(
        ev.text("LOCATION").unwrap(),
        "https://meet.example.com/abc-defg-hij"
    );
    assert_eq!(ev.value("URL"), Some("https://stint.example/sessions/42"));

    let organizer = ev.prop("ORGANIZER").unwrap();
    assert_eq!(organizer.value, "mailto:ada@example.com");
    assert_eq!(organizer.param("CN"), Some("Ada Lovelace"));
    let attendee = ev.prop("ATTENDEE").unwrap();
    assert_eq!(attendee.value, "mailto:bob@example.com");
    assert_eq!(attendee.param("CN"), Some("Bob Builder"));
    assert_eq!(attendee.param("PARTSTAT"), Some("ACCEPTED"));
    assert_eq!(attendee.param("ROLE"), Some("REQ-PARTICIPANT"));

    // Berlin is on summer time (+02:00) in June.
    assert_eq!(
        raw_line(&ics, "DTSTART"),
        "DTSTART;TZID=Europe/Berlin:20250610T100000"
    );
    assert_eq!(
        raw_line(&ics, "DTEND"),
        "DTEND;TZID=Europe/Berlin:20250610T103000"
    );
    assert_eq!(instant(&cal, ev.prop("DTSTART").unwrap()), e.start);
    assert_eq!(instant(&cal, ev.prop("DTEND").unwrap()), e.end);
}

#[test]
fn a_cancellation_keeps_the_uid_and_carries_cancel_cancelled_and_a_higher_sequence() {
    let booked = event("America/New_York", "2025-03-09T07:30:00Z");
    // As the store does: cancelling bumps the sequence.
    let cancelled = Event {
        sequence: booked.sequence + 1,
        cancelled: true,
        ..booked.clone()
    };

    let request = parse(&invite(&booked, Method::Request));
    let cancel = parse(&invite(&cancelled, Method::Cancel));
    assert_eq!(request.value("METHOD"), Some("REQUEST"));
    assert_eq!(cancel.value("METHOD"), Some("CANCEL"));
    let (req_ev, can_ev) = (only_event(&request), only_event(&cancel));
    assert_eq!(req_ev.text("UID"), can_ev.text("UID"));
    assert_eq!(req_ev.value("STATUS"), Some("CONFIRMED"));
    assert_eq!(can_ev.value("STATUS"), Some("CANCELLED"));
    let seq = |ev: &Component| ev.value("SEQUENCE").unwrap().parse::<i64>().unwrap();
    assert!(seq(can_ev) > seq(req_ev));
    assert_eq!(seq(can_ev), 1);

    // A CANCEL message is a cancellation even if the caller forgot to set the flag.
    let forgot = invite(
        &Event {
            cancelled: false,
            ..cancelled.clone()
        },
        Method::Cancel,
    );
    assert_eq!(
        only_event(&parse(&forgot)).value("STATUS"),
        Some("CANCELLED")
    );

    // In a feed, a cancelled booking shows as cancelled, with no METHOD.
    let f = parse(&feed("Mine", &[cancelled]));
    assert!(f.prop("METHOD").is_none());
    assert_eq!(only_event(&f).value("STATUS"), Some("CANCELLED"));
}

#[test]
fn text_values_escape_backslash_comma_semicolon_and_newlines() {
    let mut e = event("UTC", "2025-06-01T09:00:00Z");
    e.summary = "CV review, part 1; bring C:\\cv.pdf\nand notes".into();
    e.description = "line 1\r\nline 2\rline 3\n\\n is not a newline".into();
    e.location = "Room 1, floor 2; east".into();
    let ics = invite(&e, Method::Request);
    assert_eq!(
        raw_line(&ics, "SUMMARY"),
        "SUMMARY:CV review\\, part 1\\; bring C:\\\\cv.pdf\\nand notes"
    );
    assert_eq!(
        raw_line(&ics, "DESCRIPTION"),
        "DESCRIPTION:line 1\\nline 2\\nline 3\\n\\\\n is not a newline"
    );
    assert_eq!(
        raw_line(&ics, "LOCATION"),
        "LOCATION:Room 1\\, floor 2\\; east"
    );
    let ev = parse(&ics).events()[0].clone();
    assert_eq!(ev.text("SUMMARY").unwrap(), e.summary);
    // Every line break is written as \n, so CRLF and CR come back as LF.
    assert_eq!(
        ev.text("DESCRIPTION").unwrap(),
        "line 1\nline 2\nline 3\n\\n is not a newline"
    );
    assert_eq!(ev.text("LOCATION").unwrap(), e.location);
}

#[test]
fn a_long_multi_byte_description_folds_within_75_octets_and_unfolds_exactly() {
    let mut e = event("Asia/Kolkata", "2025-06-01T03:30:00Z");
    e.description = "Préparez vos questions — 準備してください 😀, s'il vous plaît; merci!\n"
        .repeat(12)
        .trim_end()
        .to_string();
    let ics = invite(&e, Method::Request);
    // Physical lines of the DESCRIPTION: all at most 75 octets, at least several folds.
    let physical: Vec<&str> = ics.split("\r\n").collect();
    let start = physical
        .iter()
        .position(|l| l.starts_with("DESCRIPTION:"))
        .unwrap();
    let continuation = physical[start + 1..]
        .iter()
        .take_while(|l| l.starts_with(' '))
        .count();
    assert!(continuation >= 10, "only {continuation} continuation lines");
    for l in &physical[start..=start + continuation] {
        assert!(l.len() <= 75, "{} octets: {l:?}", l.len());
    }
    // Something was folded close to the limit (the encoder is not folding early).
    assert!(
        physical[start..start + continuation]
            .iter()
            .all(|l| l.len() >= 72)
    );
    let cal = parse(&ics);
    assert_eq!(only_event(&cal).text("DESCRIPTION").unwrap(), e.description);
}

/// Instants in each zone with the wall time and UTC offset (seconds) expected there, worked
/// out by hand from the tzdb rules; several fall just after a clock change.
const WALL_TIMES: &[(&str, &str, &str, i32)] = &[
    // New York, winter (EST).
    (
        "America/New_York",
        "2025-01-15T14:00:00Z",
        "20250115T090000",
        -5 * 3600,
    ),
    // New York springs forward 2025-03-09 02:00 -> 03:00; half an hour after the change.
    (
        "America/New_York",
        "2025-03-09T07:30:00Z",
        "20250309T033000",
        -4 * 3600,
    ),
    // The minute before it, still EST.
    (
        "America/New_York",
        "2025-03-09T06:59:00Z",
        "20250309T015900",
        -5 * 3600,
    ),
    // Berlin springs forward 2025-03-30 02:00 -> 03:00 (01:00Z); exactly at the change.
    (
        "Europe/Berlin",
        "2025-03-30T01:00:00Z",
        "20250330T030000",
        2 * 3600,
    ),
    // Berlin falls back 2025-10-26 03:00 -> 02:00 (01:00Z); right after it, in CET.
    (
        "Europe/Berlin",
        "2025-10-26T02:00:00Z",
        "20251026T030000",
        3600,
    ),
    // Lord Howe: +10:30 in winter.
    (
        "Australia/Lord_Howe",
        "2025-07-01T00:00:00Z",
        "20250701T103000",
        37_800,
    ),
    // Lord Howe moves 30 minutes forward 2025-10-05 02:00 -> 02:30 (15:30Z the day before).
    (
        "Australia/Lord_Howe",
        "2025-10-04T15:30:00Z",
        "20251005T023000",
        39_600,
    ),
    (
        "Australia/Lord_Howe",
        "2025-10-04T15:29:00Z",
        "20251005T015900",
        37_800,
    ),
    (
        "Asia/Kolkata",
        "2025-06-01T03:30:00Z",
        "20250601T090000",
        19_800,
    ),
    ("UTC", "2025-06-01T09:00:00Z", "20250601T090000", 0),
];

#[test]
fn dtstart_is_the_local_wall_time_with_tzid_and_the_vtimezone_agrees_with_jiff() {
    for &(zone, utc, local, offset) in WALL_TIMES {
        let e = event(zone, utc);
        let ics = invite(&e, Method::Request);
        let cal = parse(&ics);
        let ev = only_event(&cal);
        assert_eq!(
            raw_line(&ics, "DTSTART"),
            format!("DTSTART;TZID={zone}:{local}"),
            "{zone} {utc}"
        );
        let vtz = cal.timezone(zone);
        // The offset the VTIMEZONE gives at the instant: as worked out, and as jiff says.
        assert_eq!(offset_at(vtz, e.start), offset, "{zone} {utc}");
        let jiff_offset = TimeZone::get(zone).unwrap().to_offset(e.start).seconds();
        assert_eq!(offset_at(vtz, e.start), jiff_offset, "{zone} {utc}");
        // Reading DTSTART and DTEND back through the VTIMEZONE gives the exact instants.
        assert_eq!(
            instant(&cal, ev.prop("DTSTART").unwrap()),
            e.start,
            "{zone} {utc}"
        );
        assert_eq!(
            instant(&cal, ev.prop("DTEND").unwrap()),
            e.end,
            "{zone} {utc}"
        );
    }
}

#[test]
fn both_passes_through_a_repeated_wall_time_are_written_in_utc() {
    // RFC 5545 reads an ambiguous local time as the first pass, ical.js as the second: in
    // UTC every parser reads the same instant.
    let e = event("Europe/Berlin", "2025-10-26T00:30:00Z");
    let ics = invite(&e, Method::Request);
    assert_eq!(raw_line(&ics, "DTSTART"), "DTSTART:20251026T003000Z");
    // Berlin 02:30 CET on 2025-10-26 comes after 02:30 CEST: a local time would mean the first.
    let e = event("Europe/Berlin", "2025-10-26T01:30:00Z");
    let ics = invite(&e, Method::Request);
    assert_eq!(raw_line(&ics, "DTSTART"), "DTSTART:20251026T013000Z");
    // Its end (03:00 CET) is no longer ambiguous and keeps the zone.
    assert_eq!(
        raw_line(&ics, "DTEND"),
        "DTEND;TZID=Europe/Berlin:20251026T030000"
    );
    let cal = parse(&ics);
    assert_eq!(
        instant(&cal, only_event(&cal).prop("DTSTART").unwrap()),
        e.start
    );

    // Lord Howe repeats half an hour (02:00 -> 01:30) on 2025-04-06; 01:45 the second time.
    let e = event("Australia/Lord_Howe", "2025-04-05T15:15:00Z");
    let ics = invite(&e, Method::Request);
    assert_eq!(raw_line(&ics, "DTSTART"), "DTSTART:20250405T151500Z");
    let e = event("Australia/Lord_Howe", "2025-04-05T14:45:00Z");
    let ics = invite(&e, Method::Request);
    assert_eq!(raw_line(&ics, "DTSTART"), "DTSTART:20250405T144500Z");
}

#[test]
fn new_york_vtimezone_lists_the_transitions_from_a_year_before_to_a_year_after() {
    let e = event("America/New_York", "2025-06-15T14:00:00Z");
    let cal = parse(&invite(&e, Method::Request));
    let got: Vec<(bool, String, i32, i32, Option<String>)> =
        observances(cal.timezone("America/New_York"))
            .into_iter()
            .map(|o| (o.daylight, o.local_start, o.from, o.to, o.name))
            .collect();
    let (edt, est) = (-4 * 3600, -5 * 3600);
    let want =
        |d: bool, s: &str, f: i32, t: i32, n: &str| (d, s.to_string(), f, t, Some(n.to_string()));
    assert_eq!(
        got,
        vec![
            // The change before the window (which opens 2024-06-14), then every one in it.
            want(true, "20240310T020000", est, edt, "EDT"),
            want(false, "20241103T020000", edt, est, "EST"),
            want(true, "20250309T020000", est, edt, "EDT"),
            want(false, "20251102T020000", edt, est, "EST"),
            want(true, "20260308T020000", est, edt, "EDT"),
            // 2026-11-01 is past the window's end (2026-06-16).
        ]
    );
}

#[test]
fn every_vtimezone_matches_jiffs_transitions_and_chains_its_offsets() {
    for zone in ["America/New_York", "Europe/Berlin", "Australia/Lord_Howe"] {
        let e = event(zone, "2025-08-20T10:00:00Z");
        let cal = parse(&invite(&e, Method::Request));
        let obs = observances(cal.timezone(zone));
        let tz = TimeZone::get(zone).unwrap();
        let year = SignedDuration::from_hours(366 * 24);
        let (lo, hi) = (e.start - year, e.end + year);
        // Independently: the transitions jiff knows from just before `lo` through `hi`.
        let mut want: Vec<Timestamp> = tz.preceding(lo).take(1).map(|t| t.timestamp()).collect();
        want.extend(
            tz.following(lo)
                .map(|t| t.timestamp())
                .take_while(|t| *t <= hi),
        );
        let onsets: Vec<Timestamp> = obs.iter().map(|o| o.onset).collect();
        assert_eq!(onsets, want, "{zone}");
        assert!(
            onsets.len() >= 5,
            "{zone}: a two-year window has at least four changes"
        );
        for pair in obs.windows(2) {
            assert_eq!(pair[1].from, pair[0].to, "{zone}: offsets must chain");
        }
        for o in &obs {
            assert_eq!(o.to, tz.to_offset(o.onset).seconds(), "{zone}");
            // Daylight observances are the larger offset in these zones.
            assert_eq!(o.daylight, o.to > o.from, "{zone} {}", o.local_start);
        }
        // Sampled every six hours across the window, the VTIMEZONE and jiff agree.
        let vtz = cal.timezone(zone);
        let mut t = lo;
        while t < hi {
            assert_eq!(
                offset_at(vtz, t),
                tz.to_offset(t).seconds(),
                "{zone} at {t}"
            );
            t += SignedDuration::from_hours(6);
        }
    }
}

#[test]
fn zones_that_no_longer_change_get_a_single_standard_observance() {
    for (zone, offset, name) in [("Asia/Kolkata", "+0530", "IST"), ("UTC", "+0000", "UTC")] {
        let cal = parse(&invite(
            &event(zone, "2025-06-01T03:30:00Z"),
            Method::Request,
        ));
        let vtz = cal.timezone(zone);
        assert_eq!(vtz.children.len(), 1, "{zone}");
        let standard = &vtz.children[0];
        assert_eq!(standard.name, "STANDARD");
        assert_eq!(standard.value("TZOFFSETTO"), Some(offset));
        assert_eq!(standard.text("TZNAME").as_deref(), Some(name));
        assert!(standard.prop("RRULE").is_none());
    }
}

#[test]
fn an_unknown_zone_falls_back_to_utc_times_and_no_vtimezone() {
    let e = event("Mars/Olympus_Mons", "2025-06-01T09:00:00Z");
    let ics = invite(&e, Method::Request);
    let cal = parse(&ics);
    assert!(cal.children("VTIMEZONE").is_empty());
    assert_eq!(raw_line(&ics, "DTSTART"), "DTSTART:20250601T090000Z");
    assert_eq!(raw_line(&ics, "DTEND"), "DTEND:20250601T093000Z");
}

#[test]
fn a_feed_has_a_name_every_event_no_method_and_one_vtimezone_per_zone() {
    let mut events = vec![
        event("America/New_York", "2025-01-15T14:00:00Z"),
        event("Europe/Berlin", "2025-06-10T08:00:00Z"),
        // A year and a half after the first New York one: the shared VTIMEZONE must cover both.
        event("America/New_York", "2026-07-04T16:00:00Z"),
        event("Asia/Kolkata", "2025-06-01T03:30:00Z"),
        event("Mars/Olympus_Mons", "2025-06-01T09:00:00Z"),
    ];
    for (i, e) in events.iter_mut().enumerate() {
        e.uid = format!("booking-{i}@stint");
        e.summary = format!("Session {i}");
        e.sequence = i as i64;
    }
    let ics = feed("Ada's sessions, 2025; all", &events);
    let cal = parse(&ics);
    assert!(cal.prop("METHOD").is_none());
    assert_eq!(
        cal.text("X-WR-CALNAME").unwrap(),
        "Ada's sessions, 2025; all"
    );
    assert_eq!(
        raw_line(&ics, "X-WR-CALNAME"),
        "X-WR-CALNAME:Ada's sessions\\, 2025\\; all"
    );

    let mut tzids: Vec<String> = cal
        .children("VTIMEZONE")
        .iter()
        .map(|z| z.text("TZID").unwrap())
        .collect();
    tzids.sort();
    assert_eq!(tzids, ["America/New_York", "Asia/Kolkata", "Europe/Berlin"]);
    // Every VTIMEZONE precedes the first VEVENT, so a streaming reader knows each TZID in time.
    let names: Vec<&str> = cal.children.iter().map(|c| c.name.as_str()).collect();
    let last_tz = names.iter().rposition(|n| *n == "VTIMEZONE").unwrap();
    let first_ev = names.iter().position(|n| *n == "VEVENT").unwrap();
    assert!(last_tz < first_ev, "{names:?}");

    let got = cal.events();
    assert_eq!(got.len(), events.len());
    for (ev, e) in got.iter().zip(&events) {
        assert_eq!(ev.text("UID").unwrap(), e.uid);
        assert_eq!(ev.text("SUMMARY").unwrap(), e.summary);
        assert_eq!(ev.value("SEQUENCE").unwrap(), e.sequence.to_string());
        assert_eq!(ev.value("STATUS"), Some("CONFIRMED"));
        assert_eq!(
            instant(&cal, ev.prop("DTSTART").unwrap()),
            e.start,
            "{}",
            e.uid
        );
        assert_eq!(instant(&cal, ev.prop("DTEND").unwrap()), e.end, "{}", e.uid);
    }
    // The New York VTIMEZONE spans both: from before 2024-01-15 to past 2027-07-04.
    let ny = observances(cal.timezone("America/New_York"));
    assert_eq!(ny.first().unwrap().local_start, "20231105T020000");
    assert_eq!(ny.last().unwrap().local_start, "20270314T020000");
}

#[test]
fn line_breaks_in_names_urls_and_addresses_cannot_start_a_property() {
    let mut e = event("UTC", "2025-06-01T09:00:00Z");
    e.url = Some("https://stint.example/s/42\r\nX-EVIL:1".into());
    e.organizer.name = "Ada\r\nX-EVIL:2".into();
    e.organizer.email = "ada@example.com\nX-EVIL:3".into();
    e.attendee.name = "Lovelace, \"Ada\"".into();
    e.summary = "Hi\r\nX-EVIL:4".into();
    let ics = invite(&e, Method::Request);
    for line in unfold(&ics) {
        assert!(!line.starts_with("X-EVIL"), "injected line {line:?}");
    }
    let cal = parse(&ics);
    let ev = only_event(&cal);
    assert_eq!(ev.value("URL"), Some("https://stint.example/s/42X-EVIL:1"));
    assert_eq!(
        ev.prop("ORGANIZER").unwrap().param("CN"),
        Some("Ada  X-EVIL:2")
    );
    assert_eq!(
        ev.prop("ORGANIZER").unwrap().value,
        "mailto:ada@example.comX-EVIL:3"
    );
    assert_eq!(
        ev.prop("ATTENDEE").unwrap().param("CN"),
        Some("Lovelace, 'Ada'")
    );
    assert_eq!(ev.text("SUMMARY").unwrap(), "Hi\nX-EVIL:4");
}

#[test]
fn optional_parts_are_left_out_and_odd_inputs_are_normalised() {
    let mut e = event("Europe/Berlin", "2025-06-10T08:00:00Z");
    e.description.clear();
    e.location.clear();
    e.url = None;
    e.organizer.name.clear();
    e.sequence = -5;
    e.start = ts("2025-06-10T08:00:00.750Z");
    e.stamp = ts("2025-01-02T03:04:05.999Z");
    let ics = invite(&e, Method::Request);
    let cal = parse(&ics);
    let ev = only_event(&cal);
    for absent in ["DESCRIPTION", "LOCATION", "URL"] {
        assert!(ev.prop(absent).is_none(), "{absent} should be absent");
    }
    // A nameless organizer gets no CN; only the scheduling hint for CalDAV servers.
    assert_eq!(
        parse_line(&raw_line(&ics, "ORGANIZER")).params,
        vec![("SCHEDULE-AGENT".to_string(), "CLIENT".to_string())]
    );
    assert_eq!(ev.value("SEQUENCE"), Some("0"));
    // Sub-second parts are dropped, not rounded.
    assert_eq!(
        raw_line(&ics, "DTSTART"),
        "DTSTART;TZID=Europe/Berlin:20250610T100000"
    );
    assert_eq!(ev.value("DTSTAMP"), Some("20250102T030405Z"));
}

#[test]
fn the_same_input_gives_the_same_bytes() {
    let events = [
        event("Europe/Berlin", "2025-06-10T08:00:00Z"),
        event("UTC", "2025-06-11T08:00:00Z"),
    ];
    assert_eq!(feed("x", &events), feed("x", &events));
    assert_eq!(
        invite(&events[0], Method::Request),
        invite(&events[0], Method::Request)
    );
}
