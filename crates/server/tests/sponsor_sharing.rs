//! What a member lets their organisation see, on both backends: by default its admins see
//! figures about groups only; a member who shares "my progress" appears with their own
//! sessions, checkpoints, gain and tasks — never their notes or answers — and disappears the
//! moment they stop. The group's figures are hidden while the sharers' rows beside them
//! would leave fewer than five others. A member who chooses "nothing" is not counted in them
//! at all. Another organisation's admin sees nothing; a wrong choice is refused.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod common;

use common::{App, expect_error};
use reqwest::StatusCode;
use serde_json::{Value, json};
use stint_domain::clock::Clock;
use stint_server::demo::DEMO_PASSWORD;

on_both_backends!(App;
    a_member_shares_their_progress_and_stops_at_once,
);

async fn a_member_shares_their_progress_and_stops_at_once(app: App) {
    let org = app.store.orgs().await.unwrap()[0].id;
    let own = app.login("sponsor@acme.example", DEMO_PASSWORD).await;
    let sam = app.login("sam@stint.example", DEMO_PASSWORD).await;
    let progress = format!("/api/v1/sponsor/orgs/{}/progress", org.0);
    let sharing = format!("/api/v1/me/orgs/{}/sharing", org.0);
    // A canary in Sam's notes on a session the budget paid for.
    let sam_id = app
        .store
        .account_by_email("sam@stint.example")
        .await
        .unwrap()
        .unwrap()
        .id;
    let paid = app
        .store
        .outcomes(stint_store::OutcomeFilter {
            sponsor: Some(org),
            mentee: Some(sam_id),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(
        !paid.is_empty(),
        "the demo's budget paid for Sam's sessions"
    );
    for kind in [
        stint_domain::outcome::notes::NoteKind::Shared,
        stint_domain::outcome::notes::NoteKind::MenteePrivate,
    ] {
        let note = stint_store::NewNote {
            booking: paid[0].booking_id,
            kind,
            author: sam_id,
            body: "CANARY-5a1c",
            html: "CANARY-5a1c",
        };
        app.store.save_note(&note, app.clock.now()).await.unwrap();
    }

    let nobody: Value = app.get(&progress, Some(&own)).await.json().await.unwrap();
    assert_eq!(nobody, json!([]), "nobody shares by default");
    // Refused: a choice that is not one, an organisation Sam does not belong to.
    let e = expect_error(
        app.put(&sharing, Some(&sam), json!({"share": "everything"}))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(e["fields"]["share"].is_string(), "{e}");
    expect_error(
        app.put(
            "/api/v1/me/orgs/9999/sharing",
            Some(&sam),
            json!({"share": "progress"}),
        )
        .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;

    let r = app
        .put(&sharing, Some(&sam), json!({"share": "progress"}))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let mine: Value = r.json().await.unwrap();
    assert_eq!(mine[0]["shares"], "progress", "{mine}");
    let shown = app.get(&progress, Some(&own)).await.text().await.unwrap();
    let rows: Value = serde_json::from_str(&shown).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 1, "{rows}");
    assert_eq!(rows[0]["name"], "Sam Okafor");
    assert_eq!(rows[0]["sessions"], paid.len());
    assert!(!shown.contains("CANARY-5a1c"), "notes stay Sam's: {shown}");
    // Five took part and Sam's row is shown: the group's figures would be Sam's and four
    // others', so they are hidden while Sam shares.
    let console_api = format!("/api/v1/sponsor/orgs/{}", org.0);
    let figures: Value = app
        .get(&console_api, Some(&own))
        .await
        .json()
        .await
        .unwrap();
    assert!(
        figures["outcomes"]["mini_win_rate"].is_null(),
        "{}",
        figures["outcomes"]
    );
    // Another organisation's admin sees nothing of it.
    let (_, other) = common::sponsor::globex(&app).await;
    expect_error(
        app.get(&progress, Some(&other)).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    // The console page shows Sam's row, and no note.
    let client = common::browser();
    common::log_in(&app, &client, "sponsor@acme.example").await;
    let console = format!("/sponsor/{}", org.0);
    let (_, html, _) = common::page(&app, &client, &console).await;
    assert!(html.contains("Progress members shared with you"), "{html}");
    assert!(html.contains("<td>Sam Okafor</td>"));
    assert!(!html.contains("CANARY-5a1c"));

    // Sam stops, on the page: at once, the admin sees nothing of Sam.
    let member = common::browser();
    common::log_in(&app, &member, "sam@stint.example").await;
    let (status, body) = common::submit(
        &app,
        &member,
        "/organisations",
        &format!("/organisations/{}/sharing", org.0),
        &[("share", "aggregates")],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("it sees only figures about groups"), "{body}");
    let none: Value = app.get(&progress, Some(&own)).await.json().await.unwrap();
    assert_eq!(none, json!([]));
    let figures: Value = app
        .get(&console_api, Some(&own))
        .await
        .json()
        .await
        .unwrap();
    assert!(
        figures["outcomes"]["mini_win_rate"].is_number(),
        "shown again: {}",
        figures["outcomes"]
    );
    let (_, html, _) = common::page(&app, &client, &console).await;
    assert!(!html.contains("Progress members shared with you"));
    let before = figures["outcomes"]["participants"].as_i64().unwrap();
    assert_eq!(before, 5, "{}", figures["outcomes"]);

    // "Nothing": Sam leaves even the group's figures; with four left, they are hidden.
    let r = app
        .put(&sharing, Some(&sam), json!({"share": "nothing"}))
        .await;
    let mine: Value = r.json().await.unwrap();
    assert_eq!(mine[0]["shares"], "nothing", "{mine}");
    let figures: Value = app
        .get(&console_api, Some(&own))
        .await
        .json()
        .await
        .unwrap();
    assert!(
        figures["outcomes"]["participants"].is_null()
            && figures["outcomes"]["mini_win_rate"].is_null(),
        "{}",
        figures["outcomes"]
    );
    let (_, body) = common::submit(
        &app,
        &member,
        "/organisations",
        &format!("/organisations/{}/sharing", org.0),
        &[("share", "aggregates")],
    )
    .await;
    assert!(body.contains("it sees only figures about groups"), "{body}");
    let figures: Value = app
        .get(&console_api, Some(&own))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(figures["outcomes"]["participants"], before);
}
