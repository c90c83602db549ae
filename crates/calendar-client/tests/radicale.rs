//! The client against a real CalDAV server (Radicale, started per test by `common`):
//! discovery, writing with ETag preconditions, busy time and free-busy, wrong credentials.
//! Without Radicale these are reported as ignored; with `CI=true` they run and fail.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{PASSWORD, Radicale, USER};
use jiff::Timestamp;
use std::time::Duration;
use stint_calendar_client::{CalDavClient, Error, Settings, Url};

fn settings() -> Settings {
    Settings {
        timeout: Duration::from_secs(15),
        // The peers listen on loopback, which the default policy refuses.
        egress: std::sync::Arc::new(stint_egress::EgressPolicy::with_loopback()),
        ..Settings::default()
    }
}

fn client(url: &str) -> CalDavClient {
    CalDavClient::new(url, USER, PASSWORD, settings()).unwrap()
}

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

/// A VCALENDAR holding one VEVENT made of `lines`.
fn ics(uid: &str, lines: &str) -> String {
    let body: String = lines
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| format!("{l}\r\n"))
        .collect();
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Stint//test//EN\r\nBEGIN:VEVENT\r\n\
         UID:{uid}\r\nDTSTAMP:20260101T000000Z\r\n{body}END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
}

#[tokio::test]
#[cfg_attr(
    not(peer_radicale),
    ignore = "needs Radicale: pip install radicale==3.9.0, then touch crates/calendar-client/build.rs"
)]
async fn discovery_finds_the_calendar_from_the_root_well_known_principal_and_itself() {
    let server = Radicale::start().await;
    let calendar = server.make_calendar("work", "Work").await;

    let found = client(&server.url).discover().await.unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    let work = &found[0];
    assert_eq!(work.url.as_str(), calendar);
    assert_eq!(work.display_name.as_deref(), Some("Work"));
    assert_eq!(work.components, vec!["VEVENT".to_string()]);
    assert!(work.supports_events());
    assert!(work.ctag.is_some() && work.sync_token.is_some(), "{work:?}");

    let from_principal = client(&server.principal_url()).discover().await.unwrap();
    assert_eq!(
        from_principal
            .iter()
            .map(|c| c.url.as_str())
            .collect::<Vec<_>>(),
        vec![calendar.as_str()]
    );
    // RFC 6764: Radicale answers /.well-known/caldav with a 301 to its root, which must be
    // followed as a PROPFIND.
    let well_known = client(&format!("{}.well-known/caldav", server.url))
        .discover()
        .await
        .unwrap();
    assert_eq!(
        well_known
            .iter()
            .map(|c| c.url.as_str())
            .collect::<Vec<_>>(),
        vec![calendar.as_str()]
    );
    let from_itself = client(&calendar).discover().await.unwrap();
    assert_eq!(
        from_itself
            .iter()
            .map(|c| c.url.as_str())
            .collect::<Vec<_>>(),
        vec![calendar.as_str()]
    );
}

#[tokio::test]
#[cfg_attr(
    not(peer_radicale),
    ignore = "needs Radicale: pip install radicale==3.9.0, then touch crates/calendar-client/build.rs"
)]
async fn put_creates_updates_with_the_etag_and_refuses_stale_writes_then_delete_removes() {
    let server = Radicale::start().await;
    let calendar = Url::parse(&server.make_calendar("work", "Work").await).unwrap();
    let c = client(&server.url);
    let from = ts("2026-03-01T00:00:00Z");
    let to = ts("2026-04-01T00:00:00Z");

    let v1 = ics(
        "session-1@stint",
        "DTSTART:20260310T090000Z\nDTEND:20260310T100000Z\nSUMMARY:Session",
    );
    let etag1 = c
        .put_event(&calendar, "session-1@stint", &v1, None)
        .await
        .unwrap();
    // Creating again must not overwrite what is there.
    let again = c.put_event(&calendar, "session-1@stint", &v1, None).await;
    assert_eq!(again, Err(Error::PreconditionFailed));

    let v2 = ics(
        "session-1@stint",
        "DTSTART:20260310T110000Z\nDTEND:20260310T120000Z\nSUMMARY:Moved",
    );
    let etag2 = c
        .put_event(&calendar, "session-1@stint", &v2, Some(etag1.as_str()))
        .await
        .unwrap();
    assert_ne!(etag1, etag2);
    let stale = c
        .put_event(&calendar, "session-1@stint", &v1, Some(etag1.as_str()))
        .await;
    assert_eq!(stale, Err(Error::PreconditionFailed));

    let busy = c.busy(&calendar, from, to).await.unwrap();
    assert_eq!(busy.len(), 1, "{busy:?}");
    assert_eq!(
        (busy[0].start, busy[0].end),
        (ts("2026-03-10T11:00:00Z"), ts("2026-03-10T12:00:00Z"))
    );
    assert_eq!(busy[0].etag.as_ref(), Some(&etag2));
    assert_eq!(busy[0].uid.as_deref(), Some("session-1@stint"));
    // Radicale writes the `@` percent-encoded in hrefs; the resource is the one we wrote.
    let href = busy[0].href.path().replace("%40", "@");
    assert!(
        href.ends_with("/work/session-1@stint.ics"),
        "{}",
        busy[0].href
    );

    assert_eq!(
        c.delete_event(&calendar, "session-1@stint", Some(etag1.as_str()))
            .await,
        Err(Error::PreconditionFailed)
    );
    c.delete_event(&calendar, "session-1@stint", Some(etag2.as_str()))
        .await
        .unwrap();
    assert!(c.busy(&calendar, from, to).await.unwrap().is_empty());
    // Already gone counts as deleted.
    c.delete_event(&calendar, "session-1@stint", None)
        .await
        .unwrap();
}

