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
    note_files_carry_what_the_reader_may_read_under_front_matter [peer_python_yaml, "needs PyYAML: python3 -m pip install pyyaml==6.0.3"],
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

/// The front matter of a note file as a YAML parser reads it (dates as text).
fn front_matter(markdown: &str) -> serde_json::Value {
    stint_testkit::require(stint_testkit::Peer::PythonYaml);
    let script = "import sys, json, yaml\n\
                  text = sys.stdin.read()\n\
                  assert text.startswith('---\\n'), 'front matter first'\n\
                  front = text.split('---\\n')[1]\n\
                  print(json.dumps(yaml.safe_load(front), default=str))";
    let mut child = std::process::Command::new(stint_testkit::python())
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), markdown.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

async fn note_files_carry_what_the_reader_may_read_under_front_matter(app: App) {
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
    let outcome = &closed[0];
    let booking = outcome.booking_id;
    let mentor_id = outcome.mentor_id;
    let mentor = app.store.account(mentor_id).await.unwrap().unwrap();
    let now = app.clock.now();
    for (kind, author, text) in [
        (
            NoteKind::Shared,
            sam.id,
            "CANARY-shared\n---\nnot: front matter",
        ),
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
    let sam_token = app.login("sam@stint.example", DEMO_PASSWORD).await;
    let path = format!("/api/v1/bookings/{}/notes.md", booking.0);
    let r = app.get(&path, Some(&sam_token)).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "text/markdown; charset=utf-8");
    let md = r.text().await.unwrap();
    assert!(md.contains("CANARY-shared") && md.contains("CANARY-sam-private"));
    assert!(
        !md.contains("CANARY-mentor-private"),
        "the mentor's own note"
    );
    let front = front_matter(&md);
    assert_eq!(front["mentor"], mentor.display_name.as_str());
    assert_eq!(front["mentee"], "Sam Okafor");
    assert_eq!(front["result"], outcome.checkpoint.as_str());
    assert_eq!(front["stint_booking"], booking.0);
    assert!(
        front["competency"].as_str().is_some_and(|c| !c.is_empty()),
        "{front}"
    );
    assert!(
        front["checkpoint"].as_str().is_some_and(|c| !c.is_empty()),
        "{front}"
    );
    assert!(
        front["session_type"]
            .as_str()
            .is_some_and(|c| !c.is_empty()),
        "{front}"
    );
    // A date a note app sorts by: YAML reads it as a date, not as text.
    let date = front["date"].as_str().unwrap();
    assert!(date.len() == 10 && date.starts_with("2026-"), "{date}");
    // A note's own `---` stays in the body.
    assert!(front.get("not").is_none(), "{front}");

    // The mentor's file: the shared note and their own, never Sam's private one.
    let mentor_token = app.login(&mentor.email, DEMO_PASSWORD).await;
    let md = app
        .get(&path, Some(&mentor_token))
        .await
        .text()
        .await
        .unwrap();
    assert!(md.contains("CANARY-shared") && md.contains("CANARY-mentor-private"));
    assert!(!md.contains("CANARY-sam-private"));
    // Anyone else: no such session.
    let lena = app.login("lena@stint.example", DEMO_PASSWORD).await;
    assert_eq!(
        app.get(&path, Some(&lena)).await.status(),
        StatusCode::NOT_FOUND
    );

    // The vault: one file per session Sam took (cancelled ones left out), in one folder.
    let r = app.get("/api/v1/me/notes.zip", Some(&sam_token)).await;
    assert_eq!(r.status(), StatusCode::OK);
    let bytes = r.bytes().await.unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(&bytes[..])).unwrap();
    let kept = app
        .store
        .booking_contexts_of(sam.id)
        .await
        .unwrap()
        .into_iter()
        .filter(|c| {
            c.booking.mentee_id == sam.id
                && c.booking.status != stint_domain::booking::BookingStatus::Cancelled
        })
        .count();
    assert_eq!(zip.len(), kept);
    let mut found = false;
    for i in 0..zip.len() {
        let mut file = zip.by_index(i).unwrap();
        assert!(file.name().starts_with("Stint sessions/") && file.name().ends_with(".md"));
        let mut text = String::new();
        file.read_to_string(&mut text).unwrap();
        assert!(!text.contains("CANARY-mentor-private"));
        found |= text.contains("CANARY-sam-private");
    }
    assert!(found, "the session's file is in the vault");

    // The pages offer both downloads.
    let client = common::browser();
    common::log_in(&app, &client, "sam@stint.example").await;
    let (_, page, _) = common::page(&app, &client, &format!("/sessions/{}", booking.0)).await;
    assert!(page.contains(&format!("/sessions/{}/notes.md", booking.0)));
    let r = client
        .get(app.url(&format!("/sessions/{}/notes.md", booking.0)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("CANARY-sam-private"));
    let (_, page, _) = common::page(&app, &client, "/account/data").await;
    assert!(page.contains("/account/notes.zip"));
    let r = client
        .get(app.url("/account/notes.zip"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-type"], "application/zip");
}
