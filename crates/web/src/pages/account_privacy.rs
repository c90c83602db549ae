//! Account → Privacy (`/account/privacy`): how long one's own data of each class is kept,
//! within the published policy's ranges, who read it (the access log), with what organisations may see of one and the
//! nudge settings one click away. Over `stint_app::privacy`; a refused choice re-shows the
//! form with its message.

use super::filters;
use super::render::{Chrome, OrPage, PageResult, ok, refused_form};
use crate::auth::PageUser;
use crate::auth::csrf::{CsrfForm, CsrfToken};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use std::collections::BTreeMap;
use stint_app::privacy::{self, Choice};
use stint_domain::FieldErrors;
use stint_domain::account::Account;
use stint_domain::retention::span_words as words;

/// The form's field for when the mentor reads prep: `before` or `at_start`.
const PREP_FIELD: &str = "mentor_reads_prep";

/// The lengths a form offers, where the class's range allows them.
const LADDER: [u32; 9] = [30, 90, 180, 365, 730, 1095, 1825, 2555, 3650];

pub(crate) struct ChoiceRow {
    key: String,
    name: &'static str,
    default_words: String,
    options: Vec<(u32, String, bool)>,
}

/// One line of the access log: "Maya Chen read your baseline · Tue 8 Dec 2026 14:02".
pub(crate) struct ReadRow {
    who: String,
    what: &'static str,
    session: Option<i64>,
    when: String,
}

#[derive(Template)]
#[template(path = "account_privacy.html")]
struct AccountPrivacyPage {
    chrome: Chrome,
    rows: Vec<ChoiceRow>,
    /// The mentor reads prep and baseline only once the session starts.
    prep_private: bool,
    /// The person's own changes: words and when.
    changes: Vec<(String, String)>,
    reads: Vec<ReadRow>,
    older_before: Option<i64>,
    errors: FieldErrors,
    saved: bool,
}

fn row(c: &Choice, typed: Option<&String>) -> ChoiceRow {
    let selected = typed.and_then(|t| t.parse::<u32>().ok()).unwrap_or(c.days);
    let mut days: Vec<u32> = LADDER
        .iter()
        .copied()
        .filter(|d| (c.policy.min_days..=c.policy.max_days).contains(d))
        .collect();
    for d in [c.policy.default_days, c.days] {
        if !days.contains(&d) {
            days.push(d);
        }
    }
    days.sort_unstable();
    ChoiceRow {
        key: c.key.clone(),
        name: c.policy.name,
        default_words: words(c.policy.default_days),
        options: days
            .into_iter()
            .map(|d| {
                let label = if d == c.policy.default_days {
                    format!("{} (the default)", words(d))
                } else {
                    words(d)
                };
                (d, label, d == selected)
            })
            .collect(),
    }
}

async fn privacy_page(
    state: &AppState,
    me: &Account,
    csrf: &str,
    typed: &BTreeMap<String, String>,
    errors: FieldErrors,
    saved: bool,
    before: Option<i64>,
) -> Result<AccountPrivacyPage, Response> {
    let (entries, older_before) = stint_app::access_log::mine(state, me, before, None)
        .await
        .or_page()?;
    let reads = entries
        .iter()
        .map(|e| ReadRow {
            who: e.reader_name.clone(),
            what: stint_app::access_log::words(&e.what),
            session: e.booking.map(|b| b.0),
            when: stint_app::outcomes::when_for(me, e.at),
        })
        .collect();
    let rows = privacy::choices(state, me)
        .await
        .or_page()?
        .iter()
        .map(|c| row(c, typed.get(&c.key)))
        .collect();
    let prep_private = match typed.get(PREP_FIELD) {
        Some(v) => v == "at_start",
        None => stint_app::privacy::prep_private(state, me)
            .await
            .or_page()?,
    };
    let changes = stint_app::privacy::changes(state, me)
        .await
        .or_page()?
        .into_iter()
        .map(|(change, at)| (change, stint_app::outcomes::when_for(me, at)))
        .collect();
    Ok(AccountPrivacyPage {
        chrome: Chrome::new("Privacy · Stint", Some(me.clone()), csrf),
        rows,
        prep_private,
        changes,
        reads,
        older_before,
        errors,
        saved,
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SavedParam {
    saved: String,
    /// The access log's page: entries older than this one.
    before: Option<i64>,
}

pub async fn page(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    Query(q): Query<SavedParam>,
) -> PageResult {
    let page = privacy_page(
        &state,
        &me,
        &csrf.0,
        &BTreeMap::new(),
        FieldErrors::new(),
        !q.saved.is_empty(),
        q.before,
    )
    .await?;
    Ok(ok(&page))
}

pub async fn save(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    CsrfForm(form): CsrfForm<BTreeMap<String, String>>,
) -> PageResult {
    let changes: Vec<(String, String)> = form
        .iter()
        .filter(|(k, _)| k.as_str() != "csrf" && k.as_str() != PREP_FIELD)
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let mut done = privacy::set_choices(&state, &me, &changes)
        .await
        .map(|_| ());
    if let (Ok(()), Some(when)) = (&done, form.get(PREP_FIELD)) {
        done = privacy::set_prep_private(&state, &me, when == "at_start").await;
    }
    match done {
        Ok(()) => Ok(Redirect::to("/account/privacy?saved=1").into_response()),
        Err(e) => {
            refused_form(e, |errors| {
                privacy_page(&state, &me, &csrf.0, &form, errors, false, None)
            })
            .await
        }
    }
}

/// Everything Stint holds about the person, as a zip download.
pub async fn export(State(state): State<AppState>, PageUser(me): PageUser) -> PageResult {
    let (name, bytes) = stint_app::export::export(&state, &me)
        .await
        .map_err(super::render::failure)?;
    Ok(crate::download::zip(&name, bytes))
}
