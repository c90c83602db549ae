//! A `stint worker` process killed (SIGKILL) in the middle of a batch of e-mail nudges, then
//! restarted: counted at a real SMTP server, no nudge is lost and none arrives twice. On
//! SQLite one worker restarts; on PostgreSQL two restart side by side.
//!
//! The kill is placed where it is decidable: the SMTP server holds every message after the
//! first `HELD_AFTER` at RCPT (before it could accept it), so the killed worker has some
//! messages delivered and recorded, and some in flight that the server never accepted. (A
//! kill after the server's "250 OK" and before the delivery is recorded would send that one
//! message again, with the same Message-ID: SMTP has no idempotent submit. See
//! `stint_notify::sender`.)
//!
//! Needs Python's aiosmtpd, and PostgreSQL for the PostgreSQL test: ignored without them,
//! except with `CI=true`, where they fail.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod common;

use common::smtp::{SinkOptions, SmtpSink};
use jiff::SignedDuration;
use std::collections::BTreeMap;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use stint_domain::account::{Email, NewAccount, TimeZoneName};
use stint_domain::clock::Clock;
use stint_domain::nudge::{Channel, NudgeKind, NudgePrefs};
use stint_domain::role::Role;
use stint_store::{BookingOutcome, JobState, NewBooking, Store};

/// Bookings made at once: each sends a confirmation to its mentee and to the mentor.
const BOOKINGS: usize = 60;
const HELD_AFTER: usize = 50;

