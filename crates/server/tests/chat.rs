//! Nudges in workspace chat on both backends, against local receivers that check each
//! service's format (a Slack or Mattermost `text`, a Teams workflow's Adaptive Card) and
//! answer 400 to anything else: a booking's confirmation reaches each party's chat once,
//! beside the inbox and e-mail, and the delivery log says so; a receiver that fails is
//! retried and shown on the settings page, and still gets the nudge once; an internal
//! address is refused when connecting unless the operator allows it; bad input writes nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod common;

use axum::extract::{Path, State};
use axum::http::StatusCode as Http;
use common::queue::{outbox_worker, settle};
use common::{App, expect_error};
use jiff::SignedDuration;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use stint_domain::booking::BookingId;
use stint_domain::clock::Clock;
use stint_domain::ids::UserId;
use stint_domain::nudge::{Channel, NudgePrefs};
use stint_server::demo::DEMO_PASSWORD;
use stint_store::DeliveryStatus;

on_both_backends!(App;
    a_confirmation_reaches_each_partys_chat_once_in_its_format,
    a_failing_chat_is_retried_shown_and_still_posted_once,
);

/// With a second server on the same database whose egress policy allows nothing internal.
mod strict {
    use super::*;

    on_both_backends!(App, url;
        chats_are_checked_when_connected_and_write_nothing_when_refused,
    );

    async fn chats_are_checked_when_connected_and_write_nothing_when_refused(
        app: App,
        url: String,
    ) {
        super::chats_are_checked_when_connected_and_write_nothing_when_refused(app, url).await;
    }
}

/// What the receivers accepted, by path, and how many failures each path still owes.
#[derive(Clone, Default)]
struct Received {
    posts: Arc<Mutex<Vec<(String, Value)>>>,
    fail_first: Arc<Mutex<usize>>,
}

impl Received {
    fn at(&self, path: &str) -> Vec<Value> {
        self.posts
            .lock()
            .unwrap()
            .iter()
            .filter(|(p, _)| p == path)
            .map(|(_, v)| v.clone())
            .collect()
    }
}

/// Whether `body` is what the service at `kind` takes.
fn well_formed(kind: &str, body: &Value) -> bool {
    match kind {
        "slack" | "mattermost" => {
            body["text"].as_str().is_some_and(|t| !t.is_empty())
                && body.get("attachments").is_none()
        }
        "teams" => {
            let card = &body["attachments"][0];
            body["type"] == "message"
                && card["contentType"] == "application/vnd.microsoft.card.adaptive"
                && card["content"]["type"] == "AdaptiveCard"
                && card["content"]["body"]
                    .as_array()
                    .is_some_and(|b| b.iter().all(|t| t["type"] == "TextBlock"))
        }
        _ => false,
    }
}

async fn receive(
    State(r): State<Received>,
    Path((kind, name)): Path<(String, String)>,
    body: String,
) -> Http {
    let Ok(value) = serde_json::from_str::<Value>(&body) else {
        return Http::BAD_REQUEST;
    };
    if !well_formed(&kind, &value) {
        return Http::BAD_REQUEST;
    }
    if name == "flaky" {
        let mut owed = r.fail_first.lock().unwrap();
        if *owed > 0 {
            *owed -= 1;
            return Http::SERVICE_UNAVAILABLE;
        }
    }
    r.posts
        .lock()
        .unwrap()
        .push((format!("/{kind}/{name}"), value));
    Http::OK
}

/// Receivers on a loopback port: `/{slack|mattermost|teams}/{name}`.
async fn receivers() -> (String, Received) {
    let received = Received::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let router = axum::Router::new()
        .route("/{kind}/{name}", axum::routing::post(receive))
        .with_state(received.clone());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (base, received)
}

/// The default preferences without quiet hours, so a confirmation goes at once.
async fn awake(app: &App, who: i64) {
    let prefs = NudgePrefs {
        quiet: None,
        ..NudgePrefs::default()
    };
    app.store
        .save_nudge_prefs(UserId(who), &prefs, app.clock.now())
        .await
        .unwrap();
}

