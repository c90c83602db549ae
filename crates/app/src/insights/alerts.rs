//! Shortfall alerts. After each forecast, every competency and band whose forecast demand
//! outruns its hours (`domain::insights::shortfall_weeks`) is a shortfall: opened once while
//! it lasts, with an alert to every operator; and each mentor of that competency in that band
//! with room under their caps is asked to open more hours, at most once a fortnight. Both go
//! out by the recipient's chosen channels, after their quiet hours (`insights.alert` jobs,
//! queued with their record in one transaction; `letter` words them when they go).

use super::forecast::{ForecastRow, rows};
use crate::{App, AppError};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use stint_domain::ids::{CompetencyId, UserId};
use stint_domain::insights::{ASK_FOR_HOURS_EVERY, has_room_under_caps};
use stint_domain::mentor::ZoneBand;
use stint_domain::nudge::{Channel, NudgeKind, defer_past_quiet};
use stint_domain::schedule::hours::{WEEK, week_start};
use stint_store::{NewInboxItem, NewJob};

/// The job that delivers one alert.
pub const ALERT: &str = "insights.alert";

/// An `insights.alert` job's payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertJob {
    pub recipient: i64,
    /// `shortfall` (to an operator) or `more_hours` (to a mentor).
    pub kind: String,
    pub competency: i64,
    pub band: String,
    /// The first short week (seconds).
    pub first_week: i64,
}

/// What one run opened, closed and asked.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Raised {
    pub opened: usize,
    pub closed: usize,
    pub asked: usize,
}

/// Opens and closes shortfalls from the kept forecasts and queues their alerts.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn raise(app: &App) -> Result<Raised, AppError> {
    let now = app.now();
    let short: Vec<ForecastRow> = rows(app)
        .await?
        .into_iter()
        .filter(|r| !r.shortfall.is_empty())
        .collect();
    let mut raised = Raised::default();
    let open = app.store.open_shortfalls().await?;
    for o in &open {
        if !short
            .iter()
            .any(|r| r.competency == o.competency && r.band == o.band)
        {
            app.store.close_shortfall(o.id, now).await?;
            raised.closed += 1;
        }
    }
    if short.is_empty() {
        return Ok(raised);
    }
    let operators = app.store.operator_ids().await?;
    let mentors = Roomy::read(app, now).await?;
    for r in &short {
        let first_week = r.shortfall.first().copied().unwrap_or(now);
        let is_open = open
            .iter()
            .any(|o| o.competency == r.competency && o.band == r.band);
        if !is_open {
            let mut jobs = Vec::with_capacity(operators.len());
            for op in &operators {
                jobs.push(alert_job(app, *op, None, NudgeKind::Shortfall, r, first_week).await?);
            }
            if app
                .store
                .open_shortfall(r.competency, r.band, first_week, &jobs, now)
                .await?
            {
                raised.opened += 1;
            }
        }
        let since = now.checked_sub(ASK_FOR_HOURS_EVERY).unwrap_or(now);
        for (mentor, zone) in mentors.of(r.competency, r.band) {
            let job =
                alert_job(app, mentor, Some(zone), NudgeKind::MoreHours, r, first_week).await?;
            if app
                .store
                .ask_for_hours(mentor, r.competency, since, &job, now)
                .await?
            {
                raised.asked += 1;
            }
        }
    }
    Ok(raised)
}

/// The job of one alert, due now or when the recipient's quiet hours end.
async fn alert_job(
    app: &App,
    recipient: UserId,
    zone: Option<TimeZone>,
    kind: NudgeKind,
    r: &ForecastRow,
    first_week: Timestamp,
) -> Result<NewJob, AppError> {
    let zone = match zone {
        Some(z) => z,
        None => app
            .store
            .account(recipient)
            .await?
            .map_or(TimeZone::UTC, |a| a.zone()),
    };
    let prefs = app.store.nudge_prefs(recipient).await?;
    let payload = AlertJob {
        recipient: recipient.0,
        kind: kind.as_str().to_string(),
        competency: r.competency.0,
        band: r.band.as_str().to_string(),
        first_week: first_week.as_second(),
    };
    Ok(NewJob {
        kind: ALERT.to_string(),
        payload: serde_json::to_string(&payload).map_err(|_| AppError::internal())?,
        dedupe_key: None,
        due_at: defer_past_quiet(app.now(), &zone, prefs.quiet),
        max_attempts: 8,
    })
}

/// The bookable mentors with room under their caps this week, by competency and band.
struct Roomy(HashMap<(CompetencyId, ZoneBand), Vec<(UserId, TimeZone)>>);

