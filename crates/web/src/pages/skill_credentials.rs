//! Skill credentials on pages: claiming one from the session page, the holder's list (download,
//! share a link, stop sharing, revoke), the public page of a shared credential, the public
//! verification page, and the issuer's documents (`did:web`, revocation lists) — thin edges
//! over `stint_app::skill_credentials`.

use super::render::{Chrome, PageResult, failure, failure_for, not_found_page, ok};
use crate::auth::csrf::{CsrfForm, CsrfToken};
use crate::auth::{MaybeUser, PageUser};
use crate::state::AppState;
use askama::Template;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use stint_app::skill_credentials::{self as creds, CredentialView, Verdict};
use stint_domain::account::{Account, zone_or_utc};
use stint_domain::credential::ClaimChoices;

/// A credential as the pages show it.
pub struct CredentialCard {
    pub id: i64,
    pub booking: i64,
    pub name: String,
    pub holder: String,
    pub session_on: String,
    pub issued_on: String,
    pub revoked_on: String,
    pub share_url: String,
    pub level: String,
    pub evidence: String,
    /// How the checkpoint was reached, as the credential says.
    pub criteria: String,
    pub jwt: String,
}

fn day(t: jiff::Timestamp, viewer: Option<&Account>) -> String {
    let zone = viewer.map_or(jiff::tz::TimeZone::UTC, |a| zone_or_utc(&a.timezone));
    t.to_zoned_datetime(zone).strftime("%-d %B %Y").to_string()
}

