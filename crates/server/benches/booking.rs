//! End-to-end booking throughput over HTTP, with the job worker inside the server as `stint
//! serve` runs it, against the raw single-row commit rate of the same database, measured in
//! one run. SQLite always; PostgreSQL when `STINT_TEST_POSTGRES_URL` is set
//! (`STINT_BENCH_ONLY=sqlite|postgres` picks one). Run: `cargo bench -p stint --bench booking`.
//! 400 mentors keep realistic hours (weekdays 09:00–17:00 in six zones, a 10-minute buffer,
//! at most 6 a day, 20 a week and 3 in a row); 16 clients book them with idempotency keys,
//! each booking holding its price (20 credits) from the client's wallet in the same write as
//! the claim. Prints bookings/s at full load, the raw rate (measured before and after, once
//! the worker has caught up, and averaged), the ratio, p50/p99 latency at full load and at
//! half of that rate (paced), how long the worker took to catch up, the process's peak RSS
//! (server and clients share the process), and, to read them by, the CPU time per booking
//! (this process's, and on PostgreSQL the database's), the rate of the claim alone and of a
//! trivial HTTP request. `STINT_BENCH_FREE=1` makes the session type free, to measure what
//! the hold costs.

// A benchmark is a harness: failing loudly on a broken setup is what it should do.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/open_market.rs"]
mod open_market;
use jiff::{SignedDuration, Timestamp};
use sqlx::{AnyPool, Executor};
use std::sync::Arc;
use std::time::Instant;
use stint_domain::clock::Clock;
use stint_domain::schedule::Availability;
use stint_store::Store;

const CLIENTS: usize = 16;
const MENTORS: usize = 400;
/// Bookings at full load; half as many at half load.
const BOOKINGS: usize = 6400;
const ZONES: [&str; 6] = [
    "America/New_York",
    "America/Los_Angeles",
    "Europe/Berlin",
    "Europe/London",
    "Asia/Singapore",
    "Australia/Sydney",
];
/// How long each measurement of the raw commit rate runs.
const RAW_SECONDS: f64 = 2.0;
const PASSWORD: &str = "benchmark passphrase";

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len().saturating_sub(1))]
}

fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse::<f64>().ok())
        .unwrap_or(0.0);
    kb / 1024.0
}

/// CPU ticks (user + system, 1/100 s) used so far by this process, and by each PostgreSQL
/// process by its pid (backends come and go with connections, so they are counted apart).
struct CpuTicks {
    own: f64,
    postgres: std::collections::HashMap<u32, f64>,
    /// The whole machine's (idle, all) ticks from `/proc/stat`.
    machine: (f64, f64),
}

fn cpu_ticks() -> CpuTicks {
    fn of(stat: &str) -> f64 {
        // Fields after the command's closing parenthesis: utime is the 12th, stime the 13th.
        let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
        let f: Vec<&str> = rest.split_whitespace().collect();
        let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
        ticks(11) + ticks(12)
    }
    let own = of(&std::fs::read_to_string("/proc/self/stat").unwrap_or_default());
    let mut postgres = std::collections::HashMap::new();
    for e in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Some(pid) = e.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else {
            continue;
        };
        let stat = std::fs::read_to_string(e.path().join("stat")).unwrap_or_default();
        if stat.contains("(postgres)") {
            postgres.insert(pid, of(&stat));
        }
    }
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let fields: Vec<f64> = stat
        .lines()
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .skip(1)
        .filter_map(|v| v.parse().ok())
        .collect();
    // user nice system idle iowait irq softirq steal …: idle and iowait are idle time.
    let idle = fields.get(3).unwrap_or(&0.0) + fields.get(4).unwrap_or(&0.0);
    let machine = (idle, fields.iter().take(8).sum());
    CpuTicks {
        own,
        postgres,
        machine,
    }
}

/// How busy the machine's CPUs were between `a` and `b`, in percent.
fn machine_busy(a: &CpuTicks, b: &CpuTicks) -> f64 {
    let all = b.machine.1 - a.machine.1;
    let idle = b.machine.0 - a.machine.0;
    if all > 0.0 {
        100.0 * (1.0 - idle / all)
    } else {
        0.0
    }
}

