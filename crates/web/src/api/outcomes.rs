//! The outcome loop over the API: a booking's prep, micro-assessments, notes, closing,
//! tasks and delivered artifacts, and the figures built from them (a mentee's progress, a
//! mentor's impact, a SKU's public mini-win rate). Every rule is `ops::outcomes`'s; this
//! module maps requests in and views out. Only a booking's two parties reach its outcome
//! data: anyone else, operators included, gets 404.

use super::availability::rfc3339_in;
use super::dto::{PreReadDto, RubricLevel};
use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath};
use crate::markdown::to_safe_html;
use crate::ops::outcomes::{self as ops, PartyBooking, PublicOutcomes, Side};
use crate::ops::require;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};
use stint_domain::account::{Account, TimeZoneName};
use stint_domain::catalog::SkuStatus;
use stint_domain::outcome::assessment::AssessmentInput;
use stint_domain::outcome::closing::{CloseInput, TaskInput};
use stint_domain::outcome::metrics::{DEFINITIONS, MIN_PUBLIC_SAMPLE, OutcomeStats};
use stint_domain::outcome::notes::NoteKind;
use stint_domain::outcome::prep::{PrepInput, PrepStatus};
use stint_domain::outcome::todo::Due;
use stint_domain::role::Role;
use stint_store::{
    AssessmentRecord, ClosingRecord, DeliverableRecord, NoteRecord, PrepRecord, TaskRecord,
};
use utoipa::ToSchema;

fn zone(account: &Account) -> TimeZone {
    TimeZoneName::parse(&account.timezone)
        .map(|z| z.tz())
        .unwrap_or(TimeZone::UTC)
}

// ---- Names that are strings on the wire, documented as enums ----

/// Which micro-assessment.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AssessmentKindName {
    Baseline,
    Followup,
}

/// A note's kind: `shared` is read by both parties, a private note only by its side.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NoteKindName {
    Shared,
    MentorPrivate,
    MenteePrivate,
}

/// Whether the session reached the checkpoint its SKU aims at.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CheckpointResultName {
    Reached,
    Partly,
    NotReached,
}

