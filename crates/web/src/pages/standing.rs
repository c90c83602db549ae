//! A mentor's standing on the pages, each handler one call of `stint_app::standing`. Mentors
//! pause (`POST /mentor/pause`, with an optional return day) and resume (`/mentor/resume`)
//! from the "New bookings" card of their profile page. Operators see paused and suspended
//! mentors at `/operator/mentors`, suspend one at `/operator/mentors/{id}/suspend` and
//! reinstate them (`/operator/mentors/{id}/reinstate`).

use super::account::Empty;
use super::filters;
use super::mentor::{Refused, editor};
use super::operator::operator;
use super::render::{Chrome, OrPage, PageResult, ok, refusal, refused_form};
use crate::auth::PageUser;
use crate::auth::csrf::{CsrfForm, CsrfToken};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;
use stint_app::standing;
use stint_domain::FieldErrors;
use stint_domain::account::Account;
use stint_domain::ids::UserId;
use stint_domain::standing::Standing;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PauseFields {
    until: String,
}

pub async fn pause(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    CsrfForm(form): CsrfForm<PauseFields>,
) -> PageResult {
    match standing::pause(&state, &me, &form.until).await {
        Ok(_) => Ok(Redirect::to("/mentor/profile?saved=paused").into_response()),
        Err(e) => {
            let (_, errors) = refusal(e, &me)?;
            let refused = Refused {
                pause_until: form.until,
                pause: errors,
                ..Default::default()
            };
            editor(&state, me, &csrf.0, "", refused).await
        }
    }
}

pub async fn resume(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    CsrfForm(_): CsrfForm<Empty>,
) -> PageResult {
    standing::resume(&state, &me).await.or_page()?;
    Ok(Redirect::to("/mentor/profile?saved=resumed").into_response())
}

/// One line of the operators' list.
struct UnlistedLine {
    id: i64,
    name: String,
    /// "Paused until Thursday 10 June 2027", "Paused", "Suspended".
    state: String,
    suspended: bool,
    note: String,
    since: String,
}

#[derive(Template)]
#[template(path = "operator/mentors.html")]
struct UnlistedPage {
    chrome: Chrome,
    mentors: Vec<UnlistedLine>,
    /// Listed mentors whose load needs a look (`stint_app::load::at_risk`).
    at_risk: Vec<stint_app::load::AtRisk>,
    /// Sessions the suspension just cancelled (`?suspended=N`), or none.
    suspended: Option<usize>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListParams {
    suspended: Option<usize>,
}

pub async fn unlisted(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    Query(q): Query<ListParams>,
) -> PageResult {
    let me = operator(me)?;
    let list = standing::unlisted(&state, &me).await.or_page()?;
    let at_risk = super::load::at_risk(&state, &me).await?;
    let zone = me.zone();
    let mentors = list
        .into_iter()
        .map(|m| UnlistedLine {
            id: m.user_id.0,
            name: m.display_name,
            state: match m.standing {
                Standing::Paused { until: Some(d) } => {
                    format!("Paused until {}", d.strftime("%A %-d %B %Y"))
                }
                Standing::Paused { until: None } => "Paused until they resume".into(),
                Standing::Frozen => "Hidden for inactivity".into(),
                _ => "Suspended".into(),
            },
            suspended: m.standing == Standing::Suspended,
            note: m.note,
            since: m
                .since
                .map(|t| {
                    t.to_zoned_datetime(zone.clone())
                        .strftime("%-d %b %Y")
                        .to_string()
                })
                .unwrap_or_default(),
        })
        .collect();
    Ok(ok(&UnlistedPage {
        chrome: Chrome::new(
            "Mentors at risk, paused and suspended · Operator · Stint",
            Some(me),
            &csrf.0,
        ),
        mentors,
        at_risk,
        suspended: q.suspended,
    }))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SuspendFields {
    reason: String,
}

#[derive(Template)]
#[template(path = "operator/suspend.html")]
struct SuspendPage {
    chrome: Chrome,
    id: i64,
    name: String,
    form: SuspendFields,
    errors: FieldErrors,
}

async fn suspend_page(
    state: &AppState,
    me: &Account,
    csrf: &str,
    id: i64,
    form: SuspendFields,
    errors: FieldErrors,
) -> Result<SuspendPage, axum::response::Response> {
    let mentor = stint_app::mentors::profile(state, UserId(id))
        .await
        .or_page()?;
    Ok(SuspendPage {
        chrome: Chrome::new(
            format!("Suspend {} · Operator · Stint", mentor.display_name),
            Some(me.clone()),
            csrf,
        ),
        id,
        name: mentor.display_name,
        form,
        errors,
    })
}

pub async fn suspend_form(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    Path(id): Path<i64>,
) -> PageResult {
    let me = operator(me)?;
    let page = suspend_page(
        &state,
        &me,
        &csrf.0,
        id,
        SuspendFields::default(),
        FieldErrors::new(),
    )
    .await?;
    Ok(ok(&page))
}

pub async fn suspend(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<SuspendFields>,
) -> PageResult {
    let me = operator(me)?;
    match standing::suspend(&state, &me, UserId(id), &form.reason).await {
        Ok(done) => Ok(
            Redirect::to(&format!("/operator/mentors?suspended={}", done.cancelled))
                .into_response(),
        ),
        Err(e) => {
            refused_form(e, |errors| {
                suspend_page(&state, &me, &csrf.0, id, form, errors)
            })
            .await
        }
    }
}

pub async fn reinstate(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<Empty>,
) -> PageResult {
    let me = operator(me)?;
    standing::reinstate(&state, &me, UserId(id))
        .await
        .or_page()?;
    Ok(Redirect::to("/operator/mentors").into_response())
}
