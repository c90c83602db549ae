//! Erasure on both backends, with canaries: unique strings are written into every personal
//! field a mentee and a mentor can fill (name, e-mail, bio, headline, meeting link, notes,
//! intake and assessment answers, task text, closing evidence and follow-up, calendar names
//! and login), the mail the worker sends names them, and each person's export holds them.
//! After the grace period both accounts are erased; then no canary is left anywhere: not in
//! the SQLite file or its log (read as bytes), not in a PostgreSQL dump, not in the mail
//! folder (decoded). What others need stays: the ledger balances, the mentor's earnings and
//! the session type's outcome figures are unchanged. Asking with a session within a day is
//! refused (409, nothing written); the erasure can be called off in its grace period.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod common;

use common::{App, expect_error};
use jiff::SignedDuration;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::io::Read;
use stint_domain::booking::{BookingId, BookingStatus};
use stint_domain::clock::Clock;
use stint_domain::ledger::Account as LedgerAccount;
use stint_domain::outcome::assessment::{Assessment, AssessmentKind, Level};
use stint_domain::outcome::notes::NoteKind;
use stint_domain::outcome::prep::Prep;
use stint_server::demo::DEMO_PASSWORD;

on_both_backends!(App, url;
    an_erased_account_leaves_no_canary_anywhere_and_others_keep_their_records,
);

const SKU: &str = "negotiation-clinic-45";
const MENTEE_EMAIL: &str = "canarymail@example.com";
const MENTEE_NAME: &str = "Quinn CANARYNAME";
const MENTOR_NAME: &str = "Maya CANARYMENTOR";
const MENTEE_CANARIES: [&str; 11] = [
    MENTEE_EMAIL,
    MENTEE_NAME,
    "CANARY-shared",
    "CANARY-mine",
    "CANARY-intake",
    "CANARY-answer",
    "CANARY-task",
    "CANARY-evidence",
    "CANARY-followup",
    "CANARY-about-quinn",
    "CANARY-review",
];
const MENTOR_CANARIES: [&str; 8] = [
    MENTOR_NAME,
    "CANARY-headline",
    "CANARY-bio",
    "CANARY-experience",
    "CANARY-language",
    "CANARY-room",
    "CANARY-calendar",
    "canary-caluser",
];

fn start_worker(app: &App) {
    let worker =
        stint_server::worker::build(app.store.clone(), app.clock.clone(), &app.worker_config())
            .unwrap();
    tokio::spawn(worker.run(std::future::pending::<()>()));
}

fn core(app: &App) -> stint_app::App {
    stint_app::App::new(
        app.store.clone(),
        app.clock.clone(),
        stint_app::Settings {
            mail_outbox: Some(app.outbox.clone()),
            ..Default::default()
        },
    )
}

async fn json_of(r: reqwest::Response, want: StatusCode) -> Value {
    let status = r.status();
    let body = r.text().await.unwrap();
    assert_eq!(status, want, "{body}");
    serde_json::from_str(&body).unwrap_or(Value::Null)
}

/// The export zip's JSON document.
fn export_json(bytes: &[u8]) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut s = String::new();
    zip.by_name("stint-export.json")
        .unwrap()
        .read_to_string(&mut s)
        .unwrap();
    s
}

