//! The outcome forms' handlers. Each asks `ops::outcomes` to do the work, then redirects
//! to the session page at the section saved, or re-shows that page with the form refused,
//! its input and a message per field. Only a form's own input comes back as messages;
//! anything else (not found, not allowed, a failure) is a page of its own.

use super::input::{
    AssessFields, ChecklistFields, CloseFields, NoteFields, PrepFields, Refused, task_key,
};
use crate::auth::PageUser;
use crate::auth::csrf::{CsrfForm, CsrfToken};
use crate::pages::render::{
    OrPage, PageResult, failure_for, forbidden_page, not_found_page, refusal,
};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use stint_app::AppError;
use stint_app::outcomes::{self as oc, PartyBooking, Side};
use stint_domain::FieldErrors;
use stint_domain::account::Account;
use stint_domain::outcome::assessment::{AssessmentInput, AssessmentKind};
use stint_domain::outcome::closing::{CloseInput, TaskInput};
use stint_domain::outcome::prep::PrepInput;

/// A failed use case as a page.
fn page_for(e: AppError, viewer: &Account) -> Response {
    failure_for(e, Some(viewer.clone()))
}

/// A refused use case as messages for its form (see `render::refusal`).
fn messages(e: AppError, viewer: &Account) -> Result<(StatusCode, FieldErrors), Response> {
    refusal(e, viewer)
}

/// The booking if the viewer is one of its parties; a not-found page for anyone else.
async fn party(state: &AppState, viewer: &Account, id: &str) -> Result<PartyBooking, Response> {
    let Ok(id) = id.parse::<i64>() else {
        return Err(not_found_page(Some(viewer.clone())));
    };
    oc::party_to(state, viewer, id)
        .await
        .map_err(|e| page_for(e, viewer))
}

/// After a save: back to the session page at the section saved, `?saved=` confirming it
/// there (a redirect, so reloading the page does not post the form again).
fn saved(pb: &PartyBooking, what: &str, anchor: &str) -> Response {
    Redirect::to(&format!(
        "/sessions/{}?saved={what}#{anchor}",
        pb.booking.id
    ))
    .into_response()
}

/// A refused form: the whole session page again, answered with `status`, the form in its
/// place with the input as sent and a message per field.
async fn reshow(
    state: &AppState,
    viewer: Account,
    csrf: &CsrfToken,
    pb: &PartyBooking,
    refused: Refused,
    status: StatusCode,
) -> PageResult {
    crate::pages::session_page::render_session(
        state,
        viewer,
        &csrf.0,
        pb.booking.id.0,
        "",
        "",
        refused,
        status,
    )
    .await
}

/// The mentee's intake answers and pre-reads read.
pub(crate) async fn save_prep(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<PrepFields>,
) -> PageResult {
    let pb = party(&state, &me, &id).await?;
    let mut read = Vec::new();
    let mut bad = FieldErrors::new();
    for r in &f.pre_reads_read {
        match r.trim().parse::<usize>() {
            Ok(n) => read.push(n),
            Err(_) => bad.add("pre_reads_read", "choose from the pre-reads listed"),
        }
    }
    let (status, errors) = if bad.is_empty() {
        let input = PrepInput {
            intake_answers: f.intake_answers.clone(),
            pre_reads_read: read,
        };
        match oc::save_prep(&state, &pb, &input).await {
            Ok(_) => return Ok(saved(&pb, "prep", "prep")),
            Err(e) => messages(e, &me)?,
        }
    } else {
        (StatusCode::UNPROCESSABLE_ENTITY, bad)
    };
    let refused = Refused {
        prep: Some((f, errors)),
        ..Default::default()
    };
    reshow(&state, me, &csrf, &pb, refused, status).await
}

/// The mentee's baseline or follow-up micro-assessment.
pub(crate) async fn take_assessment(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<AssessFields>,
) -> PageResult {
    let pb = party(&state, &me, &id).await?;
    let Some(kind) = AssessmentKind::parse(&f.kind) else {
        return Ok(not_found_page(Some(me)));
    };
    let raw = f.level.trim();
    // Nothing chosen, or not a number: 0, which no rubric has, so nothing is written.
    let input = AssessmentInput {
        level: raw.parse().unwrap_or(0),
        answers: f.answers.clone(),
    };
    let milestone = !f.reached_milestone.is_empty();
    let (status, mut errors) =
        match oc::take_assessment(&state, &me, &pb, kind.as_str(), &input, milestone).await {
            Ok(_) => {
                let (what, anchor) = match kind {
                    AssessmentKind::Baseline => ("baseline", "baseline"),
                    AssessmentKind::Followup if milestone => ("followup-bonus", "followup-check"),
                    AssessmentKind::Followup => ("followup", "followup-check"),
                };
                return Ok(saved(&pb, what, anchor));
            }
            Err(e) => messages(e, &me)?,
        };
    if raw.is_empty() && errors.0.contains_key("level") {
        errors.0.insert(
            "level".into(),
            "choose the level that describes you best".into(),
        );
    }
    let refused = Refused {
        assessment: Some((f, errors)),
        ..Default::default()
    };
    reshow(&state, me, &csrf, &pb, refused, status).await
}

