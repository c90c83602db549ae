//! The sponsor console: what an organisation's admin sees of its budget and of the people it
//! pays for. Money is the organisation's own and shown whole; every figure about people goes
//! through `stint_domain::sponsor` (groups of at least five, breakdowns checked against their
//! totals), and nobody's notes, answers or scores are ever read here.

use super::administered;
use super::budget::balance;
use crate::App;
use crate::error::AppError;
use jiff::Timestamp;
use std::collections::{BTreeMap, BTreeSet};
use stint_domain::account::Account;
use stint_domain::ids::{CompetencyId, OrgId, UserId};
use stint_domain::ledger::Credits;
use stint_domain::outcome::metrics::{OutcomeStats, SessionOutcome};
use stint_domain::sponsor::{Cell, MIN_GROUP, shown, shown_beside_shared, shown_cells};
use stint_store::OutcomeFilter;
use stint_store::sponsor::OrgRecord;

/// One month's spend (UTC), all session types together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthSpend {
    pub month: String,
    pub credits: Credits,
    pub sessions: i64,
}

/// One session type's spend over all months; its sessions are counted only over enough
/// people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeSpend {
    pub title: String,
    pub credits: Credits,
    pub sessions: Option<i64>,
}

/// Mean skill gain in one competency, if enough people stand behind it.
#[derive(Debug, Clone, PartialEq)]
pub struct CompetencyGain {
    pub competency: String,
    pub mean_gain: Option<f64>,
}

/// The outcomes of the sessions the budget paid for, in aggregate.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Outcomes {
    /// Active members who had a session paid by the budget.
    pub participants: Option<i64>,
    pub non_participants: Option<i64>,
    /// The figures over closed sessions; `None` below five people.
    pub stats: Option<OutcomeStats>,
    pub by_competency: Vec<CompetencyGain>,
}

/// Everything the console shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Console {
    pub org: OrgRecord,
    pub balance: Credits,
    /// The current period, when the rules are set.
    pub period: Option<(Timestamp, Timestamp)>,
    /// Spent in the current period and the share of what was available it is.
    pub spent_this_period: Credits,
    pub utilization: Option<f64>,
    /// Active people, admins included.
    pub members: usize,
    pub admins: usize,
    pub by_month: Vec<MonthSpend>,
    pub by_type: Vec<TypeSpend>,
    pub outcomes: Outcomes,
}