/// Microseconds of CPU per booking between `a` and `b`: this process's, and PostgreSQL's
/// (a process that ended in between is not counted after its last reading).
fn cpu_per_booking(a: &CpuTicks, b: &CpuTicks) -> (f64, f64) {
    let per = |ticks: f64| ticks * 10_000.0 / BOOKINGS as f64;
    let pg: f64 = b
        .postgres
        .iter()
        .map(|(pid, t)| t - a.postgres.get(pid).copied().unwrap_or(0.0))
        .sum();
    (per(b.own - a.own), per(pg))
}

async fn setup(store: &Arc<dyn Store>) -> Vec<(i64, Vec<Timestamp>)> {
    let now = stint_domain::clock::SystemClock.now();
    stint_server::demo::load(store, now).await.expect("demo");
    if std::env::var("STINT_BENCH_FREE").is_ok() {
        let sku = store.sku("technical-triage-20").await.unwrap().unwrap();
        let free = stint_domain::catalog::SkuContent {
            price_credits: 0,
            ..sku.content.clone()
        };
        store
            .update_sku("technical-triage-20", &free, None, now)
            .await
            .unwrap();
    }
    let hash = stint_app::auth::password::hash(PASSWORD.into())
        .await
        .expect("hash");
    // Starts for the claim alone, full load and half load.
    let per_mentor = (BOOKINGS + BOOKINGS + BOOKINGS / 2) / MENTORS + 1;
    let rules_of = |i: usize| Availability::default_for(ZONES[i % ZONES.len()]);
    let plan = open_market::open_mentors(
        store,
        ("bench", MENTORS, per_mentor),
        ("technical-triage-20", &rules_of),
        open_market::Starts::FourADay,
        (&hash, now),
    )
    .await;
    // Enough for every booking of each client (20 credits each) and more.
    let credits = 50 * BOOKINGS as i64;
    open_market::funded_clients(store, "bench", CLIENTS, credits, (&hash, now)).await;
    plan
}

/// Books `work` over HTTP by `CLIENTS` clients, each with an idempotency key: as fast as they
/// can (`pace` `None`), or at `pace` bookings per second overall (each booking sent at its
/// time, however long the ones before took). Bookings per second and the latencies, sorted.
async fn booking_rate(
    base: &str,
    tokens: &[String],
    work: Vec<(i64, Timestamp)>,
    pace: Option<f64>,
) -> (f64, Vec<f64>) {
    let http = reqwest::Client::new();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (c, token) in tokens.iter().enumerate() {
        let queue = open_market::share_of(&work, c, CLIENTS);
        let (http, base, token) = (http.clone(), base.to_string(), token.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            for (n, (mentor, start)) in queue {
                if let Some(rate) = pace {
                    let due = started + std::time::Duration::from_secs_f64(n as f64 / rate);
                    tokio::time::sleep_until(due.into()).await;
                }
                let t = Instant::now();
                let key = format!("bench-{mentor}-{}", start.as_second());
                open_market::book(&http, (&base, &token), &key, (mentor, start)).await;
                lat.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            lat
        }));
    }
    let mut latencies = Vec::new();
    for t in tasks {
        latencies.extend(t.await.expect("client"));
    }
    let rate = latencies.len() as f64 / started.elapsed().as_secs_f64();
    latencies.sort_by(|a, b| a.total_cmp(b));
    (rate, latencies)
}

