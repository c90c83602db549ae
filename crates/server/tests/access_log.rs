//! The access log on both backends: a mentor reading a mentee's intake answers and
//! assessments, and a sponsor's admin reading the progress a member shares, are each recorded
//! once an hour and shown to the mentee — and nothing else is: the mentee's own reads, a
//! stranger's refused reads, and another person's log stay out of it. A mentee who keeps
//! their prep until the session starts: their mentor reads it only from the start.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod common;

use common::App;
use reqwest::StatusCode;
use serde_json::{Value, json};
use stint_server::demo::DEMO_PASSWORD;

on_both_backends!(App;
    each_read_by_someone_else_is_logged_for_the_owner_only,
    a_mentee_keeps_their_prep_from_the_mentor_until_the_session,
);

async fn each_read_by_someone_else_is_logged_for_the_owner_only(app: App) {
    let sam = app
        .store
        .account_by_email("sam@stint.example")
        .await
        .unwrap()
        .unwrap();
    // A closed session of Sam's with intake answers and assessments.
    let mut chosen = None;
    for o in app
        .store
        .outcomes(stint_store::OutcomeFilter {
            mentee: Some(sam.id),
            ..Default::default()
        })
        .await
        .unwrap()
    {
        let b = o.booking_id;
        if app.store.prep(b).await.unwrap().is_some()
            && !app.store.assessments(b).await.unwrap().is_empty()
        {
            chosen = Some(b);
            break;
        }
    }
    let booking = chosen.expect("a demo session of Sam's with prep and assessments");
    let mentor_id = app.store.booking(booking).await.unwrap().unwrap().mentor_id;
    let mentor = app.store.account(mentor_id).await.unwrap().unwrap();
    let sam_token = app.login("sam@stint.example", DEMO_PASSWORD).await;
    let mentor_token = app.login(&mentor.email, DEMO_PASSWORD).await;
    let log = |token: String| {
        let app = &app;
        async move {
            let v: Value = app
                .get("/api/v1/me/access-log", Some(&token))
                .await
                .json()
                .await
                .unwrap();
            v
        }
    };
    assert_eq!(log(sam_token.clone()).await["entries"], json!([]));
    let outcome = format!("/api/v1/bookings/{}/outcome", booking.0);
    // Sam's own reads are not logged; a stranger's refused read is not either.
    assert_eq!(
        app.get(&outcome, Some(&sam_token)).await.status(),
        StatusCode::OK
    );
    let lena = app.login("lena@stint.example", DEMO_PASSWORD).await;
    assert_eq!(
        app.get(&outcome, Some(&lena)).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(log(sam_token.clone()).await["entries"], json!([]));

    // The mentor reads it twice in a minute: logged once per kind.
    for _ in 0..2 {
        assert_eq!(
            app.get(&outcome, Some(&mentor_token)).await.status(),
            StatusCode::OK
        );
    }
    let entries = log(sam_token.clone()).await["entries"].clone();
    let mut kinds: Vec<&str> = entries
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["what"].as_str().unwrap())
        .collect();
    kinds.sort_unstable();
    assert!(
        kinds.contains(&"intake_answers") && kinds.contains(&"assessments"),
        "{entries}"
    );
    assert_eq!(
        kinds.len(),
        kinds
            .iter()
            .collect::<std::collections::BTreeSet<_>>()
            .len(),
        "each kind once: {entries}"
    );
    for e in entries.as_array().unwrap() {
        assert_eq!(e["reader_name"], mentor.display_name.as_str());
        assert_eq!(e["booking_id"], booking.0);
    }
    // An hour later it counts again.
    app.clock.advance(jiff::SignedDuration::from_mins(61));
    let count = |v: Value| v["entries"].as_array().unwrap().len();
    let before = count(log(sam_token.clone()).await);
    app.get(&outcome, Some(&mentor_token)).await;
    assert!(count(log(sam_token.clone()).await) > before);

    // A sponsor reads the progress Sam shares: logged; the mentor's own log stays empty.
    let sharing = app
        .put(
            "/api/v1/me/orgs/1/sharing",
            Some(&sam_token),
            json!({"share": "progress"}),
        )
        .await;
    assert_eq!(sharing.status(), StatusCode::OK);
    let admin = app.login("sponsor@acme.example", DEMO_PASSWORD).await;
    app.get("/api/v1/sponsor/orgs/1/progress", Some(&admin))
        .await;
    let entries = log(sam_token.clone()).await["entries"].clone();
    assert_eq!(entries[0]["what"], "progress", "{entries}");
    assert!(entries[0]["booking_id"].is_null());
    assert_eq!(log(mentor_token).await["entries"], json!([]));
    // The page shows it to Sam.
    let client = common::browser();
    common::log_in(&app, &client, "sam@stint.example").await;
    let (_, page, _) = common::page(&app, &client, "/account/privacy").await;
    assert!(page.contains("read your progress"), "{page}");
    assert!(page.contains("read your intake answers"), "{page}");
}

async fn a_mentee_keeps_their_prep_from_the_mentor_until_the_session(app: App) {
    use stint_domain::clock::Clock;
    let sam_token = app.login("sam@stint.example", DEMO_PASSWORD).await;
    // A session of Sam's still to come, with intake answers given.
    let slots = app.slots_in_days("career-pivot-30", 3, 10).await;
    let r = app
        .post(
            "/api/v1/bookings",
            Some(&sam_token),
            json!({"sku": "career-pivot-30", "mentor_id": slots[0]["mentor_id"], "start": slots[0]["start"]}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let booking: Value = r.json().await.unwrap();
    let id = stint_domain::booking::BookingId(booking["id"].as_i64().unwrap());
    app.store
        .save_prep(
            id,
            &stint_domain::outcome::prep::Prep {
                intake_answers: vec!["CANARY-prep".into()],
                pre_reads_read: Vec::new(),
            },
            app.clock.now(),
        )
        .await
        .unwrap();
    let mentor = app
        .store
        .account(stint_domain::ids::UserId(
            slots[0]["mentor_id"].as_i64().unwrap(),
        ))
        .await
        .unwrap()
        .unwrap();
    let outcome = format!("/api/v1/bookings/{}/outcome", id.0);
    let read_by_mentor = |token: String| {
        let app = &app;
        let outcome = outcome.clone();
        async move {
            app.get(&outcome, Some(&token))
                .await
                .text()
                .await
                .unwrap()
                .contains("CANARY-prep")
        }
    };
    let mentor_token = app.login(&mentor.email, DEMO_PASSWORD).await;
    assert!(
        read_by_mentor(mentor_token.clone()).await,
        "by default, to prepare"
    );
    let r = app
        .put(
            "/api/v1/me/privacy",
            Some(&sam_token),
            json!({"prep_private_until_session": true}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["prep_private_until_session"], true);
    // The change itself is logged for Sam.
    assert_eq!(
        v["changes"][0]["change"],
        "Your mentor reads your intake answers and baseline only once the session starts",
        "{v}"
    );
    assert!(
        !read_by_mentor(mentor_token.clone()).await,
        "kept until it starts"
    );
    assert!(
        read_by_mentor(sam_token.clone()).await,
        "Sam still reads them"
    );
    // Once the session starts, the mentor reads them.
    let start: jiff::Timestamp = booking["start"].as_str().unwrap().parse().unwrap();
    app.clock
        .advance(start - app.clock.now() + jiff::SignedDuration::from_mins(1));
    let mentor_token = app.login(&mentor.email, DEMO_PASSWORD).await;
    assert!(read_by_mentor(mentor_token).await, "from the start");
}
