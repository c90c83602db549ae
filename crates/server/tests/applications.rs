//! Applications to mentor, on both backends: vetting gates listing and booking (an applicant
//! cannot write a mentor profile, be listed or be booked until an operator approves them);
//! the review's steps (a question and its answer, approval, a decline with its reason) each
//! mail the applicant once; only operators review, and an applicant sees only their own.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod common;

use common::queue::{outbox_worker, settle};
use common::{App, expect_error};
use reqwest::StatusCode;
use serde_json::{Value, json};
use stint_server::demo::DEMO_PASSWORD;

on_both_backends!(App;
    vetting_gates_listing_and_booking_and_each_step_is_mailed_once,
    a_declined_applicant_reads_the_reason_and_may_apply_again,
    applying_and_reviewing_on_the_pages,
);

const SKU: &str = "negotiation-clinic-45";

fn application() -> Value {
    json!({
        "experience": "Ten years negotiating enterprise contracts; coached 40 first-time managers.",
        "competencies": ["salary-negotiation"],
        "sample": "I open with the mentee's walk-away number, rehearse the ask twice against a \
                   stopwatch, then leave them with a one-line script for the real call.",
        "links": "https://example.com/ines"
    })
}

/// Mails in the outbox to `email` whose subject holds `subject`.
fn mails(app: &App, email: &str, subject: &str) -> usize {
    stint_mail::list_outbox(&app.outbox, 1000)
        .unwrap()
        .iter()
        .filter(|f| f.to.contains(email) && f.subject.contains(subject))
        .count()
}

async fn listed(app: &App) -> Vec<i64> {
    let body: Value = app
        .get(&format!("/api/v1/mentors?sku={SKU}"), None)
        .await
        .json()
        .await
        .unwrap();
    body.as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_i64().unwrap())
        .collect()
}

fn profile() -> Value {
    json!({"headline": "Contracts negotiator, 10 years", "skus": [SKU]})
}

