//! Operations intelligence for operators: supply (active hours) and demand (bookings made
//! and searches that found nothing, or nothing in the searcher's working day) per UTC week,
//! competency and time-zone band. Operators only; the figures are sums, kept as they happen
//! (`hours`, `demand`), so a report reads a few hundred rows whatever the history.

pub mod alerts;
pub mod demand;
pub mod experiments;
pub mod export;
pub mod forecast;
pub mod hours;
pub mod kept;
pub mod risk;
pub mod value;

use crate::{App, AppError, require};
use jiff::Timestamp;
use std::collections::BTreeMap;
use stint_domain::FieldErrors;
use stint_domain::account::Account;
use stint_domain::ids::CompetencyId;
use stint_domain::insights::{DemandWeek, SupplyWeek, utilization};
use stint_domain::mentor::ZoneBand;
use stint_domain::role::Role;
use stint_domain::schedule::hours::{WEEK, week_start, weeks_back};

/// Weeks a report shows unless asked otherwise, and at most.
pub const DEFAULT_WEEKS: u32 = 8;
pub const MAX_WEEKS: u32 = 52;

/// Supply and demand of one competency (or all, `None`) in one band in one week.
#[derive(Debug, Clone, PartialEq)]
pub struct InsightRow {
    pub week_start: Timestamp,
    pub competency: Option<CompetencyId>,
    pub band: ZoneBand,
    pub mentors: i64,
    pub offered_minutes: i64,
    pub booked_minutes: i64,
    pub delivered_minutes: i64,
    pub demand: DemandWeek,
}

impl InsightRow {
    /// Booked over offered; `None` when nothing was offered.
    pub fn utilization(&self) -> Option<f64> {
        utilization(self.booked_minutes, self.offered_minutes)
    }
}

/// A report over `weeks` (oldest first): rows per competency and band, and per band for
/// all competencies together (a mentor teaching two competencies counts once there).
#[derive(Debug, Clone)]
pub struct InsightsReport {
    pub weeks: Vec<Timestamp>,
    pub competencies: Vec<(CompetencyId, String)>,
    pub by_competency: Vec<InsightRow>,
    pub by_band: Vec<InsightRow>,
}

/// Reads `raw` weeks (1 to 52; the default when absent, refused when empty).
pub fn parse_weeks(raw: Option<&str>) -> Result<u32, FieldErrors> {
    crate::paging::whole_number(raw, "weeks", DEFAULT_WEEKS, MAX_WEEKS)
}

type Key = (Timestamp, Option<CompetencyId>, &'static str);

/// The row of one kept supply sum, with no demand yet.
fn supply_row(s: SupplyWeek) -> Option<(Key, InsightRow)> {
    let key = (s.week_start, s.competency, s.band.as_str());
    let mut row = row_of(&key)?;
    row.mentors = s.mentors;
    row.offered_minutes = s.offered_minutes;
    row.booked_minutes = s.booked_minutes;
    row.delivered_minutes = s.delivered_minutes;
    Some((key, row))
}

fn row_of(key: &Key) -> Option<InsightRow> {
    Some(InsightRow {
        week_start: key.0,
        competency: key.1,
        band: ZoneBand::parse(key.2)?,
        mentors: 0,
        offered_minutes: 0,
        booked_minutes: 0,
        delivered_minutes: 0,
        demand: DemandWeek::default(),
    })
}

/// Supply and demand over the last `weeks` weeks, this one included (operators only).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn report(
    app: &App,
    me: &Account,
    weeks: Option<&str>,
) -> Result<InsightsReport, AppError> {
    require(me, Role::Operator)?;
    let n = parse_weeks(weeks).map_err(AppError::validation)?;
    // This node's counts so far are part of the answer.
    demand::flush(app).await;
    let week_list = weeks_back(app.now(), n);
    let this_week = week_start(app.now());
    let from = week_list.first().copied().unwrap_or(this_week);
    let to = this_week.checked_add(WEEK).unwrap_or(this_week);

    let mut by_competency: BTreeMap<Key, InsightRow> = BTreeMap::new();
    let mut by_band: BTreeMap<Key, InsightRow> = BTreeMap::new();
    by_competency.extend(
        app.store
            .supply_weeks(from, to, true)
            .await?
            .into_iter()
            .filter_map(supply_row),
    );
    by_band.extend(
        app.store
            .supply_weeks(from, to, false)
            .await?
            .into_iter()
            .filter_map(supply_row),
    );
    let mut add_demand =
        |week: Timestamp, competency: CompetencyId, band: ZoneBand, f: &dyn Fn(&mut DemandWeek)| {
            for (map, c) in [(&mut by_competency, Some(competency)), (&mut by_band, None)] {
                let key = (week, c, band.as_str());
                let Some(fresh) = row_of(&key) else { continue };
                f(&mut map.entry(key).or_insert(fresh).demand);
            }
        };
    for d in app.store.search_demand(from, to).await? {
        add_demand(d.week_start, d.competency, d.band, &|w: &mut DemandWeek| {
            w.searches += d.searches;
            w.empty += d.empty;
            w.off_hours += d.off_hours;
        });
    }
    for b in app.store.bookings_made(from, to).await? {
        // The mentee's band in the week the booking was made.
        let Some(band) = ZoneBand::of_zone(&b.timezone, b.week_start) else {
            continue;
        };
        add_demand(b.week_start, b.competency, band, &|w: &mut DemandWeek| {
            w.bookings += b.bookings;
        });
    }
    let competencies = competency_names(app).await?;
    Ok(InsightsReport {
        weeks: week_list,
        competencies,
        by_competency: by_competency.into_values().collect(),
        by_band: by_band.into_values().collect(),
    })
}

/// Every competency's id and name, for the reports' labels.
pub(crate) async fn competency_names(app: &App) -> Result<Vec<(CompetencyId, String)>, AppError> {
    Ok(app
        .store
        .competencies()
        .await?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect())
}
