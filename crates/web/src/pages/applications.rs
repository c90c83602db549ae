//! Applying to mentor on the pages, each handler one call of `stint_app::applications`:
//! `/mentor/apply` shows the form, or where the latest application stands (a question to
//! answer, a decline's reason and the form again); operators review the queue at
//! `/operator/applications` (ask, approve, decline), one form per application.

use super::filters;
use super::operator::operator;
use super::render::{Chrome, OrPage, PageResult, ok, refused_form};
use crate::auth::PageUser;
use crate::auth::csrf::{CsrfForm, CsrfToken};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use stint_app::{applications, catalog_read};
use stint_domain::FieldErrors;
use stint_domain::account::Account;
use stint_domain::application::{Application, ApplicationInput, ApplicationStatus};
use stint_domain::role::Role;

/// The form's fields; `competencies` repeats, one per box ticked.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ApplyFields {
    experience: String,
    competencies: Vec<String>,
    sample: String,
    links: String,
}

#[derive(Template)]
#[template(path = "mentor/apply.html")]
struct ApplyPage {
    chrome: Chrome,
    /// The latest application, if any.
    latest: Option<Application>,
    /// Whether the form to apply is shown (no application under review).
    can_apply: bool,
    competencies: Vec<(String, String)>,
    form: ApplyFields,
    errors: FieldErrors,
    answer: String,
    answer_errors: FieldErrors,
    /// Just sent (`?sent=1`) or answered (`?answered=1`).
    notice: &'static str,
    is_mentor: bool,
    zone: jiff::tz::TimeZone,
}

impl ApplyPage {
    fn chosen(&self, slug: &str) -> bool {
        self.form.competencies.iter().any(|c| c == slug)
    }

    fn day(&self, t: &jiff::Timestamp) -> String {
        day_in(*t, &self.zone)
    }
}

/// "4 December 2026" in `zone`.
fn day_in(t: jiff::Timestamp, zone: &jiff::tz::TimeZone) -> String {
    t.to_zoned_datetime(zone.clone())
        .strftime("%-d %B %Y")
        .to_string()
}

struct Reshow {
    form: ApplyFields,
    errors: FieldErrors,
    answer: String,
    answer_errors: FieldErrors,
    notice: &'static str,
}

