//! `/api/v1/mentor-applications`: applying to mentor and the operators' review, thin edges
//! over `stint_app::applications`.

use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use stint_app::applications;
use stint_domain::application::{Application, ApplicationInput};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplicationRequest {
    /// Roles, years, what you have helped people do.
    #[schema(format = "text", min_length = 20, max_length = 2000)]
    pub experience: String,
    /// Slugs of the competencies you can teach.
    #[schema(min_items = 1, max_items = 8)]
    pub competencies: Vec<String>,
    /// How you would run one of the session types.
    #[schema(format = "text", min_length = 50, max_length = 3000)]
    pub sample: String,
    /// Up to 5 https links, one per line.
    #[serde(default)]
    #[schema(format = "text", max_length = 2600)]
    pub links: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApplicationDto {
    pub id: i64,
    pub applicant_id: i64,
    pub applicant_name: String,
    pub experience: String,
    pub competencies: Vec<String>,
    pub sample: String,
    pub links: Vec<String>,
    /// `pending`, `asked` (a question waits for the applicant), `approved` or `declined`.
    #[schema(pattern = "^(pending|asked|approved|declined)$")]
    pub status: String,
    pub question: String,
    pub answer: String,
    /// Why it was declined.
    pub reason: String,
    pub created_at: String,
    pub updated_at: String,
}

impl From<Application> for ApplicationDto {
    fn from(a: Application) -> Self {
        ApplicationDto {
            id: a.id,
            applicant_id: a.user_id.0,
            applicant_name: a.applicant_name,
            experience: a.experience,
            competencies: a.competencies,
            sample: a.sample,
            links: a.links,
            status: a.status.as_str().into(),
            question: a.question,
            answer: a.answer,
            reason: a.reason,
            created_at: a.created_at.to_string(),
            updated_at: a.updated_at.to_string(),
        }
    }
}

/// Applies to mentor. Operators review it; an approval makes you a mentor.
#[utoipa::path(post, path = "/api/v1/mentor-applications", tag = "mentors", security(("bearer" = [])),
    request_body = ApplicationRequest,
    responses((status = 201, body = ApplicationDto), (status = 401, body = ErrorBody),
        (status = 409, description = "A mentor already, or an application under review", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn apply(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiJson(req): ApiJson<ApplicationRequest>,
) -> Result<(StatusCode, Json<ApplicationDto>), ApiError> {
    let input = ApplicationInput {
        experience: req.experience,
        competencies: req.competencies,
        sample: req.sample,
        links: req.links,
    };
    let a = applications::apply(&state, &me, &input).await?;
    Ok((StatusCode::CREATED, Json(a.into())))
}

/// Your applications to mentor, newest first.
#[utoipa::path(get, path = "/api/v1/mentor-applications/mine", tag = "mentors", security(("bearer" = [])),
    responses((status = 200, body = [ApplicationDto]), (status = 401, body = ErrorBody)))]
pub async fn mine(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
) -> Result<Json<Vec<ApplicationDto>>, ApiError> {
    let list = applications::mine(&state, &me).await?;
    Ok(Json(list.into_iter().map(Into::into).collect()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerRequest {
    #[schema(format = "text", min_length = 3, max_length = 1000)]
    pub answer: String,
}

/// Answers the operators' question on your application; it goes back to the review.
#[utoipa::path(post, path = "/api/v1/mentor-applications/{id}/answer", tag = "mentors", security(("bearer" = [])),
    params(("id" = i64, Path, description = "The application's id")),
    request_body = AnswerRequest,
    responses((status = 200, body = ApplicationDto), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "No question waits for an answer", body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn answer(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<AnswerRequest>,
) -> Result<Json<ApplicationDto>, ApiError> {
    Ok(Json(
        applications::answer(&state, &me, id, &req.answer)
            .await?
            .into(),
    ))
}

/// Applications under review, oldest first (operators).
#[utoipa::path(get, path = "/api/v1/operator/mentor-applications", tag = "users", security(("bearer" = [])),
    responses((status = 200, body = [ApplicationDto]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn queue(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
) -> Result<Json<Vec<ApplicationDto>>, ApiError> {
    let list = applications::queue(&state, &me).await?;
    Ok(Json(list.into_iter().map(Into::into).collect()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplicationStepRequest {
    /// `ask` (a question), `approve` or `decline` (with a reason).
    #[schema(pattern = "^(ask|approve|decline)$")]
    pub step: String,
    /// The question or the reason (3 to 1,000 characters; needed to ask or decline); the
    /// applicant reads it.
    #[serde(default)]
    #[schema(format = "text", max_length = 1000)]
    pub note: String,
}

/// Asks the applicant a question, approves them (they become a mentor) or declines with a
/// reason (operators); the applicant is mailed each step.
#[utoipa::path(post, path = "/api/v1/operator/mentor-applications/{id}/decision", tag = "users", security(("bearer" = [])),
    params(("id" = i64, Path, description = "The application's id")),
    request_body = ApplicationStepRequest,
    responses((status = 200, body = ApplicationDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, description = "Decided already", body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn decide(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<ApplicationStepRequest>,
) -> Result<Json<ApplicationDto>, ApiError> {
    Ok(Json(
        applications::decide(&state, &me, id, &req.step, &req.note)
            .await?
            .into(),
    ))
}
