//! A burst of bookings with the job worker inside the server, as `stint serve` runs it: 1,000
//! bookings over HTTP in 10 seconds (16 clients, paced evenly), each setting off its nudges
//! and webhooks; then how late each booking's confirmation reached the mentee, by e-mail
//! and in the inbox, after the booking was made (p50, p99, max; both times read in whole seconds, so ±1 s), how long
//! the queue took to run dry, and the jobs the worker ran per second. SQLite always;
//! PostgreSQL when `STINT_TEST_POSTGRES_URL` is set (`STINT_BENCH_ONLY=sqlite|postgres` picks
//! one). `STINT_BURST_BOOKINGS` and `STINT_BURST_SECONDS` change the burst.
//! Run: `cargo bench -p stint --bench burst`.

// A benchmark is a harness: failing loudly on a broken setup is what it should do.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/support/always_open.rs"]
mod always_open;
#[path = "support/open_market.rs"]
mod open_market;

use jiff::Timestamp;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use stint_domain::clock::{Clock, SystemClock};
use stint_store::{JobState, Store};

const CLIENTS: usize = 16;
const MENTORS: usize = 64;
const PASSWORD: &str = "benchmark passphrase";
/// The goal: every confirmation within this many seconds of its booking (p99).
const GOAL_SECONDS: i64 = 10;

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn percentile(sorted: &[i64], p: f64) -> i64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len().saturating_sub(1))]
}

/// Mentors open around the clock, each with enough distinct starts; clients with credits.
async fn setup(store: &Arc<dyn Store>, bookings: usize) -> Vec<(i64, Timestamp)> {
    let now = SystemClock.now();
    stint_server::demo::load(store, now).await.expect("demo");
    let hash = stint_app::auth::password::hash(PASSWORD.into())
        .await
        .expect("hash");
    let rules = always_open::always_open("UTC");
    let per_mentor = bookings / MENTORS + 1;
    let plan = open_market::open_mentors(
        store,
        ("burst", MENTORS, per_mentor),
        ("technical-triage-20", &|_| rules.clone()),
        open_market::Starts::EveryOther,
        (&hash, now),
    )
    .await;
    let credits = 25 * bookings as i64;
    open_market::funded_clients(store, "burst", CLIENTS, credits, (&hash, now)).await;
    let mut work = open_market::round_robin(&plan);
    work.truncate(bookings);
    work
}

/// Makes the bookings at an even pace over `seconds`; each booking's id and when it was made.
async fn burst(base: &str, work: Vec<(i64, Timestamp)>, seconds: f64) -> Vec<(i64, i64)> {
    let http = reqwest::Client::new();
    let tokens = open_market::client_tokens(&http, base, "burst", (CLIENTS, PASSWORD)).await;
    let gap = Duration::from_secs_f64(seconds / work.len() as f64);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (c, token) in tokens.into_iter().enumerate() {
        let mine = open_market::share_of(&work, c, CLIENTS);
        let (http, base) = (http.clone(), base.to_string());
        tasks.push(tokio::spawn(async move {
            let mut made = Vec::new();
            for (n, (mentor, start)) in mine {
                tokio::time::sleep_until((started + gap * n as u32).into()).await;
                let key = format!("burst-{n}");
                let body = open_market::book(&http, (&base, &token), &key, (mentor, start)).await;
                made.push((
                    body["id"].as_i64().expect("id"),
                    SystemClock.now().as_second(),
                ));
            }
            made
        }));
    }
    let mut made = Vec::new();
    for t in tasks {
        made.extend(t.await.expect("client"));
    }
    made
}

