//! Skill credentials on both backends: a mentee claims a signed Open Badges 3.0 credential for a
//! checkpoint reached, and an outside verifier (Python's jwcrypto, `support/verify_credential.py`)
//! resolves the issuer's did:web document, accepts the signature, and reads the revocation list;
//! a tampered copy and a revoked one are rejected, by it and by Stint's own verification. Claims
//! for a checkpoint not reached, by the mentor or by anyone else write nothing; sharing a link
//! and stopping work on the pages.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod common;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use common::{App, expect_error};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::io::Write;
use std::process::{Command, Stdio};
use stint_domain::clock::Clock;
use stint_domain::outcome::closing::CheckpointResult;
use stint_server::demo::DEMO_PASSWORD;

on_both_backends!(App;
    an_outside_verifier_accepts_issued_credentials_and_rejects_tampered_and_revoked [peer_jwcrypto, "needs jwcrypto: python3 -m pip install jwcrypto==1.6.2"],
    claims_are_refused_where_no_checkpoint_was_reached_and_write_nothing,
    a_shared_link_shows_the_credential_until_sharing_stops,
);

/// Two nodes on one database.
mod nodes {
    use super::*;

    on_both_backends!(App, url;
        every_node_signs_with_the_same_key_and_verifies_the_others,
    );

    async fn every_node_signs_with_the_same_key_and_verifies_the_others(app: App, url: String) {
        super::every_node_signs_with_the_same_key_and_verifies_the_others(app, url).await;
    }
}

const SAM: &str = "sam@stint.example";

