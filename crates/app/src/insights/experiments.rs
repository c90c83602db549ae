//! Experiments on factors Stint controls (operators start, end and read them). A person is
//! assigned by `stint_domain::experiment::assign` and exposed the first time the factor
//! applies to them (`followup_delay`: when a session of theirs is closed); the report
//! compares each variant with the control per metric, people as the unit, with a 95 %
//! interval, and shows no figure for a variant of fewer than five people. Counting reads
//! every exposed person's sessions, so the results are kept (`kept`).

use super::kept;
use crate::{App, AppError, require};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use stint_domain::account::Account;
use stint_domain::experiment::stats::{Lift, MIN_PEOPLE, Summary, lift};
use stint_domain::experiment::{ExperimentInput, Factor, assign};
use stint_domain::ids::UserId;
use stint_domain::role::Role;
use stint_store::experiments::{ExperimentRecord, ExposedPerson, Windows};

/// Results are kept under this and the experiment's id.
pub const KEPT_PREFIX: &str = "experiment:";

/// A follow-up counts as answered when answered within this long of opening; only
/// follow-ups opened at least this long ago count, so a longer delay is not penalised for
/// having had less time.
pub const ANSWER_WITHIN: SignedDuration = SignedDuration::from_hours(14 * 24);
/// A booking made within this long of a person's exposure counts as a rebooking; only
/// people exposed at least this long ago count.
pub const REBOOK_WITHIN: SignedDuration = SignedDuration::from_hours(30 * 24);

/// A metric the results show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Metric {
    /// Share of a person's follow-ups answered within [`ANSWER_WITHIN`] of opening.
    FollowUpAnswered,
    /// Whether a person booked again within [`REBOOK_WITHIN`] of their exposure.
    Rebooked,
}

impl Metric {
    pub const ALL: [Metric; 2] = [Metric::FollowUpAnswered, Metric::Rebooked];

    pub fn as_str(self) -> &'static str {
        match self {
            Metric::FollowUpAnswered => "followup_answered",
            Metric::Rebooked => "rebooked_30d",
        }
    }

    /// Its name on the definitions page.
    pub fn term(self) -> &'static str {
        match self {
            Metric::FollowUpAnswered => "follow-ups answered",
            Metric::Rebooked => "booked again",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Metric::FollowUpAnswered => "Follow-ups answered within 14 days",
            Metric::Rebooked => "Booked again within 30 days",
        }
    }

    /// A person's value, or `None` when they do not count (yet).
    fn value(self, p: &ExposedPerson, now: Timestamp) -> Option<f64> {
        match self {
            Metric::FollowUpAnswered => {
                (p.followups_due > 0).then(|| p.followups_answered as f64 / p.followups_due as f64)
            }
            Metric::Rebooked => {
                let counted = p.exposed_at.checked_add(REBOOK_WITHIN).ok()? <= now;
                counted.then(|| f64::from(u8::from(p.rebooked > 0)))
            }
        }
    }
}

/// One variant on one metric: how many people count, and their mean when at least five do.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct VariantFigure {
    pub people: usize,
    pub mean: Option<f64>,
    /// Against the control (`None` for the control, or while either has too few people).
    pub lift: Option<Lift>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricResult {
    pub metric: Metric,
    /// One per variant, the control first.
    pub figures: Vec<VariantFigure>,
}

/// An experiment's results as of `as_of`.
#[derive(Debug, Clone, PartialEq)]
pub struct ExperimentReport {
    pub experiment: ExperimentRecord,
    /// People exposed per variant, the control first.
    pub exposed: Vec<usize>,
    pub metrics: Vec<MetricResult>,
    pub as_of: Timestamp,
}

/// Starts an experiment (operators); a second one on a running factor is a conflict.
#[tracing::instrument(skip_all)]
pub async fn start(
    app: &App,
    me: &Account,
    input: &ExperimentInput,
) -> Result<ExperimentRecord, AppError> {
    require(me, Role::Operator)?;
    let draft = input.validate().map_err(AppError::validation)?;
    let id = app
        .store
        .start_experiment(&draft, me.id, app.now())
        .await?
        .ok_or_else(|| {
            AppError::conflict(
                "factor",
                format!(
                    "an experiment on {} is running; end it before starting another",
                    draft.factor.label().to_lowercase()
                ),
            )
        })?;
    tracing::info!(
        experiment = id,
        factor = draft.factor.as_str(),
        "experiment started"
    );
    one(app, id).await
}

/// Ends a running experiment (operators): nobody new is exposed; results stay.
#[tracing::instrument(skip_all)]
pub async fn end(app: &App, me: &Account, id: i64) -> Result<ExperimentRecord, AppError> {
    require(me, Role::Operator)?;
    let found = one(app, id).await?;
    if !app.store.end_experiment(found.id, app.now()).await? {
        return Err(AppError::conflict(
            "id",
            "this experiment has ended already",
        ));
    }
    // Its results now count up to the end, not up to now.
    kept::forget(app, &format!("{KEPT_PREFIX}{}", found.id)).await?;
    one(app, id).await
}

