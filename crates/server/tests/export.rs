//! Export on both backends: a person downloads everything Stint holds about them as a zip
//! (JSON and Markdown), from the API and the page. Canaries written into their notes, intake
//! answers and tasks all come back; what they may not read — the other party's private notes
//! — never does, and nobody exports anyone else's data.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod common;

use common::App;
use reqwest::StatusCode;
use std::io::Read;
use stint_domain::clock::Clock;
use stint_domain::outcome::notes::NoteKind;
use stint_server::demo::DEMO_PASSWORD;

on_both_backends!(App;
    an_export_holds_everything_of_mine_and_nothing_i_may_not_read,
);

/// The zip's two files: the JSON document and the Markdown.
fn unzip(bytes: &[u8]) -> (String, String) {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut read = |name: &str| {
        let mut s = String::new();
        zip.by_name(name).unwrap().read_to_string(&mut s).unwrap();
        s
    };
    (read("stint-export.json"), read("stint-export.md"))
}

async fn an_export_holds_everything_of_mine_and_nothing_i_may_not_read(app: App) {
    let sam = app
        .store
        .account_by_email("sam@stint.example")
        .await
        .unwrap()
        .unwrap();
    let closed = app
        .store
        .outcomes(stint_store::OutcomeFilter {
            mentee: Some(sam.id),
            ..Default::default()
        })
        .await
        .unwrap();
    let booking = closed[0].booking_id;
    let mentor_id = app.store.booking(booking).await.unwrap().unwrap().mentor_id;
    let mentor = app.store.account(mentor_id).await.unwrap().unwrap();
    let now = app.clock.now();
    for (kind, author, text) in [
        (NoteKind::Shared, sam.id, "CANARY-shared"),
        (NoteKind::MenteePrivate, sam.id, "CANARY-sam-private"),
        (NoteKind::MentorPrivate, mentor_id, "CANARY-mentor-private"),
    ] {
        let note = stint_store::NewNote {
            booking,
            kind,
            author,
            body: text,
            html: text,
        };
        app.store.save_note(&note, now).await.unwrap();
    }
    app.store
        .save_prep(
            booking,
            &stint_domain::outcome::prep::Prep {
                intake_answers: vec!["CANARY-intake".into()],
                pre_reads_read: Vec::new(),
            },
            now,
        )
        .await
        .unwrap();

    let sam_token = app.login("sam@stint.example", DEMO_PASSWORD).await;
    let r = app.get("/api/v1/me/export", Some(&sam_token)).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/zip");
    let (json, md) = unzip(&r.bytes().await.unwrap());
    for canary in ["CANARY-shared", "CANARY-sam-private", "CANARY-intake"] {
        assert!(json.contains(canary), "{canary} in the JSON");
        assert!(md.contains(canary), "{canary} in the Markdown");
    }
    assert!(
        !json.contains("CANARY-mentor-private"),
        "the mentor's own note"
    );
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(doc["account"]["email"], "sam@stint.example");
    assert!(!doc["credit_movements"].as_array().unwrap().is_empty());
    assert!(
        doc["nudge_settings"]["reminders"].is_array(),
        "{}",
        doc["nudge_settings"]
    );
    assert!(doc["sessions"][0]["nudges"].is_array());
    assert!(md.starts_with("# Your data at Stint"));

    // The mentor's export: the shared note and their own, never Sam's private one nor his
    // intake answers.
    let mentor_token = app.login(&mentor.email, DEMO_PASSWORD).await;
    let r = app.get("/api/v1/me/export", Some(&mentor_token)).await;
    let (json, _) = unzip(&r.bytes().await.unwrap());
    assert!(json.contains("CANARY-shared") && json.contains("CANARY-mentor-private"));
    assert!(!json.contains("CANARY-sam-private") && !json.contains("CANARY-intake"));
    // Exporting one's own data is not a read by someone else.
    let log = app.store.access_log(sam.id, None, 100).await.unwrap();
    assert!(log.is_empty(), "{log:?}");

    // Without signing in, nothing.
    assert_eq!(
        app.get("/api/v1/me/export", None).await.status(),
        StatusCode::UNAUTHORIZED
    );
    // The page's download gives the same.
    let client = common::browser();
    common::log_in(&app, &client, "sam@stint.example").await;
    let (_, page, _) = common::page(&app, &client, "/account/privacy").await;
    assert!(page.contains("href=\"/account/data\""));
    let r = client.get(app.url("/account/export")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let (json, _) = unzip(&r.bytes().await.unwrap());
    assert!(json.contains("CANARY-sam-private"));
}
