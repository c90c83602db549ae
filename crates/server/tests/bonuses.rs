//! Outcome bonuses and the late-cancel share, through the API and the session page, on both
//! backends: a bonus is escrowed beside the hold at booking, paid to the mentor when the
//! mentee confirms the milestone after the session closed (never before, never by anyone
//! else, never twice), returned by the hourly job once its 30-day window has closed, and
//! returned at once when the session does not take place. A late cancel forfeits the share
//! of the SKU version the session was booked with, even after an operator changed it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod common;

use common::{App, expect_error};
use reqwest::StatusCode;
use serde_json::{Value, json};
use stint_domain::clock::Clock;
use stint_domain::ledger::{Account, bonus, fee_split, forfeit_split};
use stint_server::demo::DEMO_PASSWORD;

on_both_backends!(App;
    a_confirmed_bonus_goes_to_the_mentor_once,
    an_unconfirmed_bonus_comes_back_after_its_window,
    a_session_that_does_not_take_place_returns_the_bonus_with_the_hold,
    a_late_cancel_forfeits_the_share_of_the_version_booked,
    the_follow_up_check_in_confirms_the_milestone_or_saves_nothing,
);

/// 30 credits and a 10-credit outcome bonus (the demo's).
const BONUS_SKU: &str = "career-pivot-30";
const PRICE: i64 = 30;
const BONUS: i64 = 10;
const FEE: u32 = stint_app::DEFAULT_PLATFORM_FEE_BASIS_POINTS;

async fn json_of(r: reqwest::Response, status: StatusCode) -> Value {
    let got = r.status();
    let body: Value = r.json().await.unwrap();
    assert_eq!(got, status, "{body}");
    body
}

async fn balance(app: &App, token: &str) -> i64 {
    json_of(
        app.get("/api/v1/me/wallet", Some(token)).await,
        StatusCode::OK,
    )
    .await["balance"]
        .as_i64()
        .unwrap()
}

/// A funded mentee (500 credits) and their token.
async fn mentee(app: &App, email: &str) -> String {
    common::make_mentee(app, email, "Bonus Mentee").await;
    app.login(email, "a long passphrase").await
}

