//! The outcome loop in the browser: the session page's prep, notes, closing and
//! after-the-session sections with their forms, and the progress, impact and metrics
//! pages. Every rule lives in `ops::outcomes` (and the domain below it); this module turns
//! its answers into HTML and a refused form back into the same form with its messages.

use super::filters;
use super::render::{Chrome, OrPage, PageResult, failure, forbidden_page, not_found_page, ok};
use crate::auth::csrf::{CsrfForm, CsrfToken};
use crate::auth::{MaybeUser, PageUser};
use crate::error::ApiError;
use crate::markdown::to_safe_html;
use crate::ops::outcomes::{self as oc, OutcomeView, PartyBooking, Side};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::Deserialize;
use std::collections::BTreeSet;
use stint_domain::FieldErrors;
use stint_domain::account::{Account, TimeZoneName};
use stint_domain::booking::BookingStatus;
use stint_domain::outcome::assessment::{AssessmentInput, AssessmentKind, Level};
use stint_domain::outcome::closing::{CheckpointResult, CloseInput, TASKS_MAX, TaskInput};
use stint_domain::outcome::metrics::{DEFINITIONS, MIN_PUBLIC_SAMPLE, OutcomeStats};
use stint_domain::outcome::notes::NoteKind;
use stint_domain::outcome::prep::{PrepInput, PrepStatus};
use stint_domain::outcome::todo::{Due, TodoItem, TodoKind};
use stint_domain::role::Role;
use stint_store::AssessmentRecord;

// ---- view pieces -------------------------------------------------------------------

/// A line of a form's error summary, linking to the field it is about.
pub struct Problem {
    pub href: String,
    pub label: String,
    pub message: String,
}

/// A text field of a form built from the SKU (questions, tasks), with its own id.
pub struct Field {
    pub id: String,
    pub label: String,
    pub value: String,
    pub error: Option<String>,
}

/// One radio button or checkbox.
pub struct Choice {
    pub id: String,
    pub value: String,
    pub label: String,
    /// Words under the label (a rubric level's description).
    pub detail: String,
    pub checked: bool,
}

/// The summary of a refused form: each message linked to its field (`anchor` gives the
/// field id and label for a message's key; unknown keys point at the form itself).
fn problems(
    errors: &FieldErrors,
    form_id: &str,
    anchor: impl Fn(&str) -> Option<(String, String)>,
) -> Vec<Problem> {
    errors
        .0
        .iter()
        .map(|(key, message)| {
            let (id, label) =
                anchor(key).unwrap_or_else(|| (form_id.to_string(), "This form".into()));
            Problem {
                href: format!("#{id}"),
                label,
                message: message.clone(),
            }
        })
        .collect()
}

fn zone(account: &Account) -> TimeZone {
    TimeZoneName::parse(&account.timezone)
        .map(|z| z.tz())
        .unwrap_or(TimeZone::UTC)
}

/// "Tue 8 Dec 2026".
fn day_words(d: Date) -> String {
    d.strftime("%a %-d %b %Y").to_string()
}

/// Whether a day has ended in the viewer's zone.
fn day_passed(d: Date, viewer: &Account, now: Timestamp) -> bool {
    d.tomorrow()
        .ok()
        .and_then(|next| next.to_zoned_datetime(zone(viewer)).ok())
        .is_some_and(|z| z.timestamp() <= now)
}

fn rubric_words(rubric: &[String], level: Level) -> String {
    usize::try_from(level.get() - 1)
        .ok()
        .and_then(|i| rubric.get(i))
        .cloned()
        .unwrap_or_default()
}

