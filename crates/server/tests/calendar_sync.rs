//! Two-way calendar sync end to end, over real HTTP on SQLite and (when
//! `STINT_TEST_POSTGRES_URL` is set; required with `CI=true`) PostgreSQL, against a real
//! Radicale CalDAV server the tests start on 127.0.0.1 (required with `CI=true`): a mentor
//! connects their calendar through the API, the real worker syncs it, events added in the
//! calendar take slots away, bookings appear in the calendar, move with a reschedule and go
//! with a cancellation; a second sync writes nothing. Wrong passwords, unreachable servers and
//! hostile `.ics` feeds end as clear errors in the health panel, keeping what was read before.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod common;

use common::radicale::{self, Radicale};
use common::{App, browser, expect_error, log_in, page};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;
use stint_calendar_client::{CalDavClient, Settings, Url};
use stint_domain::clock::Clock;
use stint_domain::ids::UserId;
use stint_server::demo::DEMO_PASSWORD;
use stint_store::JobState;

on_both_backends!(App;
    bookings_and_busy_time_sync_both_ways [peer_radicale,
        "needs Radicale: pip install radicale==3.9.0, then touch crates/server/build.rs"],
    a_wrong_password_is_reported_and_busy_time_is_kept [peer_radicale,
        "needs Radicale: pip install radicale==3.9.0, then touch crates/server/build.rs"],
    an_event_the_mentor_deleted_is_made_again_and_a_refused_one_blocks_no_other [peer_radicale,
        "needs Radicale: pip install radicale==3.9.0, then touch crates/server/build.rs"],
    a_mentor_picks_busy_calendars_and_the_one_that_takes_sessions [peer_radicale,
        "needs Radicale: pip install radicale==3.9.0, then touch crates/server/build.rs"],
    a_cancelled_sessions_time_is_free_again_at_once [peer_radicale,
        "needs Radicale: pip install radicale==3.9.0, then touch crates/server/build.rs"],
    an_erased_mentees_events_leave_the_mentors_calendar [peer_radicale,
        "needs Radicale: pip install radicale==3.9.0, then touch crates/server/build.rs"],
    an_unreachable_calendar_is_retried_with_a_clear_error,
    a_hostile_ics_feed_is_bounded_and_a_broken_one_keeps_busy_time,
    only_the_owner_sees_a_calendar_and_bad_input_writes_nothing,
    the_calendars_page_connects_shows_health_syncs_and_removes,
);

const SKU: &str = "negotiation-clinic-45";

fn start_worker(app: &App) {
    let worker =
        stint_server::worker::build(app.store.clone(), app.clock.clone(), &app.worker_config())
            .unwrap();
    tokio::spawn(worker.run(std::future::pending::<()>()));
}

async fn json_of(r: reqwest::Response) -> Value {
    let status = r.status();
    let body = r.text().await.unwrap();
    assert!(status.is_success(), "{status}: {body}");
    serde_json::from_str(&body).unwrap()
}

/// The slots of `SKU` over the next days, in UTC, of `mentor` when given.
async fn slots(app: &App, mentor: Option<i64>) -> Vec<Value> {
    let today = app
        .clock
        .now()
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .date();
    let day = |n: i64| today.checked_add(jiff::Span::new().days(n)).unwrap();
    let mut path = format!(
        "/api/v1/skus/{SKU}/slots?from={}&to={}&tz=UTC",
        day(3),
        day(20)
    );
    if let Some(m) = mentor {
        path.push_str(&format!("&mentor={m}"));
    }
    json_of(app.get(&path, None).await).await["slots"]
        .as_array()
        .unwrap()
        .clone()
}

fn ts(v: &Value) -> jiff::Timestamp {
    v.as_str().unwrap().parse().unwrap()
}

/// The mentor of the first slot of `SKU`: their id and API token.
async fn a_mentor(app: &App) -> (i64, String) {
    let first = slots(app, None).await[0].clone();
    let id = first["mentor_id"].as_i64().unwrap();
    let account = app.store.account(UserId(id)).await.unwrap().unwrap();
    (id, app.login(account.email.as_str(), DEMO_PASSWORD).await)
}

async fn connect(app: &App, token: &str, body: Value) -> Value {
    let r = app
        .post("/api/v1/mentors/me/calendars", Some(token), body)
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let text = r.text().await.unwrap();
    assert!(!text.contains(radicale::PASSWORD), "{text}");
    serde_json::from_str(&text).unwrap()
}

