//! What operators see of a running Stint, over real HTTP on SQLite and (when
//! `STINT_TEST_POSTGRES_URL` is set; required with `CI=true`) PostgreSQL: `/metrics` in
//! Prometheus's text format (read by Python's `prometheus_client` parser, the reference
//! reader), counters that move with the work, request ids on every answer, error bodies and
//! pages, the access log line of each request (with the route template, never a secret),
//! and `/readyz`, with and without a worker in the process.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod common;

use common::{App, expect_error};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use stint_domain::clock::Clock;
use stint_server::demo::DEMO_PASSWORD;

on_both_backends!(App;
    metrics_parse_as_prometheus_text [peer_prometheus_client, "needs Python's prometheus_client: python3 -m pip install prometheus-client"],
    bookings_made_and_refused_are_counted,
    the_job_queue_is_read_when_scraped,
    the_metric_definitions_page_moved_aside,
    every_answer_has_a_request_id,
    a_sane_incoming_request_id_is_kept_and_others_replaced,
    errors_carry_the_request_id,
    each_request_logs_one_access_line_without_secrets,
    readyz_is_ready_without_a_worker,
    readyz_watches_the_worker_beside_the_server,
);

const SKU: &str = "negotiation-clinic-45";

/// `/metrics` as text, after checking its status and content type.
async fn scrape(app: &App) -> String {
    let r = app.get("/metrics", None).await;
    assert_eq!(r.status(), StatusCode::OK);
    let ct = r.headers()["content-type"].to_str().unwrap().to_string();
    assert!(ct.starts_with("text/plain; version=0.0.4"), "{ct}");
    r.text().await.unwrap()
}

/// The value of the one sample written exactly `series` (`name` or `name{labels}`), or 0
/// when the series does not exist yet.
fn sample(text: &str, series: &str) -> f64 {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .find_map(|l| {
            let (name, value) = l.rsplit_once(' ')?;
            (name == series).then(|| value.parse().unwrap())
        })
        .unwrap_or(0.0)
}

/// Books the first free slot of `SKU` for `token`; returns the booking's id.
async fn book_one(app: &App, token: &str) -> i64 {
    for slot in &app.slots_in_days(SKU, 3, 10).await {
        let r = app
            .post(
                "/api/v1/bookings",
                Some(token),
                json!({"sku": SKU, "mentor_id": slot["mentor_id"], "start": slot["start"]}),
            )
            .await;
        if r.status() == StatusCode::CREATED {
            let b: Value = r.json().await.unwrap();
            return b["id"].as_i64().unwrap();
        }
    }
    panic!("no free slot of {SKU}");
}

/// One sample as Python reads it: its name, labels (a JSON object) and value.
type Sample = (String, Value, f64);

/// The families (name to type) and samples Python's `prometheus_client` reads from `text`;
/// a text it cannot parse fails the test with Python's error.
fn parse_with_python(text: &str) -> (BTreeMap<String, String>, Vec<Sample>) {
    const SCRIPT: &str = r#"
import json, sys
from prometheus_client.parser import text_string_to_metric_families
families, samples = {}, []
for f in text_string_to_metric_families(sys.stdin.read()):
    families[f.name] = f.type
    for s in f.samples:
        samples.append([s.name, s.labels, s.value])
print(json.dumps({"families": families, "samples": samples}))
"#;
    let mut child = std::process::Command::new(stint_testkit::python())
        .args(["-c", SCRIPT])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python3");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "prometheus_client could not parse /metrics: {}\n{text}",
        String::from_utf8_lossy(&out.stderr)
    );
    let parsed: Value = serde_json::from_slice(&out.stdout).unwrap();
    let families = parsed["families"]
        .as_object()
        .unwrap()
        .iter()
        // The parser names a counter's family with or without `_total`, by version.
        .map(|(k, v)| {
            (
                k.trim_end_matches("_total").to_string(),
                v.as_str().unwrap().to_string(),
            )
        })
        .collect();
    let samples = parsed["samples"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s[0].as_str().unwrap().to_string(),
                s[1].clone(),
                s[2].as_f64().unwrap(),
            )
        })
        .collect();
    (families, samples)
}

