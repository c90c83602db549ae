//! Operations intelligence on both backends: the hours job keeps each bookable mentor's
//! offered, booked and delivered hours per week (once, however often it runs), searches for a
//! time are counted by competency and the searcher's band without a person, bookings made are
//! counted by the mentee's band, and only operators read the report (API and page).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod common;

use common::App;
use reqwest::StatusCode;
use serde_json::{Value, json};
use stint_domain::clock::Clock;
use stint_domain::insights::MentorWeek;
use stint_domain::mentor::ZoneBand;
use stint_domain::schedule::hours::{week_start, weeks_back};
use stint_server::demo::DEMO_PASSWORD;

on_both_backends!(App;
    operators_see_supply_and_demand,
    forecasts_show_where_hours_will_fall_short,
    shortfalls_alert_operators_once_and_ask_mentors_with_room,
);

const SKU: &str = "career-pivot-30";

/// The report's row for this week (the last) in `band`, every competency together.
fn this_week(report: &Value, band: &str) -> Value {
    let week = report["weeks"].as_array().unwrap().last().unwrap().clone();
    report["by_band"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["week"] == week && r["band"] == band)
        .cloned()
        .unwrap_or(Value::Null)
}

async fn operators_see_supply_and_demand(app: App) {
    let op = app.operator().await;
    let sam = app.login("sam@stint.example", DEMO_PASSWORD).await;

    // Operators only; a bad `weeks` is named.
    let r = app.get("/api/v1/operator/insights", Some(&sam)).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = app.get("/api/v1/operator/insights", None).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    for bad in ["0", "53", "many", "", "+4"] {
        let r = app
            .get(&format!("/api/v1/operator/insights?weeks={bad}"), Some(&op))
            .await;
        let e =
            common::expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert!(e["fields"].get("weeks").is_some(), "{e}");
    }

    // Searches from Berlin: a day in the past finds nothing, a weekday ahead finds times,
    // and a search for one mentor is not demand.
    let today = app
        .clock
        .now()
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .date();
    let past = today.yesterday().unwrap();
    let ahead = today
        .checked_add(jiff::SignedDuration::from_hours(48))
        .unwrap();
    for (date, mentor) in [(past, ""), (ahead, ""), (ahead, "&mentor=2")] {
        let r = app
            .get(
                &format!("/api/v1/skus/{SKU}/times?date={date}&tz=Europe/Berlin{mentor}"),
                None,
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
    }

    // A page looking ahead on its own for the next available day is not a search.
    let sku = app.store.sku(SKU).await.unwrap().unwrap();
    let past_month = past.strftime("%Y-%m").to_string();
    let picker_app = app.core();
    let none = stint_app::picker::days_ahead(&picker_app, &sku, None, &past_month, "Europe/Berlin")
        .await
        .unwrap();
    // (Counts wait in each node's memory until flushed; the report flushes only its own.)
    stint_app::insights::demand::flush(&picker_app).await;
    assert!(none.days.is_empty());

    // A booking this week, then the hours job, twice (it replaces what it kept).
    let slot = app.slots_in_days(SKU, 1, 4).await[0].clone();
    let r = app
        .post(
            "/api/v1/bookings",
            Some(&sam),
            json!({"sku": SKU, "mentor_id": slot["mentor_id"], "start": slot["start"]}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let core = app.core();
    let first = stint_app::insights::hours::keep_recent(&core)
        .await
        .unwrap();
    let again = stint_app::insights::hours::keep_recent(&core)
        .await
        .unwrap();
    assert!(first > 0);
    assert_eq!(first, again);

    let r = app
        .get("/api/v1/operator/insights?weeks=4", Some(&op))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let report: Value = r.json().await.unwrap();
    assert_eq!(report["weeks"].as_array().unwrap().len(), 4);

    let europe = this_week(&report, "europe-africa");
    assert_eq!(europe["searches"], 2, "{europe}");
    assert_eq!(europe["searches_empty"], 1, "{europe}");

    // Supply: every mentor's band, hours offered, and the booked session's 30 minutes.
    let bands = ["americas", "europe-africa", "asia-pacific"];
    let rows: Vec<Value> = bands.iter().map(|b| this_week(&report, b)).collect();
    let mentors: i64 = rows.iter().filter_map(|r| r["mentors"].as_i64()).sum();
    let offered: i64 = rows
        .iter()
        .filter_map(|r| r["offered_minutes"].as_i64())
        .sum();
    let booked: i64 = rows
        .iter()
        .filter_map(|r| r["booked_minutes"].as_i64())
        .sum();
    let made: i64 = rows
        .iter()
        .filter_map(|r| r["bookings_made"].as_i64())
        .sum();
    assert!(mentors >= 4, "{rows:?}");
    assert!(offered >= 60 * 10, "{rows:?}");
    assert!(booked >= 30, "{rows:?}");
    assert!(made >= 1, "{rows:?}");
    for r in &rows {
        if let (Some(o), Some(b)) = (r["offered_minutes"].as_i64(), r["booked_minutes"].as_i64())
            && o > 0
        {
            let u = r["utilization"].as_f64().unwrap();
            assert!((u - b as f64 / o as f64).abs() < 1e-9, "{r}");
        }
    }
    // Per competency: the booked session's competency shows its minutes.
    let week = report["weeks"].as_array().unwrap().last().unwrap().clone();
    let by_competency: i64 = report["by_competency"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["week"] == week)
        .filter_map(|r| r["booked_minutes"].as_i64())
        .sum();
    assert!(by_competency >= booked, "{report}");

    // The page: operators see it; others are refused.
    let client = common::browser();
    common::log_in(&app, &client, "operator@stint.example").await;
    let (status, body, _) = common::page(&app, &client, "/operator/insights").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Supply and demand"), "{body}");
    assert!(body.contains("Hours offered"));
    assert!(body.contains("<svg class=\"chart\""));
    let (status, body, _) = common::page(&app, &client, "/operator/insights?weeks=99").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("from 1 to 52"), "{body}");
    let client = common::browser();
    common::log_in(&app, &client, "sam@stint.example").await;
    let (status, _, _) = common::page(&app, &client, "/operator/insights").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

/// Thirty weeks of kept hours: mentors in the Americas offered nothing, the others a steady
/// climb. A mentee in Chicago books; a week later the daily forecast shows the Americas short
/// of hours, and a modelled climb elsewhere.
async fn forecasts_show_where_hours_will_fall_short(app: App) {
    let op = app.operator().await;
    let sam = app.login("sam@stint.example", DEMO_PASSWORD).await;
    let r = app.get("/api/v1/operator/forecasts", Some(&sam)).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = app.get("/api/v1/operator/forecasts", None).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    plant_history(&app, &sam).await;
    let now = app.clock.now();

    let core = app.core();
    let made = stint_app::insights::forecast::refresh(&core).await.unwrap();
    assert!(made >= 6, "{made}");
    // A second run replaces the first.
    let again = stint_app::insights::forecast::refresh(&core).await.unwrap();
    assert_eq!(made, again);

    let r = app.get("/api/v1/operator/forecasts", Some(&op)).await;
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    let rows = body["forecasts"].as_array().unwrap();
    assert!(!rows.is_empty() && rows.len() <= made / 2, "{body}");
    let first_week = week_start(now)
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .date()
        .to_string();
    for row in rows {
        for series in ["demand", "supply"] {
            let weeks = row[series]["weeks"].as_array().unwrap();
            assert_eq!(weeks.len(), 8, "{row}");
            assert_eq!(weeks[0]["week"], first_week.as_str(), "{row}");
            for w in weeks {
                let (l, h, u) = (
                    w["lower"].as_f64().unwrap(),
                    w["hours"].as_f64().unwrap(),
                    w["upper"].as_f64().unwrap(),
                );
                assert!(0.0 <= l && l <= h && h <= u, "{row}");
            }
        }
    }
    // Sam booked in the Americas, where nothing was offered: short every week, listed first.
    let short = &rows[0];
    assert_eq!(short["band"], "americas", "{body}");
    assert_eq!(
        short["shortfall_weeks"].as_array().unwrap().len(),
        8,
        "{short}"
    );
    assert!(
        short["demand"]["weeks"][0]["hours"].as_f64().unwrap() > 0.0,
        "{short}"
    );
    // Elsewhere the climb is modelled (it beat the baseline on the held-out weeks) and goes on.
    let climbing = rows
        .iter()
        .find(|r| r["band"] != "americas" && r["supply"]["weeks"][0]["hours"].as_f64() > Some(0.0))
        .expect("a row with hours outside the Americas");
    let supply = &climbing["supply"];
    assert_eq!(supply["method"], "ets", "{climbing}");
    assert_eq!(supply["history_weeks"], 30, "{climbing}");
    assert!(
        supply["model_mase"].as_f64().unwrap() < 0.9 * supply["baseline_mase"].as_f64().unwrap(),
        "{climbing}"
    );
    let hours: Vec<f64> = supply["weeks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["hours"].as_f64().unwrap())
        .collect();
    assert!(hours[7] > hours[0], "{climbing}");
    assert!(
        climbing["shortfall_weeks"].as_array().unwrap().is_empty(),
        "{climbing}"
    );

    let client = common::browser();
    common::log_in(&app, &client, "operator@stint.example").await;
    let (status, page, _) = common::page(&app, &client, "/operator/insights").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("The next 8 weeks"), "{page}");
    assert!(page.contains("short of hours within 8 weeks"), "{page}");
    assert!(page.contains("MASE"), "{page}");

    // The same as spreadsheets: a row per competency, band, series and week.
    let r = client
        .get(app.url("/operator/forecasts.csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let csv = r.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].starts_with("competency,band,series,week,hours,lower_80,upper_80,shortfall"));
    assert_eq!(lines.len(), 1 + rows.len() * 2 * 8, "{csv}");
    assert!(
        lines
            .iter()
            .any(|l| l.contains(",americas,demand,") && l.contains(",true,"))
    );
    let (status, csv, _) = common::page(&app, &client, "/operator/insights.csv?weeks=4").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        csv.starts_with("week,competency,band,mentors,hours_offered"),
        "{csv}"
    );
    assert!(csv.lines().count() > 1, "{csv}");
    let client = common::browser();
    common::log_in(&app, &client, "sam@stint.example").await;
    for path in ["/operator/forecasts.csv", "/operator/insights.csv"] {
        let (status, _, _) = common::page(&app, &client, path).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
    }
}

/// Sam (Chicago) books this week; a week later, thirty weeks of kept hours are planted in
/// which mentors in the Americas offered nothing and the others a steady climb.
async fn plant_history(app: &App, sam: &str) {
    let slot = app.slots_in_days(SKU, 1, 4).await[0].clone();
    let r = app
        .post(
            "/api/v1/bookings",
            Some(sam),
            json!({"sku": SKU, "mentor_id": slot["mentor_id"], "start": slot["start"]}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    app.clock.advance(jiff::SignedDuration::from_hours(7 * 24));

    let now = app.clock.now();
    let last_week = week_start(now) - jiff::SignedDuration::from_hours(7 * 24);
    let weeks = weeks_back(last_week, 30);
    let mentors = app
        .store
        .mentor_week_inputs(weeks[0], week_start(now))
        .await
        .unwrap();
    let mut kept = Vec::new();
    for (t, week) in weeks.iter().enumerate() {
        for m in &mentors {
            let band = ZoneBand::of_zone(&m.timezone, *week).unwrap();
            let t = t as i64;
            let offered = if band == ZoneBand::Americas {
                0
            } else {
                600 + 20 * t + (t * 37) % 9 - 4
            };
            kept.push(MentorWeek {
                mentor: m.mentor,
                week_start: *week,
                band,
                offered_minutes: offered,
                booked_minutes: 0,
                delivered_minutes: 0,
            });
        }
    }
    app.store.save_mentor_weeks(&kept, now).await.unwrap();
}

/// An inbox as its owner reads it: the titles of the given kind.
async fn inbox_titles(app: &App, token: &str, kind: &str) -> Vec<String> {
    let inbox: Value = app
        .get("/api/v1/me/inbox", Some(token))
        .await
        .json()
        .await
        .unwrap();
    inbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["kind"] == kind)
        .map(|i| i["title"].as_str().unwrap().to_string())
        .collect()
}

/// Runs every queued alert that is due, as the worker would (other due jobs are only
/// marked done); how many ran.
async fn send_alerts(app: &App) -> usize {
    use stint_worker::Handler;
    let config = app.worker_config();
    let mailer = std::sync::Arc::new(stint_mail::Mailer::new(&config.mail).unwrap());
    let handler = stint_jobs::insights::SendAlert::new(app.core(), mailer, config.public_url);
    let now = app.clock.now();
    let lease = now + jiff::SignedDuration::from_hours(1);
    let mut sent = 0;
    for job in app
        .store
        .lease_jobs("test", now, lease, 1000)
        .await
        .unwrap()
    {
        if job.kind == stint_app::insights::alerts::ALERT {
            handler.run(&job).await.unwrap();
            sent += 1;
        }
        assert!(app.store.complete_job(job.id, "test", now).await.unwrap());
    }
    sent
}

/// The Americas fall short: operators are told once however often the forecast runs; Maya,
/// the Americas' mentor, is asked for more hours only with room under her caps, at most once
/// a fortnight, and not in her quiet hours.
async fn shortfalls_alert_operators_once_and_ask_mentors_with_room(app: App) {
    let op = app.operator().await;
    let sam = app.login("sam@stint.example", DEMO_PASSWORD).await;
    let maya = app.login("maya@stint.example", DEMO_PASSWORD).await;
    plant_history(&app, &sam).await;
    let core = app.core();
    stint_app::insights::forecast::refresh(&core).await.unwrap();
    app.clear_queue().await;

    // Maya offered 600 minutes this week and may take 10 sessions (of at most an hour):
    // no room.
    let mut rules: Value = app
        .get("/api/v1/mentors/me/availability", Some(&maya))
        .await
        .json()
        .await
        .unwrap();
    rules["caps"]["max_per_week"] = json!(10);
    let r = app
        .put(
            "/api/v1/mentors/me/availability",
            Some(&maya),
            rules.clone(),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let me: Value = app
        .get("/api/v1/me", Some(&maya))
        .await
        .json()
        .await
        .unwrap();
    let maya_id = stint_domain::ids::UserId(me["id"].as_i64().unwrap());
    let now = app.clock.now();
    let this_week = week_start(now);
    let at_cap = |offered: i64| MentorWeek {
        mentor: maya_id,
        week_start: this_week,
        band: ZoneBand::Americas,
        offered_minutes: offered,
        booked_minutes: 0,
        delivered_minutes: 0,
    };
    app.store
        .save_mentor_weeks(&[at_cap(600)], now)
        .await
        .unwrap();

    let raised = stint_app::insights::alerts::raise(&core).await.unwrap();
    assert!(raised.opened >= 1, "{raised:?}");
    assert_eq!(raised.asked, 0, "Maya is at her cap: {raised:?}");
    let opened = raised.opened;

    // The operator (London, 09:00 there) is told now; the same shortfall again is not news.
    assert_eq!(send_alerts(&app).await, opened);
    let told = inbox_titles(&app, &op, "shortfall").await;
    assert_eq!(told.len(), opened, "{told:?}");
    assert!(
        told.iter().all(|t| t.starts_with("Hours running short")),
        "{told:?}"
    );
    let again = stint_app::insights::alerts::raise(&core).await.unwrap();
    assert_eq!(again.opened, 0, "{again:?}");

    // With room under her cap Maya is asked, after her quiet hours (04:00 in New York now;
    // they end at 07:00, 11:00 UTC), and only once a fortnight.
    app.store
        .save_mentor_weeks(&[at_cap(120)], now)
        .await
        .unwrap();
    let raised = stint_app::insights::alerts::raise(&core).await.unwrap();
    assert_eq!((raised.opened, raised.asked), (0, 1), "{raised:?}");
    let queued: Vec<_> = app
        .store
        .jobs(Some(stint_store::JobState::Queued), None, 100)
        .await
        .unwrap()
        .into_iter()
        .filter(|j| j.kind == stint_app::insights::alerts::ALERT)
        .collect();
    assert_eq!(queued.len(), 1);
    let quiet_ends = "2026-06-08T11:00:00Z".parse::<jiff::Timestamp>().unwrap();
    assert!(now < quiet_ends, "{now}");
    assert_eq!(queued[0].due_at, quiet_ends);
    assert_eq!(send_alerts(&app).await, 0, "not in her quiet hours");
    let again = stint_app::insights::alerts::raise(&core).await.unwrap();
    assert_eq!(again.asked, 0, "{again:?}");

    app.clock.advance(jiff::SignedDuration::from_hours(3));
    assert_eq!(send_alerts(&app).await, 1);
    let asked = inbox_titles(&app, &maya, "more_hours").await;
    assert_eq!(asked.len(), 1, "{asked:?}");
    assert!(asked[0].contains("need more"), "{asked:?}");
    assert!(inbox_titles(&app, &sam, "more_hours").await.is_empty());

    // A week on, still short: not asked again yet.
    app.clock.advance(jiff::SignedDuration::from_hours(7 * 24));
    let week_on = stint_app::insights::alerts::raise(&core).await.unwrap();
    assert_eq!((week_on.opened, week_on.asked), (0, 0), "{week_on:?}");

    // Two weeks on, still short: asked again, the operators not told again.
    app.clock.advance(jiff::SignedDuration::from_hours(7 * 24));
    app.store
        .save_mentor_weeks(
            &[MentorWeek {
                week_start: week_start(app.clock.now()),
                ..at_cap(120)
            }],
            app.clock.now(),
        )
        .await
        .unwrap();
    let later = stint_app::insights::alerts::raise(&core).await.unwrap();
    assert_eq!((later.opened, later.asked), (0, 1), "{later:?}");

    // Preferences offer each alert to whom it can reach.
    for (email, shows, hides) in [
        (
            "maya@stint.example",
            "More hours wanted",
            "Hours running short",
        ),
        (
            "operator@stint.example",
            "Hours running short",
            "More hours wanted",
        ),
    ] {
        let client = common::browser();
        common::log_in(&app, &client, email).await;
        let (status, page, _) = common::page(&app, &client, "/account").await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains(shows), "{email}");
        assert!(!page.contains(hides), "{email}");
    }
}
