//! Signed webhooks end to end, over real HTTP on SQLite and (when `STINT_TEST_POSTGRES_URL`
//! is set; required with `CI=true`) PostgreSQL: operators register endpoints through the API
//! and the pages, events are emitted, the real worker delivers them to a receiver started on
//! 127.0.0.1 inside the test, which checks each signature with the secret the API showed.
//! The server's travel clock makes retries due without waiting.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod common;

use axum::extract::State;
use axum::http::HeaderMap;
use common::{App, browser, expect_error, log_in, page};
use jiff::SignedDuration;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use stint_domain::clock::Clock;
use stint_server::demo::DEMO_PASSWORD;
use stint_store::{Job, JobState, WebhookAttempt};
use stint_webhooks::EventType;

on_both_backends!(App;
    a_receiver_gets_signed_events_it_can_verify,
    bookings_made_and_cancelled_through_the_api_reach_subscribers_once,
    a_failing_receiver_gets_retries_logged_with_status_codes,
    a_down_receiver_gives_a_clear_error_in_the_log,
    replay_sends_the_same_webhook_id_again,
    only_operators_see_or_change_endpoints,
    bad_input_is_422_naming_fields_and_writes_nothing,
    disabling_needs_a_reason_and_stops_deliveries,
    the_page_adds_endpoints_and_reshows_the_form_with_errors,
    the_endpoint_page_shows_the_log_and_replays_with_csrf,
    the_pages_are_for_operators_only,
);

// ---- the receiver ----------------------------------------------------------------------

/// One request as the receiver saw it.
#[derive(Debug, Clone)]
struct Received {
    id: String,
    timestamp: String,
    signature: String,
    content_type: String,
    body: String,
}

/// An HTTP server on 127.0.0.1 that records every POST to `/hook` and answers with the
/// statuses it is given, in order, then 200.
#[derive(Clone)]
struct Receiver {
    url: String,
    log: Arc<Mutex<Vec<Received>>>,
    script: Arc<Mutex<VecDeque<u16>>>,
}

async fn receive(
    State(r): State<Receiver>,
    headers: HeaderMap,
    body: String,
) -> (axum::http::StatusCode, String) {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    r.log.lock().unwrap().push(Received {
        id: header("webhook-id"),
        timestamp: header("webhook-timestamp"),
        signature: header("webhook-signature"),
        content_type: header("content-type"),
        body,
    });
    let status = r.script.lock().unwrap().pop_front().unwrap_or(200);
    (
        axum::http::StatusCode::from_u16(status).unwrap(),
        format!("receiver says {status}"),
    )
}

impl Receiver {
    async fn start(script: &[u16]) -> Receiver {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let receiver = Receiver {
            url: format!("http://{addr}/hook"),
            log: Arc::default(),
            script: Arc::new(Mutex::new(script.iter().copied().collect())),
        };
        let app = axum::Router::new()
            .route("/hook", axum::routing::post(receive))
            .with_state(receiver.clone());
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        receiver
    }

    fn received(&self) -> Vec<Received> {
        self.log.lock().unwrap().clone()
    }
}

/// An address nothing listens on: a port just bound and let go.
async fn down_url() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}/hook")
}

// ---- helpers ---------------------------------------------------------------------------

/// The worker `stint serve` runs, on the server's store and travel clock.
fn start_worker(app: &App) {
    let worker =
        stint_server::worker::build(app.store.clone(), app.clock.clone(), &app.worker_config())
            .unwrap();
    tokio::spawn(worker.run(std::future::pending::<()>()));
}

