//! The writes to one booking's outcome loop, each by the side it belongs to: the mentee's
//! prep, assessments, tasks and artifacts, the mentor's follow-up and closing, and either
//! party's notes.

use super::{PartyBooking, Side, aim, only, when_for};
use crate::App;
use crate::error::{AppError, missing};
use stint_domain::FieldErrors;
use stint_domain::account::Account;
use stint_domain::booking::BookingStatus;
use stint_domain::outcome::assessment::{AssessmentInput, AssessmentKind, followup_opens_at};
use stint_domain::outcome::closing::{
    CloseInput, DEFAULT_FOLLOWUP_TEMPLATE, FollowupContext, Task, render_followup,
};
use stint_domain::outcome::notes::{NoteKind, validate_note};
use stint_domain::outcome::prep::{Prep, PrepInput};
use stint_store::{
    AssessmentRecord, CloseSession, ClosingRecord, NewNote, NoteRecord, PrepRecord, TaskRecord,
};

/// The mentee's prep: intake answers and pre-reads read, until the session is closed.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn save_prep(
    app: &App,
    pb: &PartyBooking,
    input: &PrepInput,
) -> Result<PrepRecord, AppError> {
    only(Side::Mentee, pb, "mentee prepares it")?;
    if pb.booking.status != BookingStatus::Confirmed {
        return Err(not_open(pb, "prep"));
    }
    let prep = input
        .validate(&pb.sku.content)
        .map_err(AppError::validation)?;
    let now = app.now();
    let stored = Prep {
        intake_answers: app.seal_all(&prep.intake_answers)?,
        pre_reads_read: prep.pre_reads_read.clone(),
    };
    app.store.save_prep(pb.booking.id, &stored, now).await?;
    Ok(PrepRecord {
        prep,
        updated_at: now,
    })
}

fn not_open(pb: &PartyBooking, what: &str) -> AppError {
    AppError::field(
        crate::ErrorKind::Conflict,
        "conflict",
        "status",
        format!(
            "{what} is closed: this session is {}",
            pb.booking.status.as_str()
        ),
    )
}

/// The mentee's micro-assessment: the baseline before the session is closed, the follow-up
/// once the SKU's delay after closing has passed (refused before, naming the date). With the
/// follow-up the mentee may confirm they reached the milestone (`reached_milestone`): the
/// outcome bonus is checked as `money::bonus::confirm` checks it before anything is saved,
/// and paid once the check-in is.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn take_assessment(
    app: &App,
    viewer: &Account,
    pb: &PartyBooking,
    kind_raw: &str,
    input: &AssessmentInput,
    reached_milestone: bool,
) -> Result<AssessmentRecord, AppError> {
    only(Side::Mentee, pb, "mentee assesses themself")?;
    // Both the kind and the answers are checked before refusing, so one answer names every
    // field that is wrong.
    let mut e = FieldErrors::new();
    let kind = AssessmentKind::parse(kind_raw);
    if kind.is_none() {
        e.add("kind", "must be `baseline` or `followup`");
    }
    let assessment = match input.validate(&pb.sku.content.assessment_questions) {
        Ok(a) => Some(a),
        Err(f) => {
            for (field, msg) in f.0 {
                e.add(&field, msg);
            }
            None
        }
    };
    let (Some(kind), Some(assessment)) = (kind, assessment) else {
        return Err(AppError::validation(e));
    };
    let now = app.now();
    match kind {
        AssessmentKind::Baseline if pb.booking.status != BookingStatus::Confirmed => {
            return Err(not_open(pb, "the baseline assessment"));
        }
        AssessmentKind::Followup
            if matches!(
                pb.booking.status,
                BookingStatus::Cancelled | BookingStatus::NoShow
            ) =>
        {
            return Err(not_open(pb, "the follow-up assessment"));
        }
        AssessmentKind::Followup => {
            let closing = app.store.closing(pb.booking.id).await?;
            let Some(closing) = closing else {
                return Err(AppError::field(
                    crate::ErrorKind::Conflict,
                    "not_yet_open",
                    "kind",
                    "the follow-up assessment opens after the mentor closes the session",
                ));
            };
            if now < closing.followup_opens_at {
                return Err(AppError::field(
                    crate::ErrorKind::Conflict,
                    "not_yet_open",
                    "kind",
                    format!(
                        "the follow-up assessment opens on {} your time",
                        when_for(viewer, closing.followup_opens_at)
                    ),
                ));
            }
        }
        AssessmentKind::Baseline => {}
    }
    if reached_milestone {
        if kind != AssessmentKind::Followup {
            return Err(AppError::field(
                crate::ErrorKind::Invalid,
                "validation_failed",
                "reached_milestone",
                "the milestone is confirmed with the follow-up check-in",
            ));
        }
        crate::money::bonus::confirmable(app, viewer, pb.booking.id).await?;
    }
    let saved = app
        .store
        .save_assessment(pb.booking.id, kind, &assessment, now)
        .await?;
    if reached_milestone {
        crate::money::bonus::pay(app, pb.booking.id).await?;
    }
    Ok(saved)
}

