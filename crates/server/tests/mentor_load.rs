//! Load and burnout signals, on both backends: sessions left unclosed a day after they end
//! count as closed late in the mentor's week, the dashboard says so with a suggestion, and
//! three in two weeks put the mentor on the operators' at-risk list (and nobody else).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod common;

use common::App;
use common::queue::travel_to;
use reqwest::StatusCode;
use serde_json::{Value, json};
use stint_server::demo::DEMO_PASSWORD;

on_both_backends!(App;
    late_closings_reach_the_mentor_and_the_operators,
);

const SKU: &str = "career-pivot-30";

async fn late_closings_reach_the_mentor_and_the_operators(app: App) {
    let maya_id = app.id_of("maya@stint.example").await;
    // Three of Maya's sessions this week (the test week starts Monday 1 June), hours apart.
    let mut starts: Vec<jiff::Timestamp> = Vec::new();
    for s in app.slots_in_days(SKU, 1, 4).await {
        if s["mentor_id"].as_i64() != Some(maya_id) {
            continue;
        }
        let t: jiff::Timestamp = s["start"].as_str().unwrap().parse().unwrap();
        if starts
            .last()
            .is_none_or(|l| t.duration_since(*l).as_hours() >= 3)
        {
            starts.push(t);
        }
        if starts.len() == 3 {
            break;
        }
    }
    assert_eq!(starts.len(), 3, "three slots of Maya's");
    for (t, email) in starts.iter().zip(["sam", "lena", "noor"]) {
        let token = app
            .login(&format!("{email}@stint.example"), DEMO_PASSWORD)
            .await;
        let r = app
            .post(
                "/api/v1/bookings",
                Some(&token),
                json!({"sku": SKU, "mentor_id": maya_id, "start": t.to_string()}),
            )
            .await;
        assert_eq!(
            r.status(),
            StatusCode::CREATED,
            "{}",
            r.text().await.unwrap()
        );
    }

    // A day and a half after the last one ends, none is closed.
    let last_end = starts[2] + jiff::SignedDuration::from_mins(30);
    travel_to(&app, last_end + jiff::SignedDuration::from_hours(36));
    let maya = app.login("maya@stint.example", DEMO_PASSWORD).await;
    let load: Value = app
        .get("/api/v1/mentors/me/load", Some(&maya))
        .await
        .json()
        .await
        .unwrap();
    let week = &load["weeks"][7];
    assert_eq!(week["week"], "2026-06-01", "{load}");
    assert_eq!(week["sessions"], 3, "{load}");
    assert_eq!(week["late_closings"], 3, "{load}");
    assert!(
        load["suggestions"][0]
            .as_str()
            .unwrap()
            .starts_with("You closed 3 sessions late this week"),
        "{load}"
    );
    assert_eq!(load["weeks"].as_array().unwrap().len(), 8);

    // Mentees and operators have no load of their own to read.
    let sam = app.login("sam@stint.example", DEMO_PASSWORD).await;
    let r = app.get("/api/v1/mentors/me/load", Some(&sam)).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = app
        .get("/api/v1/operator/mentors/at-risk", Some(&maya))
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // Operators see Maya at risk, and only her.
    let op = app.operator().await;
    let risky: Value = app
        .get("/api/v1/operator/mentors/at-risk", Some(&op))
        .await
        .json()
        .await
        .unwrap();
    let ids: Vec<i64> = risky
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["mentor_id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![maya_id], "{risky}");
    assert!(
        risky[0]["load"]["risks"][0]
            .as_str()
            .unwrap()
            .contains("3 sessions closed late")
    );

    // The pages say the same.
    let m = common::browser();
    common::log_in(&app, &m, "maya@stint.example").await;
    let (_, body, _) = common::page(&app, &m, "/dashboard").await;
    assert!(
        body.contains("Your load") && body.contains("You closed 3 sessions late this week"),
        "{body}"
    );
    let o = common::browser();
    common::log_in(&app, &o, "operator@stint.example").await;
    let (_, body, _) = common::page(&app, &o, "/operator/mentors").await;
    assert!(
        body.contains("At risk of burning out") && body.contains("3 sessions closed late"),
        "{body}"
    );
}
