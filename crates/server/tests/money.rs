//! Credit packs, purchases and the wallet over the API, on both backends: operators define
//! packs (and only they), a mentee buys one as an invoice, an operator marks it paid (ten
//! times at once: credited once), and the wallet shows the balance, the lot with its expiry
//! and every entry with its running balance. Bad input changes nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod common;

use common::{App, expect_error};
use reqwest::StatusCode;
use serde_json::{Value, json};
use stint_server::demo::DEMO_PASSWORD;

on_both_backends!(App;
    only_operators_define_packs_and_bad_packs_change_nothing,
    an_invoice_marked_paid_ten_times_credits_once_and_the_wallet_shows_it,
    packs_not_on_sale_and_providers_not_offered_are_refused,
    the_wallet_page_shows_the_balance_and_buys_a_pack_by_invoice,
    operators_mark_invoices_paid_and_add_packs_on_the_credits_page,
    credits_expire_with_their_lot_and_the_wallet_says_so,
    refunds_and_corrections_over_the_api_and_the_page,
    the_wallet_history_pages_back_with_its_running_balance,
);

const SAM: &str = "sam@stint.example";
const LENA: &str = "lena@stint.example";

fn starter() -> Value {
    json!({"name": "Starter · 3 sessions", "credits": 90, "price_minor": 13500, "currency": "EUR", "months_valid": 12})
}

async fn json_of(r: reqwest::Response, status: StatusCode) -> Value {
    let got = r.status();
    let body: Value = r.json().await.unwrap();
    assert_eq!(got, status, "{body}");
    body
}

