//! Load and burnout signals, written once for the API and the pages: a mentor's last eight
//! weeks against their own caps with suggestions (`stint_domain::load`), and the operators'
//! list of listed mentors at risk, with why.

use crate::App;
use crate::access::require;
use crate::error::AppError;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use std::collections::HashMap;
use stint_domain::account::{Account, zone_or_utc};
use stint_domain::ids::UserId;
use stint_domain::load::{self, LoadReport, SessionFacts};
use stint_domain::role::Role;
use stint_domain::schedule::Availability;

/// A listed mentor whose load needs an operator's look.
#[derive(Debug, Clone)]
pub struct AtRisk {
    pub mentor: UserId,
    pub name: String,
    pub report: LoadReport,
}

/// The window every report of `now` fits in, whatever the mentor's zone: nine weeks back
/// (eight weeks and a day of zone offsets), to a day after `now`.
fn window(now: Timestamp) -> (Timestamp, Timestamp) {
    let from = now
        .checked_sub(SignedDuration::from_hours(
            24 * (7 * load::WEEKS as i64 + 8),
        ))
        .unwrap_or(now);
    let to = now
        .checked_add(SignedDuration::from_hours(24 * 8))
        .unwrap_or(now);
    (from, to)
}

fn report_of(
    sessions: &[SessionFacts],
    rules: Option<&Availability>,
    fallback: &str,
    now: Timestamp,
) -> LoadReport {
    let zone: TimeZone = zone_or_utc(rules.map_or(fallback, |r| r.timezone.as_str()));
    let caps = rules.map(|r| r.caps).unwrap_or_default();
    let buffer = rules.map_or(0, |r| r.buffer_after_minutes);
    load::report(sessions, &zone, &caps, buffer, now)
}

/// `me`'s load over the last eight weeks, with suggestions (mentors).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn mine(app: &App, me: &Account) -> Result<LoadReport, AppError> {
    require(me, Role::Mentor)?;
    let now = app.now();
    let (from, to) = window(now);
    let rules = app
        .store
        .availability_of(&[me.id])
        .await?
        .pop()
        .map(|(_, r)| r);
    let sessions: Vec<SessionFacts> = app
        .store
        .load_sessions(&[me.id], from, to)
        .await?
        .into_iter()
        .map(|(_, s)| s)
        .collect();
    Ok(report_of(&sessions, rules.as_ref(), &me.timezone, now))
}

/// Listed mentors at risk of burning out, the most signals first (operators).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn at_risk(app: &App, operator: &Account) -> Result<Vec<AtRisk>, AppError> {
    require(operator, Role::Operator)?;
    let now = app.now();
    let (from, to) = window(now);
    let mentors: Vec<UserId> = app
        .store
        .listed_mentors()
        .await?
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    let rules: HashMap<UserId, Availability> = app
        .store
        .availability_of(&mentors)
        .await?
        .into_iter()
        .collect();
    let mut by: HashMap<UserId, Vec<SessionFacts>> = HashMap::new();
    for (mentor, s) in app.store.load_sessions(&mentors, from, to).await? {
        by.entry(mentor).or_default().push(s);
    }
    let mut out = Vec::new();
    for (mentor, sessions) in by {
        let report = report_of(&sessions, rules.get(&mentor), "UTC", now);
        if !report.at_risk() {
            continue;
        }
        let name = app
            .store
            .account(mentor)
            .await?
            .map_or_else(|| format!("Mentor {}", mentor.0), |a| a.display_name);
        out.push(AtRisk {
            mentor,
            name,
            report,
        });
    }
    out.sort_by(|a, b| {
        b.report
            .risks
            .len()
            .cmp(&a.report.risks.len())
            .then_with(|| a.name.cmp(&b.name))
    });
    Ok(out)
}