async fn metrics_parse_as_prometheus_text(app: App) {
    let sam = app.login("sam@stint.example", DEMO_PASSWORD).await;
    let id = book_one(&app, &sam).await;
    let r = app.get(&format!("/api/v1/bookings/{id}"), Some(&sam)).await;
    assert_eq!(r.status(), StatusCode::OK);
    // A refusal, so the labelled counter has a series.
    let r = app
        .post(
            "/api/v1/bookings",
            Some(&sam),
            json!({"sku": SKU, "mentor_id": 1, "start": "not a time"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let (families, samples) = parse_with_python(&scrape(&app).await);
    for (family, kind) in [
        ("stint_http_requests", "counter"),
        ("stint_http_request_duration_seconds", "histogram"),
        ("stint_bookings_made", "counter"),
        ("stint_bookings_refused", "counter"),
        ("stint_nudges_sent", "counter"),
        ("stint_nudges_failed", "counter"),
        ("stint_jobs", "gauge"),
        ("stint_jobs_oldest_due_age_seconds", "gauge"),
        ("stint_db_connections", "gauge"),
        ("stint_db_connections_max", "gauge"),
    ] {
        assert_eq!(
            families.get(family).map(String::as_str),
            Some(kind),
            "{family} in {families:?}"
        );
    }
    let has = |name: &str, labels: Value| {
        samples
            .iter()
            .any(|(n, l, v)| n == name && *v >= 1.0 && json_contains(l, &labels))
    };
    // Requests are labelled by their route template, not by the id in the path.
    assert!(has(
        "stint_http_requests_total",
        json!({"method": "GET", "route": "/api/v1/bookings/{id}", "status": "200"})
    ));
    assert!(!samples.iter().any(|(_, l, _)| {
        l["route"]
            .as_str()
            .is_some_and(|r| r.contains(&id.to_string()))
    }));
    assert!(has(
        "stint_http_request_duration_seconds_count",
        json!({"route": "/api/v1/bookings/{id}"})
    ));
    assert!(has("stint_bookings_made_total", json!({})));
    assert!(has(
        "stint_bookings_refused_total",
        json!({"reason": "validation_failed"})
    ));
    // The pool that served the scrape has at least one connection open and a limit.
    assert!(
        samples
            .iter()
            .any(|(n, l, v)| n == "stint_db_connections_max" && l["pool"].is_string() && *v >= 1.0),
        "stint_db_connections_max"
    );
    let open: f64 = samples
        .iter()
        .filter(|(n, _, _)| n == "stint_db_connections")
        .map(|(_, _, v)| v)
        .sum();
    assert!(open >= 1.0, "{open} database connections open");
    for state in ["queued", "running", "done", "dead"] {
        assert!(
            samples
                .iter()
                .any(|(n, l, _)| n == "stint_jobs" && l["state"] == state),
            "stint_jobs{{state={state}}}"
        );
    }
}

/// Whether every label of `want` is in `labels` with the same value.
fn json_contains(labels: &Value, want: &Value) -> bool {
    want.as_object()
        .unwrap()
        .iter()
        .all(|(k, v)| labels.get(k) == Some(v))
}

async fn bookings_made_and_refused_are_counted(app: App) {
    let made = "stint_bookings_made_total";
    let refused = r#"stint_bookings_refused_total{reason="validation_failed"}"#;
    let before = scrape(&app).await;
    let sam = app.login("sam@stint.example", DEMO_PASSWORD).await;
    book_one(&app, &sam).await;
    let bad = app
        .post(
            "/api/v1/bookings",
            Some(&sam),
            json!({"sku": SKU, "mentor_id": 1, "start": "yesterday-ish"}),
        )
        .await;
    expect_error(bad, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let after = scrape(&app).await;
    // Other tests of this process may count too: the counters only ever grow.
    assert!(
        sample(&after, made) >= sample(&before, made) + 1.0,
        "{after}"
    );
    assert!(
        sample(&after, refused) >= sample(&before, refused) + 1.0,
        "{after}"
    );
}

async fn the_job_queue_is_read_when_scraped(app: App) {
    let now = app.clock.now();
    let due = now - jiff::SignedDuration::from_hours(1);
    let job = stint_store::NewJob {
        kind: "test.waiting".into(),
        payload: "{}".into(),
        dedupe_key: None,
        due_at: due,
        max_attempts: 1,
    };
    app.store.enqueue(&job, now).await.unwrap();
    // No worker runs beside the test server, so the job waits.
    let text = scrape(&app).await;
    assert!(
        sample(&text, r#"stint_jobs{state="queued"}"#) >= 1.0,
        "{text}"
    );
    let age = sample(&text, "stint_jobs_oldest_due_age_seconds");
    assert!(age >= 3600.0, "{text}");
}

async fn the_metric_definitions_page_moved_aside(app: App) {
    let r = app.get("/metrics/definitions", None).await;
    assert_eq!(r.status(), StatusCode::OK);
    let ct = r.headers()["content-type"].to_str().unwrap().to_string();
    assert!(ct.starts_with("text/html"), "{ct}");
    assert!(r.text().await.unwrap().contains("mini-win"));
    // Both are documented for operators; neither needs a log-in.
    let doc: Value = app
        .get("/api/v1/openapi.json", None)
        .await
        .json()
        .await
        .unwrap();
    for path in ["/metrics", "/readyz", "/healthz"] {
        let op = &doc["paths"][path]["get"];
        assert_eq!(op["tags"], json!(["meta"]), "{path}");
        assert!(op["security"].is_null(), "{path}");
    }
    let ids: Vec<&str> = doc["paths"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|item| item.as_object().unwrap().values())
        .filter_map(|op| op["operationId"].as_str())
        .collect();
    for id in ["prometheus", "readyz", "healthz", "metrics"] {
        assert_eq!(
            ids.iter().filter(|i| **i == id).count(),
            1,
            "operation id {id} is unique"
        );
    }
    assert!(
        doc["components"]["schemas"]["ErrorDetail"]["required"]
            .as_array()
            .unwrap()
            .contains(&json!("request_id"))
    );
}

/// The request id of a response, checked to be a sane token.
fn request_id(r: &reqwest::Response) -> String {
    let id = r
        .headers()
        .get("x-request-id")
        .unwrap_or_else(|| panic!("no x-request-id on {}", r.url()))
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        !id.is_empty()
            && id.len() <= 64
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)),
        "{id}"
    );
    id
}

async fn every_answer_has_a_request_id(app: App) {
    let mut seen = std::collections::BTreeSet::new();
    for path in [
        "/",
        "/healthz",
        "/readyz",
        "/metrics",
        "/api/v1/skus",
        "/api/v1/me",
        "/api/v1/no-such-route",
        "/no-such-page",
        "/static/style.css",
        "/calendar/not-a-feed.ics",
    ] {
        let r = app.get(path, None).await;
        assert!(seen.insert(request_id(&r)), "ids are fresh per request");
    }
    // Answers that no handler wrote: a wrong method, a body too large.
    let r = app
        .http
        .delete(app.url("/api/v1/skus"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
    request_id(&r);
    let r = app
        .http
        .post(app.url("/api/v1/auth/login"))
        .header("content-type", "application/json")
        .body(vec![b' '; stint_web::BODY_LIMIT + 1])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    request_id(&r);
}

async fn a_sane_incoming_request_id_is_kept_and_others_replaced(app: App) {
    let get = |id: String| {
        app.http
            .get(app.url("/healthz"))
            .header("x-request-id", id)
            .send()
    };
    for sane in ["edge-7f3a.1_b", &"a".repeat(64)] {
        let r = get(sane.to_string()).await.unwrap();
        assert_eq!(request_id(&r), sane);
    }
    for insane in ["", "has space", "<b>", "semi;colon", &"a".repeat(65)] {
        let r = get(insane.to_string()).await.unwrap();
        let id = request_id(&r);
        assert_ne!(id, insane);
        assert_eq!(id.len(), 32, "a fresh id: {id}");
    }
}

async fn errors_carry_the_request_id(app: App) {
    // The API's error shape, from a handler and from the fallback.
    for path in [
        "/api/v1/me",
        "/api/v1/no-such-route",
        "/api/v1/skus/no-such-sku",
    ] {
        let r = app.get(path, None).await;
        assert!(r.status().is_client_error(), "{path}");
        let id = request_id(&r);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"]["request_id"], id, "{path}: {body}");
    }
    // A caller's own id is the one quoted back.
    let r = app
        .http
        .get(app.url("/api/v1/me"))
        .header("x-request-id", "support-case-42")
        .send()
        .await
        .unwrap();
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["request_id"], "support-case-42");
    // Error pages show it small, for the user to quote.
    for path in ["/no-such-page", "/mentors/999999"] {
        let r = app.get(path, None).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
        let id = request_id(&r);
        let html = r.text().await.unwrap();
        assert!(
            html.contains(&format!("Reference: <code>{id}</code>")),
            "{path}: {html}"
        );
    }
}

/// Everything the tests of this process log, from the first call on.
fn captured_logs() -> Arc<Mutex<Vec<u8>>> {
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOGS.get_or_init(|| {
        let logs = Arc::new(Mutex::new(Vec::new()));
        let sink = logs.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new("info,sqlx=warn"))
            .with_ansi(false)
            .with_writer(move || Sink(sink.clone()))
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("one log subscriber");
        logs
    })
    .clone()
}

struct Sink(Arc<Mutex<Vec<u8>>>);

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

async fn each_request_logs_one_access_line_without_secrets(app: App) {
    let logs = captured_logs();
    let sam = app.login("sam@stint.example", DEMO_PASSWORD).await;
    let r = app
        .post("/api/v1/me/calendar-feed", Some(&sam), json!({}))
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let feed: Value = r.json().await.unwrap();
    let url = feed["url"].as_str().unwrap();
    let secret = url
        .rsplit('/')
        .next()
        .unwrap()
        .trim_end_matches(".ics")
        .to_string();
    // Unique to this test, so its lines can be told from other tests' in this process.
    let rid = format!("obs-{}", &secret[..12.min(secret.len())]);
    let path = &url[url.find("/calendar/").unwrap()..];
    let r = app
        .http
        .get(app.url(&format!("{path}?token=also-secret")))
        .header("x-request-id", &rid)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(request_id(&r), rid);
    let _ = r.text().await.unwrap();

    let text = String::from_utf8_lossy(&logs.lock().unwrap()).to_string();
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| l.contains(&format!("request_id={rid}")) && l.contains("answered"))
        .collect();
    assert_eq!(lines.len(), 1, "one access line: {lines:?}");
    let line = lines[0];
    assert!(line.contains(" INFO "), "{line}");
    for part in [
        "method=GET",
        "route=/calendar/{file}",
        "status=200",
        "duration_ms=",
    ] {
        assert!(line.contains(part), "{part} in {line}");
    }
    assert!(!text.contains(&secret), "the feed's secret was logged");
    assert!(!text.contains("also-secret"), "a query string was logged");
}

async fn readyz_is_ready_without_a_worker(app: App) {
    let r = app.get("/readyz", None).await;
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["status"], "ready", "{body}");
    assert_eq!(
        body["checks"],
        json!([{"name": "database", "ready": true, "detail": "ok"}])
    );
}

