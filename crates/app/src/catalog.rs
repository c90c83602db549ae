//! Catalog edits: resolving a SKU's competency and checkpoint by slug, validating, saving.

use crate::App;
use crate::access::require;
use crate::error::AppError;
use stint_domain::FieldErrors;
use stint_domain::account::Account;
use stint_domain::catalog::{Competency, PreRead, SkuContent, SkuVersion};
use stint_domain::ids::{CheckpointId, CompetencyId};
use stint_domain::role::Role;
use stint_domain::validate;

/// A SKU edit as typed, with the competency and checkpoint named by slug.
#[derive(Debug, Clone, Default)]
pub struct SkuDraft {
    pub title: String,
    pub duration_minutes: i64,
    pub competency: String,
    pub checkpoint: String,
    pub outcome: String,
    pub artifacts: Vec<String>,
    pub intake_questions: Vec<String>,
    pub pre_reads: Vec<PreRead>,
    pub followup_template: String,
    pub assessment_questions: Vec<String>,
    pub followup_delay_days: i64,
    pub price_credits: i64,
    pub cancel_cutoff_hours: i64,
    pub reschedule_cutoff_hours: i64,
    pub late_cancel_percent: i64,
    pub bonus_credits: i64,
}

/// Turns a draft into validated content, collecting every field error.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn resolve(
    app: &App,
    draft: &SkuDraft,
    errors: &mut FieldErrors,
) -> Result<Option<SkuContent>, AppError> {
    let competency: Option<Competency> = app
        .store
        .competency_by_slug(draft.competency.trim())
        .await?;
    let checkpoint = competency.as_ref().and_then(|c| {
        c.checkpoints
            .iter()
            .find(|p| p.slug == draft.checkpoint.trim())
    });
    if competency.is_none() {
        errors.add("competency", "choose a competency from the catalog");
    } else if checkpoint.is_none() {
        errors.add("checkpoint", "choose a checkpoint of this competency");
    }
    let content = SkuContent {
        title: draft.title.clone(),
        duration_minutes: draft.duration_minutes,
        competency_id: competency.as_ref().map(|c| c.id).unwrap_or(CompetencyId(0)),
        checkpoint_id: checkpoint.map(|c| c.id).unwrap_or(CheckpointId(0)),
        outcome: draft.outcome.clone(),
        artifacts: draft.artifacts.clone(),
        intake_questions: draft.intake_questions.clone(),
        pre_reads: draft.pre_reads.clone(),
        followup_template: draft.followup_template.clone(),
        assessment_questions: draft.assessment_questions.clone(),
        followup_delay_days: draft.followup_delay_days,
        price_credits: draft.price_credits,
        cancel_cutoff_hours: draft.cancel_cutoff_hours,
        reschedule_cutoff_hours: draft.reschedule_cutoff_hours,
        late_cancel_percent: draft.late_cancel_percent,
        bonus_credits: draft.bonus_credits,
    };
    match content.validate(competency.as_ref()) {
        Ok(valid) => Ok(Some(valid)),
        Err(e) => {
            for (field, message) in e.0 {
                // The API and forms name the competency and checkpoint by slug.
                let field = match field.as_str() {
                    "competency_id" => "competency".to_string(),
                    "checkpoint_id" => "checkpoint".to_string(),
                    _ => field,
                };
                errors.add(&field, message);
            }
            Ok(None)
        }
    }
}

/// Creates a draft SKU. `errors` holds what the caller already found (e.g. a number a
/// form could not read), so every problem is reported at once.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn create(
    app: &App,
    actor: &Account,
    slug: &str,
    draft: &SkuDraft,
    mut errors: FieldErrors,
) -> Result<SkuVersion, AppError> {
    require(actor, Role::Operator)?;
    let by = actor.id;
    let slug = errors.check("slug", validate::slug(slug));
    let content = resolve(app, draft, &mut errors).await?;
    match (slug, content) {
        (Some(slug), Some(content)) if errors.is_empty() => Ok(app
            .store
            .create_sku(&slug, &content, Some(by), app.now())
            .await?),
        _ => Err(AppError::validation(errors)),
    }
}

/// Edits a SKU (a new version once it has been published, and only when something changed);
/// `errors` as for [`create`].
#[tracing::instrument(level = "debug", skip_all)]
pub async fn update(
    app: &App,
    actor: &Account,
    slug: &str,
    draft: &SkuDraft,
    mut errors: FieldErrors,
) -> Result<SkuVersion, AppError> {
    require(actor, Role::Operator)?;
    let by = actor.id;
    let Some(current) = app.store.sku(slug).await? else {
        return Err(AppError::not_found("session type"));
    };
    match resolve(app, draft, &mut errors).await? {
        // Saved without a change: nothing to version.
        Some(content) if errors.is_empty() && content == current.content => Ok(current),
        Some(content) if errors.is_empty() => Ok(app
            .store
            .update_sku(slug, &content, Some(by), app.now())
            .await?),
        _ => Err(AppError::validation(errors)),
    }
}
