//! Mentor circles, on both backends: only operators form them, of five to eight mentors; a
//! circle's thread is visible to its members only (another mentor, a mentee and an operator
//! get 404); posts are sanitized Markdown and may not point at a mentee (refused with the
//! reason, nothing kept); each member is told of others' posts once, in a digest; a call is
//! planned only when every member is free and lands on each member's calendar feed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod common;

use common::queue::{outbox_worker, settle};
use common::{App, expect_error};
use reqwest::StatusCode;
use serde_json::{Value, json};
use stint_domain::clock::Clock;
use stint_server::demo::DEMO_PASSWORD;

on_both_backends!(App;
    threads_are_for_members_only_and_posts_are_sanitized,
    calls_need_every_member_free_and_reach_their_calendars,
    circles_on_the_pages,
);

/// Two more mentors (the light demo has four), by the operator's grant.
async fn two_more_mentors(app: &App) -> (i64, i64) {
    let op = app.operator().await;
    let mut ids = Vec::new();
    for (email, name) in [
        ("ines@example.com", "Ines Duarte"),
        ("omar@example.com", "Omar Haddad"),
    ] {
        common::make_mentee(app, email, name).await;
        let id = app.id_of(email).await;
        let r = app
            .post(
                &format!("/api/v1/users/{id}/roles"),
                Some(&op),
                json!({"role": "mentor"}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        ids.push(id);
    }
    (ids[0], ids[1])
}

/// A circle of Maya, Jonas, Priya, Ines and Omar (Liam stays out).
async fn circle(app: &App) -> (i64, Vec<i64>) {
    let (ines, omar) = two_more_mentors(app).await;
    let members = vec![
        app.id_of("maya@stint.example").await,
        app.id_of("jonas@stint.example").await,
        app.id_of("priya@stint.example").await,
        ines,
        omar,
    ];
    let op = app.operator().await;
    let r = app
        .post(
            "/api/v1/circles",
            Some(&op),
            json!({"name": "Negotiation coaches", "members": members}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let c: Value = r.json().await.unwrap();
    (c["id"].as_i64().unwrap(), members)
}

/// The calendar feed of the account behind `token`, through a new feed address.
async fn feed_of(app: &App, token: &str) -> String {
    let feed: Value = app
        .post("/api/v1/me/calendar-feed", Some(token), json!({}))
        .await
        .json()
        .await
        .unwrap();
    let url = feed["url"].as_str().unwrap().to_string();
    app.get(&url[url.find("/calendar/").unwrap()..], None)
        .await
        .text()
        .await
        .unwrap()
}

async fn thread(app: &App, token: &str, id: i64) -> Value {
    let r = app.get(&format!("/api/v1/circles/{id}"), Some(token)).await;
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

async fn threads_are_for_members_only_and_posts_are_sanitized(app: App) {
    let op = app.operator().await;
    let maya = app.login("maya@stint.example", DEMO_PASSWORD).await;
    let jonas = app.login("jonas@stint.example", DEMO_PASSWORD).await;
    let liam = app.login("liam@stint.example", DEMO_PASSWORD).await;
    let sam = app.login("sam@stint.example", DEMO_PASSWORD).await;
    let four: Vec<i64> = vec![
        app.id_of("maya@stint.example").await,
        app.id_of("jonas@stint.example").await,
        app.id_of("priya@stint.example").await,
        app.id_of("liam@stint.example").await,
    ];

    // Only operators form circles, of five to eight mentors.
    let r = app
        .post(
            "/api/v1/circles",
            Some(&maya),
            json!({"name": "Ours", "members": four}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let e = expect_error(
        app.post(
            "/api/v1/circles",
            Some(&op),
            json!({"name": "Too few", "members": four}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(
        e["fields"]["members"].as_str().unwrap().contains("5 to 8"),
        "{e}"
    );
    let mut with_mentee = four.clone();
    with_mentee.push(app.id_of("sam@stint.example").await);
    let e = expect_error(
        app.post(
            "/api/v1/circles",
            Some(&op),
            json!({"name": "Mixed", "members": with_mentee}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(
        e["fields"]["members"]
            .as_str()
            .unwrap()
            .contains("not a mentor"),
        "{e}"
    );
    assert!(
        app.store.circles().await.unwrap().is_empty(),
        "nothing kept"
    );

    let (id, _) = circle(&app).await;

    // A member posts Markdown; what is stored and shown is sanitized.
    let hostile = "**Anchoring** works <script>alert(1)</script> \
                   <img src=x onerror=alert(1)> [x](javascript:alert(1))";
    let r = app
        .post(
            &format!("/api/v1/circles/{id}/posts"),
            Some(&maya),
            json!({"body": hostile}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let post: Value = r.json().await.unwrap();
    let html = post["html"].as_str().unwrap().to_lowercase();
    assert!(html.contains("<strong>anchoring</strong>"), "{html}");
    for bad in ["<script", "onerror", "javascript:"] {
        assert!(!html.contains(bad), "{bad} in {html}");
    }
    let post_id = post["id"].as_i64().unwrap();

    // Nothing may point at a mentee: refused with the reason, nothing kept.
    for pointing in [
        "How would you read https://stint.example/sessions/12 ?",
        "Ask sam@stint.example about it",
        "see /bookings/4",
    ] {
        let e = expect_error(
            app.post(
                &format!("/api/v1/circles/{id}/posts"),
                Some(&jonas),
                json!({"body": pointing}),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert!(
            e["fields"]["body"]
                .as_str()
                .unwrap()
                .contains("did not agree"),
            "{e}"
        );
    }
    assert_eq!(
        thread(&app, &jonas, id).await["posts"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // A reply names its post; a reply to a reply, or to another circle's post, is refused.
    let r = app
        .post(
            &format!("/api/v1/circles/{id}/posts"),
            Some(&jonas),
            json!({"body": "Same here: I rehearse the first number twice.", "parent_id": post_id}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let reply: Value = r.json().await.unwrap();
    assert_eq!(reply["parent_id"], post_id);
    let e = expect_error(
        app.post(
            &format!("/api/v1/circles/{id}/posts"),
            Some(&maya),
            json!({"body": "Nested", "parent_id": reply["id"]}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(e["fields"]["parent"].is_string(), "{e}");

    // What Maya wrote is in her data export (as written), and nobody else's.
    let maya_account = app
        .store
        .account_by_email("maya@stint.example")
        .await
        .unwrap()
        .unwrap();
    let doc = stint_app::export::document(
        &app.core(),
        &maya_account,
        &stint_app::export::Progress::Silent,
    )
    .await
    .unwrap();
    let posts = doc["circle_posts"].as_array().unwrap();
    assert_eq!(posts.len(), 1, "{doc}");
    assert!(
        posts[0]["markdown"]
            .as_str()
            .unwrap()
            .contains("**Anchoring**")
    );

    // Helping in a circle counts toward a mentor's contribution level, shown on the profile.
    let maya_id = app.id_of("maya@stint.example").await;
    let profile: Value = app
        .get(&format!("/api/v1/mentors/{maya_id}"), None)
        .await
        .json()
        .await
        .unwrap();
    let c = &profile["contribution"];
    assert_eq!(c["circle_posts"], 1, "{profile}");
    assert!(
        c["level"].is_string() && c["meaning"].is_string(),
        "{profile}"
    );
    assert!(!c["next_needs"].as_array().unwrap().is_empty(), "{profile}");

    // Members only: another mentor, a mentee and an operator are told it does not exist.
    for outsider in [&liam, &sam, &op] {
        let r = app
            .get(&format!("/api/v1/circles/{id}"), Some(outsider))
            .await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        let r = app
            .post(
                &format!("/api/v1/circles/{id}/posts"),
                Some(outsider),
                json!({"body": "hello"}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
    }
    let mine: Value = app
        .get("/api/v1/circles", Some(&liam))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine.as_array().unwrap().len(), 0);
    let mine: Value = app
        .get("/api/v1/circles", Some(&maya))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine[0]["id"], id);
    assert_eq!(mine[0]["members"].as_array().unwrap().len(), 5);
    // Operators list circles and members, never the words.
    let all = app
        .get("/api/v1/circles", Some(&op))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        all.contains("Negotiation coaches") && !all.contains("Anchoring"),
        "{all}"
    );

    // Each member is told of others' posts once, in a digest: Maya of Jonas's reply, Jonas
    // of Maya's post, the other three of both; a second sweep tells nobody again.
    let stop = outbox_worker(&app);
    stint_app::circles::digest(&app.core()).await.unwrap();
    assert_eq!(stint_app::circles::digest(&app.core()).await.unwrap(), 0);
    settle(&app).await;
    // Quiet hours hold a digest back (Maya's night): the next day, all have gone.
    let next_day = app.clock.now() + jiff::SignedDuration::from_hours(24);
    common::queue::travel_to(&app, next_day);
    settle(&app).await;
    stop.trigger();
    let told = |email: &str, subject: &str| {
        stint_mail::list_outbox(&app.outbox, 1000)
            .unwrap()
            .iter()
            .filter(|m| m.to.contains(email) && m.subject.contains(subject))
            .count()
    };
    assert_eq!(
        told("priya@stint.example", "Negotiation coaches: 2 new posts"),
        1
    );
    assert_eq!(
        told("maya@stint.example", "Negotiation coaches: 1 new post"),
        1
    );
    assert_eq!(
        told("jonas@stint.example", "Negotiation coaches: 1 new post"),
        1
    );
    assert_eq!(told("liam@stint.example", "Negotiation coaches"), 0);
    let inbox: Value = app
        .get("/api/v1/me/inbox", Some(&maya))
        .await
        .json()
        .await
        .unwrap();
    assert!(
        inbox.to_string().contains(&format!("/mentor/circles/{id}")),
        "{inbox}"
    );
}

async fn calls_need_every_member_free_and_reach_their_calendars(app: App) {
    let (id, _) = circle(&app).await;
    let maya = app.login("maya@stint.example", DEMO_PASSWORD).await;
    let liam = app.login("liam@stint.example", DEMO_PASSWORD).await;
    let sam = app.login("sam@stint.example", DEMO_PASSWORD).await;

    // Sam books Maya; a call at that time is refused, naming her.
    let slots = app.slots_in_days("career-pivot-30", 2, 9).await;
    let maya_id = app.id_of("maya@stint.example").await;
    let slot = slots
        .iter()
        .find(|s| s["mentor_id"].as_i64() == Some(maya_id))
        .expect("a slot of Maya's");
    let start = slot["start"].as_str().unwrap().to_string();
    let r = app
        .post(
            "/api/v1/bookings",
            Some(&sam),
            json!({"sku": "career-pivot-30", "mentor_id": maya_id, "start": start}),
        )
        .await;
    assert_eq!(
        r.status(),
        StatusCode::CREATED,
        "{}",
        r.text().await.unwrap()
    );
    let e = expect_error(
        app.post(
            &format!("/api/v1/circles/{id}/calls"),
            Some(&maya),
            json!({"start": start, "minutes": 45}),
        )
        .await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    assert!(e.to_string().contains("Maya"), "{e}");

    // Bad input: past, too short, not https.
    for (body, field) in [
        (
            json!({"start": "2026-05-01T17:00:00Z", "minutes": 45}),
            "start",
        ),
        (
            json!({"start": "2026-06-20T17:00:00Z", "minutes": 5}),
            "minutes",
        ),
        (
            json!({"start": "2026-06-20T17:00:00Z", "minutes": 45, "location": "http://x"}),
            "location",
        ),
        (json!({"start": "next tuesday", "minutes": 45}), "start"),
    ] {
        let e = expect_error(
            app.post(&format!("/api/v1/circles/{id}/calls"), Some(&maya), body)
                .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert!(e["fields"][field].is_string(), "{field}: {e}");
    }
    let r = app
        .post(
            &format!("/api/v1/circles/{id}/calls"),
            Some(&liam),
            json!({"start": "2026-06-20T17:00:00Z", "minutes": 45}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    let r = app
        .post(
            &format!("/api/v1/circles/{id}/calls"),
            Some(&maya),
            json!({"start": "2026-06-20T17:00:00Z", "minutes": 45, "location": "https://meet.example/circle"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let call: Value = r.json().await.unwrap();
    assert_eq!(call["end"], "2026-06-20T17:45:00Z");
    let call_id = call["id"].as_i64().unwrap();
    assert_eq!(thread(&app, &maya, id).await["calls"][0]["id"], call_id);

    // On each member's calendar feed, and as an invitation for members only.
    let ics = feed_of(&app, &maya).await;
    assert!(
        ics.contains(&format!("UID:circle-call-{call_id}@stint")),
        "{ics}"
    );
    assert!(ics.contains("Negotiation coaches · circle call"), "{ics}");
    let ics = feed_of(&app, &liam).await;
    assert!(!ics.contains("circle-call"), "{ics}");

    let member = common::browser();
    common::log_in(&app, &member, "priya@stint.example").await;
    let path = format!("/mentor/circles/calls/{call_id}/invite.ics");
    let (status, body, _) = common::page(&app, &member, &path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains("BEGIN:VEVENT") && body.contains("meet.example/circle"),
        "{body}"
    );
    let outsider = common::browser();
    common::log_in(&app, &outsider, "liam@stint.example").await;
    let (status, _, _) = common::page(&app, &outsider, &path).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn circles_on_the_pages(app: App) {
    let (ines, omar) = two_more_mentors(&app).await;
    let op = common::browser();
    common::log_in(&app, &op, "operator@stint.example").await;
    let (status, body, _) = common::page(&app, &op, "/operator/circles").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Form a circle") && body.contains("Ines Duarte"));

    // Too few members: the form comes back with the name kept and the reason.
    let maya = app.id_of("maya@stint.example").await.to_string();
    let jonas = app.id_of("jonas@stint.example").await.to_string();
    let priya = app.id_of("priya@stint.example").await.to_string();
    let (ines, omar) = (ines.to_string(), omar.to_string());
    let (status, body) = common::submit(
        &app,
        &op,
        "/operator/circles",
        "/operator/circles",
        &[
            ("name", "Career changers"),
            ("members", &maya),
            ("members", &jonas),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.contains("Please fix") && body.contains("Career changers"),
        "{body}"
    );
    let (status, body) = common::submit(
        &app,
        &op,
        "/operator/circles",
        "/operator/circles",
        &[
            ("name", "Career changers"),
            ("members", &maya),
            ("members", &jonas),
            ("members", &priya),
            ("members", &ines),
            ("members", &omar),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Circle formed"), "{body}");
    let id = app.store.circles().await.unwrap()[0].id;

    // Maya finds it, reads why mentees are never named, and posts; a pointer is refused in place.
    let m = common::browser();
    common::log_in(&app, &m, "maya@stint.example").await;
    let (_, body, _) = common::page(&app, &m, "/mentor/circles").await;
    assert!(body.contains(&format!("/mentor/circles/{id}")), "{body}");
    let page = format!("/mentor/circles/{id}");
    let (_, body, _) = common::page(&app, &m, &page).await;
    assert!(body.contains("did not agree to be discussed"), "{body}");
    let action = format!("/mentor/circles/{id}/posts");
    let (status, body) = common::submit(
        &app,
        &m,
        &page,
        &action,
        &[(
            "body",
            "Thoughts on https://stint.example/sessions/3 please",
        )],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.contains("aria-invalid=\"true\"") && body.contains("Thoughts on"),
        "{body}"
    );
    let (status, body) = common::submit(
        &app,
        &m,
        &page,
        &action,
        &[("body", "How do you *close* a pivot session in 30 minutes?")],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("<em>close</em>"), "{body}");

    // Liam, not a member, is told there is no such circle.
    let l = common::browser();
    common::log_in(&app, &l, "liam@stint.example").await;
    let (status, body, _) = common::page(&app, &l, &page).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!body.contains("pivot session"));
}