/// Single-row commits into a scratch table for `RAW_SECONDS`: on SQLite one writer with
/// Stint's own pragmas (WAL, synchronous=FULL), exactly as Stint's writer; on PostgreSQL
/// `CLIENTS` connections. Each commit is a transaction of one insert.
async fn raw_commit_rate(url: &str, sqlite: bool) -> f64 {
    use std::sync::atomic::{AtomicI64, Ordering};
    sqlx::any::install_default_drivers();
    let url = if sqlite && !url.contains("mode=") {
        format!("{url}?mode=rwc")
    } else {
        url.to_string()
    };
    let pool = sqlx::any::AnyPoolOptions::new()
        .max_connections(if sqlite { 1 } else { CLIENTS as u32 })
        // As Stint's pools: no ping before each transaction.
        .test_before_acquire(false)
        .connect(&url)
        .await
        .expect("raw pool");
    if sqlite {
        pool.execute(stint_store::SQLITE_PRAGMAS)
            .await
            .expect("pragmas");
    }
    pool.execute(
        "CREATE TABLE IF NOT EXISTS bench_commits (id BIGINT PRIMARY KEY, v TEXT NOT NULL)",
    )
    .await
    .expect("table");
    let first: i64 = sqlx::query("SELECT COALESCE(MAX(id), 0) + 1 AS next FROM bench_commits")
        .fetch_one(&pool)
        .await
        .and_then(|r| sqlx::Row::try_get(&r, "next"))
        .expect("next id");
    let next = Arc::new(AtomicI64::new(first));
    let done = Arc::new(AtomicI64::new(0));
    let workers = if sqlite { 1 } else { CLIENTS };
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..workers {
        let (pool, next, done): (AnyPool, _, _) = (pool.clone(), next.clone(), done.clone());
        tasks.push(tokio::spawn(async move {
            while started.elapsed().as_secs_f64() < RAW_SECONDS {
                let mut tx = pool.begin().await.expect("begin");
                sqlx::query("INSERT INTO bench_commits (id, v) VALUES ($1, $2)")
                    .bind(next.fetch_add(1, Ordering::Relaxed))
                    .bind("x")
                    .execute(&mut *tx)
                    .await
                    .expect("insert");
                tx.commit().await.expect("commit");
                done.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    for t in tasks {
        t.await.expect("worker");
    }
    pool.close().await;
    done.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64()
}

/// Requests per second of `GET /healthz` (one trivial query) by the same clients: the
/// floor an HTTP round trip through the server costs, for reading the booking figure.
async fn health_rate(base: &str) -> f64 {
    let http = reqwest::Client::new();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..CLIENTS {
        let (http, base) = (http.clone(), base.to_string());
        tasks.push(tokio::spawn(async move {
            for _ in 0..BOOKINGS / CLIENTS {
                let r = http
                    .get(format!("{base}/healthz"))
                    .send()
                    .await
                    .expect("health");
                assert_eq!(r.status(), 200);
            }
        }));
    }
    for t in tasks {
        t.await.expect("client");
    }
    BOOKINGS as f64 / started.elapsed().as_secs_f64()
}

/// Bookings per second straight through the store (no HTTP, no log-in, no catalog read):
/// what the claim itself costs, for reading the end-to-end figure.
async fn store_rate(store: &Arc<dyn Store>, plan: &[(i64, Vec<Timestamp>)]) -> f64 {
    use stint_domain::ids::{SkuId, UserId};
    use stint_store::NewBooking;
    let sku = store.sku("technical-triage-20").await.unwrap().unwrap();
    let mentee = store
        .account_by_email("bench-client-0@example.com")
        .await
        .unwrap()
        .unwrap();
    // The plan's last part: the HTTP runs book the rest.
    let work: Vec<(i64, Timestamp)> = open_market::round_robin(plan)
        .into_iter()
        .skip(BOOKINGS + BOOKINGS / 2)
        .take(BOOKINGS)
        .collect();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..CLIENTS {
        let q: Vec<_> = work.iter().skip(c).step_by(CLIENTS).copied().collect();
        let store = store.clone();
        let (sid, ver, me) = (sku.sku_id, sku.version, mentee.id);
        tasks.push(tokio::spawn(async move {
            for (m, start) in q {
                let new = NewBooking {
                    mentor_id: UserId(m),
                    mentee_id: me,
                    sku_id: SkuId(sid.0),
                    sku_version: ver,
                    start,
                    end: start.checked_add(SignedDuration::from_mins(20)).unwrap(),
                    meeting_url: "x".into(),
                    price: 0,
                    bonus: 0,
                };
                let yes = |_: Option<&Availability>, _: &[stint_domain::schedule::Busy]| true;
                store
                    .create_booking(&new, None, &yes, stint_domain::clock::SystemClock.now())
                    .await
                    .unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    BOOKINGS as f64 / started.elapsed().as_secs_f64()
}

async fn run(name: &str, url: &str, sqlite: bool, target: f64) {
    let begun = Instant::now();
    let store = stint_store::open(url).await.expect("open");
    let plan = setup(&store).await;
    eprintln!("{name}: set up at {:.0} s", begun.elapsed().as_secs_f64());
    let (addr, _outbox) = open_market::serve_with_worker(&store).await;
    let base = format!("http://{addr}");
    let patience = std::time::Duration::from_secs(600);
    // Whatever the demo set off runs first; the raw rate is measured with the worker idle,
    // before and after the bookings, so both see the machine as it was.
    open_market::caught_up(&store, patience).await;
    eprintln!(
        "{name}: worker idle at {:.0} s",
        begun.elapsed().as_secs_f64()
    );
    let raw_before = raw_commit_rate(url, sqlite).await;
    let http = reqwest::Client::new();
    let tokens = open_market::client_tokens(&http, &base, "bench", (CLIENTS, PASSWORD)).await;
    let work = open_market::round_robin(&plan);
    let c1 = cpu_ticks();
    let (rate, lat) = booking_rate(&base, &tokens, work[..BOOKINGS].to_vec(), None).await;
    eprintln!(
        "{name}: full load done at {:.0} s",
        begun.elapsed().as_secs_f64()
    );
    let c2 = cpu_ticks();
    let behind = open_market::caught_up(&store, patience).await;
    eprintln!(
        "{name}: caught up at {:.0} s",
        begun.elapsed().as_secs_f64()
    );
    let raw_after = raw_commit_rate(url, sqlite).await;
    let half_work = work[BOOKINGS..BOOKINGS + BOOKINGS / 2].to_vec();
    let (half_rate, half_lat) = booking_rate(&base, &tokens, half_work, Some(rate / 2.0)).await;
    open_market::caught_up(&store, patience).await;
    eprintln!(
        "{name}: half load done at {:.0} s",
        begun.elapsed().as_secs_f64()
    );
    let health = health_rate(&base).await;
    let c3 = cpu_ticks();
    let direct = store_rate(&store, &plan).await;
    let c4 = cpu_ticks();
    let raw = (raw_before + raw_after) / 2.0;
    let ratio = rate / raw;
    let verdict = if ratio >= target { "meets" } else { "MISSES" };
    let half_p99 = percentile(&half_lat, 0.99);
    let half_verdict = if half_p99 <= 20.0 { "meets" } else { "MISSES" };
    let writers = if sqlite { "1 writer" } else { "16 connections" };
    println!(
        "{name}: {} bookings over HTTP by {CLIENTS} clients, worker on: {rate:.0} bookings/s, latency p50 {:.1} ms, p99 {:.1} ms; the worker caught up {:.0} s after",
        lat.len(),
        percentile(&lat, 0.5),
        percentile(&lat, 0.99),
        behind.as_secs_f64(),
    );
    println!(
        "{name}: at half that rate ({half_rate:.0} bookings/s, paced): latency p50 {:.1} ms, p99 {half_p99:.1} ms ({half_verdict} the target <= 20 ms)",
        percentile(&half_lat, 0.5),
    );
    println!(
        "{name}: raw single-row commits ({writers}): {raw:.0}/s (before {raw_before:.0}, after {raw_after:.0})"
    );
    println!("{name}: ratio {ratio:.2} ({verdict} the target >= {target})");
    println!(
        "{name}: peak RSS {:.0} MiB (server and clients share the process)",
        peak_rss_mib()
    );
    let per_booking = |a: &CpuTicks, b: &CpuTicks| {
        let (own, pg) = cpu_per_booking(a, b);
        if sqlite {
            format!("{own:.0} us")
        } else {
            format!("{own:.0} us here + {pg:.0} us in PostgreSQL")
        }
    };
    println!(
        "{name}: for reading it: CPU per booking over HTTP {} (claim alone {}), the machine's CPUs {:.0}% busy; the claim alone (store, no HTTP) {direct:.0}/s; GET /healthz (HTTP + one query) {health:.0}/s",
        per_booking(&c1, &c2),
        per_booking(&c3, &c4),
        machine_busy(&c1, &c2),
    );
}

/// `STINT_BENCH_ONLY=sqlite|postgres` runs one backend (for profiling one at a time).
fn wanted(backend: &str) -> bool {
    std::env::var("STINT_BENCH_ONLY").map_or(true, |only| only == backend)
}

#[tokio::main]
async fn main() {
    if wanted("sqlite") {
        let db = stint_store::testing::fresh_sqlite();
        run("sqlite", db.url(), true, 0.5).await;
    }
    if !wanted("postgres") {
        return;
    }
    if std::env::var(stint_store::testing::POSTGRES_ENV).is_ok() {
        let db = stint_store::testing::fresh_postgres().await;
        run("postgres", db.url(), false, 0.4).await;
    } else {
        println!(
            "postgres: skipped (set {} to include it)",
            stint_store::testing::POSTGRES_ENV
        );
    }
}
