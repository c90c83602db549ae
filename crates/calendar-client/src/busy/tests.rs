//! The busy-time reader on whole calendars: zones and DST, all-day events, what is not busy,
//! recurrences with exceptions, and hostile input that must end quickly and boundedly.

use super::*;
use std::time::{Duration, Instant};

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn query(from: &str, to: &str) -> BusyQuery {
    BusyQuery::new(ts(from), ts(to))
}

/// Wraps VEVENT bodies (each a string of CRLF-less lines) into a calendar.
fn calendar(events: &[&str]) -> String {
    let mut out = String::from("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n");
    for e in events {
        out.push_str("BEGIN:VEVENT\r\n");
        for line in e.lines().map(str::trim).filter(|l| !l.is_empty()) {
            out.push_str(line);
            out.push_str("\r\n");
        }
        out.push_str("END:VEVENT\r\n");
    }
    out.push_str("END:VCALENDAR\r\n");
    out
}

fn spans(parsed: &ParsedBusy) -> Vec<(String, String)> {
    parsed
        .intervals
        .iter()
        .map(|i| (i.start.to_string(), i.end.to_string()))
        .collect()
}

fn pair(a: &str, b: &str) -> (String, String) {
    (a.to_string(), b.to_string())
}

#[test]
fn new_york_times_across_the_spring_dst_change() {
    let text = calendar(&[
        // Weekly 10:00–11:00 New York: EST (UTC−5) before 8 March 2026, EDT (UTC−4) after.
        "UID:weekly
         DTSTART;TZID=America/New_York:20260302T100000
         DTEND;TZID=America/New_York:20260302T110000
         RRULE:FREQ=WEEKLY;COUNT=3",
        // 02:30 on 8 March does not exist in New York; RFC 5545 reads it as 03:30 EDT.
        "UID:gap
         DTSTART;TZID=America/New_York:20260308T023000
         DURATION:PT30M",
        // A one-day DURATION across the change is a calendar day: 23 hours.
        "UID:day
         DTSTART;TZID=America/New_York:20260307T120000
         DURATION:P1D",
    ]);
    let parsed = parse_busy(
        &text,
        &query("2026-03-01T00:00:00Z", "2026-03-31T00:00:00Z"),
    )
    .unwrap();
    assert_eq!(parsed.warnings, Vec::<String>::new());
    assert_eq!(
        spans(&parsed),
        vec![
            pair("2026-03-02T15:00:00Z", "2026-03-02T16:00:00Z"),
            pair("2026-03-07T17:00:00Z", "2026-03-08T16:00:00Z"),
            pair("2026-03-08T07:30:00Z", "2026-03-08T08:00:00Z"),
            pair("2026-03-09T14:00:00Z", "2026-03-09T15:00:00Z"),
            pair("2026-03-16T14:00:00Z", "2026-03-16T15:00:00Z"),
        ]
    );
}