/// When each booking's confirmation had reached its mentee on every channel (seconds):
/// the latest of the delivery log's `booked` rows for the mentee.
async fn confirmed(url: &str) -> HashMap<i64, i64> {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(url).await.expect("pool");
    let rows = sqlx::query(
        "SELECT d.booking_id, MAX(d.at) AS at, COUNT(*) AS channels FROM nudge_deliveries d \
         JOIN bookings b ON b.id = d.booking_id AND b.mentee_id = d.recipient_id \
         WHERE d.kind = 'booked' AND d.status = 'sent' GROUP BY d.booking_id",
    )
    .fetch_all(&pool)
    .await
    .expect("deliveries");
    pool.close().await;
    rows.iter()
        .filter(|r| {
            use sqlx::Row;
            r.get::<i64, _>("channels") >= 2
        })
        .map(|r| {
            use sqlx::Row;
            (r.get::<i64, _>("booking_id"), r.get::<i64, _>("at"))
        })
        .collect()
}

async fn run(name: &str, url: &str) {
    let bookings = env_or("STINT_BURST_BOOKINGS", 1000);
    let seconds = env_or("STINT_BURST_SECONDS", 10) as f64;
    let store = stint_store::open(url).await.expect("open");
    let work = setup(&store, bookings).await;
    let (addr, _outbox) = open_market::serve_with_worker(&store).await;
    // Whatever the demo set off runs first, so the burst meets an idle queue.
    open_market::caught_up(&store, Duration::from_secs(600)).await;
    let done_before = store.job_counts().await.expect("counts");
    let started = Instant::now();
    let made = burst(&format!("http://{addr}"), work, seconds).await;
    let booked_in = started.elapsed().as_secs_f64();
    // Until every confirmation is in, or a minute past the goal.
    let deadline = Instant::now() + Duration::from_secs(60 + GOAL_SECONDS as u64);
    let mut seen = confirmed(url).await;
    while made.iter().any(|(id, _)| !seen.contains_key(id)) && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(250)).await;
        seen = confirmed(url).await;
    }
    let all_in = started.elapsed().as_secs_f64();
    open_market::caught_up(&store, deadline.saturating_duration_since(Instant::now())).await;
    let dry = started.elapsed().as_secs_f64();
    let done = |counts: &[(JobState, u64)]| {
        counts
            .iter()
            .find(|(s, _)| *s == JobState::Done)
            .map_or(0, |(_, n)| *n)
    };
    let ran = done(&store.job_counts().await.expect("counts")) - done(&done_before);
    let missing = made.iter().filter(|(id, _)| !seen.contains_key(id)).count();
    let mut late: Vec<i64> = made
        .iter()
        .filter_map(|(id, at)| seen.get(id).map(|c| (c - at).max(0)))
        .collect();
    late.sort_unstable();
    let p99 = percentile(&late, 0.99);
    let verdict = if missing == 0 && p99 <= GOAL_SECONDS {
        "meets"
    } else {
        "MISSES"
    };
    println!(
        "{name}: {} bookings in {booked_in:.1} s over HTTP ({CLIENTS} clients, worker inside the server)",
        made.len()
    );
    println!(
        "{name}: confirmation (e-mail and inbox) after its booking: p50 {} s, p99 {p99} s, max {} s (±1 s); {missing} missing ({verdict} p99 <= {GOAL_SECONDS} s)",
        percentile(&late, 0.5),
        late.last().copied().unwrap_or(0),
    );
    println!(
        "{name}: every confirmation in after {all_in:.1} s; nothing due left after {dry:.1} s; {ran} jobs run, {:.0} jobs/s",
        ran as f64 / dry
    );
}

fn wanted(backend: &str) -> bool {
    std::env::var("STINT_BENCH_ONLY").map_or(true, |only| only == backend)
}

#[tokio::main]
async fn main() {
    if wanted("sqlite") {
        let db = stint_store::testing::fresh_sqlite();
        run("sqlite", db.url()).await;
    }
    if !wanted("postgres") {
        return;
    }
    if std::env::var(stint_store::testing::POSTGRES_ENV).is_ok() {
        let db = stint_store::testing::fresh_postgres().await;
        run("postgres", db.url()).await;
    } else {
        println!(
            "postgres: skipped (set {} to include it)",
            stint_store::testing::POSTGRES_ENV
        );
    }
}
