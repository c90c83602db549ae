//! How an organisation reaches its people and its people reach it, on both backends: joining
//! by an e-mail domain verified by a link mailed to an address there (a public mail service,
//! an address elsewhere, a domain another organisation holds and a used link are refused and
//! write nothing), and the notices its admins get once each, by mail and at the
//! organisation's own webhook endpoints: a booking to approve, a month's statement, a budget
//! running low. Another organisation's endpoints never receive them; an organisation's
//! endpoints may subscribe to nothing else.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod common;

use axum::extract::State;
use common::sponsor::{acme, admin, globex};
use common::{App, expect_error, link_token_in_outbox};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use stint_domain::clock::Clock;
use stint_domain::ids::UserId;
use stint_server::demo::DEMO_PASSWORD;
use stint_worker::Handler;

on_both_backends!(App;
    a_verified_domain_joins_its_people_now_and_when_they_sign_up,
    notices_reach_the_admins_once_and_only_their_own_endpoints,
    the_settings_page_adds_domains_and_endpoints_and_reshows_errors,
);

const SKU: &str = "negotiation-clinic-45";

fn core(app: &App) -> stint_app::App {
    stint_app::App::new(
        app.store.clone(),
        app.clock.clone(),
        stint_app::Settings::default(),
    )
}

/// Runs every queued job of `kind` through `handler`, as the worker would.
async fn run_jobs(app: &App, kind: &str, handler: &dyn Handler) -> usize {
    let mut ran = 0;
    for job in app.store.jobs(None, None, 1000).await.unwrap() {
        if job.kind == kind && job.state == stint_store::JobState::Queued {
            handler.run(&job).await.unwrap();
            ran += 1;
        }
    }
    ran
}

fn mailer(app: &App) -> Arc<stint_mail::Mailer> {
    let settings = stint_mail::MailSettings {
        outbox_dir: app.outbox.clone(),
        ..Default::default()
    };
    Arc::new(stint_mail::Mailer::new(&settings).unwrap())
}

async fn send_domain_mails(app: &App) -> usize {
    let handler = stint_jobs::account_mail::org_domain::DomainMail::new(
        core(app),
        mailer(app),
        app.base.clone(),
    );
    run_jobs(app, stint_app::sponsor::domains::DOMAIN_MAIL, &handler).await
}

async fn is_member(app: &App, user: UserId, org: i64) -> bool {
    app.store
        .memberships_of(user)
        .await
        .unwrap()
        .iter()
        .any(|m| m.org.0 == org && m.is_active())
}

async fn user_id(app: &App, email: &str) -> UserId {
    app.store.account_by_email(email).await.unwrap().unwrap().id
}

