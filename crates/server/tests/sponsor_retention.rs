//! The 90-day retention comparison on both backends: members who took part against those who
//! did not, from the organisation's own list of who is still employed. Shown only when each
//! of the four groups has five people; a list that leaves a member out, or is not such CSV, is
//! refused and keeps nothing; at most one comparison in 30 days; only the organisation's own
//! admins may run or read it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod common;

use common::sponsor::free_slot;
use common::{App, expect_error};
use reqwest::StatusCode;
use serde_json::{Value, json};
use stint_domain::clock::Clock;
use stint_domain::sponsor::OrgRole;
use stint_server::demo::DEMO_PASSWORD;

on_both_backends!(App;
    retention_compares_groups_of_five_from_a_complete_list_once_a_month,
);

const SKU: &str = "negotiation-clinic-45";
const DEMO_MEMBERS: [&str; 5] = [
    "sam@stint.example",
    "lena@stint.example",
    "noor@stint.example",
    "diego@stint.example",
    "aiko@stint.example",
];

fn list(rows: &[(String, bool)]) -> String {
    let mut csv = String::from("Email,Employed\n");
    for (email, employed) in rows {
        csv.push_str(&format!(
            "{email},{}\n",
            if *employed { "yes" } else { "no" }
        ));
    }
    csv
}

async fn retention_compares_groups_of_five_from_a_complete_list_once_a_month(app: App) {
    let org = app.store.orgs().await.unwrap()[0].id;
    let path = format!("/api/v1/sponsor/orgs/{}/retention", org.0);
    // Six more members book a session the budget pays for; ten more never do.
    let slots = app.slots_in_days(SKU, 3, 10).await;
    let mut taken: Vec<Value> = Vec::new();
    let mut booked = Vec::new();
    let mut idle = Vec::new();
    for i in 0..16 {
        let email = format!("person{i}@acme.example");
        common::make_mentee_unfunded(&app, &email, &format!("Person {i}")).await;
        let who = app.store.account_by_email(&email).await.unwrap().unwrap();
        app.store
            .add_member(org, who.id, OrgRole::Member, app.clock.now())
            .await
            .unwrap();
        if i < 6 {
            let token = app.login(&email, "a long passphrase").await;
            let taken_refs: Vec<&Value> = taken.iter().collect();
            let slot = free_slot(&slots, &taken_refs).clone();
            let r = app
                .post(
                    "/api/v1/bookings",
                    Some(&token),
                    json!({"sku": SKU, "mentor_id": slot["mentor_id"], "start": slot["start"], "paid_by": org.0}),
                )
                .await;
            assert_eq!(
                r.status(),
                StatusCode::CREATED,
                "{}",
                r.text().await.unwrap()
            );
            taken.push(slot);
            booked.push(email);
        } else {
            idle.push(email);
        }
    }
    // A quarter on: everyone has belonged for 90 days and the sessions took place.
    app.clock.advance(jiff::SignedDuration::from_hours(24 * 95));
    let own = app.login("sponsor@acme.example", DEMO_PASSWORD).await;
    let participants: Vec<String> = DEMO_MEMBERS
        .iter()
        .map(|e| e.to_string())
        .chain(booked.iter().cloned())
        .collect();
    // Took part: 6 still employed, 5 not; did not: 5 and 5. And a stranger, ignored.
    let mut rows: Vec<(String, bool)> = participants
        .iter()
        .enumerate()
        .map(|(i, e)| (e.clone(), i < 6))
        .chain(idle.iter().enumerate().map(|(i, e)| (e.clone(), i < 5)))
        .collect();
    rows.push(("someone@elsewhere.example".into(), true));

    // Refused, keeping nothing: a list without its columns, with a bad value, or missing one.
    let refusals = [
        "name,still_here\nSam,yes\n".to_string(),
        list(&rows).replace(",yes\n", ",perhaps\n"),
        list(&rows[1..]),
    ];
    for (csv, says) in refusals.iter().zip([
        "columns email and employed",
        "employed must be yes or no",
        "1 is missing, sam@stint.example",
    ]) {
        let e = expect_error(
            app.post(&path, Some(&own), json!({ "csv": csv })).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert!(
            e["fields"]["file"].as_str().unwrap().contains(says),
            "{says}: {e}"
        );
    }
    let none: Value = app.get(&path, Some(&own)).await.json().await.unwrap();
    assert_eq!(none, Value::Null, "nothing kept");
    // Another organisation's admin and a member are told it does not exist.
    let (_, other) = common::sponsor::globex(&app).await;
    let sam = app.login("sam@stint.example", DEMO_PASSWORD).await;
    for token in [&other, &sam] {
        expect_error(
            app.post(&path, Some(token), json!({ "csv": list(&rows) }))
                .await,
            StatusCode::NOT_FOUND,
            "not_found",
        )
        .await;
        expect_error(
            app.get(&path, Some(token)).await,
            StatusCode::NOT_FOUND,
            "not_found",
        )
        .await;
    }

    let r = app
        .post(&path, Some(&own), json!({ "csv": list(&rows) }))
        .await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    let shown: Value = r.json().await.unwrap();
    assert_eq!(shown["state"], "shown", "{shown}");
    assert_eq!(shown["cohort"], 21);
    assert_eq!(shown["rows_ignored"], 1);
    assert_eq!(shown["participants"]["people"], 11);
    assert_eq!(shown["participants"]["still_employed"], 6);
    assert_eq!(shown["non_participants"]["people"], 10);
    assert_eq!(shown["non_participants"]["still_employed"], 5);
    let points = shown["difference_points"].as_f64().unwrap();
    assert!(
        (points - (6.0 / 11.0 - 0.5) * 100.0).abs() < 1e-6,
        "{points}"
    );
    assert!(!shown.to_string().contains("@"), "no addresses: {shown}");
    let kept: Value = app.get(&path, Some(&own)).await.json().await.unwrap();
    assert_eq!(kept, shown);

    // Once in 30 days.
    let e = expect_error(
        app.post(&path, Some(&own), json!({ "csv": list(&rows) }))
            .await,
        StatusCode::CONFLICT,
        "too_early",
    )
    .await;
    assert!(e["fields"]["file"].is_string(), "{e}");

    // A month on, a list that marks one participant alone as gone shows nothing.
    app.clock.advance(jiff::SignedDuration::from_hours(24 * 31));
    let own = app.login("sponsor@acme.example", DEMO_PASSWORD).await;
    let singled: Vec<(String, bool)> = rows
        .iter()
        .map(|(e, _)| (e.clone(), e != "lena@stint.example"))
        .collect();
    let r = app
        .post(&path, Some(&own), json!({ "csv": list(&singled) }))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let hidden: Value = r.json().await.unwrap();
    assert_eq!(hidden["state"], "hidden", "{hidden}");
    assert!(hidden["participants"].is_null() && hidden["difference_points"].is_null());

    // The page shows the last result and re-shows a refused list with its message.
    let client = common::browser();
    common::log_in(&app, &client, "sponsor@acme.example").await;
    let page = format!("/sponsor/{}/retention", org.0);
    let (status, body, _) = common::page(&app, &client, &page).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Not shown: at least one group"), "{body}");
    let (status, body) = common::submit(
        &app,
        &client,
        &page,
        &page,
        &[("csv", "email,employed\nnobody@acme.example,maybe\n")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("employed must be yes or no"), "{body}");
    assert!(
        body.contains("nobody@acme.example,maybe"),
        "the list is re-shown"
    );
}
