//! The security findings, each reproduced against a real server on SQLite and (when
//! `STINT_TEST_POSTGRES_URL` is set; required with `CI=true`) PostgreSQL. Servers here run
//! with the default egress policy (public addresses only), unlike the other suites, whose
//! peers listen on loopback. Other findings are kept fixed where their feature is tested:
//! `next=` and CSRF binding in `pages.rs`, operator routes in `use_cases.rs`, the flood and
//! the worst note in the `flood` and `markdown` benchmarks.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod common;

use common::expect_error;
use jiff::SignedDuration;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use stint_domain::clock::Clock;
use stint_server::demo::DEMO_PASSWORD;
use stint_store::NewWebhookEndpoint;
use stint_testkit::INTERNAL_ADDRESS_SPELLINGS;

/// A test server with Stint's default egress policy, behind a trusted proxy at 127.0.0.2
/// (a client bound to that address is "the proxy"; one on 127.0.0.1 is not).
struct Strict(common::App);

const PROXY: &str = "127.0.0.2";

impl Strict {
    async fn start(url: &str) -> Strict {
        Strict(
            common::App::start_with(url, |c| {
                c.egress_allow.clear();
                c.trusted_proxies = vec![PROXY.into()];
            })
            .await,
        )
    }
}

on_both_backends!(Strict;
    internal_addresses_are_refused_when_a_webhook_or_calendar_is_saved,
    a_delivery_to_an_internal_address_never_connects,
    guesses_from_elsewhere_do_not_lock_the_owner_out,
    an_attacked_account_slows_strangers_but_not_the_owners_address,
    a_burst_of_parallel_guesses_gets_no_more_than_the_limit,
    a_forwarded_for_header_is_believed_only_from_a_trusted_proxy,
    a_sprayer_is_stopped_but_accounts_known_at_that_address_still_log_in,
    a_note_is_rendered_once_when_saved_and_views_read_the_stored_html,
    links_in_calendar_files_come_from_the_public_url_not_the_host_header,
    a_new_password_ends_every_other_session_and_token,
    tokens_are_listed_with_their_last_use_and_revoked_by_their_owner_only,
    signing_out_everywhere_ends_every_session_and_token,
    a_reset_link_works_once_within_the_hour_and_the_answer_never_tells,
    signup_is_confirmed_by_mail_and_never_tells_a_taken_address,
);

// ---- log-in throttle ---------------------------------------------------------------------

/// Log-in requests as if forwarded by the trusted proxy for `client`.
struct Via {
    http: reqwest::Client,
    base: String,
}

impl Via {
    fn proxy(app: &common::App) -> Via {
        Via {
            http: reqwest::Client::builder()
                .local_address(PROXY.parse::<std::net::IpAddr>().unwrap())
                .build()
                .unwrap(),
            base: app.base.clone(),
        }
    }

    fn direct(app: &common::App) -> Via {
        Via {
            http: reqwest::Client::new(),
            base: app.base.clone(),
        }
    }

    /// Logs in as `email` for the client `forwarded` (an `X-Forwarded-For` value).
    async fn login(&self, forwarded: &str, email: &str, password: &str) -> reqwest::Response {
        self.http
            .post(format!("{}/api/v1/auth/login", self.base))
            .header("x-forwarded-for", forwarded)
            .json(&json!({"email": email, "password": password}))
            .send()
            .await
            .unwrap()
    }
}

const OWNER: &str = "lena@stint.example";
const WRONG: &str = "not her password";

async fn retry_after(r: &reqwest::Response) -> u64 {
    r.headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("429 says when to come back")
}

