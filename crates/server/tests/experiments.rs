//! Experiments on both backends: one per factor at a time; a session closed under a running
//! follow-up-delay experiment opens its follow-up after the mentee's variant's delay (the
//! variant the hash assigns, kept from the first exposure); results count people per
//! variant and show rates and lifts only from five people; ending stops new exposures; only
//! operators start, read and end them, on the API and the pages, and bad input is named.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod common;

use common::{App, expect_error};
use jiff::{SignedDuration, Timestamp};
use reqwest::StatusCode;
use serde_json::{Value, json};
use stint_domain::clock::Clock;
use stint_domain::experiment::assign;
use stint_domain::ids::UserId;
use stint_server::demo::DEMO_PASSWORD;
use stint_store::experiments::Windows;

on_both_backends!(App;
    a_follow_up_delay_experiment_varies_the_delay_by_person_and_reports_lift,
    experiments_refuse_bad_input_and_anyone_but_operators,
);

const SKU: &str = "career-pivot-30";
/// Neither is the demo session type's own delay (7 days), so each is seen to apply.
const DELAYS: [i64; 2] = [10, 3];
const SKU_DELAY: i64 = 7;

fn days(n: i64) -> SignedDuration {
    SignedDuration::from_hours(24 * n)
}

async fn json_of(r: reqwest::Response, status: StatusCode) -> Value {
    let got = r.status();
    let body: Value = r.json().await.unwrap();
    assert_eq!(got, status, "{body}");
    body
}

fn experiment() -> Value {
    json!({
        "name": "Check in sooner",
        "factor": "followup_delay",
        "hypothesis": "A check-in three days after the session is answered more often.",
        "variants": [{"name": "Ten days", "value": DELAYS[0]}, {"name": "Three days", "value": DELAYS[1]}]
    })
}

/// A funded mentee: their token and id.
async fn mentee(app: &App, email: &str) -> (String, UserId) {
    common::make_mentee(app, email, "Experiment Mentee").await;
    let id = app.store.account_by_email(email).await.unwrap().unwrap().id;
    (app.login(email, "a long passphrase").await, id)
}