#[test]
fn a_repeated_wall_time_in_the_autumn_fold_is_its_first_occurrence() {
    let text = calendar(&["UID:fold
        DTSTART;TZID=America/New_York:20261101T013000
        DTEND;TZID=America/New_York:20261101T014500"]);
    let parsed = parse_busy(
        &text,
        &query("2026-10-31T00:00:00Z", "2026-11-02T00:00:00Z"),
    )
    .unwrap();
    // 01:30 EDT (UTC−4), not 01:30 EST.
    assert_eq!(
        spans(&parsed),
        vec![pair("2026-11-01T05:30:00Z", "2026-11-01T05:45:00Z")]
    );
}

#[test]
fn floating_times_and_all_day_events_are_read_in_the_given_zone() {
    let text = calendar(&[
        "UID:floating
         DTSTART:20260310T090000
         DTEND:20260310T100000",
        "UID:two-days
         DTSTART;VALUE=DATE:20260311
         DTEND;VALUE=DATE:20260313",
        // Without DTEND an all-day event lasts one day.
        "UID:one-day
         DTSTART;VALUE=DATE:20260320",
    ]);
    let mut q = query("2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z");
    q.floating_zone = jiff::tz::TimeZone::get("Europe/Berlin").unwrap();
    let parsed = parse_busy(&text, &q).unwrap();
    assert_eq!(
        spans(&parsed),
        vec![
            pair("2026-03-10T08:00:00Z", "2026-03-10T09:00:00Z"),
            pair("2026-03-10T23:00:00Z", "2026-03-12T23:00:00Z"),
            pair("2026-03-19T23:00:00Z", "2026-03-20T23:00:00Z"),
        ]
    );
    let uids: Vec<_> = parsed.intervals.iter().map(|i| i.uid.as_deref()).collect();
    assert_eq!(
        uids,
        vec![Some("floating"), Some("two-days"), Some("one-day")]
    );
}

#[test]
fn transparent_cancelled_and_zero_length_events_are_not_busy() {
    let text = calendar(&[
        "UID:free
         DTSTART:20260310T090000Z
         DTEND:20260310T100000Z
         TRANSP:TRANSPARENT",
        "UID:cancelled
         DTSTART:20260311T090000Z
         DTEND:20260311T100000Z
         STATUS:CANCELLED",
        "UID:instant
         DTSTART:20260312T090000Z",
        "UID:busy
         DTSTART:20260313T090000Z
         DTEND:20260313T100000Z
         TRANSP:OPAQUE
         STATUS:TENTATIVE",
    ]);
    let parsed = parse_busy(
        &text,
        &query("2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z"),
    )
    .unwrap();
    assert_eq!(
        spans(&parsed),
        vec![pair("2026-03-13T09:00:00Z", "2026-03-13T10:00:00Z")]
    );
}

#[test]
fn weekly_rule_with_exdate_a_moved_override_and_a_cancelled_one() {
    let text = calendar(&[
        "UID:standup
         DTSTART;TZID=Europe/Berlin:20260302T090000
         DTEND;TZID=Europe/Berlin:20260302T100000
         RRULE:FREQ=WEEKLY;BYDAY=MO;UNTIL=20260330T235959Z
         EXDATE;TZID=Europe/Berlin:20260309T090000",
        // The 16 March occurrence moved to Tuesday afternoon.
        "UID:standup
         RECURRENCE-ID;TZID=Europe/Berlin:20260316T090000
         DTSTART;TZID=Europe/Berlin:20260317T140000
         DTEND;TZID=Europe/Berlin:20260317T150000",
        // The 23 March occurrence is cancelled.
        "UID:standup
         RECURRENCE-ID;TZID=Europe/Berlin:20260323T090000
         DTSTART;TZID=Europe/Berlin:20260323T090000
         STATUS:CANCELLED",
    ]);
    let parsed = parse_busy(
        &text,
        &query("2026-03-01T00:00:00Z", "2026-04-30T00:00:00Z"),
    )
    .unwrap();
    assert_eq!(parsed.warnings, Vec::<String>::new());
    assert_eq!(
        spans(&parsed),
        vec![
            pair("2026-03-02T08:00:00Z", "2026-03-02T09:00:00Z"),
            pair("2026-03-17T13:00:00Z", "2026-03-17T14:00:00Z"),
            // Berlin is on summer time from 29 March: 09:00 is 07:00 UTC.
            pair("2026-03-30T07:00:00Z", "2026-03-30T08:00:00Z"),
        ]
    );
}

#[test]
fn only_occurrences_overlapping_the_window_are_returned() {
    let text = calendar(&["UID:daily
        DTSTART:20260101T230000Z
        DTEND:20260102T010000Z
        RRULE:FREQ=DAILY"]);
    let parsed = parse_busy(
        &text,
        &query("2026-03-10T00:00:00Z", "2026-03-11T00:00:00Z"),
    )
    .unwrap();
    // The occurrence starting the evening before reaches into the window; the one starting at
    // the window's end does not overlap it.
    assert_eq!(
        spans(&parsed),
        vec![
            pair("2026-03-09T23:00:00Z", "2026-03-10T01:00:00Z"),
            pair("2026-03-10T23:00:00Z", "2026-03-11T01:00:00Z"),
        ]
    );
}

#[test]
fn an_endless_secondly_rule_ends_quickly_at_the_per_event_cap() {
    let text = calendar(&["UID:every-second
        DTSTART:20260101T000000Z
        DURATION:PT1S
        RRULE:FREQ=SECONDLY"]);
    let started = Instant::now();
    let parsed = parse_busy(
        &text,
        &query("2026-03-01T00:00:00Z", "2026-03-08T00:00:00Z"),
    )
    .unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(parsed.intervals.len(), MAX_OCCURRENCES_PER_EVENT);
    assert_eq!(parsed.intervals[0].start, ts("2026-03-01T00:00:00Z"));
    assert_eq!(parsed.intervals[1].start, ts("2026-03-01T00:00:01Z"));
    assert!(
        parsed
            .warnings
            .iter()
            .any(|w| w.contains("occurrences in the window")),
        "{:?}",
        parsed.warnings
    );
}

#[test]
fn many_endless_rules_stop_at_the_total_cap() {
    let events: Vec<String> = (0..11)
        .map(|i| format!("UID:s{i}\nDTSTART:20260301T000000Z\nDURATION:PT1S\nRRULE:FREQ=SECONDLY"))
        .collect();
    let refs: Vec<&str> = events.iter().map(String::as_str).collect();
    let parsed = parse_busy(
        &calendar(&refs),
        &query("2026-03-01T00:00:00Z", "2026-03-08T00:00:00Z"),
    )
    .unwrap();
    assert_eq!(parsed.intervals.len(), MAX_INTERVALS);
    assert!(
        parsed.warnings.iter().any(|w| w.contains("busy intervals")),
        "{:?}",
        parsed.warnings
    );
}

#[test]
fn a_daily_rule_from_year_one_reaches_today_without_walking_two_thousand_years() {
    let text = calendar(&["UID:ancient
        DTSTART:00010101T090000Z
        DTEND:00010101T100000Z
        RRULE:FREQ=DAILY"]);
    let started = Instant::now();
    let parsed = parse_busy(
        &text,
        &query("2026-03-01T00:00:00Z", "2026-03-04T00:00:00Z"),
    )
    .unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(
        spans(&parsed),
        vec![
            pair("2026-03-01T09:00:00Z", "2026-03-01T10:00:00Z"),
            pair("2026-03-02T09:00:00Z", "2026-03-02T10:00:00Z"),
            pair("2026-03-03T09:00:00Z", "2026-03-03T10:00:00Z"),
        ]
    );
}

#[test]
fn a_counted_rule_from_year_one_gives_up_with_a_warning() {
    // COUNT forces counting from DTSTART, so this one cannot skip ahead: it must be cut off.
    let text = calendar(&["UID:ancient-counted
        DTSTART:00010101T090000Z
        DTEND:00010101T100000Z
        RRULE:FREQ=DAILY;COUNT=4000000"]);
    let started = Instant::now();
    let parsed = parse_busy(
        &text,
        &query("2026-03-01T00:00:00Z", "2026-03-04T00:00:00Z"),
    )
    .unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "took {:?}",
        started.elapsed()
    );
    assert!(parsed.intervals.is_empty());
    assert!(
        parsed.warnings.iter().any(|w| w.contains("cut short")),
        "{:?}",
        parsed.warnings
    );
}

#[test]
fn bad_dates_and_missing_dtstart_skip_only_their_event() {
    let text = calendar(&[
        "UID:bad-month
         DTSTART:20261345T090000Z",
        "UID:not-a-date
         DTSTART:tomorrow",
        "UID:no-start
         DTEND:20260310T100000Z",
        "UID:backwards
         DTSTART:20260310T100000Z
         DTEND:20260310T090000Z",
        "UID:bad-duration
         DTSTART:20260310T100000Z
         DURATION:PT1Z",
        "UID:bad-rule
         DTSTART:20260310T100000Z
         DURATION:PT1H
         RRULE:FREQ=SOMETIMES",
        "UID:good
         DTSTART:20260311T100000Z
         DTEND:20260311T110000Z
         EXDATE:20260399T100000Z",
    ]);
    let parsed = parse_busy(
        &text,
        &query("2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z"),
    )
    .unwrap();
    // The event with the bad rule still counts its first occurrence.
    assert_eq!(
        spans(&parsed),
        vec![
            pair("2026-03-10T10:00:00Z", "2026-03-10T11:00:00Z"),
            pair("2026-03-11T10:00:00Z", "2026-03-11T11:00:00Z"),
        ]
    );
    for uid in [
        "bad-month",
        "not-a-date",
        "no-start",
        "backwards",
        "bad-duration",
    ] {
        assert!(
            parsed
                .warnings
                .iter()
                .any(|w| w.contains(uid) && w.contains("skipped")),
            "no warning for {uid}: {:?}",
            parsed.warnings
        );
    }
    assert!(
        parsed
            .warnings
            .iter()
            .any(|w| w.contains("bad-rule") && w.contains("FREQ"))
    );
    assert!(
        parsed
            .warnings
            .iter()
            .any(|w| w.contains("good") && w.contains("EXDATE"))
    );
}

#[test]
fn a_thousand_nested_begins_are_refused() {
    let text = format!("BEGIN:VCALENDAR\r\n{}", "BEGIN:VEVENT\r\n".repeat(1000));
    let started = Instant::now();
    let result = parse_busy(
        &text,
        &query("2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z"),
    );
    assert!(
        matches!(result, Err(IcsError::TooDeep { .. })),
        "{result:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[test]
fn a_ten_megabyte_line_is_skipped_and_the_event_still_counts() {
    let huge = "x".repeat(10 * 1024 * 1024);
    let text = calendar(&[&format!(
        "UID:big
         DTSTART:20260310T090000Z
         DESCRIPTION:{huge}
         DTEND:20260310T100000Z"
    )]);
    let parsed = parse_busy(
        &text,
        &query("2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z"),
    )
    .unwrap();
    assert_eq!(
        spans(&parsed),
        vec![pair("2026-03-10T09:00:00Z", "2026-03-10T10:00:00Z")]
    );
    assert!(
        parsed.warnings.iter().any(|w| w.contains("longer than")),
        "{:?}",
        parsed.warnings
    );

    // A ten-megabyte line of nothing is no calendar at all.
    assert_eq!(
        parse_busy(
            &huge,
            &query("2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z")
        ),
        Err(IcsError::NotCalendar)
    );
}

#[test]
fn garbage_is_not_a_calendar_and_an_empty_calendar_is_empty() {
    let q = query("2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z");
    assert_eq!(
        parse_busy("<html>login</html>", &q),
        Err(IcsError::NotCalendar)
    );
    assert_eq!(parse_busy("", &q), Err(IcsError::NotCalendar));
    let empty = parse_busy(&calendar(&[]), &q).unwrap();
    assert!(empty.intervals.is_empty() && empty.warnings.is_empty());
}

#[test]
fn unknown_tzid_falls_back_to_utc_with_a_warning_and_vtimezone_is_used() {
    let text = "BEGIN:VCALENDAR\r\n\
BEGIN:VTIMEZONE\r\nTZID:Custom Zone\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\n\
TZOFFSETFROM:+0530\r\nTZOFFSETTO:+0530\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n\
BEGIN:VEVENT\r\nUID:custom\r\nDTSTART;TZID=Custom Zone:20260310T090000\r\nDURATION:PT1H\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:mars\r\nDTSTART;TZID=Mars/Base:20260311T090000\r\nDURATION:PT1H\r\nEND:VEVENT\r\n\
END:VCALENDAR\r\n";
    let parsed = parse_busy(text, &query("2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z")).unwrap();
    assert_eq!(
        spans(&parsed),
        vec![
            pair("2026-03-10T03:30:00Z", "2026-03-10T04:30:00Z"),
            pair("2026-03-11T09:00:00Z", "2026-03-11T10:00:00Z"),
        ]
    );
    assert_eq!(parsed.warnings.len(), 1);
    assert!(parsed.warnings[0].contains("Mars/Base"));
}

#[test]
fn free_busy_periods_count_unless_free() {
    let text = "BEGIN:VCALENDAR\r\nBEGIN:VFREEBUSY\r\n\
FREEBUSY;FBTYPE=BUSY:20260301T100000Z/20260301T110000Z,20260302T100000Z/PT30M\r\n\
FREEBUSY;FBTYPE=FREE:20260303T100000Z/20260303T110000Z\r\n\
FREEBUSY:20260304T100000Z/20260304T103000Z\r\n\
END:VFREEBUSY\r\nEND:VCALENDAR\r\n";
    let parsed = parse_busy(text, &query("2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z")).unwrap();
    assert_eq!(
        spans(&parsed),
        vec![
            pair("2026-03-01T10:00:00Z", "2026-03-01T11:00:00Z"),
            pair("2026-03-02T10:00:00Z", "2026-03-02T10:30:00Z"),
            pair("2026-03-04T10:00:00Z", "2026-03-04T10:30:00Z"),
        ]
    );
}

#[test]
fn rdates_add_occurrences_and_an_override_can_move_one_into_the_window() {
    let text = calendar(&[
        "UID:r
         DTSTART:20260201T100000Z
         DURATION:PT1H
         RDATE:20260305T100000Z,20260306T100000Z/PT2H",
        // The February occurrence, moved into March.
        "UID:r
         RECURRENCE-ID:20260201T100000Z
         DTSTART:20260310T100000Z",
    ]);
    let parsed = parse_busy(
        &text,
        &query("2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z"),
    )
    .unwrap();
    assert_eq!(
        spans(&parsed),
        vec![
            pair("2026-03-05T10:00:00Z", "2026-03-05T11:00:00Z"),
            pair("2026-03-06T10:00:00Z", "2026-03-06T12:00:00Z"),
            // An override without an end lasts as long as its series.
            pair("2026-03-10T10:00:00Z", "2026-03-10T11:00:00Z"),
        ]
    );
}

#[test]
fn monthly_and_yearly_rules_with_by_parts() {
    let text = calendar(&[
        // Last Friday of the month, 15:00 New York.
        "UID:last-friday
         DTSTART;TZID=America/New_York:20260130T150000
         DURATION:PT1H
         RRULE:FREQ=MONTHLY;BYDAY=-1FR",
        // Every other year on 10 March.
        "UID:biennial
         DTSTART;VALUE=DATE:20220310
         RRULE:FREQ=YEARLY;INTERVAL=2",
    ]);
    let parsed = parse_busy(
        &text,
        &query("2026-03-01T00:00:00Z", "2026-05-01T00:00:00Z"),
    )
    .unwrap();
    assert_eq!(
        spans(&parsed),
        vec![
            pair("2026-03-10T00:00:00Z", "2026-03-11T00:00:00Z"),
            pair("2026-03-27T19:00:00Z", "2026-03-27T20:00:00Z"),
            pair("2026-04-24T19:00:00Z", "2026-04-24T20:00:00Z"),
        ]
    );
}

#[test]
fn hostile_noise_never_panics() {
    let q = query("2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z");
    let samples = [
        "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;TZID=\"unterminated:20260310T090000\nEND:VEVENT\nEND:VCALENDAR",
        "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:99999999\nRRULE:FREQ=YEARLY;INTERVAL=1000000\nEND:VEVENT",
        "BEGIN:VEVENT\nDTSTART:99991231T235959Z\nDURATION:P7000000D\nRRULE:FREQ=DAILY\nEND:VEVENT",
        "BEGIN:VEVENT\nDTSTART:-0010101T000000Z\nEND:VEVENT",
        "BEGIN:VEVENT\nDTSTART:00000101T000000Z\nDURATION:PT1H\nRRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=-1;BYSETPOS=-1,1,366\nEND:VEVENT",
        "BEGIN:VEVENT\nDTSTART:20260310T000000Z\nDURATION:PT1H\nRRULE:FREQ=MINUTELY;INTERVAL=1000000;BYSECOND=60\nEND:VEVENT",
        "BEGIN:VEVENT\nDTSTART:20260310T000000Z\nDURATION:PT1H\nRRULE:FREQ=YEARLY;BYDAY=53MO,-53SU;BYHOUR=1,2,3\nEND:VEVENT",
        "END:VCALENDAR\nEND:VEVENT\n\u{0}\u{1}:\nBEGIN:\nBEGIN:VEVENT\n;;;;:\nDTSTART;A=\"\":x\nEND:VEVENT",
        "BEGIN:VEVENT\r\n \r\n\t\r\nDTSTART:20260310T090000Z\r\nDTEND:20260310T090000Z\r\nEND:VEVENT",
    ];
    for text in samples {
        let _ = parse_busy(text, &q);
    }
    // A window at the very ends of representable time.
    let wide = BusyQuery::new(Timestamp::MIN, Timestamp::MAX);
    for text in samples {
        let _ = parse_busy(text, &wide);
    }
}
