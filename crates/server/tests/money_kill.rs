//! A kill -9 campaign under mixed money load: `stint serve --demo` is killed (SIGKILL) at a
//! random moment while clients buy credits (demo top-ups, and invoices an operator marks
//! paid), book sessions that hold their price, cancel them and have purchases refunded; then
//! `stint ledger verify` runs as its own process and must find the ledger sound, and every
//! purchase, booking, cancel and refund a client was told succeeded must be there. The server
//! is restarted and the next cycle begins, on the same database.
//!
//! `STINT_KILL_CYCLES` sets the cycles per backend (default 120: 240 kills in all with
//! PostgreSQL). PostgreSQL runs when `STINT_TEST_POSTGRES_URL` is set (required with
//! `CI=true`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/process.rs"]
mod process;

#[path = "support/always_open.rs"]
mod always_open;
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use stint_domain::account::{Email, NewAccount, TimeZoneName};
use stint_domain::clock::Clock;
use stint_domain::mentor::MentorProfileInput;
use stint_domain::role::Role;
use stint_domain::schedule::{SlotQuery, slots};
use stint_store::Store;

const MENTORS: usize = 8;
const MENTEES: usize = 4;
const PASSWORD: &str = "kill campaign passphrase";
const SKU: &str = "technical-triage-20";

