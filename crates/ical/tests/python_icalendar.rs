//! Interoperability: invitations, a cancellation and a feed are read by the PyPI `icalendar`
//! package (tests/check_ics.py), which must parse them without errors and find the values and
//! instants we meant. Needs `python3` (or `STINT_TEST_PYTHON`) with `icalendar` (`pip install
//! icalendar`): without it the test is reported as ignored, except with `CI=true`, where it
//! fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};
use std::path::Path;
use std::process::Command;
use stint_ical::{Event, Method, Person, feed, invite};
use stint_testkit::Peer;

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/check_ics.py");

/// One booking, and the TZID its DTSTART and DTEND should carry (`None`: written in UTC).
struct Case {
    event: Event,
    tzid_start: Option<&'static str>,
    tzid_end: Option<&'static str>,
}

fn case(
    n: u32,
    zone: &'static str,
    start: &str,
    minutes: i64,
    tzid_start: bool,
    tzid_end: bool,
) -> Case {
    let start: Timestamp = start.parse().unwrap();
    let event = Event {
        uid: format!("booking-{n}@stint"),
        sequence: i64::from(n % 3),
        start,
        end: start + SignedDuration::from_mins(minutes),
        timezone: zone.into(),
        summary: format!("Session {n}: CV review, part 1; “résumé” \\ 東京 😀"),
        description: format!(
            "Booking {n}.\nBring: your CV, a job ad; questions.\n{}",
            "Préparez vos questions — 準備してください. ".repeat(4)
        ),
        location: format!("https://meet.example.com/room-{n}?a=1,b=2;c"),
        url: Some(format!("https://stint.example/sessions/{n}")),
        organizer: Person {
            name: "Lovelace, Ada".into(),
            email: "ada@example.com".into(),
        },
        attendee: Person {
            name: "Bob \"the\" Builder".into(),
            email: "bob@example.com".into(),
        },
        cancelled: false,
        stamp: "2025-01-02T03:04:05Z".parse().unwrap(),
    };
    Case {
        event,
        tzid_start: tzid_start.then_some(zone),
        tzid_end: tzid_end.then_some(zone),
    }
}

fn cases() -> Vec<Case> {
    vec![
        // New York, half an hour after clocks went forward (2025-03-09 02:00 -> 03:00).
        case(
            1,
            "America/New_York",
            "2025-03-09T07:30:00Z",
            30,
            true,
            true,
        ),
        // Berlin, right after clocks went back: 02:30 for the second time is written in UTC.
        case(2, "Europe/Berlin", "2025-10-26T01:30:00Z", 60, false, true),
        // Berlin, the first pass through the repeated hour (02:30 CEST, ending 02:00 CET, which
        // is itself a second pass): both in UTC, which every parser reads one way.
        case(3, "Europe/Berlin", "2025-10-26T00:30:00Z", 30, false, false),
        // Lord Howe, right after its half-hour change (2025-10-05 02:00 -> 02:30).
        case(
            4,
            "Australia/Lord_Howe",
            "2025-10-04T15:30:00Z",
            45,
            true,
            true,
        ),
        // Lord Howe in winter (+10:30).
        case(
            5,
            "Australia/Lord_Howe",
            "2025-07-01T00:00:00Z",
            30,
            true,
            true,
        ),
        case(6, "Asia/Kolkata", "2025-06-01T03:30:00Z", 30, true, true),
        case(7, "UTC", "2025-06-01T09:00:00Z", 30, true, true),
        // A year later in New York, sharing the feed's VTIMEZONE with booking 1.
        case(
            8,
            "America/New_York",
            "2026-07-04T16:00:00Z",
            30,
            true,
            true,
        ),
    ]
}

fn expected_event(c: &Case, status: &str) -> Value {
    let e = &c.event;
    json!({
        "uid": e.uid,
        "summary": e.summary,
        "description": e.description,
        "location": e.location,
        "sequence": e.sequence,
        "status": status,
        "tzid_start": c.tzid_start,
        "tzid_end": c.tzid_end,
        "start": e.start.to_string(),
        "end": e.end.to_string(),
        "organizer_cn": e.organizer.name,
        // A parameter value cannot carry a double quote; the encoder writes a single one.
        "attendee_cn": e.attendee.name.replace('"', "'"),
    })
}

fn write(dir: &Path, name: &str, ics: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, ics).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
#[cfg_attr(
    not(peer_python_icalendar),
    ignore = "needs Python's icalendar: pip install icalendar==7.3.2, then touch crates/ical/build.rs"
)]
fn python_icalendar_reads_invites_cancellations_and_feeds_as_meant() {
    stint_testkit::require(Peer::PythonIcalendar);

    let dir = tempfile::tempdir().unwrap();
    let cases = cases();
    let mut manifest = Vec::new();
    for c in &cases {
        let name = format!("{}.ics", c.event.uid);
        let path = write(dir.path(), &name, &invite(&c.event, Method::Request));
        manifest.push(json!({
            "path": path,
            "method": "REQUEST",
            "calname": null,
            "tzids": [c.event.timezone],
            "events": [expected_event(c, "CONFIRMED")],
        }));
    }

    // Booking 1 cancelled: same UID, the sequence bumped as the store does.
    let cancelled = {
        let mut c = case(
            1,
            "America/New_York",
            "2025-03-09T07:30:00Z",
            30,
            true,
            true,
        );
        c.event.sequence += 1;
        c.event.cancelled = true;
        c
    };
    let path = write(
        dir.path(),
        "cancel.ics",
        &invite(&cancelled.event, Method::Cancel),
    );
    manifest.push(json!({
        "path": path,
        "method": "CANCEL",
        "calname": null,
        "tzids": ["America/New_York"],
        "events": [expected_event(&cancelled, "CANCELLED")],
    }));

    // A feed of everything, the cancellation included.
    let mut all: Vec<&Case> = cases.iter().collect();
    all.push(&cancelled);
    let events: Vec<Event> = all.iter().map(|c| c.event.clone()).collect();
    let calname = "Ada's sessions, 2025; all \\ 😀";
    let path = write(dir.path(), "feed.ics", &feed(calname, &events));
    let statuses = all.iter().map(|c| {
        if c.event.cancelled {
            "CANCELLED"
        } else {
            "CONFIRMED"
        }
    });
    manifest.push(json!({
        "path": path,
        "method": null,
        "calname": calname,
        "tzids": ["America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "Europe/Berlin", "UTC"],
        "events": all.iter().zip(statuses).map(|(c, s)| expected_event(c, s)).collect::<Vec<_>>(),
    }));

    let manifest_path = dir.path().join("manifest.json");
    std::fs::write(
        &manifest_path,
        serde_json::to_vec_pretty(&manifest).unwrap(),
    )
    .unwrap();
    let out = Command::new(stint_testkit::python())
        .arg(SCRIPT)
        .arg(&manifest_path)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "check_ics.py failed:\n{stdout}\n{stderr}"
    );
    // The script ran every file (and did not, say, exit early with success).
    let files = manifest.len();
    assert!(
        stdout.contains(&format!(
            "check_ics: {files} files, {} events ok",
            cases.len() * 2 + 2
        )),
        "unexpected output: {stdout}"
    );
}
