//! Forecasts of demand and supply for the next weeks, per competency and time-zone band, in
//! hours a week: demand is the length of the sessions mentees booked (in the week they booked,
//! by their band), supply the hours mentors offered (by theirs). The `insights.forecast` job
//! makes them from up to three years of kept weeks (`stint_forecast` picks the model or the
//! baseline on held-out weeks) and keeps them; reports read what was kept.

use crate::{App, AppError, require};
use jiff::Timestamp;
use std::collections::{BTreeMap, BTreeSet};
use stint_domain::account::Account;
use stint_domain::ids::CompetencyId;
use stint_domain::insights::{ForecastWeek, Series, SeriesForecast, shortfall_weeks};
use stint_domain::mentor::ZoneBand;
use stint_domain::role::Role;
use stint_domain::schedule::hours::{WEEK, week_start, weeks_back};

/// The job kind.
pub const FORECAST: &str = "insights.forecast";
/// Weeks of history a forecast reads: three years, enough to see a yearly season twice.
pub const HISTORY_WEEKS: u32 = 156;

type Key = (CompetencyId, ZoneBand);

/// One series' kept weeks: hours per week start.
type Weekly = BTreeMap<Timestamp, f64>;

#[allow(clippy::cast_precision_loss)] // minutes of one week
fn hours(minutes: i64) -> f64 {
    minutes as f64 / 60.0
}

/// Forecasts every competency and band with kept figures from this week on, and keeps them
/// in place of the last run's; returns how many series were forecast.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn refresh(app: &App) -> Result<usize, AppError> {
    let this_week = week_start(app.now());
    // Full weeks only: this week's bookings are still being made.
    let last_week = this_week.checked_sub(WEEK).unwrap_or(this_week);
    let from = weeks_back(last_week, HISTORY_WEEKS)
        .first()
        .copied()
        .unwrap_or(last_week);
    let mut kept: BTreeMap<(Key, Series), Weekly> = BTreeMap::new();
    for s in app.store.supply_weeks(from, this_week, true).await? {
        if let Some(c) = s.competency {
            *kept
                .entry(((c, s.band), Series::Supply))
                .or_default()
                .entry(s.week_start)
                .or_default() += hours(s.offered_minutes);
        }
    }
    for b in app.store.bookings_made(from, this_week).await? {
        if let Some(band) = ZoneBand::of_zone(&b.timezone, b.week_start) {
            *kept
                .entry(((b.competency, band), Series::Demand))
                .or_default()
                .entry(b.week_start)
                .or_default() += hours(b.minutes);
        }
    }
    let histories = histories(&kept, last_week);
    let forecasts = tokio::task::spawn_blocking(move || {
        histories
            .into_iter()
            .map(|(key, series, history)| forecast_one(key, series, &history, this_week))
            .collect::<Vec<_>>()
    })
    .await
    .map_err(|_| AppError::internal())?;
    app.store.save_forecasts(&forecasts, app.now()).await?;
    Ok(forecasts.len())
}

/// Both series of every competency and band, week by week from the first week either has a
/// figure to `last_week`, with no figure counted as zero (a week nobody booked or offered).
fn histories(
    kept: &BTreeMap<(Key, Series), Weekly>,
    last_week: Timestamp,
) -> Vec<(Key, Series, Vec<f64>)> {
    let keys: BTreeSet<Key> = kept.keys().map(|(k, _)| *k).collect();
    let mut out = Vec::new();
    for key in keys {
        let series_of = |s: Series| kept.get(&(key, s));
        let first = [Series::Demand, Series::Supply]
            .into_iter()
            .filter_map(|s| series_of(s)?.keys().next().copied())
            .min()
            .unwrap_or(last_week);
        let mut weeks = Vec::new();
        let mut w = first;
        while w <= last_week {
            weeks.push(w);
            w = w.checked_add(WEEK).unwrap_or(Timestamp::MAX);
        }
        for s in [Series::Demand, Series::Supply] {
            let values = weeks
                .iter()
                .map(|w| series_of(s).and_then(|m| m.get(w)).copied().unwrap_or(0.0))
                .collect();
            out.push((key, s, values));
        }
    }
    out
}

fn forecast_one(
    (competency, band): Key,
    series: Series,
    history: &[f64],
    first_week: Timestamp,
) -> SeriesForecast {
    let f = stint_forecast::forecast(history, stint_forecast::HORIZON);
    let mut weeks = Vec::with_capacity(f.point.len());
    let mut start = first_week;
    for ((hours, lower), upper) in f.point.iter().zip(&f.lower).zip(&f.upper) {
        weeks.push(ForecastWeek {
            week_start: start,
            hours: *hours,
            lower: *lower,
            upper: *upper,
        });
        start = start.checked_add(WEEK).unwrap_or(start);
    }
    let evaluation = f.evaluation.as_ref();
    SeriesForecast {
        competency,
        band,
        series,
        method: f.method.as_str().to_string(),
        model: evaluation
            .map_or(f.method, |e| e.model)
            .as_str()
            .to_string(),
        model_mase: evaluation.and_then(|e| e.model_mase),
        baseline_mase: evaluation.and_then(|e| e.baseline_mase),
        history_weeks: i64::try_from(history.len()).unwrap_or(i64::MAX),
        weeks,
    }
}

/// Demand against supply for one competency in one band.
#[derive(Debug, Clone)]
pub struct ForecastRow {
    pub competency: CompetencyId,
    pub band: ZoneBand,
    pub demand: SeriesForecast,
    pub supply: SeriesForecast,
    /// The weeks whose forecast demand takes more than its share of forecast supply.
    pub shortfall: Vec<Timestamp>,
}

#[derive(Debug, Clone)]
pub struct ForecastReport {
    pub competencies: Vec<(CompetencyId, String)>,
    /// Shortfalls first, then by competency and band; pairs where neither demand nor supply
    /// is expected are left out.
    pub rows: Vec<ForecastRow>,
}

/// The kept forecasts, demand beside supply (operators only).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn report(app: &App, me: &Account) -> Result<ForecastReport, AppError> {
    require(me, Role::Operator)?;
    let rows = rows(app).await?;
    let competencies = super::competency_names(app).await?;
    Ok(ForecastReport { competencies, rows })
}

/// The kept forecasts paired, shortfalls first (what the report and the alerts read).
pub(crate) async fn rows(app: &App) -> Result<Vec<ForecastRow>, AppError> {
    let mut pairs: BTreeMap<Key, (Option<SeriesForecast>, Option<SeriesForecast>)> =
        BTreeMap::new();
    for f in app.store.forecasts().await? {
        let pair = pairs.entry((f.competency, f.band)).or_default();
        match f.series {
            Series::Demand => pair.0 = Some(f),
            Series::Supply => pair.1 = Some(f),
        }
    }
    let mut rows: Vec<ForecastRow> = pairs
        .into_iter()
        .filter_map(|((competency, band), (demand, supply))| {
            let (demand, supply) = (demand?, supply?);
            // Nothing expected either way: not a row anyone needs to read.
            let expected = |f: &SeriesForecast| f.weeks.iter().any(|w| w.upper >= 0.05);
            if !expected(&demand) && !expected(&supply) {
                return None;
            }
            Some(ForecastRow {
                competency,
                band,
                shortfall: shortfall_weeks(&demand, &supply),
                demand,
                supply,
            })
        })
        .collect();
    rows.sort_by_key(|r| (r.shortfall.is_empty(), r.competency, r.band));
    Ok(rows)
}
