//! Benchmark set-up shared by `booking` and `burst`: mentors of one session type open by the
//! rules given (around the clock in `burst`; weekday hours in several zones with buffers and
//! caps in `booking`), each with the free starts a benchmark books, and clients with credits.
//! Included with `#[path]`.

use jiff::{SignedDuration, Timestamp};
use std::sync::Arc;
use stint_domain::account::{Email, NewAccount, TimeZoneName};
use stint_domain::mentor::MentorProfileInput;
use stint_domain::role::Role;
use stint_domain::schedule::{Availability, SlotQuery, slots};
use stint_store::Store;

/// How a benchmark picks each mentor's starts among their free times.
#[allow(dead_code)] // Each benchmark includes this file and uses one of them.
#[derive(Clone, Copy)]
pub enum Starts {
    /// Every other slot: for mentors open around the clock without caps.
    EveryOther,
    /// Four a day two hours apart (20 a week on weekdays): within the default caps (6 a day,
    /// 20 a week, 3 in a row) and clear of the 10-minute buffer.
    FourADay,
}

/// `count` mentors (`{prefix}-mentor-{i}@example.com`, in their rules' zone) delivering `sku`
/// (20 minutes) by `rules_of(i)`, each with `per_mentor` starts picked by `starts` in the 30
/// days from two hours after `now`.
pub async fn open_mentors(
    store: &Arc<dyn Store>,
    (prefix, count, per_mentor): (&str, usize, usize),
    (sku, rules_of): (&str, &dyn Fn(usize) -> Availability),
    starts: Starts,
    (hash, now): (&str, Timestamp),
) -> Vec<(i64, Vec<Timestamp>)> {
    let mut plan = Vec::new();
    for i in 0..count {
        let rules = rules_of(i);
        let zone = TimeZoneName::parse(&rules.timezone).expect("zone");
        let tz = zone.tz();
        let new = NewAccount {
            email: Email::parse(&format!("{prefix}-mentor-{i}@example.com")).expect("email"),
            display_name: format!("Mentor {i}"),
            timezone: zone,
            roles: vec![Role::Mentor],
        };
        let a = store.create_account(&new, hash, now).await.expect("mentor");
        never_quiet(store, a.id, now).await;
        let profile = MentorProfileInput {
            headline: "Bench mentor".into(),
            bio: String::new(),
            meeting_url: String::new(),
            skus: vec![sku.into()],
            ..Default::default()
        };
        store
            .save_mentor_profile(a.id, &profile, now)
            .await
            .expect("profile");
        store
            .save_availability(a.id, &rules, now)
            .await
            .expect("rules");
        let from = now
            .checked_add(SignedDuration::from_hours(2))
            .expect("time");
        let q = SlotQuery {
            duration_minutes: 20,
            from,
            to: from
                .checked_add(SignedDuration::from_hours(24 * 30))
                .expect("time"),
            now,
        };
        let free = slots(&rules, &tz, &[], &q);
        let picked: Vec<Timestamp> = match starts {
            Starts::EveryOther => free.iter().step_by(2).map(|s| s.start).collect(),
            Starts::FourADay => {
                let mut per_day: std::collections::BTreeMap<_, Vec<Timestamp>> = Default::default();
                for s in &free {
                    let day = s.start.to_zoned_datetime(tz.clone()).date();
                    let mine = per_day.entry(day).or_default();
                    let apart = mine.last().is_none_or(|last| {
                        s.start.duration_since(*last) >= SignedDuration::from_hours(2)
                    });
                    if mine.len() < 4 && apart {
                        mine.push(s.start);
                    }
                }
                per_day.into_values().flatten().collect()
            }
        };
        let picked: Vec<Timestamp> = picked.into_iter().take(per_mentor).collect();
        assert_eq!(
            picked.len(),
            per_mentor,
            "mentor {i} has too few free starts"
        );
        plan.push((a.id.0, picked));
    }
    plan
}

/// No quiet hours for `user`: every confirmation is due at once, whatever the hour the
/// benchmark runs at (the default, 22:00–07:00 in their zone, would hold some overnight).
async fn never_quiet(store: &Arc<dyn Store>, user: stint_domain::ids::UserId, now: Timestamp) {
    let mut prefs = store.nudge_prefs(user).await.expect("prefs");
    prefs.quiet = None;
    store
        .save_nudge_prefs(user, &prefs, now)
        .await
        .expect("prefs");
}

