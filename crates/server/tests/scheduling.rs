//! Scheduling over HTTP on both backends: availability, slot search in the viewer's zone,
//! booking that never double-books (also across two server processes), idempotent
//! retries, reschedule, cancel, no-show, who may see what, and calendar files Python's
//! `icalendar` reads (ignored without it, except with `CI=true`, where it fails).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod common;

use common::{App, expect_error};
use reqwest::StatusCode;
use serde_json::{Value, json};
use stint_domain::clock::Clock;
use stint_server::demo::DEMO_PASSWORD;

on_both_backends!(App, url;
    slots_are_offered_in_the_viewers_zone_and_bad_windows_refused,
    slots_keep_the_mentors_local_hours_through_a_dst_change,
    mentors_edit_their_availability,
    booking_lifecycle_over_the_api,
    bad_booking_requests_write_nothing,
    many_clients_racing_for_one_slot_on_two_nodes_get_one_booking,
    idempotent_retries_make_one_booking,
    calendar_invites_and_private_feeds,
    the_picker_answers_days_and_times_as_the_slots_say,
    kept_picker_answers_hold_only_while_true,
    any_mentor_bookings_share_the_load_by_the_fair_rule,
    calendar_files_are_read_by_python_icalendar [peer_python_icalendar,
        "needs Python's icalendar: pip install icalendar==7.3.2, then touch crates/server/build.rs"],
);

/// A window of days from `from` to `to` days after the test servers' first day (UTC), as
/// YYYY-MM-DD.
fn days_ahead(from: i64, to: i64) -> (String, String) {
    let today = common::test_epoch()
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .date();
    let day = |n: i64| {
        today
            .checked_add(jiff::SignedDuration::from_hours(24 * n))
            .unwrap()
            .to_string()
    };
    (day(from), day(to))
}

/// The path of the next page an answer's `Link` header names, if any.
fn next_page(r: &reqwest::Response) -> Option<String> {
    r.headers()
        .get("link")
        .and_then(|l| l.to_str().ok())
        .and_then(|l| l.strip_prefix('<'))
        .and_then(|l| l.split_once(">; rel=\"next\""))
        .map(|(p, _)| p.to_string())
}

