//! Notes and intake answers sealed at rest, on both backends: what a mentee writes reads back
//! through the API, yet a raw look at the database (the SQLite file and its log, a PostgreSQL
//! dump) shows none of it. A wrong or missing key stops start-up with a clear error and
//! changes nothing; `stint keys rotate` re-seals everything under a new key, after which the
//! old key alone no longer opens it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod common;

use common::{App, TEST_DATA_KEY};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::sync::Arc;
use stint_app::keys::KeyProblem;
use stint_app::{CalendarKey, DataKeys};
use stint_server::demo::DEMO_PASSWORD;

on_both_backends!(App, url;
    notes_and_answers_are_sealed_and_a_rotation_moves_them_to_the_new_key,
);

const SKU: &str = "negotiation-clinic-45";
const NEW_KEY: &str = "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf";

fn key(hex: &str) -> CalendarKey {
    CalendarKey::parse(hex).unwrap()
}

/// The application on the test's store with `keys`.
fn with_keys(app: &App, keys: Option<DataKeys>) -> stint_app::App {
    stint_app::App::new(
        app.store.clone(),
        app.clock.clone(),
        stint_app::Settings {
            data_keys: keys.map(Arc::new),
            ..Default::default()
        },
    )
}

fn holds(bytes: &[u8], needle: &str) -> bool {
    bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
}

async fn notes_and_answers_are_sealed_and_a_rotation_moves_them_to_the_new_key(
    app: App,
    url: String,
) {
    let sam = app.login("sam@stint.example", DEMO_PASSWORD).await;
    let slots = app.slots_in_days(SKU, 3, 10).await;
    let r = app
        .post(
            "/api/v1/bookings",
            Some(&sam),
            json!({"sku": SKU, "mentor_id": slots[0]["mentor_id"], "start": slots[0]["start"]}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let r = app
        .put(
            &format!("/api/v1/bookings/{id}/prep"),
            Some(&sam),
            json!({"intake_answers": ["CANARY-secret-answer"]}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    let r = app
        .put(
            &format!("/api/v1/bookings/{id}/notes/mentee_private"),
            Some(&sam),
            json!({"body": "CANARY-secret-note about **my** raise"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());

    // Read back through the API as typed; the database holds neither.
    let outcome = app
        .get(&format!("/api/v1/bookings/{id}/outcome"), Some(&sam))
        .await
        .text()
        .await
        .unwrap();
    assert!(outcome.contains("CANARY-secret-answer"), "{outcome}");
    assert!(outcome.contains("CANARY-secret-note"), "{outcome}");
    let raw = common::database_bytes(&url).await;
    for canary in [
        "CANARY-secret-answer",
        "CANARY-secret-note",
        "my</strong> raise",
    ] {
        assert!(!holds(&raw, canary), "{canary} in the database");
    }

    // A wrong key, or none: start-up is refused, naming the key the data needs.
    let test_keys = DataKeys::new(key(TEST_DATA_KEY), Vec::new());
    let test_id = test_keys.current_id().to_string();
    let wrong = with_keys(&app, Some(DataKeys::new(key(NEW_KEY), Vec::new())));
    match stint_app::keys::check(&wrong).await.unwrap() {
        Err(KeyProblem::Unknown { id, .. }) => assert_eq!(id, test_id),
        other => panic!("a wrong key must be refused: {other:?}"),
    }
    let none = with_keys(&app, None);
    assert_eq!(
        stint_app::keys::check(&none).await.unwrap(),
        Err(KeyProblem::Missing(test_id.clone()))
    );
    // The same through the program: `stint worker` with a wrong key stops at once.
    let out = tokio::task::spawn_blocking({
        let url = url.clone();
        move || {
            std::process::Command::new(env!("CARGO_BIN_EXE_stint"))
                .arg("worker")
                .env_remove("STINT_CONFIG")
                .env("STINT_DATABASE_URL", &url)
                .env("STINT_DATA_KEY", NEW_KEY)
                .env("STINT_LOG", "warn")
                .output()
                .unwrap()
        }
    })
    .await
    .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("sealed with data key {test_id}"))
            && stderr.contains("Nothing was changed"),
        "{stderr}"
    );
    assert!(!stderr.contains(NEW_KEY), "the key itself is never printed");

    // Rotation: the new key current, the old one previous, while the server still runs.
    let rotating = with_keys(
        &app,
        Some(DataKeys::new(key(NEW_KEY), vec![key(TEST_DATA_KEY)])),
    );
    let done = stint_app::keys::rotate(&rotating, &|_| {}).await.unwrap();
    assert!(done.notes >= 1 && done.preps >= 1, "{done:?}");
    // Again: nothing left to do.
    assert_eq!(
        stint_app::keys::rotate(&rotating, &|_| {}).await.unwrap(),
        stint_app::keys::Rotated::default()
    );
    let new_only = with_keys(&app, Some(DataKeys::new(key(NEW_KEY), Vec::new())));
    assert_eq!(stint_app::keys::check(&new_only).await.unwrap(), Ok(()));
    assert!(matches!(
        stint_app::keys::check(&with_keys(&app, Some(test_keys)))
            .await
            .unwrap(),
        Err(KeyProblem::Unknown { .. })
    ));
    let me = app
        .store
        .account_by_email("sam@stint.example")
        .await
        .unwrap()
        .unwrap();
    let doc = stint_app::export::document(&new_only, &me, &stint_app::export::Progress::Silent)
        .await
        .unwrap()
        .to_string();
    assert!(doc.contains("CANARY-secret-answer") && doc.contains("CANARY-secret-note"));
    let raw = common::database_bytes(&url).await;
    assert!(!holds(&raw, "CANARY-secret-note"));
}