async fn only_operators_define_packs_and_bad_packs_change_nothing(app: App) {
    let op = app.operator().await;
    let sam = app.login(SAM, DEMO_PASSWORD).await;
    let before = app
        .get("/api/v1/packs", Some(&sam))
        .await
        .json::<Value>()
        .await
        .unwrap();
    expect_error(
        app.post("/api/v1/packs", Some(&sam), starter()).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let bad = json!({"name": " ", "credits": 0, "price_minor": -5, "currency": "XYZ", "months_valid": 40});
    let e = expect_error(
        app.post("/api/v1/packs", Some(&op), bad).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    for f in ["name", "credits", "price_minor", "currency", "months_valid"] {
        assert!(e["fields"][f].is_string(), "no message for {f}: {e}");
    }
    let after = app
        .get("/api/v1/packs", Some(&sam))
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(before, after, "nothing written");

    let made = json_of(
        app.post("/api/v1/packs", Some(&op), starter()).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(made["price"], "EUR 135.00");
    assert_eq!(made["active"], true);
    let listed = app
        .get("/api/v1/packs", Some(&sam))
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert!(
        listed
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["id"] == made["id"])
    );
    let id = made["id"].as_i64().unwrap();
    let retired = json!({"name": "Starter · 3 sessions", "credits": 90, "price_minor": 13500, "currency": "EUR", "months_valid": 12, "active": false});
    json_of(
        app.put(&format!("/api/v1/packs/{id}"), Some(&op), retired.clone())
            .await,
        StatusCode::OK,
    )
    .await;
    let listed = app
        .get("/api/v1/packs", Some(&sam))
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert!(
        !listed
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["id"] == made["id"]),
        "retired"
    );
    expect_error(
        app.put("/api/v1/packs/999999", Some(&op), retired).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
}

async fn an_invoice_marked_paid_ten_times_credits_once_and_the_wallet_shows_it(app: App) {
    let op = app.operator().await;
    let sam = app.login(SAM, DEMO_PASSWORD).await;
    let lena = app.login(LENA, DEMO_PASSWORD).await;
    let pack = json_of(
        app.post("/api/v1/packs", Some(&op), starter()).await,
        StatusCode::CREATED,
    )
    .await;
    let wallet = |token: String| {
        let app = &app;
        async move {
            json_of(
                app.get("/api/v1/me/wallet", Some(&token)).await,
                StatusCode::OK,
            )
            .await
        }
    };
    let start = wallet(sam.clone()).await["balance"].as_i64().unwrap();

    let bought = json_of(
        app.post(
            "/api/v1/purchases",
            Some(&sam),
            json!({"pack_id": pack["id"]}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(bought["state"], "pending");
    assert_eq!(bought["provider"], "manual");
    let id = bought["id"].as_i64().unwrap();
    assert!(
        bought["instructions"]
            .as_str()
            .unwrap()
            .contains(&format!("STINT-{id}")),
        "{bought}"
    );
    assert_eq!(
        wallet(sam.clone()).await["balance"],
        start,
        "nothing until it is paid"
    );
    // Somebody else's purchase is not there for them.
    expect_error(
        app.get(&format!("/api/v1/purchases/{id}"), Some(&lena))
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    expect_error(
        app.post(
            &format!("/api/v1/operator/purchases/{id}/paid"),
            Some(&sam),
            json!({}),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let queue = json_of(
        app.get("/api/v1/operator/purchases", Some(&op)).await,
        StatusCode::OK,
    )
    .await;
    assert!(queue.as_array().unwrap().iter().any(|p| p["id"] == id));

    // A partner's endpoint hears of each paid purchase once.
    app.clear_queue().await;
    let hook = json_of(
        app.post(
            "/api/v1/webhooks",
            Some(&op),
            json!({"url": "https://crm.example/hook", "event_types": ["purchase.paid"]}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let mut tasks = Vec::new();
    for i in 0..10 {
        let (http, url, op) = (
            app.http.clone(),
            app.url(&format!("/api/v1/operator/purchases/{id}/paid")),
            op.clone(),
        );
        tasks.push(tokio::spawn(async move {
            http.post(url)
                .bearer_auth(op)
                .json(&json!({"reference": format!("BANK-{i}")}))
                .send()
                .await
                .unwrap()
                .status()
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), StatusCode::OK);
    }
    let w = wallet(sam.clone()).await;
    assert_eq!(
        w["balance"].as_i64().unwrap(),
        start + 90,
        "credited once: {w}"
    );
    let entry = &w["entries"][0];
    assert_eq!(entry["kind"], "purchase");
    assert_eq!(entry["amount"], 90);
    assert_eq!(entry["balance"].as_i64().unwrap(), start + 90);
    assert_eq!(entry["reference"], format!("purchase:{id}"));
    let lot = w["lots"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["purchase_id"] == id)
        .unwrap()
        .clone();
    assert_eq!(
        (lot["credits"].as_i64(), lot["remaining"].as_i64()),
        (Some(90), Some(90))
    );
    assert!(
        lot["expires_at"].as_str().unwrap().starts_with("2027-"),
        "{lot}"
    );
    assert_eq!(w["purchases"][0]["state"], "paid");
    assert!(w["purchases"][0]["instructions"].is_null());
    assert!(app.store.ledger_violations().await.unwrap().is_empty());

    let message_id = stint_webhooks::message_id_for(&format!("purchase.paid:{id}"));
    let message = app
        .store
        .webhook_message(&message_id)
        .await
        .unwrap()
        .expect("the event");
    assert_eq!(message.event_type, "purchase.paid");
    let data: Value = serde_json::from_str(&message.payload).unwrap();
    assert_eq!(data["data"]["purchase_id"], id);
    assert_eq!(data["data"]["credits"], 90);
    let deliveries = app
        .store
        .jobs(None, None, 1000)
        .await
        .unwrap()
        .into_iter()
        .filter(|j| j.kind == stint_webhooks::KIND && j.payload.contains(&message_id))
        .count();
    assert_eq!(deliveries, 1, "one delivery to {}", hook["id"]);

    // One receipt mail, queued with the payment, whatever the number of marks.
    let receipts: Vec<stint_store::Job> = app
        .store
        .jobs(None, None, 10_000)
        .await
        .unwrap()
        .into_iter()
        .filter(|j| {
            j.kind == stint_store::outbox::RECEIPT_MAIL
                && j.payload == format!("{{\"purchase\":{id}}}")
        })
        .collect();
    assert_eq!(receipts.len(), 1);
    let mailer = std::sync::Arc::new(
        stint_mail::Mailer::new(&stint_mail::MailSettings {
            outbox_dir: app.outbox.clone(),
            ..Default::default()
        })
        .unwrap(),
    );
    let handler = stint_jobs::account_mail::receipt::ReceiptMailer::new(
        app.store.clone(),
        mailer,
        app.base.clone(),
    );
    stint_worker::Handler::run(&handler, &receipts[0])
        .await
        .unwrap();
    let mail = std::fs::read_dir(&app.outbox)
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .find(|m| m.contains(&format!("Your Stint receipt STINT-{id}")))
        .expect("the receipt in the outbox");
    assert!(
        mail.contains("sam@stint.example") && mail.contains("EUR 135.00"),
        "{mail}"
    );
    let client = common::browser();
    common::log_in(&app, &client, SAM).await;
    let (status, body, _) = common::page(&app, &client, &format!("/wallet/purchases/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains(&format!("Receipt STINT-{id}")) && body.contains("EUR 135.00"),
        "{body}"
    );
    // Nobody else's.
    let client = common::browser();
    common::log_in(&app, &client, LENA).await;
    let (status, _, _) = common::page(&app, &client, &format!("/wallet/purchases/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn packs_not_on_sale_and_providers_not_offered_are_refused(app: App) {
    let op = app.operator().await;
    let sam = app.login(SAM, DEMO_PASSWORD).await;
    let mut retired = starter();
    retired["active"] = json!(false);
    let pack = json_of(
        app.post("/api/v1/packs", Some(&op), retired).await,
        StatusCode::CREATED,
    )
    .await;
    let on_sale = json_of(
        app.post("/api/v1/packs", Some(&op), starter()).await,
        StatusCode::CREATED,
    )
    .await;
    let before = app
        .get("/api/v1/me/wallet", Some(&sam))
        .await
        .json::<Value>()
        .await
        .unwrap();
    expect_error(
        app.post(
            "/api/v1/purchases",
            Some(&sam),
            json!({"pack_id": pack["id"]}),
        )
        .await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    expect_error(
        app.post("/api/v1/purchases", Some(&sam), json!({"pack_id": 999999}))
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    // The demo top-up is offered on demo servers only.
    expect_error(
        app.post(
            "/api/v1/purchases",
            Some(&sam),
            json!({"pack_id": on_sale["id"], "provider": "demo"}),
        )
        .await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    let e = expect_error(
        app.post(
            "/api/v1/purchases",
            Some(&sam),
            json!({"pack_id": on_sale["id"], "provider": "cash"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(e["fields"]["provider"].is_string());
    let after = app
        .get("/api/v1/me/wallet", Some(&sam))
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(before, after, "nothing written");
}

async fn the_wallet_page_shows_the_balance_and_buys_a_pack_by_invoice(app: App) {
    let op = app.operator().await;
    let pack = json_of(
        app.post("/api/v1/packs", Some(&op), starter()).await,
        StatusCode::CREATED,
    )
    .await;
    let client = common::browser();
    common::log_in(&app, &client, SAM).await;
    let (status, body, _) = common::page(&app, &client, "/wallet").await;
    assert_eq!(status, StatusCode::OK);
    // The demo's Sam bought 400 credits by invoice three weeks ago.
    assert!(
        body.contains("<span class=\"big\">400</span> credits"),
        "{body}"
    );
    assert!(
        body.contains("Starter · 3 sessions") && body.contains("EUR 135.00"),
        "{body}"
    );
    assert!(!body.contains("Demo top-up"), "not offered on this server");
    let id = pack["id"].to_string();
    let (status, body) = common::submit(
        &app,
        &client,
        "/wallet",
        "/wallet/buy",
        &[("pack_id", id.as_str()), ("provider", "manual")],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Your invoice is below"), "{body}");
    assert!(
        body.contains("Pay EUR 135.00 by bank transfer with the reference STINT-"),
        "{body}"
    );
    assert!(
        body.contains("<span class=\"big\">400</span> credits"),
        "nothing credited yet"
    );
    // A form without its CSRF token buys nothing.
    let r = client
        .post(app.url("/wallet/buy"))
        .form(&[("pack_id", id.as_str()), ("provider", "manual")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let sam = app.login(SAM, DEMO_PASSWORD).await;
    let w = json_of(
        app.get("/api/v1/me/wallet", Some(&sam)).await,
        StatusCode::OK,
    )
    .await;
    let pending = w["purchases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["state"] == "pending")
        .count();
    assert_eq!(pending, 1);
}

async fn operators_mark_invoices_paid_and_add_packs_on_the_credits_page(app: App) {
    let mentee = common::browser();
    common::log_in(&app, &mentee, LENA).await;
    let (status, _, _) = common::page(&app, &mentee, "/operator/credits").await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let op = common::browser();
    common::log_in(&app, &op, "operator@stint.example").await;
    let (status, body, _) = common::page(&app, &op, "/operator/credits").await;
    assert_eq!(status, StatusCode::OK);
    // The demo's Lena has an invoice waiting.
    let lena = app.login(LENA, DEMO_PASSWORD).await;
    let before = json_of(
        app.get("/api/v1/me/wallet", Some(&lena)).await,
        StatusCode::OK,
    )
    .await;
    let id = before["purchases"][0]["id"].as_i64().unwrap();
    assert!(
        body.contains(&format!("STINT-{id}")) && body.contains("lena@stint.example"),
        "{body}"
    );
    let (status, body) = common::submit(
        &app,
        &op,
        "/operator/credits",
        &format!("/operator/credits/purchases/{id}/paid"),
        &[("reference", "BANK-77")],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Marked paid"), "{body}");
    assert!(!body.contains(&format!("STINT-{id}")), "no longer waiting");
    let after = json_of(
        app.get("/api/v1/me/wallet", Some(&lena)).await,
        StatusCode::OK,
    )
    .await;
    let credits = before["purchases"][0]["credits"].as_i64().unwrap();
    assert_eq!(
        after["balance"].as_i64().unwrap(),
        before["balance"].as_i64().unwrap() + credits
    );
    assert_eq!(after["purchases"][0]["reference"], "BANK-77");

    // A bad pack comes back with every field's message and the typed values; nothing is added.
    let packs_before = app.store.packs(true).await.unwrap().len();
    let (status, body) = common::submit(
        &app,
        &op,
        "/operator/credits",
        "/operator/credits/packs",
        &[
            ("name", "Kept"),
            ("credits", "0"),
            ("price", "12,50"),
            ("currency", "EUR"),
            ("months_valid", "12"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.contains("must be a whole number from 1 to 10000"),
        "{body}"
    );
    assert!(
        body.contains("must be an amount like 135 or 135.50"),
        "{body}"
    );
    assert!(body.contains("value=\"Kept\""), "{body}");
    assert_eq!(app.store.packs(true).await.unwrap().len(), packs_before);
    let (status, body) = common::submit(
        &app,
        &op,
        "/operator/credits",
        "/operator/credits/packs",
        &[
            ("name", "Five sessions"),
            ("credits", "200"),
            ("price", "239.90"),
            ("currency", "usd"),
            ("months_valid", ""),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains("Five sessions") && body.contains("USD 239.90 · never expire"),
        "{body}"
    );
}

/// The hourly `credits.expire` job's use case, on the server's clock: the demo's Sam bought a
/// 12-month pack three weeks ago; ten days before it expires Sam is warned by mail, once; a
/// year on, its credits have expired, once.
async fn credits_expire_with_their_lot_and_the_wallet_says_so(app: App) {
    let sam = app.login(SAM, DEMO_PASSWORD).await;
    let before = json_of(
        app.get("/api/v1/me/wallet", Some(&sam)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(before["balance"], 400);
    let ops = stint_app::App::new(app.store.clone(), app.clock.clone(), Default::default());
    assert!(
        stint_app::money::expiry::expire_due(&ops)
            .await
            .unwrap()
            .is_empty()
    );
    // Ten days before the lot expires, its owner is warned by mail, once.
    assert!(
        stint_app::money::expiry::warn_due(&ops)
            .await
            .unwrap()
            .is_empty()
    );
    app.clock
        .advance(jiff::SignedDuration::from_hours(24 * 334));
    let sams = app.store.account_by_email(SAM).await.unwrap().unwrap().id;
    let warned = stint_app::money::expiry::warn_due(&ops).await.unwrap();
    let sams_lot = app.store.lots_of(sams).await.unwrap()[0].id;
    assert!(warned.contains(&sams_lot), "{warned:?}");
    assert!(
        stint_app::money::expiry::warn_due(&ops)
            .await
            .unwrap()
            .is_empty(),
        "once"
    );
    let job = app
        .store
        .jobs(None, None, 10_000)
        .await
        .unwrap()
        .into_iter()
        .find(|j| {
            j.kind == stint_store::money::EXPIRY_WARNING_MAIL
                && j.payload == format!("{{\"lot\":{sams_lot}}}")
        })
        .expect("Sam's warning mail job");
    let mailer = std::sync::Arc::new(
        stint_mail::Mailer::new(&stint_mail::MailSettings {
            outbox_dir: app.outbox.clone(),
            ..Default::default()
        })
        .unwrap(),
    );
    let handler = stint_jobs::account_mail::expiry_warning::ExpiryWarningMailer::new(
        app.store.clone(),
        mailer,
        app.base.clone(),
    );
    stint_worker::Handler::run(&handler, &job).await.unwrap();
    let mail = std::fs::read_dir(&app.outbox)
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .find(|m| m.contains("Stint credits expire on"))
        .expect("the warning in the outbox");
    assert!(mail.contains("400 Stint credits expire on"), "{mail}");
    app.clock.advance(jiff::SignedDuration::from_hours(24 * 26));
    let expired = stint_app::money::expiry::expire_due(&ops).await.unwrap();
    let of_sam = expired.iter().filter(|e| e.user == sams);
    assert_eq!(of_sam.map(|e| e.credits).sum::<i64>(), 400);
    assert!(
        stint_app::money::expiry::expire_due(&ops)
            .await
            .unwrap()
            .is_empty(),
        "once"
    );
    let sam = app.login(SAM, DEMO_PASSWORD).await;
    let after = json_of(
        app.get("/api/v1/me/wallet", Some(&sam)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(after["balance"], 0);
    assert_eq!(after["entries"][0]["kind"], "expiry");
    assert_eq!(after["entries"][0]["amount"], -400);
    assert!(after["lots"].as_array().unwrap().is_empty());
    assert!(app.store.ledger_violations().await.unwrap().is_empty());
    assert!(app.store.holding_violations().await.unwrap().is_empty());
}

/// A demo server (`stint serve --demo`) credits the demo top-up at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_top_up_credits_at_once_on_a_demo_server() {
    let db = stint_store::testing::fresh_sqlite();
    let app = App::start_with(db.url(), |c| c.demo_top_up = true).await;
    let op = app.operator().await;
    let sam = app.login(SAM, DEMO_PASSWORD).await;
    let pack = json_of(
        app.post("/api/v1/packs", Some(&op), starter()).await,
        StatusCode::CREATED,
    )
    .await;
    let start = app
        .get("/api/v1/me/wallet", Some(&sam))
        .await
        .json::<Value>()
        .await
        .unwrap()["balance"]
        .as_i64()
        .unwrap();
    let bought = json_of(
        app.post(
            "/api/v1/purchases",
            Some(&sam),
            json!({"pack_id": pack["id"], "provider": "demo"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(
        (bought["state"].as_str(), bought["provider"].as_str()),
        (Some("paid"), Some("demo"))
    );
    let w = app
        .get("/api/v1/me/wallet", Some(&sam))
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(w["balance"].as_i64().unwrap(), start + 90);
}

/// Operators refund unspent credits of a paid purchase and correct wallets, each with a
/// reason, through the API and the page; too much, a stranger and no reason are refused with
/// their fields and write nothing; the audit lists what was done.
async fn refunds_and_corrections_over_the_api_and_the_page(app: App) {
    let op = app.operator().await;
    let lena = app.login(LENA, DEMO_PASSWORD).await;
    let paid = app
        .store
        .purchases_of(
            app.store.account_by_email(LENA).await.unwrap().unwrap().id,
            10,
        )
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.state == stint_store::money::PurchaseState::Paid)
        .expect("the demo's paid purchase of Lena");
    let refunds = format!("/api/v1/operator/purchases/{}/refunds", paid.id);
    json_of(
        app.post(
            "/api/v1/webhooks",
            Some(&op),
            json!({"url": "https://crm.example/hook", "event_types": ["purchase.refunded"]}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let before = json_of(
        app.get("/api/v1/me/wallet", Some(&lena)).await,
        StatusCode::OK,
    )
    .await;
    let balance = before["balance"].as_i64().unwrap();

    expect_error(
        app.post(
            &refunds,
            Some(&lena),
            json!({"credits": 1, "reason": "mine"}),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let e = expect_error(
        app.post(
            &refunds,
            Some(&op),
            json!({"credits": paid.credits + 1, "reason": " "}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(e["fields"]["reason"].is_string(), "{e}");
    let e = expect_error(
        app.post(
            &refunds,
            Some(&op),
            json!({"credits": paid.credits + 1, "reason": "too many"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(
        e["fields"]["credits"]
            .as_str()
            .unwrap()
            .contains("left unspent"),
        "{e}"
    );
    let r = json_of(
        app.post(
            &refunds,
            Some(&op),
            json!({"credits": 30, "reason": "Changed her mind"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(
        (r["kind"].as_str(), r["credits"].as_i64()),
        (Some("refund"), Some(-30))
    );
    assert_eq!(
        r["money_minor"].as_i64(),
        Some(paid.price_minor * 30 / paid.credits)
    );
    // An invoice's money goes back by bank transfer, which the operator sends.
    assert_eq!(r["provider"].as_str(), Some(paid.provider.as_str()));
    let message_id = stint_webhooks::message_id_for(&format!("purchase.refunded:{}", r["id"]));
    let message = app
        .store
        .webhook_message(&message_id)
        .await
        .unwrap()
        .expect("the purchase.refunded event");
    let event: Value = serde_json::from_str(&message.payload).unwrap();
    assert_eq!(
        (
            event["data"]["purchase_id"].as_i64(),
            event["data"]["credits"].as_i64()
        ),
        (Some(paid.id), Some(30))
    );

    let corrections = "/api/v1/operator/corrections";
    for (body, field) in [
        (
            json!({"email": "nobody@example.com", "credits": 5, "reason": "x"}),
            "email",
        ),
        (
            json!({"email": LENA, "credits": 0, "reason": "x"}),
            "credits",
        ),
        (
            json!({"email": LENA, "credits": -100000, "reason": "x"}),
            "credits",
        ),
    ] {
        let e = expect_error(
            app.post(corrections, Some(&op), body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert!(e["fields"][field].is_string(), "{e}");
    }
    json_of(
        app.post(
            corrections,
            Some(&op),
            json!({"email": LENA, "credits": 10, "reason": "Sorry for the outage"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let after = json_of(
        app.get("/api/v1/me/wallet", Some(&lena)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(after["balance"].as_i64().unwrap(), balance - 30 + 10);
    let audit = json_of(
        app.get("/api/v1/operator/adjustments", Some(&op)).await,
        StatusCode::OK,
    )
    .await;
    let kinds: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["correction", "refund"]);
    assert!(
        audit[0]["operator"]
            .as_str()
            .unwrap()
            .contains("operator@stint.example")
    );

    // The page: a refused form comes back with its message; the audit shows both.
    let client = common::browser();
    common::log_in(&app, &client, "operator@stint.example").await;
    let (status, body) = common::submit(
        &app,
        &client,
        "/operator/adjustments",
        "/operator/adjustments/corrections",
        &[
            ("email", LENA),
            ("credits", "-100000"),
            ("reason", "too much"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("credits this wallet holds"), "{body}");
    let (status, body) = common::submit(
        &app,
        &client,
        "/operator/adjustments",
        "/operator/adjustments/refunds",
        &[
            ("purchase", &format!("STINT-{}", paid.id)),
            ("refund_credits", "1"),
            ("refund_reason", "One more"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains("Refunded") && body.contains("Sorry for the outage"),
        "{body}"
    );
    if paid.provider == "manual" {
        assert!(body.contains("by bank transfer"), "{body}");
    }
    assert!(app.store.ledger_violations().await.unwrap().is_empty());
    assert!(app.store.holding_violations().await.unwrap().is_empty());
}

/// More entries than a page holds: the API and the page show the newest 200 and a way to the
/// older ones, whose running balance carries on from the newer page's.
async fn the_wallet_history_pages_back_with_its_running_balance(app: App) {
    let op = app.operator().await;
    let sam = app.login(SAM, DEMO_PASSWORD).await;
    for n in 0..205 {
        json_of(
            app.post(
                "/api/v1/operator/corrections",
                Some(&op),
                json!({"email": SAM, "credits": 1, "reason": format!("goodwill {n}")}),
            )
            .await,
            StatusCode::CREATED,
        )
        .await;
    }
    let newest = json_of(
        app.get("/api/v1/me/wallet", Some(&sam)).await,
        StatusCode::OK,
    )
    .await;
    let entries = newest["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 200);
    assert_eq!(entries[0]["balance"], newest["balance"]);
    let before = newest["older_before"].as_i64().expect("an older page");
    let last = &entries[199];
    assert_eq!(last["id"].as_i64(), Some(before));
    let older = json_of(
        app.get(&format!("/api/v1/me/wallet?before={before}"), Some(&sam))
            .await,
        StatusCode::OK,
    )
    .await;
    let rest = older["entries"].as_array().unwrap();
    assert!(!rest.is_empty() && rest.len() < 200, "{}", rest.len());
    assert!(older["older_before"].is_null());
    assert_eq!(
        rest[0]["balance"].as_i64().unwrap(),
        last["balance"].as_i64().unwrap() - last["amount"].as_i64().unwrap()
    );
    assert!(rest.iter().all(|e| e["id"].as_i64().unwrap() < before));
    // The oldest entry's balance is its own amount: the whole history adds up.
    let oldest = rest.last().unwrap();
    assert_eq!(oldest["balance"], oldest["amount"]);
    expect_error(
        app.get("/api/v1/me/wallet?before=soon", Some(&sam)).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;

    let client = common::browser();
    common::log_in(&app, &client, SAM).await;
    let page = client
        .get(app.url("/wallet"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let link = format!("/wallet?before={before}#history-title");
    assert!(page.contains(&link), "{page}");
    let page = client
        .get(app.url(&format!("/wallet?before={before}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Newest entries") && !page.contains("Older entries"),
        "{page}"
    );
}
