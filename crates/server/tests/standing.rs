//! A mentor's standing, on both backends: a paused mentor leaves the directory, the slot
//! lists and booking while their sessions are kept, and is listed again as their return day
//! begins in their own zone (not UTC's); a suspended mentor's upcoming sessions are cancelled
//! under the policy (holds released in full, each mentee told once, however often the
//! suspension is repeated) and only an operator lifts it; a mentor who leaves a session
//! unclosed is reminded once, frozen a week later and reactivates in one step; the pages do
//! the same.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod common;

use common::queue::{outbox_worker, settle, travel_to};
use common::{App, expect_error};
use jiff::{SignedDuration, Timestamp};
use reqwest::StatusCode;
use serde_json::{Value, json};
use stint_domain::clock::Clock;
use stint_domain::ids::UserId;
use stint_server::demo::DEMO_PASSWORD;

on_both_backends!(App, url;
    a_paused_mentor_is_hidden_keeps_sessions_and_returns_on_the_day_in_their_zone,
    a_suspension_cancels_upcoming_sessions_once_and_only_an_operator_lifts_it,
    mentors_pause_and_resume_and_operators_suspend_on_the_pages,
    an_inactive_mentor_is_reminded_once_frozen_a_week_later_and_reactivates,
);

const SKU: &str = "negotiation-clinic-45";

