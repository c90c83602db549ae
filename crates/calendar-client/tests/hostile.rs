//! The client against tiny misbehaving HTTP servers on loopback (endless or huge bodies, deep
//! XML, silence, redirect loops) and a closed port: each must end in a clean, classified
//! error, within the size cap and the timeout.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{Duration, Instant};
use stint_calendar_client::{CalDavClient, Error, Settings, Url, fetch_ics_busy};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the server does after reading a request.
#[derive(Clone, Copy)]
enum Misbehaviour {
    /// 207 with no length, then bytes until the client hangs up.
    EndlessBody,
    /// Claims a 10 GB body.
    HugeContentLength,
    /// A valid-looking multistatus nested 5,000 deep (small enough to pass the size cap).
    DeepXml,
    /// Reads the request and says nothing.
    Silent,
    /// Sends headers, then one byte every 50 ms.
    Drip,
    /// Redirects to itself.
    RedirectLoop,
    /// 401 for everything.
    Unauthorized,
    /// A small calendar feed.
    Feed,
}

const CAP: usize = 256 * 1024;
/// A hostile server stops by itself after writing this much, whatever the client does.
const MAX_WRITTEN: usize = 64 * 1024 * 1024;

const FEED: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:f1\r\n\
DTSTART:20260310T090000Z\r\nDTEND:20260310T100000Z\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:f2\r\n\
DTSTART:20260610T090000Z\r\nDTEND:20260610T100000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

/// Serves `how` on a loopback port until the test ends; returns the base URL.
async fn serve(how: Misbehaviour) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(answer(stream, how));
        }
    });
    url
}