async fn slots(app: &App, sku: &str, tz: &str) -> Vec<Value> {
    let (from, to) = days_ahead(2, 9);
    let r = app
        .get(
            &format!("/api/v1/skus/{sku}/slots?from={from}&to={to}&tz={tz}"),
            None,
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    body["slots"].as_array().unwrap().clone()
}

/// A DST week chosen on purpose: the United States move their clocks on Sunday 8 March 2026.
/// Maya (New York, weekdays 08:00–12:00 and 13:00–17:00) keeps her local hours on both sides,
/// so her UTC times move by an hour and her offset changes from -05:00 to -04:00.
async fn slots_keep_the_mentors_local_hours_through_a_dst_change(app: App, _: String) {
    let wednesday: jiff::Timestamp = "2026-03-04T12:00:00Z".parse().unwrap();
    app.clock.advance(wednesday.duration_since(app.clock.now()));
    let r = app
        .get(
            "/api/v1/skus/negotiation-clinic-45/slots?from=2026-03-05&to=2026-03-11&tz=America/New_York",
            None,
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    let ny = jiff::tz::TimeZone::get("America/New_York").unwrap();
    let mut by_day: std::collections::BTreeMap<jiff::civil::Date, Vec<(String, String)>> =
        Default::default();
    for s in body["slots"].as_array().unwrap() {
        if s["mentor_name"] != "Maya Goldberg" {
            continue;
        }
        let text = s["start"].as_str().unwrap();
        let local = text
            .parse::<jiff::Timestamp>()
            .unwrap()
            .to_zoned_datetime(ny.clone());
        let offset = text[text.len() - 6..].to_string();
        by_day
            .entry(local.date())
            .or_default()
            .push((local.time().strftime("%H:%M").to_string(), offset));
    }
    let allowed = |t: &str| ("08:00"..="11:15").contains(&t) || ("13:00"..="16:15").contains(&t);
    let dst = jiff::civil::date(2026, 3, 8);
    for (day, slots) in &by_day {
        let want = if *day < dst { "-05:00" } else { "-04:00" };
        for (time, offset) in slots {
            assert!(allowed(time), "{day} {time}: outside Maya's hours");
            assert_eq!(offset, want, "{day} {time}");
        }
    }
    let days: Vec<_> = by_day.keys().map(|d| d.to_string()).collect();
    assert_eq!(
        days,
        [
            "2026-03-05",
            "2026-03-06",
            "2026-03-09",
            "2026-03-10",
            "2026-03-11"
        ],
        "Maya's weekdays on both sides of the change"
    );
    for (day, slots) in &by_day {
        assert!(
            slots.iter().any(|(t, _)| t == "08:00") || slots.iter().any(|(t, _)| t == "13:00"),
            "{day}: a working block starts at its local time"
        );
    }
}

async fn slots_are_offered_in_the_viewers_zone_and_bad_windows_refused(app: App, _: String) {
    let found = slots(&app, "negotiation-clinic-45", "Asia/Tokyo").await;
    assert!(
        found.len() > 10,
        "a week of demo availability offers plenty: {}",
        found.len()
    );
    let names: std::collections::BTreeSet<&str> = found
        .iter()
        .map(|s| s["mentor_name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names.into_iter().collect::<Vec<_>>(),
        vec!["Liam O'Connor", "Maya Goldberg"]
    );
    for s in &found {
        let start = s["start"].as_str().unwrap();
        assert!(
            start.ends_with("+09:00"),
            "{start} is in the viewer's offset"
        );
        let (a, b): (jiff::Timestamp, jiff::Timestamp) = (
            start.parse().unwrap(),
            s["end"].as_str().unwrap().parse().unwrap(),
        );
        assert_eq!(b.duration_since(a), jiff::SignedDuration::from_mins(45));
    }
    let mut sorted = found.clone();
    sorted.sort_by_key(|s| {
        s["start"]
            .as_str()
            .unwrap()
            .parse::<jiff::Timestamp>()
            .unwrap()
    });
    assert_eq!(sorted, found, "earliest first");
    assert!(
        found.len() < 500,
        "one page holds the week: {}",
        found.len()
    );
    // The same week a few times at a time, by the `Link` header's next page: every time once,
    // in the same order (both mentors share starts, so a page may end between them).
    let (from, to) = days_ahead(2, 9);
    let mut paged: Vec<Value> = Vec::new();
    let mut next = Some(format!(
        "/api/v1/skus/negotiation-clinic-45/slots?from={from}&to={to}&tz=Asia/Tokyo&limit=7"
    ));
    while let Some(path) = next.take() {
        let r = app.get(&path, None).await;
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        next = next_page(&r);
        let page: Value = r.json().await.unwrap();
        let times = page["slots"].as_array().unwrap();
        assert!(times.len() <= 7 && (next.is_none() || times.len() == 7));
        paged.extend(times.iter().cloned());
    }
    assert_eq!(paged, found);

    for q in ["after=soon", "after=1.x", "limit=0", "limit=2001"] {
        let r = app
            .get(
                &format!("/api/v1/skus/negotiation-clinic-45/slots?from={from}&to={to}&tz=UTC&{q}"),
                None,
            )
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{q}");
    }

    let (from, to) = days_ahead(2, 3);
    let bad = |q: String| {
        let path = format!("/api/v1/skus/negotiation-clinic-45/slots?{q}");
        let app = &app;
        async move { app.get(&path, None).await }
    };
    let e = expect_error(
        bad(format!("from={from}&to={to}&tz=Mars/Olympus")).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(e["fields"]["tz"].is_string());
    let e = expect_error(
        bad(format!("from={to}&to={from}&tz=UTC")).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(e["fields"]["to"].is_string());
    let (f, t) = days_ahead(0, 70);
    let e = expect_error(
        bad(format!("from={f}&to={t}&tz=UTC")).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(e["fields"]["to"].as_str().unwrap().contains("62"));
    let e = expect_error(
        bad(format!("from=tomorrow&to={to}&tz=UTC")).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(e["fields"]["from"].is_string());
    expect_error(
        app.get(
            &format!("/api/v1/skus/nope/slots?from={from}&to={to}&tz=UTC"),
            None,
        )
        .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    let only_maya = app
        .get("/api/v1/mentors?sku=negotiation-clinic-45", None)
        .await
        .json::<Value>()
        .await
        .unwrap();
    let maya = only_maya
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["display_name"] == "Maya Goldberg")
        .unwrap()["id"]
        .clone();
    let r = app
        .get(
            &format!(
                "/api/v1/skus/negotiation-clinic-45/slots?from={from}&to={to}&tz=UTC&mentor={maya}"
            ),
            None,
        )
        .await;
    let body: Value = r.json().await.unwrap();
    assert!(
        body["slots"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["mentor_id"] == maya)
    );
}

async fn mentors_edit_their_availability(app: App, _: String) {
    let maya = app.login("maya@stint.example", DEMO_PASSWORD).await;
    let current: Value = app
        .get("/api/v1/mentors/me/availability", Some(&maya))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(current["timezone"], "America/New_York");
    assert_eq!(current["weekly"]["mon"][0]["start"], "08:00");
    let mut bad = current.clone();
    bad["weekly"]["tue"] =
        json!([{"start": "09:00", "end": "12:00"}, {"start": "11:00", "end": "13:00"}]);
    bad["weekly"]["wed"] = json!([{"start": "15:00", "end": "14:00"}]);
    bad["weekly"]["thu"] = json!([{"start": "9am", "end": "10:00"}]);
    bad["timezone"] = json!("Mars/Base");
    let e = expect_error(
        app.put("/api/v1/mentors/me/availability", Some(&maya), bad)
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    for f in [
        "weekly.tue.1",
        "weekly.wed.0",
        "weekly.thu.0.start",
        "timezone",
    ] {
        assert!(e["fields"][f].is_string(), "{f}: {e}");
    }
    let unchanged: Value = app
        .get("/api/v1/mentors/me/availability", Some(&maya))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(unchanged, current, "nothing written");
    let mut good = current.clone();
    good["weekly"]["sat"] = json!([{"start": "10:00", "end": "11:00"}]);
    good["caps"]["max_per_day"] = json!(2);
    let r = app
        .put("/api/v1/mentors/me/availability", Some(&maya), good.clone())
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let saved: Value = app
        .get("/api/v1/mentors/me/availability", Some(&maya))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(saved["weekly"]["sat"], good["weekly"]["sat"]);
    let sam = app.login("sam@stint.example", DEMO_PASSWORD).await;
    expect_error(
        app.get("/api/v1/mentors/me/availability", Some(&sam)).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
}

async fn book(app: &App, token: &str, sku: &str, slot: &Value) -> reqwest::Response {
    app.post(
        "/api/v1/bookings",
        Some(token),
        json!({"sku": sku, "mentor_id": slot["mentor_id"], "start": slot["start"]}),
    )
    .await
}

async fn booking_lifecycle_over_the_api(app: App, _: String) {
    let sam = app.login("sam@stint.example", DEMO_PASSWORD).await;
    let lena = app.login("lena@stint.example", DEMO_PASSWORD).await;
    let found = slots(&app, "technical-triage-20", "America/Chicago").await;
    let first = &found[0];
    let r = book(&app, &sam, "technical-triage-20", first).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let booking: Value = r.json().await.unwrap();
    assert_eq!(booking["status"], "confirmed");
    assert_eq!(booking["sku"]["version"], 1);
    assert_eq!(
        booking["start"], first["start"],
        "shown in the mentee's zone (Chicago)"
    );
    assert!(
        booking["meeting_url"]
            .as_str()
            .unwrap()
            .starts_with("https://")
    );
    assert!(
        booking["policy"]["cancellation"]
            .as_str()
            .unwrap()
            .starts_with("Free cancellation until ")
    );
    assert!(booking["mentor"]["local_start"].as_str().is_some());
    let id = booking["id"].as_i64().unwrap();

    // The slot is gone for everyone, and a second booking of it is refused.
    let again = slots(&app, "technical-triage-20", "America/Chicago").await;
    assert!(
        !again
            .iter()
            .any(|s| s["start"] == first["start"] && s["mentor_id"] == first["mentor_id"])
    );
    expect_error(
        book(&app, &lena, "technical-triage-20", first).await,
        StatusCode::CONFLICT,
        "slot_taken",
    )
    .await;

    // Only the parties (and operators) see it.
    expect_error(
        app.get(&format!("/api/v1/bookings/{id}"), Some(&lena))
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    expect_error(
        app.post(
            &format!("/api/v1/bookings/{id}/cancel"),
            Some(&lena),
            json!({"reason": "x"}),
        )
        .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    let mine: Value = app
        .get("/api/v1/bookings", Some(&sam))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(made_here(&mine).len(), 1);
    // The same list a page at a time, by the `Link` header's next page: every booking once,
    // in the same order.
    let mut paged: Vec<Value> = Vec::new();
    let mut next = Some("/api/v1/bookings?limit=2".to_string());
    while let Some(path) = next.take() {
        let r = app.get(&path, Some(&sam)).await;
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        next = next_page(&r);
        let page: Value = r.json().await.unwrap();
        assert!(page.as_array().unwrap().len() <= 2);
        paged.extend(page.as_array().unwrap().iter().cloned());
    }
    assert_eq!(Value::Array(paged), mine);
    let r = app.get("/api/v1/bookings?after=soon", Some(&sam)).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let lenas: Value = app
        .get("/api/v1/bookings", Some(&lena))
        .await
        .json()
        .await
        .unwrap();
    assert!(made_here(&lenas).is_empty());
    let mentor_email = if first["mentor_name"] == "Jonas Weber" {
        "jonas@stint.example"
    } else {
        "priya@stint.example"
    };
    let mentor = app.login(mentor_email, DEMO_PASSWORD).await;
    let seen: Value = app
        .get(&format!("/api/v1/bookings/{id}"), Some(&mentor))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(seen["mentee"]["display_name"], "Sam Okafor");
    let op = app.operator().await;
    assert_eq!(
        app.get(&format!("/api/v1/bookings/{id}"), Some(&op))
            .await
            .status(),
        StatusCode::OK
    );

    // A no-show cannot be reported before the start.
    let r = app
        .post(
            &format!("/api/v1/bookings/{id}/no-show"),
            Some(&sam),
            json!({"side": "mentor"}),
        )
        .await;
    expect_error(r, StatusCode::CONFLICT, "too_early").await;
    let r = app
        .post(
            &format!("/api/v1/bookings/{id}/no-show"),
            Some(&sam),
            json!({"side": "mentee"}),
        )
        .await;
    expect_error(r, StatusCode::FORBIDDEN, "forbidden").await;

    // Reschedule to another slot of the same mentor: the sequence goes up.
    let other = again
        .iter()
        .find(|s| s["mentor_id"] == first["mentor_id"] && s["start"] != first["start"])
        .unwrap();
    let moved = app
        .post(
            &format!("/api/v1/bookings/{id}/reschedule"),
            Some(&sam),
            json!({"start": other["start"]}),
        )
        .await;
    assert_eq!(moved.status(), StatusCode::OK);
    let moved: Value = moved.json().await.unwrap();
    assert_eq!(
        (moved["start"].as_str(), moved["sequence"].as_i64()),
        (other["start"].as_str(), Some(1))
    );
    // Its old time is free again.
    assert_eq!(
        book(&app, &lena, "technical-triage-20", first)
            .await
            .status(),
        StatusCode::CREATED
    );
    // Moving onto Lena's booking is refused.
    let r = app
        .post(
            &format!("/api/v1/bookings/{id}/reschedule"),
            Some(&sam),
            json!({"start": first["start"]}),
        )
        .await;
    expect_error(r, StatusCode::CONFLICT, "slot_taken").await;

    let cancelled: Value = app
        .post(
            &format!("/api/v1/bookings/{id}/cancel"),
            Some(&sam),
            json!({"reason": "Got the answer already"}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(cancelled["status"], "cancelled");
    assert_eq!(
        cancelled["late_cancellation"], false,
        "days ahead is before the cut-off"
    );
    let history: Vec<&str> = cancelled["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["status"].as_str().unwrap())
        .collect();
    assert_eq!(history, vec!["confirmed", "confirmed", "cancelled"]);
    let r = app
        .post(
            &format!("/api/v1/bookings/{id}/cancel"),
            Some(&sam),
            json!({"reason": "again"}),
        )
        .await;
    expect_error(r, StatusCode::CONFLICT, "conflict").await;
}

async fn bad_booking_requests_write_nothing(app: App, _: String) {
    let sam = app.login("sam@stint.example", DEMO_PASSWORD).await;
    let found = slots(&app, "career-pivot-30", "UTC").await;
    let slot = &found[0];
    let start: jiff::Timestamp = slot["start"].as_str().unwrap().parse().unwrap();
    let odd = start
        .checked_add(jiff::SignedDuration::from_mins(7))
        .unwrap()
        .to_string();
    let cases = [
        (
            json!({"sku": "career-pivot-30", "mentor_id": slot["mentor_id"], "start": odd}),
            "start",
        ),
        (
            json!({"sku": "career-pivot-30", "mentor_id": slot["mentor_id"], "start": "2020-01-01T09:00:00Z"}),
            "start",
        ),
        (
            json!({"sku": "career-pivot-30", "mentor_id": slot["mentor_id"], "start": "next tuesday"}),
            "start",
        ),
        (
            json!({"sku": "no-such-sku", "mentor_id": slot["mentor_id"], "start": slot["start"]}),
            "sku",
        ),
        (
            json!({"sku": "career-pivot-30", "mentor_id": 999999, "start": slot["start"]}),
            "mentor_id",
        ),
    ];
    for (body, field) in cases {
        let e = expect_error(
            app.post("/api/v1/bookings", Some(&sam), body.clone()).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert!(e["fields"][field].is_string(), "{body}: {e}");
    }
    expect_error(
        app.post("/api/v1/bookings", None, json!({})).await,
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
    )
    .await;
    let mine: Value = app
        .get("/api/v1/bookings", Some(&sam))
        .await
        .json()
        .await
        .unwrap();
    assert!(made_here(&mine).is_empty(), "nothing written");
}

async fn many_clients_racing_for_one_slot_on_two_nodes_get_one_booking(app: App, url: String) {
    let second = app.another_node(&url).await;
    let found = slots(&app, "negotiation-clinic-45", "UTC").await;
    let slot = found[0].clone();
    // Twelve mentees, each on one of two nodes, all want the same slot at once.
    // Their accounts are made as an operator's import would: sign-up is not what is tested.
    let mut tokens = Vec::new();
    for i in 0..12 {
        common::make_mentee(
            &app,
            &format!("racer{i}@example.com"),
            &format!("Racer {i}"),
        )
        .await;
        tokens.push(
            app.login(&format!("racer{i}@example.com"), "a long passphrase")
                .await,
        );
    }
    let app = std::sync::Arc::new(app);
    let second = std::sync::Arc::new(second);
    let mut tasks = Vec::new();
    for (i, token) in tokens.into_iter().enumerate() {
        let node = if i % 2 == 0 {
            app.clone()
        } else {
            second.clone()
        };
        let slot = slot.clone();
        tasks.push(tokio::spawn(async move {
            book(&node, &token, "negotiation-clinic-45", &slot)
                .await
                .status()
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == StatusCode::CREATED)
            .count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses
            .iter()
            .all(|s| *s == StatusCode::CREATED || *s == StatusCode::CONFLICT),
        "losers get 409: {statuses:?}"
    );
}

async fn idempotent_retries_make_one_booking(app: App, _: String) {
    let sam = app.login("sam@stint.example", DEMO_PASSWORD).await;
    let found = slots(&app, "career-pivot-30", "UTC").await;
    let body = json!({"sku": "career-pivot-30", "mentor_id": found[0]["mentor_id"], "start": found[0]["start"]});
    let send = |body: Value| {
        app.http
            .post(app.url("/api/v1/bookings"))
            .bearer_auth(&sam)
            .header("Idempotency-Key", "retry-1")
            .json(&body)
            .send()
    };
    let (a, b, c) = tokio::join!(send(body.clone()), send(body.clone()), send(body.clone()));
    let mut ids = std::collections::BTreeSet::new();
    for r in [a, b, c] {
        let r = r.unwrap();
        assert!(
            r.status() == StatusCode::CREATED || r.status() == StatusCode::OK,
            "{}",
            r.status()
        );
        ids.insert(r.json::<Value>().await.unwrap()["id"].as_i64().unwrap());
    }
    assert_eq!(ids.len(), 1, "one booking for one key");
    let replay = send(body.clone()).await.unwrap();
    assert_eq!(replay.status(), StatusCode::OK);
    let mut other = body.clone();
    other["start"] = found[1]["start"].clone();
    let e = expect_error(
        send(other).await.unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "idempotency_key_reused",
    )
    .await;
    assert!(e["fields"]["Idempotency-Key"].is_string());
    let mine: Value = app
        .get("/api/v1/bookings", Some(&sam))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(made_here(&mine).len(), 1);
}

/// The bookings of a list made by the test: the demo's history is all completed sessions.
fn made_here(list: &Value) -> Vec<&Value> {
    list.as_array()
        .unwrap()
        .iter()
        .filter(|b| b["status"] != "completed")
        .collect()
}

/// Parses a calendar file with Python's `icalendar` and returns its VEVENT count.
fn python_icalendar_events(ics: &str) -> usize {
    stint_testkit::require(stint_testkit::Peer::PythonIcalendar);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("calendar.ics");
    std::fs::write(&path, ics).unwrap();
    let script = "import icalendar,sys\nc=icalendar.Calendar.from_ical(open(sys.argv[1],'rb').read())\nprint(len(c.walk('VEVENT')))";
    let out = std::process::Command::new(stint_testkit::python())
        .args(["-c", script, path.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "icalendar failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
}

/// An invitation and a private feed, as Python's `icalendar` reads them: one event per booking.
async fn calendar_files_are_read_by_python_icalendar(app: App, _: String) {
    let sam = app.login("sam@stint.example", DEMO_PASSWORD).await;
    let found = slots(&app, "career-pivot-30", "UTC").await;
    let booking: Value = book(&app, &sam, "career-pivot-30", &found[0])
        .await
        .json()
        .await
        .unwrap();
    let id = booking["id"].as_i64().unwrap();
    let invite = app
        .get(&format!("/api/v1/bookings/{id}/invite.ics"), Some(&sam))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(python_icalendar_events(&invite), 1, "{invite}");

    let feed: Value = app
        .post("/api/v1/me/calendar-feed", Some(&sam), json!({}))
        .await
        .json()
        .await
        .unwrap();
    let url = feed["url"].as_str().unwrap().to_string();
    let path = &url[url.find("/calendar/").unwrap()..];
    let listed = app.get(path, None).await.text().await.unwrap();
    let all: Value = app
        .get("/api/v1/bookings", Some(&sam))
        .await
        .json()
        .await
        .unwrap();
    let count = all.as_array().unwrap().len();
    assert_eq!(python_icalendar_events(&listed), count, "{listed}");
}

async fn calendar_invites_and_private_feeds(app: App, _: String) {
    let sam = app.login("sam@stint.example", DEMO_PASSWORD).await;
    let lena = app.login("lena@stint.example", DEMO_PASSWORD).await;
    let found = slots(&app, "career-pivot-30", "UTC").await;
    let booking: Value = book(&app, &sam, "career-pivot-30", &found[0])
        .await
        .json()
        .await
        .unwrap();
    let id = booking["id"].as_i64().unwrap();
    let invite = app
        .get(&format!("/api/v1/bookings/{id}/invite.ics"), Some(&sam))
        .await;
    assert_eq!(invite.status(), StatusCode::OK);
    assert!(
        invite.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/calendar")
    );
    let text = invite.text().await.unwrap();
    for needle in [
        "METHOD:REQUEST",
        &format!("UID:booking-{id}@stint"),
        "SEQUENCE:0",
        "DTSTART;TZID=America/Chicago:",
        "BEGIN:VTIMEZONE",
    ] {
        assert!(text.contains(needle), "{needle} missing:\n{text}");
    }
    expect_error(
        app.get(&format!("/api/v1/bookings/{id}/invite.ics"), Some(&lena))
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;

    let feed: Value = app
        .post("/api/v1/me/calendar-feed", Some(&sam), json!({}))
        .await
        .json()
        .await
        .unwrap();
    let url = feed["url"].as_str().unwrap().to_string();
    let path = &url[url.find("/calendar/").unwrap()..];
    let listed = app.get(path, None).await.text().await.unwrap();
    assert!(
        listed.contains(&format!("UID:booking-{id}@stint")) && !listed.contains("METHOD:"),
        "{listed}"
    );
    // One event per booking of Sam's, the demo's past sessions included.
    let all: Value = app
        .get("/api/v1/bookings", Some(&sam))
        .await
        .json()
        .await
        .unwrap();
    let count = all.as_array().unwrap().len();
    assert!(count > 1, "the demo gives Sam a history");

    // Rescheduling bumps the sequence; cancelling sends METHOD:CANCEL with the same UID.
    let other = found
        .iter()
        .find(|s| s["mentor_id"] == found[0]["mentor_id"] && s["start"] != found[0]["start"])
        .unwrap();
    app.post(
        &format!("/api/v1/bookings/{id}/reschedule"),
        Some(&sam),
        json!({"start": other["start"]}),
    )
    .await;
    let text = app
        .get(&format!("/api/v1/bookings/{id}/invite.ics"), Some(&sam))
        .await
        .text()
        .await
        .unwrap();
    assert!(text.contains("SEQUENCE:1"), "{text}");
    app.post(
        &format!("/api/v1/bookings/{id}/cancel"),
        Some(&sam),
        json!({"reason": "x"}),
    )
    .await;
    let text = app
        .get(&format!("/api/v1/bookings/{id}/invite.ics"), Some(&sam))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        text.contains("METHOD:CANCEL")
            && text.contains("STATUS:CANCELLED")
            && text.contains(&format!("UID:booking-{id}@stint")),
        "{text}"
    );

    // A new link revokes the old one; turning it off revokes both.
    let newer: Value = app
        .post("/api/v1/me/calendar-feed", Some(&sam), json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(app.get(path, None).await.status(), StatusCode::NOT_FOUND);
    let newer = newer["url"].as_str().unwrap().to_string();
    let newer_path = &newer[newer.find("/calendar/").unwrap()..];
    assert_eq!(app.get(newer_path, None).await.status(), StatusCode::OK);
    let r = app
        .http
        .delete(app.url("/api/v1/me/calendar-feed"))
        .bearer_auth(&sam)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.get(newer_path, None).await.status(),
        StatusCode::NOT_FOUND
    );
}

/// The picker's days and times agree with the full slot list (each time once, counted per
/// mentor free, days in the viewer's zone); a booking takes one mentor off its time; bad
/// questions are refused by field.
async fn the_picker_answers_days_and_times_as_the_slots_say(app: App, _: String) {
    let sku = "career-pivot-30";
    let tz = "Europe/Berlin";
    let get = |path: String| {
        let app = &app;
        async move {
            let r = app.get(&path, None).await;
            let status = r.status();
            let body: Value = r.json().await.unwrap();
            (status, body)
        }
    };
    let month_of = |d: &str| d[..7].to_string();
    let (from, _) = days_ahead(2, 2);
    let month = month_of(&from);
    let first: jiff::civil::Date = format!("{month}-01").parse().unwrap();
    // The whole month on one page.
    let (status, all) = get(format!(
        "/api/v1/skus/{sku}/slots?from={first}&to={}&tz={tz}&limit=2000",
        first.last_of_month()
    ))
    .await;
    assert_eq!(status, StatusCode::OK, "{all}");
    let slots = all["slots"].as_array().unwrap().clone();
    assert!(!slots.is_empty() && slots.len() < 2000, "{}", slots.len());
    let mut expected_days: Vec<String> = slots
        .iter()
        .map(|s| s["start"].as_str().unwrap()[..10].to_string())
        .collect();
    expected_days.dedup();
    let (status, days) = get(format!("/api/v1/skus/{sku}/days?month={month}&tz={tz}")).await;
    assert_eq!(status, StatusCode::OK, "{days}");
    let got: Vec<String> = days["days"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap().to_string())
        .collect();
    assert_eq!(got, expected_days);
    assert_eq!(days["month"], month.as_str());

    // The busiest day: each start once, with as many mentors as the slot list has.
    let day = expected_days
        .iter()
        .max_by_key(|d| {
            slots
                .iter()
                .filter(|s| s["start"].as_str().unwrap().starts_with(d.as_str()))
                .count()
        })
        .unwrap()
        .clone();
    let on_day: Vec<&Value> = slots
        .iter()
        .filter(|s| s["start"].as_str().unwrap().starts_with(&day))
        .collect();
    let (status, times) = get(format!("/api/v1/skus/{sku}/times?date={day}&tz={tz}")).await;
    assert_eq!(status, StatusCode::OK, "{times}");
    let times = times["times"].as_array().unwrap().clone();
    let mut counted: Vec<(String, u64)> = Vec::new();
    for s in &on_day {
        let start = s["start"].as_str().unwrap().to_string();
        match counted.last_mut() {
            Some((last, n)) if *last == start => *n += 1,
            _ => counted.push((start, 1)),
        }
    }
    let answered: Vec<(String, u64)> = times
        .iter()
        .map(|t| {
            (
                t["start"].as_str().unwrap().to_string(),
                t["mentors"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(answered, counted);

    // Booking a time with two mentors free leaves one.
    let (start, n) = counted
        .iter()
        .find(|(_, n)| *n >= 2)
        .cloned()
        .expect("a time two mentors share");
    let slot = on_day
        .iter()
        .find(|s| s["start"] == start.as_str())
        .unwrap();
    let token = app.login("sam@stint.example", DEMO_PASSWORD).await;
    assert_eq!(
        book(&app, &token, sku, slot).await.status(),
        StatusCode::CREATED
    );
    let (_, after) = get(format!("/api/v1/skus/{sku}/times?date={day}&tz={tz}")).await;
    let left = after["times"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["start"] == start.as_str())
        .map_or(0, |t| t["mentors"].as_u64().unwrap());
    assert_eq!(left, n - 1);
    // One mentor: each of their times once, one mentor each.
    let mentor = slot["mentor_id"].as_i64().unwrap();
    let (_, theirs) = get(format!(
        "/api/v1/skus/{sku}/times?date={day}&tz={tz}&mentor={mentor}"
    ))
    .await;
    assert!(
        theirs["times"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["mentors"] == 1),
        "{theirs}"
    );

    for (path, field) in [
        (
            format!("/api/v1/skus/{sku}/days?month=2026-13&tz={tz}"),
            "month",
        ),
        (
            format!("/api/v1/skus/{sku}/days?month={month}&tz=Mars/Base"),
            "tz",
        ),
        (
            format!("/api/v1/skus/{sku}/times?date=soon&tz={tz}"),
            "date",
        ),
        (
            format!("/api/v1/skus/{sku}/times?date={day}&tz={tz}&mentor=999999"),
            "mentor",
        ),
    ] {
        let (status, e) = get(path.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {e}");
        assert!(e["error"]["fields"][field].is_string(), "{path}: {e}");
    }
    let (status, _) = get(format!(
        "/api/v1/skus/no-such-sku/days?month={month}&tz={tz}"
    ))
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// Booking without a mentor at times two mentors share: each goes to a mentor free then, the
/// two take the load in turn (never one of them always), and a retry with its key replays
/// the booking made, whoever is free by then.
async fn any_mentor_bookings_share_the_load_by_the_fair_rule(app: App, _: String) {
    let sku = "career-pivot-30";
    let mut shared: Vec<String> = Vec::new();
    for d in 2..14 {
        let (day, _) = days_ahead(d, d);
        let r = app
            .get(&format!("/api/v1/skus/{sku}/times?date={day}&tz=UTC"), None)
            .await;
        let body: Value = r.json().await.unwrap();
        // Two shared times a day, an hour and more apart, so one booking cannot take the
        // other's mentor.
        let mut last: Option<jiff::Timestamp> = None;
        for t in body["times"].as_array().unwrap() {
            let start: jiff::Timestamp = t["start"].as_str().unwrap().parse().unwrap();
            let apart = last.is_none_or(|l| start.duration_since(l).as_hours() >= 1);
            if t["mentors"].as_u64().unwrap() >= 2 && apart {
                shared.push(t["start"].as_str().unwrap().to_string());
                last = Some(start);
            }
        }
    }
    assert!(shared.len() >= 13, "{shared:?}");
    shared.truncate(13);
    let retried = shared.pop().unwrap();
    let mut tokens = Vec::new();
    for n in 0..2 {
        let email = format!("any.{n}@example.com");
        common::make_mentee(&app, &email, "Any Mentee").await;
        tokens.push(app.login(&email, "a long passphrase").await);
    }
    let mut got: std::collections::BTreeMap<i64, usize> = Default::default();
    for (i, start) in shared.iter().enumerate() {
        let r = app
            .post(
                "/api/v1/bookings",
                Some(&tokens[i % 2]),
                json!({"sku": sku, "start": start}),
            )
            .await;
        let b: Value = r.json().await.unwrap();
        assert_eq!(
            b["start"].as_str().map(|s| s[..16].to_string()),
            Some(start[..16].to_string()),
            "{b}"
        );
        *got.entry(b["mentor"]["id"].as_i64().unwrap()).or_default() += 1;
    }
    let counts: Vec<usize> = got.values().copied().collect();
    assert_eq!(counts.len(), 2, "{got:?}");
    assert!(counts[0].abs_diff(counts[1]) <= 2, "{got:?}");

    // A retry replays: the same booking, even once its mentor is no longer free.
    let start = retried;
    let send = || {
        app.http
            .post(app.url("/api/v1/bookings"))
            .bearer_auth(&tokens[0])
            .header("Idempotency-Key", "any-1")
            .json(&json!({"sku": sku, "start": start}))
            .send()
    };
    let first = send().await.unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: Value = first.json().await.unwrap();
    let again = send().await.unwrap();
    assert_eq!(again.status(), StatusCode::OK);
    let again: Value = again.json().await.unwrap();
    assert_eq!(again["id"], first["id"]);
}

/// The picker's day answers are kept between requests, but never past the truth: a mentor's
/// new hours show at once, and a time leaves the answer once it has come inside notice.
async fn kept_picker_answers_hold_only_while_true(app: App, _: String) {
    let sku = "career-pivot-30";
    let maya = app.login("maya@stint.example", DEMO_PASSWORD).await;
    let me: Value = app
        .get("/api/v1/me", Some(&maya))
        .await
        .json()
        .await
        .unwrap();
    let maya_id = me["id"].as_i64().unwrap();
    let times = |query: String| {
        let app = &app;
        async move {
            let r = app
                .get(&format!("/api/v1/skus/{sku}/times?{query}"), None)
                .await;
            let status = r.status();
            let body: Value = r.json().await.unwrap();
            assert_eq!(status, StatusCode::OK, "{query}: {body}");
            body["times"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| {
                    (
                        t["start"].as_str().unwrap().to_string(),
                        t["mentors"].as_u64().unwrap(),
                    )
                })
                .collect::<Vec<(String, u64)>>()
        }
    };
    let total = |t: &[(String, u64)]| t.iter().map(|(_, n)| n).sum::<u64>();
    // A day on which Maya and others have times.
    let mut found = None;
    for d in 2..12 {
        let (day, _) = days_ahead(d, d);
        let hers = times(format!("date={day}&tz=UTC&mentor={maya_id}")).await;
        let all = times(format!("date={day}&tz=UTC")).await;
        if !hers.is_empty() && total(&all) > total(&hers) {
            found = Some((day, hers, all));
            break;
        }
    }
    let (day, hers, before) = found.expect("a day Maya shares with others");
    assert_eq!(
        times(format!("date={day}&tz=UTC")).await,
        before,
        "asked again"
    );

    // Maya stops working: her times leave the answer at once.
    let mut rules: Value = app
        .get("/api/v1/mentors/me/availability", Some(&maya))
        .await
        .json()
        .await
        .unwrap();
    for d in ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] {
        rules["weekly"][d] = json!([]);
    }
    let r = app
        .put("/api/v1/mentors/me/availability", Some(&maya), rules)
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let without_her = times(format!("date={day}&tz=UTC")).await;
    assert_eq!(total(&without_her), total(&before) - total(&hers));

    // The clock runs on past the first time: it is no longer offered.
    let first: jiff::Timestamp = without_her[0].0.parse().unwrap();
    let now = app.clock.now();
    app.clock
        .advance(first.duration_since(now) + jiff::SignedDuration::from_secs(1));
    let later = times(format!("date={day}&tz=UTC")).await;
    assert!(!later.is_empty(), "later times remain");
    assert!(
        later
            .iter()
            .all(|(start, _)| start.parse::<jiff::Timestamp>().unwrap() > first),
        "{later:?}"
    );
}
