//! Value by outcome on both backends: each mentee counted once by their first closed session
//! (a mini-win by its checkpoint or by a level gained), the credits of their held or missed
//! sessions in the 90 days from it (not a released hold, not a session after the window),
//! sponsored against self-paying, groups below 5 hidden, mentees whose window is still open
//! left out; operators only, on the API and the page; the figures kept as counted until the
//! hourly job, an operator's "Count now" or two hours count them again; the no-show model
//! page without a model.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod common;

use common::{App, browser, log_in, page, submit};
use reqwest::StatusCode;
use serde_json::Value;
use stint_server::demo::DEMO_PASSWORD;

on_both_backends!(App, url;
    value_by_outcome_counts_each_mentees_ninety_days_from_their_first_session,
);

const DAY: i64 = 86_400;

/// One seeded session: (mentee, days before the epoch, state of its charge, first-session
/// checkpoint or `None` when it is not closed).
struct Seeded<'a> {
    mentee: i64,
    days_ago: i64,
    charge: &'a str,
    closing: Option<&'a str>,
}

async fn seed(app: &App, url: &str, sessions: &[Seeded<'_>], sponsored: &[i64]) {
    let maya = app
        .store
        .account_by_email("maya@stint.example")
        .await
        .unwrap()
        .unwrap()
        .id
        .0;
    let sku = app.store.sku("career-pivot-30").await.unwrap().unwrap();
    let epoch = common::test_epoch().as_second();
    let (mut bookings, mut charges, mut closings) = (Vec::new(), Vec::new(), Vec::new());
    for (n, s) in sessions.iter().enumerate() {
        let id = 700_000 + n as i64;
        let start = epoch - s.days_ago * DAY + n as i64 * 3600;
        bookings.push(format!(
            "({id}, {maya}, {}, {}, {}, {start}, {}, 'completed', 0, 'https://meet.example/v', 0, {}, {start})",
            s.mentee,
            sku.sku_id.0,
            sku.version,
            start + 1800,
            start - 3 * DAY
        ));
        charges.push(format!(
            "({id}, 'wallet:{}', 3, '{}', {})",
            s.mentee,
            s.charge,
            start + 3600
        ));
        if let Some(checkpoint) = s.closing {
            closings.push(format!(
                "({id}, '{checkpoint}', 'Said it', 'Thanks', {maya}, {}, {})",
                start + 3600,
                start + 7 * DAY
            ));
        }
    }
    let sql = [
        format!(
            "INSERT INTO bookings (id, mentor_id, mentee_id, sku_id, sku_version, start_at, end_at, \
             status, sequence, meeting_url, late_cancel, created_at, updated_at) VALUES {}",
            bookings.join(", ")
        ),
        format!(
            "INSERT INTO booking_charges (booking_id, payer, price, state, ended_at) VALUES {}",
            charges.join(", ")
        ),
        format!(
            "INSERT INTO session_closings (booking_id, checkpoint, evidence, followup, closed_by, \
             closed_at, followup_opens_at) VALUES {}",
            closings.join(", ")
        ),
    ];
    for q in sql {
        stint_store::testing::execute_raw(url, &q).await.unwrap();
    }
    // The first sessions of `sponsored` were paid by the demo sponsor's budget.
    for (n, s) in sessions.iter().enumerate() {
        if s.closing.is_some() && sponsored.contains(&s.mentee) {
            stint_store::testing::execute_raw(
                url,
                &format!(
                    "INSERT INTO budget_holds (booking_id, org_id, member_id, period_start, credits) \
                     VALUES ({}, (SELECT MIN(id) FROM organisations), {}, 0, 3)",
                    700_000 + n as i64,
                    s.mentee
                ),
            )
            .await
            .unwrap();
        }
    }
}

fn figure(split: &Value, side: &str) -> (u64, Option<f64>) {
    (
        split[side]["mentees"].as_u64().unwrap(),
        split[side]["mean_credits"].as_f64(),
    )
}

async fn value_by_outcome_counts_each_mentees_ninety_days_from_their_first_session(
    app: App,
    url: String,
) {
    let mut ids = Vec::new();
    for n in 0..13 {
        let email = format!("value{n}@example.com");
        common::make_mentee(&app, &email, &format!("Mentee {n}")).await;
        ids.push(
            app.store
                .account_by_email(&email)
                .await
                .unwrap()
                .unwrap()
                .id
                .0,
        );
    }
    let mut sessions = Vec::new();
    for (n, &m) in ids.iter().enumerate().take(12) {
        let win = n < 6;
        // First sessions 150 days ago: reached for the first five, partly for the sixth
        // (a mini-win by the level it gained), not reached for the other six.
        let checkpoint = match n {
            0..5 => "reached",
            5 => "partly",
            _ => "not_reached",
        };
        sessions.push(Seeded {
            mentee: m,
            days_ago: 150,
            charge: "settled",
            closing: Some(checkpoint),
        });
        // Winners come back within the window (one missed it: forfeited, still paid) and
        // once after it; the others' second session was released (not paid).
        sessions.push(Seeded {
            mentee: m,
            days_ago: 120,
            charge: match (win, n) {
                (true, 5) => "forfeited",
                (true, _) => "settled",
                (false, _) => "released",
            },
            closing: None,
        });
        sessions.push(Seeded {
            mentee: m,
            days_ago: 40,
            charge: "settled",
            closing: None,
        });
    }
    // The thirteenth's first session was 30 days ago: their window is still open.
    sessions.push(Seeded {
        mentee: ids[12],
        days_ago: 30,
        charge: "settled",
        closing: Some("reached"),
    });
    // Sponsored: four winners and five of the others.
    let sponsored = [
        ids[0], ids[1], ids[2], ids[3], ids[6], ids[7], ids[8], ids[9], ids[10],
    ];
    seed(&app, &url, &sessions, &sponsored).await;
    // The sixth gained a level between baseline and follow-up.
    let sixth = 700_000 + 5 * 3;
    stint_store::testing::execute_raw(
        &url,
        &format!(
            "INSERT INTO assessments (booking_id, kind, level, answers, submitted_at) VALUES \
             ({sixth}, 'baseline', 2, '[]', 0), ({sixth}, 'followup', 3, '[]', 0)"
        ),
    )
    .await
    .unwrap();

    let op = app.operator().await;
    let r = app.get("/api/v1/operator/value", Some(&op)).await;
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["window_days"], 90);
    // Six winners brought 3 + 3 in their window, six others 3: twice as much.
    assert_eq!(figure(&v["overall"], "mini_win"), (6, Some(6.0)));
    assert_eq!(figure(&v["overall"], "no_mini_win"), (6, Some(3.0)));
    assert_eq!(v["overall"]["ratio"], 2.0);
    assert_eq!(v["overall"]["mini_win"]["low"], 6.0);
    let pivot = v["by_session_type"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["group"] == "30-min career pivot")
        .unwrap();
    assert_eq!(figure(pivot, "mini_win"), (6, Some(6.0)));
    let competency = &v["by_competency"][0];
    assert_eq!(figure(competency, "no_mini_win"), (6, Some(3.0)));
    // Four sponsored winners: too few to show; five sponsored others: shown.
    assert_eq!(v["by_payer"][0]["group"], "Sponsored members");
    assert_eq!(figure(&v["by_payer"][0], "mini_win"), (4, None));
    assert_eq!(figure(&v["by_payer"][0], "no_mini_win"), (5, Some(3.0)));
    assert_eq!(figure(&v["by_payer"][1], "mini_win"), (2, None));
    assert_eq!(figure(&v["by_payer"][1], "no_mini_win"), (1, None));
    assert!(v["by_payer"][0]["ratio"].is_null());

    // Operators only.
    let sam = app.login("sam@stint.example", DEMO_PASSWORD).await;
    let r = app.get("/api/v1/operator/value", Some(&sam)).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = app.get("/api/v1/operator/risk-model", Some(&sam)).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = app.get("/api/v1/operator/risk-model", Some(&op)).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.json::<Value>().await.unwrap().is_null(), "no model yet");

    let client = browser();
    log_in(&app, &client, "operator@stint.example").await;
    let (status, body, _) = page(&app, &client, "/operator/value").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains("brought in 6.0 credits each over 90 days, against 3.0 for the others: 2.0 times as much"),
        "{body}"
    );
    assert!(body.contains("<svg class=\"chart\""));
    assert!(body.contains("/metrics/definitions#def-90-day-credits"));
    assert!(body.contains("Figures as of"), "{body}");
    let (status, body, _) = page(&app, &client, "/operator/no-shows").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("No model yet"), "{body}");
    let mentee = browser();
    log_in(&app, &mentee, "sam@stint.example").await;
    for path in ["/operator/value", "/operator/no-shows"] {
        let (status, _, _) = page(&app, &mentee, path).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
    }
    let r = submit(&app, &mentee, "/dashboard", "/operator/value/count", &[]).await;
    assert_eq!(r.0, StatusCode::FORBIDDEN);

    // The figures are kept as counted: a change is not seen at once …
    let mean = |v: &Value| figure(&v["overall"], "mini_win").1;
    let double = "UPDATE booking_charges SET price = price * 2";
    stint_store::testing::execute_raw(&url, double)
        .await
        .unwrap();
    app.clock.advance(jiff::SignedDuration::from_mins(30));
    let kept: Value = app
        .get("/api/v1/operator/value", Some(&op))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!((mean(&kept), &kept["as_of"]), (Some(6.0), &v["as_of"]));
    // … but after the hourly job counts again,
    let counted = stint_app::insights::kept::recount_all(&app.core())
        .await
        .unwrap();
    assert_eq!(counted, 1, "value by outcome");
    let after_job: Value = app
        .get("/api/v1/operator/value", Some(&op))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mean(&after_job), Some(12.0));
    assert_ne!(after_job["as_of"], v["as_of"]);
    // … when an operator asks for a count now,
    stint_store::testing::execute_raw(&url, double)
        .await
        .unwrap();
    let (status, body) = submit(
        &app,
        &client,
        "/operator/value",
        "/operator/value/count",
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("brought in 24.0 credits each"), "{body}");
    // … and when two hours have passed without a count.
    stint_store::testing::execute_raw(&url, double)
        .await
        .unwrap();
    app.clock.advance(jiff::SignedDuration::from_mins(119));
    let still: Value = app
        .get("/api/v1/operator/value", Some(&op))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mean(&still), Some(24.0));
    app.clock.advance(jiff::SignedDuration::from_mins(2));
    let stale: Value = app
        .get("/api/v1/operator/value", Some(&op))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mean(&stale), Some(48.0));
}