/// `count` mentees (`{prefix}-client-{c}@example.com`) with `credits` each.
pub async fn funded_clients(
    store: &Arc<dyn Store>,
    prefix: &str,
    count: usize,
    credits: i64,
    (hash, now): (&str, Timestamp),
) {
    for c in 0..count {
        let new = NewAccount {
            email: Email::parse(&format!("{prefix}-client-{c}@example.com")).expect("email"),
            display_name: format!("Client {c}"),
            timezone: TimeZoneName::parse("UTC").expect("utc"),
            roles: vec![Role::Mentee],
        };
        let client = store.create_account(&new, hash, now).await.expect("client");
        stint_store::testing::fund(store.as_ref(), client.id, credits, now)
            .await
            .expect("credits");
        never_quiet(store, client.id, now).await;
    }
}

/// Round-robin over mentors: at any moment the clients book different mentors, as many
/// mentees booking many mentors would.
pub fn round_robin(plan: &[(i64, Vec<Timestamp>)]) -> Vec<(i64, Timestamp)> {
    let longest = plan.iter().map(|(_, s)| s.len()).max().unwrap_or(0);
    (0..longest)
        .flat_map(|i| {
            plan.iter()
                .filter_map(move |(m, starts)| starts.get(i).map(|s| (*m, *s)))
        })
        .collect()
}

/// An API token for each of the `count` clients of [`funded_clients`], logged in over HTTP.
pub async fn client_tokens(
    http: &reqwest::Client,
    base: &str,
    prefix: &str,
    (count, password): (usize, &str),
) -> Vec<String> {
    let mut tokens = Vec::new();
    for c in 0..count {
        let r: serde_json::Value = http
            .post(format!("{base}/api/v1/auth/login"))
            .json(&serde_json::json!({"email": format!("{prefix}-client-{c}@example.com"), "password": password}))
            .send()
            .await
            .expect("login")
            .json()
            .await
            .expect("token");
        tokens.push(r["token"].as_str().unwrap_or_default().to_string());
    }
    tokens
}

/// The server as `stint serve` runs it, the job worker inside, on `store`, listening on a
/// free port: its address, and the folder its e-mails are written to (kept while it lives).
pub async fn serve_with_worker(
    store: &Arc<dyn Store>,
) -> (std::net::SocketAddr, tempfile::TempDir) {
    use stint_domain::clock::{Clock, SystemClock};
    let outbox = tempfile::tempdir().expect("outbox");
    let mut config = stint_server::config::Config::default();
    config.mail.outbox_dir = outbox.path().to_path_buf();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    config.listen = addr.to_string();
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let state = stint_server::state(&config, store.clone(), clock.clone());
    let worker = stint_server::worker::build(store.clone(), clock, &config).expect("worker");
    tokio::spawn(stint_server::serve_with_worker(
        listener,
        state,
        Some(worker),
        std::future::pending(),
    ));
    (addr, outbox)
}

/// Waits until no queued job is due (the worker has caught up), or until `limit` has passed;
/// how long it took.
pub async fn caught_up(store: &Arc<dyn Store>, limit: std::time::Duration) -> std::time::Duration {
    use stint_domain::clock::{Clock, SystemClock};
    let started = std::time::Instant::now();
    while started.elapsed() < limit {
        let due = store.next_due().await.expect("next due");
        if due.is_none_or(|at| at > SystemClock.now()) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    started.elapsed()
}

/// Client `c`'s share of `work` when `clients` split it in turn, each with its place in the
/// whole (for pacing and idempotency keys).
pub fn share_of<T: Copy>(work: &[T], c: usize, clients: usize) -> Vec<(usize, T)> {
    work.iter()
        .copied()
        .enumerate()
        .skip(c)
        .step_by(clients)
        .collect()
}

/// Books `start` with `mentor` (the 20-minute session type) over HTTP as the client of
/// `token`, with the idempotency key `key`; fails the benchmark unless it is booked (201).
pub async fn book(
    http: &reqwest::Client,
    (base, token): (&str, &str),
    key: &str,
    (mentor, start): (i64, Timestamp),
) -> serde_json::Value {
    let r = http
        .post(format!("{base}/api/v1/bookings"))
        .bearer_auth(token)
        .header("Idempotency-Key", key)
        .json(&serde_json::json!({"sku": "technical-triage-20", "mentor_id": mentor, "start": start.to_string()}))
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap_or_default());
    r.json().await.expect("a booking")
}
