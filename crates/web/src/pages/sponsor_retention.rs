//! `/sponsor/{id}/retention`: the 90-day retention comparison for an organisation's admins —
//! what it compares, the last result, and the form that takes the organisation's list of who
//! is still employed (pasted CSV). Over `stint_app::sponsor::retention`; a refused list comes
//! back in the form with its message.

use super::filters;
use super::render::{Chrome, OrPage, PageResult, failure, ok, refused_form};
use crate::auth::PageUser;
use crate::auth::csrf::{CsrfForm, CsrfToken};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use stint_app::outcomes::when_for;
use stint_app::sponsor::console::console;
use stint_app::sponsor::retention::{self, RetentionReport};
use stint_domain::FieldErrors;
use stint_domain::account::Account;
use stint_domain::ids::OrgId;
use stint_domain::sponsor::retention::{RETENTION_DAYS, RETENTION_WINDOW_DAYS, Retention};

/// One side of a shown comparison, in words.
pub(crate) struct Side {
    label: &'static str,
    rate: String,
    of: String,
}

#[derive(Template)]
#[template(path = "sponsor/retention.html")]
struct RetentionPage {
    chrome: Chrome,
    org_id: i64,
    org_name: String,
    /// The last comparison: when, over how many, and its sides (empty when hidden).
    ran: String,
    sides: Vec<Side>,
    difference: String,
    hidden: bool,
    has_report: bool,
    csv: String,
    errors: FieldErrors,
    days: i64,
    window: i64,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListFields {
    csv: String,
}

async fn retention_page(
    state: &AppState,
    me: &Account,
    csrf: &str,
    org: OrgId,
    csv: String,
    errors: FieldErrors,
) -> Result<RetentionPage, Response> {
    let c = console(state, me, org).await.map_err(failure)?;
    let report = retention::latest(state, me, org).await.or_page()?;
    let (ran, sides, difference, hidden) = match &report {
        None => (String::new(), Vec::new(), String::new(), false),
        Some(r) => words(r, me),
    };
    Ok(RetentionPage {
        chrome: Chrome::new(
            format!("Retention · {} · Sponsor · Stint", c.org.name),
            Some(me.clone()),
            csrf,
        ),
        org_id: org.0,
        org_name: c.org.name,
        has_report: report.is_some(),
        ran,
        sides,
        difference,
        hidden,
        csv,
        errors,
        days: RETENTION_DAYS,
        window: RETENTION_WINDOW_DAYS,
    })
}

fn words(r: &RetentionReport, me: &Account) -> (String, Vec<Side>, String, bool) {
    let ran = format!(
        "Run {} over {} members{}.",
        when_for(me, r.ran_at),
        r.cohort,
        if r.rows_ignored > 0 {
            format!(
                "; {} other rows of the list were not members {} days ago",
                r.rows_ignored, RETENTION_DAYS
            )
        } else {
            String::new()
        }
    );
    match &r.figures {
        Retention::Shown {
            participants,
            non_participants,
            difference_points,
        } => {
            let side = |label, g: &stint_domain::sponsor::retention::GroupRetention| Side {
                label,
                rate: format!("{:.0}%", g.rate * 100.0),
                of: format!("{} of {} still employed", g.still_employed, g.people),
            };
            (
                ran,
                vec![
                    side("Took part", participants),
                    side("Did not take part", non_participants),
                ],
                format!("{difference_points:+.0} points"),
                false,
            )
        }
        Retention::Hidden { .. } => (ran, Vec::new(), String::new(), true),
    }
}

pub async fn page(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    Path(id): Path<i64>,
) -> PageResult {
    let page = retention_page(
        &state,
        &me,
        &csrf.0,
        OrgId(id),
        String::new(),
        FieldErrors::new(),
    )
    .await?;
    Ok(ok(&page))
}

pub async fn run(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<ListFields>,
) -> PageResult {
    match retention::compare(&state, &me, OrgId(id), &f.csv).await {
        Ok(_) => Ok(Redirect::to(&format!("/sponsor/{id}/retention")).into_response()),
        Err(e) => {
            refused_form(e, |errors| {
                retention_page(&state, &me, &csrf.0, OrgId(id), f.csv, errors)
            })
            .await
        }
    }
}
