//! The operators' supply and demand page at `/operator/insights`: active hours (offered,
//! booked, delivered, utilization) and demand (bookings made, searches that found nothing or
//! nothing in the searcher's working day) week by week, per band and per competency, over
//! `stint_app::insights::report`; and the next weeks' forecasts of both, with shortfalls
//! first (`stint_app::insights::forecast::report`).

use super::charts::{FanWeek, WeekBars, fan, weekly_bars};
use super::render::{Chrome, PageResult, failure_for, html, refusal};
use crate::auth::PageUser;
use crate::auth::csrf::CsrfToken;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::Deserialize;
use stint_app::insights::forecast::{self, ForecastReport, ForecastRow};
use stint_app::insights::{self, InsightRow, InsightsReport};
use stint_domain::insights::SeriesForecast;
use stint_domain::insights::utilization;

/// The choices of the weeks field.
const WEEK_CHOICES: [u32; 5] = [4, 8, 13, 26, 52];

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct InsightParams {
    weeks: String,
}

/// A row as the page shows it: hours with one decimal, utilization as a percentage.
struct Line {
    /// What the row is about: its competency, or its week.
    label: String,
    band: &'static str,
    mentors: i64,
    offered: String,
    booked: String,
    delivered: String,
    utilization: String,
    bookings: i64,
    searches: i64,
    empty: i64,
    off_hours: i64,
}

fn hours(minutes: i64) -> String {
    #[allow(clippy::cast_precision_loss)] // minutes of a week
    let h = minutes as f64 / 60.0;
    format!("{h:.1}")
}

/// A share as a whole percentage; a dash when there is none.
fn percent(share: Option<f64>) -> String {
    share.map_or_else(|| "–".to_string(), |u| format!("{:.0}%", u * 100.0))
}

fn week_label(t: Timestamp) -> String {
    t.to_zoned_datetime(TimeZone::UTC)
        .strftime("%-d %b")
        .to_string()
}

/// The name of a row's competency ("All" on the rows of every competency together).
fn competency_name(r: &InsightRow, report: &InsightsReport) -> String {
    r.competency
        .and_then(|c| report.competencies.iter().find(|(id, _)| *id == c))
        .map_or_else(|| "All".to_string(), |(_, name)| name.clone())
}

fn line(r: &InsightRow, label: String) -> Line {
    Line {
        label,
        band: r.band.label(),
        mentors: r.mentors,
        offered: hours(r.offered_minutes),
        booked: hours(r.booked_minutes),
        delivered: hours(r.delivered_minutes),
        utilization: percent(r.utilization()),
        bookings: r.demand.bookings,
        searches: r.demand.searches,
        empty: r.demand.empty,
        off_hours: r.demand.off_hours,
    }
}

/// One week's figures summed over the bands.
#[derive(Default)]
struct Totals {
    offered: i64,
    booked: i64,
    delivered: i64,
    bookings: i64,
    searches: i64,
    empty: i64,
    off_hours: i64,
}

fn totals(rows: &[InsightRow], week: Timestamp) -> Totals {
    let mut t = Totals::default();
    for r in rows.iter().filter(|r| r.week_start == week) {
        t.offered += r.offered_minutes;
        t.booked += r.booked_minutes;
        t.delivered += r.delivered_minutes;
        t.bookings += r.demand.bookings;
        t.searches += r.demand.searches;
        t.empty += r.demand.empty;
        t.off_hours += r.demand.off_hours;
    }
    t
}

/// A forecast row as the page shows it.
struct ForecastLine {
    competency: String,
    band: &'static str,
    demand_next: (String, String),
    supply_next: (String, String),
    demand_total: String,
    supply_total: String,
    /// When the first shortfall week starts, if any.
    shortfall: Option<String>,
    demand_method: String,
    supply_method: String,
}

/// Next week's hours and their interval: ("12.5", "9.0–16.1").
fn with_interval(f: &SeriesForecast) -> (String, String) {
    f.weeks.first().map_or_else(
        || ("–".to_string(), String::new()),
        |w| {
            (
                format!("{:.1}", w.hours),
                format!("{:.1}–{:.1}", w.lower, w.upper),
            )
        },
    )
}

fn total(f: &SeriesForecast) -> String {
    format!("{:.0}", f.weeks.iter().map(|w| w.hours).sum::<f64>())
}

/// How a series was forecast, and why: the model beat the baseline on held-out weeks, or
/// it did not, or there were too few weeks to tell.
fn method(f: &SeriesForecast) -> String {
    let name = |m: &str| match m {
        "ets" => "ETS",
        "mstl" => "MSTL",
        _ => "baseline",
    };
    match (f.model_mase, f.baseline_mase) {
        (Some(m), Some(b)) => format!("{} · MASE {m:.2} vs baseline {b:.2}", name(&f.method)),
        _ if f.history_weeks < 20 => {
            format!("{} · {} weeks of history", name(&f.method), f.history_weeks)
        }
        _ => format!("{} · steady history", name(&f.method)),
    }
}

fn forecast_line(r: &ForecastRow, report: &ForecastReport) -> ForecastLine {
    ForecastLine {
        competency: report
            .competencies
            .iter()
            .find(|(id, _)| *id == r.competency)
            .map_or_else(|| "–".to_string(), |(_, n)| n.clone()),
        band: r.band.label(),
        demand_next: with_interval(&r.demand),
        supply_next: with_interval(&r.supply),
        demand_total: total(&r.demand),
        supply_total: total(&r.supply),
        shortfall: r.shortfall.first().map(|w| week_label(*w)),
        demand_method: method(&r.demand),
        supply_method: method(&r.supply),
    }
}

