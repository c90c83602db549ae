//! `/api/v1/competencies` and `/api/v1/skus`: everyone reads the active catalog;
//! operators also see drafts and retired SKUs and make every change.

use super::dto::{
    CheckpointDto, CheckpointRequest, CompetencyDto, CompetencyRequest, SkuDto, SkuRequest,
    StatusRequest,
};
use crate::auth::{ApiOperator, ApiUser, user::bearer};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;
use axum::Json;
use axum::extract::{FromRequestParts, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::Deserialize;
use stint_app::catalog_read as catalog;
use stint_app::{self as ops, catalog::SkuDraft};
use stint_domain::FieldErrors;
use stint_domain::account::Account;
use stint_domain::catalog::{CheckpointInput, CompetencyInput, PreRead, SkuStatus};
use stint_domain::ids::CheckpointId;
use utoipa::IntoParams;

/// An optional bearer token: the catalog is public, operators see more.
pub struct OptionalApiUser(pub Option<Account>);

impl FromRequestParts<AppState> for OptionalApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if bearer(parts).is_none() {
            return Ok(OptionalApiUser(None));
        }
        ApiUser::from_request_parts(parts, state)
            .await
            .map(|u| OptionalApiUser(Some(u.0)))
    }
}

fn competency_request(req: CompetencyRequest) -> CompetencyInput {
    CompetencyInput {
        slug: req.slug,
        name: req.name,
        description: req.description,
        rubric: req.rubric,
    }
}

fn checkpoint_request(req: CheckpointRequest) -> CheckpointInput {
    CheckpointInput {
        slug: req.slug,
        title: req.title,
        description: req.description,
    }
}

/// All competencies with their rubric and checkpoints.
#[utoipa::path(get, path = "/api/v1/competencies", tag = "catalog",
    responses((status = 200, body = [CompetencyDto])))]
pub async fn list_competencies(
    State(state): State<AppState>,
) -> Result<Json<Vec<CompetencyDto>>, ApiError> {
    Ok(Json(
        catalog::competencies(&state)
            .await?
            .iter()
            .map(CompetencyDto::from)
            .collect(),
    ))
}

/// One competency.
#[utoipa::path(get, path = "/api/v1/competencies/{slug}", tag = "catalog",
    params(("slug" = String, Path, description = "Competency slug")),
    responses((status = 200, body = CompetencyDto), (status = 404, body = ErrorBody)))]
pub async fn get_competency(
    State(state): State<AppState>,
    ApiPath(slug): ApiPath<String>,
) -> Result<Json<CompetencyDto>, ApiError> {
    let c = catalog::competency(&state, &slug).await?;
    Ok(Json(CompetencyDto::from(&c)))
}