async fn guesses_from_elsewhere_do_not_lock_the_owner_out(app: Strict) {
    let app = app.0;
    let via = Via::proxy(&app);
    for _ in 0..5 {
        let r = via.login("203.0.113.9", OWNER, WRONG).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let r = via.login("203.0.113.9", OWNER, DEMO_PASSWORD).await;
    assert_eq!(
        r.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "the guesser's sixth try"
    );
    assert_eq!(retry_after(&r).await, 900);
    // The owner, from their own address, gets in with the right password …
    let r = via.login("198.51.100.7", OWNER, DEMO_PASSWORD).await;
    assert_eq!(r.status(), StatusCode::OK);
    // … and the guesser is still stopped.
    let r = via.login("203.0.113.9", OWNER, WRONG).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    // After the window, the guesser may try again.
    app.clock.advance(SignedDuration::from_mins(16));
    let r = via.login("203.0.113.9", OWNER, WRONG).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

async fn an_attacked_account_slows_strangers_but_not_the_owners_address(app: Strict) {
    let app = app.0;
    let via = Via::proxy(&app);
    let r = via.login("198.51.100.7", OWNER, DEMO_PASSWORD).await;
    assert_eq!(r.status(), StatusCode::OK, "the owner's usual address");
    // A spread-out attack: one guess from each of eleven addresses, seconds apart.
    for i in 0..11 {
        let r = via
            .login(&format!("203.0.113.{}", 10 + i), OWNER, WRONG)
            .await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "guess {i}");
        app.clock.advance(SignedDuration::from_secs(11));
    }
    // Now strangers share one attempt per 10 s on this account.
    let r = via.login("203.0.113.50", OWNER, WRONG).await;
    assert_eq!(
        r.status(),
        StatusCode::UNAUTHORIZED,
        "the first in its 10 s"
    );
    let r = via.login("203.0.113.51", OWNER, DEMO_PASSWORD).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS, "the second");
    assert_eq!(retry_after(&r).await, 10);
    // The owner's known address is not slowed.
    let r = via.login("198.51.100.7", OWNER, DEMO_PASSWORD).await;
    assert_eq!(r.status(), StatusCode::OK);
    app.clock.advance(SignedDuration::from_secs(11));
    let r = via.login("203.0.113.51", OWNER, WRONG).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "ten seconds later");
}

async fn a_burst_of_parallel_guesses_gets_no_more_than_the_limit(app: Strict) {
    let app = app.0;
    let via = Arc::new(Via::proxy(&app));
    // Nine at once: under the account-wide slow-down (10), so the per-pair limit alone holds.
    let mut tasks = Vec::new();
    for _ in 0..9 {
        let via = via.clone();
        tasks.push(tokio::spawn(async move {
            via.login("203.0.113.9", OWNER, WRONG).await.status()
        }));
    }
    let mut checked = 0;
    for task in tasks {
        match task.await.unwrap() {
            StatusCode::UNAUTHORIZED => checked += 1,
            StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE => {}
            other => panic!("unexpected {other}"),
        }
    }
    // Each attempt counts every one recorded before it, so a burst may even get fewer.
    assert!(
        checked <= 5,
        "{checked} passwords were checked; the limit is 5"
    );
    let r = via.login("198.51.100.7", OWNER, DEMO_PASSWORD).await;
    assert_eq!(r.status(), StatusCode::OK, "the owner, from elsewhere");
}