/// The console of `org` (its admins).
#[tracing::instrument(level = "debug", skip_all, fields(org = %org))]
pub async fn console(app: &App, admin: &Account, org: OrgId) -> Result<Console, AppError> {
    let record = administered(app, admin, org).await?;
    let balance = balance(app, org).await?;
    let people = app.store.members(org).await?;
    let active: Vec<_> = people.iter().filter(|m| m.is_active()).collect();
    let admins = active
        .iter()
        .filter(|m| m.role == stint_domain::sponsor::OrgRole::Admin)
        .count();
    let spend = app.store.budget_spend(org).await?;
    let mut by_month: BTreeMap<String, MonthSpend> = BTreeMap::new();
    let mut by_type: BTreeMap<String, (Credits, i64, i64)> = BTreeMap::new();
    for row in &spend {
        let m = by_month.entry(row.month.clone()).or_insert(MonthSpend {
            month: row.month.clone(),
            credits: 0,
            sessions: 0,
        });
        m.credits += row.credits;
        m.sessions += row.sessions;
        // People per type over all months: the largest month's count is a floor, enough to
        // decide whether the type's count may be shown (never more generous than the truth).
        let t = by_type.entry(row.sku_title.clone()).or_default();
        t.0 += row.credits;
        t.1 += row.sessions;
        t.2 = t.2.max(row.people);
    }
    let now = app.now();
    let period = record
        .rules
        .as_ref()
        .map(|r| (r.period.start(now), r.period.end(now)));
    let spent_this_period: Credits = match &period {
        Some((start, _)) => {
            let first = month_label(*start);
            by_month
                .values()
                .filter(|m| m.month >= first)
                .map(|m| m.credits)
                .sum()
        }
        None => 0,
    };
    let available = spent_this_period + balance;
    let utilization =
        (period.is_some() && available > 0).then(|| spent_this_period as f64 / available as f64);
    let types: Vec<(String, Credits, i64, i64)> = by_type
        .into_iter()
        .map(|(title, (c, s, p))| (title, c, s, p))
        .collect();
    let counts = shown_cells(
        types
            .iter()
            .map(|(_, _, sessions, people)| Cell {
                people: u64::try_from(*people).unwrap_or(0),
                value: *sessions,
            })
            .collect(),
        true,
    );
    let by_type = types
        .into_iter()
        .zip(counts)
        .map(|((title, credits, _, _), sessions)| TypeSpend {
            title,
            credits,
            sessions,
        })
        .collect();
    // Participation is counted among members: admins run the budget. A member who chose
    // "nothing" is in no figure.
    let booking_members = active
        .iter()
        .filter(|m| m.role == stint_domain::sponsor::OrgRole::Member)
        .filter(|m| m.sharing.in_sponsor_figures())
        .count();
    let withheld: BTreeSet<UserId> = people
        .iter()
        .filter(|m| !m.sharing.in_sponsor_figures())
        .map(|m| m.user)
        .collect();
    // Members who share their own progress: their rows are shown beside the figures.
    let sharers: BTreeSet<UserId> = active
        .iter()
        .filter(|m| {
            stint_domain::access::may_read(
                stint_domain::access::Relation::SponsorOfMember,
                stint_domain::access::DataClass::Scores,
                &m.sharing,
            )
        })
        .map(|m| m.user)
        .collect();
    let outcomes = outcomes(app, org, booking_members, &sharers, &withheld).await?;
    Ok(Console {
        org: record,
        balance,
        period,
        spent_this_period,
        utilization,
        members: active.len(),
        admins,
        by_month: by_month.into_values().rev().collect(),
        by_type,
        outcomes,
    })
}

/// `YYYY-MM` of a time in UTC, as the store labels months.
fn month_label(at: Timestamp) -> String {
    at.to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .strftime("%Y-%m")
        .to_string()
}

/// The outcome figures of the sessions `org` paid for, each shown only over enough people,
/// and only where the members who share their own progress (`sharers`) cannot be taken away
/// from it to leave fewer than five who do not.
async fn outcomes(
    app: &App,
    org: OrgId,
    members: usize,
    sharers: &BTreeSet<UserId>,
    withheld: &BTreeSet<UserId>,
) -> Result<Outcomes, AppError> {
    let participants = app.store.participants(org).await?;
    let members = i64::try_from(members).unwrap_or(i64::MAX);
    let non = (members - participants).max(0);
    let shown_counts = shown_cells(
        vec![
            Cell {
                people: u64::try_from(participants).unwrap_or(0),
                value: participants,
            },
            Cell {
                people: u64::try_from(non).unwrap_or(0),
                value: non,
            },
        ],
        true,
    );
    let mut sessions = app
        .store
        .outcomes(OutcomeFilter {
            sponsor: Some(org),
            ..OutcomeFilter::default()
        })
        .await?;
    sessions.retain(|o| !withheld.contains(&o.mentee_id));
    let people = |list: &[&SessionOutcome]| -> u64 {
        let who: BTreeSet<UserId> = list.iter().map(|o| o.mentee_id).collect();
        who.len() as u64
    };
    let private = |list: &[&SessionOutcome]| -> u64 {
        let who: BTreeSet<UserId> = list
            .iter()
            .map(|o| o.mentee_id)
            .filter(|m| !sharers.contains(m))
            .collect();
        who.len() as u64
    };
    let all: Vec<&SessionOutcome> = sessions.iter().collect();
    let stats = shown(people(&all), ())
        .and(shown_beside_shared(people(&all), private(&all), ()))
        .map(|()| OutcomeStats::of(&sessions));
    let mut per: BTreeMap<CompetencyId, Vec<&SessionOutcome>> = BTreeMap::new();
    for o in &sessions {
        per.entry(o.competency_id).or_default().push(o);
    }
    let names: BTreeMap<CompetencyId, String> = app
        .store
        .competencies()
        .await?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect();
    // A cell counts the people who keep their figures private: the sharers' own rows are
    // shown anyway, so a cell of sharers alone reveals nobody else.
    let groups: Vec<(CompetencyId, u64, Option<f64>)> = per
        .iter()
        .map(|(c, list)| {
            let owned: Vec<SessionOutcome> = list.iter().map(|o| (*o).clone()).collect();
            (*c, private(list), OutcomeStats::of(&owned).mean_gain)
        })
        .collect();
    let gains = shown_cells(
        groups
            .iter()
            .map(|(_, people, gain)| Cell {
                people: *people,
                value: *gain,
            })
            .collect(),
        stats.is_some(),
    );
    let by_competency = groups
        .iter()
        .zip(gains)
        .map(|((c, _, _), gain)| CompetencyGain {
            competency: names.get(c).cloned().unwrap_or_default(),
            mean_gain: gain.flatten(),
        })
        .collect();
    Ok(Outcomes {
        participants: shown_counts[0],
        non_participants: shown_counts[1],
        stats,
        by_competency,
    })
}

