//! The operators' supply and demand figures and forecasts as CSV, for a spreadsheet: the
//! same reports the page and the API show, one row per week, competency and band.

use super::forecast::{self, ForecastRow};
use super::{InsightRow, report};
use crate::{App, AppError};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use stint_domain::account::Account;
use stint_domain::ids::CompetencyId;
use stint_domain::insights::SeriesForecast;

fn day(t: Timestamp) -> String {
    t.to_zoned_datetime(TimeZone::UTC).date().to_string()
}

#[allow(clippy::cast_precision_loss)] // minutes of a week
fn hours(minutes: i64) -> String {
    format!("{:.2}", minutes as f64 / 60.0)
}

fn number(v: Option<f64>) -> String {
    v.map_or_else(String::new, |v| format!("{v:.3}"))
}

struct Sheet(csv::Writer<Vec<u8>>);

impl Sheet {
    fn new(header: &[&str]) -> Result<Sheet, AppError> {
        let mut sheet = Sheet(csv::Writer::from_writer(Vec::new()));
        sheet.row(header.iter().map(|h| (*h).to_string()).collect())?;
        Ok(sheet)
    }

    fn row(&mut self, fields: Vec<String>) -> Result<(), AppError> {
        self.0.write_record(&fields).map_err(|e| {
            tracing::error!(error = %e, "writing an insights CSV");
            AppError::internal()
        })
    }

    fn finish(self) -> Result<String, AppError> {
        let bytes = self.0.into_inner().map_err(|_| AppError::internal())?;
        String::from_utf8(bytes).map_err(|_| AppError::internal())
    }
}

fn name_of(names: &[(CompetencyId, String)], c: Option<CompetencyId>) -> String {
    c.and_then(|c| names.iter().find(|(id, _)| *id == c))
        .map_or_else(|| "All".to_string(), |(_, n)| n.clone())
}

/// Supply and demand over `weeks` (as `report`): the rows of every competency together per
/// band first, then each competency's (operators only).
pub async fn supply_and_demand(
    app: &App,
    me: &Account,
    weeks: Option<&str>,
) -> Result<String, AppError> {
    let r = report(app, me, weeks).await?;
    let mut sheet = Sheet::new(&[
        "week",
        "competency",
        "band",
        "mentors",
        "hours_offered",
        "hours_booked",
        "hours_delivered",
        "utilization",
        "bookings_made",
        "searches",
        "searches_empty",
        "searches_off_hours",
    ])?;
    let line = |row: &InsightRow| {
        vec![
            day(row.week_start),
            name_of(&r.competencies, row.competency),
            row.band.as_str().to_string(),
            row.mentors.to_string(),
            hours(row.offered_minutes),
            hours(row.booked_minutes),
            hours(row.delivered_minutes),
            number(row.utilization()),
            row.demand.bookings.to_string(),
            row.demand.searches.to_string(),
            row.demand.empty.to_string(),
            row.demand.off_hours.to_string(),
        ]
    };
    for row in r.by_band.iter().chain(&r.by_competency) {
        sheet.row(line(row))?;
    }
    sheet.finish()
}

/// The kept forecasts, one row per competency, band, series and week (operators only).
pub async fn forecasts(app: &App, me: &Account) -> Result<String, AppError> {
    let r = forecast::report(app, me).await?;
    let mut sheet = Sheet::new(&[
        "competency",
        "band",
        "series",
        "week",
        "hours",
        "lower_80",
        "upper_80",
        "shortfall",
        "method",
        "model",
        "model_mase",
        "baseline_mase",
        "history_weeks",
    ])?;
    for row in &r.rows {
        for f in [&row.demand, &row.supply] {
            for line in lines(row, f, &name_of(&r.competencies, Some(row.competency))) {
                sheet.row(line)?;
            }
        }
    }
    sheet.finish()
}

fn lines(row: &ForecastRow, f: &SeriesForecast, competency: &str) -> Vec<Vec<String>> {
    f.weeks
        .iter()
        .map(|w| {
            vec![
                competency.to_string(),
                row.band.as_str().to_string(),
                f.series.as_str().to_string(),
                day(w.week_start),
                format!("{:.2}", w.hours),
                format!("{:.2}", w.lower),
                format!("{:.2}", w.upper),
                row.shortfall.contains(&w.week_start).to_string(),
                f.method.clone(),
                f.model.clone(),
                number(f.model_mase),
                number(f.baseline_mase),
                f.history_weeks.to_string(),
            ]
        })
        .collect()
}
