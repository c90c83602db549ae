//! The published retention policy and the job that enforces it, on both backends, with a
//! moving clock: each class of a session's data (intake answers, notes, assessments) and an
//! inbox message is still there an hour before its time is up and gone an hour after; each
//! run records what it removed (counts only); the ledger is never touched; `/privacy` and
//! `/privacy/policy.json` publish the same definitions the job uses.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod common;

use common::App;
use jiff::{SignedDuration, Timestamp};
use reqwest::StatusCode;
use serde_json::Value;
use stint_domain::clock::Clock;
use stint_domain::retention::{POLICY, RetainedClass, policy_of};

on_both_backends!(App;
    each_class_goes_exactly_when_its_time_is_up,
    the_policy_is_published_from_the_definitions_the_job_uses,
    a_persons_choice_moves_their_own_data_only,
);

fn days(class: RetainedClass) -> SignedDuration {
    SignedDuration::from_hours(24 * i64::from(policy_of(class).default_days))
}

/// Moves the app's clock to `at` (never back) and runs the retention job's use case.
async fn run_at(app: &App, at: Timestamp) {
    let now = app.clock.now();
    assert!(at > now, "the clock only moves on");
    app.clock.advance(at - now);
    let core = stint_app::App::new(
        app.store.clone(),
        app.clock.clone(),
        stint_app::Settings::default(),
    );
    stint_app::privacy::apply(&core).await.unwrap();
}

async fn each_class_goes_exactly_when_its_time_is_up(app: App) {
    // A closed session of the demo with notes, prep and both assessments.
    let mut chosen = None;
    for o in app
        .store
        .outcomes(stint_store::OutcomeFilter::default())
        .await
        .unwrap()
    {
        let b = o.booking_id;
        let full = !app.store.notes(b).await.unwrap().is_empty()
            && app.store.prep(b).await.unwrap().is_some()
            && app.store.assessments(b).await.unwrap().len() == 2;
        if full {
            chosen = Some(b);
            break;
        }
    }
    let booking = chosen.expect("a demo session with notes, prep and assessments");
    let end = app.store.booking(booking).await.unwrap().unwrap().end;
    let sam = app
        .store
        .account_by_email("sam@stint.example")
        .await
        .unwrap()
        .unwrap()
        .id;
    // A reminder in Sam's inbox, with its delivery logged, written now.
    let delivered = app
        .store
        .deliver_in_app(
            &stint_store::NewDelivery {
                nudge_key: "retention-test".into(),
                channel: stint_domain::nudge::Channel::InApp,
                booking,
                recipient: sam,
                kind: stint_domain::nudge::NudgeKind::Booked,
                due_at: app.clock.now(),
                detail: String::new(),
            },
            &stint_store::NewInboxItem {
                user: sam,
                booking: Some(booking),
                kind: stint_domain::nudge::NudgeKind::Booked,
                title: "Booked".into(),
                body: "A reminder".into(),
                link: "/sessions".into(),
            },
            app.clock.now(),
        )
        .await
        .unwrap();
    assert!(delivered);
    let inbox = app.store.inbox(sam, None, 1000).await.unwrap();
    let item = inbox.iter().max_by_key(|i| i.created_at).unwrap().clone();
    let logged =
        |list: Vec<stint_store::Delivery>| list.iter().any(|d| d.nudge_key == "retention-test");
    let transfers = app
        .store
        .ledger_transfers_after(0, 100_000)
        .await
        .unwrap()
        .len();
    let hour = SignedDuration::from_hours(1);

    // The inbox message: kept until its time, then gone.
    // (The delivery log keeps as long as the inbox.)
    assert_eq!(days(RetainedClass::Inbox), days(RetainedClass::DeliveryLog));
    run_at(&app, item.created_at + days(RetainedClass::Inbox) - hour).await;
    let ids = |list: Vec<stint_store::InboxItem>| list.iter().map(|i| i.id).collect::<Vec<_>>();
    assert!(ids(app.store.inbox(sam, None, 1000).await.unwrap()).contains(&item.id));
    assert!(logged(app.store.deliveries(booking).await.unwrap()));
    run_at(&app, item.created_at + days(RetainedClass::Inbox) + hour).await;
    assert!(!ids(app.store.inbox(sam, None, 1000).await.unwrap()).contains(&item.id));
    assert!(!logged(app.store.deliveries(booking).await.unwrap()));

    // The session's intake answers, notes and assessments, each at its own time.
    let steps = [
        RetainedClass::IntakeAnswers,
        RetainedClass::Notes,
        RetainedClass::Assessments,
    ];
    for class in steps {
        let present = |app: &App| {
            let store = app.store.clone();
            async move {
                match class {
                    RetainedClass::IntakeAnswers => store.prep(booking).await.unwrap().is_some(),
                    RetainedClass::Notes => !store.notes(booking).await.unwrap().is_empty(),
                    _ => !store.assessments(booking).await.unwrap().is_empty(),
                }
            }
        };
        run_at(&app, end + days(class) - hour).await;
        assert!(present(&app).await, "{class:?} kept until its time");
        run_at(&app, end + days(class) + hour).await;
        assert!(!present(&app).await, "{class:?} gone once its time is up");
    }
    // Each run recorded what it removed, by class, as counts.
    let runs = app.store.retention_runs(100).await.unwrap();
    for class in [
        "inbox",
        "delivery_log",
        "intake_answers",
        "notes",
        "assessments",
    ] {
        assert!(
            runs.iter().any(|r| r.class == class && r.removed > 0),
            "{class}: {runs:?}"
        );
    }
    // The ledger is kept whole.
    assert_eq!(
        app.store
            .ledger_transfers_after(0, 100_000)
            .await
            .unwrap()
            .len(),
        transfers
    );
    common::ledger_is_sound(&app).await;
}