/// Every experiment, the newest first (operators).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn list(app: &App, me: &Account) -> Result<Vec<ExperimentRecord>, AppError> {
    require(me, Role::Operator)?;
    Ok(app.store.experiments().await?)
}

async fn one(app: &App, id: i64) -> Result<ExperimentRecord, AppError> {
    app.store
        .experiment(id)
        .await?
        .ok_or_else(|| AppError::not_found("experiment"))
}

/// An experiment's results (operators), as last counted (at most `kept::FRESH_FOR` ago).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn report(app: &App, me: &Account, id: i64) -> Result<ExperimentReport, AppError> {
    assemble(app, me, id, false).await
}

/// An experiment's results counted now (operators ask for it).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn report_now(app: &App, me: &Account, id: i64) -> Result<ExperimentReport, AppError> {
    assemble(app, me, id, true).await
}

async fn assemble(
    app: &App,
    me: &Account,
    id: i64,
    now: bool,
) -> Result<ExperimentReport, AppError> {
    require(me, Role::Operator)?;
    let experiment = one(app, id).await?;
    let name = format!("{KEPT_PREFIX}{}", experiment.id);
    let counted = if now {
        kept::recount(app, &name, count(app, &experiment)).await?
    } else {
        kept::kept(app, &name, count(app, &experiment)).await?
    };
    let (exposed, metrics) = counted.figures;
    Ok(ExperimentReport {
        experiment,
        exposed,
        metrics,
        as_of: counted.as_of,
    })
}

/// Counts experiment `id`'s results again for the job; `false` when it is gone.
pub(crate) async fn recount(app: &App, id: i64) -> Result<bool, AppError> {
    let Some(experiment) = app.store.experiment(id).await? else {
        return Ok(false);
    };
    let name = format!("{KEPT_PREFIX}{id}");
    kept::recount(app, &name, count(app, &experiment)).await?;
    Ok(true)
}

/// People exposed per variant, and each metric's figures.
type Counted = (Vec<usize>, Vec<MetricResult>);

async fn count(app: &App, experiment: &ExperimentRecord) -> Result<Counted, AppError> {
    let now = app.now();
    let windows = Windows {
        until: experiment.ended_at.unwrap_or(now),
        followup_opened_by: now.checked_sub(ANSWER_WITHIN).unwrap_or(now),
        answer_within_secs: ANSWER_WITHIN.as_secs(),
        rebook_within_secs: REBOOK_WITHIN.as_secs(),
    };
    let people = app.store.exposed_people(experiment.id, windows).await?;
    let arms = experiment.variants.len();
    let mut exposed = vec![0; arms];
    for p in &people {
        if let Some(n) = exposed.get_mut(p.variant) {
            *n += 1;
        }
    }
    let metrics = Metric::ALL
        .into_iter()
        .map(|metric| {
            let mut values = vec![Vec::new(); arms];
            for p in &people {
                if let (Some(v), Some(list)) = (metric.value(p, now), values.get_mut(p.variant)) {
                    list.push(v);
                }
            }
            let summaries: Vec<Summary> = values.iter().map(|v| Summary::of(v)).collect();
            let figures = summaries
                .iter()
                .enumerate()
                .map(|(i, s)| VariantFigure {
                    people: s.people,
                    mean: (s.people >= MIN_PEOPLE).then_some(s.mean),
                    lift: (i > 0)
                        .then(|| lift(&summaries[0], s))
                        .flatten()
                        .map(within_shares),
                })
                .collect();
            MetricResult { metric, figures }
        })
        .collect();
    Ok((exposed, metrics))
}

/// Every metric is a share, so no difference lies outside ±1 (100 points): a small sample's
/// interval is cut there.
fn within_shares(l: Lift) -> Lift {
    Lift {
        low: l.low.max(-1.0),
        high: l.high.min(1.0),
        ..l
    }
}

/// The follow-up delay for a session of `mentee` closed now: the running follow-up-delay
/// experiment's variant for them (recording their exposure the first time), else the
/// SKU's own `sku_days`.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn followup_delay(app: &App, mentee: UserId, sku_days: i64) -> Result<i64, AppError> {
    let Some(running) = app.store.running_experiment(Factor::FollowUpDelay).await? else {
        return Ok(sku_days);
    };
    let assigned = assign(running.id, mentee, running.variants.len());
    let kept = app
        .store
        .expose(running.id, mentee, assigned, app.now())
        .await?;
    Ok(running.variants.get(kept).map_or(sku_days, |v| v.value))
}