/// Books the first free slot 3 to 10 days ahead: the booking and its mentor's token.
async fn book(app: &App, token: &str) -> (Value, String) {
    let slot = app.slots_in_days(SKU, 3, 10).await[0].clone();
    let b = json_of(
        app.post(
            "/api/v1/bookings",
            Some(token),
            json!({"sku": SKU, "mentor_id": slot["mentor_id"], "start": slot["start"]}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let mentor = app
        .store
        .account(UserId(slot["mentor_id"].as_i64().unwrap()))
        .await
        .unwrap()
        .unwrap();
    (b, app.login(&mentor.email, DEMO_PASSWORD).await)
}

/// Moves past the session and has its mentor close it: the closing.
async fn close(app: &App, b: &Value, mentor: &str) -> Value {
    let start: Timestamp = b["start"].as_str().unwrap().parse().unwrap();
    app.clock
        .advance(start.duration_since(app.clock.now()) + SignedDuration::from_hours(1));
    let closed = json_of(
        app.post(
            &format!("/api/v1/bookings/{}/close", b["id"]),
            Some(mentor),
            json!({"checkpoint": "reached", "evidence": "Named the first role.",
                   "followup": "Well done.", "tasks": []}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    closed["closing"].clone()
}

fn ts(v: &Value) -> Timestamp {
    v.as_str().unwrap().parse().unwrap()
}

/// The windows the application counts results in, as of now.
fn windows(app: &App) -> Windows {
    let now = app.clock.now();
    Windows {
        until: now,
        followup_opened_by: now.checked_sub(days(14)).unwrap(),
        answer_within_secs: days(14).as_secs(),
        rebook_within_secs: days(30).as_secs(),
    }
}

async fn a_follow_up_delay_experiment_varies_the_delay_by_person_and_reports_lift(app: App) {
    let op = app.operator().await;
    let started = json_of(
        app.post("/api/v1/operator/experiments", Some(&op), experiment())
            .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(started["running"], true);
    let id = started["id"].as_i64().unwrap();
    // One experiment per factor at a time.
    let e = expect_error(
        app.post("/api/v1/operator/experiments", Some(&op), experiment())
            .await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    assert!(e["fields"]["factor"].as_str().unwrap().contains("running"));

    // The session's follow-up opens after the mentee's variant's delay.
    let (token, who) = mentee(&app, "exp.one@example.com").await;
    let arm = assign(id, who, 2);
    let (b, mentor) = book(&app, &token).await;
    let closing = close(&app, &b, &mentor).await;
    let (closed_at, opens) = (ts(&closing["closed_at"]), ts(&closing["followup_opens_at"]));
    assert_eq!(opens.duration_since(closed_at), days(DELAYS[arm]));
    let people = app.store.exposed_people(id, windows(&app)).await.unwrap();
    assert_eq!(people.len(), 1);
    assert_eq!(people[0].variant, arm);
    // The first exposure is kept, whatever is asked later.
    let kept = app
        .store
        .expose(id, who, 1 - arm, app.clock.now())
        .await
        .unwrap();
    assert_eq!(kept, arm);
    // The variant is part of the mentee's own export.
    let placed = app.store.exposures_of(who).await.unwrap();
    assert_eq!(placed.len(), 1);
    assert_eq!(placed[0].0, "Check in sooner");
    assert_eq!(placed[0].1, ["Ten days", "Three days"][arm]);

    // Not counted until the answer window has passed; then answered and rebooked counted.
    app.clock
        .advance(opens.duration_since(app.clock.now()) + SignedDuration::from_hours(2));
    json_of(
        app.post(
            &format!("/api/v1/bookings/{}/assessments", b["id"]),
            Some(&token),
            json!({"kind": "followup", "level": 4, "reached_milestone": true}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let p = app.store.exposed_people(id, windows(&app)).await.unwrap()[0];
    assert_eq!((p.followups_due, p.followups_answered), (0, 0));
    book(&app, &token).await;
    app.clock.advance(days(14));
    let p = app.store.exposed_people(id, windows(&app)).await.unwrap()[0];
    assert_eq!(
        (p.followups_due, p.followups_answered, p.rebooked),
        (1, 1, 1)
    );

    // Five people or more a side before any rate or lift shows.
    let url = format!("/api/v1/operator/experiments/{id}");
    let op = app.operator().await;
    let r = json_of(app.get(&url, Some(&op)).await, StatusCode::OK).await;
    assert_eq!(r["exposed"][arm], 1);
    let answered = &r["metrics"][0];
    assert_eq!(answered["metric"], "followup_answered");
    assert_eq!(answered["variants"][arm]["people"], 1);
    assert!(answered["variants"][arm]["rate"].is_null());
    assert!(answered["variants"][1]["lift"].is_null());
    for n in 0..10 {
        let (_, other) = mentee(&app, &format!("exp.more{n}@example.com")).await;
        app.store
            .expose(id, other, n % 2, app.clock.now())
            .await
            .unwrap();
    }
    app.clock.advance(days(31));
    // A month on, the operator logs in again.
    let op = app.operator().await;
    let r = json_of(app.get(&url, Some(&op)).await, StatusCode::OK).await;
    let rebooked = &r["metrics"][1];
    assert_eq!(rebooked["metric"], "rebooked_30d");
    let rates: Vec<f64> = (0..2)
        .map(|v| rebooked["variants"][v]["rate"].as_f64().unwrap())
        .collect();
    let mut want = [0.0, 0.0];
    want[arm] = 1.0 / 6.0;
    assert!(
        (rates[0] - want[0]).abs() < 1e-9 && (rates[1] - want[1]).abs() < 1e-9,
        "{rates:?}"
    );
    let lift = &rebooked["variants"][1]["lift"];
    assert!((lift["difference"].as_f64().unwrap() - (want[1] - want[0])).abs() < 1e-9);
    assert!(lift["low"].as_f64().unwrap() < 0.0 && lift["high"].as_f64().unwrap() > 0.0);
    assert_eq!(lift["clear"], false);

    // Ended: nobody new is exposed, and the session type's own delay applies again.
    app.clock.advance(jiff::SignedDuration::from_mins(1));
    let ended = json_of(
        app.post(&format!("{url}/end"), Some(&op), json!({})).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(ended["running"], false);
    // The results kept a minute ago are counted again, up to the end.
    let at_end = json_of(app.get(&url, Some(&op)).await, StatusCode::OK).await;
    assert_ne!(at_end["as_of"], r["as_of"]);
    expect_error(
        app.post(&format!("{url}/end"), Some(&op), json!({})).await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    let (late, _) = mentee(&app, "exp.late@example.com").await;
    let (b, m) = book(&app, &late).await;
    let closing = close(&app, &b, &m).await;
    let (closed_at, opens) = (ts(&closing["closed_at"]), ts(&closing["followup_opens_at"]));
    assert_eq!(opens.duration_since(closed_at), days(SKU_DELAY));
    assert_eq!(
        app.store
            .exposed_people(id, windows(&app))
            .await
            .unwrap()
            .len(),
        11
    );
}

async fn experiments_refuse_bad_input_and_anyone_but_operators(app: App) {
    let op = app.operator().await;
    let sam = app.login("sam@stint.example", DEMO_PASSWORD).await;
    let list = "/api/v1/operator/experiments";
    assert_eq!(
        app.get(list, Some(&sam)).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(app.get(list, None).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.post(list, Some(&sam), experiment()).await.status(),
        StatusCode::FORBIDDEN
    );

    let mut one = experiment();
    one["variants"] = json!([{"name": "Ten days", "value": 10}]);
    let e = expect_error(
        app.post(list, Some(&op), one).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(e["fields"]["variants"].is_string());
    let mut unknown = experiment();
    unknown["factor"] = json!("price");
    let r = app.post(list, Some(&op), unknown).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("factor"));
    let mut twice = experiment();
    twice["variants"][1]["name"] = json!("ten DAYS");
    twice["variants"][1]["value"] = json!(10);
    let e = expect_error(
        app.post(list, Some(&op), twice).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(e["fields"]["variants.1.name"].is_string(), "{e}");
    assert!(e["fields"]["variants.1.value"].is_string(), "{e}");
    let mut range = experiment();
    range["variants"][1]["value"] = json!(61);
    let e = expect_error(
        app.post(list, Some(&op), range).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(
        e["fields"]["variants.1.value"]
            .as_str()
            .unwrap()
            .contains("1 to 60")
    );
    // Nothing was kept; an unknown experiment is a 404.
    let all = json_of(app.get(list, Some(&op)).await, StatusCode::OK).await;
    assert_eq!(all, json!([]));
    assert_eq!(
        app.get(&format!("{list}/999"), Some(&op)).await.status(),
        StatusCode::NOT_FOUND
    );

    // The pages: a bad row is named on its own field and nothing is kept; a good form
    // starts the experiment and shows its results; ending it from its page.
    let browser = common::browser();
    common::log_in(&app, &browser, "operator@stint.example").await;
    let form = [
        ("name", "Check in sooner"),
        ("factor", "followup_delay"),
        ("hypothesis", ""),
        ("v0_name", "A week"),
        ("v0_value", "7"),
        ("v1_name", ""),
        ("v1_value", ""),
        ("v2_name", "Three days"),
        ("v2_value", "0"),
    ];
    let (status, body) = common::submit(
        &app,
        &browser,
        "/operator/experiments",
        "/operator/experiments",
        &form,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.contains("id=\"e-v2_value\""),
        "the error sits on the row typed"
    );
    assert!(
        body.contains("value=\"Three days\""),
        "what was typed is kept"
    );
    let all = json_of(app.get(list, Some(&op)).await, StatusCode::OK).await;
    assert_eq!(all, json!([]));
    let mut good = form;
    good[8] = ("v2_value", "3");
    let (status, body) = common::submit(
        &app,
        &browser,
        "/operator/experiments",
        "/operator/experiments",
        &good,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("<h1>Check in sooner</h1>"), "{body}");
    assert!(body.contains("Follow-ups answered within 14 days"));
    assert!(body.contains("End experiment"));
    let id = json_of(app.get(list, Some(&op)).await, StatusCode::OK).await[0]["id"]
        .as_i64()
        .unwrap();
    let page = format!("/operator/experiments/{id}");
    let (status, body) = common::submit(&app, &browser, &page, &format!("{page}/end"), &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Ran "), "{body}");
    assert!(!body.contains("End experiment"));

    let sams = common::browser();
    common::log_in(&app, &sams, "sam@stint.example").await;
    for path in ["/operator/experiments", page.as_str()] {
        let (status, _, _) = common::page(&app, &sams, path).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
    }
}