fn card(v: CredentialView, viewer: Option<&Account>) -> CredentialCard {
    let subject = &v.credential["credentialSubject"];
    let level = subject["result"][0]["achievedLevel"]
        .as_str()
        .and_then(|l| l.rsplit("-level-").next())
        .map(|l| format!("Level {l} of 5 on the competency's rubric (self-rated at the follow-up)"))
        .unwrap_or_default();
    let criteria = subject["achievement"]["criteria"]["narrative"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    CredentialCard {
        id: v.id,
        booking: v.booking,
        name: v.name,
        holder: v.holder.unwrap_or_default(),
        session_on: v.session_at.map(|t| day(t, viewer)).unwrap_or_default(),
        issued_on: day(v.issued_at, viewer),
        revoked_on: v.revoked_at.map(|t| day(t, viewer)).unwrap_or_default(),
        share_url: v.share_url.unwrap_or_default(),
        level,
        evidence: v.credential["evidence"][0]["narrative"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        criteria,
        jwt: v.jwt,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ClaimFields {
    include_name: String,
    include_level: String,
    include_evidence: String,
}

/// Claims the session's credential and shows it in the list.
pub async fn claim(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<ClaimFields>,
) -> PageResult {
    let Ok(id) = id.parse::<i64>() else {
        return Ok(not_found_page(Some(me)));
    };
    let choices = ClaimChoices {
        name: !form.include_name.is_empty(),
        level: !form.include_level.is_empty(),
        evidence: !form.include_evidence.is_empty(),
    };
    let (c, _) = creds::claim(&state, &me, id, choices)
        .await
        .map_err(|e| failure_for(e, Some(me.clone())))?;
    Ok(Redirect::to(&format!(
        "/account/credentials?claimed={}#credential-{}",
        c.id, c.id
    ))
    .into_response())
}

#[derive(Template)]
#[template(path = "account_credentials.html")]
struct ListPage {
    chrome: Chrome,
    notice: String,
    credentials: Vec<CredentialCard>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListParams {
    claimed: String,
    done: String,
}

pub async fn list(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    Query(q): Query<ListParams>,
) -> PageResult {
    let all = creds::mine(&state, &me)
        .await
        .map_err(|e| failure_for(e, Some(me.clone())))?;
    let notice = match (q.claimed.is_empty(), q.done.as_str()) {
        (false, _) => {
            "Your credential is signed and yours to keep. Download it, or share a link anyone can check."
        }
        (_, "shared") => "Shared: anyone with the link can see and verify this credential.",
        (_, "unshared") => "No longer shared: the link does not work any more.",
        (_, "revoked") => "Revoked: every copy of it now verifies as revoked.",
        _ => "",
    };
    Ok(ok(&ListPage {
        chrome: Chrome::new("Your credentials · Stint", Some(me.clone()), &csrf.0),
        notice: notice.to_string(),
        credentials: all.into_iter().map(|v| card(v, Some(&me))).collect(),
    }))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NoFields {}

/// `share`, `unshare` or `revoke` one of the holder's credentials, then back to the list.
pub async fn act(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path((id, action)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> PageResult {
    let Ok(id) = id.parse::<i64>() else {
        return Ok(not_found_page(Some(me)));
    };
    let (done, result) = match action.as_str() {
        "share" => ("shared", creds::share(&state, &me, id).await),
        "unshare" => ("unshared", creds::stop_sharing(&state, &me, id).await),
        "revoke" => ("revoked", creds::revoke(&state, &me, id).await),
        _ => return Ok(not_found_page(Some(me))),
    };
    result.map_err(|e| failure_for(e, Some(me.clone())))?;
    Ok(Redirect::to(&format!("/account/credentials?done={done}#credential-{id}")).into_response())
}

/// The signed credential as a file (`.jwt`), for wallets and verifiers.
pub async fn download(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(id): Path<String>,
) -> PageResult {
    let Ok(id) = id.parse::<i64>() else {
        return Ok(not_found_page(Some(me)));
    };
    let c = creds::one(&state, &me, id)
        .await
        .map_err(|e| failure_for(e, Some(me)))?;
    Ok(crate::download::credential(
        &format!("stint-credential-{id}.jwt"),
        c.jwt,
    ))
}

#[derive(Template)]
#[template(path = "credential_shared.html")]
struct SharedPage {
    chrome: Chrome,
    c: CredentialCard,
    verdict: String,
}

/// A shared credential's public page: what it says and what verifying it finds now.
pub async fn shared(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    csrf: CsrfToken,
    Path(token): Path<String>,
) -> PageResult {
    if token.len() > 64 {
        return Ok(not_found_page(user));
    }
    let (view, verdict) = creds::shared(&state, &token)
        .await
        .map_err(|e| failure_for(e, user.clone()))?;
    Ok(ok(&SharedPage {
        chrome: Chrome::new(format!("{} · Stint credential", view.name), user, &csrf.0),
        c: card(view, None),
        verdict: verdict.as_str().to_string(),
    }))
}

#[derive(Template)]
#[template(path = "credential_verify.html")]
struct VerifyPage {
    chrome: Chrome,
    text: String,
    /// Empty before anything was checked.
    verdict: String,
    reason: String,
    c: Option<CredentialCard>,
    /// Why the form was refused; empty when it was not.
    error: String,
}

pub async fn verify_form(MaybeUser(user): MaybeUser, csrf: CsrfToken) -> Response {
    ok(&VerifyPage {
        chrome: Chrome::new("Verify a credential · Stint", user, &csrf.0),
        text: String::new(),
        verdict: String::new(),
        reason: String::new(),
        c: None,
        error: String::new(),
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct VerifyFields {
    credential: String,
}

pub async fn verify(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    csrf: CsrfToken,
    CsrfForm(form): CsrfForm<VerifyFields>,
) -> PageResult {
    let (verdict, payload) = match creds::verify(&state, &form.credential).await {
        Ok(found) => found,
        // Nothing to check, or far too much: the form again, with why.
        Err(e) if e.is(stint_app::ErrorKind::Invalid) => {
            let mut page = VerifyPage {
                chrome: Chrome::new("Verify a credential · Stint", user, &csrf.0),
                text: String::new(),
                verdict: String::new(),
                reason: String::new(),
                c: None,
                error: e.fields.get("credential").cloned().unwrap_or(e.message),
            };
            page.text = form.credential.chars().take(20_000).collect();
            return Ok(super::render::html(
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                &page,
            ));
        }
        Err(e) => return Err(failure(e)),
    };
    let reason = match &verdict {
        Verdict::Tampered(why) => why.to_string(),
        Verdict::Revoked => "Its holder or the issuer revoked it.".to_string(),
        Verdict::Valid => String::new(),
    };
    let c = payload.map(|credential| {
        card(
            CredentialView {
                id: 0,
                booking: 0,
                name: credential["name"].as_str().unwrap_or_default().to_string(),
                holder: credential["credentialSubject"]["identifier"][0]["identityHash"]
                    .as_str()
                    .map(str::to_string),
                session_at: credential["credentialSubject"]["activityStartDate"]
                    .as_str()
                    .and_then(|t| t.parse().ok()),
                issued_at: credential["validFrom"]
                    .as_str()
                    .and_then(|t| t.parse().ok())
                    .unwrap_or_default(),
                revoked_at: None,
                share_url: None,
                jwt: String::new(),
                credential,
            },
            None,
        )
    });
    // The text goes back in the form only when it is of a sensible size.
    let text: String = form.credential.chars().take(20_000).collect();
    Ok(ok(&VerifyPage {
        chrome: Chrome::new("Verify a credential · Stint", user, &csrf.0),
        text,
        verdict: verdict.as_str().to_string(),
        reason,
        c,
        error: String::new(),
    }))
}

/// The issuer's `did:web` document.
pub async fn did_document(State(state): State<AppState>) -> PageResult {
    let doc = creds::did_document(&state).await.map_err(failure)?;
    Ok(([(header::CACHE_CONTROL, "public, max-age=300")], Json(doc)).into_response())
}

/// A revocation list, as a signed credential.
pub async fn status_list(State(state): State<AppState>, Path(list): Path<String>) -> PageResult {
    let Ok(list) = list.parse::<i64>() else {
        return Ok(not_found_page(None));
    };
    let jwt = creds::status_list(&state, list).await.map_err(failure)?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/vc+jwt"),
            // Verifiers may keep it briefly; a revocation shows within a minute.
            (header::CACHE_CONTROL, "public, max-age=60"),
        ],
        jwt,
    )
        .into_response())
}