/// Adds a competency (operators).
#[utoipa::path(post, path = "/api/v1/competencies", tag = "catalog", security(("bearer" = [])),
    request_body = CompetencyRequest,
    responses((status = 201, body = CompetencyDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_competency(
    State(state): State<AppState>,
    ApiOperator(me): ApiOperator,
    ApiJson(req): ApiJson<CompetencyRequest>,
) -> Result<(StatusCode, Json<CompetencyDto>), ApiError> {
    let c = catalog::create_competency(&state, &me, competency_request(req)).await?;
    Ok((StatusCode::CREATED, Json(CompetencyDto::from(&c))))
}

/// Edits a competency (operators).
#[utoipa::path(put, path = "/api/v1/competencies/{slug}", tag = "catalog", security(("bearer" = [])),
    params(("slug" = String, Path, description = "Competency slug")), request_body = CompetencyRequest,
    responses((status = 200, body = CompetencyDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_competency(
    State(state): State<AppState>,
    ApiOperator(me): ApiOperator,
    ApiPath(slug): ApiPath<String>,
    ApiJson(req): ApiJson<CompetencyRequest>,
) -> Result<Json<CompetencyDto>, ApiError> {
    let c = catalog::update_competency(&state, &me, &slug, competency_request(req)).await?;
    Ok(Json(CompetencyDto::from(&c)))
}

/// Adds a checkpoint to a competency (operators).
#[utoipa::path(post, path = "/api/v1/competencies/{slug}/checkpoints", tag = "catalog", security(("bearer" = [])),
    params(("slug" = String, Path, description = "Competency slug")), request_body = CheckpointRequest,
    responses((status = 201, body = CheckpointDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_checkpoint(
    State(state): State<AppState>,
    ApiOperator(me): ApiOperator,
    ApiPath(slug): ApiPath<String>,
    ApiJson(req): ApiJson<CheckpointRequest>,
) -> Result<(StatusCode, Json<CheckpointDto>), ApiError> {
    let cp = catalog::add_checkpoint(&state, &me, &slug, checkpoint_request(req)).await?;
    Ok((StatusCode::CREATED, Json(CheckpointDto::from(&cp))))
}

/// Edits a checkpoint (operators).
#[utoipa::path(put, path = "/api/v1/checkpoints/{id}", tag = "catalog", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Checkpoint id")), request_body = CheckpointRequest,
    responses((status = 200, body = CheckpointDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_checkpoint(
    State(state): State<AppState>,
    ApiOperator(me): ApiOperator,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<CheckpointRequest>,
) -> Result<Json<CheckpointDto>, ApiError> {
    let cp =
        catalog::update_checkpoint(&state, &me, CheckpointId(id), checkpoint_request(req)).await?;
    Ok(Json(CheckpointDto::from(&cp)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SkuFilter {
    /// `active` (default), or for operators `draft`, `retired` or `all`.
    #[param(value_type = Option<crate::api::dto::SkuListName>)]
    pub status: Option<String>,
}

/// Session types: active ones for everyone; operators may ask for others.
#[utoipa::path(get, path = "/api/v1/skus", tag = "catalog", params(SkuFilter),
    responses((status = 200, body = [SkuDto]), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_skus(
    State(state): State<AppState>,
    OptionalApiUser(user): OptionalApiUser,
    ApiQuery(filter): ApiQuery<SkuFilter>,
) -> Result<Json<Vec<SkuDto>>, ApiError> {
    let status = catalog::parse_status_filter(filter.status.as_deref())?;
    let skus = catalog::skus(&state, user.as_ref(), status).await?;
    let competencies = catalog::competencies(&state).await?;
    Ok(Json(
        skus.iter().map(|s| SkuDto::new(s, &competencies)).collect(),
    ))
}

/// One session type at its current version.
#[utoipa::path(get, path = "/api/v1/skus/{slug}", tag = "catalog",
    params(("slug" = String, Path, description = "SKU slug")),
    responses((status = 200, body = SkuDto), (status = 404, body = ErrorBody)))]
pub async fn get_sku(
    State(state): State<AppState>,
    OptionalApiUser(user): OptionalApiUser,
    ApiPath(slug): ApiPath<String>,
) -> Result<Json<SkuDto>, ApiError> {
    let sku = catalog::sku(&state, user.as_ref(), &slug).await?;
    Ok(Json(SkuDto::new(
        &sku,
        &catalog::competencies(&state).await?,
    )))
}

/// Every version of a session type, newest first.
#[utoipa::path(get, path = "/api/v1/skus/{slug}/versions", tag = "catalog",
    params(("slug" = String, Path, description = "SKU slug")),
    responses((status = 200, body = [SkuDto]), (status = 404, body = ErrorBody)))]
pub async fn list_sku_versions(
    State(state): State<AppState>,
    OptionalApiUser(user): OptionalApiUser,
    ApiPath(slug): ApiPath<String>,
) -> Result<Json<Vec<SkuDto>>, ApiError> {
    let versions = catalog::sku_versions(&state, user.as_ref(), &slug).await?;
    let competencies = catalog::competencies(&state).await?;
    Ok(Json(
        versions
            .iter()
            .map(|s| SkuDto::new(s, &competencies))
            .collect(),
    ))
}

/// One version of a session type; versions stay readable forever.
#[utoipa::path(get, path = "/api/v1/skus/{slug}/versions/{version}", tag = "catalog",
    params(("slug" = String, Path, description = "SKU slug"), ("version" = i64, Path, description = "Version number")),
    responses((status = 200, body = SkuDto), (status = 404, body = ErrorBody)))]
pub async fn get_sku_version(
    State(state): State<AppState>,
    OptionalApiUser(user): OptionalApiUser,
    ApiPath((slug, version)): ApiPath<(String, i64)>,
) -> Result<Json<SkuDto>, ApiError> {
    let sku = catalog::sku_version(&state, user.as_ref(), &slug, version).await?;
    Ok(Json(SkuDto::new(
        &sku,
        &catalog::competencies(&state).await?,
    )))
}

fn draft_from(req: SkuRequest) -> SkuDraft {
    SkuDraft {
        title: req.title,
        duration_minutes: req.duration_minutes,
        competency: req.competency,
        checkpoint: req.checkpoint,
        outcome: req.outcome,
        artifacts: req.artifacts,
        intake_questions: req.intake_questions,
        pre_reads: req
            .pre_reads
            .into_iter()
            .map(|p| PreRead {
                title: p.title,
                url: p.url,
            })
            .collect(),
        followup_template: req.followup_template,
        assessment_questions: req.assessment_questions,
        followup_delay_days: req.followup_delay_days,
        price_credits: req.price_credits,
        cancel_cutoff_hours: req.cancel_cutoff_hours,
        reschedule_cutoff_hours: req.reschedule_cutoff_hours,
        late_cancel_percent: req.late_cancel_percent,
        bonus_credits: req.bonus_credits,
    }
}

/// Creates a session type as a draft (operators).
#[utoipa::path(post, path = "/api/v1/skus", tag = "catalog", security(("bearer" = [])), request_body = SkuRequest,
    responses((status = 201, body = SkuDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_sku(
    State(state): State<AppState>,
    ApiOperator(me): ApiOperator,
    ApiJson(req): ApiJson<SkuRequest>,
) -> Result<(StatusCode, Json<SkuDto>), ApiError> {
    let slug = req.slug.clone().unwrap_or_default();
    let sku =
        ops::catalog::create(&state, &me, &slug, &draft_from(req), FieldErrors::new()).await?;
    Ok((
        StatusCode::CREATED,
        Json(SkuDto::new(&sku, &catalog::competencies(&state).await?)),
    ))
}

/// Edits a session type (operators). Once published, an edit makes a new version.
#[utoipa::path(put, path = "/api/v1/skus/{slug}", tag = "catalog", security(("bearer" = [])),
    params(("slug" = String, Path, description = "SKU slug")), request_body = SkuRequest,
    responses((status = 200, body = SkuDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_sku(
    State(state): State<AppState>,
    ApiOperator(me): ApiOperator,
    ApiPath(slug): ApiPath<String>,
    ApiJson(req): ApiJson<SkuRequest>,
) -> Result<Json<SkuDto>, ApiError> {
    if req.slug.as_ref().is_some_and(|s| s != &slug) {
        return Err(ApiError::validation(FieldErrors::single(
            "slug",
            "cannot be changed",
        )));
    }
    let sku =
        ops::catalog::update(&state, &me, &slug, &draft_from(req), FieldErrors::new()).await?;
    Ok(Json(SkuDto::new(
        &sku,
        &catalog::competencies(&state).await?,
    )))
}

/// Publishes, retires or re-activates a session type (operators).
#[utoipa::path(post, path = "/api/v1/skus/{slug}/status", tag = "catalog", security(("bearer" = [])),
    params(("slug" = String, Path, description = "SKU slug")), request_body = StatusRequest,
    responses((status = 200, body = SkuDto), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "Not allowed from the current status", body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_sku_status(
    State(state): State<AppState>,
    ApiOperator(me): ApiOperator,
    ApiPath(slug): ApiPath<String>,
    ApiJson(req): ApiJson<StatusRequest>,
) -> Result<Json<SkuDto>, ApiError> {
    let status = SkuStatus::parse(&req.status).ok_or_else(|| {
        ApiError::validation(FieldErrors::single(
            "status",
            "must be draft, active or retired",
        ))
    })?;
    let sku = catalog::set_sku_status(&state, &me, &slug, status).await?;
    Ok(Json(SkuDto::new(
        &sku,
        &catalog::competencies(&state).await?,
    )))
}
