//! The operator's console: the catalog editor (competencies, checkpoints, SKUs and their
//! versions) and account roles.

use super::filters;
use super::forms::{lines, number};
use super::render::{
    Chrome, OrPage, PageResult, failure_for, forbidden_page, html, not_found_page, ok, refusal,
};

use crate::auth::PageUser;
use crate::auth::csrf::{CsrfForm, CsrfToken};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use stint_app::AppError;
use stint_app::catalog::{self as catalog_ops, SkuDraft};
use stint_app::catalog_read as catalog;
use stint_domain::FieldErrors;
use stint_domain::account::Account;
use stint_domain::catalog::{
    CheckpointInput, Competency, CompetencyInput, PreRead, SkuStatus, SkuVersion,
    default_followup_delay_days, default_late_cancel_percent,
};
use stint_domain::ids::CheckpointId;
use stint_domain::role::Role;

/// Operators only; everyone else gets a 403 page.
pub(super) fn operator(me: Account) -> Result<Account, Response> {
    if me.has(Role::Operator) {
        Ok(me)
    } else {
        Err(forbidden_page(Some(me)))
    }
}

#[derive(Template)]
#[template(path = "operator/catalog.html")]
struct CatalogPage {
    chrome: Chrome,
    competencies: Vec<Competency>,
    skus: Vec<SkuVersion>,
}

impl CatalogPage {
    fn competency_name(&self, sku: &SkuVersion) -> String {
        self.competencies
            .iter()
            .find(|c| c.id == sku.content.competency_id)
            .map(|c| c.name.clone())
            .unwrap_or_default()
    }
}

pub async fn catalog(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
) -> PageResult {
    let me = operator(me)?;
    let competencies = catalog::competencies(&state).await.or_page()?;
    let skus = catalog::skus(&state, Some(&me), None).await.or_page()?;
    Ok(ok(&CatalogPage {
        chrome: Chrome::new("Catalog · Operator · Stint", Some(me), &csrf.0),
        competencies,
        skus,
    }))
}

// ---- competencies ----------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CompetencyFields {
    slug: String,
    name: String,
    description: String,
    level1: String,
    level2: String,
    level3: String,
    level4: String,
    level5: String,
}

impl CompetencyFields {
    fn from(c: &Competency) -> Self {
        let level = |i: usize| c.rubric.get(i).cloned().unwrap_or_default();
        CompetencyFields {
            slug: c.slug.clone(),
            name: c.name.clone(),
            description: c.description.clone(),
            level1: level(0),
            level2: level(1),
            level3: level(2),
            level4: level(3),
            level5: level(4),
        }
    }

    fn input(&self) -> CompetencyInput {
        CompetencyInput {
            slug: self.slug.clone(),
            name: self.name.clone(),
            description: self.description.clone(),
            rubric: vec![
                self.level1.clone(),
                self.level2.clone(),
                self.level3.clone(),
                self.level4.clone(),
                self.level5.clone(),
            ],
        }
    }

    /// Field name, label and value of each rubric level, for the template.
    fn levels(&self) -> Vec<(String, String, String)> {
        [
            &self.level1,
            &self.level2,
            &self.level3,
            &self.level4,
            &self.level5,
        ]
        .iter()
        .enumerate()
        .map(|(i, v)| {
            (
                format!("level{}", i + 1),
                format!("rubric.{}", i + 1),
                (*v).clone(),
            )
        })
        .collect()
    }
}

#[derive(Template)]
#[template(path = "operator/competency.html")]
struct CompetencyPage {
    chrome: Chrome,
    /// `None` when creating.
    existing: Option<Competency>,
    form: CompetencyFields,
    errors: FieldErrors,
    checkpoint: CheckpointFields,
    checkpoint_errors: FieldErrors,
    /// A checkpoint edit that was refused: its id, the typed values and the messages.
    editing: Option<(i64, CheckpointFields, FieldErrors)>,
}

impl CompetencyPage {
    /// The values to show in a checkpoint's edit form: what was typed if it was refused.
    fn edit_values(&self, c: &stint_domain::catalog::Checkpoint) -> (String, String, String) {
        match &self.editing {
            Some((id, f, _)) if *id == c.id.0 => {
                (f.slug.clone(), f.title.clone(), f.description.clone())
            }
            _ => (c.slug.clone(), c.title.clone(), c.description.clone()),
        }
    }