async fn the_policy_is_published_from_the_definitions_the_job_uses(app: App) {
    let r = app.get("/privacy/policy.json", None).await;
    assert_eq!(r.status(), StatusCode::OK);
    let doc: Value = r.json().await.unwrap();
    let classes = doc["classes"].as_array().unwrap();
    assert_eq!(classes.len(), POLICY.len());
    for (published, p) in classes.iter().zip(POLICY) {
        assert_eq!(published["name"], p.name);
        assert_eq!(published["default_days"], p.default_days);
        assert_eq!(published["min_days"], p.min_days);
        assert_eq!(published["max_days"], p.max_days);
    }
    let page = app.get("/privacy", None).await.text().await.unwrap();
    for p in POLICY {
        assert!(page.contains(p.name), "{}", p.name);
    }
    assert!(
        page.contains("2 years after the session, then deleted"),
        "notes"
    );
    let home = app.get("/", None).await.text().await.unwrap();
    assert!(home.contains("href=\"/privacy\""), "linked from every page");
}

async fn a_persons_choice_moves_their_own_data_only(app: App) {
    use serde_json::json;
    // Two closed sessions with notes: one of Sam's, one of someone else's.
    let sam = app
        .store
        .account_by_email("sam@stint.example")
        .await
        .unwrap()
        .unwrap()
        .id;
    let mut mine = None;
    let mut theirs = None;
    for o in app
        .store
        .outcomes(stint_store::OutcomeFilter::default())
        .await
        .unwrap()
    {
        if app.store.notes(o.booking_id).await.unwrap().is_empty() {
            continue;
        }
        if o.mentee_id == sam {
            mine.get_or_insert(o.booking_id);
        } else {
            theirs.get_or_insert(o.booking_id);
        }
    }
    let (mine, theirs) = (mine.unwrap(), theirs.unwrap());
    let token = app
        .login("sam@stint.example", stint_server::demo::DEMO_PASSWORD)
        .await;
    // Refused by class, nothing changed: outside the range, a class nobody chooses, unknown.
    for (body, field) in [
        (json!({"retention": {"notes": 30}}), "notes"),
        (json!({"retention": {"ledger": 30}}), "ledger"),
        (json!({"retention": {"photos": 30}}), "photos"),
    ] {
        let e = common::expect_error(
            app.put("/api/v1/me/privacy", Some(&token), body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert!(e["fields"][field].is_string(), "{e}");
    }
    let r = app
        .put(
            "/api/v1/me/privacy",
            Some(&token),
            json!({"retention": {"notes": 90}}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let chosen: Value = r.json().await.unwrap();
    let notes = chosen["retention"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["class"] == "notes")
        .unwrap()
        .clone();
    assert_eq!(notes["days"], 90);
    assert_eq!(notes["chosen"], true);
    assert_eq!(
        chosen["changes"][0]["change"], "Session notes kept 90 days (was 2 years)",
        "each change is logged: {chosen}"
    );
    // The page shows the choice.
    let client = common::browser();
    common::log_in(&app, &client, "sam@stint.example").await;
    let (status, page, _) = common::page(&app, &client, "/account/privacy").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("<option value=\"90\" selected>90 days</option>"),
        "{page}"
    );
    let (status, page) = common::submit(
        &app,
        &client,
        "/account/privacy",
        "/account/privacy",
        &[("notes", "12")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("must be from 90 to 3650 days"), "{page}");

    // 91 days after the later of the two sessions: Sam's notes are gone, the others' kept.
    let end = |b| {
        let store = app.store.clone();
        async move { store.booking(b).await.unwrap().unwrap().end }
    };
    let later = end(mine).await.max(end(theirs).await);
    run_at(&app, later + SignedDuration::from_hours(24 * 91)).await;
    assert!(
        app.store.notes(mine).await.unwrap().is_empty(),
        "Sam chose 90 days"
    );
    assert!(
        !app.store.notes(theirs).await.unwrap().is_empty(),
        "the others keep the default"
    );
}
