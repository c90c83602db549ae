//! How long a wallet with 10,000 ledger entries takes to show, as its owner sees it: the
//! page `/wallet` (logged in through the log-in form) and `GET /api/v1/me/wallet`, over HTTP,
//! on SQLite and (with `STINT_TEST_POSTGRES_URL`) PostgreSQL. Prints p50 and p99 over 200
//! requests each against the target of 20 ms. Run: `cargo bench -p stint --bench wallet`.

// A benchmark is a harness: failing loudly on a broken setup is what it should do.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Instant;
use stint_domain::clock::Clock;
use stint_store::Store;

const ENTRIES: usize = 10_000;
const REQUESTS: usize = 200;
const TARGET_MS: f64 = 20.0;
const EMAIL: &str = "wallet-bench@example.com";
const PASSWORD: &str = "benchmark passphrase";

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len().saturating_sub(1))]
}

/// A mentee whose wallet has `ENTRIES` entries: one large credit, then single-credit
/// corrections taken out of it (an operator's, as the ledger allows), each its own movement.
async fn setup(store: &Arc<dyn Store>) {
    let now = stint_domain::clock::SystemClock.now();
    stint_server::demo::load(store, now).await.expect("demo");
    let hash = stint_app::auth::password::hash(PASSWORD.into())
        .await
        .expect("hash");
    let new = stint_domain::account::NewAccount {
        email: stint_domain::account::Email::parse(EMAIL).expect("email"),
        display_name: "Wallet Bench".into(),
        timezone: stint_domain::account::TimeZoneName::parse("Europe/Berlin").expect("zone"),
        roles: vec![stint_domain::role::Role::Mentee],
    };
    let me = store
        .create_account(&new, &hash, now)
        .await
        .expect("account");
    let op = store
        .account_by_email("operator@stint.example")
        .await
        .expect("read")
        .expect("the demo operator");
    store
        .correct(op.id, me.id, 1_000_000, "benchmark credit", now)
        .await
        .expect("credit");
    let started = Instant::now();
    for _ in 1..ENTRIES {
        store
            .correct(op.id, me.id, -1, "benchmark entry", now)
            .await
            .expect("entry");
    }
    println!(
        "  made {ENTRIES} entries in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

async fn timed(http: &reqwest::Client, url: &str, token: Option<&str>) -> Vec<f64> {
    let mut lat = Vec::with_capacity(REQUESTS);
    for i in 0..REQUESTS + 10 {
        let mut req = http.get(url);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let t = Instant::now();
        let r = req.send().await.expect("request");
        assert_eq!(r.status(), 200, "{url}");
        let body = r.bytes().await.expect("body");
        assert!(!body.is_empty());
        // The first ten warm the caches and connections.
        if i >= 10 {
            lat.push(t.elapsed().as_secs_f64() * 1000.0);
        }
    }
    lat.sort_by(|a, b| a.total_cmp(b));
    lat
}

async fn run(name: &str, url: &str) {
    println!("{name}:");
    let store = stint_store::open(url).await.expect("open");
    setup(&store).await;
    let addr = stint_server::spawn(store.clone()).await.expect("server");
    let base = format!("http://{addr}");
    let api = reqwest::Client::new();
    let login: serde_json::Value = api
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({"email": EMAIL, "password": PASSWORD}))
        .send()
        .await
        .expect("login")
        .json()
        .await
        .expect("token");
    let token = login["token"].as_str().expect("a token").to_string();
    let w: serde_json::Value = api
        .get(format!("{base}/api/v1/me/wallet"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("wallet")
        .json()
        .await
        .expect("json");
    println!(
        "  the wallet: balance {}, {} entries shown of {ENTRIES}",
        w["balance"],
        w["entries"].as_array().map_or(0, Vec::len)
    );
    // The page, as a browser: the log-in form sets the session cookie.
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let form = browser
        .get(format!("{base}/login"))
        .send()
        .await
        .expect("log-in page")
        .text()
        .await
        .expect("html");
    let csrf = form
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a CSRF token")
        .to_string();
    let r = browser
        .post(format!("{base}/login"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", EMAIL),
            ("password", PASSWORD),
            ("next", ""),
        ])
        .send()
        .await
        .expect("log in");
    assert_eq!(r.status(), 303, "log-in");
    for (what, lat) in [
        (
            "GET /api/v1/me/wallet",
            timed(&api, &format!("{base}/api/v1/me/wallet"), Some(&token)).await,
        ),
        (
            "GET /wallet (page)",
            timed(&browser, &format!("{base}/wallet"), None).await,
        ),
    ] {
        let p99 = percentile(&lat, 0.99);
        let verdict = if p99 <= TARGET_MS { "meets" } else { "MISSES" };
        println!(
            "  {what}: p50 {:.2} ms, p99 {p99:.2} ms ({verdict} the target <= {TARGET_MS} ms)",
            percentile(&lat, 0.5)
        );
    }
}

#[tokio::main]
async fn main() {
    let db = stint_store::testing::fresh_sqlite();
    run("sqlite", db.url()).await;
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
