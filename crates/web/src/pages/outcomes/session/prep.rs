//! The session page's prep section: the mentee's intake answers and pre-reads, and for
//! both parties a line saying what is still to do before the session.

use crate::pages::outcomes::input::PrepFields;
use crate::pages::outcomes::view::{Field, Problem, problems, question_anchor, question_fields};
use stint_app::outcomes::{self as oc, OutcomeView, PartyBooking, Side};
use stint_domain::FieldErrors;
use stint_domain::account::Account;
use stint_domain::booking::BookingStatus;
use stint_domain::outcome::prep::PrepStatus;

pub(crate) struct PreReadRow {
    pub(crate) id: String,
    pub(crate) index: usize,
    pub(crate) title: String,
    pub(crate) url: String,
    pub(crate) read: bool,
}

pub(crate) struct PrepView {
    /// The mentee, while the session is confirmed.
    pub(crate) editable: bool,
    pub(crate) done: bool,
    pub(crate) status_line: String,
    pub(crate) intake: Vec<Field>,
    pub(crate) pre_reads: Vec<PreReadRow>,
    pub(crate) pre_reads_error: Option<String>,
    pub(crate) problems: Vec<Problem>,
    /// "Saved Tue 8 Dec 2026 14:00", empty before the first save.
    pub(crate) saved_at: String,
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

/// The prep section as saved, or as refused (`refused`) with its messages.
pub(super) fn prep_view(
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
    let mut intake = question_fields(
        &c.intake_questions,
        &answers,
        &errors,
        "f-intake-",
        "intake_answers.",
    );
    // A message about the answers as a whole goes under the first question.
    if let Some(first) = intake.first_mut()
        && first.error.is_none()
    {
        first.error = errors.get("intake_answers").map(String::from);
    }
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
            question_anchor(key, "intake_answers.", questions, "f-intake-")
        }),
        saved_at: saved
            .map(|p| format!("Saved {}", oc::when_for(viewer, p.updated_at)))
            .unwrap_or_default(),
    }
}
