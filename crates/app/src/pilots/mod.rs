//! 90-day pilots. An operator names a cohort (a sponsor's members, a list of e-mail
//! addresses, or both), the session types it covers and a start date; every member gets a
//! check-in at the start, 30, 60 and 90 days (`domain::pilot`), each nudged once, at 09:00 on
//! its day in the member's zone (after their quiet hours), by the `pilots.check_in` jobs queued
//! with the pilot. A check-in rates the member on each of the pilot's competencies against
//! the competency's rubric. `report.rs` turns it all into the pilot's figures.

pub mod report;

use crate::insights::alerts::Letter;
use crate::{App, AppError, require};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use stint_domain::FieldErrors;
use stint_domain::account::Account;
use stint_domain::catalog::Competency;
use stint_domain::ids::{CompetencyId, OrgId, SkuId, UserId};
use stint_domain::nudge::{NudgeKind, defer_past_quiet};
use stint_domain::pilot::{CHECK_IN_DAYS, PilotInput, check_in_due, is_open};
use stint_domain::role::Role;
use stint_store::NewJob;
use stint_store::pilots::{CheckInRecord, NewPilot, PilotRecord};

/// The job that nudges one member to one check-in.
pub const CHECK_IN: &str = "pilots.check_in";

/// A `pilots.check_in` job's payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckInJob {
    pub pilot: i64,
    pub member: i64,
    pub day: i64,
}

/// A pilot with the names a page shows.
#[derive(Debug, Clone, PartialEq)]
pub struct PilotView {
    pub pilot: PilotRecord,
    /// Session types covered: slug and title.
    pub skus: Vec<(String, String)>,
    /// The competencies those session types aim at, each once.
    pub competencies: Vec<Competency>,
}

/// Starts a pilot (operators): the cohort, session types and start date checked whole, every
/// member's check-in nudges queued with it.
#[tracing::instrument(skip_all)]
pub async fn create(app: &App, me: &Account, input: &PilotInput) -> Result<PilotView, AppError> {
    require(me, Role::Operator)?;
    let now = app.now();
    let today = now.to_zoned_datetime(me.zone()).date();
    let draft = input.validate(today).map_err(AppError::validation)?;
    let mut errors = FieldErrors::new();
    let mut members: Vec<Account> = Vec::new();
    if let Some(org) = draft.org {
        let current = app
            .store
            .members(OrgId(org))
            .await?
            .into_iter()
            .filter(|m| m.left_at.is_none());
        let mut any = false;
        for m in current {
            any = true;
            if let Some(a) = app.store.account(m.user).await? {
                members.push(a);
            }
        }
        if !any && app.store.org(OrgId(org)).await?.is_none() {
            errors.add("org", "no such organisation");
        }
    }
    let mut unknown = Vec::new();
    for email in &draft.emails {
        match app.store.account_by_email(email).await? {
            Some(a) => members.push(a),
            None => unknown.push(email.clone()),
        }
    }
    if !unknown.is_empty() {
        errors.add("emails", format!("no account for {}", unknown.join(", ")));
    }
    members.sort_by_key(|a| a.id);
    members.dedup_by_key(|a| a.id);
    if members.is_empty() && errors.is_empty() {
        errors.add("emails", "the cohort has nobody in it yet");
    }
    let mut skus: Vec<SkuId> = Vec::new();
    for slug in &draft.skus {
        match app.store.sku(slug).await? {
            Some(s) => skus.push(s.sku_id),
            None => errors.add("skus", format!("no session type {slug}")),
        }
    }
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }
    let mut jobs = Vec::new();
    for m in &members {
        let prefs = app.store.nudge_prefs(m.id).await?;
        for day in CHECK_IN_DAYS {
            let due = check_in_due(draft.start, day, &m.zone());
            // A check-in already open is nudged now; one already closed is not nudged.
            if !is_open(due, now) && due < now {
                continue;
            }
            jobs.push((
                m.id,
                day,
                defer_past_quiet(due.max(now), &m.zone(), prefs.quiet),
            ));
        }
    }
    let ids: Vec<UserId> = members.iter().map(|m| m.id).collect();
    let make = move |pilot: i64| -> Vec<NewJob> {
        jobs.iter()
            .map(|(member, day, due)| NewJob {
                kind: CHECK_IN.to_string(),
                payload: serde_json::to_string(&CheckInJob {
                    pilot,
                    member: member.0,
                    day: *day,
                })
                .unwrap_or_default(),
                dedupe_key: Some(format!("pilot-check-in:{pilot}:{}:{day}", member.0)),
                due_at: *due,
                max_attempts: 8,
            })
            .collect()
    };
    let id = app
        .store
        .create_pilot(
            &NewPilot {
                name: &draft.name,
                org: draft.org.map(OrgId),
                start: draft.start,
                skus: &skus,
                members: &ids,
                created_by: me.id,
            },
            &make,
            now,
        )
        .await?;
    tracing::info!(pilot = id, members = ids.len(), "pilot started");
    let pilot = one(app, id).await?;
    view(app, pilot).await
}

/// The session types a pilot may cover (the active ones): slug and title (operators).
pub async fn sku_choices(app: &App, me: &Account) -> Result<Vec<(String, String)>, AppError> {
    require(me, Role::Operator)?;
    Ok(app
        .store
        .skus(Some(stint_domain::catalog::SkuStatus::Active))
        .await?
        .into_iter()
        .map(|s| (s.slug, s.content.title))
        .collect())
}

/// Every pilot, the newest first (operators).
pub async fn list(app: &App, me: &Account) -> Result<Vec<PilotView>, AppError> {
    require(me, Role::Operator)?;
    let mut out = Vec::new();
    for p in app.store.pilots().await? {
        out.push(view(app, p).await?);
    }
    Ok(out)
}

