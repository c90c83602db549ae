//! The operator's view of the durable job queue, over real HTTP on SQLite and (when
//! `STINT_TEST_POSTGRES_URL` is set; required with `CI=true`) PostgreSQL: the JSON API at
//! `/api/v1/operator/jobs` and the page at `/operator/jobs`. Jobs are seeded straight
//! through the store, in every state, so the tests do not depend on any worker running.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod common;

use common::{App, browser, expect_error, log_in, page};
use jiff::{SignedDuration, Timestamp};
use reqwest::StatusCode;
use serde_json::{Value, json};
use stint_server::demo::DEMO_PASSWORD;
use stint_store::{Enqueued, JobState, NewJob};

on_both_backends!(App;
    operator_lists_jobs_by_state_with_counts,
    bad_filters_are_422_naming_the_field,
    the_jobs_api_is_for_operators_only,
    retry_queues_a_dead_job_again_once,
    retry_refuses_while_a_live_job_holds_the_dedupe_key,
    the_page_shows_errors_escaped_and_retries_with_csrf,
    the_page_is_for_operators_only,
);

/// An error text that would run as script if a page printed it raw.
const HOSTILE_ERROR: &str =
    "<script>alert('pwned')</script> SMTP 550 & \"mailbox full\"\nsecond line";

/// One job of each state, all ours.
struct Seeded {
    queued: i64,
    running: i64,
    done: i64,
    dead: i64,
    /// The dead job's dedupe key.
    dead_key: String,
}

fn new_job(kind: &str, payload: Value, key: Option<&str>, due_at: Timestamp) -> NewJob {
    NewJob {
        kind: kind.to_string(),
        payload: payload.to_string(),
        dedupe_key: key.map(str::to_string),
        due_at,
        max_attempts: 1,
    }
}

async fn enqueue(app: &App, job: &NewJob, now: Timestamp) -> i64 {
    match app.store.enqueue(job, now).await.unwrap() {
        Enqueued::New(id) => id,
        Enqueued::Duplicate(id) => panic!("job {id} already holds {:?}", job.dedupe_key),
    }
}

/// Seeds a running, a done and a dead job (leased by worker `w1` and finished through the
/// store) and a queued one due tomorrow. Their due times are long past so a lease takes
/// them before anything the demo data may have queued.
async fn seed(app: &App) -> Seeded {
    let now = app.clock_now();
    // Before the demo's history (ten weeks of sessions, each with its outbox job).
    let past = now - SignedDuration::from_hours(24 * 400);
    let running = enqueue(
        app,
        &new_job(
            "nudge.prep",
            json!({"booking_id": 1}),
            Some("nudge:1"),
            past,
        ),
        now,
    )
    .await;
    let dead = enqueue(
        app,
        &new_job(
            "delivery.email",
            json!({"delivery_id": 7}),
            Some("delivery:7"),
            past + SignedDuration::from_secs(1),
        ),
        now,
    )
    .await;
    let done = enqueue(
        app,
        &new_job(
            "sweep.sessions",
            json!({}),
            None,
            past + SignedDuration::from_secs(2),
        ),
        now,
    )
    .await;
    let leased = app
        .store
        .lease_jobs("w1", now, now + SignedDuration::from_hours(24), 3)
        .await
        .unwrap();
    let mut ids: Vec<i64> = leased.iter().map(|j| j.id).collect();
    ids.sort();
    assert_eq!(ids, vec![running, dead, done], "the lease took our jobs");
    assert!(
        app.store
            .fail_job(dead, "w1", HOSTILE_ERROR, None, now)
            .await
            .unwrap()
    );
    assert!(app.store.complete_job(done, "w1", now).await.unwrap());
    let queued = enqueue(
        app,
        &new_job(
            "nudge.followup",
            json!({"booking_id": 2}),
            Some("nudge:2"),
            now + SignedDuration::from_hours(24),
        ),
        now,
    )
    .await;
    Seeded {
        queued,
        running,
        done,
        dead,
        dead_key: "delivery:7".into(),
    }
}

trait Now {
    fn clock_now(&self) -> Timestamp;
}

impl Now for App {
    fn clock_now(&self) -> Timestamp {
        use stint_domain::clock::Clock;
        self.clock.now()
    }
}

fn counts(body: &Value) -> [u64; 4] {
    let c = &body["counts"];
    ["queued", "running", "done", "dead"].map(|k| c[k].as_u64().unwrap())
}