/// Fewer people than this behind a figure hide it (for the pages' explanations).
pub const HIDDEN_BELOW: u64 = MIN_GROUP;

/// A month's statement as CSV (its admins): every session the budget paid for that started
/// in `month` (`YYYY-MM`, UTC), with what was held, what came back and what it cost. It
/// names sessions, never the people who took them. The file's name and its text.
pub async fn statement_csv(
    app: &App,
    admin: &Account,
    org: OrgId,
    month: &str,
) -> Result<(String, String), AppError> {
    let record = administered(app, admin, org).await?;
    let first = month
        .trim()
        .split_once('-')
        .and_then(|(y, m)| jiff::civil::Date::new(y.parse().ok()?, m.parse().ok()?, 1).ok())
        .ok_or_else(|| {
            AppError::validation(stint_domain::FieldErrors::single(
                "month",
                "must be a month like 2026-11",
            ))
        })?;
    let (name, csv, _) = statement_of(app, &record, first).await?;
    Ok((name, csv))
}

/// The statement of the month beginning `first` (UTC): its file name, its CSV and its lines.
pub(crate) async fn statement_of(
    app: &App,
    record: &stint_store::sponsor::OrgRecord,
    first: jiff::civil::Date,
) -> Result<(String, String, Vec<stint_store::sponsor::StatementLine>), AppError> {
    let org = record.id;
    let from = stint_domain::sponsor::Period::Month.start(
        first
            .to_zoned_datetime(jiff::tz::TimeZone::UTC)
            .map(|z| z.timestamp())
            .unwrap_or(Timestamp::UNIX_EPOCH),
    );
    let to = stint_domain::sponsor::Period::Month.end(from);
    let lines = app.store.budget_statement(org, from, to).await?;
    let mut out = csv::Writer::from_writer(Vec::new());
    let mut write = |fields: &[String]| {
        out.write_record(fields).map_err(|e| {
            tracing::error!(error = %e, "writing a statement");
            AppError::internal()
        })
    };
    write(
        &[
            "booking",
            "session_start_utc",
            "session_type",
            "state",
            "credits_held",
            "credits_returned",
            "credits_spent",
        ]
        .map(String::from),
    )?;
    for l in &lines {
        write(&[
            l.booking.0.to_string(),
            l.start.to_string(),
            l.sku_title.clone(),
            l.state.clone(),
            l.held.to_string(),
            l.returned.to_string(),
            (l.held - l.returned).to_string(),
        ])?;
    }
    let body = out.into_inner().map_err(|_| AppError::internal())?;
    let name = format!(
        "stint-{}-{}.csv",
        record
            .name
            .to_lowercase()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect::<String>(),
        from.strftime("%Y-%m")
    );
    Ok((name, String::from_utf8_lossy(&body).into_owned(), lines))
}