async fn one(app: &App, id: i64) -> Result<PilotRecord, AppError> {
    app.store
        .pilot(id)
        .await?
        .ok_or_else(|| AppError::not_found("pilot"))
}

pub(crate) async fn view(app: &App, pilot: PilotRecord) -> Result<PilotView, AppError> {
    let all = app.store.skus(None).await?;
    let covered: Vec<_> = all
        .iter()
        .filter(|s| pilot.skus.contains(&s.sku_id))
        .collect();
    let wanted: Vec<CompetencyId> = covered.iter().map(|s| s.content.competency_id).collect();
    let competencies = app
        .store
        .competencies()
        .await?
        .into_iter()
        .filter(|c| wanted.contains(&c.id))
        .collect();
    Ok(PilotView {
        skus: covered
            .iter()
            .map(|s| (s.slug.clone(), s.content.title.clone()))
            .collect(),
        competencies,
        pilot,
    })
}

/// One check-in as its member sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckIn {
    pub pilot: PilotView,
    pub day: i64,
    pub due: Timestamp,
    pub open: bool,
    /// The member's ratings so far, by competency.
    pub answered: BTreeMap<CompetencyId, i64>,
}

/// A member's check-in `day` of pilot `id`; anyone but a member gets 404.
pub async fn check_in(app: &App, me: &Account, id: i64, day: i64) -> Result<CheckIn, AppError> {
    let pilot = app
        .store
        .pilot(id)
        .await?
        .filter(|p| p.members.contains(&me.id))
        .ok_or_else(|| AppError::not_found("pilot"))?;
    if !CHECK_IN_DAYS.contains(&day) {
        return Err(AppError::not_found("check-in"));
    }
    let ratings = app.store.check_ins(pilot.id).await?;
    let pilot = view(app, pilot).await?;
    Ok(day_of(app, me, &pilot, &ratings, day))
}

/// Check-in `day` of `pilot` for `me`, from the pilot's ratings already read.
fn day_of(
    app: &App,
    me: &Account,
    pilot: &PilotView,
    ratings: &[CheckInRecord],
    day: i64,
) -> CheckIn {
    let due = check_in_due(pilot.pilot.start, day, &me.zone());
    CheckIn {
        pilot: pilot.clone(),
        day,
        due,
        open: is_open(due, app.now()),
        answered: ratings
            .iter()
            .filter(|c| c.user == me.id && c.day == day)
            .map(|c| (c.competency, c.level))
            .collect(),
    }
}

/// A member's pilots with their check-ins, for their dashboard and the API: each pilot and
/// its ratings read once for all its check-ins.
pub async fn mine(app: &App, me: &Account) -> Result<Vec<CheckIn>, AppError> {
    let mut out = Vec::new();
    for p in app.store.pilots_of_member(me.id).await? {
        let ratings = app.store.check_ins(p.id).await?;
        let pilot = view(app, p).await?;
        for day in CHECK_IN_DAYS {
            out.push(day_of(app, me, &pilot, &ratings, day));
        }
    }
    Ok(out)
}

/// Saves a member's ratings (1–5, one per competency of the pilot, keyed by competency id)
/// while the check-in is open.
#[tracing::instrument(skip_all)]
pub async fn answer(
    app: &App,
    me: &Account,
    id: i64,
    day: i64,
    levels: &BTreeMap<i64, String>,
) -> Result<CheckIn, AppError> {
    let current = check_in(app, me, id, day).await?;
    if !current.open {
        let when = crate::outcomes::when_for(me, current.due);
        let message = if app.now() < current.due {
            format!("this check-in opens on {when} your time")
        } else {
            format!("this check-in closed two weeks after {when}")
        };
        return Err(AppError::field(
            crate::ErrorKind::Conflict,
            "not_open",
            "day",
            message,
        ));
    }
    let mut errors = FieldErrors::new();
    let mut rated = Vec::new();
    for c in &current.pilot.competencies {
        let field = format!("level_{}", c.id.0);
        let level = levels
            .get(&c.id.0)
            .and_then(|v| v.trim().parse::<i64>().ok())
            .filter(|l| (1..=5).contains(l));
        match level {
            Some(l) => rated.push((c.id, l)),
            None => errors.add(&field, format!("rate {} from 1 to 5", c.name)),
        }
    }
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }
    app.store
        .save_check_in(id, me.id, day, &rated, app.now())
        .await?;
    check_in(app, me, id, day).await
}

/// What a check-in nudge says, to whom and by which channels now; `None` when the pilot or
/// member is gone, or they already answered.
pub async fn letter(app: &App, job: &CheckInJob) -> Result<Option<Letter>, AppError> {
    let Some(who) = app.store.account(UserId(job.member)).await? else {
        return Ok(None);
    };
    let Ok(c) = check_in(app, &who, job.pilot, job.day).await else {
        return Ok(None);
    };
    if !c.answered.is_empty() {
        return Ok(None);
    }
    let name = c.pilot.pilot.name.clone();
    let (subject, text) = if job.day == 0 {
        (
            format!("{name}: where are you starting from?"),
            "Your pilot starts today. Two minutes: rate yourself on its skills, so in 30, 60 and 90 days you can see how far you came.".to_string(),
        )
    } else {
        (
            format!("{name}: your {}-day check-in", job.day),
            format!(
                "It is {} days since your pilot started. Rate yourself again on its skills (two minutes): the check-in stays open for two weeks.",
                job.day
            ),
        )
    };
    let link = format!("/pilots/{}/check-ins/{}", job.pilot, job.day);
    Ok(Some(
        Letter::to(app, who, NudgeKind::PilotCheckIn, subject, text, link).await?,
    ))
}