fn worker(db: &str, smtp_port: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_stint"))
        .arg("worker")
        .env_remove("STINT_CONFIG")
        .env("STINT_DATABASE_URL", db)
        .env(
            "STINT_DATA_KEY",
            "1f1e1d1c1b1a191817161514131211100f0e0d0c0b0a09080706050403020100",
        )
        .env("STINT_LOG", "warn")
        .env("STINT_WORKER_LEASE_SECS", "3")
        .env("STINT_MAIL__SMTP__HOST", "127.0.0.1")
        .env("STINT_MAIL__SMTP__PORT", smtp_port.to_string())
        .env("STINT_MAIL__SMTP__TLS", "none")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

fn wait_for(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// `BOOKINGS` sessions a month ahead, each with its own new mentee who wants e-mail only,
/// with one demo mentor; the demo's own queued jobs are cleared so only ours remain.
async fn world(db: &str) -> (Arc<dyn Store>, Vec<String>) {
    let demo = Command::new(env!("CARGO_BIN_EXE_stint"))
        .arg("demo")
        .env_remove("STINT_CONFIG")
        .env("STINT_DATABASE_URL", db)
        .output()
        .unwrap();
    assert!(
        demo.status.success(),
        "{}",
        String::from_utf8_lossy(&demo.stderr)
    );
    let store = stint_store::open(db).await.unwrap();
    let now = stint_domain::clock::SystemClock.now();
    // Mark every demo job done, through the queue's own interface.
    let far = now + SignedDuration::from_hours(1);
    let demo_jobs = store
        .lease_jobs(
            "setup",
            far + SignedDuration::from_hours(24 * 400),
            far,
            100_000,
        )
        .await
        .unwrap();
    for j in demo_jobs {
        store.complete_job(j.id, "setup", now).await.unwrap();
    }
    let mentor = store
        .account_by_email("maya@stint.example")
        .await
        .unwrap()
        .unwrap();
    let sku = store.sku("negotiation-clinic-45").await.unwrap().unwrap();
    let prefs = NudgePrefs {
        quiet: None,
        channels: NudgeKind::ALL
            .into_iter()
            .map(|k| (k, [Channel::Email].into()))
            .collect(),
        ..NudgePrefs::default()
    };
    store
        .save_nudge_prefs(mentor.id, &prefs, now)
        .await
        .unwrap();
    let mut mentees = Vec::new();
    let first = now + SignedDuration::from_hours(24 * 30);
    for i in 0..BOOKINGS {
        let email = format!("mentee{i}@example.com");
        let a = store
            .create_account(
                &NewAccount {
                    email: Email::parse(&email).unwrap(),
                    display_name: format!("Mentee {i}"),
                    timezone: TimeZoneName::parse("Europe/Berlin").unwrap(),
                    roles: vec![Role::Mentee],
                },
                "not a real hash",
                now,
            )
            .await
            .unwrap();
        store.save_nudge_prefs(a.id, &prefs, now).await.unwrap();
        let start = first + SignedDuration::from_hours(i as i64);
        let new = NewBooking {
            mentor_id: mentor.id,
            mentee_id: a.id,
            sku_id: sku.sku_id,
            sku_version: sku.version,
            start,
            end: start + SignedDuration::from_mins(45),
            meeting_url: "https://meet.example/room".into(),
            price: 0,
            bonus: 0,
        };
        let made = store
            .create_booking(&new, None, &|_, _| true, now)
            .await
            .unwrap();
        assert!(matches!(made, BookingOutcome::Created(_)));
        mentees.push(email);
    }
    (store, mentees)
}

async fn a_killed_worker_loses_no_nudge_and_sends_none_twice(db: &str, restarted: usize) {
    let sink = SmtpSink::start(&SinkOptions {
        hold_after: Some(HELD_AFTER),
        ..SinkOptions::default()
    });
    let (store, mentees) = world(db).await;
    let mut first = worker(db, sink.port());
    wait_for(
        "the server to hold a message",
        Duration::from_secs(120),
        || sink.received().len() >= HELD_AFTER && sink.held() >= 1,
    );
    // Let what the server accepted be recorded, then kill the worker mid-batch.
    std::thread::sleep(Duration::from_millis(1500));
    first.kill().unwrap();
    first.wait().unwrap();
    // A few sends were past RCPT when the hold began; the rest are held.
    let at_kill = sink.received().len();
    assert!(
        (HELD_AFTER..2 * BOOKINGS).contains(&at_kill),
        "{at_kill} arrived before the kill"
    );
    let running = store
        .jobs(Some(JobState::Running), None, 100)
        .await
        .unwrap();
    assert!(!running.is_empty(), "the worker died holding jobs");

    sink.release();
    let mut workers: Vec<Child> = (0..restarted).map(|_| worker(db, sink.port())).collect();
    let expected = 2 * BOOKINGS;
    wait_for("every confirmation", Duration::from_secs(120), || {
        sink.received().len() >= expected
    });
    // Give a duplicate every chance to arrive: the jobs settle, and a little more.
    std::thread::sleep(Duration::from_secs(2));
    for w in &mut workers {
        w.kill().unwrap();
        w.wait().unwrap();
    }

    let received = sink.received();
    assert_eq!(received.len(), expected, "each confirmation exactly once");
    let mut per_recipient: BTreeMap<String, usize> = BTreeMap::new();
    let mut ids = std::collections::BTreeSet::new();
    for m in &received {
        for r in &m.rcpt_to {
            *per_recipient.entry(r.clone()).or_default() += 1;
        }
        let parsed = mail_parser::MessageParser::default().parse(&m.raw).unwrap();
        assert!(
            ids.insert(parsed.message_id().unwrap().to_string()),
            "a Message-ID twice"
        );
    }
    for m in &mentees {
        assert_eq!(per_recipient.get(m), Some(&1), "{m}");
    }
    assert_eq!(per_recipient.get("maya@stint.example"), Some(&BOOKINGS));
    // The queue agrees: nothing due is left undone, nothing died.
    assert!(
        store
            .jobs(Some(JobState::Dead), None, 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .jobs(Some(JobState::Running), None, 10)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(peer_smtp),
    ignore = "needs Python's aiosmtpd: pip install aiosmtpd==1.4.6, then touch crates/server/build.rs"
)]
async fn sqlite_one_worker_killed_and_restarted() {
    let db = stint_store::testing::fresh_sqlite();
    a_killed_worker_loses_no_nudge_and_sends_none_twice(db.url(), 1).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(peer_smtp),
    ignore = "needs Python's aiosmtpd: pip install aiosmtpd==1.4.6, then touch crates/server/build.rs"
)]
#[cfg_attr(
    all(peer_smtp, not(peer_postgres)),
    ignore = "needs PostgreSQL: set STINT_TEST_POSTGRES_URL"
)]
async fn postgres_killed_then_two_workers() {
    let db = stint_store::testing::fresh_postgres().await;
    a_killed_worker_loses_no_nudge_and_sends_none_twice(db.url(), 2).await;
}
