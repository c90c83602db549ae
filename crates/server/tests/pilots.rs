//! Pilots on both backends: an operator starts one for a cohort; each member's check-ins
//! (the start, 30, 60 and 90 days) are nudged once each, at 09:00 on the right day in the
//! member's own zone; a member answers while a check-in is open (not before, not after, not
//! someone else's pilot); the report counts participation, sessions and the gain over each
//! member's start with intervals, only from five people; the pages, CSV and bad input.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod common;

use common::queue::travel_to;
use common::{App, expect_error};
use jiff::{SignedDuration, Timestamp};
use reqwest::StatusCode;
use serde_json::{Value, json};
use stint_domain::clock::Clock;
use stint_server::demo::DEMO_PASSWORD;
use stint_worker::Handler;

on_both_backends!(App;
    check_ins_are_nudged_once_each_on_the_members_day_and_feed_the_report,
    pilots_refuse_bad_input_and_anyone_but_operators,
    the_report_shows_the_gain_over_the_start_from_five_members,
);

const SKU: &str = "career-pivot-30";

async fn json_of(r: reqwest::Response, status: StatusCode) -> Value {
    let got = r.status();
    let body: Value = r.json().await.unwrap();
    assert_eq!(got, status, "{body}");
    body
}

/// Runs every due check-in nudge as the worker would (other due jobs are only marked done):
/// the (member e-mail, day) of each that ran.
async fn send_due(app: &App) -> Vec<(i64, i64)> {
    let config = app.worker_config();
    let mailer = std::sync::Arc::new(stint_mail::Mailer::new(&config.mail).unwrap());
    let handler = stint_jobs::pilots::SendCheckIn::new(app.core(), mailer, config.public_url);
    let now = app.clock.now();
    let lease = now + SignedDuration::from_hours(1);
    let mut ran = Vec::new();
    for job in app
        .store
        .lease_jobs("test", now, lease, 1000)
        .await
        .unwrap()
    {
        if job.kind == stint_app::pilots::CHECK_IN {
            handler.run(&job).await.unwrap();
            let p: Value = serde_json::from_str(&job.payload).unwrap();
            ran.push((p["member"].as_i64().unwrap(), p["day"].as_i64().unwrap()));
        }
        assert!(app.store.complete_job(job.id, "test", now).await.unwrap());
    }
    ran.sort_unstable();
    ran
}

fn at(s: &str) -> Timestamp {
    s.parse().unwrap()
}

/// Mails in the outbox whose subject has `words`.
fn mails(app: &App, words: &str) -> usize {
    std::fs::read_dir(&app.outbox)
        .map(|d| {
            d.filter_map(Result::ok)
                .filter(|f| std::fs::read_to_string(f.path()).is_ok_and(|m| m.contains(words)))
                .count()
        })
        .unwrap_or(0)
}