async fn answer(mut stream: TcpStream, how: Misbehaviour) {
    if read_request(&mut stream).await.is_none() {
        return;
    }
    let _ = match how {
        Misbehaviour::EndlessBody => {
            let head = "HTTP/1.1 207 Multi-Status\r\nContent-Type: application/xml\r\nConnection: close\r\n\r\n";
            let _ = stream.write_all(head.as_bytes()).await;
            let chunk = vec![b' '; 64 * 1024];
            let mut written = 0;
            while written < MAX_WRITTEN && stream.write_all(&chunk).await.is_ok() {
                written += chunk.len();
            }
            Ok(())
        }
        Misbehaviour::HugeContentLength => {
            stream
                .write_all(b"HTTP/1.1 207 Multi-Status\r\nContent-Length: 10000000000\r\n\r\n<d:multistatus")
                .await
        }
        Misbehaviour::DeepXml => {
            let depth = 5_000;
            let body = format!(
                "<d:multistatus xmlns:d=\"DAV:\">{}{}</d:multistatus>",
                "<d:prop>".repeat(depth),
                "</d:prop>".repeat(depth)
            );
            let head = format!(
                "HTTP/1.1 207 Multi-Status\r\nContent-Type: application/xml\r\nContent-Length: {}\r\n\r\n",
                body.len()
            );
            stream.write_all(format!("{head}{body}").as_bytes()).await
        }
        Misbehaviour::Silent => {
            tokio::time::sleep(Duration::from_secs(5)).await;
            Ok(())
        }
        Misbehaviour::Drip => {
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: text/calendar\r\n\r\n").await;
            for _ in 0..100 {
                if stream.write_all(b" ").await.is_err() {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Ok(())
        }
        Misbehaviour::RedirectLoop => {
            stream
                .write_all(b"HTTP/1.1 301 Moved Permanently\r\nLocation: /again/\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                .await
        }
        Misbehaviour::Unauthorized => {
            stream
                .write_all(b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"x\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                .await
        }
        Misbehaviour::Feed => {
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/calendar\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                FEED.len()
            );
            stream.write_all(format!("{head}{FEED}").as_bytes()).await
        }
    };
}

/// Reads one request's head and body (by Content-Length); `None` on a broken request.
async fn read_request(stream: &mut TcpStream) -> Option<()> {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1024];
    let head_end = loop {
        let n = stream.read(&mut byte).await.ok()?;
        if n == 0 || buf.len() > 64 * 1024 {
            return None;
        }
        buf.extend_from_slice(&byte[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    while buf.len() < head_end + length {
        let n = stream.read(&mut byte).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&byte[..n]);
    }
    Some(())
}

fn settings(timeout: Duration) -> Settings {
    Settings {
        timeout,
        max_response_bytes: CAP,
        // The peers listen on loopback, which the default policy refuses.
        egress: std::sync::Arc::new(stint_egress::EgressPolicy::with_loopback()),
        ..Settings::default()
    }
}

fn client(url: &str, timeout: Duration) -> CalDavClient {
    CalDavClient::new(url, "alice", "s3cret-pw", settings(timeout)).unwrap()
}

fn ts(s: &str) -> jiff::Timestamp {
    s.parse().unwrap()
}

#[tokio::test]
async fn an_endless_body_stops_at_the_cap() {
    let url = serve(Misbehaviour::EndlessBody).await;
    let started = Instant::now();
    let e = client(&url, Duration::from_secs(20))
        .discover()
        .await
        .unwrap_err();
    assert!(matches!(e, Error::TooLarge { limit: CAP, .. }), "{e:?}");
    assert!(!e.is_retryable());
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "took {:?}",
        started.elapsed()
    );

    let feed = fetch_ics_busy(
        &url,
        ts("2026-03-01T00:00:00Z"),
        ts("2026-04-01T00:00:00Z"),
        &settings(Duration::from_secs(20)),
    )
    .await;
    assert!(matches!(feed, Err(Error::TooLarge { .. })), "{feed:?}");
}

#[tokio::test]
async fn a_huge_declared_length_fails_before_reading() {
    let url = serve(Misbehaviour::HugeContentLength).await;
    let calendar = Url::parse(&url).unwrap();
    let e = client(&url, Duration::from_secs(20))
        .busy(
            &calendar,
            ts("2026-03-01T00:00:00Z"),
            ts("2026-04-01T00:00:00Z"),
        )
        .await
        .unwrap_err();
    assert!(matches!(e, Error::TooLarge { .. }), "{e:?}");
}

#[tokio::test]
async fn deeply_nested_xml_is_a_malformed_answer() {
    let url = serve(Misbehaviour::DeepXml).await;
    let calendar = Url::parse(&url).unwrap();
    let e = client(&url, Duration::from_secs(20))
        .busy(
            &calendar,
            ts("2026-03-01T00:00:00Z"),
            ts("2026-04-01T00:00:00Z"),
        )
        .await
        .unwrap_err();
    match &e {
        Error::Malformed { reason, .. } => assert!(reason.contains("nested"), "{reason}"),
        other => panic!("expected Malformed, got {other:?}"),
    }
    assert!(!e.is_retryable());
}

#[tokio::test]
async fn silence_and_a_dripping_body_time_out_and_are_retryable() {
    for how in [Misbehaviour::Silent, Misbehaviour::Drip] {
        let url = serve(how).await;
        let started = Instant::now();
        let e = client(&url, Duration::from_millis(400))
            .discover()
            .await
            .unwrap_err();
        assert!(matches!(e, Error::Timeout { .. }), "{e:?}");
        assert!(e.is_retryable());
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "took {:?}",
            started.elapsed()
        );
    }
}

#[tokio::test]
async fn a_redirect_loop_ends() {
    let url = serve(Misbehaviour::RedirectLoop).await;
    let calendar = Url::parse(&url).unwrap();
    let e = client(&url, Duration::from_secs(5))
        .busy(
            &calendar,
            ts("2026-03-01T00:00:00Z"),
            ts("2026-04-01T00:00:00Z"),
        )
        .await
        .unwrap_err();
    match &e {
        Error::Malformed { reason, .. } => assert!(reason.contains("redirects"), "{reason}"),
        other => panic!("expected Malformed, got {other:?}"),
    }
    // Discovery reads an address that only redirects as "no CalDAV here".
    let e = client(&url, Duration::from_secs(5))
        .discover()
        .await
        .unwrap_err();
    assert!(matches!(e, Error::NotCalDav { .. }), "{e:?}");
}

#[tokio::test]
async fn a_closed_port_is_unreachable_and_retryable() {
    let url = format!("http://127.0.0.1:{}/", common::free_port());
    let e = client(&url, Duration::from_secs(5))
        .discover()
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Unreachable { .. }), "{e:?}");
    assert!(e.is_retryable());
    let text = e.to_string();
    assert!(
        text.contains("127.0.0.1") && !text.contains("s3cret-pw"),
        "{text}"
    );
}

#[tokio::test]
async fn an_ics_feed_gives_busy_time_in_the_window_and_401_is_a_credentials_error() {
    let url = serve(Misbehaviour::Feed).await;
    let busy = fetch_ics_busy(
        &format!("{url}private-abc/basic.ics"),
        ts("2026-03-01T00:00:00Z"),
        ts("2026-04-01T00:00:00Z"),
        &settings(Duration::from_secs(5)),
    )
    .await
    .unwrap();
    assert_eq!(busy.len(), 1);
    assert_eq!(
        (busy[0].start, busy[0].end),
        (ts("2026-03-10T09:00:00Z"), ts("2026-03-10T10:00:00Z"))
    );
    assert_eq!(busy[0].uid.as_deref(), Some("f1"));

    let url = serve(Misbehaviour::Unauthorized).await;
    let e = fetch_ics_busy(
        &format!("{url}private-abc/basic.ics"),
        ts("2026-03-01T00:00:00Z"),
        ts("2026-04-01T00:00:00Z"),
        &settings(Duration::from_secs(5)),
    )
    .await
    .unwrap_err();
    assert!(matches!(e, Error::Credentials { status: 401, .. }), "{e:?}");
    assert!(
        !e.to_string().contains("private-abc"),
        "the secret path stays out of messages"
    );
}