async fn vetting_gates_listing_and_booking_and_each_step_is_mailed_once(app: App) {
    let stop = outbox_worker(&app);
    common::make_mentee(&app, "ines@example.com", "Ines Duarte").await;
    let ines = app.login("ines@example.com", "a long passphrase").await;
    let ines_id = app.id_of("ines@example.com").await;

    // Not a mentor yet: no profile, not listed, not bookable.
    let r = app.put("/api/v1/mentors/me", Some(&ines), profile()).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(!listed(&app).await.contains(&ines_id));

    // Bad input is refused with each field named, and nothing is kept.
    let e = expect_error(
        app.post(
            "/api/v1/mentor-applications",
            Some(&ines),
            json!({"experience": "short", "competencies": ["astrology"], "sample": "", "links": "http://x"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    for f in ["experience", "sample", "links"] {
        assert!(e["fields"][f].is_string(), "{f}: {e}");
    }
    let mine: Value = app
        .get("/api/v1/mentor-applications/mine", Some(&ines))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine.as_array().unwrap().len(), 0);
    let mut unknown = application();
    unknown["competencies"] = json!(["astrology"]);
    let e = expect_error(
        app.post("/api/v1/mentor-applications", Some(&ines), unknown)
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(e["fields"]["competencies"].is_string());

    let r = app
        .post("/api/v1/mentor-applications", Some(&ines), application())
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let a: Value = r.json().await.unwrap();
    let id = a["id"].as_i64().unwrap();
    assert_eq!(a["status"], "pending");
    // One under review at a time.
    let r = app
        .post("/api/v1/mentor-applications", Some(&ines), application())
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);

    // Only operators see the queue and decide; a mentor or mentee is refused.
    let sam = app.login("sam@stint.example", DEMO_PASSWORD).await;
    let maya = app.login("maya@stint.example", DEMO_PASSWORD).await;
    let decision = format!("/api/v1/operator/mentor-applications/{id}/decision");
    for who in [&sam, &maya, &ines] {
        let r = app
            .get("/api/v1/operator/mentor-applications", Some(who))
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        let r = app
            .post(&decision, Some(who), json!({"step": "approve"}))
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
    }
    // Someone else's application is not found, as if it did not exist.
    let r = app
        .post(
            &format!("/api/v1/mentor-applications/{id}/answer"),
            Some(&sam),
            json!({"answer": "Not mine"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    let op = app.operator().await;
    let queue: Value = app
        .get("/api/v1/operator/mentor-applications", Some(&op))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(queue[0]["id"], id);
    assert_eq!(queue[0]["links"], json!(["https://example.com/ines"]));
    let e = expect_error(
        app.post(&decision, Some(&op), json!({"step": "ask"})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(e["fields"]["question"].is_string());
    let r = app
        .post(
            &decision,
            Some(&op),
            json!({"step": "ask", "note": "Which session type would you start with?"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap()["status"], "asked");
    let r = app
        .post(
            &format!("/api/v1/mentor-applications/{id}/answer"),
            Some(&ines),
            json!({"answer": "The 45-minute negotiation clinic."}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap()["status"], "pending");

    let r = app
        .post(&decision, Some(&op), json!({"step": "approve"}))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    // Decided once: a second approval (another operator's, say) is a conflict.
    let r = app
        .post(&decision, Some(&op), json!({"step": "approve"}))
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    settle(&app).await;
    assert_eq!(
        mails(
            &app,
            "ines@example.com",
            "A question about your application"
        ),
        1
    );
    assert_eq!(mails(&app, "ines@example.com", "you are a Stint mentor"), 1);

    // Approved: a mentor now, listed once the profile is written, and booked.
    let r = app.put("/api/v1/mentors/me", Some(&ines), profile()).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(listed(&app).await.contains(&ines_id));
    let slot = app
        .slots_in_days(SKU, 2, 9)
        .await
        .into_iter()
        .find(|s| s["mentor_id"].as_i64() == Some(ines_id))
        .expect("the new mentor has times");
    let r = app
        .post(
            "/api/v1/bookings",
            Some(&sam),
            json!({"sku": SKU, "mentor_id": ines_id, "start": slot["start"]}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    stop.trigger();
}

async fn a_declined_applicant_reads_the_reason_and_may_apply_again(app: App) {
    let stop = outbox_worker(&app);
    common::make_mentee(&app, "tom@example.com", "Tom Berg").await;
    let tom = app.login("tom@example.com", "a long passphrase").await;
    let a: Value = app
        .post("/api/v1/mentor-applications", Some(&tom), application())
        .await
        .json()
        .await
        .unwrap();
    let op = app.operator().await;
    let r = app
        .post(
            &format!("/api/v1/operator/mentor-applications/{}/decision", a["id"]),
            Some(&op),
            json!({"step": "decline", "note": "We need three years of coaching first."}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let mine: Value = app
        .get("/api/v1/mentor-applications/mine", Some(&tom))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine[0]["status"], "declined");
    assert_eq!(mine[0]["reason"], "We need three years of coaching first.");
    settle(&app).await;
    assert_eq!(
        mails(&app, "tom@example.com", "Your application to mentor"),
        1
    );
    // Still not a mentor; a new application is welcome.
    let r = app.put("/api/v1/mentors/me", Some(&tom), profile()).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = app
        .post("/api/v1/mentor-applications", Some(&tom), application())
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    // A mentor does not apply.
    let maya = app.login("maya@stint.example", DEMO_PASSWORD).await;
    let r = app
        .post("/api/v1/mentor-applications", Some(&maya), application())
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    stop.trigger();
}

async fn applying_and_reviewing_on_the_pages(app: App) {
    common::make_mentee(&app, "ines@example.com", "Ines Duarte").await;
    let ines = common::browser();
    common::log_in_with(&app, &ines, "ines@example.com", "a long passphrase").await;
    let (status, body, _) = common::page(&app, &ines, "/mentor/apply").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Send application"));

    // Refused: the form comes back with what was typed and each message.
    let (status, body) = common::submit(
        &app,
        &ines,
        "/mentor/apply",
        "/mentor/apply",
        &[
            ("experience", "Ten years of contracts"),
            ("sample", "too short"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("Please fix"));
    assert!(body.contains("Ten years of contracts"));
    let sample = "I open with the walk-away number, rehearse the ask twice against a stopwatch, \
                  and close with a one-line script.";
    let (status, body) = common::submit(
        &app,
        &ines,
        "/mentor/apply",
        "/mentor/apply",
        &[
            ("experience", "Ten years negotiating enterprise contracts."),
            ("competencies", "salary-negotiation"),
            ("sample", sample),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Application sent"), "{body}");
    assert!(body.contains("Under review"));

    // The operator reads it in the queue and asks; a blank question is refused in place.
    let op = common::browser();
    common::log_in(&app, &op, "operator@stint.example").await;
    let (_, body, _) = common::page(&app, &op, "/operator/applications").await;
    assert!(body.contains("Ines Duarte"));
    assert!(body.contains("rehearse the ask twice"));
    let id = app
        .store
        .open_applications()
        .await
        .unwrap()
        .first()
        .unwrap()
        .id;
    let action = format!("/operator/applications/{id}");
    let (status, body) = common::submit(
        &app,
        &op,
        "/operator/applications",
        &action,
        &[("step", "ask")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("aria-invalid=\"true\""));
    let (status, body) = common::submit(
        &app,
        &op,
        "/operator/applications",
        &action,
        &[
            ("step", "ask"),
            ("note", "Which session would you start with?"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Question sent"));

    // Ines answers on her page; the operator approves; she is a mentor.
    let (_, body, _) = common::page(&app, &ines, "/mentor/apply").await;
    assert!(body.contains("Which session would you start with?"));
    let (status, body) = common::submit(
        &app,
        &ines,
        "/mentor/apply",
        &format!("/mentor/apply/{id}/answer"),
        &[("answer", "The negotiation clinic.")],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Answer sent"));
    let (status, body) = common::submit(
        &app,
        &op,
        "/operator/applications",
        &action,
        &[("step", "approve"), ("note", "")],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Approved: they are a mentor now"));
    let (_, body, _) = common::page(&app, &ines, "/mentor/apply").await;
    assert!(body.contains("You are a mentor"));
    let (status, _, _) = common::page(&app, &ines, "/mentor/profile").await;
    assert_eq!(status, StatusCode::OK);
}
