//! A burst of bookings with a job worker running beside the server, on SQLite and
//! PostgreSQL: 100 bookings over HTTP in five seconds, each confirmed to its mentee by e-mail
//! and in the inbox within ten seconds of being made (p99), none lost. The full-size burst
//! (1,000 in ten seconds, release build) is `cargo bench -p stint --bench burst`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod common;
#[path = "support/always_open.rs"]
mod always_open;

use common::{App, make_mentee};
use jiff::SignedDuration;
use serde_json::json;
use std::collections::HashMap;
use std::time::{Duration, Instant};
use stint_domain::account::{Email, NewAccount, TimeZoneName};
use stint_domain::clock::Clock;
use stint_domain::ids::UserId;
use stint_domain::mentor::MentorProfileInput;
use stint_domain::nudge::NudgeKind;
use stint_domain::role::Role;
use stint_domain::schedule::{SlotQuery, slots};
use stint_server::worker::Shutdown;
use stint_store::{DeliveryStatus, Store};

on_both_backends!(App; confirmations_keep_up_with_a_burst_of_bookings);

const SKU: &str = "technical-triage-20";
const MENTORS: usize = 8;
const CLIENTS: usize = 4;
const BOOKINGS: usize = 100;
const SECONDS: f64 = 5.0;
/// Every confirmation this soon after its booking (p99).
const GOAL: Duration = Duration::from_secs(10);

/// Mentors open around the clock with no caps: the burst's bookings never refuse each
/// other. Their free starts, round-robin over the mentors.
async fn mentors(app: &App) -> Vec<(i64, jiff::Timestamp)> {
    let now = app.clock.now();
    let rules = always_open::always_open("UTC");
    let tz = TimeZoneName::parse("UTC").unwrap().tz();
    let mut columns = Vec::new();
    for i in 0..MENTORS {
        let new = NewAccount {
            email: Email::parse(&format!("burst-mentor-{i}@example.com")).unwrap(),
            display_name: format!("Mentor {i}"),
            timezone: TimeZoneName::parse("UTC").unwrap(),
            roles: vec![Role::Mentor],
        };
        let m = app.store.create_account(&new, "h", now).await.unwrap();
        let profile = MentorProfileInput {
            headline: "Burst mentor".into(),
            bio: String::new(),
            meeting_url: String::new(),
            skus: vec![SKU.into()],
            ..Default::default()
        };
        app.store
            .save_mentor_profile(m.id, &profile, now)
            .await
            .unwrap();
        app.store
            .save_availability(m.id, &rules, now)
            .await
            .unwrap();
        let from = now + SignedDuration::from_hours(48);
        let q = SlotQuery {
            duration_minutes: 20,
            from,
            to: from + SignedDuration::from_hours(48),
            now,
        };
        let starts: Vec<_> = slots(&rules, &tz, &[], &q)
            .into_iter()
            .step_by(2)
            .take(BOOKINGS / MENTORS + 1)
            .map(|s| s.start)
            .collect();
        columns.push((m.id.0, starts));
    }
    let mut work: Vec<_> = (0..=BOOKINGS / MENTORS)
        .flat_map(|i| {
            columns
                .iter()
                .filter_map(move |(m, s)| s.get(i).map(|s| (*m, *s)))
        })
        .collect();
    work.truncate(BOOKINGS);
    work
}

/// Bookings whose mentee (one of `clients`) has both confirmations, e-mail and inbox, in
/// the delivery log.
async fn confirmed(store: &dyn Store, clients: &[UserId]) -> Vec<i64> {
    let mut channels: HashMap<i64, usize> = HashMap::new();
    for d in store.recent_deliveries(None, 10_000).await.unwrap() {
        if d.kind == NudgeKind::Booked
            && d.status == DeliveryStatus::Sent
            && clients.contains(&d.recipient)
        {
            *channels.entry(d.booking.0).or_default() += 1;
        }
    }
    channels
        .into_iter()
        .filter(|(_, n)| *n >= 2)
        .map(|(id, _)| id)
        .collect()
}