/// Registers an endpoint through the API; its id and secret. The demo data's own booking
/// changes are taken out of the queue first, so only the test's events reach the receiver.
async fn register(app: &App, token: &str, url: &str, types: &[&str]) -> (i64, String) {
    app.clear_queue().await;
    let r = app
        .post(
            "/api/v1/webhooks",
            Some(token),
            json!({"url": url, "description": "Partner CRM", "event_types": types}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let body: Value = r.json().await.unwrap();
    let secret = body["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("whsec_"), "{body}");
    (body["id"].as_i64().unwrap(), secret)
}

async fn emit(app: &App, event: EventType, data: Value) -> String {
    let emitted = stint_webhooks::emit(app.store.as_ref(), event, &data, app.clock.now())
        .await
        .unwrap();
    emitted.message_id
}

/// Waits (in real time) until the endpoint has logged `n` attempts; newest first.
async fn attempts(app: &App, endpoint: i64, n: usize) -> Vec<WebhookAttempt> {
    for _ in 0..600 {
        let log = app
            .store
            .webhook_attempts(endpoint, None, 100)
            .await
            .unwrap();
        if log.len() >= n {
            return log;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("endpoint {endpoint} did not log {n} attempts");
}

/// Waits (in real time) until the delivery of `msg` to `endpoint` is in `state`.
async fn delivery_job(app: &App, endpoint: i64, msg: &str, state: JobState) -> Job {
    let key = format!("webhook:{endpoint}:{msg}");
    for _ in 0..600 {
        let jobs = app.store.jobs(None, None, 500).await.unwrap();
        if let Some(job) = jobs
            .into_iter()
            .find(|j| j.dedupe_key.as_deref() == Some(key.as_str()))
            && job.state == state
        {
            return job;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the delivery {key} did not become {state:?}");
}

/// Moves the server's clock past the next retry's due time.
fn advance(app: &App, secs: i64) {
    app.clock.advance(SignedDuration::from_secs(secs));
}

fn assert_signed(app: &App, r: &Received, secret: &str) {
    stint_webhooks::verify(
        secret,
        &r.id,
        &r.timestamp,
        &r.signature,
        r.body.as_bytes(),
        app.clock.now(),
    )
    .unwrap_or_else(|e| panic!("signature of {r:?}: {e}"));
    assert!(r.signature.starts_with("v1,"));
    assert_eq!(r.content_type, "application/json");
}

async fn json_of(r: reqwest::Response) -> Value {
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

// ---- API and delivery ------------------------------------------------------------------

/// The whole path: a booking made and cancelled over the API writes its outbox job in the
/// same transaction; the worker turns each into one signed event per subscriber.
async fn bookings_made_and_cancelled_through_the_api_reach_subscribers_once(app: App) {
    let token = app.operator().await;
    let receiver = Receiver::start(&[]).await;
    let types = ["booking.created", "booking.cancelled"];
    let (_, secret) = register(&app, &token, &receiver.url, &types).await;
    start_worker(&app);
    let sam = app.login("sam@stint.example", DEMO_PASSWORD).await;
    let today = app
        .clock
        .now()
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .date();
    let day = |n: i64| today.checked_add(jiff::Span::new().days(n)).unwrap();
    let path = format!(
        "/api/v1/skus/negotiation-clinic-45/slots?from={}&to={}&tz=UTC",
        day(3),
        day(20)
    );
    let slots = json_of(app.get(&path, None).await).await;
    let slot = &slots["slots"][0];
    let r = app
        .post(
            "/api/v1/bookings",
            Some(&sam),
            json!({"sku": "negotiation-clinic-45", "mentor_id": slot["mentor_id"], "start": slot["start"]}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let booking: Value = r.json().await.unwrap();
    let r = app
        .post(
            &format!("/api/v1/bookings/{}/cancel", booking["id"]),
            Some(&sam),
            json!({"reason": "travel"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    for _ in 0..200 {
        if receiver.log.lock().unwrap().len() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Signed when sent: checked now, while the server's clock is still at the sending time.
    for r in receiver.log.lock().unwrap().iter() {
        assert_signed(&app, r, &secret);
    }
    // Then past every lease and retry delay by the server's clock, so that a delivery the
    // worker would repeat (a lease run out, a finished job taken again) falls due; once
    // nothing is due or running, there must still be exactly two.
    app.clock.advance(SignedDuration::from_hours(2));
    for _ in 0..200 {
        let running = app
            .store
            .job_counts()
            .await
            .unwrap()
            .iter()
            .any(|(state, n)| *state == stint_store::JobState::Running && *n > 0);
        let due = app
            .store
            .next_due()
            .await
            .unwrap()
            .is_some_and(|at| at <= app.clock.now());
        if !running && !due {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let got = receiver.log.lock().unwrap().clone();
    assert_eq!(got.len(), 2, "{got:?}");
    let mut seen = Vec::new();
    for r in &got {
        let body: Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(body["data"]["booking_id"], booking["id"]);
        assert_eq!(body["data"]["mentor_id"], slot["mentor_id"]);
        seen.push(body["type"].as_str().unwrap().to_string());
    }
    seen.sort();
    assert_eq!(seen, ["booking.cancelled", "booking.created"]);
    assert!(got[0].id != got[1].id, "each event its own webhook-id");
}

async fn a_receiver_gets_signed_events_it_can_verify(app: App) {
    let token = app.operator().await;
    let receiver = Receiver::start(&[]).await;
    let (id, secret) = register(&app, &token, &receiver.url, &["booking.created"]).await;
    let one = json_of(
        app.get(&format!("/api/v1/webhooks/{id}"), Some(&token))
            .await,
    )
    .await;
    assert_eq!(
        one["secret"], secret,
        "the endpoint read alone shows its secret"
    );
    let listed = json_of(app.get("/api/v1/webhooks", Some(&token)).await).await;
    assert!(
        listed["endpoints"][0].get("secret").is_none(),
        "listings do not: {listed}"
    );
    assert_eq!(
        listed["event_types"].as_array().unwrap().len(),
        EventType::ALL.len()
    );

    start_worker(&app);
    let not_subscribed = stint_webhooks::emit(
        app.store.as_ref(),
        EventType::BookingCancelled,
        &json!({}),
        app.clock.now(),
    )
    .await
    .unwrap();
    assert!(not_subscribed.deliveries.is_empty());
    let msg = emit(&app, EventType::BookingCreated, json!({"booking_id": 42})).await;
    let log = attempts(&app, id, 1).await;
    assert_eq!(log[0].status_code, Some(200));
    assert!(log[0].succeeded() && log[0].error.is_none());
    assert_eq!(
        log[0].response_excerpt.as_deref(),
        Some("receiver says 200")
    );

    let got = receiver.received();
    assert_eq!(got.len(), 1, "only the subscribed event: {got:?}");
    assert_eq!(got[0].id, msg);
    assert_signed(&app, &got[0], &secret);
    let body: Value = serde_json::from_str(&got[0].body).unwrap();
    assert_eq!(body["type"], "booking.created");
    assert_eq!(body["data"], json!({"booking_id": 42}));
    assert!(
        body["timestamp"]
            .as_str()
            .unwrap()
            .parse::<jiff::Timestamp>()
            .is_ok()
    );
    // With another secret, or a changed body, the receiver would refuse it.
    let other = stint_webhooks::generate_secret().unwrap();
    let now = app.clock.now();
    assert!(
        stint_webhooks::verify(
            &other,
            &got[0].id,
            &got[0].timestamp,
            &got[0].signature,
            got[0].body.as_bytes(),
            now
        )
        .is_err()
    );
    let forged = got[0].body.replace("42", "43");
    assert!(
        stint_webhooks::verify(
            &secret,
            &got[0].id,
            &got[0].timestamp,
            &got[0].signature,
            forged.as_bytes(),
            now
        )
        .is_err()
    );

    let deliveries = json_of(
        app.get(&format!("/api/v1/webhooks/{id}/deliveries"), Some(&token))
            .await,
    )
    .await;
    let a = &deliveries["attempts"][0];
    assert_eq!(
        (a["message_id"].as_str(), a["status_code"].as_u64()),
        (Some(msg.as_str()), Some(200))
    );
    assert_eq!(
        (a["attempt"].as_u64(), &a["succeeded"]),
        (Some(1), &json!(true))
    );
    assert_eq!(a["event_type"], "booking.created");
    assert_eq!(deliveries["tz"], "Europe/London");
    let listed = json_of(app.get("/api/v1/webhooks", Some(&token)).await).await;
    assert_eq!(listed["endpoints"][0]["consecutive_failures"], 0);
    assert_eq!(listed["endpoints"][0]["last_attempt"]["status_code"], 200);
}

async fn a_failing_receiver_gets_retries_logged_with_status_codes(app: App) {
    let token = app.operator().await;
    let receiver = Receiver::start(&[500, 503]).await;
    let (id, secret) = register(&app, &token, &receiver.url, &["task.done"]).await;
    start_worker(&app);
    let msg = emit(&app, EventType::TaskDone, json!({"task_id": 7})).await;

    let log = attempts(&app, id, 1).await;
    assert_eq!(log[0].status_code, Some(500));
    assert!(
        log[0].error.as_deref().unwrap().contains("HTTP 500"),
        "{log:?}"
    );
    assert_eq!(
        log[0].response_excerpt.as_deref(),
        Some("receiver says 500")
    );
    // The job waits for its retry, with the failure on it and a day's worth of attempts.
    let job = delivery_job(&app, id, &msg, JobState::Queued).await;
    assert_eq!(job.kind, "webhook.deliver");
    assert_eq!(job.max_attempts, stint_webhooks::MAX_ATTEMPTS);
    assert_eq!(
        job.dedupe_key.as_deref(),
        Some(format!("webhook:{id}:{msg}").as_str())
    );
    assert!(job.last_error.unwrap().contains("HTTP 500"));
    let one = json_of(
        app.get(&format!("/api/v1/webhooks/{id}"), Some(&token))
            .await,
    )
    .await;
    assert_eq!(one["consecutive_failures"], 1);

    advance(&app, 31);
    let log = attempts(&app, id, 2).await;
    assert_eq!(log[0].status_code, Some(503));
    let one = json_of(
        app.get(&format!("/api/v1/webhooks/{id}"), Some(&token))
            .await,
    )
    .await;
    assert_eq!(one["consecutive_failures"], 2);
    assert_eq!(one["enabled"], true, "failures never disable an endpoint");

    delivery_job(&app, id, &msg, JobState::Queued).await;
    advance(&app, 61);
    let log = attempts(&app, id, 3).await;
    assert_eq!(
        log.iter()
            .map(|a| (a.attempt, a.status_code))
            .collect::<Vec<_>>(),
        vec![(3, Some(200)), (2, Some(503)), (1, Some(500))]
    );
    let got = receiver.received();
    assert_eq!(got.len(), 3);
    for r in &got {
        assert_eq!(r.id, msg, "one webhook-id across retries");
        assert_eq!(r.body, got[0].body, "the same bytes each time");
        assert_signed(&app, r, &secret);
    }
    assert_ne!(
        got[0].timestamp, got[2].timestamp,
        "each attempt signed afresh"
    );
    let one = json_of(
        app.get(&format!("/api/v1/webhooks/{id}"), Some(&token))
            .await,
    )
    .await;
    assert_eq!(one["consecutive_failures"], 0);
    let deliveries = json_of(
        app.get(
            &format!("/api/v1/webhooks/{id}/deliveries?limit=2"),
            Some(&token),
        )
        .await,
    )
    .await;
    let codes: Vec<Value> = deliveries["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["status_code"].clone())
        .collect();
    assert_eq!(codes, vec![json!(200), json!(503)]);
    let r = app
        .get(
            &format!("/api/v1/webhooks/{id}/deliveries?limit=0"),
            Some(&token),
        )
        .await;
    let e = expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert!(e["fields"]["limit"].is_string());
}

async fn a_down_receiver_gives_a_clear_error_in_the_log(app: App) {
    let token = app.operator().await;
    let url = down_url().await;
    let (id, _) = register(&app, &token, &url, &["booking.completed"]).await;
    start_worker(&app);
    let msg = emit(&app, EventType::BookingCompleted, json!({"booking_id": 1})).await;
    let log = attempts(&app, id, 1).await;
    assert_eq!(log[0].status_code, None);
    let error = log[0].error.clone().unwrap();
    // The host and port, not the path; the same words a silent receiver gets, so the log
    // does not tell a closed port from a filtered one.
    let host = url.trim_start_matches("http://").trim_end_matches("/hook");
    assert!(
        error.contains("no answer from") && error.contains(host),
        "{error}"
    );
    assert!(!error.contains("/hook"), "{error}");
    assert!(!error.to_lowercase().contains("refused"), "{error}");
    let job = delivery_job(&app, id, &msg, JobState::Queued).await;
    assert_eq!(
        job.last_error.as_deref(),
        Some(error.as_str()),
        "the job says the same"
    );
    advance(&app, 31);
    let log = attempts(&app, id, 2).await;
    assert_eq!(log[0].attempt, 2);
    // Shown through the API as it is stored; the server is still answering.
    let deliveries = json_of(
        app.get(&format!("/api/v1/webhooks/{id}/deliveries"), Some(&token))
            .await,
    )
    .await;
    let a = &deliveries["attempts"][0];
    assert!(a["status_code"].is_null());
    assert!(a["error"].as_str().unwrap().contains("no answer from"));
    let one = json_of(
        app.get(&format!("/api/v1/webhooks/{id}"), Some(&token))
            .await,
    )
    .await;
    assert_eq!(
        (
            one["enabled"].as_bool(),
            one["consecutive_failures"].as_u64()
        ),
        (Some(true), Some(2))
    );
}

async fn replay_sends_the_same_webhook_id_again(app: App) {
    let token = app.operator().await;
    let receiver = Receiver::start(&[]).await;
    let (id, secret) = register(&app, &token, &receiver.url, &["assessment.submitted"]).await;
    start_worker(&app);
    let msg = emit(
        &app,
        EventType::AssessmentSubmitted,
        json!({"assessment_id": 3}),
    )
    .await;
    attempts(&app, id, 1).await;
    delivery_job(&app, id, &msg, JobState::Done).await;

    let r = app
        .post(
            &format!("/api/v1/webhooks/{id}/replay"),
            Some(&token),
            json!({"message_id": msg}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["message_id"], msg);
    assert!(body["job_id"].is_i64());
    let log = attempts(&app, id, 2).await;
    assert_eq!((log[0].attempt, log[0].status_code), (2, Some(200)));
    let got = receiver.received();
    assert_eq!(got.len(), 2);
    assert_eq!(
        (got[0].id.as_str(), got[1].id.as_str()),
        (msg.as_str(), msg.as_str())
    );
    assert_eq!(got[0].body, got[1].body);
    assert_signed(&app, &got[1], &secret);

    // Unknown messages, and messages of other endpoints, are not replayed.
    let r = app
        .post(
            &format!("/api/v1/webhooks/{id}/replay"),
            Some(&token),
            json!({"message_id": "msg_nope"}),
        )
        .await;
    let e = expect_error(r, StatusCode::NOT_FOUND, "not_found").await;
    assert!(e["fields"]["message_id"].is_string(), "{e}");
    let other_receiver = Receiver::start(&[]).await;
    let (other, _) = register(&app, &token, &other_receiver.url, &["task.done"]).await;
    let r = app
        .post(
            &format!("/api/v1/webhooks/{other}/replay"),
            Some(&token),
            json!({"message_id": msg}),
        )
        .await;
    expect_error(r, StatusCode::NOT_FOUND, "not_found").await;
    let r = app
        .post(
            "/api/v1/webhooks/987654/replay",
            Some(&token),
            json!({"message_id": msg}),
        )
        .await;
    expect_error(r, StatusCode::NOT_FOUND, "not_found").await;

    // A test event goes to this endpoint alone, whatever it subscribes to.
    let r = app
        .post(
            &format!("/api/v1/webhooks/{other}/test"),
            Some(&token),
            json!({}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let test_msg = r.json::<Value>().await.unwrap()["message_id"]
        .as_str()
        .unwrap()
        .to_string();
    let log = attempts(&app, other, 1).await;
    assert_eq!(
        (log[0].event_type.as_str(), log[0].message_id.as_str()),
        ("webhook.test", test_msg.as_str())
    );
    let got = other_receiver.received();
    assert_eq!(got.len(), 1);
    assert_eq!(
        serde_json::from_str::<Value>(&got[0].body).unwrap()["type"],
        "webhook.test"
    );
    assert_eq!(
        receiver.received().len(),
        2,
        "the other endpoint got nothing more"
    );
}

async fn only_operators_see_or_change_endpoints(app: App) {
    let token = app.operator().await;
    let (id, secret) = register(
        &app,
        &token,
        "https://crm.example/hook",
        &["booking.created"],
    )
    .await;
    let mentee = app.login("sam@stint.example", DEMO_PASSWORD).await;
    let mentor = app.login("maya@stint.example", DEMO_PASSWORD).await;
    let one = format!("/api/v1/webhooks/{id}");
    let calls: Vec<(Method, String, Value)> = vec![
        (Method::GET, "/api/v1/webhooks".into(), json!(null)),
        (
            Method::POST,
            "/api/v1/webhooks".into(),
            json!({"url": "https://evil.example/", "event_types": ["booking.created"]}),
        ),
        (Method::GET, one.clone(), json!(null)),
        (
            Method::PATCH,
            one.clone(),
            json!({"url": "https://evil.example/"}),
        ),
        (Method::GET, format!("{one}/deliveries"), json!(null)),
        (
            Method::POST,
            format!("{one}/replay"),
            json!({"message_id": "msg_x"}),
        ),
        (Method::POST, format!("{one}/test"), json!({})),
    ];
    for t in [&mentee, &mentor] {
        for (method, path, body) in &calls {
            let r = app.send(method.clone(), path, Some(t), body.clone()).await;
            let status = r.status();
            let text = r.text().await.unwrap();
            assert_eq!(status, StatusCode::FORBIDDEN, "{method} {path}: {text}");
            assert!(
                !text.contains(&secret) && !text.contains("crm.example"),
                "{method} {path}"
            );
        }
        // The role is checked before the body: a bad body says nothing either.
        let r = app
            .post("/api/v1/webhooks", Some(t), json!({"url": 5}))
            .await;
        expect_error(r, StatusCode::FORBIDDEN, "forbidden").await;
    }
    for (method, path, body) in &calls {
        let r = app.send(method.clone(), path, None, body.clone()).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{method} {path}");
    }
    let all = app.store.webhook_endpoints().await.unwrap();
    assert_eq!(all.len(), 1, "nothing was added");
    assert_eq!(
        all[0].url, "https://crm.example/hook",
        "nothing was changed"
    );
}

async fn bad_input_is_422_naming_fields_and_writes_nothing(app: App) {
    let token = app.operator().await;
    for (body, fields) in [
        (
            json!({"url": "ftp://crm.example/hook", "event_types": ["booking.created"]}),
            vec!["url"],
        ),
        (
            json!({"url": "crm.example/hook", "event_types": ["booking.created"]}),
            vec!["url"],
        ),
        (
            json!({"url": "javascript:alert(1)", "event_types": ["booking.created"]}),
            vec!["url"],
        ),
        (
            json!({"url": "https://crm.example/hook", "event_types": ["booking.deleted"]}),
            vec!["event_types"],
        ),
        (
            json!({"url": "https://crm.example/hook", "event_types": []}),
            vec!["event_types"],
        ),
        (
            json!({"url": "nope", "event_types": ["nope"], "description": "x".repeat(201)}),
            vec!["url", "event_types", "description"],
        ),
        (
            json!({"url": "https://crm.example/hook"}),
            vec!["event_types"],
        ),
        (
            json!({"url": "https://crm.example/hook", "event_types": [1]}),
            vec!["event_types[0]"],
        ),
        (
            json!({"url": "https://crm.example/hook", "event_types": ["task.done"], "secret": "whsec_mine"}),
            vec!["secret"],
        ),
    ] {
        let r = app
            .post("/api/v1/webhooks", Some(&token), body.clone())
            .await;
        let e = expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        for f in fields {
            assert!(e["fields"][f].is_string(), "{body}: {f} in {e}");
        }
    }
    let r = app
        .post(
            "/api/v1/webhooks",
            Some(&token),
            json!({"url": "https://x.example/", "event_types": ["booking.deleted"]}),
        )
        .await;
    let e = expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert!(
        e["fields"]["event_types"]
            .as_str()
            .unwrap()
            .contains("booking.deleted"),
        "{e}"
    );
    assert!(
        app.store.webhook_endpoints().await.unwrap().is_empty(),
        "nothing written"
    );

    let (id, _) = register(
        &app,
        &token,
        "https://crm.example/hook",
        &["booking.created"],
    )
    .await;
    let path = format!("/api/v1/webhooks/{id}");
    for (body, field) in [
        (json!({"url": "gopher://x"}), "url"),
        (
            json!({"event_types": ["booking.created", "booking.deleted"]}),
            "event_types",
        ),
        (json!({"enabled": "no"}), "enabled"),
        (json!({"colour": "red"}), "colour"),
    ] {
        let r = app
            .send(Method::PATCH, &path, Some(&token), body.clone())
            .await;
        let e = expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert!(e["fields"][field].is_string(), "{body}: {e}");
    }
    let stored = app.store.webhook_endpoint(id).await.unwrap().unwrap();
    assert_eq!(
        (stored.url.as_str(), stored.event_types.clone()),
        (
            "https://crm.example/hook",
            vec!["booking.created".to_string()]
        )
    );
    let r = app.send(Method::PATCH, &path, Some(&token), json!({"url": "https://crm.example/v2", "event_types": ["task.done", "booking.created"]})).await;
    let body = json_of(r).await;
    assert_eq!(body["url"], "https://crm.example/v2");
    assert_eq!(body["event_types"], json!(["booking.created", "task.done"]));
    let r = app
        .send(
            Method::PATCH,
            "/api/v1/webhooks/987654",
            Some(&token),
            json!({"url": "https://x.example/"}),
        )
        .await;
    expect_error(r, StatusCode::NOT_FOUND, "not_found").await;
}

async fn disabling_needs_a_reason_and_stops_deliveries(app: App) {
    let token = app.operator().await;
    let receiver = Receiver::start(&[]).await;
    let (id, _) = register(&app, &token, &receiver.url, &["booking.rescheduled"]).await;
    let path = format!("/api/v1/webhooks/{id}");
    for body in [
        json!({"enabled": false}),
        json!({"enabled": false, "disabled_reason": "  "}),
    ] {
        let r = app.send(Method::PATCH, &path, Some(&token), body).await;
        let e = expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert!(e["fields"]["disabled_reason"].is_string(), "{e}");
    }
    assert!(
        app.store
            .webhook_endpoint(id)
            .await
            .unwrap()
            .unwrap()
            .enabled
    );
    let r = app
        .send(
            Method::PATCH,
            &path,
            Some(&token),
            json!({"enabled": false, "disabled_reason": "CRM migration this week"}),
        )
        .await;
    let body = json_of(r).await;
    assert_eq!(
        (body["enabled"].as_bool(), body["disabled_reason"].as_str()),
        (Some(false), Some("CRM migration this week"))
    );
    let listed = json_of(app.get("/api/v1/webhooks", Some(&token)).await).await;
    assert_eq!(
        listed["endpoints"][0]["disabled_reason"],
        "CRM migration this week"
    );

    let emitted = stint_webhooks::emit(
        app.store.as_ref(),
        EventType::BookingRescheduled,
        &json!({}),
        app.clock.now(),
    )
    .await
    .unwrap();
    assert!(
        emitted.deliveries.is_empty(),
        "nothing queued for a disabled endpoint"
    );
    let r = app
        .post(&format!("{path}/test"), Some(&token), json!({}))
        .await;
    let e = expect_error(r, StatusCode::CONFLICT, "conflict").await;
    assert!(e["fields"]["enabled"].is_string());

    let r = app
        .send(Method::PATCH, &path, Some(&token), json!({"enabled": true}))
        .await;
    let body = json_of(r).await;
    assert_eq!(
        (body["enabled"].as_bool(), body["disabled_reason"].is_null()),
        (Some(true), true)
    );
    start_worker(&app);
    emit(
        &app,
        EventType::BookingRescheduled,
        json!({"booking_id": 9}),
    )
    .await;
    attempts(&app, id, 1).await;
    assert_eq!(receiver.received().len(), 1);
}

// ---- pages -----------------------------------------------------------------------------

async fn the_page_adds_endpoints_and_reshows_the_form_with_errors(app: App) {
    let client = browser();
    log_in(&app, &client, "operator@stint.example").await;
    let (status, console, _) = page(&app, &client, "/operator").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        console.contains("href=\"/operator/webhooks\""),
        "linked from the console"
    );
    let (status, body, csrf) = page(&app, &client, "/operator/webhooks").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("No endpoints yet."));
    assert!(body.contains("<label for=\"f-url\">URL</label>"));
    for t in EventType::ALL {
        assert!(
            body.contains(&format!("name=\"event_types\" value=\"{}\"", t.as_str())),
            "{t:?}"
        );
    }

    // Without the token nothing is written.
    let r = client
        .post(app.url("/operator/webhooks"))
        .form(&[
            ("url", "https://crm.example/hook"),
            ("event_types", "task.done"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // Bad input: the form again, with what was typed and a message per field.
    let r = client
        .post(app.url("/operator/webhooks"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("url", "ftp://crm.example/<b>"),
            ("description", "CRM"),
            ("event_types", "task.done"),
            ("event_types", "booking.deleted"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.unwrap();
    assert!(body.contains("role=\"alert\""));
    assert!(
        body.contains("id=\"e-url\"") && body.contains("must start with http:// or https://"),
        "url error"
    );
    assert!(
        body.contains("id=\"e-event_types\"") && body.contains("booking.deleted"),
        "events error"
    );
    assert!(
        body.contains("value=\"ftp://crm.example/&#60;b&#62;\"")
            || body.contains("value=\"ftp://crm.example/&lt;b&gt;\""),
        "typed URL, escaped"
    );
    assert!(!body.contains("<b>"));
    assert!(body.contains("value=\"task.done\" checked"), "choices kept");
    let r = client
        .post(app.url("/operator/webhooks"))
        .form(&[("csrf", csrf.as_str()), ("url", "https://crm.example/hook")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("choose at least one event")
    );
    assert!(
        app.store.webhook_endpoints().await.unwrap().is_empty(),
        "nothing written"
    );

    // Good input: to the endpoint's page, which shows the secret.
    let r = client
        .post(app.url("/operator/webhooks"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("url", "https://crm.example/hook"),
            ("description", "Partner CRM"),
            ("event_types", "booking.created"),
            ("event_types", "task.done"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let stored = app.store.webhook_endpoints().await.unwrap();
    assert_eq!(stored.len(), 1);
    let e = &stored[0];
    assert_eq!(location, format!("/operator/webhooks/{}?created=1", e.id));
    assert_eq!(e.event_types, vec!["booking.created", "task.done"]);
    let (status, shown, _) = page(&app, &client, &location).await;
    assert_eq!(status, StatusCode::OK);
    assert!(shown.contains("Copy its signing secret now"));
    assert!(shown.contains(&e.secret), "the secret shown");
    assert!(shown.contains("Nothing sent yet."));
    let (_, list, _) = page(&app, &client, "/operator/webhooks").await;
    assert!(list.contains(&format!("href=\"/operator/webhooks/{}\"", e.id)));
    assert!(!list.contains(&e.secret), "not on the list");

    // Disabling needs a reason: the form again with the message.
    let status_url = app.url(&format!("/operator/webhooks/{}/status", e.id));
    let r = client
        .post(&status_url)
        .form(&[
            ("csrf", csrf.as_str()),
            ("action", "disable"),
            ("disabled_reason", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("id=\"e-disabled_reason\""));
    assert!(
        app.store
            .webhook_endpoint(e.id)
            .await
            .unwrap()
            .unwrap()
            .enabled
    );
}

async fn the_endpoint_page_shows_the_log_and_replays_with_csrf(app: App) {
    let token = app.operator().await;
    let receiver = Receiver::start(&[500]).await;
    let (id, _) = register(&app, &token, &receiver.url, &["booking.cancelled"]).await;
    start_worker(&app);
    let msg = emit(&app, EventType::BookingCancelled, json!({"booking_id": 5})).await;
    attempts(&app, id, 1).await;
    delivery_job(&app, id, &msg, JobState::Queued).await;

    let client = browser();
    log_in(&app, &client, "operator@stint.example").await;
    let path = format!("/operator/webhooks/{id}");
    let (status, body, csrf) = page(&app, &client, &path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains(&msg));
    assert!(
        body.contains("webhook-status\">500</span>"),
        "status code shown"
    );
    assert!(body.contains("1 failed in a row"), "failures shown");
    assert!(body.contains("times in Europe/London"));
    assert!(body.contains(&format!("action=\"/operator/webhooks/{id}/replay\"")));
    let (_, list, _) = page(&app, &client, "/operator/webhooks").await;
    assert!(list.contains("1 failed in a row"));

    let replay = app.url(&format!("{path}/replay"));
    let r = client
        .post(&replay)
        .form(&[("message_id", msg.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::FORBIDDEN,
        "no CSRF token, no replay"
    );
    delivery_job(&app, id, &msg, JobState::Queued).await;
    advance(&app, 31);
    attempts(&app, id, 2).await;
    delivery_job(&app, id, &msg, JobState::Done).await;
    let r = client
        .post(&replay)
        .form(&[("csrf", csrf.as_str()), ("message_id", msg.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(location, format!("{path}?replayed={msg}"));
    let log = attempts(&app, id, 3).await;
    assert_eq!((log[0].attempt, log[0].status_code), (3, Some(200)));
    let (_, back, _) = page(&app, &client, &location).await;
    assert!(back.contains("is queued again, with the same webhook-id"));
    assert_eq!(
        back.matches(&format!("name=\"message_id\" value=\"{msg}\""))
            .count(),
        1,
        "one Replay button per message, however many attempts"
    );
    let got = receiver.received();
    assert!(got.iter().all(|r| r.id == msg) && got.len() == 3);

    let r = client
        .post(&replay)
        .form(&[("csrf", csrf.as_str()), ("message_id", "msg_nope")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let body = r.text().await.unwrap();
    assert!(
        body.contains("Message msg_nope was not replayed"),
        "the page with the failure"
    );

    // Send a test event, then disable with a reason: shown on the page.
    let r = client
        .post(app.url(&format!("{path}/test")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(
        r.headers()["location"]
            .to_str()
            .unwrap()
            .contains("tested=msg_")
    );
    attempts(&app, id, 4).await;
    let r = client
        .post(app.url(&format!("{path}/status")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("action", "disable"),
            ("disabled_reason", "Receiver <moving>"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, body, _) = page(&app, &client, &format!("{path}?changed=disabled")).await;
    assert!(
        body.contains("Disabled: Receiver &#60;moving&#62;")
            || body.contains("Disabled: Receiver &lt;moving&gt;"),
        "reason shown, escaped"
    );
    let (_, list, _) = page(&app, &client, "/operator/webhooks").await;
    assert!(list.contains("status-dead\">disabled</span>"));
    let r = client
        .post(app.url(&format!("{path}/status")))
        .form(&[("csrf", csrf.as_str()), ("action", "enable")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(
        app.store
            .webhook_endpoint(id)
            .await
            .unwrap()
            .unwrap()
            .enabled
    );
}

async fn the_pages_are_for_operators_only(app: App) {
    let token = app.operator().await;
    let (id, secret) = register(
        &app,
        &token,
        "https://crm.example/hook",
        &["booking.created"],
    )
    .await;
    for email in ["sam@stint.example", "maya@stint.example"] {
        let client = browser();
        log_in(&app, &client, email).await;
        for path in [
            "/operator/webhooks".to_string(),
            format!("/operator/webhooks/{id}"),
        ] {
            let (status, body, _) = page(&app, &client, &path).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{email} {path}");
            assert!(
                !body.contains(&secret) && !body.contains("crm.example"),
                "{email} sees nothing"
            );
        }
        let (_, _, csrf) = page(&app, &client, "/dashboard").await;
        for (path, form) in [
            (
                "/operator/webhooks".to_string(),
                vec![
                    ("url", "https://evil.example/"),
                    ("event_types", "booking.created"),
                ],
            ),
            (
                format!("/operator/webhooks/{id}/status"),
                vec![("action", "disable"), ("disabled_reason", "mine now")],
            ),
            (format!("/operator/webhooks/{id}/test"), vec![]),
        ] {
            let mut fields = vec![("csrf", csrf.as_str())];
            fields.extend(form);
            let r = client
                .post(app.url(&path))
                .form(&fields)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::FORBIDDEN, "{email} {path}");
        }
    }
    let all = app.store.webhook_endpoints().await.unwrap();
    assert_eq!(all.len(), 1);
    assert!(all[0].enabled);
    let r = browser()
        .get(app.url("/operator/webhooks"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "logged out: sent to log in"
    );
}
