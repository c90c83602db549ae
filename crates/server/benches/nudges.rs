//! Nudge delivery: 10,000 e-mail reminders falling due within one minute, planned and sent
//! by Stint's own job workers to a real SMTP server on localhost (Python's aiosmtpd, without
//! disk syncs of its own). Reports the lateness of each message after its due time (p50,
//! p99, max; taken when the SMTP server wrote it) and the throughput. SQLite with one worker;
//! PostgreSQL (when `STINT_TEST_POSTGRES_URL` is set) with two.
//! Run: `cargo bench -p stint --bench nudges`.

// A benchmark is a harness: failing loudly on a broken setup is what it should do.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

#[path = "../../mail/tests/common/mod.rs"]
mod smtp;

use jiff::{SignedDuration, Timestamp};
use smtp::{SinkOptions, SmtpSink};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};
use stint_domain::account::{Email, NewAccount, TimeZoneName};
use stint_domain::clock::Clock;
use stint_domain::nudge::{Channel, NudgeKind, NudgePrefs};
use stint_domain::role::Role;
use stint_server::config::Config;
use stint_server::worker::Shutdown;
use stint_store::{BookingOutcome, JobState, NewBooking, Store};

/// Sessions; each reminds its mentee and its mentor, so twice as many nudges.
const SESSIONS: usize = 5_000;
const NUDGES: usize = 2 * SESSIONS;
/// Jobs each worker runs at once (the `worker_batch` setting; the default is 8).
const BATCH: u32 = 32;
/// The reminders fall due over this window, starting once setup is done.
const WINDOW: Duration = Duration::from_secs(60);

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len().saturating_sub(1))]
}

/// Everyone wants exactly one nudge: the 1 h reminder, by e-mail, at any hour.
fn prefs() -> NudgePrefs {
    NudgePrefs {
        reminders: vec![60],
        quiet: None,
        channels: NudgeKind::ALL
            .into_iter()
            .map(|k| {
                let set = if k == NudgeKind::Reminder {
                    [Channel::Email].into()
                } else {
                    Default::default()
                };
                (k, set)
            })
            .collect(),
    }
}

async fn account(
    store: &dyn Store,
    who: &str,
    i: usize,
    role: Role,
    now: Timestamp,
) -> stint_domain::ids::UserId {
    let new = NewAccount {
        email: Email::parse(&format!("{who}{i}@bench.example")).unwrap(),
        display_name: format!("{who} {i}"),
        timezone: TimeZoneName::parse("Europe/Berlin").unwrap(),
        roles: vec![role],
    };
    let a = store
        .create_account(&new, "not a real hash", now)
        .await
        .unwrap();
    store.save_nudge_prefs(a.id, &prefs(), now).await.unwrap();
    a.id
}