async fn apply_page(
    state: &AppState,
    me: &Account,
    csrf: &str,
    r: Reshow,
) -> Result<ApplyPage, Response> {
    let latest = applications::mine(state, me)
        .await
        .or_page()?
        .into_iter()
        .next();
    let competencies = catalog_read::competencies(state)
        .await
        .or_page()?
        .into_iter()
        .map(|c| (c.slug, c.name))
        .collect();
    Ok(ApplyPage {
        chrome: Chrome::new("Apply to mentor · Stint", Some(me.clone()), csrf),
        can_apply: latest.as_ref().is_none_or(|a| !a.status.is_open()) && !me.has(Role::Mentor),
        latest,
        competencies,
        form: r.form,
        errors: r.errors,
        answer: r.answer,
        answer_errors: r.answer_errors,
        notice: r.notice,
        is_mentor: me.has(Role::Mentor),
        zone: me.zone(),
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Notice {
    sent: String,
    answered: String,
}

pub async fn apply_form(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    Query(q): Query<Notice>,
) -> PageResult {
    let notice = if !q.sent.is_empty() {
        "sent"
    } else if !q.answered.is_empty() {
        "answered"
    } else {
        ""
    };
    let r = Reshow {
        form: ApplyFields::default(),
        errors: FieldErrors::new(),
        answer: String::new(),
        answer_errors: FieldErrors::new(),
        notice,
    };
    Ok(ok(&apply_page(&state, &me, &csrf.0, r).await?))
}

pub async fn apply(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    CsrfForm(form): CsrfForm<ApplyFields>,
) -> PageResult {
    let input = ApplicationInput {
        experience: form.experience.clone(),
        competencies: form.competencies.clone(),
        sample: form.sample.clone(),
        links: form.links.clone(),
    };
    match applications::apply(&state, &me, &input).await {
        Ok(_) => Ok(Redirect::to("/mentor/apply?sent=1").into_response()),
        Err(e) => {
            refused_form(e, |errors| {
                let r = Reshow {
                    form,
                    errors,
                    answer: String::new(),
                    answer_errors: FieldErrors::new(),
                    notice: "",
                };
                apply_page(&state, &me, &csrf.0, r)
            })
            .await
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AnswerFields {
    answer: String,
}

pub async fn answer(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<AnswerFields>,
) -> PageResult {
    match applications::answer(&state, &me, id, &form.answer).await {
        Ok(_) => Ok(Redirect::to("/mentor/apply?answered=1").into_response()),
        Err(e) => {
            refused_form(e, |answer_errors| {
                let r = Reshow {
                    form: ApplyFields::default(),
                    errors: FieldErrors::new(),
                    answer: form.answer,
                    answer_errors,
                    notice: "",
                };
                apply_page(&state, &me, &csrf.0, r)
            })
            .await
        }
    }
}

#[derive(Template)]
#[template(path = "operator/applications.html")]
struct QueuePage {
    chrome: Chrome,
    queue: Vec<Application>,
    /// Competency names by slug, to show what each applicant can teach.
    names: Vec<(String, String)>,
    /// The application a refused step was for, its note and messages.
    refused: Option<(i64, String, FieldErrors)>,
    /// What was just done (`?done=approved|declined|asked`).
    done: String,
    zone: jiff::tz::TimeZone,
}

impl QueuePage {
    fn name_of<'a>(&'a self, slug: &'a str) -> &'a str {
        self.names
            .iter()
            .find(|(s, _)| s == slug)
            .map_or(slug, |(_, n)| n.as_str())
    }

    fn day(&self, t: &jiff::Timestamp) -> String {
        day_in(*t, &self.zone)
    }

    fn waits(&self, a: &Application) -> bool {
        a.status == ApplicationStatus::Asked
    }

    /// The note typed for `id` when its step was refused.
    fn note_for(&self, id: &i64) -> &str {
        match &self.refused {
            Some((r, note, _)) if r == id => note,
            _ => "",
        }
    }

    fn errors_for(&self, id: &i64) -> FieldErrors {
        match &self.refused {
            Some((r, _, e)) if r == id => e.clone(),
            _ => FieldErrors::new(),
        }
    }
}

async fn queue_page(
    state: &AppState,
    me: &Account,
    csrf: &str,
    refused: Option<(i64, String, FieldErrors)>,
    done: String,
) -> Result<QueuePage, Response> {
    let queue = applications::queue(state, me).await.or_page()?;
    let names = catalog_read::competencies(state)
        .await
        .or_page()?
        .into_iter()
        .map(|c| (c.slug, c.name))
        .collect();
    Ok(QueuePage {
        chrome: Chrome::new(
            "Applications to mentor · Operator · Stint",
            Some(me.clone()),
            csrf,
        ),
        queue,
        names,
        refused,
        done,
        zone: me.zone(),
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Done {
    done: String,
}

pub async fn queue(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    Query(q): Query<Done>,
) -> PageResult {
    let me = operator(me)?;
    let done = match q.done.as_str() {
        "approved" | "declined" | "asked" => q.done,
        _ => String::new(),
    };
    Ok(ok(&queue_page(&state, &me, &csrf.0, None, done).await?))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DecisionFields {
    step: String,
    note: String,
}

pub async fn decide(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<DecisionFields>,
) -> PageResult {
    let me = operator(me)?;
    match applications::decide(&state, &me, id, &form.step, &form.note).await {
        Ok(a) => Ok(Redirect::to(&format!(
            "/operator/applications?done={}",
            a.status.as_str()
        ))
        .into_response()),
        Err(e) => {
            // The question or the reason is typed in one box per application.
            refused_form(e, |errors| {
                let mut one = FieldErrors::new();
                for (_, m) in errors.0 {
                    one.add("note", m);
                }
                queue_page(
                    &state,
                    &me,
                    &csrf.0,
                    Some((id, form.note, one)),
                    String::new(),
                )
            })
            .await
        }
    }
}