/// Waits (real time, the worker being busy) until `done` holds.
async fn eventually<F, Fut>(what: &str, mut done: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..300 {
        if done().await {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("timed out waiting for {what}");
}

/// Every mail in the outbox, decoded, in lower case.
fn mail_texts(app: &App) -> Vec<String> {
    std::fs::read_dir(&app.outbox)
        .map(|entries| {
            entries
                .filter_map(|e| std::fs::read(e.ok()?.path()).ok())
                .map(|bytes| stint_mail::message_text(&bytes))
                .collect()
        })
        .unwrap_or_default()
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

async fn an_erased_account_leaves_no_canary_anywhere_and_others_keep_their_records(
    app: App,
    url: String,
) {
    start_worker(&app);
    // The mentee: booked and funded by the test.
    common::make_mentee(&app, MENTEE_EMAIL, MENTEE_NAME).await;
    let quinn = app
        .store
        .account_by_email(MENTEE_EMAIL)
        .await
        .unwrap()
        .unwrap();
    let q_token = app.login(MENTEE_EMAIL, "a long passphrase").await;
    let slots = app.slots_in_days(SKU, 3, 10).await;
    let slot = &slots[0];
    let r = app
        .post(
            "/api/v1/bookings",
            Some(&q_token),
            json!({"sku": SKU, "mentor_id": slot["mentor_id"], "start": slot["start"]}),
        )
        .await;
    let first = BookingId(
        json_of(r, StatusCode::CREATED).await["id"]
            .as_i64()
            .unwrap(),
    );
    let b = app.store.booking(first).await.unwrap().unwrap();
    let maya = app.store.account(b.mentor_id).await.unwrap().unwrap();
    let m_token = app.login(&maya.email, DEMO_PASSWORD).await;

    // The mentor's own fields.
    let r = app
        .send(
            reqwest::Method::PATCH,
            "/api/v1/me",
            Some(&m_token),
            json!({"display_name": MENTOR_NAME}),
        )
        .await;
    json_of(r, StatusCode::OK).await;
    let r = app
        .put(
            "/api/v1/mentors/me",
            Some(&m_token),
            json!({"headline": "CANARY-headline coach", "bio": "CANARY-bio",
                   "experience": "CANARY-experience", "languages": ["CANARY-language"],
                   "meeting_url": "https://meet.example.com/CANARY-room", "skus": [SKU]}),
        )
        .await;
    json_of(r, StatusCode::OK).await;
    let source = app
        .store
        .add_calendar_source(
            &stint_store::NewCalendarSource {
                mentor: maya.id,
                kind: stint_store::SourceKind::CalDav,
                url: "https://calendar.example.com/dav/".into(),
                username: "canary-caluser".into(),
                password_sealed: None,
            },
            app.clock.now(),
        )
        .await
        .unwrap();
    app.store
        .set_discovered_calendars(
            source.id,
            &[stint_store::CalendarChoice {
                url: "https://calendar.example.com/dav/c/".into(),
                name: "CANARY-calendar".into(),
                busy: true,
            }],
        )
        .await
        .unwrap();

    // The mentee's fields, on the session booked.
    let now = app.clock.now();
    for (kind, author, text) in [
        (NoteKind::Shared, quinn.id, "CANARY-shared"),
        (NoteKind::MenteePrivate, quinn.id, "CANARY-mine"),
        (NoteKind::MentorPrivate, maya.id, "CANARY-about-quinn"),
    ] {
        let note = stint_store::NewNote {
            booking: first,
            kind,
            author,
            body: text,
            html: text,
        };
        app.store.save_note(&note, now).await.unwrap();
    }
    app.store
        .save_prep(
            first,
            &Prep {
                intake_answers: vec!["CANARY-intake".into()],
                pre_reads_read: Vec::new(),
            },
            now,
        )
        .await
        .unwrap();
    app.store
        .save_assessment(
            first,
            AssessmentKind::Baseline,
            &Assessment {
                level: Level::MIN,
                answers: vec!["CANARY-answer".into()],
            },
            now,
        )
        .await
        .unwrap();
    // The worker mails the booking to both; Maya's names Quinn.
    eventually("the booking's mail naming Quinn", || async {
        mail_texts(&app)
            .iter()
            .any(|m| m.contains(&MENTEE_NAME.to_lowercase()) && m.contains(&maya.email))
    })
    .await;

    // After the session, Maya closes it with tasks for Quinn.
    app.clock
        .advance(b.end - app.clock.now() + SignedDuration::from_mins(5));
    let m_token = app.login(&maya.email, DEMO_PASSWORD).await;
    let q_token = app.login(MENTEE_EMAIL, "a long passphrase").await;
    let due = app.clock.now().to_zoned_datetime(maya.zone()).date();
    let due = due.checked_add(jiff::Span::new().days(7)).unwrap();
    let r = app
        .post(
            &format!("/api/v1/bookings/{}/close", first.0),
            Some(&m_token),
            json!({"checkpoint": "reached", "evidence": "CANARY-evidence",
                   "followup": "CANARY-followup",
                   "tasks": [{"title": "CANARY-task", "due": due.to_string()}]}),
        )
        .await;
    json_of(r, StatusCode::OK).await;
    let r = app
        .post(
            &format!("/api/v1/bookings/{}/review", first.0),
            Some(&q_token),
            json!({"rating": 4, "text": "CANARY-review"}),
        )
        .await;
    json_of(r, StatusCode::CREATED).await;
    // A credential naming Quinn, with the evidence, shared by a link.
    let r = app
        .post(
            &format!("/api/v1/bookings/{}/credential", first.0),
            Some(&q_token),
            json!({"include_name": true, "include_evidence": true}),
        )
        .await;
    let credential = json_of(r, StatusCode::CREATED).await["id"]
        .as_i64()
        .unwrap();
    let r = app
        .post(
            &format!("/api/v1/credentials/{credential}/share"),
            Some(&q_token),
            json!({}),
        )
        .await;
    json_of(r, StatusCode::OK).await;
    // A later session, which the erasure cancels.
    let later = app.slots_in_days(SKU, 17, 24).await;
    let r = app
        .post(
            "/api/v1/bookings",
            Some(&q_token),
            json!({"sku": SKU, "mentor_id": later[0]["mentor_id"], "start": later[0]["start"]}),
        )
        .await;
    let second = BookingId(
        json_of(r, StatusCode::CREATED).await["id"]
            .as_i64()
            .unwrap(),
    );

    // Each export holds every canary of its owner: Quinn's made by the job.
    let r = app
        .post("/api/v1/me/exports", Some(&q_token), json!({}))
        .await;
    let asked = json_of(r, StatusCode::ACCEPTED).await;
    let id = asked["id"].as_i64().unwrap();
    let mut download = None;
    for _ in 0..300 {
        let list = app.get("/api/v1/me/exports", Some(&q_token)).await;
        let list: Value = list.json().await.unwrap();
        let mine = list
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .cloned();
        download = mine.and_then(|r| r["download"].as_str().map(str::to_string));
        if download.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let download = download.expect("Quinn's export is made");
    let r = app.get(&download, Some(&q_token)).await;
    assert_eq!(r.status(), StatusCode::OK);
    let json = export_json(&r.bytes().await.unwrap());
    for c in MENTEE_CANARIES
        .iter()
        .filter(|c| **c != "CANARY-about-quinn")
    {
        assert!(json.contains(c), "{c} in Quinn's export");
    }
    assert!(!json.contains("CANARY-about-quinn"), "Maya's private note");
    // Nobody else downloads it.
    assert_eq!(
        app.get(&download, Some(&m_token)).await.status(),
        StatusCode::NOT_FOUND
    );
    let r = app.get("/api/v1/me/export", Some(&m_token)).await;
    let json = export_json(&r.bytes().await.unwrap());
    for c in MENTOR_CANARIES.iter().chain(&["CANARY-about-quinn"]) {
        assert!(json.contains(c), "{c} in Maya's export");
    }
    assert!(!json.contains("CANARY-mine") && !json.contains("CANARY-intake"));

    // Asking while a session is within a day is refused, and nothing is written.
    let soon = app.store.bookings_of(maya.id).await.unwrap();
    let soon: Vec<_> = soon
        .into_iter()
        .filter(|b| {
            b.status == BookingStatus::Confirmed
                && b.end > app.clock.now()
                && b.start < app.clock.now() + SignedDuration::from_hours(24)
        })
        .collect();
    if !soon.is_empty() {
        let e = expect_error(
            app.post("/api/v1/me/erasure", Some(&m_token), json!({}))
                .await,
            StatusCode::CONFLICT,
            "conflict",
        )
        .await;
        assert!(
            e["fields"]["erasure"]
                .as_str()
                .unwrap()
                .contains("24 hours"),
            "{e}"
        );
        let r = app.get("/api/v1/me/erasure", Some(&m_token)).await;
        assert!(json_of(r, StatusCode::OK).await["pending"].is_null());
        for b in soon {
            let r = app
                .post(
                    &format!("/api/v1/bookings/{}/cancel", b.id.0),
                    Some(&m_token),
                    json!({}),
                )
                .await;
            assert_eq!(r.status(), StatusCode::OK);
        }
    }

    // Figures others rely on, before.
    let earnings = app
        .store
        .ledger_balance(LedgerAccount::Earnings(maya.id))
        .await
        .unwrap();
    let outcomes = app.get(&format!("/api/v1/skus/{SKU}/outcomes"), None).await;
    let outcomes: Value = outcomes.json().await.unwrap();

    // Both ask; Quinn changes his mind and asks again.
    let r = app
        .post("/api/v1/me/erasure", Some(&q_token), json!({}))
        .await;
    json_of(r, StatusCode::ACCEPTED).await;
    let r = app
        .send(
            reqwest::Method::DELETE,
            "/api/v1/me/erasure",
            Some(&q_token),
            json!({}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let r = app
        .post("/api/v1/me/erasure", Some(&q_token), json!({}))
        .await;
    let asked = json_of(r, StatusCode::ACCEPTED).await;
    assert_eq!(asked["state"], "pending");
    expect_error(
        app.post("/api/v1/me/erasure", Some(&q_token), json!({}))
            .await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    let r = app
        .post("/api/v1/me/erasure", Some(&m_token), json!({}))
        .await;
    json_of(r, StatusCode::ACCEPTED).await;
    let op = app.operator().await;
    let open = app
        .get("/api/v1/operator/privacy-requests", Some(&op))
        .await;
    let open = json_of(open, StatusCode::OK).await;
    assert_eq!(
        open.as_array()
            .unwrap()
            .iter()
            .filter(|r| r["kind"] == "erasure")
            .count(),
        2,
        "{open}"
    );
    assert_eq!(
        app.get("/api/v1/operator/privacy-requests", Some(&q_token))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );

    // Nothing happens before the grace period ends.
    let core = core(&app);
    app.clock.advance(SignedDuration::from_hours(14 * 24 - 1));
    assert_eq!(stint_app::erasure::erase_due(&core).await.unwrap(), 0);
    assert_eq!(
        app.store.account(quinn.id).await.unwrap().unwrap().email,
        MENTEE_EMAIL
    );
    // Then: the later session is cancelled, and an hour on the accounts are erased.
    app.clock.advance(SignedDuration::from_hours(2));
    assert_eq!(stint_app::erasure::erase_due(&core).await.unwrap(), 0);
    let s = app.store.booking(second).await.unwrap().unwrap();
    assert_eq!(s.status, BookingStatus::Cancelled);
    app.clock.advance(SignedDuration::from_mins(61));
    assert_eq!(stint_app::erasure::erase_due(&core).await.unwrap(), 2);
    // Wait for the worker to go quiet, then look everywhere.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;

    let db = common::database_bytes(&url).await;
    let mails = mail_texts(&app);
    for c in MENTEE_CANARIES.iter().chain(MENTOR_CANARIES.iter()) {
        assert!(!contains(&db, c), "{c} is left in the database");
        let lower = c.to_lowercase();
        assert!(
            !mails.iter().any(|m| m.contains(&lower)),
            "{c} is left in the mail folder"
        );
    }
    // The credential (its text is base64, so the scan above cannot see into it) is emptied
    // and revoked: no copy verifies any more, and its link is gone.
    let held = app
        .store
        .skill_credential(credential)
        .await
        .unwrap()
        .unwrap();
    assert!(held.jwt.is_empty(), "the credential's text is left");
    assert!(
        held.share_token.is_none() && held.revoked_at.is_some(),
        "{held:?}"
    );
    // Others keep what is theirs.
    common::ledger_is_sound(&app).await;
    assert_eq!(
        app.store
            .ledger_balance(LedgerAccount::Earnings(maya.id))
            .await
            .unwrap(),
        earnings
    );
    let after = app.get(&format!("/api/v1/skus/{SKU}/outcomes"), None).await;
    let after: Value = after.json().await.unwrap();
    assert_eq!(after, outcomes, "the session type's figures");
    // The erased cannot sign in, and their requests show done.
    let r = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": MENTEE_EMAIL, "password": "a long passphrase"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let open = app
        .get(
            "/api/v1/operator/privacy-requests",
            Some(&app.operator().await),
        )
        .await;
    assert_eq!(json_of(open, StatusCode::OK).await, json!([]));
}
