//! The outcome loop's use cases: prep, assessments, notes, closing, tasks, progress and
//! to-dos. Every read and write of a booking's outcome data passes `party_to` first, and
//! what each side may see is asked of `stint_domain::access`, never decided here.
//!
//! This module holds what both halves share: who the viewer is to a booking, what of the
//! loop they may see, and the time-zone helpers. `session` has the writes to one booking's
//! loop, `figures` the reads across many bookings.

mod figures;
mod session;

pub use figures::{
    MonthFigures, PublicOutcomes, impact, impact_by_month, progress, sku_public_outcomes,
    sku_stats, todo_of,
};
pub use session::{
    close, followup_draft, followup_draft_for_mentor, save_note, save_prep, set_task,
    take_assessment, tick_deliverable,
};

use crate::App;
use crate::error::AppError;
use jiff::Timestamp;

use stint_domain::access::{DataClass, Relation, Sharing, may_read, may_read_note, may_write_note};
use stint_domain::account::Account;
use stint_domain::booking::{Booking, BookingId};
use stint_domain::catalog::{Competency, SkuVersion};
use stint_domain::outcome::assessment::AssessmentKind;
use stint_domain::outcome::metrics::CompetencyProgress;
use stint_domain::outcome::notes::NoteKind;
use stint_domain::outcome::prep::PrepStatus;
use stint_store::{
    AssessmentRecord, ClosingRecord, DeliverableRecord, NoteRecord, PrepRecord, TaskRecord,
};

/// Which side of a booking the viewer is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Mentor,
    Mentee,
}

/// A booking seen by one of its two parties, with the SKU version it froze.
pub struct PartyBooking {
    pub booking: Booking,
    pub sku: SkuVersion,
    pub side: Side,
    /// What the mentee lets the mentor see (read for the mentor only).
    pub sharing: Sharing,
    /// Whether the session has started, as of the request.
    pub started: bool,
}

impl PartyBooking {
    fn relation(&self) -> Relation {
        match (self.side, self.started) {
            (Side::Mentee, _) => Relation::Owner,
            (Side::Mentor, true) => Relation::MentorOfBooking,
            (Side::Mentor, false) => Relation::MentorBeforeSession,
        }
    }

    /// Whether the viewer may read this class of the mentee's data for this booking.
    pub fn may_read(&self, class: DataClass) -> bool {
        may_read(self.relation(), class, &self.sharing)
    }

    pub fn may_read_note(&self, kind: NoteKind) -> bool {
        may_read_note(kind, self.side == Side::Mentor, self.side == Side::Mentee)
    }

    pub fn may_write_note(&self, kind: NoteKind) -> bool {
        may_write_note(kind, self.side == Side::Mentor, self.side == Side::Mentee)
    }
}

/// The booking if the viewer is one of its two parties. Anyone else, operators included,
/// gets 404: outcome data is about two people and one session.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn party_to(app: &App, viewer: &Account, id: i64) -> Result<PartyBooking, AppError> {
    let booking = app
        .store
        .booking(BookingId(id))
        .await?
        .ok_or_else(|| AppError::not_found("booking"))?;
    let side = if booking.mentee_id == viewer.id {
        Side::Mentee
    } else if booking.mentor_id == viewer.id {
        Side::Mentor
    } else {
        return Err(AppError::not_found("booking"));
    };
    let sku = app
        .store
        .sku_version_by_id(booking.sku_id, booking.sku_version)
        .await?
        .ok_or_else(AppError::internal)?;
    let sharing = Sharing {
        prep_private_until_session: side == Side::Mentor
            && app
                .store
                .prep_private_until_session(booking.mentee_id)
                .await?,
        ..Sharing::default()
    };
    let started = app.now() >= booking.start;
    Ok(PartyBooking {
        booking,
        sku,
        side,
        sharing,
        started,
    })
}

/// Refuses the other party of the booking with 403. The 403 names `booking` as its field
/// so that, like every other refusal, it says what it is about; `what` finishes the
/// sentence "only the session's …".
fn only(side: Side, pb: &PartyBooking, what: &str) -> Result<(), AppError> {
    if pb.side == side {
        Ok(())
    } else {
        Err(AppError::field(
            crate::ErrorKind::Forbidden,
            "forbidden",
            "booking",
            format!("only the session's {what}"),
        ))
    }
}

/// "Tue 8 Dec 2026 14:00" in the account's zone.
pub fn when_for(account: &Account, at: Timestamp) -> String {
    at.to_zoned_datetime(account.zone())
        .strftime("%a %-d %b %Y %H:%M")
        .to_string()
}