async fn run(label: &str, url: &str, workers: usize) {
    let store = stint_store::open(url).await.unwrap();
    let clock = stint_domain::clock::SystemClock;
    stint_server::demo::load(&store, clock.now()).await.unwrap();
    // The demo's own booking changes are not part of the measure: out of the queue.
    let far = clock.now() + SignedDuration::from_hours(24 * 3650);
    for j in store.lease_jobs("setup", far, far, 100_000).await.unwrap() {
        store
            .complete_job(j.id, "setup", clock.now())
            .await
            .unwrap();
    }
    let sku = store.sku("negotiation-clinic-45").await.unwrap().unwrap();
    let sink = SmtpSink::start(&SinkOptions {
        no_fsync: true,
        ..Default::default()
    });
    let t = Instant::now();
    let mut people = Vec::with_capacity(SESSIONS);
    for i in 0..SESSIONS {
        let now = clock.now();
        let mentor = account(&*store, "mentor", i, Role::Mentor, now).await;
        let mentee = account(&*store, "mentee", i, Role::Mentee, now).await;
        people.push((mentor, mentee));
    }
    println!(
        "  {label}: {} accounts in {:.1} s",
        2 * SESSIONS,
        t.elapsed().as_secs_f64()
    );

    let mut config = Config::default();
    let mut smtp = stint_mail::SmtpSettings::new("127.0.0.1");
    smtp.port = Some(sink.port());
    smtp.tls = stint_mail::TlsMode::None;
    config.mail.smtp = Some(smtp);
    config.worker_batch = BATCH;
    let stop = Shutdown::on(std::future::pending());
    for _ in 0..workers {
        let w = stint_server::worker::build(store.clone(), Arc::new(clock), &config).unwrap();
        tokio::spawn(w.run(stop.wait()));
    }

    // The first reminder is due once the sessions are booked and planned (the workers plan
    // them as they are booked); the last a minute later.
    let t = Instant::now();
    let first_due = clock.now() + SignedDuration::from_secs(75);
    let step = WINDOW.as_secs_f64() / SESSIONS as f64;
    let mut due = HashMap::with_capacity(SESSIONS);
    for (i, &(mentor, mentee)) in people.iter().enumerate() {
        let reminder = first_due + SignedDuration::from_secs_f64(step * i as f64);
        let start = reminder + SignedDuration::from_hours(1);
        let new = NewBooking {
            mentor_id: mentor,
            mentee_id: mentee,
            sku_id: sku.sku_id,
            sku_version: sku.version,
            start,
            end: start + SignedDuration::from_mins(45),
            meeting_url: "https://meet.example/room".into(),
            price: 0,
            bonus: 0,
        };
        match store
            .create_booking(&new, None, &|_, _| true, clock.now())
            .await
            .unwrap()
        {
            BookingOutcome::Created(b) => due.insert(b.id.0, reminder),
            other => panic!("{other:?}"),
        };
    }
    // Planning done: every booking.changed job finished.
    loop {
        let live = [JobState::Queued, JobState::Running];
        let mut planning = 0;
        for s in live {
            planning += store
                .jobs(Some(s), None, 100_000)
                .await
                .unwrap()
                .iter()
                .filter(|j| j.kind == "booking.changed")
                .count();
        }
        if planning == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let ready = clock.now();
    println!(
        "  {label}: {SESSIONS} sessions booked and planned in {:.1} s; first reminder due in {:.1} s",
        t.elapsed().as_secs_f64(),
        (first_due - ready).as_secs_f64()
    );
    if ready > first_due {
        println!("  {label}: WARNING setup overran the first due time; lateness below is inflated");
    }

    let deadline = Instant::now() + WINDOW + Duration::from_secs(240);
    while sink.count() < NUDGES && Instant::now() < deadline {
        // Only the reminders reach the sink: the demo's mail was taken out of the queue.
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    stop.trigger();
    let received = sink.received();
    let mut lateness = Vec::with_capacity(received.len());
    let mut last = first_due;
    for m in &received {
        let raw = String::from_utf8_lossy(&m.raw);
        // Message-ID: <nudge.{booking}.reminder60m.0.{recipient}.email@host>
        let id = raw
            .lines()
            .find_map(|l| l.strip_prefix("Message-ID: <nudge."))
            .and_then(|rest| rest.split('.').next())
            .and_then(|n| n.parse::<i64>().ok())
            .expect("a nudge's Message-ID");
        let arrived: SystemTime = std::fs::metadata(&m.path).unwrap().modified().unwrap();
        let arrived = Timestamp::try_from(arrived).unwrap();
        last = last.max(arrived);
        lateness.push((arrived - due[&id]).as_secs_f64());
    }
    lateness.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let span = (last - first_due).as_secs_f64();
    println!(
        "  {label}: {} of {NUDGES} delivered; lateness after due p50 {:.2} s, p99 {:.2} s, max {:.2} s; \
         {:.0} nudges/s over the {:.0} s from the first due time to the last delivery",
        received.len(),
        percentile(&lateness, 0.5),
        percentile(&lateness, 0.99),
        lateness.last().copied().unwrap_or(f64::NAN),
        received.len() as f64 / span,
        span
    );
    assert_eq!(received.len(), NUDGES, "every nudge delivered");
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        println!(
            "nudges: {NUDGES} e-mail reminders due within {} s",
            WINDOW.as_secs()
        );
        let sqlite = stint_store::testing::fresh_sqlite();
        run("SQLite, 1 worker", sqlite.url(), 1).await;
        if std::env::var(stint_store::testing::POSTGRES_ENV).is_ok() {
            let db = stint_store::testing::fresh_postgres().await;
            run("PostgreSQL, 2 workers", db.url(), 2).await;
        }
    });
}