async fn confirmations_keep_up_with_a_burst_of_bookings(app: App) {
    app.clear_queue().await;
    let work = mentors(&app).await;
    let mut tokens = Vec::new();
    let mut client_ids = Vec::new();
    for c in 0..CLIENTS {
        let email = format!("burst-client-{c}@example.com");
        make_mentee(&app, &email, &format!("Client {c}")).await;
        tokens.push(app.login(&email, "a long passphrase").await);
        let id = app
            .store
            .account_by_email(&email)
            .await
            .unwrap()
            .unwrap()
            .id;
        client_ids.push(id);
    }
    let worker =
        stint_server::worker::build(app.store.clone(), app.clock.clone(), &app.worker_config())
            .unwrap();
    let stop = Shutdown::on(std::future::pending());
    let running = tokio::spawn(worker.run(stop.wait()));

    // Watched from the start, every 100 ms: when each confirmation is first seen complete.
    let watcher = {
        let (store, clients) = (app.store.clone(), client_ids.clone());
        tokio::spawn(async move {
            let mut seen: HashMap<i64, Instant> = HashMap::new();
            let deadline = Instant::now() + GOAL + Duration::from_secs(25);
            while seen.len() < BOOKINGS && Instant::now() < deadline {
                for id in confirmed(store.as_ref(), &clients).await {
                    seen.entry(id).or_insert_with(Instant::now);
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            seen
        })
    };

    // The bookings at an even pace, each client in turn; when each was made.
    let gap = Duration::from_secs_f64(SECONDS / BOOKINGS as f64);
    let started = Instant::now();
    let mut clients = Vec::new();
    for (c, token) in tokens.into_iter().enumerate() {
        let mine: Vec<(usize, (i64, jiff::Timestamp))> = work
            .iter()
            .copied()
            .enumerate()
            .skip(c)
            .step_by(CLIENTS)
            .collect();
        let (http, base) = (reqwest::Client::new(), app.url(""));
        clients.push(tokio::spawn(async move {
            let mut made = Vec::new();
            for (n, (mentor, start)) in mine {
                tokio::time::sleep_until((started + gap * n as u32).into()).await;
                let r = http
                    .post(format!("{base}/api/v1/bookings"))
                    .bearer_auth(&token)
                    .header("Idempotency-Key", format!("burst-{n}"))
                    .json(&json!({"sku": SKU, "mentor_id": mentor, "start": start.to_string()}))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 201, "{}", r.text().await.unwrap_or_default());
                let body: serde_json::Value = r.json().await.unwrap();
                made.push((body["id"].as_i64().unwrap(), Instant::now()));
            }
            made
        }));
    }
    let mut made: HashMap<i64, Instant> = HashMap::new();
    for c in clients {
        made.extend(c.await.unwrap());
    }
    assert_eq!(made.len(), BOOKINGS);
    let seen = watcher.await.unwrap();
    let ids: Vec<i64> = made.keys().copied().collect();
    stop.trigger();
    running.await.unwrap();
    let missing = ids.iter().filter(|id| !seen.contains_key(id)).count();
    // A confirmation seen before its answer reached the client counts as on time.
    let mut late: Vec<Duration> = ids
        .iter()
        .filter_map(|id| Some(seen.get(id)?.saturating_duration_since(made[id])))
        .collect();
    late.sort();
    let p99 = late
        .get((late.len() * 99 / 100).min(late.len().saturating_sub(1)))
        .copied()
        .unwrap_or(Duration::MAX);
    println!(
        "{BOOKINGS} bookings in {SECONDS} s: confirmation p50 {:?}, p99 {p99:?}, max {:?}; {missing} missing",
        late.get(late.len() / 2),
        late.last()
    );
    assert_eq!(missing, 0, "every booking is confirmed");
    assert!(p99 <= GOAL, "p99 {p99:?} is over {GOAL:?}");
}
