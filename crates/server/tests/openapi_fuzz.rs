//! The OpenAPI document checked by `openapi-spec-validator` (and for schema names that two
//! types would share), then Schemathesis against the running server: thousands of generated
//! requests, valid and invalid, for every operation in the OpenAPI document. It fails on any 5xx, any status
//! or body the document does not describe, and any invalid request that is accepted.
//! Needs the `st` command (`pip install schemathesis`): without it the test is reported as
//! ignored, except with `CI=true`, where it fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use stint_server::demo::{self, DEMO_PASSWORD};
use stint_testkit::Peer;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(peer_schemathesis),
    ignore = "needs Schemathesis's `st` on PATH: pip install schemathesis==4.32.5, then touch crates/server/build.rs"
)]
async fn the_api_matches_its_openapi_document_under_generated_requests() {
    stint_testkit::require(Peer::Schemathesis);
    let Some(st) = stint_testkit::find_program("st") else {
        panic!("`st` is not on PATH");
    };
    let db = stint_store::testing::fresh_sqlite();
    let store = stint_store::open(db.url()).await.unwrap();
    // A fixed date, as every test server has (stint_testkit::TEST_EPOCH).
    let epoch: jiff::Timestamp = stint_testkit::TEST_EPOCH.parse().unwrap();
    demo::load(&store, epoch).await.unwrap();
    let clock = std::sync::Arc::new(stint_domain::clock::TravelClock::starting_at(epoch));
    let addr = stint_server::spawn_with_clock(store, clock).await.unwrap();
    let base = format!("http://{addr}");
    let login: serde_json::Value = reqwest::Client::new()
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({"email": "operator@stint.example", "password": DEMO_PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["token"].as_str().unwrap();
    let output = tokio::process::Command::new(st)
        .args([
            "run",
            &format!("{base}/api/v1/openapi.json"),
            "--url",
            &base,
        ])
        .args(["-H", &format!("Authorization: Bearer {token}")])
        // Every check except "schema-valid data must be accepted": the schema cannot say
        // that an e-mail must be unused or a zone must exist, so such 4xx are correct.
        .args([
            "--checks",
            "all",
            "--exclude-checks",
            "positive_data_acceptance",
        ])
        // Logging out (here or everywhere) or revoking a token by a guessed id would revoke
        // the token the rest of the run uses.
        .args(["--exclude-path", "/api/v1/auth/logout"])
        .args(["--exclude-path", "/api/v1/me/logout-everywhere"])
        .args(["--exclude-path", "/api/v1/me/tokens/{id}"])
        .args([
            "--max-examples",
            "25",
            "--workers",
            "2",
            "--seed",
            "20261125",
        ])
        .env("NO_COLOR", "1")
        .output()
        .await
        .unwrap();
    let report = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "schemathesis found problems:\n{report}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        report.contains("passed"),
        "schemathesis ran no test:\n{report}"
    );
}

/// The document is valid OpenAPI (operation ids unique among others) by Python's
/// `openapi-spec-validator`, and each schema name stands for one type: the availability
/// interval and the outcome rate interval are two schemas.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(peer_openapi_spec_validator),
    ignore = "needs Python's openapi-spec-validator: pip install openapi-spec-validator==0.9.0, then touch crates/server/build.rs"
)]
async fn the_openapi_document_is_valid() {
    stint_testkit::require(Peer::OpenapiSpecValidator);
    let db = stint_store::testing::fresh_sqlite();
    let store = stint_store::open(db.url()).await.unwrap();
    let addr = stint_server::spawn(store).await.unwrap();
    let doc: serde_json::Value = reqwest::get(format!("http://{addr}/api/v1/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("openapi.json");
    std::fs::write(&path, doc.to_string()).unwrap();
    let out = std::process::Command::new(stint_testkit::python())
        .args([
            "-c",
            "import json, sys\nfrom openapi_spec_validator import validate\nvalidate(json.load(open(sys.argv[1])))",
        ])
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "openapi-spec-validator: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let schemas = &doc["components"]["schemas"];
    let props = |name: &str| -> Vec<String> {
        let mut p: Vec<String> = schemas[name]["properties"]
            .as_object()
            .unwrap_or_else(|| panic!("no schema {name}"))
            .keys()
            .cloned()
            .collect();
        p.sort();
        p
    };
    assert_eq!(props("IntervalDto"), ["end", "start"]);
    assert_eq!(props("RateIntervalDto"), ["high", "low"]);
}
