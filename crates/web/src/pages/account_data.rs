//! Account → Your data (`/account/data`): exports made in the background, with their progress
//! and a download that works for a week, and the erasure of the account — asked, called off
//! during its grace period, or refused with the reason (a session within a day). Over
//! `stint_app::export_requests` and `stint_app::erasure`; operators' list of open requests
//! with their legal deadline is `/operator/privacy-requests`.

use super::filters;
use super::render::{Chrome, OrPage, PageResult, ok, refused_form};
use crate::auth::PageUser;
use crate::auth::csrf::{CsrfForm, CsrfToken};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;
use stint_app::erasure;
use stint_app::export_requests;
use stint_app::outcomes::when_for;
use stint_domain::FieldErrors;
use stint_domain::account::Account;
use stint_domain::erasure::{GRACE_DAYS, RequestState, SOON_HOURS};
use stint_store::PrivacyRequest;

/// One export as its owner sees it.
pub(crate) struct ExportRow {
    id: i64,
    asked: String,
    state: &'static str,
    progress: u8,
    expires: String,
}

#[derive(Template)]
#[template(path = "account_data.html")]
struct AccountDataPage {
    chrome: Chrome,
    exports: Vec<ExportRow>,
    /// An export is being made: the page looks again in a few seconds.
    refresh: bool,
    /// The erasure asked, with when it takes effect.
    erasure: Option<String>,
    /// The sessions ahead, cancelled if the erasure takes effect.
    sessions_ahead: Vec<String>,
    grace_days: i64,
    soon_hours: i64,
    errors: FieldErrors,
    notice: Option<&'static str>,
}

fn export_row(me: &Account, r: &PrivacyRequest) -> ExportRow {
    ExportRow {
        id: r.id,
        asked: when_for(me, r.requested_at),
        state: r.state.as_str(),
        progress: r.progress,
        expires: r.expires_at.map(|t| when_for(me, t)).unwrap_or_default(),
    }
}

async fn data_page(
    state: &AppState,
    me: &Account,
    csrf: &str,
    errors: FieldErrors,
    notice: Option<&'static str>,
) -> Result<AccountDataPage, axum::response::Response> {
    let exports: Vec<ExportRow> = export_requests::mine(state, me)
        .await
        .or_page()?
        .iter()
        .map(|r| export_row(me, r))
        .collect();
    let pending = erasure::pending(state, me).await.or_page()?;
    let sessions_ahead = erasure::sessions_cancelled_at_erasure(state, me)
        .await
        .or_page()?
        .into_iter()
        .map(|(start, _)| when_for(me, start))
        .collect();
    Ok(AccountDataPage {
        chrome: Chrome::new("Your data · Stint", Some(me.clone()), csrf),
        refresh: exports
            .iter()
            .any(|e| e.state == RequestState::Pending.as_str()),
        exports,
        erasure: pending.map(|r| when_for(me, r.due_at)),
        sessions_ahead,
        grace_days: GRACE_DAYS,
        soon_hours: SOON_HOURS,
        errors,
        notice,
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Done {
    done: String,
}

fn notice(done: &str) -> Option<&'static str> {
    match done {
        "export" => Some("Your export is being prepared. This page shows when it is ready."),
        "erasure" => Some("Your account will be erased on the date below unless you call it off."),
        "kept" => Some("The erasure is called off. Your account stays as it is."),
        _ => None,
    }
}

pub async fn page(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    Query(q): Query<Done>,
) -> PageResult {
    let page = data_page(&state, &me, &csrf.0, FieldErrors::new(), notice(&q.done)).await?;
    Ok(ok(&page))
}

pub async fn request_export(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    CsrfForm(_): CsrfForm<Empty>,
) -> PageResult {
    export_requests::request(&state, &me).await.or_page()?;
    Ok(Redirect::to("/account/data?done=export").into_response())
}

pub async fn download(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(id): Path<i64>,
) -> PageResult {
    let (name, bytes) = export_requests::download(&state, &me, id).await.or_page()?;
    Ok(crate::download::zip(&name, bytes))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Empty {}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct EraseForm {
    understood: String,
}

pub async fn request_erasure(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    CsrfForm(form): CsrfForm<EraseForm>,
) -> PageResult {
    let done = if form.understood.is_empty() {
        Err(stint_app::AppError::validation(FieldErrors::single(
            "understood",
            "tick the box to say you understand what erasure removes",
        )))
    } else {
        erasure::request(&state, &me).await.map(|_| ())
    };
    match done {
        Ok(()) => Ok(Redirect::to("/account/data?done=erasure").into_response()),
        Err(e) => refused_form(e, |errors| data_page(&state, &me, &csrf.0, errors, None)).await,
    }
}

pub async fn cancel_erasure(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    CsrfForm(_): CsrfForm<Empty>,
) -> PageResult {
    erasure::cancel(&state, &me).await.or_page()?;
    Ok(Redirect::to("/account/data?done=kept").into_response())
}

/// One open request as operators see it.
pub(crate) struct OpenRow {
    who: String,
    email: String,
    kind: &'static str,
    state: &'static str,
    asked: String,
    due: String,
    deadline: String,
}

#[derive(Template)]
#[template(path = "operator/privacy_requests.html")]
struct OpenRequestsPage {
    chrome: Chrome,
    rows: Vec<OpenRow>,
}

pub async fn open_requests(
    State(state): State<AppState>,
    PageUser(op): PageUser,
    csrf: CsrfToken,
) -> PageResult {
    let rows = erasure::open_requests(&state, &op)
        .await
        .or_page()?
        .iter()
        .map(|r| OpenRow {
            who: r.user_name.clone(),
            email: r.user_email.clone(),
            kind: r.kind.as_str(),
            state: r.state.as_str(),
            asked: when_for(&op, r.requested_at),
            due: when_for(&op, r.due_at),
            deadline: when_for(&op, r.deadline_at),
        })
        .collect();
    Ok(ok(&OpenRequestsPage {
        chrome: Chrome::new("Privacy requests · Stint", Some(op), &csrf.0),
        rows,
    }))
}
