//! The figures read across many bookings: a mentee's progress, a mentor's impact, a SKU's
//! public outcomes, and what is due from someone now.

use super::{NamedProgress, taken};
use crate::App;
use crate::error::AppError;
use stint_domain::account::Account;
use stint_domain::booking::BookingStatus;
use stint_domain::ids::SkuId;
use stint_domain::outcome::assessment::AssessmentKind;
use stint_domain::outcome::metrics::{CompetencyProgress, OutcomeStats, public_stats};
use stint_domain::outcome::prep::PrepStatus;
use stint_domain::outcome::todo::{BookingState, OpenTask, TodoItem, todo};
use stint_store::OutcomeFilter;

#[tracing::instrument(level = "debug", skip_all)]
pub async fn progress(app: &App, mentee: &Account) -> Result<Vec<NamedProgress>, AppError> {
    let outcomes = app
        .store
        .outcomes(OutcomeFilter {
            mentee: Some(mentee.id),
            ..Default::default()
        })
        .await?;
    let mut out = Vec::new();
    for p in CompetencyProgress::of(mentee.id, &outcomes) {
        let c = app.store.competency(p.competency_id).await?;
        out.push(NamedProgress {
            name: c.as_ref().map(|c| c.name.clone()).unwrap_or_default(),
            rubric: c.map(|c| c.rubric).unwrap_or_default(),
            progress: p,
        });
    }
    Ok(out)
}

/// A mentor's impact over every session they closed.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn impact(app: &App, mentor: &Account) -> Result<OutcomeStats, AppError> {
    let outcomes = app
        .store
        .outcomes(OutcomeFilter {
            mentor: Some(mentor.id),
            ..Default::default()
        })
        .await?;
    Ok(OutcomeStats::of(&outcomes))
}

/// A SKU's public outcome figures, or only their sample size below the public minimum.
pub enum PublicOutcomes {
    Hidden { sessions: u64 },
    Shown(OutcomeStats),
}

/// A SKU's public outcome figures; says how many sessions there are when they are hidden.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn sku_public_outcomes(app: &App, sku: SkuId) -> Result<PublicOutcomes, AppError> {
    let outcomes = app
        .store
        .outcomes(OutcomeFilter {
            sku: Some(sku),
            ..Default::default()
        })
        .await?;
    Ok(match public_stats(&outcomes) {
        Some(stats) => PublicOutcomes::Shown(stats),
        None => PublicOutcomes::Hidden {
            sessions: outcomes.len() as u64,
        },
    })
}

/// Like [`sku_public_outcomes`], for pages that show nothing at all below the public
/// sample size: `None` there.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn sku_stats(app: &App, sku: SkuId) -> Result<Option<OutcomeStats>, AppError> {
    Ok(match sku_public_outcomes(app, sku).await? {
        PublicOutcomes::Shown(stats) => Some(stats),
        PublicOutcomes::Hidden { .. } => None,
    })
}

/// What is due from the viewer now, derived from the state of their bookings.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn todo_of(app: &App, viewer: &Account) -> Result<Vec<TodoItem>, AppError> {
    let now = app.now();
    let mut states = Vec::new();
    let tasks = app.store.tasks_of(viewer.id).await?;
    let mut skus = std::collections::HashMap::new();
    for b in app.store.bookings_of(viewer.id).await? {
        if !matches!(
            b.status,
            BookingStatus::Confirmed | BookingStatus::Completed
        ) {
            continue;
        }
        // Many bookings share a SKU version: read each once.
        let sku = match skus.entry((b.sku_id, b.sku_version)) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => {
                match app.store.sku_version_by_id(b.sku_id, b.sku_version).await? {
                    Some(v) => e.insert(v),
                    None => continue,
                }
            }
        };
        let viewer_is_mentor = b.mentor_id == viewer.id;
        // Only the mentee's list uses prep (for sessions still ahead) and assessments (the
        // baseline ahead, the follow-up once closed): read nothing else.
        let upcoming = b.start > now;
        let completed = b.status == BookingStatus::Completed;
        let prep = if !viewer_is_mentor && upcoming {
            app.store.prep(b.id).await?
        } else {
            None
        };
        let assessments = if !viewer_is_mentor && (upcoming || completed) {
            app.store.assessments(b.id).await?
        } else {
            Vec::new()
        };
        let closing = if completed {
            app.store.closing(b.id).await?
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
                taken(&assessments, AssessmentKind::Baseline),
            ),
            closed: closing.is_some(),
            followup_opens_at: closing.as_ref().map(|c| c.followup_opens_at),
            followup_done: taken(&assessments, AssessmentKind::Followup),
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
    Ok(todo(&states, now, &viewer.zone()))
}