async fn check_ins_are_nudged_once_each_on_the_members_day_and_feed_the_report(app: App) {
    let op = app.operator().await;
    app.clear_queue().await;
    // The test clock starts Monday 1 June 2026, 08:00 UTC; the pilot starts on Wednesday.
    let pilot = json_of(
        app.post(
            "/api/v1/operator/pilots",
            Some(&op),
            json!({"name": "Career pilot", "start": "2026-06-03",
                   "emails": ["sam@stint.example", "lena@stint.example"], "skus": [SKU]}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(pilot["members"], 2);
    let id = pilot["id"].as_i64().unwrap();
    let (sam, lena) = (
        app.id_of("sam@stint.example").await,
        app.id_of("lena@stint.example").await,
    );

    // 09:00 in Berlin (UTC+2) comes first; nothing is sent a second before.
    travel_to(&app, at("2026-06-03T06:59:59Z"));
    assert_eq!(send_due(&app).await, []);
    travel_to(&app, at("2026-06-03T07:00:00Z"));
    assert_eq!(send_due(&app).await, [(lena, 0)]);
    // Sam's 09:00 in Chicago (UTC−5) is 14:00 UTC.
    travel_to(&app, at("2026-06-03T13:59:59Z"));
    assert_eq!(send_due(&app).await, []);
    travel_to(&app, at("2026-06-03T14:00:00Z"));
    assert_eq!(send_due(&app).await, [(sam, 0)]);
    assert_eq!(mails(&app, "where are you starting from"), 2);

    // Lena answers her start; a second run of the worker sends nothing again.
    let lena_token = app.login("lena@stint.example", DEMO_PASSWORD).await;
    let mine = json_of(
        app.get("/api/v1/me/pilot-check-ins", Some(&lena_token))
            .await,
        StatusCode::OK,
    )
    .await;
    let first = &mine.as_array().unwrap()[0];
    assert_eq!(
        (first["day"].as_i64(), first["open"].as_bool()),
        (Some(0), Some(true))
    );
    let competency = first["ratings"][0]["competency_id"].as_i64().unwrap();
    let url = format!("/api/v1/me/pilots/{id}/check-ins/0");
    let answered = json_of(
        app.put(
            &url,
            Some(&lena_token),
            json!({"levels": {competency.to_string(): 2}}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(answered["ratings"][0]["level"], 2);
    assert_eq!(send_due(&app).await, []);
    // Her ratings are hers: in her export.
    let r = app.get("/api/v1/me/export", Some(&lena_token)).await;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(r.bytes().await.unwrap())).unwrap();
    let mut doc = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("stint-export.json").unwrap(), &mut doc)
        .unwrap();
    let doc: Value = serde_json::from_str(&doc).unwrap();
    assert_eq!(doc["pilots"][0]["pilot"], "Career pilot");
    assert_eq!(doc["pilots"][0]["check_ins"][0]["level"], 2);
    // Out of range, missing, not yet open, not a member.
    let e = expect_error(
        app.put(
            &url,
            Some(&lena_token),
            json!({"levels": {competency.to_string(): 6}}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(
        e["fields"][format!("level_{competency}")].is_string(),
        "{e}"
    );
    let later = format!("/api/v1/me/pilots/{id}/check-ins/30");
    let e = expect_error(
        app.put(
            &later,
            Some(&lena_token),
            json!({"levels": {competency.to_string(): 3}}),
        )
        .await,
        StatusCode::CONFLICT,
        "not_open",
    )
    .await;
    assert!(
        e["fields"]["day"].as_str().unwrap().contains("your time"),
        "{e}"
    );
    let noor = app.login("noor@stint.example", DEMO_PASSWORD).await;
    assert_eq!(
        app.put(
            &url,
            Some(&noor),
            json!({"levels": {competency.to_string(): 3}})
        )
        .await
        .status(),
        StatusCode::NOT_FOUND
    );

    // Thirty days on, each at 09:00 local again; each check-in once, in mail and inbox.
    travel_to(&app, at("2026-07-03T07:00:00Z"));
    assert_eq!(send_due(&app).await, [(lena, 30)]);
    travel_to(&app, at("2026-07-03T14:00:00Z"));
    assert_eq!(send_due(&app).await, [(sam, 30)]);
    assert_eq!(mails(&app, "30-day check-in"), 2);
    let lena_token = app.login("lena@stint.example", DEMO_PASSWORD).await;
    let inbox = json_of(
        app.get("/api/v1/me/inbox", Some(&lena_token)).await,
        StatusCode::OK,
    )
    .await;
    let pilot_items = inbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["kind"] == "pilot_check_in")
        .count();
    assert_eq!(pilot_items, 2);
    json_of(
        app.put(
            &later,
            Some(&lena_token),
            json!({"levels": {competency.to_string(): 4}}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    // Two weeks after it is due, a check-in closes.
    travel_to(&app, at("2026-07-17T07:00:00Z"));
    let lena_token = app.login("lena@stint.example", DEMO_PASSWORD).await;
    expect_error(
        app.put(
            &later,
            Some(&lena_token),
            json!({"levels": {competency.to_string(): 5}}),
        )
        .await,
        StatusCode::CONFLICT,
        "not_open",
    )
    .await;

    // The report: two members, so no gain or rate is shown, but the answers are counted.
    let op = app.operator().await;
    let r = json_of(
        app.get(&format!("/api/v1/operator/pilots/{id}"), Some(&op))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(r["members"], 2);
    assert_eq!(r["check_ins"][0]["answered"], 1);
    assert_eq!(r["check_ins"][1]["answered"], 1);
    assert!(r["check_ins"][1]["gain"].is_null());
    assert!(r["participation"].is_null());

    // Ninety days on: the last check-ins, and nothing after.
    travel_to(&app, at("2026-09-01T14:00:00Z"));
    let mut last = vec![(sam, 60), (sam, 90), (lena, 60), (lena, 90)];
    last.sort_unstable();
    assert_eq!(send_due(&app).await, last);
    travel_to(&app, at("2026-12-01T14:00:00Z"));
    assert_eq!(send_due(&app).await, []);
}

async fn pilots_refuse_bad_input_and_anyone_but_operators(app: App) {
    let op = app.operator().await;
    let sam = app.login("sam@stint.example", DEMO_PASSWORD).await;
    let list = "/api/v1/operator/pilots";
    assert_eq!(
        app.get(list, Some(&sam)).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(app.get(list, None).await.status(), StatusCode::UNAUTHORIZED);
    let e = expect_error(
        app.post(
            list,
            Some(&op),
            json!({"name": "", "start": "someday", "emails": ["nobody@example.com"], "skus": ["no-such"]}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    for field in ["name", "start"] {
        assert!(e["fields"][field].is_string(), "{field}: {e}");
    }
    let e = expect_error(
        app.post(
            list,
            Some(&op),
            json!({"name": "Pilot", "start": "2026-06-03", "emails": ["nobody@example.com"], "skus": ["no-such"]}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(
        e["fields"]["emails"]
            .as_str()
            .unwrap()
            .contains("nobody@example.com")
    );
    assert!(e["fields"]["skus"].as_str().unwrap().contains("no-such"));
    assert_eq!(
        json_of(app.get(list, Some(&op)).await, StatusCode::OK).await,
        json!([])
    );
    assert_eq!(
        app.store
            .jobs(None, None, 1000)
            .await
            .unwrap()
            .iter()
            .filter(|j| j.kind == stint_app::pilots::CHECK_IN)
            .count(),
        0
    );

    // The pages: a bad form is shown again with its messages and what was typed; a good one
    // opens the report, which prints without the site's menus and downloads as CSV.
    let browser = common::browser();
    common::log_in(&app, &browser, "operator@stint.example").await;
    let (status, body) = common::submit(
        &app,
        &browser,
        "/operator/pilots",
        "/operator/pilots",
        &[
            ("name", "Acme pilot"),
            ("start", "2026-06-03"),
            ("org", ""),
            ("emails", "sam@stint.example"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("id=\"e-skus\""), "{body}");
    assert!(body.contains("value=\"Acme pilot\""));
    let (status, body) = common::submit(
        &app,
        &browser,
        "/operator/pilots",
        "/operator/pilots",
        &[
            ("name", "Acme pilot"),
            ("start", "2026-06-03"),
            ("org", ""),
            ("emails", "sam@stint.example\nlena@stint.example"),
            ("skus", SKU),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("<h1>Acme pilot</h1>"));
    assert!(body.contains("Check-ins") && body.contains("Download CSV"));
    let id = json_of(app.get(list, Some(&op)).await, StatusCode::OK).await[0]["id"]
        .as_i64()
        .unwrap();
    let r = browser
        .get(app.url(&format!("/operator/pilots/{id}/report.csv")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let csv = r.text().await.unwrap();
    assert!(
        csv.starts_with("figure,day,value,low,high,of\nmembers,,2,"),
        "{csv}"
    );
    assert!(csv.contains("gain_over_baseline,90,"));

    // A member's page: their check-ins, the start one rated on the page.
    let sams = common::browser();
    common::log_in(&app, &sams, "sam@stint.example").await;
    for path in ["/operator/pilots", &format!("/operator/pilots/{id}")] {
        let (status, _, _) = common::page(&app, &sams, path).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
    }
    let (status, body, _) = common::page(&app, &sams, "/pilots").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Acme pilot") && body.contains("Starting point"));
    travel_to(&app, at("2026-06-03T15:00:00Z"));
    let page = format!("/pilots/{id}/check-ins/0");
    let (status, body) = common::submit(&app, &sams, &page, &page, &[]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("from 1 to 5"), "{body}");
    let field = body
        .split("name=\"level_")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_string();
    let name = format!("level_{field}");
    let (status, body) = common::submit(&app, &sams, &page, &page, &[(name.as_str(), "3")]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Saved."), "{body}");
    assert!(body.contains("value=\"3\" checked"));
}

/// Six members rated 2 at the start, three of them 3 and three 4 at 30 days: a gain of 1.5
/// levels, ± t(0.975, 5) × 0.5477/√6 = ± 0.575; nobody booked, so none took part.
async fn the_report_shows_the_gain_over_the_start_from_five_members(app: App) {
    let op = app.operator().await;
    let emails: Vec<String> = (0..6)
        .map(|n| format!("pilot.member{n}@example.com"))
        .collect();
    for e in &emails {
        common::make_mentee(&app, e, "Pilot Member").await;
    }
    let pilot = json_of(
        app.post(
            "/api/v1/operator/pilots",
            Some(&op),
            json!({"name": "Six", "start": "2026-06-03", "emails": emails, "skus": [SKU]}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let id = pilot["id"].as_i64().unwrap();
    let record = app.store.pilot(id).await.unwrap().unwrap();
    let sku = app.store.sku(SKU).await.unwrap().unwrap();
    let competency = sku.content.competency_id;
    for (n, member) in record.members.iter().enumerate() {
        let now = app.clock.now();
        app.store
            .save_check_in(id, *member, 0, &[(competency, 2)], now)
            .await
            .unwrap();
        let then = if n % 2 == 0 { 3 } else { 4 };
        app.store
            .save_check_in(id, *member, 30, &[(competency, then)], now)
            .await
            .unwrap();
    }
    let r = json_of(
        app.get(&format!("/api/v1/operator/pilots/{id}"), Some(&op))
            .await,
        StatusCode::OK,
    )
    .await;
    let day30 = &r["check_ins"][1];
    assert_eq!(day30["day"], 30);
    assert_eq!(day30["answered"], 6);
    assert_eq!(day30["gain_people"], 6);
    let close = |v: &Value, want: f64| (v.as_f64().unwrap() - want).abs() < 1e-3;
    assert!(close(&day30["gain"], 1.5), "{day30}");
    assert!(close(&day30["gain_low"], 1.5 - 0.5748), "{day30}");
    assert!(close(&day30["gain_high"], 1.5 + 0.5748), "{day30}");
    assert!(r["check_ins"][2]["gain"].is_null());
    assert_eq!(r["participants"], 0);
    assert_eq!(r["participation"]["share"], 0.0);
    assert_eq!(r["participation"]["of"], 6);
}
