//! Several `stint serve` processes on one PostgreSQL database (how Stint runs on more than
//! one machine): clients racing for one slot through different processes get exactly one
//! booking. Needs `STINT_TEST_POSTGRES_URL`: ignored without it, except with `CI=true`, where
//! it fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::{Value, json};
use stint_domain::clock::Clock;

#[path = "support/process.rs"]
mod process;
use process::{Server, serve, stint};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(peer_postgres),
    ignore = "needs PostgreSQL: set STINT_TEST_POSTGRES_URL"
)]
async fn clients_racing_through_three_processes_get_one_booking() {
    // Declared before the servers, so dropped after them.
    let database = stint_store::testing::fresh_postgres().await;
    let db = database.url();
    let demo = stint(db).arg("demo").output().unwrap();
    assert!(
        demo.status.success(),
        "{}",
        String::from_utf8_lossy(&demo.stderr)
    );
    let servers: Vec<Server> = (0..3).map(|_| serve(db)).collect();
    let http = reqwest::Client::new();

    let today = stint_domain::clock::SystemClock
        .now()
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .date();
    let day = |n: i64| {
        today
            .checked_add(jiff::SignedDuration::from_hours(24 * n))
            .unwrap()
            .to_string()
    };
    let slots: Value = http
        .get(format!(
            "{}/api/v1/skus/negotiation-clinic-45/slots?from={}&to={}&tz=UTC",
            servers[0].base,
            day(2),
            day(9)
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let slot = slots["slots"][0].clone();
    assert!(slot.is_object(), "{slots}");

    // The mentees' accounts are made straight in the database: signing up is not what is
    // tested here (it waits for a mailed link).
    let store = stint_store::open(db).await.unwrap();
    let hash = stint_app::auth::password::hash("a long passphrase".to_string())
        .await
        .unwrap();
    let mut tokens = Vec::new();
    for i in 0..15 {
        let base = &servers[i % 3].base;
        let email = format!("proc{i}@example.com");
        let new = stint_domain::account::SignupInput {
            email: email.clone(),
            password: "a long passphrase".to_string(),
            display_name: format!("P {i}"),
            timezone: "UTC".to_string(),
        }
        .validate()
        .unwrap();
        let made = store
            .create_account(&new, &hash, stint_domain::clock::SystemClock.now())
            .await
            .unwrap();
        stint_store::testing::fund(
            store.as_ref(),
            made.id,
            100,
            stint_domain::clock::SystemClock.now(),
        )
        .await
        .unwrap();
        let login: Value = http
            .post(format!("{base}/api/v1/auth/login"))
            .json(&json!({"email": email, "password": "a long passphrase"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        tokens.push(login["token"].as_str().unwrap().to_string());
    }
    let mut tasks = Vec::new();
    for (i, token) in tokens.into_iter().enumerate() {
        let (http, base, slot) = (http.clone(), servers[i % 3].base.clone(), slot.clone());
        tasks.push(tokio::spawn(async move {
            http.post(format!("{base}/api/v1/bookings"))
                .bearer_auth(token)
                .json(&json!({"sku": "negotiation-clinic-45", "mentor_id": slot["mentor_id"], "start": slot["start"]}))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| *s == 201 || *s == 409),
        "losers get 409: {statuses:?}"
    );
}