async fn calendar(app: &App, token: &str, id: i64) -> Value {
    let list = json_of(app.get("/api/v1/mentors/me/calendars", Some(token)).await).await;
    let text = list.to_string();
    assert!(!text.contains(radicale::PASSWORD), "{text}");
    list["calendars"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .cloned()
        .unwrap()
}

/// Asks for a sync and waits until its job has run once (done, or failed and queued again,
/// or dead); the job as it ended.
async fn sync(app: &App, token: &str, id: i64) -> stint_store::Job {
    let r = app
        .post(
            &format!("/api/v1/mentors/me/calendars/{id}/sync"),
            Some(token),
            json!({}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let job_id = json_of(r).await["job_id"].as_i64().unwrap();
    wait_for_job(app, job_id).await
}

async fn wait_for_job(app: &App, job_id: i64) -> stint_store::Job {
    for _ in 0..600 {
        let job = app.store.job(job_id).await.unwrap().unwrap();
        let ran = job.state == JobState::Done
            || job.state == JobState::Dead
            || (job.state == JobState::Queued && job.attempts > 0);
        if ran {
            return job;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("job {job_id} did not run");
}

/// Waits until `check` holds for the calendar's API view.
async fn wait_until(app: &App, token: &str, id: i64, check: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..600 {
        let c = calendar(app, token, id).await;
        if check(&c) {
            return c;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "calendar {id} never reached the state: {}",
        calendar(app, token, id).await
    );
}

fn client_at(server: &Radicale) -> CalDavClient {
    CalDavClient::new(
        &server.url,
        radicale::USER,
        radicale::PASSWORD,
        Settings {
            // Radicale listens on loopback, which the default policy refuses.
            egress: std::sync::Arc::new(stint_egress::EgressPolicy::with_loopback()),
            ..Settings::default()
        },
    )
    .unwrap()
}

fn event_ics(uid: &str, start: jiff::Timestamp, end: jiff::Timestamp) -> String {
    let f = |t: jiff::Timestamp| t.strftime("%Y%m%dT%H%M%SZ").to_string();
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:{uid}\r\n\
         DTSTAMP:20260101T000000Z\r\nDTSTART:{}\r\nDTEND:{}\r\nSUMMARY:Dentist\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        f(start),
        f(end)
    )
}

/// The events in the calendar over the next weeks: (uid, start, end).
async fn events_in(
    app: &App,
    server: &Radicale,
    cal: &str,
) -> Vec<(String, jiff::Timestamp, jiff::Timestamp)> {
    let now = app.clock.now();
    let to = now + jiff::SignedDuration::from_hours(24 * 90);
    client_at(server)
        .busy(&Url::parse(cal).unwrap(), now, to)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.uid.unwrap_or_default(), e.start, e.end))
        .collect()
}

async fn bookings_and_busy_time_sync_both_ways(app: App) {
    let server = Radicale::start().await;
    let cal = server.make_calendar("work", "Work").await;
    let (mentor, token) = a_mentor(&app).await;
    app.clear_queue().await;
    start_worker(&app);
    // Connected at the server's root: discovery finds the calendar.
    let source = connect(
        &app,
        &token,
        json!({"kind": "caldav", "url": server.url, "username": radicale::USER, "password": radicale::PASSWORD}),
    )
    .await;
    let id = source["id"].as_i64().unwrap();
    assert_eq!(source["state"], "waiting");
    let c = wait_until(&app, &token, id, |c| c["state"] != "waiting").await;
    assert_eq!(c["state"], "ok", "{c}");
    assert_eq!(c["calendar_url"], cal);

    // An event added in the calendar takes the overlapping slots away.
    let mine = slots(&app, Some(mentor)).await;
    let blocked = mine[0].clone();
    let (b_start, b_end) = (ts(&blocked["start"]), ts(&blocked["end"]));
    client_at(&server)
        .put_event(
            &Url::parse(&cal).unwrap(),
            "dentist-1@example.com",
            &event_ics("dentist-1@example.com", b_start, b_end),
            None,
        )
        .await
        .unwrap();
    let job = sync(&app, &token, id).await;
    assert_eq!(job.state, JobState::Done, "{job:?}");
    let c = calendar(&app, &token, id).await;
    assert_eq!(c["busy_intervals_read"], 1, "{c}");
    let after = slots(&app, Some(mentor)).await;
    assert!(
        !after
            .iter()
            .any(|s| ts(&s["start"]) < b_end && ts(&s["end"]) > b_start),
        "a slot overlapping the calendar's event is still offered"
    );

    // A booking made in Stint appears in the calendar.
    let sam = app.login("sam@stint.example", DEMO_PASSWORD).await;
    let slot = after[0].clone();
    let r = app
        .post(
            "/api/v1/bookings",
            Some(&sam),
            json!({"sku": SKU, "mentor_id": mentor, "start": slot["start"]}),
        )
        .await;
    let booking = json_of(r).await;
    let uid = format!("booking-{}@stint", booking["id"]);
    wait_until(&app, &token, id, |c| c["events_written"] == 1).await;
    let events = events_in(&app, &server, &cal).await;
    let ours: Vec<_> = events.iter().filter(|e| e.0 == uid).collect();
    assert_eq!(ours.len(), 1, "{events:?}");
    assert_eq!(
        (ours[0].1, ours[0].2),
        (ts(&slot["start"]), ts(&slot["end"]))
    );

    // Rescheduling moves the same event.
    let other = slots(&app, Some(mentor))
        .await
        .into_iter()
        .find(|s| ts(&s["start"]) >= ts(&slot["end"]) + jiff::SignedDuration::from_hours(2))
        .unwrap();
    let r = app
        .post(
            &format!("/api/v1/bookings/{}/reschedule", booking["id"]),
            Some(&sam),
            json!({"start": other["start"]}),
        )
        .await;
    json_of(r).await;
    wait_until(&app, &token, id, |c| c["events_written"] == 2).await;
    let events = events_in(&app, &server, &cal).await;
    let ours: Vec<_> = events.iter().filter(|e| e.0 == uid).collect();
    assert_eq!(ours.len(), 1, "{events:?}");
    assert_eq!(
        (ours[0].1, ours[0].2),
        (ts(&other["start"]), ts(&other["end"]))
    );
    // The booking's own event does not count as outside busy time.
    assert_eq!(calendar(&app, &token, id).await["busy_intervals_read"], 1);

    // Another sync changes nothing: no writes, the same ETags.
    let before = app.store.written_events(id).await.unwrap();
    let job = sync(&app, &token, id).await;
    assert_eq!(job.state, JobState::Done, "{job:?}");
    assert_eq!(app.store.written_events(id).await.unwrap(), before);
    let c = calendar(&app, &token, id).await;
    assert_eq!(
        (
            c["events_written"].as_i64(),
            c["busy_intervals_read"].as_i64()
        ),
        (Some(2), Some(1))
    );
    assert_eq!(events_in(&app, &server, &cal).await, events);

    // Cancelling removes it.
    let r = app
        .post(
            &format!("/api/v1/bookings/{}/cancel", booking["id"]),
            Some(&sam),
            json!({"reason": "travel"}),
        )
        .await;
    json_of(r).await;
    wait_until(&app, &token, id, |c| c["events_written"] == 3).await;
    let events = events_in(&app, &server, &cal).await;
    assert!(!events.iter().any(|e| e.0 == uid), "{events:?}");
    assert!(events.iter().any(|e| e.0 == "dentist-1@example.com"));
    assert!(app.store.written_events(id).await.unwrap().is_empty());
}

/// Books `slot` of `mentor` for Sam; the booking.
async fn book(app: &App, sam: &str, mentor: i64, slot: &Value) -> Value {
    let r = app
        .post(
            "/api/v1/bookings",
            Some(sam),
            json!({"sku": SKU, "mentor_id": mentor, "start": slot["start"]}),
        )
        .await;
    json_of(r).await
}

/// A connected, synced calendar of a mentor with the worker running: (mentor, token, id, cal).
async fn connected(app: &App, server: &Radicale) -> (i64, String, i64, String) {
    let cal = server.make_calendar("work", "Work").await;
    let (mentor, token) = a_mentor(app).await;
    app.clear_queue().await;
    start_worker(app);
    let source = connect(
        app,
        &token,
        json!({"kind": "caldav", "url": server.url, "username": radicale::USER, "password": radicale::PASSWORD}),
    )
    .await;
    let id = source["id"].as_i64().unwrap();
    let c = wait_until(app, &token, id, |c| c["state"] != "waiting").await;
    assert_eq!(c["state"], "ok", "{c}");
    (mentor, token, id, cal)
}

async fn an_event_the_mentor_deleted_is_made_again_and_a_refused_one_blocks_no_other(app: App) {
    let server = Radicale::start().await;
    let (mentor, token, id, cal) = connected(&app, &server).await;
    let cal_url = Url::parse(&cal).unwrap();
    let sam = app.login("sam@stint.example", DEMO_PASSWORD).await;
    let free = slots(&app, Some(mentor)).await;
    let first = book(&app, &sam, mentor, &free[0]).await;
    let uid = format!("booking-{}@stint", first["id"]);
    wait_until(&app, &token, id, |c| c["events_written"] == 1).await;

    // The mentor deletes Stint's event in their calendar app; then the session moves.
    client_at(&server)
        .delete_event(&cal_url, &uid, None)
        .await
        .unwrap();
    let later = slots(&app, Some(mentor))
        .await
        .into_iter()
        .find(|s| ts(&s["start"]) >= ts(&free[0]["end"]) + jiff::SignedDuration::from_hours(3))
        .unwrap();
    let r = app
        .post(
            &format!("/api/v1/bookings/{}/reschedule", first["id"]),
            Some(&sam),
            json!({"start": later["start"]}),
        )
        .await;
    json_of(r).await;
    let c = wait_until(&app, &token, id, |c| c["events_written"] == 2).await;
    assert_eq!(c["state"], "ok", "{c}");
    let events = events_in(&app, &server, &cal).await;
    let ours: Vec<_> = events.iter().filter(|e| e.0 == uid).collect();
    assert_eq!(ours.len(), 1, "made again: {events:?}");
    assert_eq!(
        (ours[0].1, ours[0].2),
        (ts(&later["start"]), ts(&later["end"]))
    );

    // Another resource already holds the UID Stint will give the next booking, so the server
    // refuses that one event (no-uid-conflict); the booking after it still arrives.
    let open: Vec<Value> = slots(&app, Some(mentor))
        .await
        .into_iter()
        .filter(|s| ts(&s["start"]) > ts(&later["end"]) + jiff::SignedDuration::from_hours(3))
        .collect();
    let next_id = first["id"].as_i64().unwrap() + 1;
    let squatted = format!("booking-{next_id}@stint");
    let (s, e) = (ts(&open[0]["start"]), ts(&open[0]["end"]));
    client_at(&server)
        .put_event(&cal_url, "squatter", &event_ics(&squatted, s, e), None)
        .await
        .unwrap();
    let refused = book(&app, &sam, mentor, &open[0]).await;
    assert_eq!(refused["id"].as_i64(), Some(next_id));
    let after = open
        .iter()
        .find(|s| ts(&s["start"]) >= ts(&open[0]["end"]) + jiff::SignedDuration::from_hours(3))
        .unwrap();
    let third = book(&app, &sam, mentor, after).await;
    let third_uid = format!("booking-{}@stint", third["id"]);
    let c = wait_until(&app, &token, id, |c| c["events_written"] == 3).await;
    let events = events_in(&app, &server, &cal).await;
    assert!(events.iter().any(|e| e.0 == third_uid), "{events:?}");
    assert_eq!(c["state"], "failing", "{c}");
    let error = c["last_error"].as_str().unwrap_or_default();
    assert!(
        error.contains("1 of ") && error.contains("sessions could not be written"),
        "{c}"
    );
}

/// Applies `body` to calendar `id` and waits for the sync it queues to run.
async fn choose(app: &App, token: &str, id: i64, body: Value) -> Value {
    let before = app
        .store
        .calendar_source(id)
        .await
        .unwrap()
        .unwrap()
        .last_attempt_at;
    let r = app
        .send(
            reqwest::Method::PATCH,
            &format!("/api/v1/mentors/me/calendars/{id}"),
            Some(token),
            body,
        )
        .await;
    let chosen = json_of(r).await;
    for _ in 0..600 {
        let source = app.store.calendar_source(id).await.unwrap().unwrap();
        if source.last_attempt_at != before && source.last_attempt_at.is_some() {
            break;
        }
        app.clock.advance(jiff::SignedDuration::from_secs(1));
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    chosen
}

async fn a_mentor_picks_busy_calendars_and_the_one_that_takes_sessions(app: App) {
    let server = Radicale::start().await;
    let home = server.make_calendar("home", "Home").await;
    let (mentor, token, id, work) = connected(&app, &server).await;
    let c = calendar(&app, &token, id).await;
    let cals = c["calendars"].as_array().unwrap();
    assert_eq!(cals.len(), 2, "both calendars found: {c}");
    assert!(
        cals.iter().all(|k| k["busy"] == true),
        "new calendars count as busy: {c}"
    );
    let target = cals.iter().find(|k| k["target"] == true).unwrap()["url"]
        .as_str()
        .unwrap()
        .to_string();
    let other = if target == work {
        home.clone()
    } else {
        work.clone()
    };

    // An event in the other calendar is busy time while that calendar is ticked.
    let slot = slots(&app, Some(mentor)).await[0].clone();
    let (s, e) = (ts(&slot["start"]), ts(&slot["end"]));
    client_at(&server)
        .put_event(
            &Url::parse(&other).unwrap(),
            "gym@example.com",
            &event_ics("gym@example.com", s, e),
            None,
        )
        .await
        .unwrap();
    let job = sync(&app, &token, id).await;
    assert_eq!(job.state, JobState::Done, "{job:?}");
    assert_eq!(calendar(&app, &token, id).await["busy_intervals_read"], 1);
    let blocked = |list: &[Value]| {
        list.iter()
            .any(|x| ts(&x["start"]) < e && ts(&x["end"]) > s)
    };
    assert!(!blocked(&slots(&app, Some(mentor)).await));
    // Unticked, it is not.
    let chosen = choose(&app, &token, id, json!({"busy_calendars": [target]})).await;
    assert!(
        chosen["calendars"]
            .as_array()
            .unwrap()
            .iter()
            .any(|k| k["busy"] == false)
    );
    assert_eq!(calendar(&app, &token, id).await["busy_intervals_read"], 0);
    assert!(
        blocked(&slots(&app, Some(mentor)).await),
        "the slot is offered again"
    );

    // A session goes into the target; choosing the other moves it there.
    let sam = app.login("sam@stint.example", DEMO_PASSWORD).await;
    let booking = book(&app, &sam, mentor, &slot).await;
    let uid = format!("booking-{}@stint", booking["id"]);
    wait_until(&app, &token, id, |c| c["events_written"] == 1).await;
    let has = |cal: String| {
        let uid = uid.clone();
        let server = &server;
        let app = &app;
        async move {
            events_in(app, server, &cal)
                .await
                .iter()
                .any(|x| x.0 == uid)
        }
    };
    assert!(has(target.clone()).await);
    choose(&app, &token, id, json!({"target_calendar": other})).await;
    wait_until(&app, &token, id, |c| c["events_written"] == 3).await;
    assert!(!has(target.clone()).await, "gone from the old calendar");
    assert!(has(other.clone()).await, "in the new one");
    assert_eq!(
        calendar(&app, &token, id).await["calendars"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["target"] == true)
            .unwrap()["url"],
        other.as_str()
    );

    // A second account connected later does not get the sessions again.
    let second = connect(
        &app,
        &token,
        json!({"kind": "caldav", "url": server.url, "username": radicale::USER, "password": radicale::PASSWORD}),
    )
    .await;
    assert_eq!(second["writes_sessions"], false, "{second}");
    let second_id = second["id"].as_i64().unwrap();
    let c = wait_until(&app, &token, second_id, |c| c["state"] != "waiting").await;
    assert_eq!(
        (c["state"].as_str(), c["events_written"].as_i64()),
        (Some("ok"), Some(0)),
        "{c}"
    );
    // An .ics source has nothing to choose.
    let feed = connect(
        &app,
        &token,
        json!({"kind": "ics", "url": format!("{}/cal.ics", server.url)}),
    )
    .await;
    let r = app
        .send(
            reqwest::Method::PATCH,
            &format!("/api/v1/mentors/me/calendars/{}", feed["id"]),
            Some(&token),
            json!({"writes_sessions": true}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .send(
            reqwest::Method::PATCH,
            &format!("/api/v1/mentors/me/calendars/{id}"),
            Some(&token),
            json!({"target_calendar": "http://127.0.0.1:1/not-theirs/"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

async fn a_cancelled_sessions_time_is_free_again_at_once(app: App) {
    let server = Radicale::start().await;
    let (mentor, token, id, _cal) = connected(&app, &server).await;
    let sam = app.login("sam@stint.example", DEMO_PASSWORD).await;
    let slot = slots(&app, Some(mentor)).await[0].clone();
    let booking = book(&app, &sam, mentor, &slot).await;
    wait_until(&app, &token, id, |c| c["events_written"] == 1).await;
    let r = app
        .post(
            &format!("/api/v1/bookings/{}/cancel", booking["id"]),
            Some(&sam),
            json!({"reason": "travel"}),
        )
        .await;
    json_of(r).await;
    let c = wait_until(&app, &token, id, |c| c["events_written"] == 2).await;
    assert_eq!(c["state"], "ok", "{c}");
    // The cancelled session's own event is never read back as busy time: the time is free.
    assert_eq!(c["busy_intervals_read"], 0, "{c}");
    let again = app
        .post(
            "/api/v1/bookings",
            Some(&sam),
            json!({"sku": SKU, "mentor_id": mentor, "start": slot["start"]}),
        )
        .await;
    assert_eq!(
        again.status(),
        StatusCode::CREATED,
        "{}",
        again.text().await.unwrap()
    );
}

async fn a_wrong_password_is_reported_and_busy_time_is_kept(app: App) {
    let server = Radicale::start().await;
    let cal = server.make_calendar("work", "Work").await;
    let (mentor, token) = a_mentor(&app).await;
    app.clear_queue().await;
    let blocked = slots(&app, Some(mentor)).await[0].clone();
    let (b_start, b_end) = (ts(&blocked["start"]), ts(&blocked["end"]));
    client_at(&server)
        .put_event(
            &Url::parse(&cal).unwrap(),
            "meeting@example.com",
            &event_ics("meeting@example.com", b_start, b_end),
            None,
        )
        .await
        .unwrap();
    start_worker(&app);
    let source = connect(
        &app,
        &token,
        json!({"kind": "caldav", "url": cal, "username": radicale::USER, "password": radicale::PASSWORD}),
    )
    .await;
    let id = source["id"].as_i64().unwrap();
    let c = wait_until(&app, &token, id, |c| c["state"] != "waiting").await;
    assert_eq!(
        (c["state"].as_str(), c["busy_intervals_read"].as_i64()),
        (Some("ok"), Some(1)),
        "{c}"
    );
    let success = c["last_success_at"].clone();

    // The password changes on the server: the sync fails at once with a clear message.
    server.set_password("a new password");
    let job = sync(&app, &token, id).await;
    assert_eq!(
        job.state,
        JobState::Dead,
        "a refused password is not retried: {job:?}"
    );
    let c = calendar(&app, &token, id).await;
    assert_eq!(c["state"], "failing");
    let error = c["last_error"].as_str().unwrap();
    assert!(error.contains("user name or password"), "{error}");
    assert!(!error.contains(radicale::PASSWORD));
    assert_eq!(c["last_success_at"], success);
    // What was read before is kept, and still keeps the slot away.
    assert_eq!(c["busy_intervals_read"], 1);
    assert_eq!(
        app.store.calendar_busy(id).await.unwrap(),
        vec![(b_start, b_end)]
    );
    assert!(
        !slots(&app, Some(mentor))
            .await
            .iter()
            .any(|s| ts(&s["start"]) < b_end && ts(&s["end"]) > b_start)
    );
}

async fn an_unreachable_calendar_is_retried_with_a_clear_error(app: App) {
    let (_, token) = a_mentor(&app).await;
    app.clear_queue().await;
    start_worker(&app);
    let down = format!("http://127.0.0.1:{}/dav/", radicale::free_port());
    let source = connect(
        &app,
        &token,
        json!({"kind": "caldav", "url": down, "username": "ana", "password": "pw"}),
    )
    .await;
    let id = source["id"].as_i64().unwrap();
    let c = wait_until(&app, &token, id, |c| c["state"] != "waiting").await;
    assert_eq!(c["state"], "failing");
    let error = c["last_error"].as_str().unwrap();
    assert!(
        error.contains("cannot reach the calendar server 127.0.0.1"),
        "{error}"
    );
    // Queued again for a later try, not dead.
    let job = sync(&app, &token, id).await;
    assert_eq!(job.state, JobState::Queued, "{job:?}");
    assert!(
        job.last_error
            .as_deref()
            .unwrap_or_default()
            .contains("cannot reach")
    );
}

/// Serves `body` as `text/calendar` at `/feed.ics`, answering as long as the test runs.
async fn feed_server(body: std::sync::Arc<std::sync::Mutex<String>>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = axum::Router::new().route(
        "/feed.ics",
        axum::routing::get(move || {
            let body = body.lock().unwrap().clone();
            async move { ([("content-type", "text/calendar")], body) }
        }),
    );
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{addr}/feed.ics")
}

async fn a_hostile_ics_feed_is_bounded_and_a_broken_one_keeps_busy_time(app: App) {
    let (mentor, token) = a_mentor(&app).await;
    app.clear_queue().await;
    start_worker(&app);
    let blocked = slots(&app, Some(mentor)).await[0].clone();
    let (b_start, b_end) = (ts(&blocked["start"]), ts(&blocked["end"]));
    // An event every minute, forever, plus an ordinary one.
    let f = |t: jiff::Timestamp| t.strftime("%Y%m%dT%H%M%SZ").to_string();
    let hostile = format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n\
         BEGIN:VEVENT\r\nUID:storm@x\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20200101T000000Z\r\n\
         DURATION:PT30S\r\nRRULE:FREQ=MINUTELY\r\nEND:VEVENT\r\n\
         BEGIN:VEVENT\r\nUID:ok@x\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:{}\r\nDTEND:{}\r\nEND:VEVENT\r\n\
         END:VCALENDAR\r\n",
        f(b_start),
        f(b_end)
    );
    let body = std::sync::Arc::new(std::sync::Mutex::new(hostile));
    let url = feed_server(body.clone()).await;
    let source = connect(&app, &token, json!({"kind": "ics", "url": url})).await;
    let id = source["id"].as_i64().unwrap();
    assert_eq!(source["username"], "");
    let c = wait_until(&app, &token, id, |c| c["state"] != "waiting").await;
    // Bounded: the endless rule stops at the reader's cap; nothing crashed.
    let read = c["busy_intervals_read"].as_u64().unwrap();
    assert!(
        read <= stint_calendar_client::busy::MAX_INTERVALS as u64,
        "{c}"
    );
    let kept = app.store.calendar_busy(id).await.unwrap();
    assert_eq!(kept.len() as u64, read);

    // Now a feed that is not iCalendar at all: a clear error, the earlier intervals kept.
    *body.lock().unwrap() = "<html>not a calendar</html>".into();
    let job = sync(&app, &token, id).await;
    assert_ne!(job.state, JobState::Done, "{job:?}");
    let c = calendar(&app, &token, id).await;
    assert_eq!(c["state"], "failing", "{c}");
    assert!(c["last_error"].as_str().is_some_and(|e| !e.is_empty()));
    assert_eq!(app.store.calendar_busy(id).await.unwrap(), kept);
    assert_eq!(c["busy_intervals_read"].as_u64(), Some(read));
}

async fn only_the_owner_sees_a_calendar_and_bad_input_writes_nothing(app: App) {
    let (_, token) = a_mentor(&app).await;
    let path = "/api/v1/mentors/me/calendars";
    for (body, field) in [
        (
            json!({"kind": "caldav", "url": "ftp://cal.example.com/", "username": "a", "password": "b"}),
            "url",
        ),
        (
            json!({"kind": "caldav", "url": "https://cal.example.com/", "username": " ", "password": "b"}),
            "username",
        ),
        (
            json!({"kind": "caldav", "url": "https://cal.example.com/", "username": "a"}),
            "password",
        ),
        (
            json!({"kind": "google", "url": "https://cal.example.com/"}),
            "kind",
        ),
        (json!({"kind": "ics", "url": "not a url"}), "url"),
    ] {
        let e = expect_error(
            app.post(path, Some(&token), body.clone()).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert!(e["fields"][field].is_string(), "{body}: {e}");
    }
    let list = json_of(app.get(path, Some(&token)).await).await;
    assert_eq!(list["calendars"], json!([]), "nothing written");

    let source = connect(
        &app,
        &token,
        json!({"kind": "caldav", "url": "https://cal.example.com/dav/", "username": "ana", "password": radicale::PASSWORD}),
    )
    .await;
    let id = source["id"].as_i64().unwrap();
    assert!(source.get("password").is_none());
    // Nothing stores the password in clear.
    let stored = app.store.calendar_source(id).await.unwrap().unwrap();
    assert!(!stored.password_sealed.unwrap().contains(radicale::PASSWORD));

    // Another mentor sees nothing of it and cannot touch it; a mentee may not use the API.
    let other = app.login("priya@stint.example", DEMO_PASSWORD).await;
    let other = if app.store.calendar_source(id).await.unwrap().unwrap().mentor
        == app
            .store
            .account_by_email("priya@stint.example")
            .await
            .unwrap()
            .unwrap()
            .id
    {
        app.login("jonas@stint.example", DEMO_PASSWORD).await
    } else {
        other
    };
    let list = json_of(app.get(path, Some(&other)).await).await;
    assert_eq!(list["calendars"], json!([]));
    for r in [
        app.send(
            reqwest::Method::DELETE,
            &format!("{path}/{id}"),
            Some(&other),
            json!({}),
        )
        .await,
        app.post(&format!("{path}/{id}/sync"), Some(&other), json!({}))
            .await,
    ] {
        expect_error(r, StatusCode::NOT_FOUND, "not_found").await;
    }
    let sam = app.login("sam@stint.example", DEMO_PASSWORD).await;
    expect_error(
        app.get(path, Some(&sam)).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;

    // The owner removes it.
    let r = app
        .send(
            reqwest::Method::DELETE,
            &format!("{path}/{id}"),
            Some(&token),
            json!({}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert!(app.store.calendar_source(id).await.unwrap().is_none());
    expect_error(
        app.send(
            reqwest::Method::DELETE,
            &format!("{path}/{id}"),
            Some(&token),
            json!({}),
        )
        .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
}

async fn the_calendars_page_connects_shows_health_syncs_and_removes(app: App) {
    let (mentor, _) = a_mentor(&app).await;
    let email = app
        .store
        .account(UserId(mentor))
        .await
        .unwrap()
        .unwrap()
        .email
        .as_str()
        .to_string();
    app.clear_queue().await;
    start_worker(&app);
    let client = browser();
    log_in(&app, &client, &email).await;
    let (status, body, csrf) = page(&app, &client, "/mentor/calendars").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("No calendars yet."));

    // Bad input: the form again with a message per field, the password not filled back in.
    let r = client
        .post(app.url("/mentor/calendars"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("kind", "caldav"),
            ("url", "ftp://cal.example.com/"),
            ("username", ""),
            ("password", "s3cret-typed"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.unwrap();
    assert!(
        body.contains("must start with http:// or https://"),
        "{body}"
    );
    assert!(body.contains("is required for a CalDAV account"));
    assert!(!body.contains("s3cret-typed"));
    assert!(
        app.store
            .calendar_sources_of(UserId(mentor))
            .await
            .unwrap()
            .is_empty()
    );

    // Without the CSRF token nothing happens.
    let r = client
        .post(app.url("/mentor/calendars"))
        .form(&[("kind", "ics"), ("url", "https://cal.example.com/a.ics")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // A CalDAV account nothing answers at: connected, then its failure in the panel.
    let down = format!("http://127.0.0.1:{}/dav/", radicale::free_port());
    let r = client
        .post(app.url("/mentor/calendars"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("kind", "caldav"),
            ("url", down.as_str()),
            ("username", "ana"),
            ("password", "s3cret-typed"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let id = app.store.calendar_sources_of(UserId(mentor)).await.unwrap()[0].id;
    let mut body = String::new();
    for _ in 0..600 {
        body = page(&app, &client, "/mentor/calendars").await.1;
        if body.contains("failing") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        body.contains("cannot reach the calendar server 127.0.0.1"),
        "{body}"
    );
    assert!(body.contains(&format!("/mentor/calendars/{id}/sync")));
    assert!(!body.contains("s3cret-typed"));

    // Sync now and Remove, with the token.
    for (action, done) in [("sync", "queued"), ("remove", "removed")] {
        let r = client
            .post(app.url(&format!("/mentor/calendars/{id}/{action}")))
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{action}");
        let to = r.headers()["location"].to_str().unwrap().to_string();
        assert_eq!(to, format!("/mentor/calendars?done={done}"));
    }
    assert!(app.store.calendar_source(id).await.unwrap().is_none());

    // Not a mentor's page for anyone else.
    let mentee = browser();
    log_in(&app, &mentee, "sam@stint.example").await;
    assert_eq!(
        page(&app, &mentee, "/mentor/calendars").await.0,
        StatusCode::FORBIDDEN
    );
}

/// Erasure reaches the calendars: the event Stint wrote for a past session of an erased mentee
/// is deleted from the mentor's CalDAV calendar at the next sync.
async fn an_erased_mentees_events_leave_the_mentors_calendar(app: App) {
    let server = Radicale::start().await;
    let (mentor, token, id, cal) = connected(&app, &server).await;
    common::make_mentee(&app, "erin@example.com", "Erin Erased").await;
    let erin = app.login("erin@example.com", "a long passphrase").await;
    let slot = slots(&app, Some(mentor)).await[0].clone();
    let booking = book(&app, &erin, mentor, &slot).await;
    wait_until(&app, &token, id, |c| c["events_written"] == 1).await;
    let b = app
        .store
        .booking(stint_domain::booking::BookingId(
            booking["id"].as_i64().unwrap(),
        ))
        .await
        .unwrap()
        .unwrap();
    // The events around the session, whenever the clock says it is.
    let around = || {
        let (from, to) = (b.start - jiff::SignedDuration::from_hours(1), b.end);
        let client = client_at(&server);
        let cal = Url::parse(&cal).unwrap();
        async move { client.busy(&cal, from, to).await.unwrap().len() }
    };
    assert_eq!(around().await, 1);
    // The session happens; then Erin asks to be erased, and the grace period passes.
    app.clock
        .advance(b.end - app.clock.now() + jiff::SignedDuration::from_mins(1));
    let erin = app.login("erin@example.com", "a long passphrase").await;
    let r = app.post("/api/v1/me/erasure", Some(&erin), json!({})).await;
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    app.clock
        .advance(jiff::SignedDuration::from_hours(14 * 24 + 1));
    let core = stint_app::App::new(
        app.store.clone(),
        app.clock.clone(),
        stint_app::Settings::default(),
    );
    stint_app::erasure::erase_due(&core).await.unwrap();
    // The next sync deletes the event.
    let token = app
        .login(
            &app.store
                .account(UserId(mentor))
                .await
                .unwrap()
                .unwrap()
                .email,
            DEMO_PASSWORD,
        )
        .await;
    let job = sync(&app, &token, id).await;
    assert_eq!(job.state, JobState::Done, "{:?}", job.last_error);
    assert_eq!(around().await, 0, "the erased mentee's event is gone");
    assert!(app.store.written_events(id).await.unwrap().is_empty());
    // An hour on, the account itself is erased.
    app.clock.advance(jiff::SignedDuration::from_mins(61));
    stint_app::erasure::erase_due(&core).await.unwrap();
    let gone = app
        .store
        .account_by_email("erin@example.com")
        .await
        .unwrap();
    assert!(gone.is_none(), "{gone:?}");
}
