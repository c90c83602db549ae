//! The routes of one booking's outcome loop, under `/api/v1/bookings/{id}/…`. Each
//! handler finds the caller's side of the booking with `party_to` and leaves every rule to
//! `ops::outcomes`.

use super::dto::{
    AssessmentDto, AssessmentRequest, CloseRequest, CloseResponse, DeliverableDto,
    FollowupDraftDto, NoteDto, NoteKindName, NoteRequest, OutcomeCompetencyDto, OutcomeDto,
    OutcomeQuestionsDto, PrepDto, PrepRequest, TaskDoneRequest, TaskDto, TickRequest,
    assessment_dto, closing_dto, deliverable_dto, note_dto, prep_dto, side_name, task_dto,
};
use crate::api::dto::PreReadDto;
use crate::api::dto::RubricLevel;
use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use stint_app::outcomes::{self as ops, PartyBooking};
use stint_domain::outcome::assessment::AssessmentInput;
use stint_domain::outcome::closing::{CloseInput, TaskInput};
use stint_domain::outcome::notes::NoteKind;
use stint_domain::outcome::prep::PrepInput;

/// What the booked SKU version asks of the mentee, with the competency it aims at.
async fn questions(state: &AppState, pb: &PartyBooking) -> Result<OutcomeQuestionsDto, ApiError> {
    let c = &pb.sku.content;
    let (competency, checkpoint) = ops::aim(state, &pb.sku).await?;
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
            rubric: competency
                .map(|x| RubricLevel::all(&x.rubric))
                .unwrap_or_default(),
        },
        artifacts: c.artifacts.clone(),
        followup_delay_days: c.followup_delay_days,
    })
}

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
    let tz = me.zone();
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
    Ok(Json(prep_dto(&saved, &me.zone())))
}

/// The mentee takes a micro-assessment: the baseline before the session is closed, the
/// follow-up once the SKU's delay after closing has passed. Each is taken once. With the
/// follow-up, `reached_milestone` confirms the milestone and pays the outcome bonus.
#[utoipa::path(post, path = "/api/v1/bookings/{id}/assessments", tag = "outcomes", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Booking id")), request_body = AssessmentRequest,
    responses((status = 201, body = AssessmentDto),
        (status = 403, description = "Only the session's mentee assesses themself", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "Already taken; the baseline after closing; `not_yet_open`: the follow-up before it opens (the message names the date); `too_late`, `too_early` or `conflict` when the milestone's bonus cannot be confirmed", body = ErrorBody),
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
    let taken =
        ops::take_assessment(&state, &me, &pb, &req.kind, &input, req.reached_milestone).await?;
    Ok((
        StatusCode::CREATED,
        Json(assessment_dto(&taken, &me.zone())),
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
    let tz = me.zone();
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
    Ok(Json(note_dto(&saved, &me.zone())))
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
    let tz = me.zone();
    let tasks = ops::tasks(&state, &pb).await?;
    let deliverables = ops::deliverables(&state, &pb).await?;
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
    Ok(Json(task_dto(&task, &me.zone())))
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
    let ticked = ops::deliverables(&state, &pb)
        .await?
        .into_iter()
        .find(|d| d.position == position)
        .ok_or_else(|| ApiError::not_found("artifact"))?;
    Ok(Json(deliverable_dto(&ticked, &me.zone())))
}