/// One of the notes the viewer may write: the shared one or their own private one.
pub(crate) async fn save_note(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<NoteFields>,
) -> PageResult {
    let pb = party(&state, &me, &id).await?;
    let (status, errors) = match oc::save_note(&state, &me, &pb, &f.kind, &f.body).await {
        Ok(note) => {
            let kind = note.kind.as_str();
            return Ok(saved(&pb, &format!("note-{kind}"), &format!("note-{kind}")));
        }
        Err(e) => messages(e, &me)?,
    };
    let refused = Refused {
        note: Some((f, errors)),
        ..Default::default()
    };
    reshow(&state, me, &csrf, &pb, refused, status).await
}

/// The mentor closes the session: checkpoint, evidence, follow-up message, tasks.
pub(crate) async fn close(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<CloseFields>,
) -> PageResult {
    let pb = party(&state, &me, &id).await?;
    // Rows left blank are not tasks; `rows` maps each task back to the row it came from,
    // so a message lands next to the right inputs.
    let mut rows = Vec::new();
    let mut tasks = Vec::new();
    for i in 0..f.task_title.len().max(f.task_due.len()) {
        let title = f.task_title.get(i).cloned().unwrap_or_default();
        let due = f.task_due.get(i).cloned().unwrap_or_default();
        if title.trim().is_empty() && due.trim().is_empty() {
            continue;
        }
        rows.push(i);
        tasks.push(TaskInput { title, due });
    }
    let input = CloseInput {
        checkpoint: f.checkpoint.clone(),
        evidence: f.evidence.clone(),
        followup: f.followup.clone(),
        tasks,
    };
    let (status, errors) = match oc::close(&state, &me, &pb, &input).await {
        Ok(_) => return Ok(saved(&pb, "closed", "after")),
        Err(e) => messages(e, &me)?,
    };
    let errors = FieldErrors(
        errors
            .0
            .into_iter()
            .map(|(key, message)| {
                let row = task_key(&key)
                    .and_then(|(j, part)| Some(format!("tasks.{}.{part}", rows.get(j)?)));
                (row.unwrap_or(key), message)
            })
            .collect(),
    );
    let refused = Refused {
        close: Some((f, errors)),
        ..Default::default()
    };
    reshow(&state, me, &csrf, &pb, refused, status).await
}

/// The booking if the viewer is its mentee (only the mentee ticks checklists); asked
/// before anything is read, so the mentor's unchanged list is refused too, not ignored.
async fn as_mentee(state: &AppState, viewer: &Account, id: &str) -> Result<PartyBooking, Response> {
    let pb = party(state, viewer, id).await?;
    if pb.side != Side::Mentee {
        return Err(forbidden_page(Some(viewer.clone())));
    }
    Ok(pb)
}

/// The items of a checklist (`(key, ticked now)`, as stored) whose tick the form changes,
/// with the new tick; a not-found page if the form names an item not on the list, so
/// nothing is written unless every key checks out.
fn changes(
    f: &ChecklistFields,
    items: &[(i64, bool)],
    viewer: &Account,
) -> Result<Vec<(i64, bool)>, Response> {
    let keys: Vec<i64> = items.iter().map(|(key, _)| *key).collect();
    let Some(ticked) = f.ticked(&keys) else {
        return Err(not_found_page(Some(viewer.clone())));
    };
    Ok(items
        .iter()
        .map(|&(key, was)| (key, ticked.contains(&key), was))
        .filter(|(_, want, was)| want != was)
        .map(|(key, want, _)| (key, want))
        .collect())
}

/// The mentee's task checklist: every task ticked is done, every other one open.
pub(crate) async fn save_tasks(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<ChecklistFields>,
) -> PageResult {
    let pb = as_mentee(&state, &me, &id).await?;
    let tasks = oc::tasks(&state, &pb).await.or_page()?;
    let items: Vec<(i64, bool)> = tasks.iter().map(|t| (t.id, t.done_at.is_some())).collect();
    for (task, done) in changes(&f, &items, &me)? {
        oc::set_task(&state, &pb, task, done)
            .await
            .map_err(|e| page_for(e, &me))?;
    }
    Ok(saved(&pb, "tasks", "tasks"))
}

/// The mentee's checklist of delivered artifacts.
pub(crate) async fn save_artifacts(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<ChecklistFields>,
) -> PageResult {
    let pb = as_mentee(&state, &me, &id).await?;
    let artifacts = oc::deliverables(&state, &pb).await.or_page()?;
    let items: Vec<(i64, bool)> = artifacts
        .iter()
        .map(|d| (d.position, d.ticked_at.is_some()))
        .collect();
    for (position, ticked) in changes(&f, &items, &me)? {
        oc::tick_deliverable(&state, &pb, position, ticked)
            .await
            .map_err(|e| page_for(e, &me))?;
    }
    Ok(saved(&pb, "artifacts", "artifacts"))
}
