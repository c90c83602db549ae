//! The outcome loop's use cases: prep, assessments, notes, closing, tasks, progress and
//! to-dos. Every read and write of a booking's outcome data passes `party_to` first, and
//! what each side may see is asked of `stint_domain::access`, never decided here.

use crate::error::{ApiError, missing};
use crate::state::AppState;
use axum::http::StatusCode;
use jiff::Timestamp;
use jiff::tz::TimeZone;
use stint_domain::FieldErrors;
use stint_domain::access::{DataClass, Relation, Sharing, may_read, may_read_note, may_write_note};
use stint_domain::account::{Account, TimeZoneName};
use stint_domain::booking::{Booking, BookingId, BookingStatus};
use stint_domain::catalog::SkuVersion;
use stint_domain::outcome::assessment::{AssessmentInput, AssessmentKind, followup_opens_at};
use stint_domain::outcome::closing::{
    CloseInput, DEFAULT_FOLLOWUP_TEMPLATE, FollowupContext, render_followup,
};
use stint_domain::outcome::metrics::{CompetencyProgress, OutcomeStats, SessionOutcome};
use stint_domain::outcome::notes::{NoteKind, validate_note};
use stint_domain::outcome::prep::{PrepInput, PrepStatus};
use stint_domain::outcome::todo::{BookingState, OpenTask, TodoItem, todo};
use stint_store::{
    AssessmentRecord, CloseSession, ClosingRecord, DeliverableRecord, NoteRecord, OutcomeFilter,
    PrepRecord, TaskRecord,
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
}

impl PartyBooking {
    fn relation(&self) -> Relation {
        match self.side {
            Side::Mentee => Relation::Owner,
            Side::Mentor => Relation::MentorOfBooking,
        }
    }

    /// Whether the viewer may read this class of the mentee's data for this booking.
    pub fn may_read(&self, class: DataClass) -> bool {
        may_read(self.relation(), class, &Sharing::default())
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
pub async fn party_to(
    state: &AppState,
    viewer: &Account,
    id: i64,
) -> Result<PartyBooking, ApiError> {
    let booking = state
        .store
        .booking(BookingId(id))
        .await?
        .ok_or_else(|| ApiError::not_found("booking"))?;
    let side = if booking.mentee_id == viewer.id {
        Side::Mentee
    } else if booking.mentor_id == viewer.id {
        Side::Mentor
    } else {
        return Err(ApiError::not_found("booking"));
    };
    let sku = state
        .store
        .sku_version_by_id(booking.sku_id, booking.sku_version)
        .await?
        .ok_or_else(ApiError::internal)?;
    Ok(PartyBooking { booking, sku, side })
}

fn only(side: Side, pb: &PartyBooking, what: &str) -> Result<(), ApiError> {
    if pb.side == side {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            format!("only the session's {what}"),
        ))
    }
}

fn zone_of(account: &Account) -> TimeZone {
    TimeZoneName::parse(&account.timezone)
        .map(|z| z.tz())
        .unwrap_or(TimeZone::UTC)
}