/// Books the first free slot of `sku` 3 to 10 days ahead: (booking, its mentor's token).
async fn book(app: &App, token: &str, sku: &str) -> (Value, String) {
    let slot = app.slots_in_days(sku, 3, 10).await[0].clone();
    let b = json_of(
        app.post(
            "/api/v1/bookings",
            Some(token),
            json!({"sku": sku, "mentor_id": slot["mentor_id"], "start": slot["start"]}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let mentor = app
        .store
        .account(stint_domain::ids::UserId(
            slot["mentor_id"].as_i64().unwrap(),
        ))
        .await
        .unwrap()
        .unwrap();
    let mentor_token = app.login(&mentor.email, DEMO_PASSWORD).await;
    (b, mentor_token)
}

/// Moves the clock past the session and has its mentor close it.
async fn close(app: &App, b: &Value, mentor: &str) {
    let start: jiff::Timestamp = b["start"].as_str().unwrap().parse().unwrap();
    app.clock
        .advance(start.duration_since(app.clock.now()) + jiff::SignedDuration::from_hours(1));
    let close = json!({
        "checkpoint": "reached",
        "evidence": "Wrote the pivot plan and named the first role.",
        "followup": "Well done.",
        "tasks": []
    });
    json_of(
        app.post(
            &format!("/api/v1/bookings/{}/close", b["id"]),
            Some(mentor),
            close,
        )
        .await,
        StatusCode::OK,
    )
    .await;
}

async fn confirm(app: &App, id: &Value, token: &str) -> reqwest::Response {
    app.post(
        &format!("/api/v1/bookings/{id}/bonus"),
        Some(token),
        json!({}),
    )
    .await
}

async fn a_confirmed_bonus_goes_to_the_mentor_once(app: App) {
    let token = mentee(&app, "bonus.yes@example.com").await;
    let (b, mentor) = book(&app, &token, BONUS_SKU).await;
    assert_eq!(balance(&app, &token).await, 500 - PRICE - BONUS);
    assert_eq!(b["hold"]["bonus_credits"], BONUS);
    assert_eq!(b["hold"]["bonus_state"], "escrowed");
    assert_eq!(
        app.store
            .ledger_balance(Account::BonusEscrow)
            .await
            .unwrap(),
        BONUS
    );
    // Before the session is closed: too early.
    expect_error(
        confirm(&app, &b["id"], &token).await,
        StatusCode::CONFLICT,
        "too_early",
    )
    .await;
    close(&app, &b, &mentor).await;
    let mentor_id = stint_domain::ids::UserId(b["mentor"]["id"].as_i64().unwrap());
    let earned = app
        .store
        .ledger_balance(Account::Earnings(mentor_id))
        .await
        .unwrap();
    // The mentor cannot confirm for the mentee; a stranger does not see the session.
    expect_error(
        confirm(&app, &b["id"], &mentor).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let stranger = mentee(&app, "bonus.stranger@example.com").await;
    expect_error(
        confirm(&app, &b["id"], &stranger).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    // The session page offers the mentee the button, with the window's end.
    let client = common::browser();
    common::log_in_with(&app, &client, "bonus.yes@example.com", "a long passphrase").await;
    let (_, html, _) = common::page(&app, &client, &format!("/sessions/{}", b["id"])).await;
    assert!(html.contains("Outcome bonus"), "{html}");
    assert!(html.contains("I reached the milestone"), "{html}");
    let (status, html) = common::submit(
        &app,
        &client,
        &format!("/sessions/{}", b["id"]),
        &format!("/sessions/{}/bonus", b["id"]),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("The bonus went to your mentor"), "{html}");
    assert!(!html.contains("I reached the milestone"), "{html}");
    let fee = fee_split(BONUS, FEE);
    assert_eq!(
        app.store
            .ledger_balance(Account::Earnings(mentor_id))
            .await
            .unwrap(),
        earned + fee.mentor
    );
    assert_eq!(
        app.store
            .ledger_balance(Account::BonusEscrow)
            .await
            .unwrap(),
        0
    );
    // Twice: refused, nothing moves.
    expect_error(
        confirm(&app, &b["id"], &token).await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    let seen = json_of(
        app.get(&format!("/api/v1/bookings/{}", b["id"]), Some(&mentor))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(seen["hold"]["bonus_state"], "paid");
    assert_eq!(balance(&app, &token).await, 500 - PRICE - BONUS);
    common::ledger_is_sound(&app).await;
}

async fn followup(app: &App, id: &Value, token: &str, reached: bool) -> reqwest::Response {
    app.post(
        &format!("/api/v1/bookings/{id}/assessments"),
        Some(token),
        json!({"kind": "followup", "level": 4, "reached_milestone": reached}),
    )
    .await
}

/// The mentee confirms the milestone with the follow-up check-in; a check-in whose bonus can
/// no longer be confirmed is refused whole (nothing saved, nothing paid), and can then be
/// taken without it. The baseline cannot confirm anything.
async fn the_follow_up_check_in_confirms_the_milestone_or_saves_nothing(app: App) {
    let days = |n: i64| jiff::SignedDuration::from_hours(24 * n);
    let token = mentee(&app, "bonus.followup@example.com").await;
    let (b, mentor) = book(&app, &token, BONUS_SKU).await;
    // What the mentor earned before (the demo's history, some of it paid by its sponsor).
    let mentor_id = stint_domain::ids::UserId(b["mentor"]["id"].as_i64().unwrap());
    let earned_before = app
        .store
        .ledger_balance(Account::Earnings(mentor_id))
        .await
        .unwrap();
    let baseline = app
        .post(
            &format!("/api/v1/bookings/{}/assessments", b["id"]),
            Some(&token),
            json!({"kind": "baseline", "level": 2, "reached_milestone": true}),
        )
        .await;
    let e = expect_error(
        baseline,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(e["fields"]["reached_milestone"].is_string(), "{e}");
    close(&app, &b, &mentor).await;
    app.clock.advance(days(8));
    let token = app
        .login("bonus.followup@example.com", "a long passphrase")
        .await;
    json_of(
        followup(&app, &b["id"], &token, true).await,
        StatusCode::CREATED,
    )
    .await;
    let owed = fee_split(BONUS, FEE).mentor;
    let seen = json_of(
        app.get(&format!("/api/v1/bookings/{}", b["id"]), Some(&token))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(seen["hold"]["bonus_state"], "paid");
    assert_eq!(
        app.store
            .ledger_balance(Account::BonusEscrow)
            .await
            .unwrap(),
        0
    );
    let earned = app
        .store
        .ledger_balance(Account::Earnings(mentor_id))
        .await
        .unwrap();
    assert_eq!(earned - earned_before, fee_split(PRICE, FEE).mentor + owed);

    // A second session, checked in after its window closed: refused, nothing saved.
    let (b2, mentor2) = book(&app, &token, BONUS_SKU).await;
    close(&app, &b2, &mentor2).await;
    app.clock.advance(days(31));
    let token = app
        .login("bonus.followup@example.com", "a long passphrase")
        .await;
    let e = expect_error(
        followup(&app, &b2["id"], &token, true).await,
        StatusCode::CONFLICT,
        "too_late",
    )
    .await;
    assert!(e["fields"]["bonus"].is_string(), "{e}");
    // Nothing was saved: the same check-in without the milestone is taken now.
    json_of(
        followup(&app, &b2["id"], &token, false).await,
        StatusCode::CREATED,
    )
    .await;
    common::ledger_is_sound(&app).await;
}

async fn an_unconfirmed_bonus_comes_back_after_its_window(app: App) {
    let token = mentee(&app, "bonus.no@example.com").await;
    let (b, mentor) = book(&app, &token, BONUS_SKU).await;
    close(&app, &b, &mentor).await;
    let seen = json_of(
        app.get(&format!("/api/v1/bookings/{}", b["id"]), Some(&token))
            .await,
        StatusCode::OK,
    )
    .await;
    let until: jiff::Timestamp = seen["hold"]["bonus_confirm_by"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    // Thirty days from the closing a moment ago (the test clock runs on).
    let left = until.duration_since(app.clock.now()).as_secs();
    let window = 24 * 3600 * bonus::BONUS_WINDOW_DAYS;
    assert!((window - 60..=window).contains(&left), "{left}");
    // The hourly job before the window closes returns nothing.
    let job = stint_jobs::credit_expiry::ExpireCredits::new(stint_server::application(
        &stint_server::config::Config::default(),
        app.store.clone(),
        app.clock.clone(),
    ));
    let now = app.clock.now();
    let tick = stint_store::Job {
        id: 0,
        kind: stint_app::money::expiry::EXPIRE.into(),
        payload: "{}".into(),
        dedupe_key: None,
        state: stint_store::JobState::Running,
        due_at: now,
        attempts: 1,
        max_attempts: 1,
        lease_until: None,
        worker: None,
        last_error: None,
        created_at: now,
        updated_at: now,
    };
    stint_worker::Handler::run(&job, &tick).await.unwrap();
    assert_eq!(balance(&app, &token).await, 500 - PRICE - BONUS);
    app.clock.advance(jiff::SignedDuration::from_hours(24 * 31));
    stint_worker::Handler::run(&job, &tick).await.unwrap();
    // A month on, the old session has lapsed: log in again.
    let token = app.login("bonus.no@example.com", "a long passphrase").await;
    assert_eq!(balance(&app, &token).await, 500 - PRICE);
    let e = expect_error(
        confirm(&app, &b["id"], &token).await,
        StatusCode::CONFLICT,
        "too_late",
    )
    .await;
    assert!(
        e["fields"]["bonus"]
            .as_str()
            .unwrap()
            .contains("back to your wallet"),
        "{e}"
    );
    let seen = json_of(
        app.get(&format!("/api/v1/bookings/{}", b["id"]), Some(&token))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(seen["hold"]["bonus_state"], "returned");
    // The job again: nothing more.
    stint_worker::Handler::run(&job, &tick).await.unwrap();
    assert_eq!(balance(&app, &token).await, 500 - PRICE);
    common::ledger_is_sound(&app).await;
}

async fn a_session_that_does_not_take_place_returns_the_bonus_with_the_hold(app: App) {
    let token = mentee(&app, "bonus.cancel@example.com").await;
    let (b, _) = book(&app, &token, BONUS_SKU).await;
    assert_eq!(balance(&app, &token).await, 500 - PRICE - BONUS);
    json_of(
        app.post(
            &format!("/api/v1/bookings/{}/cancel", b["id"]),
            Some(&token),
            json!({"reason": "found a job"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(balance(&app, &token).await, 500);
    assert_eq!(
        app.store
            .ledger_balance(Account::BonusEscrow)
            .await
            .unwrap(),
        0
    );
    expect_error(
        confirm(&app, &b["id"], &token).await,
        StatusCode::CONFLICT,
        "too_late",
    )
    .await;
    // Too few credits for price and bonus together: 402 names both.
    common::make_mentee_unfunded(&app, "bonus.poor@example.com", "Poor").await;
    let poor = app
        .store
        .account_by_email("bonus.poor@example.com")
        .await
        .unwrap()
        .unwrap();
    stint_store::testing::fund(app.store.as_ref(), poor.id, PRICE, app.clock.now())
        .await
        .unwrap();
    let poor_token = app
        .login("bonus.poor@example.com", "a long passphrase")
        .await;
    let slot = app.slots_in_days(BONUS_SKU, 3, 10).await[0].clone();
    let e = expect_error(
        app.post(
            "/api/v1/bookings",
            Some(&poor_token),
            json!({"sku": BONUS_SKU, "mentor_id": slot["mentor_id"], "start": slot["start"]}),
        )
        .await,
        StatusCode::PAYMENT_REQUIRED,
        "insufficient_credits",
    )
    .await;
    assert_eq!(
        (e["balance"].as_i64(), e["price"].as_i64()),
        (Some(PRICE), Some(PRICE + BONUS))
    );
    common::ledger_is_sound(&app).await;
}

async fn a_late_cancel_forfeits_the_share_of_the_version_booked(app: App) {
    const SKU: &str = "negotiation-clinic-45";
    let token = mentee(&app, "late.share@example.com").await;
    let (b, _) = book(&app, &token, SKU).await;
    // An operator raises the share to 100% afterwards: a new version, not this booking's.
    let op = app.operator().await;
    let dto = json_of(
        app.get(&format!("/api/v1/skus/{SKU}"), None).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(dto["late_cancel_percent"], 50);
    let mut edit = json!({});
    for field in [
        "title",
        "duration_minutes",
        "outcome",
        "artifacts",
        "intake_questions",
        "pre_reads",
        "followup_template",
        "assessment_questions",
        "followup_delay_days",
        "price_credits",
        "cancel_cutoff_hours",
        "reschedule_cutoff_hours",
        "bonus_credits",
    ] {
        edit[field] = dto[field].clone();
    }
    edit["competency"] = dto["competency"]["slug"].clone();
    edit["checkpoint"] = dto["checkpoint"]["slug"].clone();
    edit["late_cancel_percent"] = json!(101);
    let e = expect_error(
        app.put(&format!("/api/v1/skus/{SKU}"), Some(&op), edit.clone())
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(e["fields"]["late_cancel_percent"].is_string(), "{e}");
    edit["late_cancel_percent"] = json!(100);
    let edited = json_of(
        app.put(&format!("/api/v1/skus/{SKU}"), Some(&op), edit)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(edited["late_cancel_percent"], 100);

    let start: jiff::Timestamp = b["start"].as_str().unwrap().parse().unwrap();
    app.clock
        .advance(start.duration_since(app.clock.now()) - jiff::SignedDuration::from_hours(2));
    let before = balance(&app, &token).await;
    json_of(
        app.post(
            &format!("/api/v1/bookings/{}/cancel", b["id"]),
            Some(&token),
            json!({"reason": "sick"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let price = b["hold"]["price_credits"].as_i64().unwrap();
    assert_eq!(
        balance(&app, &token).await,
        before + forfeit_split(price, 50).rest,
        "the booked version's 50%, not the new 100%"
    );
    common::ledger_is_sound(&app).await;
}