#[tokio::test]
#[cfg_attr(
    not(peer_radicale),
    ignore = "needs Radicale: pip install radicale==3.9.0, then touch crates/calendar-client/build.rs"
)]
async fn busy_reads_zoned_recurring_and_transparent_events_in_the_window_only() {
    let server = Radicale::start().await;
    let calendar = Url::parse(&server.make_calendar("work", "Work").await).unwrap();
    let c = client(&server.url);
    let events = [
        // 09:00 New York on 10 March 2026 is EDT (UTC−4).
        (
            "ny",
            "DTSTART;TZID=America/New_York:20260310T090000\nDTEND;TZID=America/New_York:20260310T100000",
        ),
        // Mondays 09:00 Berlin from February, 9 March excepted; CET until 29 March, then CEST.
        (
            "weekly",
            "DTSTART;TZID=Europe/Berlin:20260202T090000\nDURATION:PT30M\n\
             RRULE:FREQ=WEEKLY;BYDAY=MO\nEXDATE;TZID=Europe/Berlin:20260309T090000",
        ),
        ("may", "DTSTART:20260501T090000Z\nDTEND:20260501T100000Z"),
        (
            "free",
            "DTSTART:20260311T090000Z\nDTEND:20260311T100000Z\nTRANSP:TRANSPARENT",
        ),
    ];
    for (uid, lines) in events {
        c.put_event(&calendar, uid, &ics(uid, lines), None)
            .await
            .unwrap();
    }

    let busy = c
        .busy(
            &calendar,
            ts("2026-03-01T00:00:00Z"),
            ts("2026-04-01T00:00:00Z"),
        )
        .await
        .unwrap();
    let got: Vec<(String, String, &str)> = busy
        .iter()
        .map(|b| {
            (
                b.start.to_string(),
                b.end.to_string(),
                b.uid.as_deref().unwrap_or(""),
            )
        })
        .collect();
    let want = [
        ("2026-03-02T08:00:00Z", "2026-03-02T08:30:00Z", "weekly"),
        ("2026-03-10T13:00:00Z", "2026-03-10T14:00:00Z", "ny"),
        ("2026-03-16T08:00:00Z", "2026-03-16T08:30:00Z", "weekly"),
        ("2026-03-23T08:00:00Z", "2026-03-23T08:30:00Z", "weekly"),
        ("2026-03-30T07:00:00Z", "2026-03-30T07:30:00Z", "weekly"),
    ];
    let want: Vec<(String, String, &str)> = want
        .iter()
        .map(|(s, e, u)| (s.to_string(), e.to_string(), *u))
        .collect();
    assert_eq!(got, want);
}

#[tokio::test]
#[cfg_attr(
    not(peer_radicale),
    ignore = "needs Radicale: pip install radicale==3.9.0, then touch crates/calendar-client/build.rs"
)]
async fn free_busy_reports_the_servers_busy_periods() {
    let server = Radicale::start().await;
    let calendar = Url::parse(&server.make_calendar("work", "Work").await).unwrap();
    let c = client(&server.url);
    c.put_event(
        &calendar,
        "a",
        &ics("a", "DTSTART:20260310T090000Z\nDTEND:20260310T100000Z"),
        None,
    )
    .await
    .unwrap();
    c.put_event(
        &calendar,
        "outside",
        &ics(
            "outside",
            "DTSTART:20260601T090000Z\nDTEND:20260601T100000Z",
        ),
        None,
    )
    .await
    .unwrap();
    let periods = c
        .free_busy(
            &calendar,
            ts("2026-03-01T00:00:00Z"),
            ts("2026-04-01T00:00:00Z"),
        )
        .await
        .unwrap();
    let got: Vec<(Timestamp, Timestamp)> = periods.iter().map(|p| (p.start, p.end)).collect();
    assert_eq!(
        got,
        vec![(ts("2026-03-10T09:00:00Z"), ts("2026-03-10T10:00:00Z"))]
    );
}

#[tokio::test]
#[cfg_attr(
    not(peer_radicale),
    ignore = "needs Radicale: pip install radicale==3.9.0, then touch crates/calendar-client/build.rs"
)]
async fn a_wrong_password_is_a_credentials_error_that_retrying_will_not_fix() {
    let server = Radicale::start().await;
    let calendar = Url::parse(&server.make_calendar("work", "Work").await).unwrap();
    let wrong = CalDavClient::new(&server.url, USER, "not the password", settings()).unwrap();

    let e = wrong.discover().await.unwrap_err();
    assert!(matches!(e, Error::Credentials { status: 401, .. }), "{e:?}");
    assert!(e.is_credentials() && !e.is_retryable());
    assert!(!e.to_string().contains("not the password"));
    assert!(!format!("{wrong:?}").contains("not the password"));

    let e = wrong
        .busy(
            &calendar,
            ts("2026-03-01T00:00:00Z"),
            ts("2026-04-01T00:00:00Z"),
        )
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Credentials { .. }), "{e:?}");
    let e = wrong
        .put_event(&calendar, "x", &ics("x", "DTSTART:20260310T090000Z"), None)
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Credentials { .. }), "{e:?}");
}