async fn a_forwarded_for_header_is_believed_only_from_a_trusted_proxy(app: Strict) {
    let app = app.0;
    // Not from the proxy: every request claims another address, all count as 127.0.0.1.
    let direct = Via::direct(&app);
    for i in 0..5 {
        let r = direct.login(&format!("198.51.100.{i}"), OWNER, WRONG).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let r = direct.login("198.51.100.99", OWNER, WRONG).await;
    assert_eq!(
        r.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "spoofing does not help"
    );
    // Through the proxy, entries the client wrote on the left are skipped: the client is the
    // rightmost address the proxy did not add.
    let via = Via::proxy(&app);
    for i in 0..5 {
        let r = via
            .login(
                &format!("10.9.9.{i}, 203.0.113.9"),
                "sam@stint.example",
                WRONG,
            )
            .await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let r = via
        .login("10.9.9.99, 203.0.113.9", "sam@stint.example", WRONG)
        .await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
}

async fn a_sprayer_is_stopped_but_accounts_known_at_that_address_still_log_in(app: Strict) {
    let app = app.0;
    let via = Via::proxy(&app);
    let office = "198.51.100.20";
    let r = via.login(office, "sam@stint.example", DEMO_PASSWORD).await;
    assert_eq!(r.status(), StatusCode::OK);
    for i in 0..100 {
        let r = via
            .login(office, &format!("guess{i}@stint.example"), WRONG)
            .await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    let r = via.login(office, OWNER, DEMO_PASSWORD).await;
    assert_eq!(
        r.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "a new account from there"
    );
    let r = via.login(office, "sam@stint.example", DEMO_PASSWORD).await;
    assert_eq!(r.status(), StatusCode::OK, "an account the office uses");
}

/// The message of a 422 for `field` (`what` names the case in a failure).
async fn refused_field(r: reqwest::Response, field: &str, what: &str) -> String {
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{what}");
    let body: Value = r.json().await.unwrap();
    body["error"]["fields"][field]
        .as_str()
        .unwrap_or_else(|| panic!("{what}: no message for {field}: {body}"))
        .to_string()
}

/// A loopback listener that counts connections and answers 200.
async fn counting_receiver() -> (String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            seen.fetch_add(1, Ordering::SeqCst);
            use tokio::io::AsyncWriteExt;
            let _ = stream
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
                .await;
        }
    });
    (url, count)
}

