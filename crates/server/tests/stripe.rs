//! Card payments through Stripe, against a Stripe-compatible server the tests start
//! (localstripe, with Checkout added by `support/stripe_peer.py`), on both backends: a buyer
//! goes to the Checkout page, pays, and the credits arrive only with Stripe's signed event;
//! one event delivered ten times at once credits once; bad, old or mismatched events write
//! nothing; a refund goes back through Stripe; a sponsor funds its budget by card the same way. Without localstripe these are reported as
//! ignored; with `CI=true` they run and fail.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod common;

use common::{App, expect_error, make_mentee_unfunded};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use stint_domain::clock::Clock;

on_both_backends!(Paying;
    a_card_payment_is_credited_when_stripe_says_so_and_refunded_through_it [peer_stripe, "needs localstripe: python3 -m pip install localstripe==1.15.10"],
    one_event_delivered_ten_times_at_once_credits_once [peer_stripe, "needs localstripe: python3 -m pip install localstripe==1.15.10"],
    bad_old_and_mismatched_events_write_nothing [peer_stripe, "needs localstripe: python3 -m pip install localstripe==1.15.10"],
    card_payments_are_not_invoices [peer_stripe, "needs localstripe: python3 -m pip install localstripe==1.15.10"],
    a_sponsor_funds_its_budget_by_card_once [peer_stripe, "needs localstripe: python3 -m pip install localstripe==1.15.10"],
);

/// A server without Stripe's keys.
mod unconfigured {
    use super::*;

    on_both_backends!(App;
        without_keys_stripe_is_not_offered,
    );

    async fn without_keys_stripe_is_not_offered(app: App) {
        super::without_keys_stripe_is_not_offered(app).await;
    }
}

const SECRET: &str = "whsec_stint_test_secret";
const BUYER: &str = "card.buyer@example.com";
/// The password `make_mentee_unfunded` gives.
const PASSWORD: &str = "a long passphrase";

/// localstripe on a free port of 127.0.0.1, killed on drop.
struct StripePeer {
    child: Child,
    base: String,
}