/// "Tue 8 Dec 2026 14:00" in the account's zone.
pub fn when_for(account: &Account, at: Timestamp) -> String {
    at.to_zoned_datetime(zone_of(account))
        .strftime("%a %-d %b %Y %H:%M")
        .to_string()
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

pub async fn outcome_view(state: &AppState, pb: &PartyBooking) -> Result<OutcomeView, ApiError> {
    let id = pb.booking.id;
    let store = &state.store;
    let prep = store.prep(id).await?;
    let assessments = store.assessments(id).await?;
    let baseline_done = assessments
        .iter()
        .any(|a| a.kind == AssessmentKind::Baseline);
    let prep_status = PrepStatus::of(
        &pb.sku.content,
        prep.as_ref().map(|p| &p.prep),
        baseline_done,
    );
    let notes = store
        .notes(id)
        .await?
        .into_iter()
        .filter(|n| pb.may_read_note(n.kind))
        .collect();
    Ok(OutcomeView {
        side: pb.side,
        prep: prep.filter(|_| pb.may_read(DataClass::Answers)),
        prep_status,
        assessments: if pb.may_read(DataClass::Scores) {
            assessments
        } else {
            Vec::new()
        },
        notes,
        closing: store.closing(id).await?,
        tasks: store.tasks(id).await?,
        deliverables: store.deliverables(id).await?,
    })
}

/// The mentee's prep: intake answers and pre-reads read, until the session is closed.
pub async fn save_prep(
    state: &AppState,
    pb: &PartyBooking,
    input: &PrepInput,
) -> Result<PrepRecord, ApiError> {
    only(Side::Mentee, pb, "mentee prepares it")?;
    if pb.booking.status != BookingStatus::Confirmed {
        return Err(not_open(pb, "prep"));
    }
    let prep = input
        .validate(&pb.sku.content)
        .map_err(ApiError::validation)?;
    let now = state.now();
    state.store.save_prep(pb.booking.id, &prep, now).await?;
    Ok(PrepRecord {
        prep,
        updated_at: now,
    })
}

fn not_open(pb: &PartyBooking, what: &str) -> ApiError {
    ApiError::field(
        StatusCode::CONFLICT,
        "conflict",
        "status",
        format!(
            "{what} is closed: this session is {}",
            pb.booking.status.as_str()
        ),
    )
}

/// The mentee's micro-assessment: the baseline before the session is closed, the follow-up
/// once the SKU's delay after closing has passed (refused before, naming the date).
pub async fn take_assessment(
    state: &AppState,
    viewer: &Account,
    pb: &PartyBooking,
    kind_raw: &str,
    input: &AssessmentInput,
) -> Result<AssessmentRecord, ApiError> {
    only(Side::Mentee, pb, "mentee assesses themself")?;
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
        return Err(ApiError::validation(e));
    };
    let now = state.now();
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
            let closing = state.store.closing(pb.booking.id).await?;
            let Some(closing) = closing else {
                return Err(ApiError::field(
                    StatusCode::CONFLICT,
                    "not_yet_open",
                    "kind",
                    "the follow-up assessment opens after the mentor closes the session",
                ));
            };
            if now < closing.followup_opens_at {
                return Err(ApiError::field(
                    StatusCode::CONFLICT,
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
    Ok(state
        .store
        .save_assessment(pb.booking.id, kind, &assessment, now)
        .await?)
}

/// Saves one of the booking's notes, if the viewer may write that kind.
pub async fn save_note(
    state: &AppState,
    viewer: &Account,
    pb: &PartyBooking,
    kind_raw: &str,
    body: &str,
) -> Result<NoteRecord, ApiError> {
    let kind = NoteKind::parse(kind_raw).ok_or_else(|| ApiError::not_found("note kind"))?;
    if !pb.may_write_note(kind) {
        return Err(ApiError::not_found("note"));
    }
    let body =
        validate_note(body).map_err(|m| ApiError::validation(FieldErrors::single("body", m)))?;
    Ok(state
        .store
        .save_note(pb.booking.id, kind, viewer.id, &body, state.now())
        .await?)
}

/// The follow-up message pre-filled from the SKU's template, for the mentor to edit.
pub async fn followup_draft(
    state: &AppState,
    pb: &PartyBooking,
    next_steps: Vec<stint_domain::outcome::closing::Task>,
) -> Result<String, ApiError> {
    let b = &pb.booking;
    let name = |id| async move {
        state
            .store
            .account(id)
            .await
            .map(|a| a.map(|a| a.display_name).unwrap_or_default())
    };
    let checkpoint = state
        .store
        .competency(pb.sku.content.competency_id)
        .await?
        .and_then(|c| {
            c.checkpoint(pb.sku.content.checkpoint_id)
                .map(|cp| cp.title.clone())
        })
        .unwrap_or_default();
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

/// The mentor closes a session that has started: checkpoint, evidence, follow-up, tasks.
pub async fn close(
    state: &AppState,
    viewer: &Account,
    pb: &PartyBooking,
    input: &CloseInput,
) -> Result<ClosingRecord, ApiError> {
    only(Side::Mentor, pb, "mentor closes it")?;
    let now = state.now();
    let today = now.to_zoned_datetime(zone_of(viewer)).date();
    let closing = input.validate(today).map_err(ApiError::validation)?;
    if pb.booking.status == BookingStatus::Confirmed && now < pb.booking.start {
        return Err(ApiError::field(
            StatusCode::CONFLICT,
            "not_started",
            "status",
            format!(
                "the session starts on {} your time; close it once it has taken place",
                when_for(viewer, pb.booking.start)
            ),
        ));
    }
    let opens = followup_opens_at(now, pb.sku.content.followup_delay_days);
    state
        .store
        .close_session(
            &CloseSession {
                booking: pb.booking.id,
                closing: &closing,
                artifacts: &pb.sku.content.artifacts,
                closed_by: viewer.id,
                followup_opens_at: opens,
            },
            now,
        )
        .await?;
    state
        .store
        .closing(pb.booking.id)
        .await?
        .ok_or_else(ApiError::internal)
}

/// The mentee marks a task of this session done or open.
pub async fn set_task(
    state: &AppState,
    pb: &PartyBooking,
    task: i64,
    done: bool,
) -> Result<TaskRecord, ApiError> {
    only(Side::Mentee, pb, "mentee ticks tasks")?;
    state
        .store
        .set_task_done(pb.booking.id, task, done, state.now())
        .await
        .map_err(missing("task"))
}

/// The mentee ticks a delivered artifact.
pub async fn tick_deliverable(
    state: &AppState,
    pb: &PartyBooking,
    position: i64,
    ticked: bool,
) -> Result<(), ApiError> {
    only(Side::Mentee, pb, "mentee ticks artifacts")?;
    state
        .store
        .tick_deliverable(pb.booking.id, position, ticked, state.now())
        .await
        .map_err(missing("artifact"))
}

/// A competency's progress with its name, for the mentee's progress page.
pub struct NamedProgress {
    pub name: String,
    pub rubric: Vec<String>,
    pub progress: CompetencyProgress,
}

pub async fn progress(state: &AppState, mentee: &Account) -> Result<Vec<NamedProgress>, ApiError> {
    let outcomes = state
        .store
        .outcomes(OutcomeFilter {
            mentee: Some(mentee.id),
            ..Default::default()
        })
        .await?;
    let mut out = Vec::new();
    for p in CompetencyProgress::of(mentee.id, &outcomes) {
        let c = state.store.competency(p.competency_id).await?;
        out.push(NamedProgress {
            name: c.as_ref().map(|c| c.name.clone()).unwrap_or_default(),
            rubric: c.map(|c| c.rubric).unwrap_or_default(),
            progress: p,
        });
    }
    Ok(out)
}

/// A mentor's impact over every session they closed.
pub async fn impact(state: &AppState, mentor: &Account) -> Result<OutcomeStats, ApiError> {
    let outcomes: Vec<SessionOutcome> = state
        .store
        .outcomes(OutcomeFilter {
            mentor: Some(mentor.id),
            ..Default::default()
        })
        .await?;
    Ok(OutcomeStats::of(&outcomes))
}

/// A SKU's public outcome figures; `None` below the public sample size.
pub async fn sku_stats(
    state: &AppState,
    sku: stint_domain::ids::SkuId,
) -> Result<Option<OutcomeStats>, ApiError> {
    let outcomes = state
        .store
        .outcomes(OutcomeFilter {
            sku: Some(sku),
            ..Default::default()
        })
        .await?;
    Ok(stint_domain::outcome::metrics::public_stats(&outcomes))
}

/// What is due from the viewer now, derived from the state of their bookings.
pub async fn todo_of(state: &AppState, viewer: &Account) -> Result<Vec<TodoItem>, ApiError> {
    let now = state.now();
    let mut states = Vec::new();
    let tasks = state.store.tasks_of(viewer.id).await?;
    for b in state.store.bookings_of(viewer.id).await? {
        if !matches!(
            b.status,
            BookingStatus::Confirmed | BookingStatus::Completed
        ) {
            continue;
        }
        let Some(sku) = state
            .store
            .sku_version_by_id(b.sku_id, b.sku_version)
            .await?
        else {
            continue;
        };
        let viewer_is_mentor = b.mentor_id == viewer.id;
        let (prep, assessments) = if viewer_is_mentor {
            (None, Vec::new())
        } else {
            (
                state.store.prep(b.id).await?,
                state.store.assessments(b.id).await?,
            )
        };
        let has = |k| assessments.iter().any(|a: &AssessmentRecord| a.kind == k);
        let closing = if b.status == BookingStatus::Completed {
            state.store.closing(b.id).await?
        } else {
            None
        };
        states.push(BookingState {
            booking_id: b.id,
            sku_title: sku.content.title.clone(),
            start: b.start,
            end: b.end,
            status: b.status,
            viewer_is_mentor,
            prep: PrepStatus::of(
                &sku.content,
                prep.as_ref().map(|p| &p.prep),
                has(AssessmentKind::Baseline),
            ),
            closed: closing.is_some(),
            followup_opens_at: closing.as_ref().map(|c| c.followup_opens_at),
            followup_done: has(AssessmentKind::Followup),
            open_tasks: tasks
                .iter()
                .filter(|t| !viewer_is_mentor && t.booking_id == b.id && t.done_at.is_none())
                .map(|t| OpenTask {
                    id: t.id,
                    title: t.title.clone(),
                    due: t.due,
                })
                .collect(),
        });
    }
    Ok(todo(&states, now, &zone_of(viewer)))
}

/// The follow-up draft for the session's mentor; the mentee gets 403. The API offers it
/// before closing, pre-filled from the SKU's template, with no tasks chosen yet.
pub async fn followup_draft_for_mentor(
    state: &AppState,
    pb: &PartyBooking,
) -> Result<String, ApiError> {
    only(Side::Mentor, pb, "mentor writes the follow-up")?;
    followup_draft(state, pb, Vec::new()).await
}

/// A SKU's public outcome figures, or only their sample size below the public minimum.
pub enum PublicOutcomes {
    Hidden { sessions: u64 },
    Shown(OutcomeStats),
}

/// Like [`sku_stats`], but says how many sessions there are when the figures are hidden.
pub async fn sku_public_outcomes(
    state: &AppState,
    sku: stint_domain::ids::SkuId,
) -> Result<PublicOutcomes, ApiError> {
    let outcomes = state
        .store
        .outcomes(OutcomeFilter {
            sku: Some(sku),
            ..Default::default()
        })
        .await?;
    Ok(
        match stint_domain::outcome::metrics::public_stats(&outcomes) {
            Some(stats) => PublicOutcomes::Shown(stats),
            None => PublicOutcomes::Hidden {
                sessions: outcomes.len() as u64,
            },
        },
    )
}