    fn edit_errors(&self, c: &stint_domain::catalog::Checkpoint) -> Vec<(String, String)> {
        match &self.editing {
            Some((id, _, e)) if *id == c.id.0 => {
                e.0.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
            }
            _ => Vec::new(),
        }
    }
}

pub async fn new_competency(PageUser(me): PageUser, csrf: CsrfToken) -> PageResult {
    let me = operator(me)?;
    Ok(ok(&CompetencyPage {
        chrome: Chrome::new("New competency · Stint", Some(me), &csrf.0),
        existing: None,
        form: CompetencyFields::default(),
        errors: FieldErrors::new(),
        checkpoint: CheckpointFields::default(),
        checkpoint_errors: FieldErrors::new(),
        editing: None,
    }))
}

fn competency_refused(
    me: Account,
    csrf: &str,
    existing: Option<Competency>,
    form: CompetencyFields,
    errors: FieldErrors,
) -> Response {
    let page = CompetencyPage {
        chrome: Chrome::new("Competency · Stint", Some(me), csrf),
        existing,
        form,
        errors,
        checkpoint: CheckpointFields::default(),
        checkpoint_errors: FieldErrors::new(),
        editing: None,
    };
    html(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

/// A refused edit as the messages its form shows again.
fn conflict_or(e: AppError, me: &Account) -> Result<FieldErrors, Response> {
    refusal(e, me).map(|(_, errors)| errors)
}

pub async fn create_competency(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    CsrfForm(form): CsrfForm<CompetencyFields>,
) -> PageResult {
    let me = operator(me)?;
    let errors = match catalog::create_competency(&state, &me, form.input()).await {
        Ok(c) => {
            return Ok(Redirect::to(&format!("/operator/competencies/{}", c.slug)).into_response());
        }
        Err(e) => conflict_or(e, &me)?,
    };
    Ok(competency_refused(me, &csrf.0, None, form, errors))
}

pub async fn edit_competency(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    Path(slug): Path<String>,
) -> PageResult {
    let me = operator(me)?;
    let c = catalog::competency(&state, &slug)
        .await
        .map_err(|e| failure_for(e, Some(me.clone())))?;
    Ok(ok(&CompetencyPage {
        chrome: Chrome::new(format!("{} · Stint", c.name), Some(me), &csrf.0),
        form: CompetencyFields::from(&c),
        existing: Some(c),
        errors: FieldErrors::new(),
        checkpoint: CheckpointFields::default(),
        checkpoint_errors: FieldErrors::new(),
        editing: None,
    }))
}

pub async fn update_competency(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    Path(slug): Path<String>,
    CsrfForm(form): CsrfForm<CompetencyFields>,
) -> PageResult {
    let me = operator(me)?;
    let existing = catalog::competency(&state, &slug)
        .await
        .map_err(|e| failure_for(e, Some(me.clone())))?;
    let errors = match catalog::update_competency(&state, &me, &slug, form.input()).await {
        Ok(c) => {
            return Ok(Redirect::to(&format!("/operator/competencies/{}", c.slug)).into_response());
        }
        Err(e) => conflict_or(e, &me)?,
    };
    Ok(competency_refused(
        me,
        &csrf.0,
        Some(existing),
        form,
        errors,
    ))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CheckpointFields {
    slug: String,
    title: String,
    description: String,
}

pub async fn add_checkpoint(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    Path(slug): Path<String>,
    CsrfForm(form): CsrfForm<CheckpointFields>,
) -> PageResult {
    let me = operator(me)?;
    let c = catalog::competency(&state, &slug)
        .await
        .map_err(|e| failure_for(e, Some(me.clone())))?;
    save_checkpoint(&state, me, &csrf.0, c, form, None).await
}

pub async fn update_checkpoint(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    Path((slug, id)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<CheckpointFields>,
) -> PageResult {
    let me = operator(me)?;
    let c = catalog::competency(&state, &slug)
        .await
        .map_err(|e| failure_for(e, Some(me.clone())))?;
    // Only a checkpoint of this competency: another's id is not found here.
    let found = id
        .parse::<i64>()
        .ok()
        .and_then(|id| c.checkpoints.iter().find(|p| p.id.0 == id));
    let Some(id) = found.map(|p| p.id) else {
        return Ok(not_found_page(Some(me)));
    };
    save_checkpoint(&state, me, &csrf.0, c, form, Some(id)).await
}

/// Adds (`editing` is `None`) or edits a checkpoint of `c`. A refusal re-shows the
/// competency page with the typed values and the messages beside the form that was sent.
async fn save_checkpoint(
    state: &AppState,
    me: Account,
    csrf: &str,
    c: Competency,
    form: CheckpointFields,
    editing: Option<CheckpointId>,
) -> PageResult {
    let input = CheckpointInput {
        slug: form.slug.clone(),
        title: form.title.clone(),
        description: form.description.clone(),
    };
    let saved = match editing {
        Some(id) => catalog::update_checkpoint(state, &me, id, input).await,
        None => catalog::add_checkpoint(state, &me, &c.slug, input).await,
    };
    let errors = match saved {
        Ok(_) => {
            let back = format!("/operator/competencies/{}#checkpoints", c.slug);
            return Ok(Redirect::to(&back).into_response());
        }
        Err(e) => conflict_or(e, &me)?,
    };
    let (checkpoint, checkpoint_errors, editing) = match editing {
        Some(id) => (
            CheckpointFields::default(),
            FieldErrors::new(),
            Some((id.0, form, errors)),
        ),
        None => (form, errors, None),
    };
    let page = CompetencyPage {
        chrome: Chrome::new(format!("{} · Stint", c.name), Some(me), csrf),
        form: CompetencyFields::from(&c),
        existing: Some(c),
        errors: FieldErrors::new(),
        checkpoint,
        checkpoint_errors,
        editing,
    };
    Ok(html(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

// ---- session types (SKUs) --------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SkuFields {
    slug: String,
    title: String,
    duration_minutes: String,
    /// `competency-slug/checkpoint-slug`, chosen from one list.
    target: String,
    outcome: String,
    artifacts: String,
    intake_questions: String,
    /// One per line: `Title | https://link`.
    pre_reads: String,
    followup_template: String,
    assessment_questions: String,
    followup_delay_days: String,
    price_credits: String,
    cancel_cutoff_hours: String,
    reschedule_cutoff_hours: String,
    late_cancel_percent: String,
    bonus_credits: String,
}

impl SkuFields {
    fn from(s: &SkuVersion, competencies: &[Competency]) -> Self {
        let c = &s.content;
        let competency = competencies.iter().find(|x| x.id == c.competency_id);
        let checkpoint = competency.and_then(|x| x.checkpoint(c.checkpoint_id));
        SkuFields {
            slug: s.slug.clone(),
            title: c.title.clone(),
            duration_minutes: c.duration_minutes.to_string(),
            target: match (competency, checkpoint) {
                (Some(a), Some(b)) => format!("{}/{}", a.slug, b.slug),
                _ => String::new(),
            },
            outcome: c.outcome.clone(),
            artifacts: c.artifacts.join("\n"),
            intake_questions: c.intake_questions.join("\n"),
            pre_reads: c
                .pre_reads
                .iter()
                .map(|p| format!("{} | {}", p.title, p.url))
                .collect::<Vec<_>>()
                .join("\n"),
            followup_template: c.followup_template.clone(),
            assessment_questions: c.assessment_questions.join("\n"),
            followup_delay_days: c.followup_delay_days.to_string(),
            price_credits: c.price_credits.to_string(),
            cancel_cutoff_hours: c.cancel_cutoff_hours.to_string(),
            reschedule_cutoff_hours: c.reschedule_cutoff_hours.to_string(),
            late_cancel_percent: c.late_cancel_percent.to_string(),
            bonus_credits: c.bonus_credits.to_string(),
        }
    }

    fn draft(&self, errors: &mut FieldErrors) -> SkuDraft {
        let (competency, checkpoint) = self
            .target
            .split_once('/')
            .unwrap_or((self.target.as_str(), ""));
        let mut pre_reads = Vec::new();
        for (i, line) in lines(&self.pre_reads).iter().enumerate() {
            match line.rsplit_once('|') {
                Some((title, url)) => pre_reads.push(PreRead {
                    title: title.trim().into(),
                    url: url.trim().into(),
                }),
                None => errors.add(
                    &format!("pre_reads.{i}.url"),
                    "write each pre-read as “Title | https://link”",
                ),
            }
        }
        SkuDraft {
            title: self.title.clone(),
            duration_minutes: number(errors, "duration_minutes", &self.duration_minutes),
            competency: competency.to_string(),
            checkpoint: checkpoint.to_string(),
            outcome: self.outcome.clone(),
            artifacts: lines(&self.artifacts),
            intake_questions: lines(&self.intake_questions),
            pre_reads,
            followup_template: self.followup_template.clone(),
            assessment_questions: lines(&self.assessment_questions),
            // Left blank (or posted by a form from before the field existed): the default.
            followup_delay_days: if self.followup_delay_days.trim().is_empty() {
                default_followup_delay_days()
            } else {
                number(errors, "followup_delay_days", &self.followup_delay_days)
            },
            price_credits: number(errors, "price_credits", &self.price_credits),
            cancel_cutoff_hours: number(errors, "cancel_cutoff_hours", &self.cancel_cutoff_hours),
            reschedule_cutoff_hours: number(
                errors,
                "reschedule_cutoff_hours",
                &self.reschedule_cutoff_hours,
            ),
            // Left blank: the defaults (half forfeited, no bonus).
            late_cancel_percent: if self.late_cancel_percent.trim().is_empty() {
                default_late_cancel_percent()
            } else {
                number(errors, "late_cancel_percent", &self.late_cancel_percent)
            },
            bonus_credits: if self.bonus_credits.trim().is_empty() {
                0
            } else {
                number(errors, "bonus_credits", &self.bonus_credits)
            },
        }
    }
}

/// Field errors of list entries (`artifacts.2`, `pre_reads.0.url`) shown on the list's field.
fn fold_list_errors(errors: FieldErrors) -> FieldErrors {
    let mut out = FieldErrors::new();
    for (field, message) in errors.0 {
        let mut parts = field.splitn(3, '.');
        let base = parts.next().unwrap_or_default().to_string();
        match (base.as_str(), parts.next()) {
            ("artifacts" | "intake_questions" | "assessment_questions" | "pre_reads", Some(n)) => {
                let line = n.parse::<usize>().map(|i| i + 1).unwrap_or(0);
                out.add(&base, format!("line {line}: {message}"));
            }
            ("competency" | "checkpoint", _) => out.add("target", message),
            _ => out.add(&field, message),
        }
    }
    out
}

#[derive(Template)]
#[template(path = "operator/sku.html")]
struct SkuFormPage {
    chrome: Chrome,
    saved: bool,
    existing: Option<SkuVersion>,
    form: SkuFields,
    errors: FieldErrors,
    competencies: Vec<Competency>,
    versions: Vec<i64>,
}

impl SkuFormPage {
    fn targets(&self) -> Vec<(String, String, String)> {
        self.competencies
            .iter()
            .flat_map(|c| {
                c.checkpoints.iter().map(move |p| {
                    (
                        c.name.clone(),
                        format!("{}/{}", c.slug, p.slug),
                        p.title.clone(),
                    )
                })
            })
            .collect()
    }

    fn published(&self) -> bool {
        self.existing
            .as_ref()
            .is_some_and(|s| s.status != SkuStatus::Draft || s.current_version > 1)
    }
}

/// Why the SKU form is being shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shown {
    Fresh,
    Saved,
    Refused,
}

async fn sku_form(
    state: &AppState,
    me: Account,
    csrf: &str,
    existing: Option<SkuVersion>,
    form: SkuFields,
    errors: FieldErrors,
    shown: Shown,
) -> PageResult {
    let competencies = catalog::competencies(state).await.or_page()?;
    let versions = match &existing {
        Some(s) => catalog::sku_versions(state, Some(&me), &s.slug)
            .await
            .or_page()?
            .iter()
            .map(|v| v.version)
            .collect(),
        None => Vec::new(),
    };
    let title = existing
        .as_ref()
        .map(|s| s.content.title.clone())
        .unwrap_or_else(|| "New session type".into());
    let page = SkuFormPage {
        saved: shown == Shown::Saved,
        chrome: Chrome::new(format!("{title} · Stint"), Some(me), csrf),
        existing,
        form,
        errors: fold_list_errors(errors),
        competencies,
        versions,
    };
    let status = if shown == Shown::Refused {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok(html(status, &page))
}

pub async fn new_sku(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
) -> PageResult {
    let me = operator(me)?;
    let form = SkuFields {
        duration_minutes: "30".into(),
        price_credits: "1".into(),
        cancel_cutoff_hours: "24".into(),
        reschedule_cutoff_hours: "4".into(),
        late_cancel_percent: default_late_cancel_percent().to_string(),
        bonus_credits: "0".into(),
        followup_delay_days: default_followup_delay_days().to_string(),
        ..Default::default()
    };
    sku_form(
        &state,
        me,
        &csrf.0,
        None,
        form,
        FieldErrors::new(),
        Shown::Fresh,
    )
    .await
}

fn refused_fields(e: AppError, me: &Account) -> Result<FieldErrors, Response> {
    conflict_or(e, me)
}

pub async fn create_sku(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    CsrfForm(form): CsrfForm<SkuFields>,
) -> PageResult {
    let me = operator(me)?;
    let mut parse_errors = FieldErrors::new();
    let draft = form.draft(&mut parse_errors);
    let errors = match catalog_ops::create(&state, &me, &form.slug, &draft, parse_errors).await {
        Ok(sku) => {
            let saved = format!("/operator/skus/{}?saved=1", sku.slug);
            return Ok(Redirect::to(&saved).into_response());
        }
        Err(e) => refused_fields(e, &me)?,
    };
    sku_form(&state, me, &csrf.0, None, form, errors, Shown::Refused).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SavedParam {
    saved: String,
}

pub async fn edit_sku(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    Path(slug): Path<String>,
    Query(q): Query<SavedParam>,
) -> PageResult {
    let me = operator(me)?;
    let sku = catalog::sku(&state, Some(&me), &slug)
        .await
        .map_err(|e| failure_for(e, Some(me.clone())))?;
    let competencies = catalog::competencies(&state).await.or_page()?;
    let form = SkuFields::from(&sku, &competencies);
    sku_form(
        &state,
        me,
        &csrf.0,
        Some(sku),
        form,
        FieldErrors::new(),
        if q.saved.is_empty() {
            Shown::Fresh
        } else {
            Shown::Saved
        },
    )
    .await
}

pub async fn update_sku(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    Path(slug): Path<String>,
    CsrfForm(form): CsrfForm<SkuFields>,
) -> PageResult {
    let me = operator(me)?;
    let existing = catalog::sku(&state, Some(&me), &slug)
        .await
        .map_err(|e| failure_for(e, Some(me.clone())))?;
    let mut parse_errors = FieldErrors::new();
    let draft = form.draft(&mut parse_errors);
    let errors = match catalog_ops::update(&state, &me, &slug, &draft, parse_errors).await {
        Ok(_) => return Ok(Redirect::to(&format!("/operator/skus/{slug}?saved=1")).into_response()),
        Err(e) => refused_fields(e, &me)?,
    };
    let form = SkuFields {
        slug: existing.slug.clone(),
        ..form
    };
    sku_form(
        &state,
        me,
        &csrf.0,
        Some(existing),
        form,
        errors,
        Shown::Refused,
    )
    .await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StatusFields {
    status: String,
}

pub async fn set_status(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(slug): Path<String>,
    CsrfForm(form): CsrfForm<StatusFields>,
) -> PageResult {
    let me = operator(me)?;
    let Some(status) = SkuStatus::parse(&form.status) else {
        return Ok(super::render::error_page(
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(me),
            "Unknown status",
            "Choose active or retired.",
        ));
    };
    catalog::set_sku_status(&state, &me, &slug, status)
        .await
        .map_err(|e| failure_for(e, Some(me.clone())))?;
    Ok(Redirect::to(&format!("/operator/skus/{slug}")).into_response())
}