impl StripePeer {
    fn start(now: i64) -> StripePeer {
        stint_testkit::require(stint_testkit::Peer::Stripe);
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/stripe_peer.py");
        let mut child = Command::new(stint_testkit::python())
            .arg(script)
            .arg(now.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start stripe_peer.py");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port: u16 = line
            .trim()
            .strip_prefix("port ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("stripe_peer.py printed {line:?}, not its port"));
        StripePeer {
            child,
            base: format!("http://127.0.0.1:{port}"),
        }
    }
}

impl Drop for StripePeer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A Stint server with Stripe configured against its own localstripe, whose webhook
/// endpoint is registered there, and a mentee without credits.
struct Paying {
    app: App,
    peer: StripePeer,
    http: reqwest::Client,
}

impl Paying {
    async fn start(url: &str) -> Paying {
        let now = common::test_epoch().as_second();
        let peer = StripePeer::start(now);
        let base = peer.base.clone();
        let app = App::start_with(url, |c| {
            c.stripe = stint_stripe::StripeSettings {
                secret_key: "sk_test_stint".into(),
                webhook_secret: SECRET.into(),
                api_base: base,
            };
        })
        .await;
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let r = http
            .post(format!("{}/_config/webhooks/stint", peer.base))
            .form(&[
                ("url", app.url("/webhooks/stripe")),
                ("secret", SECRET.to_string()),
            ])
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success());
        make_mentee_unfunded(&app, BUYER, "Card Buyer").await;
        Paying { app, peer, http }
    }

    async fn buyer(&self) -> String {
        self.app.login(BUYER, PASSWORD).await
    }

    /// The first pack on sale: (id, credits, price_minor, currency).
    async fn pack(&self, token: &str) -> (i64, i64, i64, String) {
        let packs: Value = self
            .app
            .get("/api/v1/packs", Some(token))
            .await
            .json()
            .await
            .unwrap();
        let p = &packs.as_array().unwrap()[0];
        (
            p["id"].as_i64().unwrap(),
            p["credits"].as_i64().unwrap(),
            p["price_minor"].as_i64().unwrap(),
            p["currency"].as_str().unwrap().to_string(),
        )
    }

    async fn balance(&self, token: &str) -> i64 {
        let w: Value = self
            .app
            .get("/api/v1/me/wallet", Some(token))
            .await
            .json()
            .await
            .unwrap();
        w["balance"].as_i64().unwrap()
    }

    /// A card purchase of pack `pack`: its id and the Checkout address.
    async fn checkout(&self, token: &str, pack: i64) -> (i64, String) {
        let r = self
            .app
            .post(
                "/api/v1/purchases",
                Some(token),
                json!({"pack_id": pack, "provider": "stripe"}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let p: Value = r.json().await.unwrap();
        assert_eq!(p["state"], "pending");
        assert_eq!(p["provider"], "stripe");
        assert!(p["instructions"].is_null(), "{p}");
        (
            p["id"].as_i64().unwrap(),
            p["pay_at"].as_str().unwrap().to_string(),
        )
    }

    /// Posts `event` to Stint signed at `at` (unix seconds) with `secret`.
    async fn deliver(&self, event: &Value, secret: &str, at: i64) -> reqwest::Response {
        let body = serde_json::to_vec(event).unwrap();
        self.http
            .post(self.app.url("/webhooks/stripe"))
            .header("Stripe-Signature", stint_stripe::sign(secret, at, &body))
            .header("Content-Type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap()
    }

    fn now(&self) -> i64 {
        self.app.clock.now().as_second()
    }
}

/// `payment_intent.succeeded` as Stripe sends it for purchase `purchase`.
fn succeeded(event: &str, purchase: i64, amount: i64, currency: &str) -> Value {
    json!({
        "id": event,
        "object": "event",
        "type": "payment_intent.succeeded",
        "data": {"object": {
            "id": format!("pi_{event}"),
            "object": "payment_intent",
            "amount": amount,
            "amount_received": amount,
            "currency": currency.to_ascii_lowercase(),
            "status": "succeeded",
            "metadata": {"stint_purchase": purchase.to_string()}
        }}
    })
}

async fn a_card_payment_is_credited_when_stripe_says_so_and_refunded_through_it(t: Paying) {
    let token = t.buyer().await;
    let (pack, credits, price, currency) = t.pack(&token).await;
    let (purchase, pay_at) = t.checkout(&token, pack).await;
    assert!(pay_at.starts_with(&t.peer.base), "{pay_at}");
    assert_eq!(t.balance(&token).await, 0, "nothing before Stripe's word");

    // The buyer pays on the hosted page; localstripe posts its signed event to Stint.
    let r = t.http.post(format!("{pay_at}/pay")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(
        r.headers()["location"]
            .to_str()
            .unwrap()
            .ends_with("/wallet?bought=card")
    );
    let mut waited = 0;
    while t.balance(&token).await == 0 {
        assert!(waited < 100, "the payment was never credited");
        tokio::time::sleep(Duration::from_millis(100)).await;
        waited += 1;
    }
    assert_eq!(t.balance(&token).await, credits);
    let p: Value = t
        .app
        .get(&format!("/api/v1/purchases/{purchase}"), Some(&token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(p["state"], "paid");
    let payment = p["reference"].as_str().unwrap().to_string();
    assert!(payment.starts_with("pi_"), "{p}");
    assert_eq!(p["price_minor"], price);
    assert_eq!(p["currency"], currency.as_str());

    // An operator refunds a third; the money goes back through Stripe, once.
    let op = t.app.operator().await;
    let refund_credits = credits / 3;
    let r = t
        .app
        .post(
            &format!("/api/v1/operator/purchases/{purchase}/refunds"),
            Some(&op),
            json!({"credits": refund_credits, "reason": "Changed plans"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let refund: Value = r.json().await.unwrap();
    let minor = refund["money_minor"].as_i64().unwrap();
    assert_eq!(minor, price * refund_credits / credits);
    assert_eq!(refund["provider"], "stripe", "{refund}");
    let jobs = t.app.store.jobs(None, None, 10_000).await.unwrap();
    let job = jobs
        .into_iter()
        .find(|j| j.kind == stint_store::outbox::PROVIDER_REFUND)
        .expect("the refund's Stripe job, queued with it");
    let stripe = stint_stripe::Stripe::new(
        stint_stripe::StripeSettings {
            secret_key: "sk_test_stint".into(),
            webhook_secret: SECRET.into(),
            api_base: t.peer.base.clone(),
        },
        std::sync::Arc::new(stint_egress::EgressPolicy::with_loopback()),
    );
    let handler = stint_jobs::provider_refund::ProviderRefunds::new(stripe);
    stint_worker::Handler::run(&handler, &job).await.unwrap();
    let refunds: Value = t
        .http
        .get(format!(
            "{}/v1/refunds?payment_intent={payment}",
            t.peer.base
        ))
        .bearer_auth("sk_test_stint")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let amounts: Vec<i64> = refunds["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["amount"].as_i64().unwrap())
        .collect();
    assert_eq!(amounts, vec![minor]);
    assert_eq!(t.balance(&token).await, credits - refund_credits);
}

async fn one_event_delivered_ten_times_at_once_credits_once(t: Paying) {
    let token = t.buyer().await;
    let (pack, credits, price, currency) = t.pack(&token).await;
    let (purchase, _) = t.checkout(&token, pack).await;
    let event = succeeded("evt_ten_times", purchase, price, &currency);
    let body = serde_json::to_vec(&event).unwrap();
    let signature = stint_stripe::sign(SECRET, t.now(), &body);
    let at_once: Vec<_> = (0..10)
        .map(|_| {
            let request = t
                .http
                .post(t.app.url("/webhooks/stripe"))
                .header("Stripe-Signature", signature.clone())
                .body(body.clone());
            tokio::spawn(async move { request.send().await.unwrap().status() })
        })
        .collect();
    for answer in at_once {
        assert_eq!(answer.await.unwrap(), StatusCode::OK);
    }
    for _ in 0..10 {
        let r = t.deliver(&event, SECRET, t.now()).await;
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["replay"], true, "{body}");
    }
    assert_eq!(t.balance(&token).await, credits);
    let user = t
        .app
        .store
        .account_by_email(BUYER)
        .await
        .unwrap()
        .unwrap()
        .id;
    let lots = t.app.store.lots_of(user).await.unwrap();
    assert_eq!(lots.len(), 1, "one lot for one payment");
    // A second event for the same payment (Checkout also says it completed) adds nothing.
    let completed = json!({
        "id": "evt_completed", "type": "checkout.session.completed",
        "data": {"object": {"id": "cs_1", "payment_intent": "pi_evt_ten_times", "amount_total": price,
            "currency": currency.to_ascii_lowercase(), "payment_status": "paid",
            "metadata": {"stint_purchase": purchase.to_string()}}}
    });
    assert_eq!(
        t.deliver(&completed, SECRET, t.now()).await.status(),
        StatusCode::OK
    );
    assert_eq!(t.balance(&token).await, credits);
}

async fn bad_old_and_mismatched_events_write_nothing(t: Paying) {
    let token = t.buyer().await;
    let (pack, _, price, currency) = t.pack(&token).await;
    let (purchase, _) = t.checkout(&token, pack).await;
    let event = succeeded("evt_bad", purchase, price, &currency);
    let body = serde_json::to_vec(&event).unwrap();

    let unsigned = t
        .http
        .post(t.app.url("/webhooks/stripe"))
        .body(body.clone())
        .send()
        .await
        .unwrap();
    let e = expect_error(
        unsigned,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(e["fields"]["Stripe-Signature"].is_string(), "{e}");
    let wrong_secret = t.deliver(&event, "whsec_someone_else", t.now()).await;
    expect_error(
        wrong_secret,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    let old = t.deliver(&event, SECRET, t.now() - 301).await;
    let e = expect_error(old, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert!(
        e["fields"]["Stripe-Signature"]
            .as_str()
            .unwrap()
            .contains("tolerance"),
        "{e}"
    );
    let cheaper = succeeded("evt_cheap", purchase, price - 1, &currency);
    expect_error(
        t.deliver(&cheaper, SECRET, t.now()).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    let other_money = succeeded("evt_usd", purchase, price, "XTS");
    expect_error(
        t.deliver(&other_money, SECRET, t.now()).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    let unknown = succeeded("evt_unknown", 999_999, price, &currency);
    expect_error(
        t.deliver(&unknown, SECRET, t.now()).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    let not_json = t
        .http
        .post(t.app.url("/webhooks/stripe"))
        .header(
            "Stripe-Signature",
            stint_stripe::sign(SECRET, t.now(), b"not json"),
        )
        .body("not json")
        .send()
        .await
        .unwrap();
    expect_error(
        not_json,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;

    assert_eq!(t.balance(&token).await, 0);
    for id in ["evt_bad", "evt_cheap", "evt_usd", "evt_unknown"] {
        assert!(
            !t.app.store.payment_event_seen("stripe", id).await.unwrap(),
            "{id}"
        );
    }
    let p = t.app.store.purchase(purchase).await.unwrap().unwrap();
    assert_eq!(p.state, stint_store::money::PurchaseState::Pending);
    // Events Stint does not act on are answered 2xx, so Stripe stops sending them.
    let other = json!({"id": "evt_other", "type": "customer.created", "data": {"object": {}}});
    let r = t.deliver(&other, SECRET, t.now()).await;
    assert_eq!(r.status(), StatusCode::OK);
    // The genuine event still works afterwards.
    assert_eq!(
        t.deliver(&event, SECRET, t.now()).await.status(),
        StatusCode::OK
    );
    assert!(t.balance(&token).await > 0);
}

async fn card_payments_are_not_invoices(t: Paying) {
    let token = t.buyer().await;
    let (pack, ..) = t.pack(&token).await;
    let (purchase, _) = t.checkout(&token, pack).await;
    let op = t.app.operator().await;
    let r = t
        .app
        .post(
            &format!("/api/v1/operator/purchases/{purchase}/paid"),
            Some(&op),
            json!({"reference": "BANK-1"}),
        )
        .await;
    expect_error(r, StatusCode::CONFLICT, "conflict").await;
    let pending: Value = t
        .app
        .get("/api/v1/operator/purchases", Some(&op))
        .await
        .json()
        .await
        .unwrap();
    assert!(
        pending
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["id"].as_i64() != Some(purchase)),
        "{pending}"
    );
    // The wallet page offers the card first and sends the buyer to Stripe's page.
    let client = common::browser();
    common::log_in_with(&t.app, &client, BUYER, PASSWORD).await;
    let (status, html, csrf) = common::page(&t.app, &client, "/wallet").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Pay by card"), "{html}");
    let r = client
        .post(t.app.url("/wallet/buy"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("pack_id", &pack.to_string()),
            ("provider", "stripe"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    assert!(
        to.starts_with(&format!("{}/_config/checkout/cs_", t.peer.base)),
        "{to}"
    );
}

async fn without_keys_stripe_is_not_offered(app: App) {
    make_mentee_unfunded(&app, BUYER, "Card Buyer").await;
    let token = app.login(BUYER, PASSWORD).await;
    let packs: Value = app
        .get("/api/v1/packs", Some(&token))
        .await
        .json()
        .await
        .unwrap();
    let pack = packs[0]["id"].as_i64().unwrap();
    let r = app
        .post(
            "/api/v1/purchases",
            Some(&token),
            json!({"pack_id": pack, "provider": "stripe"}),
        )
        .await;
    let e = expect_error(r, StatusCode::CONFLICT, "conflict").await;
    assert!(e["fields"]["provider"].is_string(), "{e}");
    let r = app
        .http
        .post(app.url("/webhooks/stripe"))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

async fn a_sponsor_funds_its_budget_by_card_once(t: Paying) {
    let admin = t
        .app
        .login("sponsor@acme.example", stint_server::demo::DEMO_PASSWORD)
        .await;
    let org = t.app.store.orgs().await.unwrap()[0].id;
    let budget = stint_domain::ledger::Account::Budget(org);
    let before = t.app.store.ledger_balance(budget).await.unwrap();
    let (pack, credits, price, currency) = t.pack(&admin).await;
    let path = format!("/api/v1/sponsor/orgs/{}/fundings/card", org.0);
    // Refused by field, nothing written: an unknown pack, a quantity out of range.
    for (body, field) in [
        (json!({"pack_id": 9_999, "quantity": 1}), "pack_id"),
        (json!({"pack_id": pack, "quantity": 0}), "quantity"),
        (json!({"pack_id": pack, "quantity": 101}), "quantity"),
    ] {
        let e = expect_error(
            t.app.post(&path, Some(&admin), body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert!(e["fields"][field].is_string(), "{e}");
    }
    // A member may not fund it.
    let member = t
        .app
        .login("sam@stint.example", stint_server::demo::DEMO_PASSWORD)
        .await;
    expect_error(
        t.app
            .post(
                &path,
                Some(&member),
                json!({"pack_id": pack, "quantity": 2}),
            )
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    let r = t
        .app
        .post(&path, Some(&admin), json!({"pack_id": pack, "quantity": 2}))
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let body: Value = r.json().await.unwrap();
    let funding = body["funding"]["id"].as_i64().unwrap();
    assert_eq!(body["funding"]["provider"], "stripe");
    assert_eq!(body["funding"]["price_minor"], 2 * price);
    assert!(body["funding"]["paid_at"].is_null());
    let pay_at = body["pay_at"].as_str().unwrap().to_string();
    // Operators settle invoices, not card payments.
    let op = t.app.operator().await;
    let unpaid: Value = t
        .app
        .get("/api/v1/operator/fundings", Some(&op))
        .await
        .json()
        .await
        .unwrap();
    assert!(
        !unpaid.to_string().contains(&format!("\"id\":{funding},")),
        "{unpaid}"
    );
    let r = t
        .app
        .post(
            &format!("/api/v1/operator/fundings/{funding}/paid"),
            Some(&op),
            json!({}),
        )
        .await;
    expect_error(r, StatusCode::NOT_FOUND, "not_found").await;
    // A payment of another amount credits nothing.
    let short = json!({
        "id": "evt_short", "object": "event", "type": "payment_intent.succeeded",
        "data": {"object": {"id": "pi_short", "object": "payment_intent", "amount": price,
            "amount_received": price, "currency": currency.to_ascii_lowercase(),
            "status": "succeeded", "metadata": {"stint_funding": funding.to_string()}}}
    });
    let r = t.deliver(&short, SECRET, t.now()).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(t.app.store.ledger_balance(budget).await.unwrap(), before);

    // The admin pays on the hosted page; Stripe's event funds the budget, once.
    let r = t.http.post(format!("{pay_at}/pay")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(
        r.headers()["location"]
            .to_str()
            .unwrap()
            .ends_with(&format!("/sponsor/{}?done=card", org.0))
    );
    let mut waited = 0;
    while t.app.store.ledger_balance(budget).await.unwrap() == before {
        assert!(waited < 100, "the card payment never funded the budget");
        tokio::time::sleep(Duration::from_millis(100)).await;
        waited += 1;
    }
    assert_eq!(
        t.app.store.ledger_balance(budget).await.unwrap(),
        before + 2 * credits
    );
    let again = json!({
        "id": "evt_again", "object": "event", "type": "payment_intent.succeeded",
        "data": {"object": {"id": "pi_again", "object": "payment_intent", "amount": 2 * price,
            "amount_received": 2 * price, "currency": currency.to_ascii_lowercase(),
            "status": "succeeded", "metadata": {"stint_funding": funding.to_string()}}}
    });
    let r = t.deliver(&again, SECRET, t.now()).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        t.app.store.ledger_balance(budget).await.unwrap(),
        before + 2 * credits,
        "a second delivery credits nothing"
    );
    let listed: Value = t
        .app
        .get(
            &format!("/api/v1/sponsor/orgs/{}/fundings", org.0),
            Some(&admin),
        )
        .await
        .json()
        .await
        .unwrap();
    assert!(listed[0]["paid_at"].is_string(), "{listed}");
    common::ledger_is_sound(&t.app).await;
}
