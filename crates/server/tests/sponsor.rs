//! Sponsorship through the API and the pages, on both backends: the demo's Acme Corp pays for
//! its members' sessions from its budget. The privacy matrix: every sponsor route answers
//! only Acme's own admins (another organisation's admin, a member and a stranger are told it
//! does not exist), and no answer carries a member's notes, answers or scores; a group of
//! four is hidden, and two figures that together would single out one person are not both
//! shown. Members pay with the budget, within its rules; bad input is refused by field and
//! writes nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod common;

use common::sponsor::{acme, admin, free_slot};
use common::{App, expect_error};
use reqwest::StatusCode;
use serde_json::{Value, json};
use stint_domain::clock::Clock;
use stint_domain::ledger::Account;
use stint_server::demo::DEMO_PASSWORD;

on_both_backends!(App;
    every_sponsor_route_answers_only_its_own_admins_and_never_about_one_person,
    small_groups_and_complements_are_hidden,
    members_pay_with_the_budget_within_its_rules,
    bad_input_is_refused_by_field_and_writes_nothing,
    the_console_pages_show_the_budget_and_a_member_books_with_it,
    approvals_are_decided_once_and_a_lapse_gives_the_credits_back,
);

const SKU: &str = "negotiation-clinic-45";

/// The GET routes of `org`'s console.
fn reads(org: i64) -> Vec<String> {
    [
        "",
        "/fundings",
        "/invites",
        "/members",
        "/approvals",
        "/statement?month=2026-01",
        "/progress",
        "/retention",
        "/domains",
        "/webhooks",
    ]
    .iter()
    .map(|tail| format!("/api/v1/sponsor/orgs/{org}{tail}"))
    .collect()
}

/// A second organisation's admin: their token.
async fn globex_admin(app: &App) -> String {
    common::sponsor::globex(app).await.1
}

