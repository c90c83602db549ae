//! The operators' sponsorship page (`/operator/sponsors`): organisations with a form to add
//! one with its first admin, and funding invoices waiting for their money, each marked paid.

use super::filters;
use super::operator::operator;
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
use stint_app::sponsor::{budget, orgs};
use stint_domain::FieldErrors;
use stint_domain::account::Account;

pub(crate) struct OrgRow {
    name: String,
    terms: String,
}

pub(crate) struct InvoiceRow {
    id: i64,
    org: String,
    credits: i64,
    reference: String,
    when: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct OrgFields {
    name: String,
    admin_email: String,
}

#[derive(Template)]
#[template(path = "operator/sponsors.html")]
struct SponsorsPage {
    chrome: Chrome,
    orgs: Vec<OrgRow>,
    invoices: Vec<InvoiceRow>,
    form: OrgFields,
    errors: FieldErrors,
    notice: &'static str,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NoticeParam {
    done: String,
}

async fn sponsors_page(
    state: &AppState,
    me: &Account,
    csrf: &str,
    form: OrgFields,
    errors: FieldErrors,
    notice: &'static str,
) -> Result<SponsorsPage, axum::response::Response> {
    let all = orgs::all(state, me).await.or_page()?;
    let name_of = |id| {
        all.iter()
            .find(|o| o.id == id)
            .map(|o| o.name.clone())
            .unwrap_or_default()
    };
    let invoices = budget::unpaid_fundings(state, me)
        .await
        .or_page()?
        .iter()
        .map(|f| InvoiceRow {
            id: f.id,
            org: name_of(f.org),
            credits: f.credits,
            reference: f.reference.clone(),
            when: when_for(me, f.created_at),
        })
        .collect();
    Ok(SponsorsPage {
        chrome: Chrome::new("Sponsors · Operator · Stint", Some(me.clone()), csrf),
        orgs: all
            .iter()
            .map(|o| OrgRow {
                name: o.name.clone(),
                terms: match &o.rules {
                    Some(r) => format!(
                        "{} budget · {} credits and {} sessions per member · {} session types",
                        if r.period.as_str() == "month" {
                            "Monthly"
                        } else {
                            "Quarterly"
                        },
                        r.cap_credits,
                        r.cap_sessions,
                        r.skus.len()
                    ),
                    None => "Rules not set yet".to_string(),
                },
            })
            .collect(),
        invoices,
        form,
        errors,
        notice,
    })
}

pub async fn page(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    Query(q): Query<NoticeParam>,
) -> PageResult {
    let me = operator(me)?;
    let notice = match q.done.as_str() {
        "org" => "The organisation is set up; its admin can open the sponsor console.",
        "paid" => "Marked paid: the credits are in the organisation's budget.",
        _ => "",
    };
    let page = sponsors_page(
        &state,
        &me,
        &csrf.0,
        OrgFields::default(),
        FieldErrors::new(),
        notice,
    )
    .await?;
    Ok(ok(&page))
}

pub async fn create(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    CsrfForm(form): CsrfForm<OrgFields>,
) -> PageResult {
    let me = operator(me)?;
    match orgs::create(&state, &me, &form.name, &form.admin_email).await {
        Ok(_) => Ok(Redirect::to("/operator/sponsors?done=org").into_response()),
        Err(e) if e.kind == ErrorKind::Invalid => {
            let page = sponsors_page(&state, &me, &csrf.0, form, FieldErrors(e.fields), "").await?;
            Ok(html(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(failure(e)),
    }
}

pub async fn mark_paid(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<NoticeParam>,
) -> PageResult {
    let me = operator(me)?;
    budget::mark_paid(&state, &me, id).await.map_err(failure)?;
    Ok(Redirect::to("/operator/sponsors?done=paid").into_response())
}
