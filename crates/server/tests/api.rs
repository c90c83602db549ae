//! The JSON API end to end: the real server on a free port, over HTTP, on SQLite and
//! (when `STINT_TEST_POSTGRES_URL` is set; required with `CI=true`) on PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod common;

use common::{App, expect_error};
use reqwest::StatusCode;
use serde_json::{Value, json};
use stint_server::demo::DEMO_PASSWORD;

on_both_backends!(App;
    health_and_openapi_document,
    signup_refuses_bad_input_and_writes_nothing,
    signups_from_one_address_are_throttled_with_retry_after,
    malformed_and_mistyped_bodies_get_the_error_shape,
    login_me_logout,
    catalog_is_public_and_complete,
    drafts_are_hidden_from_everyone_but_operators,
    operators_manage_the_catalog_and_versions_stay_readable,
    catalog_changes_need_an_operator,
    mentors_directory_and_own_profile,
    operators_grant_roles,
    unknown_routes_are_json_404s,
    answers_are_compressed_when_the_client_accepts_it,
);

fn sku_body(slug: &str, duration: i64) -> Value {
    json!({
        "slug": slug,
        "title": "25-min interview rehearsal",
        "duration_minutes": duration,
        "competency": "career-transition",
        "checkpoint": "pivot-story",
        "outcome": "Say your pivot story under interview pressure, twice.",
        "artifacts": ["Question bank"],
        "intake_questions": ["Which interview is next?"],
        "pre_reads": [{"title": "STAR answers", "url": "https://example.com/star"}],
        "followup_template": "Hi {{mentee}}",
        "price_credits": 2,
        "cancel_cutoff_hours": 24,
        "reschedule_cutoff_hours": 4
    })
}

async fn health_and_openapi_document(app: App) {
    let r = app.get("/healthz", None).await;
    assert_eq!(r.status(), StatusCode::OK);
    let doc: Value = app
        .get("/api/v1/openapi.json", None)
        .await
        .json()
        .await
        .unwrap();
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    let paths = doc["paths"].as_object().unwrap();
    for (path, method) in [
        ("/api/v1/auth/signup", "post"),
        ("/api/v1/auth/login", "post"),
        ("/api/v1/auth/logout", "post"),
        ("/api/v1/me", "get"),
        ("/api/v1/competencies", "get"),
        ("/api/v1/competencies", "post"),
        ("/api/v1/skus", "get"),
        ("/api/v1/skus", "post"),
        ("/api/v1/skus/{slug}", "get"),
        ("/api/v1/skus/{slug}", "put"),
        ("/api/v1/skus/{slug}/status", "post"),
        ("/api/v1/skus/{slug}/versions/{version}", "get"),
        ("/api/v1/mentors", "get"),
        ("/api/v1/mentors/{id}", "get"),
        ("/api/v1/mentors/me", "put"),
        ("/api/v1/mentors/me/calendars", "get"),
        ("/api/v1/mentors/me/calendars", "post"),
        ("/api/v1/mentors/me/calendars/{id}", "delete"),
        ("/api/v1/mentors/me/calendars/{id}/sync", "post"),
        ("/api/v1/openapi.json", "get"),
        ("/api/v1/operator/jobs", "get"),
        ("/api/v1/operator/jobs/{id}/retry", "post"),
        ("/healthz", "get"),
    ] {
        assert!(
            paths.get(path).and_then(|p| p.get(method)).is_some(),
            "{method} {path} is not documented"
        );
    }
    assert!(doc["components"]["schemas"]["ErrorBody"].is_object());
}

/// Each sign-up costs a password hash: one address makes ten an hour, then 429 with
/// `Retry-After`, and the refused one writes nothing; an hour later (by the server's clock)
/// it may again. Invalid forms do not count.
async fn signups_from_one_address_are_throttled_with_retry_after(app: App) {
    let body = |i: usize| json!({"email": format!("n{i}@example.com"), "password": "a long passphrase", "display_name": "N", "timezone": "UTC"});
    let invalid = json!({"email": "nope", "password": "x", "display_name": "N", "timezone": "UTC"});
    for _ in 0..3 {
        let r = app.post("/api/v1/auth/signup", None, invalid.clone()).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    for i in 0..10 {
        let r = app.post("/api/v1/auth/signup", None, body(i)).await;
        assert_eq!(r.status(), StatusCode::ACCEPTED, "sign-up {i}");
    }
    let before = app.signup_mails().await;
    assert_eq!(before, 10);
    let r = app.post("/api/v1/auth/signup", None, body(10)).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=3600).contains(&wait), "Retry-After {wait}");
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["error"]["code"], "rate_limited");
    assert_eq!(app.signup_mails().await, before, "nothing written");
    app.clock.advance(jiff::SignedDuration::from_mins(61));
    let r = app.post("/api/v1/auth/signup", None, body(11)).await;
    assert_eq!(r.status(), StatusCode::ACCEPTED, "a new hour");
}

