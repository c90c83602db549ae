//! One rule, two edges: cancelling and reporting a no-show give the same answer over the
//! JSON API and through the pages, on SQLite and PostgreSQL — a long reason is refused
//! (not cut), a second cancel is a conflict (not a 500), a no-show outside its window is a
//! conflict naming the time (not a 403), and conflicts or unknown ids on pages are pages
//! that say so, never a 500.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod common;

use common::{App, browser, expect_error, log_in, page};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use stint_domain::clock::Clock;
use stint_server::demo::DEMO_PASSWORD;

on_both_backends!(App;
    a_long_cancel_reason_is_refused_by_the_api_and_the_page,
    cancelling_twice_is_a_conflict_on_the_api_and_the_page,
    a_no_show_before_the_start_is_a_conflict_on_the_api_and_the_page,
    the_page_no_show_route_follows_the_rule,
    unknown_and_others_bookings_are_not_found_pages,
);

const SKU: &str = "negotiation-clinic-45";
const MENTOR: &str = "Maya Goldberg";

/// Books `n` separate sessions with Maya for Sam over the API; returns their ids, soonest first.
async fn book_with_maya(app: &App, sam: &str, n: usize) -> Vec<i64> {
    let slots = app.slots_in_days(SKU, 3, 12).await;
    let mut ids = Vec::new();
    // Slots two hours apart, so no booking's buffer touches the next.
    let mut last: Option<jiff::Timestamp> = None;
    for slot in &slots {
        if ids.len() == n {
            break;
        }
        if slot["mentor_name"] != MENTOR {
            continue;
        }
        let start: jiff::Timestamp = slot["start"].as_str().unwrap().parse().unwrap();
        if last.is_some_and(|l| start.duration_since(l) < jiff::SignedDuration::from_hours(2)) {
            continue;
        }
        let r = app
            .post(
                "/api/v1/bookings",
                Some(sam),
                json!({"sku": SKU, "mentor_id": slot["mentor_id"], "start": slot["start"]}),
            )
            .await;
        if r.status() != StatusCode::CREATED {
            continue;
        }
        let b: Value = r.json().await.unwrap();
        ids.push(b["id"].as_i64().unwrap());
        last = Some(start);
    }
    assert_eq!(ids.len(), n, "enough free slots with {MENTOR}");
    ids
}