fn cycles() -> usize {
    std::env::var("STINT_KILL_CYCLES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(120)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_killed_under_money_load_loses_nothing_acknowledged() {
    let db = stint_store::testing::fresh_sqlite();
    campaign(db.url(), cycles()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(peer_postgres),
    ignore = "needs PostgreSQL: set STINT_TEST_POSTGRES_URL"
)]
async fn postgres_killed_under_money_load_loses_nothing_acknowledged() {
    stint_testkit::require(stint_testkit::Peer::Postgres);
    let db = stint_store::testing::fresh_postgres().await;
    campaign(db.url(), cycles()).await;
}

/// What clients were told succeeded.
#[derive(Default, Clone)]
struct Acked {
    paid: BTreeSet<i64>,
    /// Booking id → the mentee (index) who made it.
    booked: BTreeMap<i64, usize>,
    cancelled: BTreeSet<i64>,
    refunds: BTreeSet<i64>,
}

/// The demo, plus mentors open around the clock and funded mentees; the slots to book.
async fn setup(store: &Arc<dyn Store>) -> Vec<(i64, Timestamp)> {
    let now = stint_domain::clock::SystemClock.now();
    stint_server::demo::load(store, now).await.unwrap();
    let hash = stint_app::auth::password::hash(PASSWORD.into())
        .await
        .unwrap();
    let rules = always_open::always_open("UTC");
    let tz = TimeZoneName::parse("UTC").unwrap().tz();
    let account = |email: String, role: Role| NewAccount {
        email: Email::parse(&email).unwrap(),
        display_name: email.clone(),
        timezone: TimeZoneName::parse("UTC").unwrap(),
        roles: vec![role],
    };
    let mut plan = Vec::new();
    for i in 0..MENTORS {
        let a = store
            .create_account(
                &account(format!("kill-mentor-{i}@example.com"), Role::Mentor),
                &hash,
                now,
            )
            .await
            .unwrap();
        let profile = MentorProfileInput {
            headline: "Always open".into(),
            bio: String::new(),
            meeting_url: String::new(),
            skus: vec![SKU.into()],
            ..Default::default()
        };
        store
            .save_mentor_profile(a.id, &profile, now)
            .await
            .unwrap();
        store.save_availability(a.id, &rules, now).await.unwrap();
        let from = now + SignedDuration::from_hours(48);
        let q = SlotQuery {
            duration_minutes: 20,
            from,
            to: from + SignedDuration::from_hours(24 * 300),
            now,
        };
        for s in slots(&rules, &tz, &[], &q).into_iter().step_by(2) {
            plan.push((a.id.0, s.start));
        }
    }
    for i in 0..MENTEES {
        let a = store
            .create_account(
                &account(format!("kill-mentee-{i}@example.com"), Role::Mentee),
                &hash,
                now,
            )
            .await
            .unwrap();
        stint_store::testing::fund(store.as_ref(), a.id, 2_000, now)
            .await
            .unwrap();
    }
    fastrand::Rng::with_seed(7).shuffle(&mut plan);
    plan
}

/// `stint serve --demo` on `db` (the demo is loaded already, so it only offers the top-up).
fn serve(db: &str) -> process::Server {
    process::serve_with(db, &["--demo"])
}

async fn login(http: &reqwest::Client, base: &str, email: &str, password: &str) -> String {
    let r: Value = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    r["token"].as_str().expect("a token").to_string()
}

struct Load {
    http: reqwest::Client,
    base: String,
    mentees: Vec<String>,
    op: String,
    packs: Vec<i64>,
    slots: Arc<Mutex<Vec<(i64, Timestamp)>>>,
    acked: Arc<Mutex<Acked>>,
}

impl Load {
    /// One random step as mentee `i`; what the server acknowledged is recorded.
    async fn step(&self, i: usize, rng: &mut fastrand::Rng) {
        let me = &self.mentees[i];
        let post = |path: String, token: &str, body: Value| {
            self.http
                .post(format!("{}{path}", self.base))
                .bearer_auth(token)
                .json(&body)
                .send()
        };
        match rng.u32(..100) {
            0..=24 => {
                let pack = self.packs[rng.usize(..self.packs.len())];
                let body = json!({"pack_id": pack, "provider": "demo"});
                if let Ok(r) = post("/api/v1/purchases".into(), me, body).await
                    && r.status() == 201
                    && let Ok(p) = r.json::<Value>().await
                {
                    assert_eq!(p["state"], "paid");
                    self.acked
                        .lock()
                        .unwrap()
                        .paid
                        .insert(p["id"].as_i64().unwrap());
                }
            }
            25..=39 => {
                let pack = self.packs[rng.usize(..self.packs.len())];
                let Ok(r) = post("/api/v1/purchases".into(), me, json!({"pack_id": pack})).await
                else {
                    return;
                };
                let Ok(p) = r.json::<Value>().await else {
                    return;
                };
                let Some(id) = p["id"].as_i64() else { return };
                let path = format!("/api/v1/operator/purchases/{id}/paid");
                if let Ok(r) = post(path, &self.op, json!({"reference": "BANK"})).await
                    && r.status() == 200
                {
                    self.acked.lock().unwrap().paid.insert(id);
                }
            }
            40..=79 => {
                let Some((mentor, start)) = self.slots.lock().unwrap().pop() else {
                    return;
                };
                let body = json!({"sku": SKU, "mentor_id": mentor, "start": start.to_string()});
                if let Ok(r) = post("/api/v1/bookings".into(), me, body).await
                    && r.status() == 201
                    && let Ok(b) = r.json::<Value>().await
                {
                    self.acked
                        .lock()
                        .unwrap()
                        .booked
                        .insert(b["id"].as_i64().unwrap(), i);
                }
            }
            80..=89 => {
                let pick = {
                    let a = self.acked.lock().unwrap();
                    let mine: Vec<i64> = a
                        .booked
                        .iter()
                        .filter(|(id, who)| **who == i && !a.cancelled.contains(id))
                        .map(|(id, _)| *id)
                        .collect();
                    (!mine.is_empty()).then(|| mine[rng.usize(..mine.len())])
                };
                let Some(id) = pick else { return };
                let path = format!("/api/v1/bookings/{id}/cancel");
                if let Ok(r) = post(path, me, json!({"reason": "campaign"})).await
                    && r.status() == 200
                {
                    self.acked.lock().unwrap().cancelled.insert(id);
                }
            }
            _ => {
                let pick = {
                    let a = self.acked.lock().unwrap();
                    let paid: Vec<i64> = a.paid.iter().copied().collect();
                    (!paid.is_empty()).then(|| paid[rng.usize(..paid.len())])
                };
                let Some(id) = pick else { return };
                let path = format!("/api/v1/operator/purchases/{id}/refunds");
                let body = json!({"credits": 1, "reason": "campaign"});
                if let Ok(r) = post(path, &self.op, body).await
                    && r.status() == 201
                    && let Ok(a) = r.json::<Value>().await
                {
                    self.acked
                        .lock()
                        .unwrap()
                        .refunds
                        .insert(a["id"].as_i64().unwrap());
                }
            }
        }
    }
}

/// `stint ledger verify` as its own process: sound, or the test fails with what it said.
fn verify(db: &str, cycle: usize) {
    let out = process::stint(db)
        .args(["ledger", "verify"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "cycle {cycle}: stint ledger verify: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Everything acknowledged is in the database.
async fn nothing_lost(store: &Arc<dyn Store>, acked: &Acked, cycle: usize) {
    for id in &acked.paid {
        let p = store
            .purchase(*id)
            .await
            .unwrap()
            .expect("an acknowledged purchase");
        assert_eq!(
            p.state,
            stint_store::money::PurchaseState::Paid,
            "cycle {cycle}: purchase {id}"
        );
    }
    for id in acked.booked.keys() {
        let b = store
            .booking(stint_domain::booking::BookingId(*id))
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("cycle {cycle}: acknowledged booking {id} is gone"));
        if acked.cancelled.contains(id) {
            assert_eq!(
                b.status,
                stint_domain::booking::BookingStatus::Cancelled,
                "cycle {cycle}: booking {id}"
            );
        }
    }
    let refunds: BTreeSet<i64> = store
        .adjustments(1_000_000)
        .await
        .unwrap()
        .iter()
        .map(|a| a.id)
        .collect();
    for id in &acked.refunds {
        assert!(refunds.contains(id), "cycle {cycle}: refund {id} is gone");
    }
}

async fn campaign(db: &str, cycles: usize) {
    let store = stint_store::open(db).await.unwrap();
    let plan = setup(&store).await;
    let slots = Arc::new(Mutex::new(plan));
    let acked = Arc::new(Mutex::new(Acked::default()));
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let mut rng = fastrand::Rng::with_seed(20_261_205);
    let mut tokens: Option<(Vec<String>, String, Vec<i64>)> = None;
    let mut kills = 0;
    for cycle in 0..cycles {
        let mut server = serve(db);
        let base = server.base.clone();
        let (mentees, op, packs) = match &tokens {
            Some(t) => t.clone(),
            None => {
                let mut mentees = Vec::new();
                for i in 0..MENTEES {
                    let email = format!("kill-mentee-{i}@example.com");
                    mentees.push(login(&http, &base, &email, PASSWORD).await);
                }
                let op = login(
                    &http,
                    &base,
                    "operator@stint.example",
                    stint_server::demo::DEMO_PASSWORD,
                )
                .await;
                let list: Value = http
                    .get(format!("{base}/api/v1/packs"))
                    .bearer_auth(&op)
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                let packs = list
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| p["id"].as_i64().unwrap())
                    .collect();
                tokens = Some((mentees.clone(), op.clone(), packs));
                tokens.clone().unwrap()
            }
        };
        let load = Arc::new(Load {
            http: http.clone(),
            base,
            mentees,
            op,
            packs,
            slots: slots.clone(),
            acked: acked.clone(),
        });
        let mut clients = Vec::new();
        for i in 0..MENTEES {
            let load = load.clone();
            let seed = rng.u64(..);
            clients.push(tokio::spawn(async move {
                let mut rng = fastrand::Rng::with_seed(seed);
                loop {
                    load.step(i, &mut rng).await;
                }
            }));
        }
        tokio::time::sleep(Duration::from_millis(rng.u64(80..400))).await;
        server.child.kill().unwrap();
        server.child.wait().unwrap();
        kills += 1;
        for c in &clients {
            c.abort();
        }
        for c in clients {
            let _ = c.await;
        }
        verify(db, cycle);
        let seen = acked.lock().unwrap().clone();
        nothing_lost(&store, &seen, cycle).await;
    }
    let a = acked.lock().unwrap().clone();
    eprintln!(
        "{kills} kills: {} purchases paid, {} bookings ({} cancelled), {} refunds acknowledged, none lost",
        a.paid.len(),
        a.booked.len(),
        a.cancelled.len(),
        a.refunds.len()
    );
    // A check that the load ran at all, not a throughput figure: on a busy machine a cycle
    // may see no purchase or booking acknowledged before its kill (a CI run once saw 53
    // bookings in 120 cycles), so only the sum is held to a floor and each kind to being seen.
    assert!(
        a.paid.len() + a.booked.len() > cycles / 2 && !a.paid.is_empty() && !a.booked.is_empty(),
        "the load did little"
    );
}