async fn every_sponsor_route_answers_only_its_own_admins_and_never_about_one_person(app: App) {
    let org = acme(&app).await;
    let own = admin(&app).await;
    let other = globex_admin(&app).await;
    let member = app.login("sam@stint.example", DEMO_PASSWORD).await;
    // A canary in a member's notes and answers, on a session the budget paid for.
    let canary = "CANARY-7f3e";
    let paid = app.store.outcomes(stint_store::OutcomeFilter {
        sponsor: Some(stint_domain::ids::OrgId(org)),
        ..Default::default()
    });
    let paid = paid.await.unwrap();
    assert!(paid.len() >= 5, "the demo's budget paid for sessions");
    let b = paid[0].booking_id;
    for kind in [
        stint_domain::outcome::notes::NoteKind::Shared,
        stint_domain::outcome::notes::NoteKind::MenteePrivate,
    ] {
        let note = stint_store::NewNote {
            booking: b,
            kind,
            author: paid[0].mentee_id,
            body: canary,
            html: canary,
        };
        app.store.save_note(&note, app.clock.now()).await.unwrap();
    }
    let writes: Vec<(&str, String, Value)> = vec![
        (
            "PUT",
            format!("/api/v1/sponsor/orgs/{org}/budget"),
            json!({"period": "month", "leftover": "roll_over", "cap_credits": 100, "cap_sessions": 2, "skus": [SKU]}),
        ),
        (
            "POST",
            format!("/api/v1/sponsor/orgs/{org}/fundings"),
            json!({"credits": 10, "reference": "x"}),
        ),
        (
            "POST",
            format!("/api/v1/sponsor/orgs/{org}/invites"),
            json!({"email": "x@example.com", "role": "member"}),
        ),
    ];
    for token in [&other, &member] {
        for path in reads(org) {
            expect_error(
                app.get(&path, Some(token)).await,
                StatusCode::NOT_FOUND,
                "not_found",
            )
            .await;
        }
        for (method, path, body) in &writes {
            let r = match *method {
                "PUT" => app.put(path, Some(token), body.clone()).await,
                _ => app.post(path, Some(token), body.clone()).await,
            };
            expect_error(r, StatusCode::NOT_FOUND, "not_found").await;
        }
    }
    for path in reads(org) {
        assert_eq!(
            app.get(&path, None).await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    // Nothing the others tried was written.
    assert_eq!(
        app.store
            .invites(stint_domain::ids::OrgId(org))
            .await
            .unwrap()
            .len(),
        1
    );
    // Acme's admin reads every route; none carries a note, an answer or a score.
    let demo_answers = [
        "CANARY-7f3e",
        "Answered before the session",
        "Somewhat",
        "## Plan",
    ];
    for path in reads(org) {
        let r = app.get(&path, Some(&own)).await;
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        let body = r.text().await.unwrap();
        for secret in demo_answers {
            assert!(!body.contains(secret), "{path} shows {secret:?}");
        }
        for field in ["level", "baseline", "followup", "answers", "notes"] {
            assert!(
                !body.contains(&format!("\"{field}\"")),
                "{path} has {field}"
            );
        }
    }
    let console: Value = app
        .get(&format!("/api/v1/sponsor/orgs/{org}"), Some(&own))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(console["outcomes"]["participants"], 5, "{console}");
    assert!(
        console["outcomes"]["mini_win_rate"].is_number(),
        "{console}"
    );
    // The console page too.
    let client = common::browser();
    common::log_in(&app, &client, "sponsor@acme.example").await;
    let (status, html, _) = common::page(&app, &client, &format!("/sponsor/{org}")).await;
    assert_eq!(status, StatusCode::OK);
    for secret in demo_answers {
        assert!(!html.contains(secret), "the console page shows {secret:?}");
    }
}

async fn small_groups_and_complements_are_hidden(app: App) {
    let org = acme(&app).await;
    let own = admin(&app).await;
    let console = format!("/api/v1/sponsor/orgs/{org}");
    let outcomes = async |app: &App| -> Value {
        let v: Value = app.get(&console, Some(&own)).await.json().await.unwrap();
        v["outcomes"].clone()
    };
    // Five members, all took part: shown.
    let o = outcomes(&app).await;
    assert_eq!(
        (o["participants"].as_i64(), o["non_participants"].as_i64()),
        (Some(5), Some(0))
    );
    // A sixth who has not: "5 took part, 1 did not" would single that one out, so neither
    // figure is shown.
    common::make_mentee_unfunded(&app, "new@acme.example", "New Hire").await;
    let new = app
        .store
        .account_by_email("new@acme.example")
        .await
        .unwrap()
        .unwrap();
    app.store
        .add_member(
            stint_domain::ids::OrgId(org),
            new.id,
            stint_domain::sponsor::OrgRole::Member,
            app.clock.now(),
        )
        .await
        .unwrap();
    let o = outcomes(&app).await;
    assert!(
        o["participants"].is_null() && o["non_participants"].is_null(),
        "{o}"
    );
    // Two leave: four took part, a group of four is hidden.
    let me = app.login("new@acme.example", "a long passphrase").await;
    let r = app
        .post(
            &format!("/api/v1/me/orgs/{org}/leave"),
            Some(&me),
            json!({}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let sam = app.login("sam@stint.example", DEMO_PASSWORD).await;
    let r = app
        .post(
            &format!("/api/v1/me/orgs/{org}/leave"),
            Some(&sam),
            json!({}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let o = outcomes(&app).await;
    assert!(o["participants"].is_null(), "{o}");
    // Leaving twice is not found; Sam's sessions the budget paid for stay as they were.
    expect_error(
        app.post(
            &format!("/api/v1/me/orgs/{org}/leave"),
            Some(&sam),
            json!({}),
        )
        .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    let mine: Value = app
        .get("/api/v1/me/orgs", Some(&sam))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine.as_array().map(Vec::len), Some(0));
}

async fn book(app: &App, token: &str, slot: &Value, paid_by: Option<i64>) -> reqwest::Response {
    let mut body = json!({"sku": SKU, "mentor_id": slot["mentor_id"], "start": slot["start"]});
    if let Some(org) = paid_by {
        body["paid_by"] = json!(org);
    }
    app.post("/api/v1/bookings", Some(token), body).await
}

async fn members_pay_with_the_budget_within_its_rules(app: App) {
    let org = acme(&app).await;
    let own = admin(&app).await;
    let budget = Account::Budget(stint_domain::ids::OrgId(org));
    let slots = app.slots_in_days(SKU, 3, 10).await;
    // One session a month of the clinic alone.
    let r = app
        .put(
            &format!("/api/v1/sponsor/orgs/{org}/budget"),
            Some(&own),
            json!({"period": "month", "leftover": "expire", "cap_credits": 45, "cap_sessions": 1, "skus": [SKU]}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let sam = app.login("sam@stint.example", DEMO_PASSWORD).await;
    let wallet_before: Value = app
        .get("/api/v1/me/wallet", Some(&sam))
        .await
        .json()
        .await
        .unwrap();
    let before = app.store.ledger_balance(budget).await.unwrap();
    let keyed = || {
        app.http
            .post(app.url("/api/v1/bookings"))
            .bearer_auth(&sam)
            .header("Idempotency-Key", "sponsored-1")
            .json(&json!({"sku": SKU, "mentor_id": slots[0]["mentor_id"], "start": slots[0]["start"], "paid_by": org}))
            .send()
    };
    let r = keyed().await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let made: Value = r.json().await.unwrap();
    // A retry with the same key replays it, though the member's cap is used now.
    let again = keyed().await.unwrap();
    assert!(again.status().is_success(), "{}", again.status());
    let replayed: Value = again.json().await.unwrap();
    assert_eq!(replayed["id"], made["id"]);
    assert_eq!(app.store.ledger_balance(budget).await.unwrap(), before - 45);
    let wallet_after: Value = app
        .get("/api/v1/me/wallet", Some(&sam))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        wallet_after["balance"], wallet_before["balance"],
        "the wallet paid nothing"
    );
    // The month's statement lists the session, never who took it.
    let month = &slots[0]["start"].as_str().unwrap()[..7];
    let r = app
        .get(
            &format!("/api/v1/sponsor/orgs/{org}/statement?month={month}"),
            Some(&own),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let csv = r.text().await.unwrap();
    assert!(
        csv.starts_with("booking,session_start_utc,session_type,state"),
        "{csv}"
    );
    assert!(csv.contains(&format!("{},", made["id"])), "{csv}");
    assert!(!csv.contains("Sam"), "{csv}");
    expect_error(
        app.get(
            &format!("/api/v1/sponsor/orgs/{org}/statement?month=13"),
            Some(&own),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    // The cap: a second one this month is refused, and nothing is booked or held.
    let second = free_slot(&slots, &[&slots[0]]);
    let e = expect_error(
        book(&app, &sam, second, Some(org)).await,
        StatusCode::CONFLICT,
        "cap_reached",
    )
    .await;
    assert!(e["fields"]["paid_by"].is_string(), "{e}");
    assert_eq!(app.store.ledger_balance(budget).await.unwrap(), before - 45);
    // Not a member: a stranger cannot make Acme pay.
    common::make_mentee_unfunded(&app, "stranger@example.com", "Stranger").await;
    let stranger = app.login("stranger@example.com", "a long passphrase").await;
    expect_error(
        book(&app, &stranger, second, Some(org)).await,
        StatusCode::CONFLICT,
        "not_a_member",
    )
    .await;
    expect_error(
        book(&app, &stranger, second, Some(9_999)).await,
        StatusCode::CONFLICT,
        "not_a_member",
    )
    .await;
    // A session type the budget does not pay for.
    let lena = app.login("lena@stint.example", DEMO_PASSWORD).await;
    let pivot = app.slots_in_days("career-pivot-30", 3, 10).await;
    let r = app
        .post(
            "/api/v1/bookings",
            Some(&lena),
            json!({"sku": "career-pivot-30", "mentor_id": pivot[0]["mentor_id"], "start": pivot[0]["start"], "paid_by": org}),
        )
        .await;
    expect_error(r, StatusCode::CONFLICT, "sku_not_allowed").await;
    // Cancelling in time gives the budget and the cap back.
    let id = made["id"].as_i64().unwrap();
    let r = app
        .post(
            &format!("/api/v1/bookings/{id}/cancel"),
            Some(&sam),
            json!({"reason": "clash"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(app.store.ledger_balance(budget).await.unwrap(), before);
    assert_eq!(
        book(&app, &sam, second, Some(org)).await.status(),
        StatusCode::CREATED
    );
    common::ledger_is_sound(&app).await;
}

async fn bad_input_is_refused_by_field_and_writes_nothing(app: App) {
    let org = acme(&app).await;
    let own = admin(&app).await;
    let op = app.operator().await;
    let rules = |cap: i64| json!({"period": "month", "leftover": "roll_over", "cap_credits": cap, "cap_sessions": 2, "skus": [SKU]});
    let before: Value = app
        .get(&format!("/api/v1/sponsor/orgs/{org}"), Some(&own))
        .await
        .json()
        .await
        .unwrap();
    let balance = before["balance"].as_i64().unwrap();
    // A cap over what the budget holds.
    let e = expect_error(
        app.put(
            &format!("/api/v1/sponsor/orgs/{org}/budget"),
            Some(&own),
            rules(balance + 1),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(
        e["fields"]["cap_credits"]
            .as_str()
            .unwrap()
            .contains("budget holds"),
        "{e}"
    );
    // An unknown session type and a wrong period, each named.
    let e = expect_error(
        app.put(
            &format!("/api/v1/sponsor/orgs/{org}/budget"),
            Some(&own),
            json!({"period": "week", "leftover": "roll_over", "cap_credits": 10, "cap_sessions": 1, "skus": ["no-such-thing"]}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(
        e["fields"]["skus"].is_string() && e["fields"]["period"].is_string(),
        "{e}"
    );
    let after: Value = app
        .get(&format!("/api/v1/sponsor/orgs/{org}"), Some(&own))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        after["org"]["rules"], before["org"]["rules"],
        "the rules did not change"
    );
    // An unknown invitation, and an expired one.
    let sam = app.login("sam@stint.example", DEMO_PASSWORD).await;
    let e = expect_error(
        app.post("/api/v1/me/orgs/join", Some(&sam), json!({"token": "nope"}))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invite_invalid",
    )
    .await;
    assert!(e["fields"]["token"].is_string());
    common::make_mentee_unfunded(&app, "joiner@example.com", "Joiner").await;
    let r = app
        .post(
            &format!("/api/v1/sponsor/orgs/{org}/invites"),
            Some(&own),
            json!({"email": "joiner@example.com", "role": "member"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let invite: Value = r.json().await.unwrap();
    let core = stint_app::App::new(
        app.store.clone(),
        app.clock.clone(),
        stint_app::Settings::default(),
    );
    let link = stint_app::sponsor::members::new_invite_link(&core, invite["id"].as_i64().unwrap())
        .await
        .unwrap()
        .unwrap();
    app.clock.advance(jiff::SignedDuration::from_hours(24 * 15));
    let joiner = app.login("joiner@example.com", "a long passphrase").await;
    expect_error(
        app.post(
            "/api/v1/me/orgs/join",
            Some(&joiner),
            json!({"token": link.token}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invite_invalid",
    )
    .await;
    let mine: Value = app
        .get("/api/v1/me/orgs", Some(&joiner))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine.as_array().map(Vec::len), Some(0), "not joined");
    // A fresh link works once.
    let r = app
        .post(
            &format!("/api/v1/sponsor/orgs/{org}/invites"),
            Some(&own),
            json!({"email": "joiner@example.com", "role": "member"}),
        )
        .await;
    let invite: Value = r.json().await.unwrap();
    let link = stint_app::sponsor::members::new_invite_link(&core, invite["id"].as_i64().unwrap())
        .await
        .unwrap()
        .unwrap();
    let r = app
        .post(
            "/api/v1/me/orgs/join",
            Some(&joiner),
            json!({"token": link.token}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    expect_error(
        app.post(
            "/api/v1/me/orgs/join",
            Some(&joiner),
            json!({"token": link.token}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invite_invalid",
    )
    .await;
    // Funding: nothing, then a funding marked paid twice.
    expect_error(
        app.post(
            &format!("/api/v1/sponsor/orgs/{org}/fundings"),
            Some(&own),
            json!({"credits": 0}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    let r = app
        .post(
            &format!("/api/v1/sponsor/orgs/{org}/fundings"),
            Some(&own),
            json!({"credits": 300}),
        )
        .await;
    let funding: Value = r.json().await.unwrap();
    let id = funding["id"].as_i64().unwrap();
    let budget = Account::Budget(stint_domain::ids::OrgId(org));
    let held = app.store.ledger_balance(budget).await.unwrap();
    let r = app
        .post(
            &format!("/api/v1/operator/fundings/{id}/paid"),
            Some(&op),
            json!({}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    expect_error(
        app.post(
            &format!("/api/v1/operator/fundings/{id}/paid"),
            Some(&op),
            json!({}),
        )
        .await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    assert_eq!(
        app.store.ledger_balance(budget).await.unwrap(),
        held + 300,
        "credited once"
    );
    // Only operators mark funding paid or create organisations.
    expect_error(
        app.post(
            &format!("/api/v1/operator/fundings/{id}/paid"),
            Some(&own),
            json!({}),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let e = expect_error(
        app.post(
            "/api/v1/operator/orgs",
            Some(&op),
            json!({"name": "X", "admin_email": "nobody@example.com"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(
        e["fields"]["name"].is_string() && e["fields"]["admin_email"].is_string(),
        "{e}"
    );
    common::ledger_is_sound(&app).await;
}

async fn the_console_pages_show_the_budget_and_a_member_books_with_it(app: App) {
    let org = acme(&app).await;
    let client = common::browser();
    common::log_in(&app, &client, "sponsor@acme.example").await;
    let (status, html, _) = common::page(&app, &client, &format!("/sponsor/{org}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Acme Corp") && html.contains("Outcomes, in aggregate"));
    // A wrong form comes back with its message and what was typed.
    let (status, html) = common::submit(
        &app,
        &client,
        &format!("/sponsor/{org}"),
        &format!("/sponsor/{org}/rules"),
        &[
            ("period", "month"),
            ("leftover", "roll_over"),
            ("cap_credits", "999999"),
            ("cap_sessions", "2"),
            ("skus", SKU),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("999999") && html.contains("budget holds"),
        "{html}"
    );
    let (status, html) = common::submit(
        &app,
        &client,
        &format!("/sponsor/{org}"),
        &format!("/sponsor/{org}/invites"),
        &[("email", "friend@acme.example"), ("role", "member")],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Invitation sent") && html.contains("friend@acme.example"));
    // A member confirms a session paid by Acme.
    let slots = app.slots_in_days(SKU, 3, 10).await;
    let member = common::browser();
    common::log_in(&app, &member, "lena@stint.example").await;
    let confirm = format!(
        "/skus/{SKU}/book/confirm?mentor={}&start={}&tz=UTC",
        slots[0]["mentor_id"],
        slots[0]["start"].as_str().unwrap().replace('+', "%2B")
    );
    let (status, html, _) = common::page(&app, &member, &confirm).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("Paid by <strong>Acme Corp</strong>"),
        "{html}"
    );
    let budget = Account::Budget(stint_domain::ids::OrgId(org));
    let before = app.store.ledger_balance(budget).await.unwrap();
    let (status, html) = common::submit(
        &app,
        &member,
        &confirm,
        "/sessions",
        &[
            ("sku", SKU),
            ("mentor_id", &slots[0]["mentor_id"].to_string()),
            ("start", slots[0]["start"].as_str().unwrap()),
            ("key", "page-key-1"),
            ("tz", "UTC"),
            ("paid_by", &org.to_string()),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert_eq!(app.store.ledger_balance(budget).await.unwrap(), before - 45);
}

async fn approvals_are_decided_once_and_a_lapse_gives_the_credits_back(app: App) {
    let org = acme(&app).await;
    let own = admin(&app).await;
    let budget = Account::Budget(stint_domain::ids::OrgId(org));
    let r = app
        .put(
            &format!("/api/v1/sponsor/orgs/{org}/budget"),
            Some(&own),
            json!({"period": "month", "leftover": "roll_over", "cap_credits": 100, "cap_sessions": 2, "skus": [SKU], "approval_hours": 24}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let rules: Value = r.json().await.unwrap();
    assert_eq!(rules["rules"]["approval_hours"], 24);
    let slots = app.slots_in_days(SKU, 3, 10).await;
    let before = app.store.ledger_balance(budget).await.unwrap();
    let mut ids = Vec::new();
    for (who, slot) in ["sam", "lena", "noor"].iter().zip([
        &slots[0],
        free_slot(&slots, &[&slots[0]]),
        free_slot(&slots, &[&slots[0], free_slot(&slots, &[&slots[0]])]),
    ]) {
        let token = app
            .login(&format!("{who}@stint.example"), DEMO_PASSWORD)
            .await;
        let r = book(&app, &token, slot, Some(org)).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let b: Value = r.json().await.unwrap();
        ids.push(b["id"].as_i64().unwrap());
    }
    assert_eq!(
        app.store.ledger_balance(budget).await.unwrap(),
        before - 3 * 45
    );
    let waiting: Value = app
        .get(&format!("/api/v1/sponsor/orgs/{org}/approvals"), Some(&own))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(waiting.as_array().map(Vec::len), Some(3), "{waiting}");
    let decide = |id: i64, approve: bool| {
        let own = own.clone();
        let path = format!("/api/v1/sponsor/orgs/{org}/approvals/{id}");
        let app = &app;
        async move {
            app.post(&path, Some(&own), json!({"approve": approve}))
                .await
        }
    };
    assert_eq!(decide(ids[0], true).await.status(), StatusCode::NO_CONTENT);
    expect_error(decide(ids[0], true).await, StatusCode::CONFLICT, "conflict").await;
    // Declining cancels the session and gives its credits back.
    assert_eq!(decide(ids[1], false).await.status(), StatusCode::NO_CONTENT);
    let lena = app.login("lena@stint.example", DEMO_PASSWORD).await;
    let seen: Value = app
        .get(&format!("/api/v1/bookings/{}", ids[1]), Some(&lena))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(seen["status"], "cancelled", "{seen}");
    // Another organisation's admin cannot decide Acme's requests.
    let other = globex_admin(&app).await;
    let r = app
        .post(
            &format!("/api/v1/sponsor/orgs/{org}/approvals/{}", ids[2]),
            Some(&other),
            json!({"approve": true}),
        )
        .await;
    expect_error(r, StatusCode::NOT_FOUND, "not_found").await;
    // Nobody decides the third: a day later it lapses.
    app.clock.advance(jiff::SignedDuration::from_hours(25));
    let core = stint_app::App::new(
        app.store.clone(),
        app.clock.clone(),
        stint_app::Settings::default(),
    );
    assert!(
        stint_app::sponsor::approvals::lapse(&core, stint_domain::booking::BookingId(ids[2]))
            .await
            .unwrap()
    );
    assert_eq!(app.store.ledger_balance(budget).await.unwrap(), before - 45);
    expect_error(decide(ids[2], true).await, StatusCode::CONFLICT, "conflict").await;
    common::ledger_is_sound(&app).await;
}