/// Sam books the first clinic two to five days ahead: the booking and its mentor.
async fn sam_books(app: &App, sam: &str) -> (Value, UserId) {
    let slot = app.slots_in_days(SKU, 2, 5).await[0].clone();
    let r = app
        .post(
            "/api/v1/bookings",
            Some(sam),
            json!({"sku": SKU, "mentor_id": slot["mentor_id"], "start": slot["start"]}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let mentor = UserId(slot["mentor_id"].as_i64().unwrap());
    (r.json().await.unwrap(), mentor)
}

async fn email_of(app: &App, id: UserId) -> String {
    app.store
        .account(id)
        .await
        .unwrap()
        .unwrap()
        .email
        .to_string()
}

/// The ids of the mentors the directory lists for the clinic.
async fn listed(app: &App) -> Vec<i64> {
    let r = app.get(&format!("/api/v1/mentors?sku={SKU}"), None).await;
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    body.as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_i64().unwrap())
        .collect()
}

async fn slots_of(app: &App, mentor: UserId) -> Vec<Value> {
    app.slots_in_days(SKU, 1, 8)
        .await
        .into_iter()
        .filter(|s| s["mentor_id"].as_i64() == Some(mentor.0))
        .collect()
}

async fn balance(app: &App, token: &str) -> i64 {
    let w: Value = app
        .get("/api/v1/me/wallet", Some(token))
        .await
        .json()
        .await
        .unwrap();
    w["balance"].as_i64().unwrap()
}

async fn status_of(app: &App, id: i64) -> String {
    let b = app
        .store
        .booking(stint_domain::booking::BookingId(id))
        .await
        .unwrap()
        .unwrap();
    b.status.as_str().to_string()
}

async fn a_paused_mentor_is_hidden_keeps_sessions_and_returns_on_the_day_in_their_zone(
    app: App,
    url: String,
) {
    let sam = app.login("sam@stint.example", DEMO_PASSWORD).await;
    let (booking, mentor) = sam_books(&app, &sam).await;
    // The mentor lives in Auckland (UTC+12 in June): their days begin 12 hours before UTC's.
    stint_store::testing::execute_raw(
        &url,
        &format!(
            "UPDATE users SET timezone = 'Pacific/Auckland' WHERE id = {}",
            mentor.0
        ),
    )
    .await
    .unwrap();
    let token = app
        .login(&email_of(&app, mentor).await, DEMO_PASSWORD)
        .await;
    let free_before = slots_of(&app, mentor).await;
    assert!(!free_before.is_empty());
    assert!(listed(&app).await.contains(&mentor.0));

    // A return day must be after today in their zone, and a real date.
    let today = stint_domain::standing::today_in("Pacific/Auckland", app.clock.now());
    for bad in [today.to_string(), "soon".to_string()] {
        let e = expect_error(
            app.post(
                "/api/v1/mentors/me/pause",
                Some(&token),
                json!({"until": bad}),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert!(e["fields"]["until"].is_string(), "{e}");
    }
    // A mentee cannot pause.
    let r = app
        .post("/api/v1/mentors/me/pause", Some(&sam), json!({}))
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    let back = today.checked_add(jiff::Span::new().days(3)).unwrap();
    let r = app
        .post(
            "/api/v1/mentors/me/pause",
            Some(&token),
            json!({"until": back.to_string()}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let s: Value = r.json().await.unwrap();
    assert_eq!(
        (s["state"].as_str(), s["until"].as_str()),
        (Some("paused"), Some(back.to_string().as_str()))
    );

    // Hidden: not in the directory, no slots, no booking; the profile says so.
    assert!(!listed(&app).await.contains(&mentor.0));
    assert!(slots_of(&app, mentor).await.is_empty());
    let r = app
        .post(
            "/api/v1/bookings",
            Some(&sam),
            json!({"sku": SKU, "mentor_id": mentor.0, "start": free_before[0]["start"]}),
        )
        .await;
    assert!(r.status().is_client_error(), "{}", r.status());
    let profile: Value = app
        .get(&format!("/api/v1/mentors/{}", mentor.0), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(profile["taking_bookings"], false);
    assert_eq!(profile["back_on"], back.to_string());
    assert!(profile["next_available"].is_null());
    // The session already booked is kept.
    assert_eq!(
        status_of(&app, booking["id"].as_i64().unwrap()).await,
        "confirmed"
    );

    // The return: as `back` begins in Auckland, which is noon UTC the day before.
    let begins: Timestamp = back
        .to_zoned_datetime(jiff::tz::TimeZone::get("Pacific/Auckland").unwrap())
        .unwrap()
        .timestamp();
    let core = app.core();
    travel_to(&app, begins - SignedDuration::from_secs(1));
    assert_eq!(stint_app::standing::resume_due(&core).await.unwrap(), 0);
    assert!(!listed(&app).await.contains(&mentor.0));
    travel_to(&app, begins);
    assert_eq!(stint_app::standing::resume_due(&core).await.unwrap(), 1);
    assert!(listed(&app).await.contains(&mentor.0));
    assert_eq!(stint_app::standing::resume_due(&core).await.unwrap(), 0);

    // A pause without a day lasts until the mentor resumes.
    let r = app
        .post("/api/v1/mentors/me/pause", Some(&token), json!({}))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    app.clock.advance(SignedDuration::from_hours(24 * 10));
    assert_eq!(stint_app::standing::resume_due(&core).await.unwrap(), 0);
    assert!(!listed(&app).await.contains(&mentor.0));
    let token = app
        .login(&email_of(&app, mentor).await, DEMO_PASSWORD)
        .await;
    let r = app
        .post("/api/v1/mentors/me/resume", Some(&token), json!({}))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let s: Value = app
        .get("/api/v1/mentors/me/standing", Some(&token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(s["state"], "listed");
    assert!(listed(&app).await.contains(&mentor.0));
}

async fn a_suspension_cancels_upcoming_sessions_once_and_only_an_operator_lifts_it(
    app: App,
    _: String,
) {
    let stop = outbox_worker(&app);
    let sam = app.login("sam@stint.example", DEMO_PASSWORD).await;
    let sam_id = UserId(app.id_of("sam@stint.example").await);
    // Awake at any hour, so the notices arrive as soon as the worker has them.
    let awake = stint_domain::nudge::NudgePrefs {
        quiet: None,
        ..Default::default()
    };
    app.store
        .save_nudge_prefs(sam_id, &awake, app.clock.now())
        .await
        .unwrap();
    let before = balance(&app, &sam).await;
    let (booking, mentor) = sam_books(&app, &sam).await;
    let id = booking["id"].as_i64().unwrap();
    assert!(balance(&app, &sam).await < before, "the price is held");
    settle(&app).await;
    let mentor_token = app
        .login(&email_of(&app, mentor).await, DEMO_PASSWORD)
        .await;

    // Only operators suspend; a reason is needed.
    let path = format!("/api/v1/operator/mentors/{}/suspend", mentor.0);
    for who in [&sam, &mentor_token] {
        let r = app
            .post(&path, Some(who), json!({"reason": "conduct"}))
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
    }
    let op = app.operator().await;
    let e = expect_error(
        app.post(&path, Some(&op), json!({"reason": " "})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(e["fields"]["reason"].is_string());
    assert_eq!(
        status_of(&app, id).await,
        "confirmed",
        "a refused suspension does nothing"
    );
    let r = app
        .post(
            &path,
            Some(&op),
            json!({"reason": "Complaints under review"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap()["cancelled"], 1);

    // The policy: cancelled by the operator, the hold released in full, the mentee told.
    let b = app
        .store
        .booking(stint_domain::booking::BookingId(id))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(b.status.as_str(), "cancelled");
    assert_eq!(
        b.cancel_reason.as_deref(),
        Some(stint_app::standing::SUSPENSION_REASON)
    );
    assert_eq!(
        b.cancelled_by.map(|u| u.0),
        Some(app.id_of("operator@stint.example").await)
    );
    assert_eq!(balance(&app, &sam).await, before);
    // Suspending again cancels nothing more and tells nobody again.
    let r = app
        .post(
            &path,
            Some(&op),
            json!({"reason": "Complaints under review"}),
        )
        .await;
    assert_eq!(r.json::<Value>().await.unwrap()["cancelled"], 0);
    settle(&app).await;
    let told: Vec<_> = app
        .store
        .inbox(sam_id, None, 50)
        .await
        .unwrap()
        .into_iter()
        .filter(|i| i.title.starts_with("Cancelled: "))
        .collect();
    assert_eq!(told.len(), 1, "the mentee is told once in Stint");
    let log = app
        .store
        .deliveries(stint_domain::booking::BookingId(id))
        .await
        .unwrap();
    let cancelled: Vec<_> = log
        .iter()
        .filter(|d| d.recipient == sam_id && d.kind == stint_domain::nudge::NudgeKind::Cancelled)
        .collect();
    assert_eq!(
        cancelled.len(),
        2,
        "once in Stint and once by e-mail: {cancelled:?}"
    );
    common::ledger_is_sound(&app).await;

    // Hidden from mentees entirely; they cannot pause their way out.
    assert!(!listed(&app).await.contains(&mentor.0));
    let r = app
        .get(&format!("/api/v1/mentors/{}", mentor.0), None)
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    for action in ["pause", "resume"] {
        let r = app
            .post(
                &format!("/api/v1/mentors/me/{action}"),
                Some(&mentor_token),
                json!({}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CONFLICT);
    }
    let list: Value = app
        .get("/api/v1/operator/mentors/unlisted", Some(&op))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list[0]["id"], mentor.0);
    assert_eq!(list[0]["state"], "suspended");
    assert_eq!(list[0]["note"], "Complaints under review");
    let r = app
        .get("/api/v1/operator/mentors/unlisted", Some(&sam))
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // Reinstated by an operator: listed again; the cancelled session stays cancelled.
    let reinstate = format!("/api/v1/operator/mentors/{}/reinstate", mentor.0);
    assert_eq!(
        app.post(&reinstate, Some(&mentor_token), json!({}))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post(&reinstate, Some(&op), json!({})).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        app.post(&reinstate, Some(&op), json!({})).await.status(),
        StatusCode::CONFLICT
    );
    assert!(listed(&app).await.contains(&mentor.0));
    assert_eq!(status_of(&app, id).await, "cancelled");
    stop.trigger();
}

async fn mentors_pause_and_resume_and_operators_suspend_on_the_pages(app: App, _: String) {
    let mentor = UserId(app.id_of("maya@stint.example").await);
    let maya = common::browser();
    common::log_in(&app, &maya, "maya@stint.example").await;
    let (status, body, _) = common::page(&app, &maya, "/mentor/profile").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Taking bookings"), "{body}");

    // A day that has passed is refused with the form shown again, nothing paused.
    let (status, body) = common::submit(
        &app,
        &maya,
        "/mentor/profile",
        "/mentor/pause",
        &[("until", "2020-01-01")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("The day must be after today"), "{body}");
    assert!(body.contains("value=\"2020-01-01\""));
    assert!(listed(&app).await.contains(&mentor.0));

    let (status, body) = common::submit(
        &app,
        &maya,
        "/mentor/profile",
        "/mentor/pause",
        &[("until", "")],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains("Paused. Mentees no longer find you"),
        "{body}"
    );
    assert!(body.contains("Resume now"));
    assert!(!listed(&app).await.contains(&mentor.0));
    let visitor = common::browser();
    let (_, body, _) = common::page(&app, &visitor, &format!("/mentors/{}", mentor.0)).await;
    assert!(body.contains("takes no new bookings for now"), "{body}");

    let (status, body) =
        common::submit(&app, &maya, "/mentor/profile", "/mentor/resume", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Welcome back"));
    assert!(listed(&app).await.contains(&mentor.0));

    // An operator suspends her from the accounts page's link, and reinstates her.
    let op = common::browser();
    common::log_in(&app, &op, "operator@stint.example").await;
    let (_, body, _) = common::page(&app, &op, "/operator/accounts").await;
    let form = format!("/operator/mentors/{}/suspend", mentor.0);
    assert!(body.contains(&form));
    let (status, body) = common::submit(&app, &op, &form, &form, &[("reason", "")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("Please fix"));
    assert!(listed(&app).await.contains(&mentor.0));
    let (status, body) =
        common::submit(&app, &op, &form, &form, &[("reason", "Asked to step back")]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Suspended."), "{body}");
    assert!(body.contains("Asked to step back"));
    assert!(!listed(&app).await.contains(&mentor.0));
    // Maya's profile page says so; a mentee's suspend page is forbidden.
    let (_, body, _) = common::page(&app, &maya, "/mentor/profile").await;
    assert!(body.contains("Suspended"));
    let (status, _, _) = common::page(&app, &maya, &form).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = common::submit(
        &app,
        &op,
        "/operator/mentors",
        &format!("/operator/mentors/{}/reinstate", mentor.0),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(listed(&app).await.contains(&mentor.0));
}

async fn an_inactive_mentor_is_reminded_once_frozen_a_week_later_and_reactivates(
    app: App,
    _: String,
) {
    let stop = outbox_worker(&app);
    let core = app.core();
    let sam = app.login("sam@stint.example", DEMO_PASSWORD).await;
    let (booking, mentor) = sam_books(&app, &sam).await;
    let email = email_of(&app, mentor).await;
    let reminded = |app: &App| {
        let store = app.store.clone();
        async move {
            store
                .listed_mentors()
                .await
                .unwrap()
                .into_iter()
                .find(|(m, _)| *m == mentor)
                .map(|(_, at)| at)
        }
    };
    let mails = |app: &App| {
        stint_mail::list_outbox(&app.outbox, 1000)
            .unwrap()
            .iter()
            .filter(|f| f.to.contains(&email) && f.subject.contains("needs you"))
            .count()
    };
    // Active: open times ahead, nothing left unclosed.
    stint_app::inactivity::sweep(&core).await.unwrap();
    assert_eq!(reminded(&app).await, Some(None));

    // Eight days after the session it is still not closed: reminded, once.
    let end: Timestamp = booking["end"].as_str().unwrap().parse().unwrap();
    travel_to(&app, end + SignedDuration::from_hours(24 * 8));
    stint_app::inactivity::sweep(&core).await.unwrap();
    let at = reminded(&app).await.unwrap().expect("reminded");
    stint_app::inactivity::sweep(&core).await.unwrap();
    assert_eq!(
        reminded(&app).await,
        Some(Some(at)),
        "the grace period runs from the first"
    );
    settle(&app).await;
    assert_eq!(mails(&app), 1);
    assert!(
        listed(&app).await.contains(&mentor.0),
        "still listed in the grace period"
    );

    // A week on, still unclosed: frozen, hidden, with the reason for operators.
    travel_to(&app, at + SignedDuration::from_hours(24 * 7));
    stint_app::inactivity::sweep(&core).await.unwrap();
    assert_eq!(reminded(&app).await, None, "no longer listed");
    assert!(!listed(&app).await.contains(&mentor.0));
    let op = app.operator().await;
    let list: Value = app
        .get("/api/v1/operator/mentors/unlisted", Some(&op))
        .await
        .json()
        .await
        .unwrap();
    let row = list
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == mentor.0)
        .unwrap();
    assert_eq!(row["state"], "frozen");
    assert_eq!(row["note"], "a session left unclosed for over a week");
    assert_eq!(
        status_of(&app, booking["id"].as_i64().unwrap()).await,
        "confirmed"
    );

    // One step back: reactivated and listed (and reminded again while the session waits).
    let token = app.login(&email, DEMO_PASSWORD).await;
    let r = app
        .post("/api/v1/mentors/me/resume", Some(&token), json!({}))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(listed(&app).await.contains(&mentor.0));
    // The session still waits, so the next sweep reminds them again, once.
    stint_app::inactivity::sweep(&core).await.unwrap();
    stint_app::inactivity::sweep(&core).await.unwrap();
    assert!(matches!(reminded(&app).await, Some(Some(_))));
    settle(&app).await;
    assert_eq!(mails(&app), 2);
    stop.trigger();
}
