//! A kept forecast's body: its method, the evaluation that chose it and its weeks, as one
//! JSON text (a forecast is always read and replaced whole).

use super::bookings::ts;
use crate::StoreError;
use crate::interfaces::Result;
use serde::{Deserialize, Serialize};
use stint_domain::ids::CompetencyId;
use stint_domain::insights::{ForecastWeek, Series, SeriesForecast};
use stint_domain::mentor::ZoneBand;

#[derive(Serialize, Deserialize)]
struct Body {
    method: String,
    model: String,
    model_mase: Option<f64>,
    baseline_mase: Option<f64>,
    history_weeks: i64,
    /// `[week_start (seconds), hours, lower, upper]` per week.
    weeks: Vec<(i64, f64, f64, f64)>,
}

pub fn write(f: &SeriesForecast) -> Result<String> {
    let body = Body {
        method: f.method.clone(),
        model: f.model.clone(),
        model_mase: f.model_mase,
        baseline_mase: f.baseline_mase,
        history_weeks: f.history_weeks,
        weeks: f
            .weeks
            .iter()
            .map(|w| (w.week_start.as_second(), w.hours, w.lower, w.upper))
            .collect(),
    };
    serde_json::to_string(&body).map_err(|e| StoreError::Backend(e.into()))
}

pub fn read(
    competency: CompetencyId,
    band: ZoneBand,
    series: Series,
    raw: &str,
) -> Result<SeriesForecast> {
    let body: Body = serde_json::from_str(raw).map_err(|e| StoreError::Backend(e.into()))?;
    let weeks = body
        .weeks
        .into_iter()
        .map(|(start, hours, lower, upper)| {
            Ok(ForecastWeek {
                week_start: ts(start)?,
                hours,
                lower,
                upper,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(SeriesForecast {
        competency,
        band,
        series,
        method: body.method,
        model: body.model,
        model_mase: body.model_mase,
        baseline_mase: body.baseline_mase,
        history_weeks: body.history_weeks,
        weeks,
    })
}