fn ids(body: &Value) -> Vec<i64> {
    body["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["id"].as_i64().unwrap())
        .collect()
}

async fn list(app: &App, token: &str, query: &str) -> Value {
    let r = app
        .get(&format!("/api/v1/operator/jobs{query}"), Some(token))
        .await;
    assert_eq!(r.status(), StatusCode::OK, "{query}");
    r.json().await.unwrap()
}

async fn operator_lists_jobs_by_state_with_counts(app: App) {
    let token = app.operator().await;
    let before = counts(&list(&app, &token, "").await);
    let s = seed(&app).await;
    let all = list(&app, &token, "").await;
    let after = counts(&all);
    assert_eq!(
        [0, 1, 2, 3].map(|i| after[i] - before[i]),
        [1, 1, 1, 1],
        "one more job in each state: {all}"
    );
    for id in [s.queued, s.running, s.done, s.dead] {
        assert!(ids(&all).contains(&id), "job {id} listed: {all}");
    }
    assert_eq!(all["tz"], "Europe/London");

    for (state, id) in [
        ("queued", s.queued),
        ("running", s.running),
        ("done", s.done),
        ("dead", s.dead),
    ] {
        let body = list(&app, &token, &format!("?state={state}")).await;
        assert!(ids(&body).contains(&id), "{state}: {body}");
        for j in body["jobs"].as_array().unwrap() {
            assert_eq!(j["state"], state, "{body}");
        }
        assert_eq!(counts(&body), after, "counts ignore the filter");
    }

    let dead = list(&app, &token, "?state=dead").await;
    let job = dead["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["id"] == s.dead)
        .unwrap()
        .clone();
    assert_eq!(job["kind"], "delivery.email");
    assert_eq!(job["payload"], json!({"delivery_id": 7}));
    assert_eq!(job["dedupe_key"], s.dead_key);
    assert_eq!(job["last_error"], HOSTILE_ERROR);
    assert_eq!(job["worker"], "w1");
    assert_eq!(
        (job["attempts"].as_u64(), job["max_attempts"].as_u64()),
        (Some(1), Some(1))
    );
    // Times are RFC 3339 with London's offset at that instant.
    let updated = job["updated_at"].as_str().unwrap();
    let parsed: Timestamp = updated.parse().unwrap();
    let london = jiff::tz::TimeZone::get("Europe/London").unwrap();
    let offset = parsed.to_zoned_datetime(london).strftime("%:z").to_string();
    assert!(updated.ends_with(&offset), "{updated} in London ({offset})");
    assert!(job["due_at"].as_str().unwrap().parse::<Timestamp>().is_ok());

    let one = list(&app, &token, "?limit=1").await;
    assert_eq!(one["jobs"].as_array().unwrap().len(), 1, "{one}");
    let both = list(&app, &token, "?state=running&limit=500").await;
    assert!(ids(&both).contains(&s.running));
}

async fn bad_filters_are_422_naming_the_field(app: App) {
    let token = app.operator().await;
    for (query, field) in [
        ("?state=zombie", "state"),
        ("?state=", "state"),
        ("?state=Dead", "state"),
        ("?limit=0", "limit"),
        ("?limit=501", "limit"),
        ("?limit=-1", "limit"),
        ("?limit=ten", "limit"),
        ("?limit=", "limit"),
        ("?limit=99999999999999999999", "limit"),
        ("?color=red", "color"),
    ] {
        let r = app
            .get(&format!("/api/v1/operator/jobs{query}"), Some(&token))
            .await;
        let e = expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert!(e["fields"][field].is_string(), "{query}: {e}");
    }
    // Both bad at once: both named.
    let r = app
        .get("/api/v1/operator/jobs?state=x&limit=0", Some(&token))
        .await;
    let e = expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert!(
        e["fields"]["state"].is_string() && e["fields"]["limit"].is_string(),
        "{e}"
    );
}

async fn the_jobs_api_is_for_operators_only(app: App) {
    let s = seed(&app).await;
    let mentee = app.login("sam@stint.example", DEMO_PASSWORD).await;
    let mentor = app.login("maya@stint.example", DEMO_PASSWORD).await;
    let retry = format!("/api/v1/operator/jobs/{}/retry", s.dead);
    for token in [&mentee, &mentor] {
        for path in ["/api/v1/operator/jobs", "/api/v1/operator/jobs?state=dead"] {
            let r = app.get(path, Some(token)).await;
            expect_error(r, StatusCode::FORBIDDEN, "forbidden").await;
        }
        // The role is checked before the query, so a bad query says nothing either.
        let r = app
            .get("/api/v1/operator/jobs?state=zombie", Some(token))
            .await;
        expect_error(r, StatusCode::FORBIDDEN, "forbidden").await;
        let r = app.post(&retry, Some(token), json!({})).await;
        expect_error(r, StatusCode::FORBIDDEN, "forbidden").await;
    }
    let r = app.get("/api/v1/operator/jobs", None).await;
    expect_error(r, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    let r = app.post(&retry, None, json!({})).await;
    expect_error(r, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    let job = app.store.job(s.dead).await.unwrap().unwrap();
    assert_eq!(job.state, JobState::Dead, "nothing was retried");
}

async fn retry_queues_a_dead_job_again_once(app: App) {
    let token = app.operator().await;
    let s = seed(&app).await;
    let before = app.clock_now();
    let path = format!("/api/v1/operator/jobs/{}/retry", s.dead);
    let r = app.post(&path, Some(&token), json!({})).await;
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    assert_eq!(
        (body["id"].as_i64(), &body["state"]),
        (Some(s.dead), &json!("queued"))
    );

    let job = app.store.job(s.dead).await.unwrap().unwrap();
    assert_eq!(job.state, JobState::Queued);
    assert!(
        job.due_at >= before - SignedDuration::from_secs(1),
        "due now"
    );
    assert!(
        job.due_at <= app.clock_now() + SignedDuration::from_secs(1),
        "due now"
    );
    let listed = list(&app, &token, "?state=queued").await;
    assert!(ids(&listed).contains(&s.dead));
    let dead = list(&app, &token, "?state=dead").await;
    assert!(!ids(&dead).contains(&s.dead));

    // Once queued it is no longer dead: a second retry finds nothing to retry.
    let r = app.post(&path, Some(&token), json!({})).await;
    let e = expect_error(r, StatusCode::NOT_FOUND, "not_found").await;
    assert!(e["message"].as_str().unwrap().contains("dead job"), "{e}");
    // Nor can live, finished or missing jobs be retried.
    for id in [s.queued, s.running, s.done, 987_654_321] {
        let r = app
            .post(
                &format!("/api/v1/operator/jobs/{id}/retry"),
                Some(&token),
                json!({}),
            )
            .await;
        expect_error(r, StatusCode::NOT_FOUND, "not_found").await;
    }
    let r = app
        .post("/api/v1/operator/jobs/abc/retry", Some(&token), json!({}))
        .await;
    expect_error(r, StatusCode::NOT_FOUND, "not_found").await;
    assert_eq!(
        app.store.job(s.running).await.unwrap().unwrap().state,
        JobState::Running
    );
}

async fn retry_refuses_while_a_live_job_holds_the_dedupe_key(app: App) {
    let token = app.operator().await;
    let s = seed(&app).await;
    let now = app.clock_now();
    // The same work was planned again after the job died.
    let again = enqueue(
        &app,
        &new_job(
            "delivery.email",
            json!({"delivery_id": 7}),
            Some(&s.dead_key),
            now + SignedDuration::from_hours(1),
        ),
        now,
    )
    .await;
    let path = format!("/api/v1/operator/jobs/{}/retry", s.dead);
    let r = app.post(&path, Some(&token), json!({})).await;
    let e = expect_error(r, StatusCode::CONFLICT, "conflict").await;
    assert!(e["fields"]["dedupe_key"].is_string(), "{e}");
    assert_eq!(
        app.store.job(s.dead).await.unwrap().unwrap().state,
        JobState::Dead,
        "still dead"
    );
    assert_eq!(
        app.store.job(again).await.unwrap().unwrap().state,
        JobState::Queued
    );
}

/// Reads back text an HTML template escaped (named and numeric character references).
fn unescape(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let end = rest[i..].find(';').expect("a terminated reference") + i;
        let name = &rest[i + 1..end];
        let c = match name {
            "lt" => '<',
            "gt" => '>',
            "amp" => '&',
            "quot" => '"',
            "apos" => '\'',
            _ if name.starts_with("#x") || name.starts_with("#X") => {
                char::from_u32(u32::from_str_radix(&name[2..], 16).unwrap()).unwrap()
            }
            _ if name.starts_with('#') => char::from_u32(name[1..].parse().unwrap()).unwrap(),
            _ => panic!("unknown reference &{name};"),
        };
        out.push(c);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

// ---- the page ------------------------------------------------------------------------

async fn the_page_shows_errors_escaped_and_retries_with_csrf(app: App) {
    let s = seed(&app).await;
    let client = browser();
    log_in(&app, &client, "operator@stint.example").await;

    let (status, console, _) = page(&app, &client, "/operator").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        console.contains("href=\"/operator/jobs\""),
        "linked from the console"
    );

    let (status, body, csrf) = page(&app, &client, "/operator/jobs").await;
    assert_eq!(status, StatusCode::OK);
    // The error is shown in full, escaped: never as markup.
    assert!(!body.contains("<script>alert"), "raw error in the page");
    let shown = body
        .split("<pre class=\"job-error\">")
        .nth(1)
        .and_then(|rest| rest.split("</pre>").next())
        .unwrap_or_default();
    assert!(
        !shown.is_empty() && !shown.contains('<') && !shown.contains('>'),
        "no markup in the error: {shown}"
    );
    assert_eq!(unescape(shown), HOSTILE_ERROR, "the whole error, escaped");
    // Accessible markup: a caption, column and row headers, a labelled filter.
    assert!(body.contains("<caption>"));
    assert!(body.contains("<th scope=\"col\">Last error</th>"));
    assert!(body.contains("<th scope=\"row\">"));
    assert!(body.contains("<label for=\"f-state\">State</label>"));
    assert!(body.contains("<select id=\"f-state\" name=\"state\""));
    // Retry only on the dead job.
    let retry = format!("action=\"/operator/jobs/{}/retry\"", s.dead);
    assert!(body.contains(&retry), "retry form for the dead job");
    for id in [s.queued, s.running, s.done] {
        assert!(!body.contains(&format!("action=\"/operator/jobs/{id}/retry\"")));
    }

    // The filter shows one state.
    let (status, done, _) = page(&app, &client, "/operator/jobs?state=done").await;
    assert_eq!(status, StatusCode::OK);
    assert!(done.contains(&format!("id=\"job-{}\"", s.done)));
    assert!(!done.contains(&format!("id=\"job-{}\"", s.dead)));
    let (status, _, _) = page(&app, &client, "/operator/jobs?state=zombie").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // Without the token (or with a forged one) nothing changes.
    let url = app.url(&format!("/operator/jobs/{}/retry", s.dead));
    let r = client
        .post(&url)
        .form(&[("state", "dead")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let forged = "0".repeat(64);
    let r = client
        .post(&url)
        .form(&[("csrf", forged.as_str()), ("state", "dead")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        app.store.job(s.dead).await.unwrap().unwrap().state,
        JobState::Dead,
        "a POST without the CSRF token retried nothing"
    );

    // With it: back to the page with a confirmation.
    let r = client
        .post(&url)
        .form(&[("csrf", csrf.as_str()), ("state", "dead")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(
        location,
        format!("/operator/jobs?retried={}&state=dead", s.dead)
    );
    assert_eq!(
        app.store.job(s.dead).await.unwrap().unwrap().state,
        JobState::Queued
    );
    let (status, back, _) = page(&app, &client, &location).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        back.contains(&format!("Job {} is queued again", s.dead)),
        "confirmation shown"
    );
    assert!(back.contains("role=\"status\""));

    // Again: the page comes back with the error, and no redirect.
    let r = client
        .post(&url)
        .form(&[("csrf", csrf.as_str()), ("state", "dead")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let body = r.text().await.unwrap();
    assert!(body.contains("role=\"alert\""));
    assert!(
        body.contains(&format!("Job {} was not retried", s.dead)),
        "error shown on the page"
    );
    assert!(body.contains("<h1>Jobs</h1>"), "the jobs page, re-shown");
}

async fn the_page_is_for_operators_only(app: App) {
    let s = seed(&app).await;
    for email in ["sam@stint.example", "maya@stint.example"] {
        let client = browser();
        log_in(&app, &client, email).await;
        let (status, body, _) = page(&app, &client, "/operator/jobs").await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{email}");
        assert!(!body.contains("pwned"), "{email} sees no job");
        // A valid token of their own does not make them an operator.
        let (_, _, csrf) = page(&app, &client, "/dashboard").await;
        assert_eq!(csrf.len(), 64);
        let r = client
            .post(app.url(&format!("/operator/jobs/{}/retry", s.dead)))
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{email}");
    }
    assert_eq!(
        app.store.job(s.dead).await.unwrap().unwrap().state,
        JobState::Dead
    );
    // Logged out: sent to log in.
    let r = browser()
        .get(app.url("/operator/jobs"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(
        r.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/login")
    );
}
