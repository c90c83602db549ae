//! A pilot's report (operators): participation, sessions and their mini-win rate (Wilson
//! interval) in the pilot's session types over its 90 days, and the check-ins: how many
//! answered and, at 30, 60 and 90 days, the mean gain over each member's own baseline with a
//! 95 % interval. No figure about people shows for fewer than five of them. As CSV too.

use super::{PilotView, one, view};
use crate::insights::kept;
use crate::{App, AppError, require};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use stint_domain::account::Account;
use stint_domain::booking::BookingStatus;
use stint_domain::experiment::stats::{MIN_PEOPLE, Summary, mean_interval};
use stint_domain::ids::{CompetencyId, UserId};
use stint_domain::outcome::metrics::{is_mini_win, wilson_interval};
use stint_domain::pilot::{CHECK_IN_DAYS, PILOT_DAYS};
use stint_domain::role::Role;

/// Reports are kept under this and the pilot's id.
pub const KEPT_PREFIX: &str = "pilot:";

/// A share with its interval, or nothing below five.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Rate {
    pub of: usize,
    pub share: f64,
    pub low: f64,
    pub high: f64,
}

/// Mean gain over the baseline at one check-in, in rubric levels.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Gain {
    pub people: usize,
    pub mean: f64,
    pub low: f64,
    pub high: f64,
}

/// One check-in across the cohort.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CheckInFigure {
    pub day: i64,
    /// Members who answered it.
    pub answered: usize,
    /// From 30 days on, against each member's baseline.
    pub gain: Option<Gain>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PilotReport {
    pub pilot: PilotView,
    pub ends: Timestamp,
    pub figures: PilotFigures,
    pub as_of: Timestamp,
}

/// What a pilot's report counts (kept as counted: no one is named in it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PilotFigures {
    pub members: usize,
    /// Members with at least one session in the pilot's session types.
    pub participants: usize,
    pub participation: Option<Rate>,
    pub sessions: usize,
    pub completed: usize,
    pub mini_wins: usize,
    pub mini_win_rate: Option<Rate>,
    pub check_ins: Vec<CheckInFigure>,
}

fn rate(hits: usize, of: usize) -> Option<Rate> {
    if of < MIN_PEOPLE {
        return None;
    }
    let (low, high) = wilson_interval(hits as u64, of as u64)?;
    Some(Rate {
        of,
        share: hits as f64 / of as f64,
        low,
        high,
    })
}

/// The pilot's report (operators), as last counted (at most `kept::FRESH_FOR` ago).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn report(app: &App, me: &Account, id: i64) -> Result<PilotReport, AppError> {
    assemble(app, me, id, false).await
}

/// The pilot's report counted now (operators ask for it).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn report_now(app: &App, me: &Account, id: i64) -> Result<PilotReport, AppError> {
    assemble(app, me, id, true).await
}

async fn assemble(app: &App, me: &Account, id: i64, now: bool) -> Result<PilotReport, AppError> {
    require(me, Role::Operator)?;
    let pilot = view(app, one(app, id).await?).await?;
    let name = format!("{KEPT_PREFIX}{}", pilot.pilot.id);
    let counted = if now {
        kept::recount(app, &name, count(app, &pilot)).await?
    } else {
        kept::kept(app, &name, count(app, &pilot)).await?
    };
    Ok(PilotReport {
        ends: ends(&pilot),
        pilot,
        figures: counted.figures,
        as_of: counted.as_of,
    })
}

/// Counts pilot `id`'s report again for the job; `false` when it is gone.
pub(crate) async fn recount(app: &App, id: i64) -> Result<bool, AppError> {
    let Some(pilot) = app.store.pilot(id).await? else {
        return Ok(false);
    };
    let pilot = view(app, pilot).await?;
    let name = format!("{KEPT_PREFIX}{id}");
    kept::recount(app, &name, count(app, &pilot)).await?;
    Ok(true)
}

fn start(pilot: &PilotView) -> Timestamp {
    pilot
        .pilot
        .start
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .map_or(Timestamp::UNIX_EPOCH, |z| z.timestamp())
}

fn ends(pilot: &PilotView) -> Timestamp {
    let start = start(pilot);
    start
        .checked_add(SignedDuration::from_hours(24 * PILOT_DAYS))
        .unwrap_or(start)
}

