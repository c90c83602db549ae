//! The catalog as each viewer may see it, and the operators' edits of competencies,
//! checkpoints and SKU status. Who sees drafts and retired SKUs is decided here once.

use crate::App;
use crate::access::require;
use crate::error::{AppError, missing};
use stint_domain::FieldErrors;
use stint_domain::account::Account;
use stint_domain::catalog::{
    Checkpoint, CheckpointInput, Competency, CompetencyInput, SkuStatus, SkuVersion,
};
use stint_domain::ids::CheckpointId;
use stint_domain::mentor::{BookableMentor, MentorProfile};
use stint_domain::role::Role;

fn is_operator(viewer: Option<&Account>) -> bool {
    viewer.is_some_and(|a| a.has(Role::Operator))
}

/// Everyone sees active SKUs and (by link) retired ones; drafts only operators.
pub fn may_see(sku: &SkuVersion, viewer: Option<&Account>) -> bool {
    match sku.status {
        SkuStatus::Active | SkuStatus::Retired => true,
        SkuStatus::Draft => is_operator(viewer),
    }
}

/// Reads a listing filter: `active` (the default), `draft`, `retired` or `all`.
pub fn parse_status_filter(raw: Option<&str>) -> Result<Option<SkuStatus>, AppError> {
    match raw.unwrap_or("active") {
        "all" => Ok(None),
        s => SkuStatus::parse(s).map(Some).ok_or_else(|| {
            AppError::validation(FieldErrors::single(
                "status",
                "must be active, draft, retired or all",
            ))
        }),
    }
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn competencies(app: &App) -> Result<Vec<Competency>, AppError> {
    Ok(app.store.competencies().await?)
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn competency(app: &App, slug: &str) -> Result<Competency, AppError> {
    app.store
        .competency_by_slug(slug)
        .await?
        .ok_or_else(|| AppError::not_found("competency"))
}

/// Adds a competency (operators).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn create_competency(
    app: &App,
    actor: &Account,
    input: CompetencyInput,
) -> Result<Competency, AppError> {
    require(actor, Role::Operator)?;
    let input = input.validate()?;
    Ok(app.store.create_competency(&input, app.now()).await?)
}

/// Edits a competency (operators).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn update_competency(
    app: &App,
    actor: &Account,
    slug: &str,
    input: CompetencyInput,
) -> Result<Competency, AppError> {
    require(actor, Role::Operator)?;
    let input = input.validate()?;
    app.store
        .update_competency(slug, &input)
        .await
        .map_err(missing("competency"))
}

/// Adds a checkpoint to a competency (operators).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn add_checkpoint(
    app: &App,
    actor: &Account,
    competency_slug: &str,
    input: CheckpointInput,
) -> Result<Checkpoint, AppError> {
    require(actor, Role::Operator)?;
    let input = input.validate()?;
    let c = competency(app, competency_slug).await?;
    Ok(app.store.add_checkpoint(c.id, &input).await?)
}

/// Edits a checkpoint (operators).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn update_checkpoint(
    app: &App,
    actor: &Account,
    id: CheckpointId,
    input: CheckpointInput,
) -> Result<Checkpoint, AppError> {
    require(actor, Role::Operator)?;
    let input = input.validate()?;
    app.store
        .update_checkpoint(id, &input)
        .await
        .map_err(missing("checkpoint"))
}

/// SKUs in `status` (every status for `None`): active ones for everyone, the others for
/// operators only.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn skus(
    app: &App,
    viewer: Option<&Account>,
    status: Option<SkuStatus>,
) -> Result<Vec<SkuVersion>, AppError> {
    if status != Some(SkuStatus::Active) && !is_operator(viewer) {
        return Err(AppError::forbidden());
    }
    Ok(app.store.skus(status).await?)
}

/// One SKU at its current version, if the viewer may see it.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn sku(app: &App, viewer: Option<&Account>, slug: &str) -> Result<SkuVersion, AppError> {
    app.store
        .sku(slug)
        .await?
        .filter(|s| may_see(s, viewer))
        .ok_or_else(|| AppError::not_found("session type"))
}

/// A SKU that can be booked now.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn bookable_sku(app: &App, slug: &str) -> Result<SkuVersion, AppError> {
    app.store
        .sku(slug)
        .await?
        .filter(|s| s.status == SkuStatus::Active)
        .ok_or_else(|| AppError::not_found("session type"))
}

/// Every version of a SKU, newest first.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn sku_versions(
    app: &App,
    viewer: Option<&Account>,
    slug: &str,
) -> Result<Vec<SkuVersion>, AppError> {
    let versions = app.store.sku_versions(slug).await?;
    if versions.first().is_none_or(|s| !may_see(s, viewer)) {
        return Err(AppError::not_found("session type"));
    }
    Ok(versions)
}

/// One version of a SKU; versions stay readable forever.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn sku_version(
    app: &App,
    viewer: Option<&Account>,
    slug: &str,
    version: i64,
) -> Result<SkuVersion, AppError> {
    app.store
        .sku_version(slug, version)
        .await?
        .filter(|s| may_see(s, viewer))
        .ok_or_else(|| AppError::not_found("session type version"))
}

/// Publishes, retires or re-activates a SKU (operators).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn set_sku_status(
    app: &App,
    actor: &Account,
    slug: &str,
    status: SkuStatus,
) -> Result<SkuVersion, AppError> {
    require(actor, Role::Operator)?;
    app.store
        .set_sku_status(slug, status, app.now())
        .await
        .map_err(missing("session type"))
}

/// The mentors a slot search of `sku` is about: all who offer it, or only `only`, which is
/// refused (422 on `mentor`) if they do not offer it. A one-mentor search reads that mentor
/// alone, and a search of everyone reads no profile text, however many mentors there are.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn mentors_to_search(
    app: &App,
    sku: &SkuVersion,
    only: Option<stint_domain::ids::UserId>,
) -> Result<Vec<BookableMentor>, AppError> {
    let Some(id) = only else {
        return Ok(app.store.bookable_mentors(sku.sku_id).await?);
    };
    match app.store.mentor_profile(id).await? {
        Some(m) if m.skus.iter().any(|s| s.id == sku.sku_id) => {
            if m.standing.is_listed() {
                Ok(vec![BookableMentor::from(&m)])
            } else {
                Err(AppError::validation(FieldErrors::single(
                    "mentor",
                    "is not taking new bookings now",
                )))
            }
        }
        _ => Err(AppError::validation(FieldErrors::single(
            "mentor",
            "does not offer this session type",
        ))),
    }
}

/// One mentor's profile.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn mentor(app: &App, id: stint_domain::ids::UserId) -> Result<MentorProfile, AppError> {
    app.store
        .mentor_profile(id)
        .await?
        .ok_or_else(|| AppError::not_found("mentor"))
}

/// A competency by id, if it exists (a SKU's competency always does).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn competency_by_id(
    app: &App,
    id: stint_domain::ids::CompetencyId,
) -> Result<Option<Competency>, AppError> {
    Ok(app.store.competency(id).await?)
}