async fn internal_addresses_are_refused_when_a_webhook_or_calendar_is_saved(app: Strict) {
    let app = app.0;
    let operator = app.operator().await;
    let mentor = app.login("maya@stint.example", DEMO_PASSWORD).await;
    for spelling in INTERNAL_ADDRESS_SPELLINGS {
        let r = app
            .post(
                "/api/v1/webhooks",
                Some(&operator),
                json!({"url": spelling, "description": "x", "event_types": ["booking.created"]}),
            )
            .await;
        let message = refused_field(r, "url", spelling).await;
        assert!(
            message.contains("private or internal"),
            "{spelling}: {message}"
        );
        for kind in ["ics", "caldav"] {
            let r = app
                .post(
                    "/api/v1/mentors/me/calendars",
                    Some(&mentor),
                    json!({"kind": kind, "url": spelling, "username": "maya", "password": "pw"}),
                )
                .await;
            refused_field(r, "url", &format!("{kind} calendar {spelling}")).await;
        }
    }
    // `webcal://` is read as https and refused the same way.
    let r = app
        .post(
            "/api/v1/mentors/me/calendars",
            Some(&mentor),
            json!({"kind": "ics", "url": "webcal://127.1/cal.ics"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(app.store.webhook_endpoints().await.unwrap().is_empty());
    // A public address is still accepted.
    let r = app
        .post(
            "/api/v1/webhooks",
            Some(&operator),
            json!({"url": "https://hooks.example.com/in", "description": "x", "event_types": ["booking.created"]}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
}

/// An endpoint saved while an operator allowed its address, then no longer allowed: the
/// worker refuses it at connection time, logs why, and the receiver sees nothing.
async fn a_delivery_to_an_internal_address_never_connects(app: Strict) {
    let app = app.0;
    let (url, connections) = counting_receiver().await;
    let operator = app
        .store
        .account_by_email("operator@stint.example")
        .await
        .unwrap()
        .unwrap();
    app.clear_queue().await;
    let save = |url: String| {
        let store = app.store.clone();
        let now = app.clock.now();
        async move {
            store
                .create_webhook_endpoint(
                    &NewWebhookEndpoint {
                        url,
                        description: "saved under an older allow list".into(),
                        secret: stint_webhooks::generate_secret().unwrap(),
                        event_types: vec!["booking.completed".into()],
                        created_by: operator.id,
                        org: None,
                    },
                    now,
                )
                .await
                .unwrap()
        }
    };
    let endpoint = save(url.clone()).await;
    // Every other spelling of an inside address too, each its own endpoint.
    let mut others = Vec::new();
    for spelling in INTERNAL_ADDRESS_SPELLINGS {
        others.push((spelling, save(spelling.to_string()).await.id));
    }
    let worker =
        stint_server::worker::build(app.store.clone(), app.clock.clone(), &app.worker_config())
            .unwrap();
    tokio::spawn(worker.run(std::future::pending::<()>()));
    stint_webhooks::emit(
        app.store.as_ref(),
        stint_webhooks::EventType::BookingCompleted,
        &json!({"booking_id": 1}),
        app.clock.now(),
    )
    .await
    .unwrap();
    let mut log = Vec::new();
    for _ in 0..600 {
        log = app
            .store
            .webhook_attempts(endpoint.id, None, 10)
            .await
            .unwrap();
        if !log.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let error = log
        .first()
        .and_then(|a| a.error.clone())
        .expect("one attempt logged");
    assert!(error.contains("private or internal address"), "{error}");
    assert!(!error.contains("/hook"), "the path is not logged: {error}");
    for (spelling, id) in others {
        let mut log = Vec::new();
        for _ in 0..600 {
            log = app.store.webhook_attempts(id, None, 10).await.unwrap();
            if !log.is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let error = log
            .first()
            .and_then(|a| a.error.clone())
            .unwrap_or_default();
        assert!(
            error.contains("private or internal address"),
            "{spelling}: {error}"
        );
    }
    app.clock.advance(SignedDuration::from_secs(31));
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        connections.load(Ordering::SeqCst),
        0,
        "nothing reached the receiver"
    );
}

// ---- notes ---------------------------------------------------------------------------------

/// The shared note of booking `id` as the API shows it to `token`'s account.
async fn shared_note(app: &common::App, token: &str, id: i64) -> Value {
    let notes: Value = app
        .get(&format!("/api/v1/bookings/{id}/notes"), Some(token))
        .await
        .json()
        .await
        .unwrap();
    notes
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["kind"] == "shared")
        .cloned()
        .unwrap()
}

async fn a_note_is_rendered_once_when_saved_and_views_read_the_stored_html(app: Strict) {
    let app = app.0;
    let sam = app.login("sam@stint.example", DEMO_PASSWORD).await;
    let bookings: Value = app
        .get("/api/v1/bookings", Some(&sam))
        .await
        .json()
        .await
        .unwrap();
    let booking = &bookings.as_array().unwrap()[0];
    let id = booking["id"].as_i64().unwrap();
    let path = format!("/api/v1/bookings/{id}/notes/shared");
    // The worst note known: a note's full 20,000 bytes of nested quotes.
    let worst = ">".repeat(stint_domain::outcome::notes::NOTE_MAX_BYTES);
    let r = app.put(&path, Some(&sam), json!({"body": worst})).await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = app
        .put(
            &path,
            Some(&sam),
            json!({"body": "**bold** <script>alert(1)</script>"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let saved: Value = r.json().await.unwrap();
    let html = saved["html"].as_str().unwrap();
    assert!(
        html.contains("<strong>bold</strong>") && !html.contains("<script"),
        "{html}"
    );
    // What a view shows is what was stored at save time: change the stored HTML under the
    // same Markdown, and the API and the page show the change.
    let sam_id = app
        .store
        .account_by_email("sam@stint.example")
        .await
        .unwrap()
        .unwrap()
        .id;
    let stored = stint_store::NewNote {
        booking: stint_domain::booking::BookingId(id),
        kind: stint_domain::outcome::notes::NoteKind::Shared,
        author: sam_id,
        body: "**bold** <script>alert(1)</script>",
        html: "<p>rendered-once-marker</p>",
    };
    app.store.save_note(&stored, app.clock.now()).await.unwrap();
    let shared = shared_note(&app, &sam, id).await;
    assert_eq!(shared["html"], "<p>rendered-once-marker</p>");
    // A note saved before HTML was stored (empty) is rendered when read.
    let legacy = stint_store::NewNote { html: "", ..stored };
    app.store.save_note(&legacy, app.clock.now()).await.unwrap();
    let shared = shared_note(&app, &sam, id).await;
    assert!(
        shared["html"]
            .as_str()
            .unwrap()
            .contains("<strong>bold</strong>"),
        "{shared}"
    );
}

// ---- links ---------------------------------------------------------------------------------

async fn links_in_calendar_files_come_from_the_public_url_not_the_host_header(app: Strict) {
    let app = app.0;
    let sam = app.login("sam@stint.example", DEMO_PASSWORD).await;
    let r = app
        .http
        .post(format!("{}/api/v1/me/calendar-feed", app.base))
        .bearer_auth(&sam)
        .header("host", "evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let url = r.json::<Value>().await.unwrap()["url"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(url.starts_with(&app.base), "{url}");
    let bookings: Value = app
        .get("/api/v1/bookings", Some(&sam))
        .await
        .json()
        .await
        .unwrap();
    let id = bookings.as_array().unwrap()[0]["id"].as_i64().unwrap();
    let invite = app
        .http
        .get(format!("{}/api/v1/bookings/{id}/invite.ics", app.base))
        .bearer_auth(&sam)
        .header("host", "evil.example")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!invite.contains("evil.example"), "{invite}");
    assert!(invite.contains("SCHEDULE-AGENT=CLIENT"), "{invite}");
}

// ---- credentials ---------------------------------------------------------------------------

const SAM: &str = "sam@stint.example";
const NEW_PASSWORD: &str = "correct horse battery";

async fn status_of(app: &common::App, path: &str, token: &str) -> StatusCode {
    app.get(path, Some(token)).await.status()
}

/// A browser logged in as `email` through the log-in page.
async fn browser_of(app: &common::App, email: &str) -> reqwest::Client {
    let client = common::browser();
    common::log_in(app, &client, email).await;
    client
}

/// Whether the browser's session still opens the dashboard.
async fn session_alive(app: &common::App, client: &reqwest::Client) -> bool {
    let (status, _, _) = common::page(app, client, "/dashboard").await;
    status == StatusCode::OK
}

async fn a_new_password_ends_every_other_session_and_token(app: Strict) {
    let app = app.0;
    let (a, b) = (
        app.login(SAM, DEMO_PASSWORD).await,
        app.login(SAM, DEMO_PASSWORD).await,
    );
    let web = browser_of(&app, SAM).await;
    assert!(session_alive(&app, &web).await);
    let change =
        |current: &str, new: &str| json!({"current_password": current, "new_password": new});
    let r = app
        .post(
            "/api/v1/me/password",
            Some(&a),
            change("not it at all", NEW_PASSWORD),
        )
        .await;
    refused_field(r, "current_password", "a wrong current password").await;
    let r = app
        .post(
            "/api/v1/me/password",
            Some(&a),
            change(DEMO_PASSWORD, "short"),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // Refused changes changed nothing.
    assert_eq!(status_of(&app, "/api/v1/me", &b).await, StatusCode::OK);

    let r = app
        .post(
            "/api/v1/me/password",
            Some(&a),
            change(DEMO_PASSWORD, NEW_PASSWORD),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let ended: Value = r.json().await.unwrap();
    assert!(ended["ended"].as_u64().unwrap() >= 2, "{ended}");
    assert_eq!(
        status_of(&app, "/api/v1/me", &a).await,
        StatusCode::OK,
        "the caller's"
    );
    assert_eq!(
        status_of(&app, "/api/v1/me", &b).await,
        StatusCode::UNAUTHORIZED
    );
    assert!(
        !session_alive(&app, &web).await,
        "the browser's session ended"
    );
    let old = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": SAM, "password": DEMO_PASSWORD}),
        )
        .await;
    assert_eq!(old.status(), StatusCode::UNAUTHORIZED);
    app.login(SAM, NEW_PASSWORD).await;

    // The page: a wrong current password re-shows the form with its error, a right one ends
    // the other sessions and keeps this browser's.
    let web = browser_of_with(&app, SAM, NEW_PASSWORD).await;
    let other = app.login(SAM, NEW_PASSWORD).await;
    let (status, body) = common::submit(
        &app,
        &web,
        "/account/security",
        "/account/password",
        &[
            ("current_password", "wrong"),
            ("new_password", DEMO_PASSWORD),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("is not your current password"), "{body}");
    let (status, body) = common::submit(
        &app,
        &web,
        "/account/security",
        "/account/password",
        &[
            ("current_password", NEW_PASSWORD),
            ("new_password", DEMO_PASSWORD),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("Your password is changed"), "{body}");
    assert!(session_alive(&app, &web).await);
    assert_eq!(
        status_of(&app, "/api/v1/me", &other).await,
        StatusCode::UNAUTHORIZED
    );
}

/// A browser logged in as `email` with `password` through the log-in page.
async fn browser_of_with(app: &common::App, email: &str, password: &str) -> reqwest::Client {
    let client = common::browser();
    common::log_in_with(app, &client, email, password).await;
    client
}

async fn tokens_are_listed_with_their_last_use_and_revoked_by_their_owner_only(app: Strict) {
    let app = app.0;
    let (a, b) = (
        app.login(SAM, DEMO_PASSWORD).await,
        app.login(SAM, DEMO_PASSWORD).await,
    );
    let maya = app.login("maya@stint.example", DEMO_PASSWORD).await;
    app.clock.advance(SignedDuration::from_mins(5));
    assert_eq!(status_of(&app, "/api/v1/me", &b).await, StatusCode::OK);
    let list: Value = app
        .get("/api/v1/me/tokens", Some(&a))
        .await
        .json()
        .await
        .unwrap();
    let tokens = list.as_array().unwrap();
    assert_eq!(tokens.len(), 2, "{list}");
    assert!(
        !list.to_string().contains(&a) && !list.to_string().contains(&b),
        "no secrets"
    );
    let used: Vec<_> = tokens
        .iter()
        .filter(|t| t["last_used_at"].is_string())
        .collect();
    assert_eq!(used.len(), 2, "both were used (a lists, b asked): {list}");
    let maya_list: Value = app
        .get("/api/v1/me/tokens", Some(&maya))
        .await
        .json()
        .await
        .unwrap();
    let maya_id = maya_list[0]["id"].as_i64().unwrap();
    let r = app
        .send(
            reqwest::Method::DELETE,
            &format!("/api/v1/me/tokens/{maya_id}"),
            Some(&a),
            Value::Null,
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND, "another account's token");
    assert_eq!(status_of(&app, "/api/v1/me", &maya).await, StatusCode::OK);
    // The token list's order is newest first: b.
    let b_id = tokens[0]["id"].as_i64().unwrap();
    let r = app
        .send(
            reqwest::Method::DELETE,
            &format!("/api/v1/me/tokens/{b_id}"),
            Some(&a),
            Value::Null,
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        status_of(&app, "/api/v1/me", &b).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(status_of(&app, "/api/v1/me", &a).await, StatusCode::OK);
    // The page lists the one left, with a revoke button.
    let web = browser_of(&app, SAM).await;
    let (status, body, _) = common::page(&app, &web, "/account/security").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body.matches("/revoke\"").count(), 1, "{body}");
}

async fn signing_out_everywhere_ends_every_session_and_token(app: Strict) {
    let app = app.0;
    let (a, b) = (
        app.login(SAM, DEMO_PASSWORD).await,
        app.login(SAM, DEMO_PASSWORD).await,
    );
    let web = browser_of(&app, SAM).await;
    let maya = app.login("maya@stint.example", DEMO_PASSWORD).await;
    let r = app
        .post("/api/v1/me/logout-everywhere", Some(&a), json!({}))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    for token in [&a, &b] {
        assert_eq!(
            status_of(&app, "/api/v1/me", token).await,
            StatusCode::UNAUTHORIZED
        );
    }
    assert!(!session_alive(&app, &web).await);
    assert_eq!(
        status_of(&app, "/api/v1/me", &maya).await,
        StatusCode::OK,
        "others stay"
    );
    // From the page too.
    let web = browser_of(&app, SAM).await;
    let c = app.login(SAM, DEMO_PASSWORD).await;
    let (status, body) = common::submit(
        &app,
        &web,
        "/account/security",
        "/account/logout-everywhere",
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("signed out everywhere"), "{body}");
    assert_eq!(
        status_of(&app, "/api/v1/me", &c).await,
        StatusCode::UNAUTHORIZED
    );
    assert!(!session_alive(&app, &web).await);
}

/// The reset link in the newest reset mail to `email` in the outbox: its token.
fn reset_token_in_outbox(app: &common::App, email: &str) -> Option<String> {
    common::link_token_in_outbox(app, email, "Reset", "reset-password?token=")
}

async fn wait_for_reset_mail(app: &common::App, email: &str, not: Option<&str>) -> String {
    for _ in 0..400 {
        if let Some(token) = reset_token_in_outbox(app, email)
            && Some(token.as_str()) != not
        {
            return token;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no reset mail for {email}");
}

async fn a_reset_link_works_once_within_the_hour_and_the_answer_never_tells(app: Strict) {
    let app = app.0;
    app.clear_queue().await;
    let sam_token = app.login(SAM, DEMO_PASSWORD).await;
    let ask = |email: &str| {
        let body = json!({"email": email});
        async { app.post("/api/v1/auth/password-reset", None, body).await }
    };
    let known = ask(SAM).await;
    let unknown = ask("nobody-here@stint.example").await;
    assert_eq!(
        (known.status(), unknown.status()),
        (StatusCode::ACCEPTED, StatusCode::ACCEPTED)
    );
    assert_eq!(
        known.text().await.unwrap(),
        unknown.text().await.unwrap(),
        "the same answer"
    );
    // The queue holds the account's id, never a secret.
    let jobs = app.store.jobs(None, None, 50).await.unwrap();
    let resets: Vec<_> = jobs
        .iter()
        .filter(|j| j.kind == stint_app::auth::credentials::RESET_MAIL)
        .collect();
    assert_eq!(resets.len(), 1, "only the known address gets a mail");
    assert!(
        resets[0].payload.starts_with("{\"user\":"),
        "{}",
        resets[0].payload
    );

    let worker =
        stint_server::worker::build(app.store.clone(), app.clock.clone(), &app.worker_config())
            .unwrap();
    tokio::spawn(worker.run(std::future::pending::<()>()));
    let token = wait_for_reset_mail(&app, SAM, None).await;
    assert!(token.len() >= 32, "{token}");
    let confirm = |token: &str, pw: &str| {
        let body = json!({"token": token, "new_password": pw});
        async {
            app.post("/api/v1/auth/password-reset/confirm", None, body)
                .await
        }
    };
    // A weak password is refused and keeps the link.
    let r = confirm(&token, "short").await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = confirm(&token, NEW_PASSWORD).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        status_of(&app, "/api/v1/me", &sam_token).await,
        StatusCode::UNAUTHORIZED
    );
    app.login(SAM, NEW_PASSWORD).await;
    // Once only.
    let r = confirm(&token, "another long password").await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "reset_link_invalid", "{body}");

    // A link older than an hour is refused, on the page as on the API.
    let r = ask(SAM).await;
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let later = wait_for_reset_mail(&app, SAM, Some(&token)).await;
    app.clock.advance(SignedDuration::from_mins(61));
    let web = common::browser();
    let (status, body) = common::submit(
        &app,
        &web,
        &format!("/reset-password?token={later}"),
        "/reset-password",
        &[
            ("token", later.as_str()),
            ("new_password", "yet another password"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("expired or was already used"), "{body}");
    app.login(SAM, NEW_PASSWORD).await;
}

// ---- sign-up ------------------------------------------------------------------------------

/// A sign-up is answered the same for a new address and a taken one; the account is made
/// only by the link mailed to the address, once, within 24 hours, and the owner of a taken
/// address is told they have an account instead. One address gets at most three sign-up
/// mails an hour.
async fn signup_is_confirmed_by_mail_and_never_tells_a_taken_address(app: Strict) {
    let app = app.0;
    app.clear_queue().await;
    let form = |email: &str| json!({"email": email, "password": "a long passphrase", "display_name": "Nia", "timezone": "Asia/Kolkata"});
    let new = app
        .post("/api/v1/auth/signup", None, form("New@Example.com"))
        .await;
    let taken = app
        .post("/api/v1/auth/signup", None, form("sam@stint.example"))
        .await;
    assert_eq!(
        (new.status(), taken.status()),
        (StatusCode::ACCEPTED, StatusCode::ACCEPTED)
    );
    assert_eq!(
        new.text().await.unwrap(),
        taken.text().await.unwrap(),
        "the same answer"
    );
    assert!(
        app.store
            .account_by_email("new@example.com")
            .await
            .unwrap()
            .is_none(),
        "no account before the link"
    );

    app.send_signup_mails().await;
    let app = &app;
    let link = |email: &str| {
        common::link_token_in_outbox(
            app,
            email,
            "Confirm your Stint account",
            "signup/confirm?token=",
        )
    };
    assert!(
        link("sam@stint.example").is_none(),
        "a taken address gets no link"
    );
    assert!(
        common::link_token_in_outbox(
            app,
            "sam@stint.example",
            "already have a Stint account",
            "/login"
        )
        .is_some(),
        "its owner is told how to log in"
    );
    let token = link("new@example.com").expect("the link");
    assert!(token.len() >= 32, "{token}");
    let confirm = |token: String| async move {
        app.post("/api/v1/auth/signup/confirm", None, json!({"token": token}))
            .await
    };
    let r = confirm(token.clone()).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let me: Value = r.json().await.unwrap();
    assert_eq!(me["email"], "new@example.com");
    assert_eq!(me["roles"], json!(["mentee"]));
    assert_eq!(me["timezone"], "Asia/Kolkata");
    app.login("new@example.com", "a long passphrase").await;
    let e = expect_error(
        confirm(token).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "signup_link_invalid",
    )
    .await;
    assert!(e["fields"]["token"].is_string(), "{e}");
    let e = expect_error(
        confirm("made-up".into()).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "signup_link_invalid",
    )
    .await;
    assert!(e["fields"]["token"].is_string(), "{e}");

    // A link works for 24 hours.
    let r = app
        .post("/api/v1/auth/signup", None, form("late@example.com"))
        .await;
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    app.send_signup_mails().await;
    let late = link("late@example.com").expect("the link");
    app.clock.advance(jiff::SignedDuration::from_hours(25));
    expect_error(
        confirm(late).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "signup_link_invalid",
    )
    .await;
    assert!(
        app.store
            .account_by_email("late@example.com")
            .await
            .unwrap()
            .is_none()
    );

    // Three mails an hour to one address, then the same answer and no mail.
    let before = app.signup_mails().await;
    for _ in 0..4 {
        let r = app
            .post("/api/v1/auth/signup", None, form("flooded@example.com"))
            .await;
        assert_eq!(r.status(), StatusCode::ACCEPTED);
    }
    assert_eq!(app.signup_mails().await, before + 3);
}