/// Saves one of the booking's notes, if the viewer may write that kind.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn save_note(
    app: &App,
    viewer: &Account,
    pb: &PartyBooking,
    kind_raw: &str,
    body: &str,
) -> Result<NoteRecord, AppError> {
    let kind = NoteKind::parse(kind_raw).ok_or_else(|| AppError::not_found("note kind"))?;
    // 404, not 403: the other side's private note is not even admitted to exist.
    if !pb.may_write_note(kind) {
        return Err(AppError::not_found("note"));
    }
    let body =
        validate_note(body).map_err(|m| AppError::validation(FieldErrors::single("body", m)))?;
    // Rendered once, here, off the async workers; every view reads the stored HTML.
    let html = crate::markdown::render(body.clone()).await;
    let (sealed_body, sealed_html) = (app.seal(&body)?, app.seal(&html)?);
    let note = NewNote {
        booking: pb.booking.id,
        kind,
        author: viewer.id,
        body: &sealed_body,
        html: &sealed_html,
    };
    let mut saved = app.store.save_note(&note, app.now()).await?;
    (saved.body, saved.html) = (body, html);
    Ok(saved)
}

/// The follow-up message pre-filled from the SKU's template, for the mentor to edit.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn followup_draft(
    app: &App,
    pb: &PartyBooking,
    next_steps: Vec<Task>,
) -> Result<String, AppError> {
    let b = &pb.booking;
    let name = |id| async move {
        app.store
            .account(id)
            .await
            .map(|a| a.map(|a| a.display_name).unwrap_or_default())
    };
    let (_, checkpoint) = aim(app, &pb.sku).await?;
    let ctx = FollowupContext {
        mentee: name(b.mentee_id).await?,
        mentor: name(b.mentor_id).await?,
        sku: pb.sku.content.title.clone(),
        checkpoint,
        artifacts: pb.sku.content.artifacts.clone(),
        next_steps,
    };
    let template = if pb.sku.content.followup_template.trim().is_empty() {
        DEFAULT_FOLLOWUP_TEMPLATE
    } else {
        &pb.sku.content.followup_template
    };
    Ok(render_followup(template, &ctx))
}

/// The follow-up draft for the session's mentor; the mentee gets 403. The API offers it
/// before closing, pre-filled from the SKU's template, with no tasks chosen yet.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn followup_draft_for_mentor(app: &App, pb: &PartyBooking) -> Result<String, AppError> {
    only(Side::Mentor, pb, "mentor writes the follow-up")?;
    followup_draft(app, pb, Vec::new()).await
}

/// The mentor closes a session that has started: checkpoint, evidence, follow-up, tasks.
#[tracing::instrument(skip_all, fields(booking = %pb.booking.id, viewer = %viewer.id))]
pub async fn close(
    app: &App,
    viewer: &Account,
    pb: &PartyBooking,
    input: &CloseInput,
) -> Result<ClosingRecord, AppError> {
    only(Side::Mentor, pb, "mentor closes it")?;
    let now = app.now();
    // Task due dates are days the mentor picked on their own calendar.
    let today = now.to_zoned_datetime(viewer.zone()).date();
    let closing = input.validate(today).map_err(AppError::validation)?;
    if pb.booking.status == BookingStatus::Confirmed && now < pb.booking.start {
        return Err(AppError::field(
            crate::ErrorKind::Conflict,
            "not_started",
            "status",
            format!(
                "the session starts on {} your time; close it once it has taken place",
                when_for(viewer, pb.booking.start)
            ),
        ));
    }
    // A running follow-up-delay experiment decides the delay for the mentee's variant.
    let delay = crate::insights::experiments::followup_delay(
        app,
        pb.booking.mentee_id,
        pb.sku.content.followup_delay_days,
    )
    .await?;
    let opens = followup_opens_at(now, delay);
    app.store
        .close_session(
            &CloseSession {
                booking: pb.booking.id,
                closing: &closing,
                artifacts: &pb.sku.content.artifacts,
                closed_by: viewer.id,
                followup_opens_at: opens,
                hold: stint_domain::ledger::HoldEnd::Settle {
                    fee_basis_points: app.settings.platform_fee_basis_points,
                },
            },
            now,
        )
        .await?;
    app.store
        .closing(pb.booking.id)
        .await?
        .ok_or_else(AppError::internal)
}

/// The mentee marks a task of this session done or open.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn set_task(
    app: &App,
    pb: &PartyBooking,
    task: i64,
    done: bool,
) -> Result<TaskRecord, AppError> {
    only(Side::Mentee, pb, "mentee ticks tasks")?;
    app.store
        .set_task_done(pb.booking.id, task, done, app.now())
        .await
        .map_err(missing("task"))
}

/// The mentee ticks a delivered artifact.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn tick_deliverable(
    app: &App,
    pb: &PartyBooking,
    position: i64,
    ticked: bool,
) -> Result<(), AppError> {
    only(Side::Mentee, pb, "mentee ticks artifacts")?;
    app.store
        .tick_deliverable(pb.booking.id, position, ticked, app.now())
        .await
        .map_err(missing("artifact"))
}