// ---- form input --------------------------------------------------------------------

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct PrepFields {
    intake_answers: Vec<String>,
    pre_reads_read: Vec<String>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct AssessFields {
    kind: String,
    level: String,
    answers: Vec<String>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct NoteFields {
    kind: String,
    body: String,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct CloseFields {
    checkpoint: String,
    evidence: String,
    followup: String,
    task_title: Vec<String>,
    task_due: Vec<String>,
}

/// A checklist: the ids (tasks) or positions (artifacts) ticked; the rest are unticked.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct ChecklistFields {
    done: Vec<String>,
}

/// A refused form's input and messages, re-shown in place on the session page.
#[derive(Default)]
pub struct Refused {
    prep: Option<(PrepFields, FieldErrors)>,
    assessment: Option<(AssessFields, FieldErrors)>,
    note: Option<(NoteFields, FieldErrors)>,
    close: Option<(CloseFields, FieldErrors)>,
}

// ---- the session page's outcome sections -------------------------------------------

pub struct PreReadRow {
    pub id: String,
    pub index: usize,
    pub title: String,
    pub url: String,
    pub read: bool,
}

pub struct PrepView {
    /// The mentee, while the session is confirmed.
    pub editable: bool,
    pub done: bool,
    pub status_line: String,
    pub intake: Vec<Field>,
    pub pre_reads: Vec<PreReadRow>,
    pub pre_reads_error: Option<String>,
    pub problems: Vec<Problem>,
    /// "Saved Tue 8 Dec 2026 14:00", empty before the first save.
    pub saved_at: String,
}

/// A micro-assessment form (baseline or follow-up).
pub struct AssessView {
    pub kind: &'static str,
    pub legend: String,
    pub levels: Vec<Choice>,
    pub level_error: Option<String>,
    pub answers: Vec<Field>,
    pub problems: Vec<Problem>,
    pub button: &'static str,
}

/// A micro-assessment already taken.
pub struct TakenView {
    pub level: i64,
    pub words: String,
    /// (question, answer)
    pub answers: Vec<(String, String)>,
    pub when: String,
}

pub struct NoteView {
    pub kind: &'static str,
    pub heading: &'static str,
    pub hint: String,
    pub id: String,
    pub value: String,
    pub error: Option<String>,
    /// The saved note as sanitized HTML.
    pub html: String,
    pub saved: String,
    /// This note was just saved (`?saved=note-<kind>`).
    pub just_saved: bool,
}

pub struct CloseView {
    pub options: Vec<Choice>,
    pub checkpoint_error: Option<String>,
    pub evidence: Field,
    pub followup: Field,
    pub tasks: Vec<(Field, Field)>,
    pub tasks_error: Option<String>,
    pub today: String,
    pub problems: Vec<Problem>,
}

pub struct TaskView {
    pub id: i64,
    pub input_id: String,
    pub title: String,
    pub due: String,
    pub done: bool,
    pub overdue: bool,
}

pub struct ArtifactView {
    pub position: i64,
    pub input_id: String,
    pub title: String,
    pub ticked: bool,
}

pub struct AfterView {
    pub result: &'static str,
    pub reached: bool,
    pub evidence: String,
    /// The follow-up message as the mentor sent it.
    pub message: String,
    pub closed_when: String,
    pub tasks: Vec<TaskView>,
    pub tasks_done: usize,
    pub artifacts: Vec<ArtifactView>,
    pub artifacts_done: usize,
    /// Set while the follow-up check-in is not open yet: when it opens, in the viewer's zone.
    pub followup_opens: String,
    /// Set once open, for the mentor while the mentee has not taken it.
    pub followup_open_since: String,
    pub followup_form: Option<AssessView>,
    pub followup: Option<TakenView>,
    /// "+2 levels since the baseline", when both were taken.
    pub gain: String,
}

/// Everything of the outcome loop the session page shows one of the two parties.
pub struct Panel {
    pub booking_id: i64,
    pub user_id: i64,
    pub is_mentor: bool,
    pub other: String,
    pub competency: String,
    pub checkpoint: String,
    /// Which form was just saved (`?saved=`), to confirm it in place.
    pub saved: String,
    pub prep: PrepView,
    pub baseline_form: Option<AssessView>,
    pub baseline: Option<TakenView>,
    pub notes: Vec<NoteView>,
    pub close: Option<CloseView>,
    pub close_hint: String,
    pub after: Option<AfterView>,
    /// Why a form was refused when that form is not on the page any more (the baseline
    /// already taken, the follow-up not open yet, the session not started).
    pub general: Vec<String>,
}

fn prep_line(s: PrepStatus, side: Side) -> String {
    if s.is_done() {
        return "Prep done".into();
    }
    let mut missing = Vec::new();
    if !s.answered {
        missing.push("answer the intake questions");
    }
    if !s.pre_reads_done {
        missing.push("mark the pre-reads read");
    }
    if !s.baseline_done {
        missing.push("take the baseline check-in");
    }
    match side {
        Side::Mentee => format!("Prep: still to do: {}.", missing.join(", ")),
        Side::Mentor => format!("Prep not done yet: still to {}.", missing.join(", ")),
    }
}

fn prep_view(
    pb: &PartyBooking,
    view: &OutcomeView,
    viewer: &Account,
    refused: Option<&(PrepFields, FieldErrors)>,
) -> PrepView {
    let c = &pb.sku.content;
    let saved = view.prep.as_ref();
    let (answers, read, errors): (Vec<String>, Vec<usize>, FieldErrors) = match refused {
        Some((f, e)) => (
            f.intake_answers.clone(),
            f.pre_reads_read
                .iter()
                .filter_map(|r| r.trim().parse().ok())
                .collect(),
            e.clone(),
        ),
        None => (
            saved
                .map(|p| p.prep.intake_answers.clone())
                .unwrap_or_default(),
            saved
                .map(|p| p.prep.pre_reads_read.clone())
                .unwrap_or_default(),
            FieldErrors::new(),
        ),
    };
    let intake = c
        .intake_questions
        .iter()
        .enumerate()
        .map(|(i, q)| Field {
            id: format!("f-intake-{i}"),
            label: q.clone(),
            value: answers.get(i).cloned().unwrap_or_default(),
            error: errors
                .get(&format!("intake_answers.{i}"))
                .or(if i == 0 {
                    errors.get("intake_answers")
                } else {
                    None
                })
                .map(String::from),
        })
        .collect();
    let pre_reads = c
        .pre_reads
        .iter()
        .enumerate()
        .map(|(i, p)| PreReadRow {
            id: format!("f-read-{i}"),
            index: i,
            title: p.title.clone(),
            url: p.url.clone(),
            read: read.contains(&i),
        })
        .collect();
    let questions = c.intake_questions.len();
    PrepView {
        editable: pb.side == Side::Mentee && pb.booking.status == BookingStatus::Confirmed,
        done: view.prep_status.is_done(),
        status_line: prep_line(view.prep_status, pb.side),
        intake,
        pre_reads,
        pre_reads_error: errors.get("pre_reads_read").map(String::from),
        problems: problems(&errors, "prep-form", |key| {
            if key == "intake_answers" && questions > 0 {
                return Some(("f-intake-0".into(), "Intake questions".into()));
            }
            if key == "pre_reads_read" {
                return Some(("pre-reads".into(), "Pre-reads".into()));
            }
            let i: usize = key.strip_prefix("intake_answers.")?.parse().ok()?;
            (i < questions).then(|| (format!("f-intake-{i}"), format!("Question {}", i + 1)))
        }),
        saved_at: saved
            .map(|p| format!("Saved {}", oc::when_for(viewer, p.updated_at)))
            .unwrap_or_default(),
    }
}

fn assess_view(
    kind: AssessmentKind,
    competency: &str,
    rubric: &[String],
    questions: &[String],
    refused: Option<&(AssessFields, FieldErrors)>,
) -> AssessView {
    let k = kind.as_str();
    let (level, answers, errors) = match refused {
        Some((f, e)) if f.kind == k => (f.level.trim().to_string(), f.answers.clone(), e.clone()),
        _ => (String::new(), Vec::new(), FieldErrors::new()),
    };
    let levels = (Level::MIN.get()..=Level::MAX.get())
        .map(|n| Choice {
            id: format!("f-{k}-level-{n}"),
            value: n.to_string(),
            label: format!("Level {n}"),
            detail: usize::try_from(n - 1)
                .ok()
                .and_then(|i| rubric.get(i))
                .cloned()
                .unwrap_or_default(),
            checked: level == n.to_string(),
        })
        .collect();
    let answers = questions
        .iter()
        .enumerate()
        .map(|(i, q)| Field {
            id: format!("f-{k}-answer-{i}"),
            label: q.clone(),
            value: answers.get(i).cloned().unwrap_or_default(),
            error: errors.get(&format!("answers.{i}")).map(String::from),
        })
        .collect();
    let n = questions.len();
    let (legend, button) = match kind {
        AssessmentKind::Baseline => (
            format!("Where are you today in {competency}?"),
            "Save my baseline",
        ),
        AssessmentKind::Followup => (
            format!("Where are you now in {competency}?"),
            "Save my follow-up check-in",
        ),
    };
    AssessView {
        kind: k,
        legend,
        levels,
        level_error: errors.get("level").map(String::from),
        answers,
        problems: problems(&errors, &format!("{k}-form"), |key| {
            if key == "level" {
                return Some((format!("{k}-level"), "Your level".into()));
            }
            let i: usize = key.strip_prefix("answers.")?.parse().ok()?;
            (i < n).then(|| (format!("f-{k}-answer-{i}"), format!("Question {}", i + 1)))
        }),
        button,
    }
}

fn taken_view(
    rec: &AssessmentRecord,
    rubric: &[String],
    questions: &[String],
    viewer: &Account,
) -> TakenView {
    TakenView {
        level: rec.level.get(),
        words: rubric_words(rubric, rec.level),
        answers: questions
            .iter()
            .zip(rec.answers.iter())
            .filter(|(_, a)| !a.is_empty())
            .map(|(q, a)| (q.clone(), a.clone()))
            .collect(),
        when: oc::when_for(viewer, rec.submitted_at),
    }
}

fn note_views(
    pb: &PartyBooking,
    view: &OutcomeView,
    viewer: &Account,
    other: &str,
    just_saved: &str,
    refused: Option<&(NoteFields, FieldErrors)>,
) -> Vec<NoteView> {
    let mine = match pb.side {
        Side::Mentee => NoteKind::MenteePrivate,
        Side::Mentor => NoteKind::MentorPrivate,
    };
    [NoteKind::Shared, mine]
        .into_iter()
        .filter(|k| pb.may_write_note(*k))
        .map(|kind| {
            let saved = view.notes.iter().find(|n| n.kind == kind);
            let (value, error) = match refused {
                Some((f, e)) if f.kind == kind.as_str() => {
                    (f.body.clone(), e.0.values().next().cloned())
                }
                _ => (saved.map(|n| n.body.clone()).unwrap_or_default(), None),
            };
            let shared = kind == NoteKind::Shared;
            NoteView {
                kind: kind.as_str(),
                heading: if shared {
                    "Shared notes"
                } else {
                    "My private notes"
                },
                hint: if shared {
                    format!("You and {other} both read and edit these. Markdown works.")
                } else {
                    "Only you can read these. Markdown works.".to_string()
                },
                id: format!("f-note-{}", kind.as_str()),
                just_saved: just_saved == format!("note-{}", kind.as_str()),
                value,
                error,
                html: saved.map(|n| to_safe_html(&n.body)).unwrap_or_default(),
                saved: saved
                    .map(|n| {
                        let by = if n.author_id == viewer.id {
                            "you".to_string()
                        } else {
                            other.to_string()
                        };
                        format!("Saved {} by {by}", oc::when_for(viewer, n.updated_at))
                    })
                    .unwrap_or_default(),
            }
        })
        .collect()
}

fn close_view(fields: &CloseFields, errors: &FieldErrors, mentee: &str, today: Date) -> CloseView {
    let field = |id: &str, label: String, value: &str, key: &str| Field {
        id: id.to_string(),
        label,
        value: value.to_string(),
        error: errors.get(key).map(String::from),
    };
    let tasks = (0..TASKS_MAX)
        .map(|i| {
            let get = |v: &Vec<String>| v.get(i).cloned().unwrap_or_default();
            (
                field(
                    &format!("f-task-title-{i}"),
                    format!("Task {}", i + 1),
                    &get(&fields.task_title),
                    &format!("tasks.{i}.title"),
                ),
                field(
                    &format!("f-task-due-{i}"),
                    format!("Task {} due", i + 1),
                    &get(&fields.task_due),
                    &format!("tasks.{i}.due"),
                ),
            )
        })
        .collect();
    CloseView {
        options: CheckpointResult::ALL
            .into_iter()
            .map(|c| Choice {
                id: format!("f-checkpoint-{}", c.as_str()),
                value: c.as_str().to_string(),
                label: c.label().to_string(),
                detail: String::new(),
                checked: fields.checkpoint.trim() == c.as_str(),
            })
            .collect(),
        checkpoint_error: errors.get("checkpoint").map(String::from),
        evidence: field(
            "f-evidence",
            "Evidence (one line)".into(),
            &fields.evidence,
            "evidence",
        ),
        followup: field(
            "f-followup",
            format!("Follow-up message to {mentee}"),
            &fields.followup,
            "followup",
        ),
        tasks,
        tasks_error: errors.get("tasks").map(String::from),
        today: today.to_string(),
        problems: problems(errors, "close-form", |key| {
            let named = |id: &str, label: &str| Some((id.to_string(), label.to_string()));
            match key {
                "checkpoint" => named("close-checkpoint", "Checkpoint reached?"),
                "evidence" => named("f-evidence", "Evidence"),
                "followup" => named("f-followup", "Follow-up message"),
                "tasks" => named("close-tasks", "Tasks"),
                _ => {
                    let rest = key.strip_prefix("tasks.")?;
                    let (i, part) = rest.split_once('.')?;
                    let i: usize = i.parse().ok()?;
                    let (id, what) = if part == "due" {
                        ("due", "due date")
                    } else {
                        ("title", "title")
                    };
                    Some((format!("f-task-{id}-{i}"), format!("Task {} {what}", i + 1)))
                }
            }
        }),
    }
}

/// The outcome sections of a session page, for one of its two parties; `None` for anyone
/// else (an operator sees the booking, not the two people's outcome data).
pub async fn panel(
    state: &AppState,
    viewer: &Account,
    other: &str,
    id: i64,
    saved: &str,
    refused: Refused,
) -> Result<Option<Panel>, Response> {
    let pb = match oc::party_to(state, viewer, id).await {
        Ok(pb) => pb,
        Err(e) if e.status == StatusCode::NOT_FOUND => return Ok(None),
        Err(e) => return Err(failure(e)),
    };
    let view = oc::outcome_view(state, &pb).await.or_page()?;
    let c = &pb.sku.content;
    let competency = state.store.competency(c.competency_id).await.or_page()?;
    let (competency_name, rubric, checkpoint) = match &competency {
        Some(comp) => (
            comp.name.clone(),
            comp.rubric.clone(),
            comp.checkpoint(c.checkpoint_id)
                .map(|cp| cp.title.clone())
                .unwrap_or_default(),
        ),
        None => (String::new(), Vec::new(), String::new()),
    };
    let now = state.now();
    let questions = &c.assessment_questions;
    let find = |k| view.assessments.iter().find(|a| a.kind == k);
    let baseline = find(AssessmentKind::Baseline);
    let followup = find(AssessmentKind::Followup);
    let confirmed = pb.booking.status == BookingStatus::Confirmed;

    let baseline_form = (pb.side == Side::Mentee && confirmed && baseline.is_none()).then(|| {
        assess_view(
            AssessmentKind::Baseline,
            &competency_name,
            &rubric,
            questions,
            refused.assessment.as_ref(),
        )
    });

    let (mut close, mut close_hint) = (None, String::new());
    if pb.side == Side::Mentor && confirmed && view.closing.is_none() {
        if now >= pb.booking.start {
            let today = now.to_zoned_datetime(zone(viewer)).date();
            close = Some(match &refused.close {
                Some((fields, errors)) => close_view(fields, errors, other, today),
                None => {
                    let fields = CloseFields {
                        followup: oc::followup_draft(state, &pb, Vec::new()).await.or_page()?,
                        ..Default::default()
                    };
                    close_view(&fields, &FieldErrors::new(), other, today)
                }
            });
        } else {
            close_hint = format!(
                "Once the session has started ({} your time) you close it here: checkpoint, \
                 evidence, follow-up message and tasks.",
                oc::when_for(viewer, pb.booking.start)
            );
        }
    }

    let after = view.closing.as_ref().map(|closing| {
        let tasks: Vec<TaskView> = view
            .tasks
            .iter()
            .map(|t| TaskView {
                id: t.id,
                input_id: format!("f-task-{}", t.id),
                title: t.title.clone(),
                due: day_words(t.due),
                done: t.done_at.is_some(),
                overdue: t.done_at.is_none() && day_passed(t.due, viewer, now),
            })
            .collect();
        let artifacts: Vec<ArtifactView> = view
            .deliverables
            .iter()
            .map(|d| ArtifactView {
                position: d.position,
                input_id: format!("f-artifact-{}", d.position),
                title: d.title.clone(),
                ticked: d.ticked_at.is_some(),
            })
            .collect();
        let open = now >= closing.followup_opens_at;
        let gain = match (baseline, followup) {
            (Some(b), Some(f)) => {
                let g = f.level.get() - b.level.get();
                let unit = if g.abs() == 1 { "level" } else { "levels" };
                format!(
                    "{g:+} {unit} since the baseline (level {} → {})",
                    b.level, f.level
                )
            }
            _ => String::new(),
        };
        AfterView {
            result: closing.checkpoint.label(),
            reached: closing.checkpoint == CheckpointResult::Reached,
            evidence: closing.evidence.clone(),
            message: closing.followup.clone(),
            closed_when: oc::when_for(viewer, closing.closed_at),
            tasks_done: tasks.iter().filter(|t| t.done).count(),
            tasks,
            artifacts_done: artifacts.iter().filter(|a| a.ticked).count(),
            artifacts,
            followup_opens: if open {
                String::new()
            } else {
                oc::when_for(viewer, closing.followup_opens_at)
            },
            followup_open_since: if open && followup.is_none() && pb.side == Side::Mentor {
                oc::when_for(viewer, closing.followup_opens_at)
            } else {
                String::new()
            },
            followup_form: (open && followup.is_none() && pb.side == Side::Mentee).then(|| {
                assess_view(
                    AssessmentKind::Followup,
                    &competency_name,
                    &rubric,
                    questions,
                    refused.assessment.as_ref(),
                )
            }),
            followup: followup.map(|f| taken_view(f, &rubric, questions, viewer)),
            gain,
        }
    });

    let prep = prep_view(&pb, &view, viewer, refused.prep.as_ref());
    let mut general = Vec::new();
    let mut orphan = |shown: bool, errors: &FieldErrors| {
        if !shown {
            general.extend(errors.0.values().cloned());
        }
    };
    if let Some((_, e)) = &refused.prep {
        orphan(prep.editable, e);
    }
    if let Some((_, e)) = &refused.close {
        orphan(close.is_some(), e);
    }
    if let Some((f, e)) = &refused.assessment {
        let shown = match AssessmentKind::parse(&f.kind) {
            Some(AssessmentKind::Baseline) => baseline_form.is_some(),
            Some(AssessmentKind::Followup) => {
                after.as_ref().is_some_and(|a| a.followup_form.is_some())
            }
            None => false,
        };
        orphan(shown, e);
    }
    Ok(Some(Panel {
        booking_id: pb.booking.id.0,
        user_id: viewer.id.0,
        is_mentor: pb.side == Side::Mentor,
        other: other.to_string(),
        saved: saved.to_string(),
        prep,
        general,
        baseline_form,
        baseline: baseline.map(|b| taken_view(b, &rubric, questions, viewer)),
        notes: note_views(&pb, &view, viewer, other, saved, refused.note.as_ref()),
        close,
        close_hint,
        after,
        competency: competency_name,
        checkpoint,
    }))
}

// ---- the forms' handlers -----------------------------------------------------------

/// A failed use case as a page: not found, not allowed, or the error page.
fn page_for(e: ApiError, viewer: &Account) -> Response {
    match e.status {
        StatusCode::NOT_FOUND => not_found_page(Some(viewer.clone())),
        StatusCode::FORBIDDEN => forbidden_page(Some(viewer.clone())),
        _ => failure(e),
    }
}

/// A refused use case as messages for its form, with the status to answer with; whatever
/// is not about the input (not found, not allowed, a failure) is a page of its own.
fn messages(e: ApiError, viewer: &Account) -> Result<(StatusCode, FieldErrors), Response> {
    if !e.status.is_client_error()
        || matches!(e.status, StatusCode::NOT_FOUND | StatusCode::FORBIDDEN)
    {
        return Err(page_for(e, viewer));
    }
    let errors = if e.fields.is_empty() {
        FieldErrors::single("form", e.message)
    } else {
        FieldErrors(e.fields)
    };
    Ok((e.status, errors))
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

fn saved(pb: &PartyBooking, what: &str, anchor: &str) -> Response {
    Redirect::to(&format!(
        "/sessions/{}?saved={what}#{anchor}",
        pb.booking.id
    ))
    .into_response()
}

async fn reshow(
    state: &AppState,
    viewer: Account,
    csrf: &CsrfToken,
    pb: &PartyBooking,
    refused: Refused,
    status: StatusCode,
) -> PageResult {
    super::booking::render_session(
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
pub async fn save_prep(
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
pub async fn take_assessment(
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
    let (status, mut errors) =
        match oc::take_assessment(&state, &me, &pb, kind.as_str(), &input).await {
            Ok(_) => {
                let anchor = match kind {
                    AssessmentKind::Baseline => "baseline",
                    AssessmentKind::Followup => "followup-check",
                };
                return Ok(saved(&pb, kind.as_str(), anchor));
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
pub async fn save_note(
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
pub async fn close(
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
                let row = key
                    .strip_prefix("tasks.")
                    .and_then(|rest| rest.split_once('.'))
                    .and_then(|(j, part)| {
                        let j: usize = j.parse().ok()?;
                        Some(format!("tasks.{}.{part}", rows.get(j)?))
                    });
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

/// The ids in a checklist form, each one of `known`; `None` if any is not.
fn ticked(f: &ChecklistFields, known: &[i64]) -> Option<BTreeSet<i64>> {
    f.done
        .iter()
        .map(|d| d.trim().parse::<i64>().ok().filter(|n| known.contains(n)))
        .collect()
}

/// The mentee's task checklist: every task ticked is done, every other one open.
pub async fn save_tasks(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<ChecklistFields>,
) -> PageResult {
    let pb = party(&state, &me, &id).await?;
    // `set_task` refuses the mentor too; asked first so an unchanged list is no exception.
    if pb.side != Side::Mentee {
        return Ok(forbidden_page(Some(me)));
    }
    let tasks = state.store.tasks(pb.booking.id).await.or_page()?;
    let ids: Vec<i64> = tasks.iter().map(|t| t.id).collect();
    // Every id is checked before anything is written.
    let Some(done) = ticked(&f, &ids) else {
        return Ok(not_found_page(Some(me)));
    };
    for t in &tasks {
        let want = done.contains(&t.id);
        if want != t.done_at.is_some() {
            oc::set_task(&state, &pb, t.id, want)
                .await
                .map_err(|e| page_for(e, &me))?;
        }
    }
    Ok(saved(&pb, "tasks", "tasks"))
}

/// The mentee's checklist of delivered artifacts.
pub async fn save_artifacts(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(id): Path<String>,
    CsrfForm(f): CsrfForm<ChecklistFields>,
) -> PageResult {
    let pb = party(&state, &me, &id).await?;
    if pb.side != Side::Mentee {
        return Ok(forbidden_page(Some(me)));
    }
    let items = state.store.deliverables(pb.booking.id).await.or_page()?;
    let positions: Vec<i64> = items.iter().map(|d| d.position).collect();
    let Some(ticks) = ticked(&f, &positions) else {
        return Ok(not_found_page(Some(me)));
    };
    for d in &items {
        let want = ticks.contains(&d.position);
        if want != d.ticked_at.is_some() {
            oc::tick_deliverable(&state, &pb, d.position, want)
                .await
                .map_err(|e| page_for(e, &me))?;
        }
    }
    Ok(saved(&pb, "artifacts", "artifacts"))
}

// ---- dashboard to-dos --------------------------------------------------------------

pub struct TodoRow {
    pub href: String,
    pub title: String,
    pub due: String,
    pub overdue: bool,
}

/// The viewer's to-do list, each item linking to its place on the session page.
pub async fn todo_rows(state: &AppState, viewer: &Account) -> Result<Vec<TodoRow>, Response> {
    let items: Vec<TodoItem> = oc::todo_of(state, viewer).await.or_page()?;
    Ok(items
        .into_iter()
        .map(|t| {
            let anchor = match t.kind {
                TodoKind::Prep => "prep",
                TodoKind::CloseSession => "close",
                TodoKind::Task => "tasks",
                TodoKind::FollowupAssessment => "followup-check",
            };
            let due = match (t.kind, t.due) {
                (TodoKind::CloseSession, Some(Due::At(at))) => {
                    format!("session ended {}", oc::when_for(viewer, at))
                }
                (_, Some(Due::At(at))) => format!("before {}", oc::when_for(viewer, at)),
                (_, Some(Due::On(d))) => format!("due {}", day_words(d)),
                (_, None) => "open now".into(),
            };
            TodoRow {
                href: format!("/sessions/{}#{anchor}", t.booking_id),
                title: t.title,
                due,
                overdue: t.overdue,
            }
        })
        .collect())
}

// ---- metrics: definitions, progress, impact, public figures ------------------------

/// One metric's definition, as written once in the domain.
pub struct Definition {
    pub id: String,
    pub name: &'static str,
    pub text: &'static str,
}

/// The anchor of a metric's definition: `skill gain` → `def-skill-gain`.
pub fn definition_id(name: &str) -> String {
    let slug: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    format!("def-{slug}")
}

pub fn definitions() -> Vec<Definition> {
    DEFINITIONS
        .iter()
        .map(|(name, text)| Definition {
            id: definition_id(name),
            name,
            text,
        })
        .collect()
}

fn pct(x: f64) -> String {
    format!("{:.0}%", x * 100.0)
}

fn interval_words(stats: &OutcomeStats) -> String {
    stats
        .interval
        .map(|(lo, hi)| format!("{}–{}", pct(lo), pct(hi)))
        .unwrap_or_default()
}

fn gain_words(g: f64) -> String {
    format!("{g:+.1} levels")
}

/// A SKU's public outcome figures, worded.
pub struct PublicFigures {
    pub rate: String,
    pub interval: String,
    pub sessions: u64,
    pub mean_gain: String,
}

/// The figures a SKU page shows, or `None` below the public sample size.
pub async fn public_figures(
    state: &AppState,
    sku: stint_domain::ids::SkuId,
) -> Result<Option<PublicFigures>, Response> {
    let stats = oc::sku_stats(state, sku).await.or_page()?;
    Ok(stats.map(|s| PublicFigures {
        rate: s.mini_win_rate.map(pct).unwrap_or_default(),
        interval: interval_words(&s),
        sessions: s.sessions,
        mean_gain: s.mean_gain.map(gain_words).unwrap_or_default(),
    }))
}

pub const PUBLIC_THRESHOLD: u64 = MIN_PUBLIC_SAMPLE;

pub struct LevelCell {
    pub level: i64,
    pub words: String,
}

pub struct ProgressRow {
    pub href: String,
    pub when: String,
    pub baseline: Option<LevelCell>,
    pub followup: Option<LevelCell>,
    pub gain: String,
}

pub struct CompetencyView {
    pub name: String,
    pub sessions: u64,
    pub checkpoints_reached: u64,
    pub tasks_done: u64,
    pub tasks_total: u64,
    pub mini_wins: u64,
    pub latest: Option<LevelCell>,
    pub rows: Vec<ProgressRow>,
}

#[derive(Template)]
#[template(path = "progress.html")]
struct ProgressPage {
    chrome: Chrome,
    competencies: Vec<CompetencyView>,
    definitions: Vec<Definition>,
}

/// The mentee's progress: per competency, the level session by session, checkpoints
/// reached, tasks done and mini-wins.
pub async fn progress(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
) -> PageResult {
    let all = oc::progress(&state, &me).await.or_page()?;
    let competencies = all
        .into_iter()
        .map(|np| {
            let cell = |l: Level| LevelCell {
                level: l.get(),
                words: rubric_words(&np.rubric, l),
            };
            let p = &np.progress;
            let mut rows: Vec<ProgressRow> = Vec::new();
            let mut last = None;
            for point in &p.points {
                if last != Some(point.booking_id) {
                    rows.push(ProgressRow {
                        href: format!("/sessions/{}", point.booking_id),
                        when: day_words(point.at.to_zoned_datetime(zone(&me)).date()),
                        baseline: None,
                        followup: None,
                        gain: String::new(),
                    });
                    last = Some(point.booking_id);
                }
                if let Some(row) = rows.last_mut() {
                    match point.kind {
                        AssessmentKind::Baseline => row.baseline = Some(cell(point.level)),
                        AssessmentKind::Followup => row.followup = Some(cell(point.level)),
                    }
                }
            }
            for row in &mut rows {
                if let (Some(b), Some(f)) = (&row.baseline, &row.followup) {
                    row.gain = format!("{:+}", f.level - b.level);
                }
            }
            CompetencyView {
                name: np.name.clone(),
                sessions: p.sessions,
                checkpoints_reached: p.checkpoints_reached,
                tasks_done: p.tasks_done,
                tasks_total: p.tasks_total,
                mini_wins: p.mini_wins,
                latest: p.latest().map(cell),
                rows,
            }
        })
        .collect();
    Ok(ok(&ProgressPage {
        chrome: Chrome::new("Your progress · Stint", Some(me), &csrf.0),
        competencies,
        definitions: definitions(),
    }))
}

#[derive(Template)]
#[template(path = "impact.html")]
struct ImpactPage {
    chrome: Chrome,
    sessions: u64,
    mini_wins: u64,
    rate: String,
    interval: String,
    mean_gain: String,
    gains_measured: u64,
    checkpoints_reached: u64,
    tasks_done: u64,
    tasks_total: u64,
    tasks_rate: String,
    definitions: Vec<Definition>,
}

/// A mentor's impact over every session they closed.
pub async fn impact(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
) -> PageResult {
    if !me.has(Role::Mentor) {
        return Ok(forbidden_page(Some(me)));
    }
    let s = oc::impact(&state, &me).await.or_page()?;
    Ok(ok(&ImpactPage {
        chrome: Chrome::new("Your impact · Stint", Some(me), &csrf.0),
        rate: s.mini_win_rate.map(pct).unwrap_or_default(),
        interval: interval_words(&s),
        mean_gain: s.mean_gain.map(gain_words).unwrap_or_default(),
        tasks_rate: if s.tasks_total > 0 {
            pct(s.tasks_done as f64 / s.tasks_total as f64)
        } else {
            String::new()
        },
        sessions: s.sessions,
        mini_wins: s.mini_wins,
        gains_measured: s.gains_measured,
        checkpoints_reached: s.checkpoints_reached,
        tasks_done: s.tasks_done,
        tasks_total: s.tasks_total,
        definitions: definitions(),
    }))
}

#[derive(Template)]
#[template(path = "metrics.html")]
struct MetricsPage {
    chrome: Chrome,
    definitions: Vec<Definition>,
    threshold: u64,
}

/// What every outcome figure means: the definitions, written once in the domain.
pub async fn metrics_page(MaybeUser(user): MaybeUser, csrf: CsrfToken) -> Response {
    ok(&MetricsPage {
        chrome: Chrome::new("How outcomes are measured · Stint", user, &csrf.0),
        definitions: definitions(),
        threshold: MIN_PUBLIC_SAMPLE,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_definition_has_a_distinct_anchor() {
        let ids: BTreeSet<String> = definitions().into_iter().map(|d| d.id).collect();
        assert_eq!(ids.len(), DEFINITIONS.len());
        assert!(ids.contains("def-mini-win-rate"));
        assert!(ids.contains("def-wilson-interval"));
    }

    #[test]
    fn checklists_accept_only_known_ids() {
        let f = |v: &[&str]| ChecklistFields {
            done: v.iter().map(|s| s.to_string()).collect(),
        };
        assert_eq!(
            ticked(&f(&["3", " 5 "]), &[3, 5, 7]),
            Some([3, 5].into_iter().collect())
        );
        assert_eq!(ticked(&f(&["4"]), &[3]), None);
        assert_eq!(ticked(&f(&["x"]), &[3]), None);
        assert_eq!(ticked(&f(&[]), &[3]), Some(BTreeSet::new()));
    }
}
