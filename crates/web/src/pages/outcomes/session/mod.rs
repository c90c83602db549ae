//! The session page's outcome sections, built for one of the booking's two parties: prep
//! and the baseline before the session, notes throughout, the mentor's closing form, and
//! what comes after closing. `panel` gathers them; each section has its module.

mod after;
mod assess;
mod close;
mod notes;
mod prep;

use crate::pages::outcomes::input::{CloseFields, Refused};
use crate::pages::outcomes::view::day_of;
use crate::pages::render::{OrPage, failure};
use crate::state::AppState;
use after::{AfterView, after_view};
use assess::{AssessView, Scale, TakenView};
use axum::response::Response;
use close::{CloseView, close_view};
use notes::{NoteView, note_views};
use prep::{PrepView, prep_view};
use stint_app::outcomes::{self as oc, OutcomeView, Side};
use stint_domain::FieldErrors;
use stint_domain::account::Account;
use stint_domain::booking::BookingStatus;
use stint_domain::outcome::assessment::AssessmentKind;
use stint_store::AssessmentRecord;

/// Everything of the outcome loop the session page shows one of the two parties.
pub(crate) struct Panel {
    pub(crate) booking_id: i64,
    pub(crate) user_id: i64,
    pub(crate) is_mentor: bool,
    pub(crate) other: String,
    pub(crate) competency: String,
    pub(crate) checkpoint: String,
    /// Which form was just saved (`?saved=`), to confirm it in place.
    pub(crate) saved: String,
    pub(crate) prep: PrepView,
    pub(crate) baseline_form: Option<AssessView>,
    pub(crate) baseline: Option<TakenView>,
    pub(crate) notes: Vec<NoteView>,
    pub(crate) close: Option<CloseView>,
    pub(crate) close_hint: String,
    pub(crate) after: Option<AfterView>,
    /// Why a form was refused when that form is not on the page any more (the baseline
    /// already taken, the follow-up not open yet, the session not started).
    pub(crate) general: Vec<String>,
}

/// The assessment of `kind` the viewer may see, if taken.
fn taken(view: &OutcomeView, kind: AssessmentKind) -> Option<&AssessmentRecord> {
    view.assessments.iter().find(|a| a.kind == kind)
}

/// The outcome sections of a session page, for one of its two parties; `None` for anyone
/// else (an operator sees the booking, not the two people's outcome data).
pub(crate) async fn panel(
    state: &AppState,
    viewer: &Account,
    other: &str,
    id: i64,
    saved: &str,
    refused: Refused,
) -> Result<Option<Panel>, Response> {
    let pb = match oc::party_to(state, viewer, id).await {
        Ok(pb) => pb,
        Err(e) if e.kind == stint_app::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(failure(e)),
    };
    let view = oc::outcome_view(state, &pb).await.or_page()?;
    let c = &pb.sku.content;
    let competency = stint_app::catalog_read::competency_by_id(state, c.competency_id)
        .await
        .or_page()?;
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
    let scale = Scale {
        competency: &competency_name,
        rubric: &rubric,
        questions: &c.assessment_questions,
    };
    let baseline = taken(&view, AssessmentKind::Baseline);
    let confirmed = pb.booking.status == BookingStatus::Confirmed;

    let baseline_form = (pb.side == Side::Mentee && confirmed && baseline.is_none())
        .then(|| scale.form(AssessmentKind::Baseline, refused.assessment.as_ref()));

    let (mut close, mut close_hint) = (None, String::new());
    if pb.side == Side::Mentor && confirmed && view.closing.is_none() {
        if now >= pb.booking.start {
            let today = day_of(viewer, now);
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

    let after = after_view(&pb, &view, viewer, now, &scale, refused.assessment.as_ref());

    let prep = prep_view(&pb, &view, viewer, refused.prep.as_ref());
    // A refused form whose section is gone (the state moved on meanwhile) still says why.
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
        baseline: baseline.map(|b| scale.taken(b, viewer)),
        notes: note_views(&pb, &view, viewer, other, saved, refused.note.as_ref()),
        close,
        close_hint,
        after,
        competency: competency_name,
        checkpoint,
    }))
}
