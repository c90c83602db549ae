//! The sponsor tests' shared steps: the demo's Acme Corp and its admin, a second
//! organisation with its own admin, and free slots for several bookings at once.

use super::App;
use reqwest::StatusCode;
use serde_json::{Value, json};
use stint_server::demo::DEMO_PASSWORD;

/// The demo organisation's id.
pub async fn acme(app: &App) -> i64 {
    app.store.orgs().await.unwrap()[0].id.0
}

/// A token of Acme's admin.
pub async fn admin(app: &App) -> String {
    app.login("sponsor@acme.example", DEMO_PASSWORD).await
}

/// A second organisation, Globex, with its own admin: its id and the admin's token.
pub async fn globex(app: &App) -> (i64, String) {
    super::make_mentee_unfunded(app, "boss@globex.example", "Globex Boss").await;
    let op = app.operator().await;
    let r = app
        .post(
            "/api/v1/operator/orgs",
            Some(&op),
            json!({"name": "Globex", "admin_email": "boss@globex.example"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let org: Value = r.json().await.unwrap();
    (
        org["id"].as_i64().unwrap(),
        app.login("boss@globex.example", "a long passphrase").await,
    )
}

/// A slot of `slots` at least two hours from each of `taken` with the same mentor.
pub fn free_slot<'a>(slots: &'a [Value], taken: &[&Value]) -> &'a Value {
    let at = |v: &Value| {
        v["start"]
            .as_str()
            .unwrap()
            .parse::<jiff::Timestamp>()
            .unwrap()
    };
    slots
        .iter()
        .find(|s| {
            taken.iter().all(|t| {
                t["mentor_id"] != s["mentor_id"]
                    || (at(t) - at(s)).abs() >= jiff::SignedDuration::from_hours(2)
            })
        })
        .unwrap()
}