async fn signup_refuses_bad_input_and_writes_nothing(app: App) {
    let before = app.signup_mails().await;
    let bad = json!({"email": "not-an-email", "password": "short", "display_name": "x".repeat(200), "timezone": "Mars/Olympus"});
    let e = expect_error(
        app.post("/api/v1/auth/signup", None, bad).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    for f in ["email", "password", "display_name", "timezone"] {
        assert!(e["fields"][f].is_string(), "no message for {f}: {e}");
    }
    let weak = json!({"email": "w@example.com", "password": "password1", "display_name": "W", "timezone": "UTC"});
    let e = expect_error(
        app.post("/api/v1/auth/signup", None, weak).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(e["fields"]["password"].is_string());
    assert_eq!(app.signup_mails().await, before, "nothing written");
}

async fn malformed_and_mistyped_bodies_get_the_error_shape(app: App) {
    let r = app
        .http
        .post(app.url("/api/v1/auth/signup"))
        .header("content-type", "application/json")
        .body("{\"email\": ")
        .send()
        .await
        .unwrap();
    expect_error(r, StatusCode::BAD_REQUEST, "malformed_json").await;

    let r = app
        .http
        .post(app.url("/api/v1/auth/signup"))
        .body("email=a")
        .send()
        .await
        .unwrap();
    expect_error(
        r,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    )
    .await;

    let unknown = json!({"email": "a@example.com", "password": "a long passphrase", "display_name": "A", "timezone": "UTC", "roles": ["operator"]});
    let e = expect_error(
        app.post("/api/v1/auth/signup", None, unknown).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(e["fields"]["roles"].is_string(), "{e}");

    let wrong_type = json!({"email": "a@example.com", "password": 12345, "display_name": "A", "timezone": "UTC"});
    let e = expect_error(
        app.post("/api/v1/auth/signup", None, wrong_type).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(e["fields"]["password"].is_string(), "{e}");

    let missing = json!({"email": "a@example.com"});
    let e = expect_error(
        app.post("/api/v1/auth/signup", None, missing).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(e["fields"]["password"].is_string(), "{e}");

    let huge = "x".repeat(stint_web::BODY_LIMIT + 10);
    let r = app
        .http
        .post(app.url("/api/v1/auth/signup"))
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_client_error(), "{}", r.status());
    assert!(
        app.store
            .account_by_email("a@example.com")
            .await
            .unwrap()
            .is_none()
    );
}

async fn login_me_logout(app: App) {
    let e = expect_error(
        app.post(
            "/api/v1/auth/login",
            None,
            json!({"email": "sam@stint.example", "password": "wrong password!"}),
        )
        .await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    )
    .await;
    assert!(e["message"].as_str().unwrap().contains("not right"));
    expect_error(
        app.post(
            "/api/v1/auth/login",
            None,
            json!({"email": "nobody@stint.example", "password": "whatever it is"}),
        )
        .await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    )
    .await;

    let token = app.login("SAM@stint.example", DEMO_PASSWORD).await;
    let me: Value = app
        .get("/api/v1/me", Some(&token))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["email"], "sam@stint.example");
    assert_eq!(me["timezone"], "America/Chicago");
    assert_eq!(me["display_name"], "Sam Okafor");

    expect_error(
        app.get("/api/v1/me", None).await,
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
    )
    .await;
    expect_error(
        app.get("/api/v1/me", Some("not-a-token")).await,
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
    )
    .await;

    let r = app
        .post("/api/v1/auth/logout", Some(&token), json!({}))
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    expect_error(
        app.get("/api/v1/me", Some(&token)).await,
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
    )
    .await;
}

async fn catalog_is_public_and_complete(app: App) {
    let comps: Value = app
        .get("/api/v1/competencies", None)
        .await
        .json()
        .await
        .unwrap();
    let comps = comps.as_array().unwrap();
    assert_eq!(comps.len(), 3);
    for c in comps {
        assert_eq!(c["rubric"].as_array().unwrap().len(), 5);
        assert_eq!(c["rubric"][0]["level"], 1);
        assert!(!c["checkpoints"].as_array().unwrap().is_empty());
    }
    let skus: Value = app.get("/api/v1/skus", None).await.json().await.unwrap();
    let skus = skus.as_array().unwrap();
    let titles: Vec<&str> = skus.iter().map(|s| s["title"].as_str().unwrap()).collect();
    assert_eq!(
        titles,
        vec![
            "30-min career pivot",
            "45-min negotiation clinic",
            "20-min technical triage"
        ]
    );
    for s in skus {
        assert_eq!(s["status"], "active");
        assert!(
            s["competency"]["name"]
                .as_str()
                .is_some_and(|n| !n.is_empty())
        );
        assert!(
            s["checkpoint"]["title"]
                .as_str()
                .is_some_and(|n| !n.is_empty())
        );
        assert!((20..=60).contains(&s["duration_minutes"].as_i64().unwrap()));
        assert!(s["price_credits"].as_i64().unwrap() > 0);
        assert!(!s["artifacts"].as_array().unwrap().is_empty());
        assert!(
            s["cancel_cutoff_hours"].as_i64().unwrap()
                > s["reschedule_cutoff_hours"].as_i64().unwrap()
        );
    }
    let one: Value = app
        .get("/api/v1/skus/negotiation-clinic-45", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(one["duration_minutes"], 45);
    assert_eq!(one["competency"]["slug"], "salary-negotiation");
    expect_error(
        app.get("/api/v1/skus/no-such-sku", None).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    let c: Value = app
        .get("/api/v1/competencies/salary-negotiation", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(c["name"], "Salary negotiation");
    expect_error(
        app.get("/api/v1/competencies/nope", None).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    // Only operators may list drafts.
    expect_error(
        app.get("/api/v1/skus?status=draft", None).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    expect_error(
        app.get("/api/v1/skus?status=bogus", None).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
}

async fn drafts_are_hidden_from_everyone_but_operators(app: App) {
    let op = app.operator().await;
    let r = app
        .post("/api/v1/skus", Some(&op), sku_body("rehearsal-25", 25))
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let sam = app.login("sam@stint.example", DEMO_PASSWORD).await;
    for token in [None, Some(sam.as_str())] {
        expect_error(
            app.get("/api/v1/skus/rehearsal-25", token).await,
            StatusCode::NOT_FOUND,
            "not_found",
        )
        .await;
        expect_error(
            app.get("/api/v1/skus/rehearsal-25/versions/1", token).await,
            StatusCode::NOT_FOUND,
            "not_found",
        )
        .await;
        let list: Value = app.get("/api/v1/skus", token).await.json().await.unwrap();
        assert!(!list.to_string().contains("rehearsal-25"));
    }
    let as_op = app.get("/api/v1/skus/rehearsal-25", Some(&op)).await;
    assert_eq!(as_op.status(), StatusCode::OK);
    let drafts: Value = app
        .get("/api/v1/skus?status=draft", Some(&op))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(drafts.as_array().unwrap().len(), 1);
}

async fn operators_manage_the_catalog_and_versions_stay_readable(app: App) {
    let op = app.operator().await;
    let comp = json!({"slug": "public-speaking", "name": "Public speaking", "description": "",
        "rubric": ["Avoids it", "Reads slides", "Clear with notes", "Engages the room", "Moves people"]});
    let r = app
        .post("/api/v1/competencies", Some(&op), comp.clone())
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    expect_error(
        app.post("/api/v1/competencies", Some(&op), comp).await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    let bad_rubric = json!({"slug": "x", "name": "X", "rubric": ["one"]});
    let e = expect_error(
        app.post("/api/v1/competencies", Some(&op), bad_rubric)
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(e["fields"]["rubric"].is_string());
    let r = app
        .post(
            "/api/v1/competencies/public-speaking/checkpoints",
            Some(&op),
            json!({"slug": "opening", "title": "Has a 30-second opening"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let cp: Value = r.json().await.unwrap();
    let r = app
        .put(
            &format!("/api/v1/checkpoints/{}", cp["id"]),
            Some(&op),
            json!({"slug": "opening", "title": "Has a 20-second opening"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);

    // A bad SKU: every problem named, nothing written.
    let mut bad = sku_body("bad one", 90);
    bad["competency"] = json!("no-such-competency");
    bad["pre_reads"] = json!([{"title": "x", "url": "javascript:alert(1)"}]);
    bad["assessment_questions"] = json!(["a", "b", "c", "d"]);
    bad["followup_delay_days"] = json!(0);
    let e = expect_error(
        app.post("/api/v1/skus", Some(&op), bad).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    for f in [
        "slug",
        "duration_minutes",
        "competency",
        "pre_reads.0.url",
        "assessment_questions",
        "followup_delay_days",
    ] {
        assert!(e["fields"][f].is_string(), "no message for {f}: {e}");
    }
    let mut wrong_cp = sku_body("wrong-cp", 25);
    wrong_cp["checkpoint"] = json!("walk-away-number");
    let e = expect_error(
        app.post("/api/v1/skus", Some(&op), wrong_cp).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(e["fields"]["checkpoint"].is_string(), "{e}");
    assert!(app.store.sku("wrong-cp").await.unwrap().is_none());

    let created: Value = app
        .post("/api/v1/skus", Some(&op), sku_body("rehearsal-25", 25))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (created["status"].as_str(), created["version"].as_i64()),
        (Some("draft"), Some(1))
    );
    // Left out, the outcome-loop fields take their defaults.
    assert_eq!(created["assessment_questions"], json!([]));
    assert_eq!(created["followup_delay_days"], json!(7));
    expect_error(
        app.post("/api/v1/skus", Some(&op), sku_body("rehearsal-25", 25))
            .await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;

    let published = app
        .post(
            "/api/v1/skus/rehearsal-25/status",
            Some(&op),
            json!({"status": "active"}),
        )
        .await;
    assert_eq!(published.status(), StatusCode::OK);
    let e = expect_error(
        app.post(
            "/api/v1/skus/rehearsal-25/status",
            Some(&op),
            json!({"status": "draft"}),
        )
        .await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    assert!(e["fields"]["status"].is_string());

    let mut edit = sku_body("rehearsal-25", 30);
    edit.as_object_mut().unwrap().remove("slug");
    edit["price_credits"] = json!(3);
    edit["assessment_questions"] = json!(["Say your story in one line."]);
    edit["followup_delay_days"] = json!(14);
    let v2: Value = app
        .put("/api/v1/skus/rehearsal-25", Some(&op), edit)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (v2["version"].as_i64(), v2["duration_minutes"].as_i64()),
        (Some(2), Some(30))
    );
    assert_eq!(
        (&v2["assessment_questions"], &v2["followup_delay_days"]),
        (&json!(["Say your story in one line."]), &json!(14))
    );
    let v1: Value = app
        .get("/api/v1/skus/rehearsal-25/versions/1", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (
            v1["version"].as_i64(),
            v1["duration_minutes"].as_i64(),
            v1["price_credits"].as_i64()
        ),
        (Some(1), Some(25), Some(2))
    );
    assert_eq!(v1["current_version"], 2);
    let versions: Value = app
        .get("/api/v1/skus/rehearsal-25/versions", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(versions.as_array().unwrap().len(), 2);
    expect_error(
        app.get("/api/v1/skus/rehearsal-25/versions/9", None).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;

    let retired = app
        .post(
            "/api/v1/skus/rehearsal-25/status",
            Some(&op),
            json!({"status": "retired"}),
        )
        .await;
    assert_eq!(retired.status(), StatusCode::OK);
    let list: Value = app.get("/api/v1/skus", None).await.json().await.unwrap();
    assert!(
        !list.to_string().contains("rehearsal-25"),
        "retired SKUs are not on sale"
    );
    let old: Value = app
        .get("/api/v1/skus/rehearsal-25/versions/1", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        old["title"], "25-min interview rehearsal",
        "old versions stay readable"
    );
}

async fn catalog_changes_need_an_operator(app: App) {
    let mentee = app.login("sam@stint.example", DEMO_PASSWORD).await;
    let comp = json!({"slug": "x", "name": "X", "rubric": ["a", "b", "c", "d", "e"]});
    expect_error(
        app.post("/api/v1/competencies", None, comp.clone()).await,
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
    )
    .await;
    expect_error(
        app.post("/api/v1/competencies", Some(&mentee), comp).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    expect_error(
        app.post("/api/v1/skus", Some(&mentee), sku_body("x", 25))
            .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let mut edit = sku_body("x", 25);
    edit.as_object_mut().unwrap().remove("slug");
    expect_error(
        app.put("/api/v1/skus/career-pivot-30", Some(&mentee), edit)
            .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    // Who may is decided before the body or the path is read: a mentee's nonsense is 403,
    // never 422 (which would tell them how to shape an operator's request).
    for (method, path, body) in [
        (
            reqwest::Method::POST,
            "/api/v1/competencies",
            json!({"slug": 7}),
        ),
        (reqwest::Method::POST, "/api/v1/skus", json!([])),
        (
            reqwest::Method::PUT,
            "/api/v1/skus/career-pivot-30",
            json!({"title": ""}),
        ),
        (
            reqwest::Method::PUT,
            "/api/v1/checkpoints/not-a-number",
            json!({}),
        ),
        (
            reqwest::Method::POST,
            "/api/v1/users/1/roles",
            json!({"role": "emperor"}),
        ),
        (
            reqwest::Method::DELETE,
            "/api/v1/users/x/roles/emperor",
            json!({}),
        ),
    ] {
        let r = app
            .http
            .request(method.clone(), app.url(path))
            .bearer_auth(&mentee)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{method} {path}");
    }
    expect_error(
        app.post(
            "/api/v1/skus/career-pivot-30/status",
            Some(&mentee),
            json!({"status": "retired"}),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    expect_error(
        app.get("/api/v1/users", Some(&mentee)).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    assert_eq!(
        app.store
            .sku("career-pivot-30")
            .await
            .unwrap()
            .unwrap()
            .current_version,
        1
    );
}

async fn mentors_directory_and_own_profile(app: App) {
    let list: Value = app.get("/api/v1/mentors", None).await.json().await.unwrap();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 4);
    let zones: Vec<&str> = list
        .iter()
        .map(|m| m["timezone"].as_str().unwrap())
        .collect();
    for z in [
        "America/New_York",
        "Europe/Berlin",
        "Asia/Kolkata",
        "Australia/Sydney",
    ] {
        assert!(zones.contains(&z), "{z}");
    }
    let triage: Value = app
        .get("/api/v1/mentors?sku=technical-triage-20", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(triage.as_array().unwrap().len(), 2);
    expect_error(
        app.get("/api/v1/mentors?sku=nope", None).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    let maya_id = list
        .iter()
        .find(|m| m["display_name"] == "Maya Goldberg")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let maya: Value = app
        .get(&format!("/api/v1/mentors/{maya_id}"), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(maya["skus"].as_array().unwrap().len(), 2);
    assert!(
        maya.get("email").is_none(),
        "a public profile does not expose the e-mail"
    );
    expect_error(
        app.get("/api/v1/mentors/999999", None).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;

    let mentee = app.login("sam@stint.example", DEMO_PASSWORD).await;
    let body = json!({"headline": "I want to mentor", "skus": []});
    expect_error(
        app.put("/api/v1/mentors/me", Some(&mentee), body).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;

    let token = app.login("maya@stint.example", DEMO_PASSWORD).await;
    let bad = json!({"headline": "ok headline", "meeting_url": "javascript:alert(1)", "skus": ["no-such-sku"]});
    let e = expect_error(
        app.put("/api/v1/mentors/me", Some(&token), bad).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(e["fields"]["meeting_url"].is_string(), "{e}");
    let unknown_sku = json!({"headline": "ok headline", "skus": ["no-such-sku"]});
    let e = expect_error(
        app.put("/api/v1/mentors/me", Some(&token), unknown_sku)
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(e["fields"]["skus.0"].is_string(), "{e}");
    let good = json!({"headline": "Recruiter turned coach", "bio": "Hi.", "meeting_url": "https://meet.example/maya", "skus": ["negotiation-clinic-45"]});
    let saved: Value = app
        .put("/api/v1/mentors/me", Some(&token), good)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(saved["headline"], "Recruiter turned coach");
    assert_eq!(saved["skus"].as_array().unwrap().len(), 1);
    // A mentor who offers nothing bookable is not advertised in the directory.
    let idle = json!({"headline": "Taking a break", "skus": []});
    assert_eq!(
        app.put("/api/v1/mentors/me", Some(&token), idle)
            .await
            .status(),
        StatusCode::OK
    );
    let list: Value = app.get("/api/v1/mentors", None).await.json().await.unwrap();
    assert!(!list.to_string().contains("Taking a break"));
    assert_eq!(
        app.get(&format!("/api/v1/mentors/{maya_id}"), None)
            .await
            .status(),
        StatusCode::OK
    );
}

async fn operators_grant_roles(app: App) {
    let op = app.operator().await;
    // The list pages: two at a time, after the last id, until a short page.
    let mut ids = Vec::new();
    let mut after = 0;
    loop {
        let page: Value = app
            .get(&format!("/api/v1/users?limit=2&after={after}"), Some(&op))
            .await
            .json()
            .await
            .unwrap();
        let page = page.as_array().unwrap().clone();
        ids.extend(page.iter().map(|u| u["id"].as_i64().unwrap()));
        if page.len() < 2 {
            break;
        }
        after = *ids.last().unwrap();
    }
    let everyone: Value = app
        .get("/api/v1/users?limit=500", Some(&op))
        .await
        .json()
        .await
        .unwrap();
    let all: Vec<i64> = everyone
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, all);
    expect_error(
        app.get("/api/v1/users?limit=0", Some(&op)).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    let users: Value = app
        .get("/api/v1/users", Some(&op))
        .await
        .json()
        .await
        .unwrap();
    let sam = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == "sam@stint.example")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let r: Value = app
        .post(
            &format!("/api/v1/users/{sam}/roles"),
            Some(&op),
            json!({"role": "mentor"}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(r["roles"], json!(["mentee", "mentor"]));
    expect_error(
        app.post(
            &format!("/api/v1/users/{sam}/roles"),
            Some(&op),
            json!({"role": "king"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    expect_error(
        app.post(
            "/api/v1/users/999999/roles",
            Some(&op),
            json!({"role": "mentor"}),
        )
        .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    let r = app
        .http
        .delete(app.url(&format!("/api/v1/users/{sam}/roles/mentor")))
        .bearer_auth(&op)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let me: Value = app.get("/api/v1/me", Some(&op)).await.json().await.unwrap();
    let r = app
        .http
        .delete(app.url(&format!("/api/v1/users/{}/roles/operator", me["id"])))
        .bearer_auth(&op)
        .send()
        .await
        .unwrap();
    expect_error(r, StatusCode::CONFLICT, "conflict").await;
    let sam_token = app.login("sam@stint.example", DEMO_PASSWORD).await;
    let r = app
        .post(
            &format!("/api/v1/users/{sam}/roles"),
            Some(&sam_token),
            json!({"role": "operator"}),
        )
        .await;
    expect_error(r, StatusCode::FORBIDDEN, "forbidden").await;
}

async fn unknown_routes_are_json_404s(app: App) {
    expect_error(
        app.get("/api/v1/nothing-here", None).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    let page = app.get("/nothing-here", None).await;
    assert_eq!(page.status(), StatusCode::NOT_FOUND);
    assert!(page.text().await.unwrap().contains("Page not found"));
}

async fn answers_are_compressed_when_the_client_accepts_it(app: App) {
    for (accepts, want) in [
        ("gzip", Some("gzip")),
        ("br", Some("br")),
        ("identity", None),
    ] {
        let r = app
            .http
            .get(app.url("/api/v1/openapi.json"))
            .header("accept-encoding", accepts)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let encoding = r
            .headers()
            .get("content-encoding")
            .map(|v| v.to_str().unwrap().to_string());
        assert_eq!(encoding.as_deref(), want, "Accept-Encoding: {accepts}");
        let body = r.bytes().await.unwrap();
        if want.is_some() {
            assert!(
                serde_json::from_slice::<Value>(&body).is_err(),
                "the body is compressed"
            );
        } else {
            assert!(serde_json::from_slice::<Value>(&body).is_ok());
        }
    }
}