async fn readyz_watches_the_worker_beside_the_server(app: App) {
    app.clear_queue().await;
    let config = app.worker_config();
    let clock: Arc<dyn Clock> = app.clock.clone();
    let worker = stint_server::worker::build(app.store.clone(), clock.clone(), &config).unwrap();
    let state = stint_server::state(&config, app.store.clone(), clock);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let node = tokio::spawn(stint_server::serve_with_worker(
        listener,
        state,
        Some(worker),
        async move {
            let _ = stopped.await;
        },
    ));
    // The worker's first pass comes at once; give a slow machine a few seconds.
    let mut body = Value::Null;
    for _ in 0..50 {
        let r = app.http.get(format!("{base}/readyz")).send().await.unwrap();
        let status = r.status();
        body = r.json().await.unwrap();
        if status == StatusCode::OK {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(body["status"], "ready", "{body}");
    let worker = body["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "worker")
        .cloned();
    assert_eq!(
        worker,
        Some(json!({"name": "worker", "ready": true, "detail": "ok"}))
    );
    // The worker's loop goes by the server's clock: an hour without a pass is stuck. The
    // loop passes again within a second, so the check sees it recover.
    app.clock.advance(jiff::SignedDuration::from_hours(1));
    let mut recovered = false;
    for _ in 0..50 {
        let r = app.http.get(format!("{base}/readyz")).send().await.unwrap();
        if r.status() == StatusCode::OK {
            recovered = true;
            break;
        }
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["status"], "not_ready", "{body}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        recovered,
        "the worker's next pass makes the node ready again"
    );
    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(30), node)
        .await
        .expect("the node stops")
        .unwrap()
        .unwrap();
}