async fn status_of(app: &App, token: &str, id: i64) -> Value {
    let r = app
        .get(&format!("/api/v1/bookings/{id}"), Some(token))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

/// Posts a session-page form as the logged-in browser.
async fn post_form(
    app: &App,
    client: &Client,
    id: i64,
    action: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, String) {
    let (status, _, csrf) = page(app, client, &format!("/sessions/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    let mut form = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    let r = client
        .post(app.url(&format!("/sessions/{id}/{action}")))
        .form(&form)
        .send()
        .await
        .unwrap();
    let status = r.status();
    (status, r.text().await.unwrap())
}

async fn a_long_cancel_reason_is_refused_by_the_api_and_the_page(app: App) {
    let sam = app.login("sam@stint.example", DEMO_PASSWORD).await;
    let ids = book_with_maya(&app, &sam, 2).await;
    let long = "why ".repeat(130);
    assert!(long.trim().chars().count() > 500);

    let r = app
        .post(
            &format!("/api/v1/bookings/{}/cancel", ids[0]),
            Some(&sam),
            json!({"reason": long}),
        )
        .await;
    let e = expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert!(e["fields"]["reason"].is_string(), "{e}");
    assert_eq!(status_of(&app, &sam, ids[0]).await["status"], "confirmed");

    let client = browser();
    log_in(&app, &client, "sam@stint.example").await;
    let (status, body) = post_form(&app, &client, ids[1], "cancel", &[("reason", &long)]).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "the form again, not a cancel"
    );
    assert!(
        body.contains("at most 500 characters"),
        "the message is shown"
    );
    assert!(body.contains(long.trim()), "the reason is kept as typed");
    assert_eq!(status_of(&app, &sam, ids[1]).await["status"], "confirmed");

    // Within the limit, the page asks first (nothing changes), then both edges cancel and
    // keep the reason whole.
    let (status, body) = post_form(&app, &client, ids[1], "cancel", &[("reason", "ill")]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Cancel this session?"), "asked to confirm");
    assert_eq!(status_of(&app, &sam, ids[1]).await["status"], "confirmed");
    let (status, _) = post_form(
        &app,
        &client,
        ids[1],
        "cancel",
        &[("reason", "ill"), ("confirm", "yes")],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let b = status_of(&app, &sam, ids[1]).await;
    assert_eq!(
        (b["status"].as_str(), b["cancel_reason"].as_str()),
        (Some("cancelled"), Some("ill"))
    );
    // The page no longer offers what cannot be done, and says so.
    let (_, body, _) = page(&app, &client, &format!("/sessions/{}", ids[1])).await;
    assert!(
        body.contains("it can no longer be moved or cancelled"),
        "{body}"
    );
    assert!(!body.contains("Free cancellation until"));
}

async fn cancelling_twice_is_a_conflict_on_the_api_and_the_page(app: App) {
    let sam = app.login("sam@stint.example", DEMO_PASSWORD).await;
    let ids = book_with_maya(&app, &sam, 2).await;
    let cancel = |id: i64| {
        let (app, sam) = (&app, &sam);
        async move {
            app.post(
                &format!("/api/v1/bookings/{id}/cancel"),
                Some(sam),
                json!({"reason": "changed plans"}),
            )
            .await
        }
    };
    assert_eq!(cancel(ids[0]).await.status(), StatusCode::OK);
    let e = expect_error(cancel(ids[0]).await, StatusCode::CONFLICT, "conflict").await;
    assert!(
        e["message"].as_str().unwrap().contains("already cancelled"),
        "{e}"
    );

    // Two tabs: both show the form; the second submit finds it cancelled.
    let client = browser();
    log_in(&app, &client, "sam@stint.example").await;
    let (_, _, csrf) = page(&app, &client, &format!("/sessions/{}", ids[1])).await;
    let submit = || {
        client
            .post(app.url(&format!("/sessions/{}/cancel", ids[1])))
            .form(&[
                ("csrf", csrf.as_str()),
                ("reason", "changed plans"),
                ("confirm", "yes"),
            ])
            .send()
    };
    assert_eq!(submit().await.unwrap().status(), StatusCode::SEE_OTHER);
    let again = submit().await.unwrap();
    assert_eq!(
        again.status(),
        StatusCode::CONFLICT,
        "a conflict, not a 500"
    );
    let body = again.text().await.unwrap();
    assert!(
        body.contains("already cancelled"),
        "the page says what happened"
    );
    assert_eq!(status_of(&app, &sam, ids[1]).await["status"], "cancelled");
}

async fn a_no_show_before_the_start_is_a_conflict_on_the_api_and_the_page(app: App) {
    let sam = app.login("sam@stint.example", DEMO_PASSWORD).await;
    let maya = app.login("maya@stint.example", DEMO_PASSWORD).await;
    let ids = book_with_maya(&app, &sam, 1).await;
    let r = app
        .post(
            &format!("/api/v1/bookings/{}/no-show", ids[0]),
            Some(&maya),
            json!({"side": "mentee"}),
        )
        .await;
    let e = expect_error(r, StatusCode::CONFLICT, "too_early").await;
    let me: Value = app
        .get("/api/v1/me", Some(&maya))
        .await
        .json()
        .await
        .unwrap();
    let zone = me["timezone"].as_str().unwrap();
    assert!(
        e["fields"]["side"].as_str().unwrap().contains(zone),
        "names the time in the reporter's zone ({zone}): {e}"
    );

    let client = browser();
    log_in(&app, &client, "maya@stint.example").await;
    // The page offers no button before the start; a form posted anyway gets the same answer.
    let (status, body) = post_form(&app, &client, ids[0], "no-show", &[("side", "mentee")]).await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "a conflict, as on the API, not a 403"
    );
    assert!(body.contains("can be reported from the start"), "says why");
    assert_eq!(status_of(&app, &sam, ids[0]).await["status"], "confirmed");
}

async fn the_page_no_show_route_follows_the_rule(app: App) {
    let sam = app.login("sam@stint.example", DEMO_PASSWORD).await;
    let ids = book_with_maya(&app, &sam, 1).await;
    let start: jiff::Timestamp = status_of(&app, &sam, ids[0]).await["start"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    // Ten minutes into the session.
    let ahead = start.duration_since(app.clock.now()) + jiff::SignedDuration::from_mins(10);
    app.clock.advance(ahead);

    let sam_browser = browser();
    log_in(&app, &sam_browser, "sam@stint.example").await;
    // Nobody marks themself absent.
    let (status, _) = post_form(&app, &sam_browser, ids[0], "no-show", &[("side", "mentee")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // An unknown side is refused, naming it.
    let (status, body) =
        post_form(&app, &sam_browser, ids[0], "no-show", &[("side", "both")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("mentee or mentor"));

    let maya = browser();
    log_in(&app, &maya, "maya@stint.example").await;
    let (status, _) = post_form(&app, &maya, ids[0], "no-show", &[("side", "mentee")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let b = status_of(&app, &sam, ids[0]).await;
    assert_eq!(
        (b["status"].as_str(), b["no_show_side"].as_str()),
        (Some("no_show"), Some("mentee"))
    );
    // Reported once; a second report is a conflict.
    let client = &maya;
    let (_, _, csrf) = page(&app, client, &format!("/sessions/{}", ids[0])).await;
    let again = client
        .post(app.url(&format!("/sessions/{}/no-show", ids[0])))
        .form(&[("csrf", csrf.as_str()), ("side", "mentee")])
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::CONFLICT);
}

async fn unknown_and_others_bookings_are_not_found_pages(app: App) {
    let sam = app.login("sam@stint.example", DEMO_PASSWORD).await;
    let ids = book_with_maya(&app, &sam, 1).await;
    let lena = browser();
    log_in(&app, &lena, "lena@stint.example").await;
    for path in [
        format!("/sessions/{}", ids[0]),
        format!("/sessions/{}/reschedule", ids[0]),
        "/sessions/999999".to_string(),
    ] {
        let (status, body, _) = page(&app, &lena, &path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert!(body.contains("Page not found"), "{path} says so");
    }
    // A form posted to another's booking changes nothing and reveals nothing.
    let (_, _, csrf) = page(&app, &lena, "/sessions").await;
    let r = lena
        .post(app.url(&format!("/sessions/{}/cancel", ids[0])))
        .form(&[("csrf", csrf.as_str()), ("reason", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(status_of(&app, &sam, ids[0]).await["status"], "confirmed");
}
