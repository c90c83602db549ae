//! A member's side of sponsorship: `/organisations` lists the organisations that pay for
//! one's sessions (with what each may see of one, and a button to leave), `/join` takes an invitation link. Over
//! `stint_app::sponsor`.

use super::render::{Chrome, OrPage, PageResult, failure, html, ok};
use crate::auth::PageUser;
use crate::auth::csrf::{CsrfForm, CsrfToken};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;
use stint_app::ErrorKind;
use stint_app::outcomes::when_for;
use stint_app::sponsor::{members, orgs, sharing};
use stint_domain::ids::OrgId;

pub(crate) struct OrgRow {
    id: i64,
    name: String,
    role: &'static str,
    since: String,
    /// Whether the member shares their progress with it.
    /// `nothing`, `aggregates` or `progress`.
    shares: &'static str,
}

#[derive(Template)]
#[template(path = "organisations.html")]
struct OrganisationsPage {
    chrome: Chrome,
    orgs: Vec<OrgRow>,
    notice: &'static str,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NoticeParam {
    done: String,
}

pub async fn page(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    Query(q): Query<NoticeParam>,
) -> PageResult {
    let orgs = orgs::mine(&state, &me)
        .await
        .or_page()?
        .iter()
        .map(|m| OrgRow {
            id: m.org.0,
            name: m.org_name.clone(),
            role: m.role.as_str(),
            since: when_for(&me, m.joined_at),
            shares: sharing::name_of(&m.sharing),
        })
        .collect();
    let notice = match q.done.as_str() {
        "joined" => "Welcome: you can now book the sessions it pays for.",
        "left" => "You left. Sessions already booked stay booked.",
        "shared" => "Saved: it sees your progress from now on.",
        "private" => "Saved: it sees only figures about groups from now on.",
        "nothing" => "Saved: it sees nothing of you from now on, not even in its figures.",
        _ => "",
    };
    Ok(ok(&OrganisationsPage {
        chrome: Chrome::new("Organisations · Stint", Some(me), &csrf.0),
        orgs,
        notice,
    }))
}

pub async fn leave(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<NoticeParam>,
) -> PageResult {
    members::leave(&state, &me, OrgId(id))
        .await
        .map_err(failure)?;
    Ok(Redirect::to("/organisations?done=left").into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SharingFields {
    share: String,
}

/// Chooses what an organisation sees of the member.
pub async fn set_sharing(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<SharingFields>,
) -> PageResult {
    sharing::set(&state, &me, OrgId(id), &f.share)
        .await
        .map_err(failure)?;
    let done = match f.share.trim() {
        sharing::PROGRESS => "shared",
        sharing::NOTHING => "nothing",
        _ => "private",
    };
    Ok(Redirect::to(&format!("/organisations?done={done}")).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct JoinFields {
    token: String,
}

#[derive(Template)]
#[template(path = "join.html")]
struct JoinPage {
    chrome: Chrome,
    token: String,
    error: String,
}

/// The invitation link's landing page: one button to join (a link alone changes nothing).
pub async fn join_page(
    PageUser(me): PageUser,
    csrf: CsrfToken,
    Query(q): Query<JoinFields>,
) -> PageResult {
    Ok(ok(&JoinPage {
        chrome: Chrome::new("Join an organisation · Stint", Some(me), &csrf.0),
        token: q.token,
        error: String::new(),
    }))
}

pub async fn join(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    CsrfForm(f): CsrfForm<JoinFields>,
) -> PageResult {
    match members::accept(&state, &me, &f.token).await {
        Ok(_) => Ok(Redirect::to("/organisations?done=joined").into_response()),
        Err(e) if e.kind == ErrorKind::Invalid => {
            let page = JoinPage {
                chrome: Chrome::new("Join an organisation · Stint", Some(me), &csrf.0),
                token: f.token,
                error: e.fields.values().next().cloned().unwrap_or(e.message),
            };
            Ok(html(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(failure(e)),
    }
}