impl Roomy {
    async fn read(app: &App, now: Timestamp) -> Result<Roomy, AppError> {
        let this_week = week_start(now);
        let inputs = app
            .store
            .mentor_week_inputs(this_week, this_week.checked_add(WEEK).unwrap_or(this_week))
            .await?;
        let ids: Vec<UserId> = inputs.iter().map(|i| i.mentor).collect();
        let rules: HashMap<UserId, _> =
            app.store.availability_of(&ids).await?.into_iter().collect();
        let offered: HashMap<UserId, i64> = app
            .store
            .kept_week(this_week)
            .await?
            .into_iter()
            .map(|w| (w.mentor, w.offered_minutes))
            .collect();
        let mut roomy: HashMap<UserId, (ZoneBand, TimeZone)> = HashMap::new();
        for i in &inputs {
            let caps = rules.get(&i.mentor).map(|r| r.caps).unwrap_or_default();
            let offered = offered.get(&i.mentor).copied().unwrap_or(0);
            let (Ok(zone), Some(band)) = (
                TimeZone::get(&i.timezone),
                ZoneBand::of_zone(&i.timezone, now),
            ) else {
                continue;
            };
            if has_room_under_caps(&caps, offered, i.session_minutes) {
                roomy.insert(i.mentor, (band, zone));
            }
        }
        let mut by: HashMap<(CompetencyId, ZoneBand), Vec<(UserId, TimeZone)>> = HashMap::new();
        // Pairs come once each (`mentor_competencies` reads them distinct).
        for (mentor, competency) in app.store.mentor_competencies().await? {
            if let Some((band, zone)) = roomy.get(&mentor) {
                by.entry((competency, *band))
                    .or_default()
                    .push((mentor, zone.clone()));
            }
        }
        Ok(Roomy(by))
    }

    fn of(&self, competency: CompetencyId, band: ZoneBand) -> Vec<(UserId, TimeZone)> {
        self.0.get(&(competency, band)).cloned().unwrap_or_default()
    }
}

/// An alert as it goes out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Letter {
    pub user: UserId,
    pub name: String,
    pub email: String,
    pub kind: NudgeKind,
    pub in_app: bool,
    pub by_email: bool,
    pub subject: String,
    pub text: String,
    /// A path inside Stint.
    pub link: String,
}

/// What an alert says, to whom and by which channels now; `None` when its recipient or
/// competency is gone, or it is not a known alert.
pub async fn letter(app: &App, job: &AlertJob) -> Result<Option<Letter>, AppError> {
    let (Some(kind), Some(band)) = (NudgeKind::parse(&job.kind), ZoneBand::parse(&job.band)) else {
        return Ok(None);
    };
    let Some(who) = app.store.account(UserId(job.recipient)).await? else {
        return Ok(None);
    };
    let Some(competency) = app
        .store
        .competencies()
        .await?
        .into_iter()
        .find(|c| c.id.0 == job.competency)
    else {
        return Ok(None);
    };
    let week = Timestamp::from_second(job.first_week)
        .map(|t| {
            t.to_zoned_datetime(TimeZone::UTC)
                .strftime("%-d %B")
                .to_string()
        })
        .unwrap_or_default();
    let (name, band) = (competency.name, band.label());
    let (subject, text, link) = match kind {
        NudgeKind::Shortfall => (
            format!("Hours running short: {name} in {band}"),
            format!(
                "From the week of {week}, mentees in {band} are forecast to book more than 85% of the {name} hours mentors there will offer. Mentors with room under their caps have been asked to open more hours."
            ),
            "/operator/insights#forecast-title".to_string(),
        ),
        NudgeKind::MoreHours => (
            format!("Mentees in {band} need more {name} hours"),
            format!(
                "From the week of {week}, bookings for {name} in {band} are forecast to outrun the hours on offer. You have room under your caps: a few more hours in your availability would let mentees find a time."
            ),
            "/mentor/availability".to_string(),
        ),
        _ => return Ok(None),
    };
    Ok(Some(Letter::to(app, who, kind, subject, text, link).await?))
}

impl Letter {
    /// A letter of `kind` to `who`, by the channels they chose for that kind now.
    pub async fn to(
        app: &App,
        who: stint_domain::account::Account,
        kind: NudgeKind,
        subject: String,
        text: String,
        link: String,
    ) -> Result<Letter, AppError> {
        let prefs = app.store.nudge_prefs(who.id).await?;
        Ok(Letter {
            user: who.id,
            name: who.display_name,
            email: who.email,
            kind,
            in_app: prefs.wants(kind, Channel::InApp),
            by_email: prefs.wants(kind, Channel::Email),
            subject,
            text,
            link,
        })
    }
}

/// Puts an alert in its recipient's inbox.
pub async fn post(app: &App, l: Letter) -> Result<(), AppError> {
    let item = NewInboxItem {
        user: l.user,
        booking: None,
        kind: l.kind,
        title: l.subject,
        body: l.text,
        link: l.link,
    };
    app.store.post_alert(&item, app.now()).await?;
    Ok(())
}
