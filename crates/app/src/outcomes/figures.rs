//! The figures read across many bookings: a mentee's progress, a mentor's impact, a SKU's
//! public outcomes, and what is due from someone now.

use super::NamedProgress;
use crate::App;
use crate::error::AppError;
use stint_domain::account::Account;
use stint_domain::booking::BookingStatus;
use stint_domain::ids::SkuId;
use stint_domain::outcome::assessment::AssessmentKind;
use stint_domain::outcome::metrics::{CompetencyProgress, OutcomeStats, public};
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
    let tallies = app
        .store
        .outcome_tallies(OutcomeFilter {
            mentor: Some(mentor.id),
            ..Default::default()
        })
        .await?;
    Ok(OutcomeStats::of_tallies(tallies))
}

/// One month of a mentor's figures (the sessions closed in it, in the mentor's zone).
#[derive(Debug, Clone)]
pub struct MonthFigures {
    /// The month's first day.
    pub month: jiff::civil::Date,
    pub stats: OutcomeStats,
}

/// A mentor's figures month by month, the last `months` months to this one (a month without
/// closed sessions has a sample of 0). Reads only those months' sessions.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn impact_by_month(
    app: &App,
    mentor: &Account,
    months: u32,
) -> Result<Vec<MonthFigures>, AppError> {
    let zone = mentor.zone();
    let this_month = app
        .now()
        .to_zoned_datetime(zone.clone())
        .date()
        .first_of_month();
    let back = i64::from(months.max(1) - 1);
    let first = this_month
        .checked_sub(jiff::Span::new().months(back))
        .map_err(|_| AppError::internal())?;
    let since = first
        .at(0, 0, 0, 0)
        .to_zoned_datetime(zone.clone())
        .map_err(|_| AppError::internal())?
        .timestamp();
    let outcomes = app
        .store
        .outcomes(OutcomeFilter {
            mentor: Some(mentor.id),
            closed_since: Some(since),
            ..Default::default()
        })
        .await?;
    // Each session's month worked out once.
    let mut by_month: std::collections::BTreeMap<jiff::civil::Date, Vec<_>> =
        std::collections::BTreeMap::new();
    for o in outcomes {
        let month = o
            .closed_at
            .to_zoned_datetime(zone.clone())
            .date()
            .first_of_month();
        by_month.entry(month).or_default().push(o);
    }
    let mut out: Vec<MonthFigures> = Vec::new();
    let mut month = first;
    while month <= this_month {
        let in_month = by_month.remove(&month).unwrap_or_default();
        out.push(MonthFigures {
            month,
            stats: OutcomeStats::of(&in_month),
        });
        month = month
            .checked_add(jiff::Span::new().months(1))
            .map_err(|_| AppError::internal())?;
    }
    Ok(out)
}

/// A SKU's public outcome figures, or only their sample size below the public minimum.
pub enum PublicOutcomes {
    Hidden { sessions: u64 },
    Shown(OutcomeStats),
}

/// A SKU's public outcome figures; says how many sessions there are when they are hidden.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn sku_public_outcomes(app: &App, sku: SkuId) -> Result<PublicOutcomes, AppError> {
    // Counted by the database: a few rows, however many sessions.
    let tallies = app
        .store
        .outcome_tallies(OutcomeFilter {
            sku: Some(sku),
            ..Default::default()
        })
        .await?;
    let stats = OutcomeStats::of_tallies(tallies);
    let sessions = stats.sessions;
    Ok(match public(stats) {
        Some(stats) => PublicOutcomes::Shown(stats),
        None => PublicOutcomes::Hidden { sessions },
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

/// What is due from the viewer now, derived from the state of their bookings: three reads
/// (the bookings with their SKU versions, their preps, assessments and closings, and the
/// viewer's tasks), however many bookings there are.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn todo_of(app: &App, viewer: &Account) -> Result<Vec<TodoItem>, AppError> {
    let now = app.now();
    let tasks = app.store.tasks_of(viewer.id).await?;
    let live: Vec<_> = app
        .store
        .booking_contexts_of(viewer.id)
        .await?
        .into_iter()
        .filter(|c| {
            matches!(
                c.booking.status,
                BookingStatus::Confirmed | BookingStatus::Completed
            )
        })
        .collect();
    let ids: Vec<_> = live.iter().map(|c| c.booking.id).collect();
    let mut facts: std::collections::HashMap<_, _> = app
        .store
        .todo_facts(&ids)
        .await?
        .into_iter()
        .map(|f| (f.booking, f))
        .collect();
    let mut states = Vec::with_capacity(live.len());
    for c in &live {
        let b = &c.booking;
        let viewer_is_mentor = b.mentor_id == viewer.id;
        let f = facts.remove(&b.id);
        // Only the mentee's list uses prep (for sessions still ahead) and assessments (the
        // baseline ahead, the follow-up once closed).
        let upcoming = b.start > now;
        let completed = b.status == BookingStatus::Completed;
        let assessed = !viewer_is_mentor && (upcoming || completed);
        let taken =
            |kind: AssessmentKind| assessed && f.as_ref().is_some_and(|f| f.taken.contains(&kind));
        let prep = f
            .as_ref()
            .and_then(|f| f.prep.as_ref())
            .filter(|_| !viewer_is_mentor && upcoming);
        let opens = f.as_ref().and_then(|f| f.followup_opens_at);
        states.push(BookingState {
            booking_id: b.id,
            sku_title: c.sku.content.title.clone(),
            start: b.start,
            end: b.end,
            status: b.status,
            viewer_is_mentor,
            prep: PrepStatus::of(&c.sku.content, prep, taken(AssessmentKind::Baseline)),
            closed: opens.is_some(),
            followup_opens_at: opens,
            followup_done: taken(AssessmentKind::Followup),
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