/// The competency a SKU version aims at and the title of its checkpoint: `None` and an
/// empty title when the catalog no longer has them.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn aim(app: &App, sku: &SkuVersion) -> Result<(Option<Competency>, String), AppError> {
    let competency = app.store.competency(sku.content.competency_id).await?;
    let checkpoint = competency
        .as_ref()
        .and_then(|c| c.checkpoint(sku.content.checkpoint_id))
        .map(|cp| cp.title.clone())
        .unwrap_or_default();
    Ok((competency, checkpoint))
}

/// Whether the mentee has taken this kind of assessment.
fn taken(assessments: &[AssessmentRecord], kind: AssessmentKind) -> bool {
    assessments.iter().any(|a| a.kind == kind)
}

/// Everything of a booking's outcome loop the viewer may see.
pub struct OutcomeView {
    pub side: Side,
    /// `None` when not yet given, or not the viewer's to see.
    pub prep: Option<PrepRecord>,
    pub prep_status: PrepStatus,
    pub assessments: Vec<AssessmentRecord>,
    pub notes: Vec<NoteRecord>,
    pub closing: Option<ClosingRecord>,
    pub tasks: Vec<TaskRecord>,
    pub deliverables: Vec<DeliverableRecord>,
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn outcome_view(app: &App, pb: &PartyBooking) -> Result<OutcomeView, AppError> {
    let id = pb.booking.id;
    let store = &app.store;
    let mut prep = store.prep(id).await?;
    if let Some(p) = prep.as_mut() {
        p.prep.intake_answers = app.open_all(&p.prep.intake_answers)?;
    }
    let assessments = store.assessments(id).await?;
    // From the full records, before the filters below: the status is the same whoever looks.
    let prep_status = PrepStatus::of(
        &pb.sku.content,
        prep.as_ref().map(|p| &p.prep),
        taken(&assessments, AssessmentKind::Baseline),
    );
    let mut notes: Vec<NoteRecord> = store
        .notes(id)
        .await?
        .into_iter()
        .filter(|n| pb.may_read_note(n.kind))
        .collect();
    for note in notes.iter_mut() {
        (note.body, note.html) = (app.open(&note.body)?, app.open(&note.html)?);
    }
    // Notes saved before their HTML was stored are rendered here, once per view.
    for note in notes
        .iter_mut()
        .filter(|n| n.html.is_empty() && !n.body.is_empty())
    {
        note.html = crate::markdown::render(note.body.clone()).await;
    }
    let prep = prep.filter(|_| pb.may_read(DataClass::Answers));
    let assessments = if pb.may_read(DataClass::Scores) {
        assessments
    } else {
        Vec::new()
    };
    if pb.side == Side::Mentor {
        // The mentee's data read by their mentor: logged for the mentee to see.
        let shared = notes
            .iter()
            .any(|n| n.kind == NoteKind::Shared && n.author_id == pb.booking.mentee_id);
        let reads: Vec<stint_store::NewAccess<'_>> = [
            (prep.is_some(), crate::access_log::INTAKE_ANSWERS),
            (!assessments.is_empty(), crate::access_log::ASSESSMENTS),
            (shared, crate::access_log::SHARED_NOTES),
        ]
        .into_iter()
        .filter(|(read, _)| *read)
        .map(|(_, what)| stint_store::NewAccess {
            owner: pb.booking.mentee_id,
            reader: pb.booking.mentor_id,
            what,
            booking: Some(id),
        })
        .collect();
        crate::access_log::record(app, &reads).await?;
    }
    Ok(OutcomeView {
        side: pb.side,
        prep,
        prep_status,
        assessments,
        notes,
        closing: store.closing(id).await?,
        tasks: store.tasks(id).await?,
        deliverables: store.deliverables(id).await?,
    })
}

/// A competency's progress with its name, for the mentee's progress page. Defined here
/// rather than in `figures` so that it stays `ops::outcomes::NamedProgress` without a
/// re-export that nothing names.
pub struct NamedProgress {
    pub name: String,
    pub rubric: Vec<String>,
    pub progress: CompetencyProgress,
}

/// The tasks of a session one is party to.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn tasks(app: &App, pb: &PartyBooking) -> Result<Vec<stint_store::TaskRecord>, AppError> {
    Ok(app.store.tasks(pb.booking.id).await?)
}

/// The promised artifacts of a session one is party to, with their ticks.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn deliverables(
    app: &App,
    pb: &PartyBooking,
) -> Result<Vec<stint_store::DeliverableRecord>, AppError> {
    Ok(app.store.deliverables(pb.booking.id).await?)
}