async fn count(app: &App, pilot: &PilotView) -> Result<PilotFigures, AppError> {
    let (start, ends) = (start(pilot), ends(pilot));
    let sessions = app
        .store
        .pilot_sessions(pilot.pilot.id, start, ends)
        .await?;
    let members = pilot.pilot.members.len();
    let participants = sessions
        .iter()
        .map(|s| s.mentee)
        .collect::<BTreeSet<_>>()
        .len();
    let completed: Vec<_> = sessions
        .iter()
        .filter(|s| s.status == BookingStatus::Completed)
        .collect();
    let mini_wins = completed
        .iter()
        .filter(|s| {
            let gain = s.baseline.zip(s.followup).map(|(b, f)| f - b);
            s.checkpoint.is_some_and(|c| is_mini_win(c, gain))
        })
        .count();

    // Each member's ratings: day → competency → level.
    let mut ratings: BTreeMap<UserId, BTreeMap<i64, BTreeMap<CompetencyId, i64>>> = BTreeMap::new();
    for c in app.store.check_ins(pilot.pilot.id).await? {
        ratings
            .entry(c.user)
            .or_default()
            .entry(c.day)
            .or_default()
            .insert(c.competency, c.level);
    }
    let check_ins = CHECK_IN_DAYS
        .iter()
        .map(|&day| {
            let answered = ratings.values().filter(|d| d.contains_key(&day)).count();
            let gains: Vec<f64> = ratings
                .values()
                .filter_map(|days| {
                    let (base, then) = (days.get(&0)?, days.get(&day)?);
                    let pairs: Vec<i64> = then
                        .iter()
                        .filter_map(|(c, l)| base.get(c).map(|b| l - b))
                        .collect();
                    (!pairs.is_empty())
                        .then(|| pairs.iter().sum::<i64>() as f64 / pairs.len() as f64)
                })
                .collect();
            let summary = Summary::of(&gains);
            let gain = (day > 0)
                .then(|| mean_interval(&summary))
                .flatten()
                .map(|(low, high)| Gain {
                    people: summary.people,
                    mean: summary.mean,
                    low,
                    high,
                });
            CheckInFigure {
                day,
                answered,
                gain,
            }
        })
        .collect();
    Ok(PilotFigures {
        members,
        participants,
        participation: rate(participants, members),
        sessions: sessions.len(),
        completed: completed.len(),
        mini_wins,
        mini_win_rate: rate(mini_wins, completed.len()),
        check_ins,
    })
}

/// The report as CSV: one figure per row, with its interval and how many it is about.
pub fn csv(r: &PilotReport) -> String {
    let mut out = String::from("figure,day,value,low,high,of\n");
    let mut line =
        |figure: &str, day: &str, value: String, low: String, high: String, of: usize| {
            out.push_str(&format!("{figure},{day},{value},{low},{high},{of}\n"));
        };
    let f = |v: f64| format!("{v:.4}");
    line(
        "members",
        "",
        r.figures.members.to_string(),
        String::new(),
        String::new(),
        r.figures.members,
    );
    line(
        "sessions",
        "",
        r.figures.sessions.to_string(),
        String::new(),
        String::new(),
        r.figures.participants,
    );
    for (name, value) in [
        ("participation", r.figures.participation),
        ("mini_win_rate", r.figures.mini_win_rate),
    ] {
        match value {
            Some(v) => line(name, "", f(v.share), f(v.low), f(v.high), v.of),
            None => line(name, "", String::new(), String::new(), String::new(), 0),
        }
    }
    for c in &r.figures.check_ins {
        let day = c.day.to_string();
        line(
            "check_ins_answered",
            &day,
            c.answered.to_string(),
            String::new(),
            String::new(),
            r.figures.members,
        );
        if c.day > 0 {
            match c.gain {
                Some(g) => line(
                    "gain_over_baseline",
                    &day,
                    f(g.mean),
                    f(g.low),
                    f(g.high),
                    g.people,
                ),
                None => line(
                    "gain_over_baseline",
                    &day,
                    String::new(),
                    String::new(),
                    String::new(),
                    0,
                ),
            }
        }
    }
    out
}
