//! Holds through the API, on both backends: booking holds the session's price from the
//! mentee's wallet (402 `insufficient_credits` with the balance, the price and where to buy
//! when it cannot); cancelling and closing move the hold as the frozen policy says, and the
//! mentor's earnings reach them in a payout run (API, CSV and pages);
//! 32 bookings at once from a wallet that pays for three make exactly three, through two
//! nodes. The ledger is checked after each.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod common;

use common::{App, expect_error};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::sync::Arc;
use stint_domain::clock::Clock;
use stint_domain::ledger::Account;
use stint_server::demo::DEMO_PASSWORD;

on_both_backends!(App, url;
    booking_holds_the_price_and_too_few_credits_book_nothing,
    cancels_and_closing_end_the_hold_and_a_payout_run_pays_the_mentor,
    thirty_two_bookings_through_two_nodes_from_a_wallet_for_three_make_three,
);

/// 45 minutes, 45 credits, free cancellation until 24 hours before.
const SKU: &str = "negotiation-clinic-45";
const PRICE: i64 = 45;

async fn wallet(app: &App, token: &str) -> Value {
    let r = app.get("/api/v1/me/wallet", Some(token)).await;
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

/// A mentee made for the test with `credits` in the wallet (none if 0).
async fn mentee_with(app: &App, email: &str, credits: i64) -> (String, stint_domain::ids::UserId) {
    common::make_mentee_unfunded(app, email, "Test Mentee").await;
    let who = app.store.account_by_email(email).await.unwrap().unwrap();
    if credits > 0 {
        stint_store::testing::fund(app.store.as_ref(), who.id, credits, app.clock.now())
            .await
            .unwrap();
    }
    (app.login(email, "a long passphrase").await, who.id)
}

async fn book(app: &App, token: &str, slot: &Value) -> reqwest::Response {
    app.post(
        "/api/v1/bookings",
        Some(token),
        json!({"sku": SKU, "mentor_id": slot["mentor_id"], "start": slot["start"]}),
    )
    .await
}

async fn booked(app: &App, token: &str, slot: &Value) -> i64 {
    let r = book(app, token, slot).await;
    let status = r.status();
    let body: Value = r.json().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["id"].as_i64().unwrap()
}

async fn booking_holds_the_price_and_too_few_credits_book_nothing(app: App, _: String) {
    let slots = app.slots_in_days(SKU, 3, 10).await;
    let (poor, _) = mentee_with(&app, "poor@example.com", PRICE - 1).await;
    let e = expect_error(
        book(&app, &poor, &slots[0]).await,
        StatusCode::PAYMENT_REQUIRED,
        "insufficient_credits",
    )
    .await;
    assert_eq!(
        (e["balance"].as_i64(), e["price"].as_i64()),
        (Some(PRICE - 1), Some(PRICE))
    );
    assert_eq!(e["buy_url"], "/wallet#buy-title");
    let mine: Value = app
        .get("/api/v1/bookings", Some(&poor))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine.as_array().map(Vec::len), Some(0), "nothing booked");
    assert_eq!(wallet(&app, &poor).await["balance"], PRICE - 1);

    let sam = app.login("sam@stint.example", DEMO_PASSWORD).await;
    let before = wallet(&app, &sam).await["balance"].as_i64().unwrap();
    let id = booked(&app, &sam, &slots[0]).await;
    let w = wallet(&app, &sam).await;
    assert_eq!(w["balance"].as_i64().unwrap(), before - PRICE);
    let entry = &w["entries"][0];
    assert_eq!(
        (entry["kind"].as_str(), entry["amount"].as_i64()),
        (Some("hold"), Some(-PRICE))
    );
    assert_eq!(entry["reference"], format!("booking:{id}"));
    // Moving the session keeps its hold.
    let other = slots
        .iter()
        .find(|s| s["mentor_id"] == slots[0]["mentor_id"] && s["start"] != slots[0]["start"])
        .unwrap();
    let r = app
        .post(
            &format!("/api/v1/bookings/{id}/reschedule"),
            Some(&sam),
            json!({"start": other["start"]}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        wallet(&app, &sam).await["balance"].as_i64().unwrap(),
        before - PRICE
    );
    common::ledger_is_sound(&app).await;
}

async fn cancels_and_closing_end_the_hold_and_a_payout_run_pays_the_mentor(app: App, _: String) {
    let fee = stint_app::DEFAULT_PLATFORM_FEE_BASIS_POINTS;
    let (token, mentee) = mentee_with(&app, "hold@example.com", 100).await;
    let held = || app.store.ledger_balance(Account::Held);
    // Far enough ahead that a cancel now is in time.
    let slots = app.slots_in_days(SKU, 4, 12).await;
    let maya = app.login("maya@stint.example", DEMO_PASSWORD).await;
    let maya_id = app
        .store
        .account_by_email("maya@stint.example")
        .await
        .unwrap()
        .unwrap()
        .id;
    let hers: Vec<&Value> = slots
        .iter()
        .filter(|s| s["mentor_id"].as_i64() == Some(maya_id.0))
        .collect();
    // Slots a day apart, so no buffer touches another.
    let mut picked: Vec<&Value> = Vec::new();
    for s in hers {
        let start: jiff::Timestamp = s["start"].as_str().unwrap().parse().unwrap();
        if picked.iter().all(|p| {
            let other: jiff::Timestamp = p["start"].as_str().unwrap().parse().unwrap();
            start.duration_since(other).as_hours().abs() >= 20
        }) {
            picked.push(s);
        }
    }
    assert!(picked.len() >= 3, "three of Maya's days");
    let earnings = Account::Earnings(maya_id);
    let wallet_of = Account::Wallet(mentee);

    // In time: all back.
    let a = booked(&app, &token, picked[0]).await;
    assert_eq!(held().await.unwrap(), PRICE);
    let r = app
        .post(
            &format!("/api/v1/bookings/{a}/cancel"),
            Some(&token),
            json!({"reason": "plans changed"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(app.store.ledger_balance(wallet_of).await.unwrap(), 100);
    assert_eq!(held().await.unwrap(), 0);

    // Late, by the mentee: the policy's share to Maya (less the fee), the rest back.
    let b = booked(&app, &token, picked[1]).await;
    let start: jiff::Timestamp = picked[1]["start"].as_str().unwrap().parse().unwrap();
    app.clock
        .advance(start.duration_since(app.clock.now()) - jiff::SignedDuration::from_hours(2));
    let r = app
        .post(
            &format!("/api/v1/bookings/{b}/cancel"),
            Some(&token),
            json!({"reason": "sick"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let forfeit = stint_domain::ledger::HoldEnd::on_cancel(true, true, 50, fee);
    let to_maya = forfeit
        .transfers(PRICE, wallet_of, maya_id)
        .iter()
        .filter(|t| t.to == earnings)
        .map(|t| t.amount)
        .sum::<i64>();
    assert_eq!(app.store.ledger_balance(earnings).await.unwrap(), to_maya);
    assert_eq!(
        app.store.ledger_balance(wallet_of).await.unwrap(),
        100 - PRICE + forfeit.returned(PRICE)
    );

    // Closed after the session: Maya earns the price less the platform's fee.
    let c = booked(&app, &token, picked[2]).await;
    let start: jiff::Timestamp = picked[2]["start"].as_str().unwrap().parse().unwrap();
    app.clock
        .advance(start.duration_since(app.clock.now()) + jiff::SignedDuration::from_hours(1));
    let close = json!({
        "checkpoint": "reached",
        "evidence": "Named a walk-away number and said it aloud.",
        "followup": "Well done.",
        "tasks": []
    });
    let r = app
        .post(&format!("/api/v1/bookings/{c}/close"), Some(&maya), close)
        .await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    let settle = stint_domain::ledger::fee_split(PRICE, fee);
    assert_eq!(
        app.store.ledger_balance(earnings).await.unwrap(),
        to_maya + settle.mentor
    );
    assert_eq!(held().await.unwrap(), 0);
    common::ledger_is_sound(&app).await;

    // The closing's job tells webhooks the credits were settled, once.
    let op = app.operator().await;
    let r = app
        .post(
            "/api/v1/webhooks",
            Some(&op),
            json!({"url": "https://crm.example/hook", "event_types": ["credits.settled"]}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let handler = stint_jobs::events::OnBookingChanged::new(app.store.clone(), app.clock.clone());
    let jobs = app.store.jobs(None, None, 10_000).await.unwrap();
    let closed_job = jobs
        .iter()
        .filter(|j| j.kind == "booking.changed")
        .find(|j| {
            let p: Value = serde_json::from_str(&j.payload).unwrap();
            p["booking"] == c && p["change"] == "completed"
        })
        .expect("the closing's outbox job");
    for _ in 0..2 {
        stint_worker::Handler::run(&handler, closed_job)
            .await
            .unwrap();
    }
    let message_id = stint_webhooks::message_id_for(&format!("credits.settled:{c}"));
    let message = app
        .store
        .webhook_message(&message_id)
        .await
        .unwrap()
        .expect("the credits.settled event");
    let event: Value = serde_json::from_str(&message.payload).unwrap();
    assert_eq!(
        (
            event["data"]["state"].as_str(),
            event["data"]["price_credits"].as_i64()
        ),
        (Some("settled"), Some(PRICE))
    );

    // Maya's earnings: what she is owed, this month's session, the fee.
    let owed = to_maya + settle.mentor;
    let e = json_of(
        app.get("/api/v1/me/earnings", Some(&maya)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(e["owed"].as_i64(), Some(owed));
    let month = &e["months"][0];
    assert_eq!(month["sessions"], 1);
    assert_eq!(month["earned"].as_i64(), Some(owed));
    assert!(month["fees"].as_i64().unwrap() > 0);
    expect_error(
        app.get("/api/v1/me/earnings", Some(&token)).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;

    // A payout run: not for mentees, never more than owed, then everyone what they are owed.
    let all = json!({});
    expect_error(
        app.post("/api/v1/operator/payout-runs", Some(&token), all.clone())
            .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let too_much = json!({"payouts": [{"mentor_id": maya_id.0, "credits": owed + 1}]});
    let e = expect_error(
        app.post("/api/v1/operator/payout-runs", Some(&op), too_much)
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(
        e["fields"]["payouts[0].credits"]
            .as_str()
            .unwrap()
            .contains(&owed.to_string()),
        "{e}"
    );
    let listed = json_of(
        app.get("/api/v1/operator/payouts", Some(&op)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(listed["owed"][0]["credits"].as_i64(), Some(owed));
    let run = json_of(
        app.post("/api/v1/operator/payout-runs", Some(&op), all.clone())
            .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(run["total"].as_i64(), Some(owed));
    let r = app.get(run["csv_url"].as_str().unwrap(), Some(&op)).await;
    assert_eq!(r.status(), StatusCode::OK);
    let csv = r.text().await.unwrap();
    assert!(
        csv.starts_with("run,payout,mentor_id,name,email,credits,paid_at\n"),
        "{csv}"
    );
    assert!(
        csv.contains(&format!(",maya@stint.example,{owed},")),
        "{csv}"
    );
    assert_eq!(app.store.ledger_balance(earnings).await.unwrap(), 0);
    // Nothing left to pay.
    expect_error(
        app.post("/api/v1/operator/payout-runs", Some(&op), all)
            .await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    let e = json_of(
        app.get("/api/v1/me/earnings", Some(&maya)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(e["owed"], 0);
    assert_eq!(e["months"][0]["paid_out"].as_i64(), Some(owed));

    // The pages.
    let client = common::browser();
    common::log_in(&app, &client, "maya@stint.example").await;
    let (status, body, _) = common::page(&app, &client, "/earnings").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("credits owed to you"), "{body}");
    let client = common::browser();
    common::log_in(&app, &client, "operator@stint.example").await;
    let (status, body, _) = common::page(&app, &client, "/operator/payouts").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains("Nobody is owed anything right now."),
        "{body}"
    );
    assert!(
        body.contains(&format!("/operator/payouts/runs/{}/csv", run["id"])),
        "{body}"
    );
}

async fn json_of(r: reqwest::Response, status: StatusCode) -> Value {
    let got = r.status();
    let body: Value = r.json().await.unwrap();
    assert_eq!(got, status, "{body}");
    body
}

async fn thirty_two_bookings_through_two_nodes_from_a_wallet_for_three_make_three(
    app: App,
    url: String,
) {
    let second = Arc::new(app.another_node(&url).await);
    let (token, mentee) = mentee_with(&app, "three@example.com", 3 * PRICE).await;
    // 32 different times (different mentors and days), so only the wallet stands between them.
    let slots = app.slots_in_days(SKU, 3, 12).await;
    let mut apart: Vec<Value> = Vec::new();
    for s in &slots {
        let start: jiff::Timestamp = s["start"].as_str().unwrap().parse().unwrap();
        let clear = apart.iter().all(|p| {
            let other: jiff::Timestamp = p["start"].as_str().unwrap().parse().unwrap();
            p["mentor_id"] != s["mentor_id"] || start.duration_since(other).as_hours().abs() >= 2
        });
        if clear {
            apart.push(s.clone());
        }
    }
    assert!(apart.len() >= 32, "{} separate slots", apart.len());
    let app = Arc::new(app);
    let mut tasks = Vec::new();
    for (i, slot) in apart.into_iter().take(32).enumerate() {
        let node = if i % 2 == 0 {
            app.clone()
        } else {
            second.clone()
        };
        let token = token.clone();
        tasks.push(tokio::spawn(async move {
            book(&node, &token, &slot).await.status()
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    let made = statuses
        .iter()
        .filter(|s| **s == StatusCode::CREATED)
        .count();
    assert_eq!(made, 3, "{statuses:?}");
    assert!(
        statuses
            .iter()
            .all(|s| *s == StatusCode::CREATED || *s == StatusCode::PAYMENT_REQUIRED),
        "{statuses:?}"
    );
    assert_eq!(
        app.store
            .ledger_balance(Account::Wallet(mentee))
            .await
            .unwrap(),
        0
    );
    common::ledger_is_sound(&app).await;
}