/// Books `mentee` with `mentor`'s first free Negotiation clinic slot 3–20 days ahead.
async fn book(app: &App, token: &str, mentor: i64) -> BookingId {
    let slots = app.slots_in_days("negotiation-clinic-45", 3, 20).await;
    let s = slots
        .iter()
        .find(|s| s["mentor_id"] == mentor)
        .expect("a slot of the mentor");
    let r = app
        .post(
            "/api/v1/bookings",
            Some(token),
            json!({"sku": "negotiation-clinic-45", "mentor_id": mentor, "start": s["start"]}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    BookingId(r.json::<Value>().await.unwrap()["id"].as_i64().unwrap())
}

async fn a_confirmation_reaches_each_partys_chat_once_in_its_format(app: App) {
    let (base, received) = receivers().await;
    let maya = app.id_of("maya@stint.example").await;
    let sam = app.id_of("sam@stint.example").await;
    awake(&app, maya).await;
    awake(&app, sam).await;
    // Maya connects Slack on the page; Sam a Teams workflow through the API.
    let client = common::browser();
    common::log_in(&app, &client, "maya@stint.example").await;
    let (status, page) = common::submit(
        &app,
        &client,
        "/account/chat",
        "/account/chat",
        &[("kind", "slack"), ("url", &format!("{base}/slack/maya"))],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Connected to Slack"), "{page}");
    let sam_token = app.login("sam@stint.example", DEMO_PASSWORD).await;
    let r = app
        .put(
            "/api/v1/me/chat",
            Some(&sam_token),
            json!({"kind": "teams", "url": format!("{base}/teams/sam")}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let chat: Value = r.json().await.unwrap();
    assert_eq!(chat["kind"], "teams");
    // Only the host is ever shown: the rest of the address is the webhook's secret.
    assert!(!chat.to_string().contains("/teams/sam"), "{chat}");

    app.clear_queue().await;
    let stop = outbox_worker(&app);
    let booking = book(&app, &sam_token, maya).await;
    settle(&app).await;
    let slack = received.at("/slack/maya");
    let teams = received.at("/teams/sam");
    assert_eq!((slack.len(), teams.len()), (1, 1), "{slack:?} {teams:?}");
    assert!(
        slack[0]["text"].as_str().unwrap().starts_with("*Booked"),
        "{}",
        slack[0]
    );
    assert!(
        slack[0]["text"]
            .as_str()
            .unwrap()
            .contains(&format!("/sessions/{}|", booking.0)),
        "the link to the session"
    );
    let card = &teams[0]["attachments"][0]["content"];
    assert!(
        card["body"][0]["text"]
            .as_str()
            .unwrap()
            .starts_with("Booked")
    );
    assert_eq!(card["actions"][0]["type"], "Action.OpenUrl");
    // The delivery log has each chat delivery, beside the other channels.
    let log = app.store.deliveries(booking).await.unwrap();
    for who in [maya, sam] {
        let chat = log
            .iter()
            .find(|d| d.recipient.0 == who && d.channel == Channel::Chat)
            .expect("a chat delivery");
        assert_eq!(chat.status, DeliveryStatus::Sent);
        assert!(
            log.iter()
                .any(|d| d.recipient.0 == who && d.channel == Channel::InApp)
        );
    }
    // Planning again (connecting again replans Sam's sessions) sends nothing twice.
    app.clock.advance(SignedDuration::from_mins(1));
    let r = app
        .put(
            "/api/v1/me/chat",
            Some(&sam_token),
            json!({"kind": "teams", "url": format!("{base}/teams/sam")}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    settle(&app).await;
    assert_eq!(received.at("/teams/sam").len(), 1);
    // Disconnected: nothing more is planned or posted there.
    let r = app
        .send(
            reqwest::Method::DELETE,
            "/api/v1/me/chat",
            Some(&sam_token),
            json!({}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.get("/api/v1/me/chat", Some(&sam_token)).await.status(),
        StatusCode::NOT_FOUND
    );
    stop.trigger();
}

async fn a_failing_chat_is_retried_shown_and_still_posted_once(app: App) {
    let (base, received) = receivers().await;
    *received.fail_first.lock().unwrap() = 2;
    let lena = app.id_of("lena@stint.example").await;
    let maya = app.id_of("maya@stint.example").await;
    awake(&app, lena).await;
    let token = app.login("lena@stint.example", DEMO_PASSWORD).await;
    let r = app
        .put(
            "/api/v1/me/chat",
            Some(&token),
            json!({"kind": "mattermost", "url": format!("{base}/mattermost/flaky")}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    app.clear_queue().await;
    let stop = outbox_worker(&app);
    let booking = book(&app, &token, maya).await;
    settle(&app).await;
    assert!(received.at("/mattermost/flaky").is_empty());
    let failed = app.store.deliveries(booking).await.unwrap();
    let chat = failed
        .iter()
        .find(|d| d.recipient.0 == lena && d.channel == Channel::Chat)
        .expect("a logged attempt");
    assert_eq!(chat.status, DeliveryStatus::Failed);
    assert!(chat.detail.contains("503"), "{}", chat.detail);
    // The settings page says what went wrong (the host only).
    let client = common::browser();
    common::log_in(&app, &client, "lena@stint.example").await;
    let (_, page, _) = common::page(&app, &client, "/account/chat").await;
    assert!(
        page.contains("Last problem") && page.contains("503"),
        "{page}"
    );
    assert!(
        !page.contains("/mattermost/flaky"),
        "the address stays secret"
    );
    // Retried after its backoff, until the receiver takes it: posted once.
    for _ in 0..4 {
        app.clock.advance(SignedDuration::from_mins(3));
        settle(&app).await;
    }
    let posts = received.at("/mattermost/flaky");
    assert_eq!(posts.len(), 1, "{posts:?}");
    assert!(posts[0]["text"].as_str().unwrap().starts_with("**Booked"));
    let log = app.store.deliveries(booking).await.unwrap();
    let chat = log
        .iter()
        .find(|d| d.recipient.0 == lena && d.channel == Channel::Chat)
        .unwrap();
    assert_eq!(chat.status, DeliveryStatus::Sent);
    let (_, page, _) = common::page(&app, &client, "/account/chat").await;
    assert!(
        !page.contains("Last problem"),
        "a success clears the problem"
    );
    stop.trigger();
}

async fn chats_are_checked_when_connected_and_write_nothing_when_refused(app: App, url: String) {
    let token = app.login("sam@stint.example", DEMO_PASSWORD).await;
    let sam = UserId(app.id_of("sam@stint.example").await);
    for (body, field) in [
        (
            json!({"kind": "irc", "url": "https://chat.example.com/hook"}),
            "kind",
        ),
        (
            json!({"kind": "slack", "url": "javascript:alert(1)"}),
            "url",
        ),
        (json!({"kind": "slack", "url": ""}), "url"),
    ] {
        let r = app.put("/api/v1/me/chat", Some(&token), body).await;
        let e = expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert!(e["fields"][field].is_string(), "{e}");
    }
    // A server whose operators allowed no internal address: loopback is refused at once.
    // (Another node's operators allowed no internal address.)
    let strict = app.another_node(&url).await;
    let strict_token = strict.login("sam@stint.example", DEMO_PASSWORD).await;
    for url in [
        "http://127.0.0.1:9/hook",
        "http://169.254.169.254/latest",
        "http://localhost:9/x",
    ] {
        let r = strict
            .put(
                "/api/v1/me/chat",
                Some(&strict_token),
                json!({"kind": "slack", "url": url}),
            )
            .await;
        let e = expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert!(
            e["fields"]["url"].as_str().unwrap().contains("private"),
            "{e}"
        );
    }
    assert!(app.store.chat_of(sam).await.unwrap().is_none());
    // The page re-shows the form with its errors.
    let client = common::browser();
    common::log_in(&app, &client, "sam@stint.example").await;
    let (status, page) = common::submit(
        &app,
        &client,
        "/account/chat",
        "/account/chat",
        &[("kind", "slack"), ("url", "not an address")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("an https:// address"), "{page}");
    assert!(app.store.chat_of(sam).await.unwrap().is_none());
}