async fn a_verified_domain_joins_its_people_now_and_when_they_sign_up(app: App) {
    let org = acme(&app).await;
    let own = admin(&app).await;
    let path = format!("/api/v1/sponsor/orgs/{org}/domains");
    // Bad input: refused by field, nothing written, no mail queued.
    for (body, field) in [
        (
            json!({"domain": "gmail.com", "address": "hr@gmail.com"}),
            "domain",
        ),
        (json!({"domain": "acme", "address": "hr@acme"}), "domain"),
        (
            json!({"domain": "widgets.example", "address": "it@evil.example"}),
            "address",
        ),
        (
            json!({"domain": "widgets.example", "address": "not an address"}),
            "address",
        ),
    ] {
        let e = expect_error(
            app.post(&path, Some(&own), body.clone()).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert!(e["fields"][field].is_string(), "{body} → {e}");
    }
    let listed: Value = app.get(&path, Some(&own)).await.json().await.unwrap();
    let names: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["domain"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["acme.example"], "only the demo's: {listed}");
    assert_eq!(send_domain_mails(&app).await, 0);
    // Another organisation's admin and a member are told Acme does not exist.
    let (globex_id, other) = globex(&app).await;
    let sam = app.login("sam@stint.example", DEMO_PASSWORD).await;
    for token in [&other, &sam] {
        let r = app
            .post(
                &path,
                Some(token),
                json!({"domain": "widgets.example", "address": "it@widgets.example"}),
            )
            .await;
        expect_error(r, StatusCode::NOT_FOUND, "not_found").await;
    }

    // Someone at the domain before it is verified.
    common::make_mentee_unfunded(&app, "kim@widgets.example", "Kim Early").await;
    let kim = user_id(&app, "kim@widgets.example").await;
    let r = app
        .post(
            &path,
            Some(&own),
            json!({"domain": "Widgets.Example", "address": "IT@widgets.example"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let asked: Value = r.json().await.unwrap();
    assert_eq!(asked["state"], "pending", "{asked}");
    assert_eq!(asked["domain"], "widgets.example");
    assert!(
        !is_member(&app, kim, org).await,
        "not before it is verified"
    );
    assert_eq!(send_domain_mails(&app).await, 1);
    let token = link_token_in_outbox(
        &app,
        "it@widgets.example",
        "Confirm widgets.example for Acme Corp",
        "org-domains/verify?token=",
    )
    .expect("the verification mail with its link");

    // Opening the link changes nothing; the button confirms (no log-in needed).
    let visitor = common::browser();
    let (status, body, _) = common::page(
        &app,
        &visitor,
        &format!("/org-domains/verify?token={token}"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains("<strong>Acme Corp</strong> asks to make <strong>widgets.example</strong>"),
        "{body}"
    );
    assert!(body.contains("Confirm widgets.example"), "{body}");
    assert!(!is_member(&app, kim, org).await);
    let verify = format!("/org-domains/verify?token={token}");
    let (status, body) = common::submit(
        &app,
        &visitor,
        &verify,
        "/org-domains/verify",
        &[("token", &token)],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("1 person joined"), "{body}");
    assert!(is_member(&app, kim, org).await, "joined when verified");
    // The link works once (its page says so and offers no button; a replayed form is refused).
    let (_, body, _) = common::page(&app, &visitor, &verify).await;
    assert!(body.contains("expired or was already used") && !body.contains("Confirm widgets"));
    let (status, body) = common::submit(
        &app,
        &visitor,
        "/login",
        "/org-domains/verify",
        &[("token", &token)],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("expired or was already used"), "{body}");
    let listed: Value = app.get(&path, Some(&own)).await.json().await.unwrap();
    assert_eq!(listed[0]["state"], "verified", "{listed}");

    // A new account at the domain joins when it is made; one elsewhere does not.
    app.sign_up(
        "new.hire@widgets.example",
        "New Hire",
        "Europe/Berlin",
        "a long passphrase",
    )
    .await;
    let hire = user_id(&app, "new.hire@widgets.example").await;
    assert!(is_member(&app, hire, org).await, "joined at sign-up");
    app.sign_up(
        "someone@elsewhere.example",
        "Someone Else",
        "Europe/Berlin",
        "a long passphrase",
    )
    .await;
    let elsewhere = user_id(&app, "someone@elsewhere.example").await;
    assert!(
        app.store
            .memberships_of(elsewhere)
            .await
            .unwrap()
            .is_empty()
    );

    // Globex cannot take the domain; Acme cannot ask again for it.
    let r = app
        .post(
            &format!("/api/v1/sponsor/orgs/{globex_id}/domains"),
            Some(&other),
            json!({"domain": "widgets.example", "address": "ceo@widgets.example"}),
        )
        .await;
    let e = expect_error(r, StatusCode::CONFLICT, "conflict").await;
    assert!(e["fields"]["domain"].is_string(), "{e}");
    let r = app
        .post(
            &path,
            Some(&own),
            json!({"domain": "widgets.example", "address": "it@widgets.example"}),
        )
        .await;
    expect_error(r, StatusCode::CONFLICT, "conflict").await;

    // Someone who leaves is not joined again by their domain, even when it is verified anew.
    let kim_token = app.login("kim@widgets.example", "a long passphrase").await;
    let r = app
        .post(
            &format!("/api/v1/me/orgs/{org}/leave"),
            Some(&kim_token),
            json!({}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let domain_id = listed[0]["id"].as_i64().unwrap();
    let r = app
        .send(
            reqwest::Method::DELETE,
            &format!("{path}/{domain_id}"),
            Some(&own),
            json!({}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let r = app
        .post(
            &path,
            Some(&own),
            json!({"domain": "widgets.example", "address": "it@widgets.example"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let again: Value = r.json().await.unwrap();
    let link =
        stint_app::sponsor::domains::new_domain_link(&core(&app), again["id"].as_i64().unwrap())
            .await
            .unwrap()
            .unwrap();
    let verified = stint_app::sponsor::domains::verify(&core(&app), &link.token)
        .await
        .unwrap();
    assert_eq!(verified.joined, 0, "kim left and the others are members");
    assert!(!is_member(&app, kim, org).await);
    assert!(is_member(&app, hire, org).await);
}

// ---- notices ---------------------------------------------------------------------------

/// An HTTP server on 127.0.0.1 that keeps the JSON body of every POST to `/hook`.
#[derive(Clone, Default)]
struct Receiver {
    url: String,
    bodies: Arc<Mutex<Vec<Value>>>,
}

async fn receive(State(r): State<Receiver>, body: String) -> &'static str {
    r.bodies
        .lock()
        .unwrap()
        .push(serde_json::from_str(&body).unwrap());
    "ok"
}

impl Receiver {
    async fn start() -> Receiver {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let receiver = Receiver {
            url: format!("http://{}/hook", listener.local_addr().unwrap()),
            ..Receiver::default()
        };
        let app = axum::Router::new()
            .route("/hook", axum::routing::post(receive))
            .with_state(receiver.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        receiver
    }

    fn types(&self) -> Vec<String> {
        let mut t: Vec<String> = self
            .bodies
            .lock()
            .unwrap()
            .iter()
            .map(|b| b["type"].as_str().unwrap().to_string())
            .collect();
        t.sort();
        t
    }

    fn bodies(&self) -> Vec<Value> {
        self.bodies.lock().unwrap().clone()
    }
}

/// Waits (up to 30 s) until `done` holds.
async fn eventually(what: &str, done: impl Fn() -> bool) {
    for _ in 0..300 {
        if done() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("timed out waiting for {what}");
}

fn start_worker(app: &App) {
    let worker =
        stint_server::worker::build(app.store.clone(), app.clock.clone(), &app.worker_config())
            .unwrap();
    tokio::spawn(worker.run(std::future::pending::<()>()));
}

async fn register(app: &App, path: &str, token: &str, url: &str, types: &[&str]) -> Value {
    let r = app
        .post(
            path,
            Some(token),
            json!({"url": url, "description": "HR system", "event_types": types}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    r.json().await.unwrap()
}

async fn notices_reach_the_admins_once_and_only_their_own_endpoints(app: App) {
    let org = acme(&app).await;
    let own = admin(&app).await;
    let (globex_id, other) = globex(&app).await;
    let hooks = format!("/api/v1/sponsor/orgs/{org}/webhooks");
    // An organisation's endpoint subscribes only to its own kind of event.
    let e = expect_error(
        app.post(
            &hooks,
            Some(&own),
            json!({"url": "https://hr.example/hook", "event_types": ["budget.low", "booking.created"]}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(
        e["fields"]["event_types"]
            .as_str()
            .unwrap()
            .contains("booking.created"),
        "{e}"
    );
    let acme_rx = Receiver::start().await;
    let globex_rx = Receiver::start().await;
    let operator_rx = Receiver::start().await;
    let all = ["approval.requested", "budget.low", "statement.ready"];
    let acme_hook = register(&app, &hooks, &own, &acme_rx.url, &all).await;
    assert!(acme_hook["secret"].as_str().unwrap().starts_with("whsec_"));
    let globex_hooks = format!("/api/v1/sponsor/orgs/{globex_id}/webhooks");
    register(&app, &globex_hooks, &other, &globex_rx.url, &all).await;
    let op = app.operator().await;
    register(
        &app,
        "/api/v1/webhooks",
        &op,
        &operator_rx.url,
        &["budget.low"],
    )
    .await;
    // Each admin sees only their own organisation's endpoints.
    let acme_id = acme_hook["id"].as_i64().unwrap();
    let listed: Value = app.get(&hooks, Some(&own)).await.json().await.unwrap();
    assert_eq!(listed["endpoints"].as_array().unwrap().len(), 1, "{listed}");
    assert_eq!(
        listed["event_types"],
        json!(["budget.low", "approval.requested", "statement.ready"])
    );
    for path in [
        hooks.clone(),
        format!("{hooks}/{acme_id}"),
        format!("{hooks}/{acme_id}/deliveries"),
    ] {
        expect_error(
            app.get(&path, Some(&other)).await,
            StatusCode::NOT_FOUND,
            "not_found",
        )
        .await;
    }
    let r = app
        .post(&format!("{hooks}/{acme_id}/test"), Some(&other), json!({}))
        .await;
    expect_error(r, StatusCode::NOT_FOUND, "not_found").await;
    // Nor through their own organisation's path.
    expect_error(
        app.get(&format!("{globex_hooks}/{acme_id}"), Some(&other))
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;

    // The budget asks for approval, and what is left expires at the end of each month.
    let r = app
        .put(
            &format!("/api/v1/sponsor/orgs/{org}/budget"),
            Some(&own),
            json!({"period": "month", "leftover": "expire", "cap_credits": 100, "cap_sessions": 2, "skus": [SKU], "approval_hours": 24}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    app.clear_queue().await;
    start_worker(&app);
    let slots = app.slots_in_days(SKU, 3, 10).await;
    let sam = app.login("sam@stint.example", DEMO_PASSWORD).await;
    let r = app
        .post(
            "/api/v1/bookings",
            Some(&sam),
            json!({"sku": SKU, "mentor_id": slots[0]["mentor_id"], "start": slots[0]["start"], "paid_by": org}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let booking: Value = r.json().await.unwrap();
    let booking_id = booking["id"].as_i64().unwrap();
    eventually("the approval request", || {
        acme_rx.types() == ["approval.requested"]
    })
    .await;
    let request = &acme_rx.bodies()[0];
    assert_eq!(request["data"]["booking_id"], booking_id, "{request}");
    assert_eq!(request["data"]["org_id"], org);
    assert!(
        !request.to_string().contains("Sam"),
        "ids, never names: {request}"
    );
    // The member's session page says it waits.
    let client = common::browser();
    common::log_in(&app, &client, "sam@stint.example").await;
    let (_, session, _) = common::page(&app, &client, &format!("/sessions/{booking_id}")).await;
    assert!(
        session.contains("Waiting for Acme Corp&#39;s approval: if nobody decides by"),
        "{session}"
    );

    // A month on: the statement of the month that ended, and the budget's leftover expired.
    let now = app.clock.now();
    let next_month = stint_domain::sponsor::Period::Month.end(now);
    app.clock
        .advance((next_month - now) + jiff::SignedDuration::from_hours(2));
    let core = core(&app);
    stint_app::sponsor::budget::close_periods(&core)
        .await
        .unwrap();
    stint_app::sponsor::notices::open_due(&core).await.unwrap();
    eventually("the statement and the low budget", || {
        acme_rx.types() == ["approval.requested", "budget.low", "statement.ready"]
    })
    .await;
    eventually("Globex's own statement", || {
        globex_rx.types() == ["statement.ready"]
    })
    .await;
    eventually("the operators' copy", || {
        operator_rx.types() == ["budget.low"]
    })
    .await;
    for b in acme_rx.bodies() {
        assert_eq!(b["data"]["org_id"], org, "{b}");
    }
    assert_eq!(globex_rx.bodies()[0]["data"]["org_id"], globex_id);
    let statement = acme_rx
        .bodies()
        .into_iter()
        .find(|b| b["type"] == "statement.ready")
        .unwrap();
    assert_eq!(
        statement["data"]["month"],
        now.to_zoned_datetime(jiff::tz::TimeZone::UTC)
            .strftime("%Y-%m")
            .to_string()
    );
    // Once each: asking again opens nothing.
    assert_eq!(
        stint_app::sponsor::notices::open_due(&core).await.unwrap(),
        0
    );
    assert!(
        !stint_app::sponsor::notices::approval_requested(
            &core,
            stint_domain::booking::BookingId(booking_id)
        )
        .await
        .unwrap()
    );

    // The admins got each by mail; the statement carries its CSV.
    let mails = stint_mail::list_outbox(&app.outbox, 1000).unwrap();
    let to_admin: Vec<_> = mails
        .iter()
        .filter(|m| m.to.contains("sponsor@acme.example"))
        .collect();
    for subject in [
        "A session waits for Acme Corp's approval",
        "Acme Corp's Stint statement for",
        "Acme Corp's mentoring budget is running low",
    ] {
        assert_eq!(
            to_admin
                .iter()
                .filter(|m| m.subject.contains(subject))
                .count(),
            1,
            "{subject}: {to_admin:?}"
        );
    }
    let statement_mail = to_admin
        .iter()
        .find(|m| m.subject.contains("statement"))
        .unwrap();
    let raw = std::fs::read_to_string(app.outbox.join(&statement_mail.file_name)).unwrap();
    assert!(raw.contains("text/csv"), "the statement is attached");
    assert!(
        !mails
            .iter()
            .any(|m| m.to.contains("boss@globex.example") && m.subject.contains("Acme")),
        "Globex's admin hears nothing of Acme"
    );
}

async fn the_settings_page_adds_domains_and_endpoints_and_reshows_errors(app: App) {
    let org = acme(&app).await;
    let client = common::browser();
    common::log_in(&app, &client, "sponsor@acme.example").await;
    let settings = format!("/sponsor/{org}/settings");
    let (status, body, _) = common::page(&app, &client, &settings).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("E-mail domains") && body.contains("Webhooks"));
    let (_, console, _) = common::page(&app, &client, &format!("/sponsor/{org}")).await;
    assert!(console.contains(&format!("href=\"/sponsor/{org}/settings\"")));
    // A public mail domain: the form again, with what was typed and the message.
    let (status, body) = common::submit(
        &app,
        &client,
        &settings,
        &format!("/sponsor/{org}/domains"),
        &[("domain", "gmail.com"), ("address", "hr@gmail.com")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("public mail service"), "{body}");
    assert!(body.contains("value=\"gmail.com\""));
    let (status, body) = common::submit(
        &app,
        &client,
        &settings,
        &format!("/sponsor/{org}/domains"),
        &[
            ("domain", "widgets.example"),
            ("address", "it@widgets.example"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("A link is on its way"), "{body}");
    assert!(body.contains("a link went to it@widgets.example"), "{body}");
    // An endpoint: an event of another kind is refused; a good one shows its secret.
    let (status, body) = common::submit(
        &app,
        &client,
        &settings,
        &format!("/sponsor/{org}/webhooks"),
        &[
            ("url", "http://127.0.0.1:9/hook"),
            ("event_types", "booking.created"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("unknown event type"), "{body}");
    let (status, body) = common::submit(
        &app,
        &client,
        &settings,
        &format!("/sponsor/{org}/webhooks"),
        &[
            ("url", "http://127.0.0.1:9/hook"),
            ("event_types", "statement.ready"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("whsec_"), "{body}");
    assert!(body.contains("nothing sent yet"));
    // Another organisation's admin, and a member, are told it does not exist.
    let (_, _) = globex(&app).await;
    let stranger = common::browser();
    common::log_in_with(&app, &stranger, "boss@globex.example", "a long passphrase").await;
    let (status, _, _) = common::page(&app, &stranger, &settings).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let member = common::browser();
    common::log_in(&app, &member, "sam@stint.example").await;
    let (status, _, _) = common::page(&app, &member, &settings).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