#[derive(Template)]
#[template(path = "operator/insights.html")]
struct InsightsPage {
    chrome: Chrome,
    weeks: String,
    choices: Vec<u32>,
    error: Option<String>,
    /// Last full week's figures, and its label.
    last_week: String,
    summary: Vec<(&'static str, String)>,
    chart: String,
    by_band: Vec<Line>,
    by_competency: Vec<Line>,
    forecasts: Vec<ForecastLine>,
    shortfalls: usize,
    /// Fan charts of the first few forecasts (shortfalls first): heading and chart.
    fans: Vec<(String, String)>,
}

/// How many forecasts get a fan chart above the table.
const FANS: usize = 3;

fn fan_of(r: &ForecastRow, line: &ForecastLine, n: usize) -> (String, String) {
    let weeks: Vec<FanWeek> = r
        .demand
        .weeks
        .iter()
        .zip(&r.supply.weeks)
        .map(|(d, s)| FanWeek {
            label: week_label(d.week_start),
            demand: (d.hours, d.lower, d.upper),
            supply: (s.hours, s.lower, s.upper),
        })
        .collect();
    let heading = format!("{} · {}", line.competency, line.band);
    let svg = fan(
        &format!("fan-{n}"),
        &format!("{heading}: demand and supply, hours a week"),
        &weeks,
    );
    (heading, svg)
}

/// `GET /operator/insights`.
pub async fn page(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    Query(q): Query<InsightParams>,
) -> PageResult {
    let (report, error, status) = match insights::report(&state, &me, typed(&q.weeks)).await {
        Ok(r) => (r, None, StatusCode::OK),
        Err(e) => {
            // A weeks value that is not one: the default report, with the message.
            let (status, errors) = refusal(e, &me)?;
            let report = insights::report(&state, &me, None)
                .await
                .map_err(|e| failure_for(e, Some(me.clone())))?;
            (report, errors.get("weeks").map(str::to_string), status)
        }
    };
    let weeks = if error.is_some() {
        q.weeks.trim().to_string()
    } else {
        report.weeks.len().to_string()
    };
    let last = report
        .weeks
        .len()
        .checked_sub(2)
        .and_then(|i| report.weeks.get(i))
        .or(report.weeks.last())
        .copied()
        .unwrap_or(Timestamp::UNIX_EPOCH);
    let t = totals(&report.by_band, last);
    let utilization = percent(utilization(t.booked, t.offered));
    let summary = vec![
        ("Hours offered", hours(t.offered)),
        ("Hours booked", hours(t.booked)),
        ("Utilization", utilization),
        ("Hours delivered", hours(t.delivered)),
        ("Bookings made", t.bookings.to_string()),
        ("Searches", t.searches.to_string()),
        ("Found nothing", t.empty.to_string()),
        ("Nothing in working hours", t.off_hours.to_string()),
    ];
    let bars: Vec<WeekBars> = report
        .weeks
        .iter()
        .map(|w| {
            let t = totals(&report.by_band, *w);
            WeekBars {
                label: week_label(*w),
                total: t.offered,
                part: t.booked,
            }
        })
        .collect();
    let chart = weekly_bars(
        "supply",
        "Hours offered and booked, week by week",
        "hours",
        &bars,
    );
    let by_band: Vec<Line> = report
        .by_band
        .iter()
        .rev()
        .take(60)
        .map(|r| line(r, week_label(r.week_start)))
        .collect();
    let by_competency = report
        .by_competency
        .iter()
        .filter(|r| r.week_start == last)
        .map(|r| line(r, competency_name(r, &report)))
        .collect();
    let forecast_report = forecast::report(&state, &me)
        .await
        .map_err(|e| failure_for(e, Some(me.clone())))?;
    let forecasts: Vec<ForecastLine> = forecast_report
        .rows
        .iter()
        .map(|r| forecast_line(r, &forecast_report))
        .collect();
    let shortfalls = forecasts.iter().filter(|f| f.shortfall.is_some()).count();
    let fans = forecast_report
        .rows
        .iter()
        .zip(&forecasts)
        .take(FANS)
        .enumerate()
        .map(|(n, (r, line))| fan_of(r, line, n))
        .collect();
    Ok(html(
        status,
        &InsightsPage {
            chrome: Chrome::new(
                "Supply and demand · Operator · Stint",
                Some(me.clone()),
                &csrf.0,
            ),
            weeks,
            choices: WEEK_CHOICES.to_vec(),
            error,
            last_week: week_label(last),
            summary,
            chart,
            by_band,
            by_competency,
            forecasts,
            shortfalls,
            fans,
        },
    ))
}

/// What was typed into a page's field, `None` when it was left empty (the default then).
fn typed(field: &str) -> Option<&str> {
    Some(field.trim()).filter(|s| !s.is_empty())
}

/// `GET /operator/insights.csv?weeks=N`: the figures of the page as a spreadsheet.
pub async fn supply_and_demand_csv(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Query(q): Query<InsightParams>,
) -> PageResult {
    let body = insights::export::supply_and_demand(&state, &me, typed(&q.weeks))
        .await
        .map_err(|e| failure_for(e, Some(me.clone())))?;
    Ok(crate::download::csv("supply-and-demand.csv", body))
}

/// `GET /operator/forecasts.csv`: the next 8 weeks' forecasts, week by week.
pub async fn forecasts_csv(State(state): State<AppState>, PageUser(me): PageUser) -> PageResult {
    let body = insights::export::forecasts(&state, &me)
        .await
        .map_err(|e| failure_for(e, Some(me.clone())))?;
    Ok(crate::download::csv("forecasts.csv", body))
}