/// Sam's closed sessions with the result `result`, from the demo's history.
async fn sams_sessions(app: &App, result: CheckpointResult) -> Vec<i64> {
    let sam = app.id_of(SAM).await;
    app.store
        .outcomes(stint_store::OutcomeFilter {
            mentee: Some(stint_domain::ids::UserId(sam)),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_iter()
        .filter(|o| o.checkpoint == result)
        .map(|o| o.booking_id.0)
        .collect()
}

/// What the outside verifier says of `jwt`.
fn outside_verifier(jwt: &str) -> Value {
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/support/verify_credential.py"
    );
    let mut child = Command::new(stint_testkit::python())
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(jwt.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "verifier failed: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_str(stdout.trim()).unwrap()
}

async fn body(r: reqwest::Response, status: StatusCode) -> Value {
    let got = r.status();
    let text = r.text().await.unwrap();
    assert_eq!(got, status, "{text}");
    serde_json::from_str(&text).unwrap()
}

/// Stint's own verdict on `jwt`, asked without an account.
async fn stint_verdict(app: &App, jwt: &str) -> String {
    let r = app
        .post(
            "/api/v1/credentials/verify",
            None,
            json!({"credential": jwt}),
        )
        .await;
    body(r, StatusCode::OK).await["status"]
        .as_str()
        .unwrap()
        .to_string()
}

/// `jwt` with its payload changed (the holder's name), the signature kept.
fn tampered(jwt: &str) -> String {
    let parts: Vec<&str> = jwt.split('.').collect();
    let mut payload: Value = serde_json::from_slice(&B64.decode(parts[1]).unwrap()).unwrap();
    payload["name"] = json!("Negotiation: Chief negotiator of the year");
    let forged = B64.encode(payload.to_string());
    format!("{}.{forged}.{}", parts[0], parts[2])
}

async fn an_outside_verifier_accepts_issued_credentials_and_rejects_tampered_and_revoked(app: App) {
    stint_testkit::require(stint_testkit::Peer::Jwcrypto);
    let booking = sams_sessions(&app, CheckpointResult::Reached).await[0];
    let sam = app.login(SAM, DEMO_PASSWORD).await;
    let path = format!("/api/v1/bookings/{booking}/credential");
    let r = app
        .post(
            &path,
            Some(&sam),
            json!({"include_name": true, "include_level": true, "include_evidence": true}),
        )
        .await;
    let issued = body(r, StatusCode::CREATED).await;
    let jwt = issued["jwt"].as_str().unwrap().to_string();
    let vc = &issued["credential"];
    assert_eq!(
        vc["type"],
        json!(["VerifiableCredential", "OpenBadgeCredential"])
    );
    assert_eq!(
        vc["credentialSubject"]["identifier"][0]["identityHash"],
        "Sam Okafor"
    );
    assert_eq!(
        vc["credentialSubject"]["achievement"]["achievementType"],
        "Competency"
    );
    // Claiming again answers the same credential.
    let again = body(app.post(&path, Some(&sam), json!({})).await, StatusCode::OK).await;
    assert_eq!(again["id"], issued["id"]);
    assert_eq!(again["jwt"], issued["jwt"]);

    // The outside verifier: the signature holds with the key the did:web document publishes,
    // and the revocation list does not list it.
    let seen = outside_verifier(&jwt);
    assert_eq!(seen["signature"], "valid", "{seen}");
    assert_eq!(seen["revoked"], false, "{seen}");
    assert!(
        seen["issuer"]
            .as_str()
            .unwrap()
            .starts_with("did:web:127.0.0.1%3A")
    );
    assert!(seen["bits"].as_i64().unwrap() >= 131_072, "{seen}");
    assert_eq!(stint_verdict(&app, &jwt).await, "valid");

    // A tampered copy: both reject it.
    let forged = tampered(&jwt);
    let seen = outside_verifier(&forged);
    assert_eq!(seen["signature"], "invalid", "{seen}");
    assert_eq!(stint_verdict(&app, &forged).await, "tampered");
    // Nonsense, and a credential signed by another key, are not valid either.
    assert_eq!(stint_verdict(&app, "not.a.credential").await, "tampered");

    // Revoked by its holder: the signature still holds, the list now says revoked.
    let id = issued["id"].as_i64().unwrap();
    let r = app
        .post(
            &format!("/api/v1/credentials/{id}/revoke"),
            Some(&sam),
            json!({}),
        )
        .await;
    assert!(body(r, StatusCode::OK).await["revoked_at"].is_string());
    let seen = outside_verifier(&jwt);
    assert_eq!(seen["signature"], "valid", "{seen}");
    assert_eq!(seen["revoked"], true, "{seen}");
    assert_eq!(stint_verdict(&app, &jwt).await, "revoked");
    // Once is enough.
    let r = app
        .post(
            &format!("/api/v1/credentials/{id}/revoke"),
            Some(&sam),
            json!({}),
        )
        .await;
    expect_error(r, StatusCode::CONFLICT, "conflict").await;
    // Another credential on the same list stays valid.
    let other = sams_sessions(&app, CheckpointResult::Reached).await;
    if let Some(next) = other.get(1) {
        let r = app
            .post(
                &format!("/api/v1/bookings/{next}/credential"),
                Some(&sam),
                json!({}),
            )
            .await;
        let second = body(r, StatusCode::CREATED).await;
        let seen = outside_verifier(second["jwt"].as_str().unwrap());
        assert_eq!(seen["revoked"], false, "{seen}");
        assert!(
            second["credential"]["credentialSubject"]
                .get("identifier")
                .is_none()
        );
    }
}

async fn claims_are_refused_where_no_checkpoint_was_reached_and_write_nothing(app: App) {
    let sam = app.login(SAM, DEMO_PASSWORD).await;
    let sam_id = stint_domain::ids::UserId(app.id_of(SAM).await);
    for result in [CheckpointResult::Partly, CheckpointResult::NotReached] {
        if let Some(booking) = sams_sessions(&app, result).await.first() {
            let r = app
                .post(
                    &format!("/api/v1/bookings/{booking}/credential"),
                    Some(&sam),
                    json!({}),
                )
                .await;
            let e = expect_error(r, StatusCode::CONFLICT, "checkpoint_not_reached").await;
            assert!(
                e["message"].as_str().unwrap().contains("not reached"),
                "{e}"
            );
        }
    }
    // A session not closed yet (Sam's next one).
    let upcoming = app
        .store
        .upcoming_contexts_of(sam_id, app.clock.now())
        .await
        .unwrap();
    if let Some(ctx) = upcoming.first() {
        let r = app
            .post(
                &format!("/api/v1/bookings/{}/credential", ctx.booking.id.0),
                Some(&sam),
                json!({}),
            )
            .await;
        expect_error(r, StatusCode::CONFLICT, "checkpoint_not_reached").await;
    }
    // The mentor of a reached session may not claim it; another mentee does not see it.
    let booking = sams_sessions(&app, CheckpointResult::Reached).await[0];
    let mentor_id = app
        .store
        .booking(stint_domain::booking::BookingId(booking))
        .await
        .unwrap()
        .unwrap()
        .mentor_id;
    let mentor = app.store.account(mentor_id).await.unwrap().unwrap();
    let mentor_token = app.login(&mentor.email, DEMO_PASSWORD).await;
    let path = format!("/api/v1/bookings/{booking}/credential");
    let r = app.post(&path, Some(&mentor_token), json!({})).await;
    expect_error(r, StatusCode::FORBIDDEN, "forbidden").await;
    let lena = app.login("lena@stint.example", DEMO_PASSWORD).await;
    let r = app.post(&path, Some(&lena), json!({})).await;
    expect_error(r, StatusCode::NOT_FOUND, "not_found").await;
    // Unknown fields are refused, not ignored.
    let r = app
        .post(&path, Some(&sam), json!({"include_everything": true}))
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(app.store.credentials_of(sam_id).await.unwrap().is_empty());

    // Once Sam holds one, nobody else reaches it by its id.
    let r = app.post(&path, Some(&sam), json!({})).await;
    let id = body(r, StatusCode::CREATED).await["id"].as_i64().unwrap();
    for (method, tail) in [
        (reqwest::Method::GET, ""),
        (reqwest::Method::POST, "/share"),
        (reqwest::Method::DELETE, "/share"),
        (reqwest::Method::POST, "/revoke"),
    ] {
        let r = app
            .send(
                method.clone(),
                &format!("/api/v1/credentials/{id}{tail}"),
                Some(&lena),
                json!({}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{method} {tail}");
    }
    let mine = body(
        app.get("/api/v1/me/credentials", Some(&lena)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(mine, json!([]));
    let held = app.store.skill_credential(id).await.unwrap().unwrap();
    assert!(held.revoked_at.is_none() && held.share_token.is_none());
}

async fn a_shared_link_shows_the_credential_until_sharing_stops(app: App) {
    let booking = sams_sessions(&app, CheckpointResult::Reached).await[0];
    let client = common::browser();
    common::log_in(&app, &client, SAM).await;
    // The session page offers the claim; the form claims it with the choices ticked.
    let session = format!("/sessions/{booking}");
    let (status, page, _) = common::page(&app, &client, &session).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Claim my credential"), "the claim form");
    let (status, page) = common::submit(
        &app,
        &client,
        &session,
        &format!("/sessions/{booking}/credential"),
        &[("include_name", "yes")],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("signed and yours to keep"), "{page}");
    let sam_id = stint_domain::ids::UserId(app.id_of(SAM).await);
    let held = app.store.credentials_of(sam_id).await.unwrap();
    assert_eq!(held.len(), 1);
    let id = held[0].id;
    let (_, page, _) = common::page(&app, &client, &session).await;
    assert!(page.contains("Download or share it"));

    // Share: the link works for anyone, without an account.
    let (_, page) = common::submit(
        &app,
        &client,
        "/account/credentials",
        &format!("/account/credentials/{id}/share"),
        &[],
    )
    .await;
    assert!(page.contains("Stop sharing"), "{page}");
    let token = app
        .store
        .skill_credential(id)
        .await
        .unwrap()
        .unwrap()
        .share_token
        .unwrap();
    let link = format!("/credentials/shared/{token}");
    let anyone = common::browser();
    let (status, page, _) = common::page(&app, &anyone, &link).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("verdict-valid") && page.contains("Sam Okafor"),
        "{page}"
    );
    // The download is the signed credential.
    let r = client
        .get(app.url(&format!("/account/credentials/{id}/credential.jwt")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-type"], "application/vc+jwt");
    let jwt = r.text().await.unwrap();
    assert_eq!(jwt.split('.').count(), 3);
    // The public verification page says valid for it, and not valid for a changed copy.
    let (_, page) = common::submit(
        &app,
        &anyone,
        "/credentials/verify",
        "/credentials/verify",
        &[("credential", &jwt)],
    )
    .await;
    assert!(page.contains("verdict-valid"), "{page}");
    let (_, page) = common::submit(
        &app,
        &anyone,
        "/credentials/verify",
        "/credentials/verify",
        &[("credential", &tampered(&jwt))],
    )
    .await;
    assert!(
        page.contains("verdict-tampered") && page.contains("changed"),
        "{page}"
    );
    // Nothing pasted: the form again, saying what it needs; the API says the same as 422.
    let (status, page) = common::submit(
        &app,
        &anyone,
        "/credentials/verify",
        "/credentials/verify",
        &[("credential", "  ")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("paste the credential"), "{page}");
    let r = app
        .post(
            "/api/v1/credentials/verify",
            None,
            json!({"credential": ""}),
        )
        .await;
    expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;

    // Stop sharing: the link is gone.
    common::submit(
        &app,
        &client,
        "/account/credentials",
        &format!("/account/credentials/{id}/unshare"),
        &[],
    )
    .await;
    let (status, _, _) = common::page(&app, &anyone, &link).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Revoked on the page: it cannot be shared again.
    let (_, page) = common::submit(
        &app,
        &client,
        "/account/credentials",
        &format!("/account/credentials/{id}/revoke"),
        &[],
    )
    .await;
    assert!(page.contains("revoked"), "{page}");
    let (status, _) = common::submit(
        &app,
        &client,
        "/account/credentials",
        &format!("/account/credentials/{id}/share"),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    // The issuer's documents are public.
    let did = body(app.get("/.well-known/did.json", None).await, StatusCode::OK).await;
    assert_eq!(
        did["verificationMethod"][0]["publicKeyJwk"]["crv"],
        "Ed25519"
    );
    let r = app.get("/credentials/status/1", None).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        app.get("/credentials/status/0", None).await.status(),
        StatusCode::NOT_FOUND
    );
}

async fn every_node_signs_with_the_same_key_and_verifies_the_others(app: App, url: String) {
    // No key is configured: the first node to need one makes it, and every node keeps it.
    let booking = sams_sessions(&app, CheckpointResult::Reached).await[0];
    let sam = app.login(SAM, DEMO_PASSWORD).await;
    let r = app
        .post(
            &format!("/api/v1/bookings/{booking}/credential"),
            Some(&sam),
            json!({}),
        )
        .await;
    let jwt = body(r, StatusCode::CREATED).await["jwt"]
        .as_str()
        .unwrap()
        .to_string();
    let other = app.another_node(&url).await;
    // The other node answers at another address (so another did:web name), with the same key.
    let key = |doc: Value| doc["verificationMethod"][0]["publicKeyJwk"]["x"].clone();
    let here = body(app.get("/.well-known/did.json", None).await, StatusCode::OK).await;
    let there = body(
        other.get("/.well-known/did.json", None).await,
        StatusCode::OK,
    )
    .await;
    assert_ne!(here["id"], there["id"]);
    assert_eq!(key(here), key(there));
    assert_eq!(stint_verdict(&other, &jwt).await, "valid");
    assert_eq!(stint_verdict(&other, &tampered(&jwt)).await, "tampered");
}
