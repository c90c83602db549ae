//! A mentor's dashboard shows their week, on both backends: each session from today to a week
//! on under its day, with what it needs — the mentee's prep not done yet, and once it is over,
//! ready to close — and nothing of anyone else's.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod common;

use common::App;
use jiff::SignedDuration;
use reqwest::StatusCode;
use serde_json::{Value, json};
use stint_domain::clock::Clock;
use stint_server::demo::DEMO_PASSWORD;

on_both_backends!(App;
    a_mentors_week_shows_each_session_and_what_it_needs,
);

const SKU: &str = "negotiation-clinic-45";

async fn a_mentors_week_shows_each_session_and_what_it_needs(app: App) {
    let sam = app.login("sam@stint.example", DEMO_PASSWORD).await;
    let slot = app.slots_in_days(SKU, 2, 5).await[0].clone();
    let r = app
        .post(
            "/api/v1/bookings",
            Some(&sam),
            json!({"sku": SKU, "mentor_id": slot["mentor_id"], "start": slot["start"]}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let booking: Value = r.json().await.unwrap();
    let id = booking["id"].as_i64().unwrap();
    let mentor = app
        .store
        .account(stint_domain::ids::UserId(
            slot["mentor_id"].as_i64().unwrap(),
        ))
        .await
        .unwrap()
        .unwrap();

    let client = common::browser();
    common::log_in(&app, &client, &mentor.email).await;
    let (_, html, _) = common::page(&app, &client, "/dashboard").await;
    assert!(html.contains("Your week"), "{html}");
    assert!(html.contains(&format!("href=\"/sessions/{id}\"")));
    assert!(html.contains("with Sam Okafor"));
    assert!(html.contains("Prep not done yet"));

    // Once the session is over it waits for the mentor to close it.
    let b = app
        .store
        .booking(stint_domain::booking::BookingId(id))
        .await
        .unwrap()
        .unwrap();
    app.clock
        .advance(b.end - app.clock.now() + SignedDuration::from_mins(5));
    let client = common::browser();
    common::log_in(&app, &client, &mentor.email).await;
    let (_, html, _) = common::page(&app, &client, "/dashboard").await;
    assert!(html.contains("Ready to close"), "{html}");

    // A mentee's dashboard has no week; another mentor's does not show this session.
    let client = common::browser();
    common::log_in(&app, &client, "sam@stint.example").await;
    let (_, html, _) = common::page(&app, &client, "/dashboard").await;
    assert!(!html.contains("Your week"));
    let other = if mentor.email == "maya@stint.example" {
        "liam@stint.example"
    } else {
        "maya@stint.example"
    };
    let client = common::browser();
    common::log_in(&app, &client, other).await;
    let (_, html, _) = common::page(&app, &client, "/dashboard").await;
    assert!(!html.contains(&format!("href=\"/sessions/{id}\"")));
}
