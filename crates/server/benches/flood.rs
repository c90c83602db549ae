//! A flood against a real `stint serve` process (its own process, so its memory is its own):
//! 200 clients signing up in parallel and 1,000 bad log-ins a second for 20 seconds, while a
//! prober asks `GET /healthz` every 20 ms. Prints the server's peak RSS, the `/healthz`
//! latencies, and how the flood was answered (created, 429 throttled, 503 busy). Goals: peak
//! RSS ≤ 256 MiB and `/healthz` p99 ≤ 100 ms. Run: `cargo bench -p stint --bench flood`
//! (`STINT_FLOOD_SECONDS` shortens it).

// A benchmark is a harness: failing loudly on a broken setup is what it should do.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::json;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const SIGNUP_CLIENTS: usize = 200;
const BAD_LOGINS_PER_SECOND: u64 = 1_000;
/// Tasks the log-ins are spread over, each sending at its share of the rate.
const LOGIN_CLIENTS: u64 = 100;
const RSS_GOAL_MIB: f64 = 256.0;
const HEALTHZ_P99_GOAL_MS: f64 = 100.0;

#[path = "../tests/support/process.rs"]
mod process;
use process::serve;

/// The peak resident memory of process `pid`, in MiB.
fn peak_rss_mib(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .unwrap_or(0.0)
        / 1024.0
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len().saturating_sub(1))]
}

type Tally = Arc<Mutex<BTreeMap<String, u64>>>;

fn count(tally: &Tally, what: &str, status: Option<u16>) {
    let key = format!(
        "{what} {}",
        status.map_or("error".into(), |s| s.to_string())
    );
    *tally.lock().unwrap().entry(key).or_default() += 1;
}

#[tokio::main]
async fn main() {
    let seconds: u64 = std::env::var("STINT_FLOOD_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20);
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("flood.db").display());
    let server = serve(&db);
    let pid = server.child.id();
    let base = Arc::new(server.base.clone());
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(400)
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let idle_rss = peak_rss_mib(pid);
    let until = Instant::now() + Duration::from_secs(seconds);
    let tally: Tally = Arc::default();
    let mut tasks = Vec::new();

    for c in 0..SIGNUP_CLIENTS {
        let (client, base, tally) = (client.clone(), base.clone(), tally.clone());
        tasks.push(tokio::spawn(async move {
            let mut n = 0;
            while Instant::now() < until {
                n += 1;
                let body = json!({
                    "email": format!("flood-{c}-{n}@example.com"),
                    "password": "a long enough passphrase",
                    "display_name": "Flood",
                    "timezone": "UTC",
                });
                let r = client
                    .post(format!("{base}/api/v1/auth/signup"))
                    .json(&body)
                    .send()
                    .await;
                count(&tally, "sign-up", r.ok().map(|r| r.status().as_u16()));
            }
        }));
    }
    let every = Duration::from_micros(1_000_000 * LOGIN_CLIENTS / BAD_LOGINS_PER_SECOND);
    for c in 0..LOGIN_CLIENTS {
        let (client, base, tally) = (client.clone(), base.clone(), tally.clone());
        tasks.push(tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
            let mut n = 0;
            while Instant::now() < until {
                tick.tick().await;
                n += 1;
                let (client, base, tally) = (client.clone(), base.clone(), tally.clone());
                // Sent without waiting for the answer, so the rate holds however slow it is.
                tokio::spawn(async move {
                    let body = json!({"email": format!("nobody-{c}-{n}@example.com"), "password": "wrong guess"});
                    let r = client
                        .post(format!("{base}/api/v1/auth/login"))
                        .json(&body)
                        .send()
                        .await;
                    count(&tally, "log-in", r.ok().map(|r| r.status().as_u16()));
                });
            }
        }));
    }
    let probes = {
        let (client, base) = (client.clone(), base.clone());
        tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut failed = 0;
            while Instant::now() < until {
                let started = Instant::now();
                match client.get(format!("{base}/healthz")).send().await {
                    Ok(r) if r.status().is_success() => {
                        latencies.push(started.elapsed().as_secs_f64() * 1000.0)
                    }
                    _ => failed += 1,
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            (latencies, failed)
        })
    };
    for t in tasks {
        t.await.unwrap();
    }
    let (mut latencies, failed) = probes.await.unwrap();
    // Let the last log-ins sent come back before reading the peak.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let peak = peak_rss_mib(pid);
    latencies.sort_by(f64::total_cmp);
    let p50 = percentile(&latencies, 0.5);
    let p99 = percentile(&latencies, 0.99);
    let max = latencies.last().copied().unwrap_or(0.0);
    println!(
        "flood: {SIGNUP_CLIENTS} parallel sign-up clients + {BAD_LOGINS_PER_SECOND} bad log-ins/s for {seconds} s against `stint serve` (SQLite)"
    );
    for (what, n) in tally.lock().unwrap().iter() {
        println!("flood: answered {what}: {n}");
    }
    println!(
        "flood: server peak RSS {peak:.0} MiB (idle {idle_rss:.0} MiB; goal <= {RSS_GOAL_MIB:.0}) {}",
        if peak <= RSS_GOAL_MIB {
            "met"
        } else {
            "MISSED"
        }
    );
    println!(
        "flood: GET /healthz p50 {p50:.1} ms, p99 {p99:.1} ms, max {max:.1} ms over {} probes, {failed} failed (goal p99 <= {HEALTHZ_P99_GOAL_MS:.0} ms) {}",
        latencies.len(),
        if p99 <= HEALTHZ_P99_GOAL_MS && failed == 0 {
            "met"
        } else {
            "MISSED"
        }
    );
    drop(server);
}
