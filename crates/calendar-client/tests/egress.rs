//! The egress policy on the calendar client (CalDAV accounts and `.ics` feeds), with nothing
//! but loopback peers: the default refuses every spelling of an internal address before any
//! connection, each redirect is checked again, credentials never follow a redirect to
//! another origin, and what a user reads does not tell an open port from a closed one.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use stint_calendar_client::{CalDavClient, Error, Settings, fetch_ics_busy};
use stint_egress::EgressPolicy;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

fn settings(egress: EgressPolicy) -> Settings {
    Settings {
        timeout: Duration::from_secs(2),
        egress: Arc::new(egress),
        ..Settings::default()
    }
}

fn ts(s: &str) -> jiff::Timestamp {
    s.parse().unwrap()
}

/// A loopback server that answers every request with `answer`, and keeps each request's
/// head (so a test can see which headers arrived) and a count of connections.
struct Peer {
    base: String,
    heads: Arc<Mutex<Vec<String>>>,
    connections: Arc<AtomicUsize>,
}

async fn peer(answer: String) -> Peer {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let heads = Arc::new(Mutex::new(Vec::new()));
    let connections = Arc::new(AtomicUsize::new(0));
    let (kept, counted) = (heads.clone(), connections.clone());
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            counted.fetch_add(1, Ordering::SeqCst);
            let mut buf = vec![0u8; 16 * 1024];
            let mut read = 0;
            while !buf[..read].windows(4).any(|w| w == b"\r\n\r\n") && read < buf.len() {
                match stream.read(&mut buf[read..]).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => read += n,
                }
            }
            kept.lock()
                .unwrap()
                .push(String::from_utf8_lossy(&buf[..read]).into_owned());
            let _ = stream.write_all(answer.as_bytes()).await;
        }
    });
    Peer {
        base,
        heads,
        connections,
    }
}

fn redirect_to(location: &str) -> String {
    format!(
        "HTTP/1.1 307 Temporary Redirect\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )
}

#[tokio::test]
async fn the_default_policy_refuses_every_internal_spelling_on_caldav_and_feeds() {
    for spelling in stint_testkit::INTERNAL_ADDRESS_SPELLINGS {
        let client = CalDavClient::new(
            spelling,
            "alice",
            "pw",
            settings(EgressPolicy::public_only()),
        )
        .unwrap();
        let e = client.discover().await.unwrap_err();
        assert!(matches!(e, Error::Refused(_)), "CalDAV {spelling}: {e:?}");
        assert!(!e.is_retryable());
        let e = fetch_ics_busy(
            spelling,
            ts("2026-06-01T00:00:00Z"),
            ts("2026-07-01T00:00:00Z"),
            &settings(EgressPolicy::public_only()),
        )
        .await
        .unwrap_err();
        assert!(matches!(e, Error::Refused(_)), "feed {spelling}: {e:?}");
        assert!(e.to_string().contains("private or internal address"), "{e}");
    }
}

#[tokio::test]
async fn a_redirect_to_an_address_the_policy_refuses_is_not_followed() {
    // Allowed: 127.0.0.1 only. The redirect goes to another loopback address and to a name.
    let inside = peer("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".into()).await;
    let inside_port = inside.base.rsplit(':').next().unwrap().to_string();
    for target in [
        format!("http://127.0.0.2:{inside_port}/"),
        format!("http://localhost:{inside_port}/"),
        format!("http://[::ffff:127.0.0.2]:{inside_port}/"),
        "http://169.254.169.254/latest/meta-data/".to_string(),
    ] {
        let outside = peer(redirect_to(&target)).await;
        let e = fetch_ics_busy(
            &format!("{}/cal.ics", outside.base),
            ts("2026-06-01T00:00:00Z"),
            ts("2026-07-01T00:00:00Z"),
            &settings(EgressPolicy::parse(["127.0.0.1/32"]).unwrap()),
        )
        .await
        .unwrap_err();
        assert!(matches!(e, Error::Refused(_)), "{target}: {e:?}");
        assert_eq!(outside.connections.load(Ordering::SeqCst), 1);
    }
    assert_eq!(
        inside.connections.load(Ordering::SeqCst),
        0,
        "nothing reached inside"
    );
}

#[tokio::test]
async fn credentials_never_follow_a_redirect_to_another_origin() {
    let other =
        peer("HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".into())
            .await;
    let first = peer(redirect_to(&format!("{}/dav/", other.base))).await;
    let client = CalDavClient::new(
        &format!("{}/dav/", first.base),
        "alice",
        "s3cret-pw",
        settings(EgressPolicy::with_loopback()),
    )
    .unwrap();
    let _ = client.discover().await;
    let first_heads = first.heads.lock().unwrap().join("\n").to_ascii_lowercase();
    let other_heads = other.heads.lock().unwrap().join("\n").to_ascii_lowercase();
    assert!(
        first_heads.contains("authorization: basic"),
        "{first_heads}"
    );
    assert!(!other_heads.is_empty(), "the redirect was followed");
    assert!(
        !other_heads.contains("authorization"),
        "the password went to another origin: {other_heads}"
    );
}

#[tokio::test]
async fn a_closed_port_and_a_silent_one_read_the_same() {
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let silent = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let silent_port = silent.local_addr().unwrap().port();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = silent.accept().await {
            held.push(stream);
        }
    });
    let text = |port: u16| async move {
        let client = CalDavClient::new(
            &format!("http://127.0.0.1:{port}/"),
            "alice",
            "pw",
            settings(EgressPolicy::with_loopback()),
        )
        .unwrap();
        let e = client.discover().await.unwrap_err();
        assert!(e.is_retryable(), "{e:?}");
        e.to_string().replace(&port.to_string(), "PORT")
    };
    assert_eq!(text(closed).await, text(silent_port).await);
}