// ---- Requests ----

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PrepRequest {
    /// One per intake question, in order; an empty answer means "not yet".
    #[serde(default)]
    pub intake_answers: Vec<String>,
    /// Indexes (0-based) of the SKU's pre-reads the mentee has read.
    #[serde(default)]
    pub pre_reads_read: Vec<usize>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssessmentRequest {
    /// `baseline` (before the session is closed) or `followup` (once it has opened).
    #[schema(value_type = AssessmentKindName)]
    pub kind: String,
    /// A level on the competency's rubric.
    #[schema(minimum = 1, maximum = 5)]
    pub level: i64,
    /// One per assessment question of the SKU, in order; fewer is fine.
    #[serde(default)]
    pub answers: Vec<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteRequest {
    /// Markdown, at most 20,000 bytes.
    pub body: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskRequest {
    pub title: String,
    /// `YYYY-MM-DD`, from today (in the mentor's zone) to a year ahead.
    pub due: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseRequest {
    #[schema(value_type = CheckpointResultName)]
    pub checkpoint: String,
    /// What showed the checkpoint was (or was not) reached.
    pub evidence: String,
    /// The follow-up message to the mentee (see the follow-up draft).
    pub followup: String,
    /// At most three next steps for the mentee.
    #[serde(default)]
    pub tasks: Vec<TaskRequest>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskDoneRequest {
    pub done: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TickRequest {
    pub ticked: bool,
}

// ---- Responses ----

#[derive(Debug, Serialize, ToSchema)]
pub struct PrepDto {
    pub intake_answers: Vec<String>,
    pub pre_reads_read: Vec<usize>,
    /// RFC 3339 in the viewer's zone.
    pub updated_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PrepStatusDto {
    /// Every intake question has an answer.
    pub answered: bool,
    /// Every pre-read is marked read.
    pub pre_reads_done: bool,
    pub baseline_done: bool,
    /// All three.
    pub done: bool,
}

impl From<PrepStatus> for PrepStatusDto {
    fn from(s: PrepStatus) -> Self {
        PrepStatusDto {
            answered: s.answered,
            pre_reads_done: s.pre_reads_done,
            baseline_done: s.baseline_done,
            done: s.is_done(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AssessmentDto {
    #[schema(value_type = AssessmentKindName)]
    pub kind: String,
    pub level: i64,
    pub answers: Vec<String>,
    /// RFC 3339 in the viewer's zone.
    pub submitted_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NoteDto {
    #[schema(value_type = NoteKindName)]
    pub kind: String,
    /// As written (Markdown).
    pub body: String,
    /// The Markdown rendered and sanitized: safe to put in a page.
    pub html: String,
    /// Who saved it last.
    pub author_id: i64,
    /// RFC 3339 in the viewer's zone.
    pub updated_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ClosingDto {
    #[schema(value_type = CheckpointResultName)]
    pub checkpoint: String,
    /// "Yes", "Partly" or "No".
    pub checkpoint_label: String,
    pub evidence: String,
    pub followup: String,
    pub closed_by: i64,
    /// RFC 3339 in the viewer's zone.
    pub closed_at: String,
    /// When the follow-up assessment opens, RFC 3339 in the viewer's zone.
    pub followup_opens_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TaskDto {
    pub id: i64,
    pub title: String,
    /// `YYYY-MM-DD`.
    pub due: String,
    pub done: bool,
    /// RFC 3339 in the viewer's zone.
    pub done_at: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeliverableDto {
    /// Position in the SKU's artifact list (0-based).
    pub position: i64,
    pub title: String,
    pub ticked: bool,
    /// RFC 3339 in the viewer's zone.
    pub ticked_at: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OutcomeCompetencyDto {
    pub id: i64,
    pub name: String,
    /// The checkpoint this SKU aims at.
    pub checkpoint: String,
    /// Five levels, 1 (novice) to 5 (expert): what the assessment's level means.
    pub rubric: Vec<RubricLevel>,
}

/// What the SKU asks of the mentee, at the version the booking bought.
#[derive(Debug, Serialize, ToSchema)]
pub struct OutcomeQuestionsDto {
    pub intake_questions: Vec<String>,
    pub pre_reads: Vec<PreReadDto>,
    pub assessment_questions: Vec<String>,
    pub competency: OutcomeCompetencyDto,
    /// What the mentee takes away; ticked off after closing.
    pub artifacts: Vec<String>,
    /// Days after closing when the follow-up assessment opens.
    pub followup_delay_days: i64,
}

/// A booking's outcome loop, as much of it as the viewer may see.
#[derive(Debug, Serialize, ToSchema)]
pub struct OutcomeDto {
    pub booking_id: i64,
    /// The viewer's side of the booking: `mentor` or `mentee`.
    pub side: String,
    /// The booking's status: `confirmed`, `completed`, `cancelled` or `no_show`.
    pub status: String,
    pub sku_title: String,
    pub questions: OutcomeQuestionsDto,
    /// The mentee's prep, when saved.
    pub prep: Option<PrepDto>,
    pub prep_status: PrepStatusDto,
    pub assessments: Vec<AssessmentDto>,
    /// Only the notes the viewer may read: the shared one and their own private one.
    pub notes: Vec<NoteDto>,
    /// Set once the mentor has closed the session.
    pub closing: Option<ClosingDto>,
    pub tasks: Vec<TaskDto>,
    pub deliverables: Vec<DeliverableDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FollowupDraftDto {
    /// The SKU's follow-up template filled in, for the mentor to edit before closing.
    pub followup: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CloseResponse {
    pub closing: ClosingDto,
    pub tasks: Vec<TaskDto>,
    pub deliverables: Vec<DeliverableDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProgressPointDto {
    /// When the session the rating belongs to was closed, RFC 3339 in the viewer's zone.
    pub at: String,
    pub booking_id: i64,
    #[schema(value_type = AssessmentKindName)]
    pub kind: String,
    pub level: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CompetencyProgressDto {
    pub competency_id: i64,
    pub name: String,
    pub rubric: Vec<RubricLevel>,
    /// Baselines and follow-ups in time order.
    pub points: Vec<ProgressPointDto>,
    /// The latest level rated, if any.
    pub latest_level: Option<i64>,
    /// Closed sessions in this competency.
    pub sessions: u64,
    pub checkpoints_reached: u64,
    pub tasks_total: u64,
    pub tasks_done: u64,
    pub mini_wins: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IntervalDto {
    pub low: f64,
    pub high: f64,
}

/// A mentor's figures over every session they closed (see `/api/v1/metrics`).
#[derive(Debug, Serialize, ToSchema)]
pub struct ImpactDto {
    /// Closed sessions: the sample size.
    pub sessions: u64,
    pub mini_wins: u64,
    pub mini_win_rate: Option<f64>,
    /// 95% Wilson interval of the mini-win rate.
    pub interval: Option<IntervalDto>,
    pub mean_gain: Option<f64>,
    /// Sessions with both assessments, over which `mean_gain` is taken.
    pub gains_measured: u64,
    pub checkpoints_reached: u64,
    /// Tasks set for mentees, and how many of them the mentees completed.
    pub tasks_total: u64,
    pub tasks_done: u64,
}

impl From<&OutcomeStats> for ImpactDto {
    fn from(s: &OutcomeStats) -> Self {
        ImpactDto {
            sessions: s.sessions,
            mini_wins: s.mini_wins,
            mini_win_rate: s.mini_win_rate,
            interval: interval(s),
            mean_gain: s.mean_gain,
            gains_measured: s.gains_measured,
            checkpoints_reached: s.checkpoints_reached,
            tasks_total: s.tasks_total,
            tasks_done: s.tasks_done,
        }
    }
}

fn interval(s: &OutcomeStats) -> Option<IntervalDto> {
    s.interval.map(|(low, high)| IntervalDto { low, high })
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TodoKindName {
    Prep,
    CloseSession,
    Task,
    FollowupAssessment,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TodoDto {
    pub booking_id: i64,
    #[schema(value_type = TodoKindName)]
    pub kind: String,
    /// For `task` items.
    pub task_id: Option<i64>,
    pub title: String,
    /// A deadline at an instant (a session's start or end), RFC 3339 in the viewer's zone.
    pub due_at: Option<String>,
    /// A deadline on a day (a task), `YYYY-MM-DD`: due by the end of that day.
    pub due_on: Option<String>,
    pub overdue: bool,
}

/// A SKU's public outcome figures. Below `minimum` closed sessions only `hidden`,
/// `sessions` and `minimum` are given.
#[derive(Debug, Serialize, ToSchema)]
pub struct SkuOutcomesDto {
    pub hidden: bool,
    /// The sample size: closed sessions of this SKU.
    pub sessions: u64,
    /// Figures are shown from this many sessions.
    pub minimum: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mini_wins: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mini_win_rate: Option<f64>,
    /// 95% Wilson interval of the mini-win rate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval: Option<IntervalDto>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mean_gain: Option<f64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MetricDto {
    pub name: String,
    pub definition: String,
}

// ---- Mapping ----

fn prep_dto(p: &PrepRecord, tz: &TimeZone) -> PrepDto {
    PrepDto {
        intake_answers: p.prep.intake_answers.clone(),
        pre_reads_read: p.prep.pre_reads_read.clone(),
        updated_at: rfc3339_in(p.updated_at, tz),
    }
}

fn assessment_dto(a: &AssessmentRecord, tz: &TimeZone) -> AssessmentDto {
    AssessmentDto {
        kind: a.kind.as_str().to_string(),
        level: a.level.get(),
        answers: a.answers.clone(),
        submitted_at: rfc3339_in(a.submitted_at, tz),
    }
}

fn note_dto(n: &NoteRecord, tz: &TimeZone) -> NoteDto {
    NoteDto {
        kind: n.kind.as_str().to_string(),
        body: n.body.clone(),
        html: to_safe_html(&n.body),
        author_id: n.author_id.0,
        updated_at: rfc3339_in(n.updated_at, tz),
    }
}

fn closing_dto(c: &ClosingRecord, tz: &TimeZone) -> ClosingDto {
    ClosingDto {
        checkpoint: c.checkpoint.as_str().to_string(),
        checkpoint_label: c.checkpoint.label().to_string(),
        evidence: c.evidence.clone(),
        followup: c.followup.clone(),
        closed_by: c.closed_by.0,
        closed_at: rfc3339_in(c.closed_at, tz),
        followup_opens_at: rfc3339_in(c.followup_opens_at, tz),
    }
}

fn task_dto(t: &TaskRecord, tz: &TimeZone) -> TaskDto {
    TaskDto {
        id: t.id,
        title: t.title.clone(),
        due: t.due.to_string(),
        done: t.done_at.is_some(),
        done_at: t.done_at.map(|at| rfc3339_in(at, tz)),
    }
}

fn deliverable_dto(d: &DeliverableRecord, tz: &TimeZone) -> DeliverableDto {
    DeliverableDto {
        position: d.position,
        title: d.title.clone(),
        ticked: d.ticked_at.is_some(),
        ticked_at: d.ticked_at.map(|at| rfc3339_in(at, tz)),
    }
}

fn rubric(levels: &[String]) -> Vec<RubricLevel> {
    levels
        .iter()
        .enumerate()
        .map(|(i, d)| RubricLevel {
            level: i as i64 + 1,
            description: d.clone(),
        })
        .collect()
}

fn side_name(side: Side) -> &'static str {
    match side {
        Side::Mentor => "mentor",
        Side::Mentee => "mentee",
    }
}

async fn questions(state: &AppState, pb: &PartyBooking) -> Result<OutcomeQuestionsDto, ApiError> {
    let c = &pb.sku.content;
    let competency = state.store.competency(c.competency_id).await?;
    let checkpoint = competency
        .as_ref()
        .and_then(|x| x.checkpoint(c.checkpoint_id))
        .map(|cp| cp.title.clone())
        .unwrap_or_default();
    Ok(OutcomeQuestionsDto {
        intake_questions: c.intake_questions.clone(),
        pre_reads: c.pre_reads.iter().map(PreReadDto::from).collect(),
        assessment_questions: c.assessment_questions.clone(),
        competency: OutcomeCompetencyDto {
            id: c.competency_id.0,
            name: competency
                .as_ref()
                .map(|x| x.name.clone())
                .unwrap_or_default(),
            checkpoint,
            rubric: competency.map(|x| rubric(&x.rubric)).unwrap_or_default(),
        },
        artifacts: c.artifacts.clone(),
        followup_delay_days: c.followup_delay_days,
    })
}

// ---- A booking's outcome loop ----

/// Everything of the booking's outcome loop the viewer may see: the mentor sees the
/// mentee's prep and assessments, never the mentee's private note, and vice versa.
#[utoipa::path(get, path = "/api/v1/bookings/{id}/outcome", tag = "outcomes", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Booking id")),
    responses((status = 200, body = OutcomeDto),
        (status = 404, description = "No such booking, or the viewer is not one of its two parties", body = ErrorBody)))]
pub async fn get_outcome(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<OutcomeDto>, ApiError> {
    let pb = ops::party_to(&state, &me, id).await?;
    let view = ops::outcome_view(&state, &pb).await?;
    let tz = zone(&me);
    Ok(Json(OutcomeDto {
        booking_id: pb.booking.id.0,
        side: side_name(view.side).to_string(),
        status: pb.booking.status.as_str().to_string(),
        sku_title: pb.sku.content.title.clone(),
        questions: questions(&state, &pb).await?,
        prep: view.prep.as_ref().map(|p| prep_dto(p, &tz)),
        prep_status: view.prep_status.into(),
        assessments: view
            .assessments
            .iter()
            .map(|a| assessment_dto(a, &tz))
            .collect(),
        notes: view.notes.iter().map(|n| note_dto(n, &tz)).collect(),
        closing: view.closing.as_ref().map(|c| closing_dto(c, &tz)),
        tasks: view.tasks.iter().map(|t| task_dto(t, &tz)).collect(),
        deliverables: view
            .deliverables
            .iter()
            .map(|d| deliverable_dto(d, &tz))
            .collect(),
    }))
}

/// The mentee saves their prep (each save replaces the last) while the session is open.
#[utoipa::path(put, path = "/api/v1/bookings/{id}/prep", tag = "outcomes", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Booking id")), request_body = PrepRequest,
    responses((status = 200, body = PrepDto),
        (status = 403, description = "Only the session's mentee prepares", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "The session is closed, cancelled or a no-show", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn save_prep(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<PrepRequest>,
) -> Result<Json<PrepDto>, ApiError> {
    let pb = ops::party_to(&state, &me, id).await?;
    let input = PrepInput {
        intake_answers: req.intake_answers,
        pre_reads_read: req.pre_reads_read,
    };
    let saved = ops::save_prep(&state, &pb, &input).await?;
    Ok(Json(prep_dto(&saved, &zone(&me))))
}

/// The mentee takes a micro-assessment: the baseline before the session is closed, the
/// follow-up once the SKU's delay after closing has passed. Each is taken once.
#[utoipa::path(post, path = "/api/v1/bookings/{id}/assessments", tag = "outcomes", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Booking id")), request_body = AssessmentRequest,
    responses((status = 201, body = AssessmentDto),
        (status = 403, description = "Only the session's mentee assesses themself", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "Already taken; the baseline after closing; `not_yet_open`: the follow-up before it opens (the message names the date)", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn take_assessment(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<AssessmentRequest>,
) -> Result<(StatusCode, Json<AssessmentDto>), ApiError> {
    let pb = ops::party_to(&state, &me, id).await?;
    let input = AssessmentInput {
        level: req.level,
        answers: req.answers,
    };
    let taken = ops::take_assessment(&state, &me, &pb, &req.kind, &input).await?;
    Ok((
        StatusCode::CREATED,
        Json(assessment_dto(&taken, &zone(&me))),
    ))
}

/// The booking's notes the viewer may read: the shared note and their own private one.
#[utoipa::path(get, path = "/api/v1/bookings/{id}/notes", tag = "outcomes", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Booking id")),
    responses((status = 200, body = [NoteDto]), (status = 404, body = ErrorBody)))]
pub async fn list_notes(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<NoteDto>>, ApiError> {
    let pb = ops::party_to(&state, &me, id).await?;
    let view = ops::outcome_view(&state, &pb).await?;
    let tz = zone(&me);
    Ok(Json(view.notes.iter().map(|n| note_dto(n, &tz)).collect()))
}

/// Writes one of the booking's notes: either party the shared one, each side only its own
/// private one (the other side's is 404, as if it did not exist).
#[utoipa::path(put, path = "/api/v1/bookings/{id}/notes/{kind}", tag = "outcomes", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Booking id"),
        ("kind" = inline(NoteKindName), Path, description = "`shared`, `mentor_private` or `mentee_private`")),
    request_body = NoteRequest,
    responses((status = 200, body = NoteDto),
        (status = 404, description = "No such booking or note kind, or not the viewer's to write", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn save_note(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiPath((id, kind)): ApiPath<(i64, String)>,
    ApiJson(req): ApiJson<NoteRequest>,
) -> Result<Json<NoteDto>, ApiError> {
    let pb = ops::party_to(&state, &me, id).await?;
    if NoteKind::parse(&kind).is_none() {
        return Err(ApiError::field(
            StatusCode::NOT_FOUND,
            "not_found",
            "kind",
            "must be shared, mentor_private or mentee_private",
        ));
    }
    let saved = ops::save_note(&state, &me, &pb, &kind, &req.body).await?;
    Ok(Json(note_dto(&saved, &zone(&me))))
}

/// The follow-up message pre-filled from the SKU's template, for the mentor to edit and send
/// when closing.
#[utoipa::path(get, path = "/api/v1/bookings/{id}/followup-draft", tag = "outcomes", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Booking id")),
    responses((status = 200, body = FollowupDraftDto),
        (status = 403, description = "Only the session's mentor", body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn followup_draft(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<FollowupDraftDto>, ApiError> {
    let pb = ops::party_to(&state, &me, id).await?;
    let followup = ops::followup_draft_for_mentor(&state, &pb).await?;
    Ok(Json(FollowupDraftDto { followup }))
}

/// The mentor closes a session once it has started: was the checkpoint reached, on what
/// evidence, the follow-up message, and up to three dated tasks. A session closes once.
#[utoipa::path(post, path = "/api/v1/bookings/{id}/close", tag = "outcomes", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Booking id")), request_body = CloseRequest,
    responses((status = 200, body = CloseResponse),
        (status = 403, description = "Only the session's mentor closes it", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "Already closed, cancelled or a no-show; `not_started`: the session has not started", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn close_session(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<CloseRequest>,
) -> Result<Json<CloseResponse>, ApiError> {
    let pb = ops::party_to(&state, &me, id).await?;
    let input = CloseInput {
        checkpoint: req.checkpoint,
        evidence: req.evidence,
        followup: req.followup,
        tasks: req
            .tasks
            .into_iter()
            .map(|t| TaskInput {
                title: t.title,
                due: t.due,
            })
            .collect(),
    };
    let closing = ops::close(&state, &me, &pb, &input).await?;
    let tz = zone(&me);
    let tasks = state.store.tasks(pb.booking.id).await?;
    let deliverables = state.store.deliverables(pb.booking.id).await?;
    Ok(Json(CloseResponse {
        closing: closing_dto(&closing, &tz),
        tasks: tasks.iter().map(|t| task_dto(t, &tz)).collect(),
        deliverables: deliverables
            .iter()
            .map(|d| deliverable_dto(d, &tz))
            .collect(),
    }))
}

/// The mentee marks one of the session's tasks done, or open again.
#[utoipa::path(post, path = "/api/v1/bookings/{id}/tasks/{task_id}", tag = "outcomes", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Booking id"), ("task_id" = i64, Path, description = "Task id")),
    request_body = TaskDoneRequest,
    responses((status = 200, body = TaskDto),
        (status = 403, description = "Only the session's mentee ticks tasks", body = ErrorBody),
        (status = 404, description = "No such booking, or no such task of it", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn set_task(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiPath((id, task_id)): ApiPath<(i64, i64)>,
    ApiJson(req): ApiJson<TaskDoneRequest>,
) -> Result<Json<TaskDto>, ApiError> {
    let pb = ops::party_to(&state, &me, id).await?;
    let task = ops::set_task(&state, &pb, task_id, req.done).await?;
    Ok(Json(task_dto(&task, &zone(&me))))
}

/// The mentee ticks (or unticks) an artifact delivered at closing.
#[utoipa::path(post, path = "/api/v1/bookings/{id}/deliverables/{position}", tag = "outcomes", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Booking id"),
        ("position" = i64, Path, description = "The artifact's position in the SKU's list (0-based)")),
    request_body = TickRequest,
    responses((status = 200, body = DeliverableDto),
        (status = 403, description = "Only the session's mentee ticks artifacts", body = ErrorBody),
        (status = 404, description = "No such booking, or no such artifact of it", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn tick_deliverable(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiPath((id, position)): ApiPath<(i64, i64)>,
    ApiJson(req): ApiJson<TickRequest>,
) -> Result<Json<DeliverableDto>, ApiError> {
    let pb = ops::party_to(&state, &me, id).await?;
    ops::tick_deliverable(&state, &pb, position, req.ticked).await?;
    let ticked = state
        .store
        .deliverables(pb.booking.id)
        .await?
        .into_iter()
        .find(|d| d.position == position)
        .ok_or_else(|| ApiError::not_found("artifact"))?;
    Ok(Json(deliverable_dto(&ticked, &zone(&me))))
}

// ---- The viewer's own figures ----

/// The caller's progress as a mentee, per competency: self-ratings over time, checkpoints
/// reached, tasks done and mini-wins across their closed sessions.
#[utoipa::path(get, path = "/api/v1/me/progress", tag = "outcomes", security(("bearer" = [])),
    responses((status = 200, body = [CompetencyProgressDto])))]
pub async fn my_progress(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
) -> Result<Json<Vec<CompetencyProgressDto>>, ApiError> {
    let tz = zone(&me);
    let out = ops::progress(&state, &me)
        .await?
        .into_iter()
        .map(|n| {
            let p = &n.progress;
            CompetencyProgressDto {
                competency_id: p.competency_id.0,
                name: n.name.clone(),
                rubric: rubric(&n.rubric),
                points: p
                    .points
                    .iter()
                    .map(|pt| ProgressPointDto {
                        at: rfc3339_in(pt.at, &tz),
                        booking_id: pt.booking_id.0,
                        kind: pt.kind.as_str().to_string(),
                        level: pt.level.get(),
                    })
                    .collect(),
                latest_level: p.latest().map(|l| l.get()),
                sessions: p.sessions,
                checkpoints_reached: p.checkpoints_reached,
                tasks_total: p.tasks_total,
                tasks_done: p.tasks_done,
                mini_wins: p.mini_wins,
            }
        })
        .collect();
    Ok(Json(out))
}

/// The caller's impact as a mentor, over every session they closed.
#[utoipa::path(get, path = "/api/v1/me/impact", tag = "outcomes", security(("bearer" = [])),
    responses((status = 200, body = ImpactDto),
        (status = 403, description = "The caller is not a mentor", body = ErrorBody)))]
pub async fn my_impact(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
) -> Result<Json<ImpactDto>, ApiError> {
    require(&me, Role::Mentor)?;
    let stats = ops::impact(&state, &me).await?;
    Ok(Json(ImpactDto::from(&stats)))
}

/// What is due from the caller now across their bookings, most urgent first.
#[utoipa::path(get, path = "/api/v1/me/todo", tag = "outcomes", security(("bearer" = [])),
    responses((status = 200, body = [TodoDto])))]
pub async fn my_todo(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
) -> Result<Json<Vec<TodoDto>>, ApiError> {
    let tz = zone(&me);
    let items = ops::todo_of(&state, &me).await?;
    Ok(Json(
        items
            .into_iter()
            .map(|i| {
                let (due_at, due_on) = match i.due {
                    Some(Due::At(t)) => (Some(rfc3339_in(t, &tz)), None),
                    Some(Due::On(d)) => (None, Some(d.to_string())),
                    None => (None, None),
                };
                TodoDto {
                    booking_id: i.booking_id.0,
                    kind: todo_kind(i.kind).to_string(),
                    task_id: i.task_id,
                    title: i.title,
                    due_at,
                    due_on,
                    overdue: i.overdue,
                }
            })
            .collect(),
    ))
}

fn todo_kind(k: stint_domain::outcome::todo::TodoKind) -> &'static str {
    use stint_domain::outcome::todo::TodoKind;
    match k {
        TodoKind::Prep => "prep",
        TodoKind::CloseSession => "close_session",
        TodoKind::Task => "task",
        TodoKind::FollowupAssessment => "followup_assessment",
    }
}

// ---- Public figures ----

/// A session type's public outcome figures: its mini-win rate with a 95% interval and the
/// sample size. Below five closed sessions the figures are hidden.
#[utoipa::path(get, path = "/api/v1/skus/{slug}/outcomes", tag = "outcomes",
    params(("slug" = String, Path, description = "SKU slug")),
    responses((status = 200, body = SkuOutcomesDto), (status = 404, body = ErrorBody)))]
pub async fn sku_outcomes(
    State(state): State<AppState>,
    ApiPath(slug): ApiPath<String>,
) -> Result<Json<SkuOutcomesDto>, ApiError> {
    let sku = state
        .store
        .sku(&slug)
        .await?
        .filter(|s| s.status != SkuStatus::Draft)
        .ok_or_else(|| ApiError::not_found("session type"))?;
    let hidden = |sessions| SkuOutcomesDto {
        hidden: true,
        sessions,
        minimum: MIN_PUBLIC_SAMPLE,
        mini_wins: None,
        mini_win_rate: None,
        interval: None,
        mean_gain: None,
    };
    Ok(Json(
        match ops::sku_public_outcomes(&state, sku.sku_id).await? {
            PublicOutcomes::Hidden { sessions } => hidden(sessions),
            PublicOutcomes::Shown(s) => SkuOutcomesDto {
                hidden: false,
                sessions: s.sessions,
                minimum: MIN_PUBLIC_SAMPLE,
                mini_wins: Some(s.mini_wins),
                mini_win_rate: s.mini_win_rate,
                interval: interval(&s),
                mean_gain: s.mean_gain,
            },
        },
    ))
}

/// What each outcome figure means, in the words every page uses.
#[utoipa::path(get, path = "/api/v1/metrics", tag = "outcomes",
    responses((status = 200, body = [MetricDto])))]
pub async fn metrics() -> Json<Vec<MetricDto>> {
    Json(
        DEFINITIONS
            .iter()
            .map(|(name, definition)| MetricDto {
                name: name.to_string(),
                definition: definition.to_string(),
            })
            .collect(),
    )
}
