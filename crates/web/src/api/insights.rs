//! `/api/v1/operator/insights`: supply (active hours) and demand per week, band and
//! competency, over `stint_app::insights::report`; `/api/v1/operator/forecasts`: the next
//! weeks' forecasts of both, over `stint_app::insights::forecast::report` (operators only).

use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorBody};
use crate::extract::ApiQuery;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use stint_app::insights::forecast::ForecastRow;
use stint_app::insights::{self, InsightRow, InsightsReport};
use stint_domain::insights::SeriesForecast;
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct InsightParams {
    /// How many weeks, this one included (1 to 52; 8 when absent).
    // Read as text, so a bad value is a 422 naming `weeks`.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 52)]
    pub weeks: Option<String>,
}

/// One week's supply and demand in one time-zone band, of one competency or of all.
#[derive(Debug, Serialize, ToSchema)]
pub struct InsightRowDto {
    /// The week's Monday (weeks run Monday 00:00 to Monday 00:00 UTC).
    #[schema(format = Date)]
    pub week: String,
    /// The competency's slug-free id; null on the rows for every competency together.
    pub competency_id: Option<i64>,
    /// `americas`, `europe-africa` or `asia-pacific`: the mentors' band for supply, the
    /// searcher's or mentee's for demand.
    pub band: String,
    pub mentors: i64,
    pub offered_minutes: i64,
    pub booked_minutes: i64,
    pub delivered_minutes: i64,
    /// Booked over offered; null when nothing was offered.
    pub utilization: Option<f64>,
    pub bookings_made: i64,
    pub searches: i64,
    /// Searches that found no time.
    pub searches_empty: i64,
    /// Searches that found times, none between 09:00 and 18:00 in the searcher's zone.
    pub searches_off_hours: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InsightsDto {
    /// The weeks covered, oldest first (their Mondays).
    pub weeks: Vec<String>,
    /// Per week and band, every competency together (a mentor counts once).
    pub by_band: Vec<InsightRowDto>,
    /// Per week, competency and band (a mentor of two competencies counts in both).
    pub by_competency: Vec<InsightRowDto>,
}

fn day(t: jiff::Timestamp) -> String {
    t.to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .date()
        .to_string()
}

fn row(r: &InsightRow) -> InsightRowDto {
    InsightRowDto {
        week: day(r.week_start),
        competency_id: r.competency.map(|c| c.0),
        band: r.band.as_str().to_string(),
        mentors: r.mentors,
        offered_minutes: r.offered_minutes,
        booked_minutes: r.booked_minutes,
        delivered_minutes: r.delivered_minutes,
        utilization: r.utilization(),
        bookings_made: r.demand.bookings,
        searches: r.demand.searches,
        searches_empty: r.demand.empty,
        searches_off_hours: r.demand.off_hours,
    }
}

fn dto(report: &InsightsReport) -> InsightsDto {
    InsightsDto {
        weeks: report.weeks.iter().map(|w| day(*w)).collect(),
        by_band: report.by_band.iter().map(row).collect(),
        by_competency: report.by_competency.iter().map(row).collect(),
    }
}

/// Supply and demand week by week (operators only).
#[utoipa::path(get, path = "/api/v1/operator/insights", tag = "operator", security(("bearer" = [])),
    params(InsightParams),
    responses((status = 200, body = InsightsDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, description = "`weeks` is not a whole number from 1 to 52", body = ErrorBody)))]
pub async fn report(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    // Read after the role check, so a non-operator learns nothing from the query's validity.
    query: Result<ApiQuery<InsightParams>, ApiError>,
) -> Result<Json<InsightsDto>, ApiError> {
    stint_app::require(&me, stint_domain::role::Role::Operator)?;
    let ApiQuery(params) = query?;
    let report = insights::report(&state, &me, params.weeks.as_deref()).await?;
    Ok(Json(dto(&report)))
}

/// One forecast week, in hours.
#[derive(Debug, Serialize, ToSchema)]
pub struct ForecastWeekDto {
    /// The week's Monday.
    #[schema(format = Date)]
    pub week: String,
    pub hours: f64,
    /// The 80% interval.
    pub lower: f64,
    pub upper: f64,
}

/// One series' forecast and how its method was chosen.
#[derive(Debug, Serialize, ToSchema)]
pub struct SeriesForecastDto {
    /// `ets`, `mstl` or `seasonal_naive`: the method used.
    pub method: String,
    /// The model tried against the seasonal-naive baseline on held-out weeks.
    pub model: String,
    /// Mean absolute scaled error on the held-out weeks; null when there were too few weeks
    /// to hold any out, or the history never changed.
    pub model_mase: Option<f64>,
    pub baseline_mase: Option<f64>,
    pub history_weeks: i64,
    pub weeks: Vec<ForecastWeekDto>,
}

/// Demand and supply forecast for one competency in one band.
#[derive(Debug, Serialize, ToSchema)]
pub struct ForecastDto {
    pub competency_id: i64,
    pub band: String,
    /// Hours of sessions mentees in this band will book.
    pub demand: SeriesForecastDto,
    /// Hours mentors in this band will offer.
    pub supply: SeriesForecastDto,
    /// Weeks (Mondays) whose forecast demand takes more than 85% of forecast supply.
    pub shortfall_weeks: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ForecastsDto {
    /// Shortfalls first.
    pub forecasts: Vec<ForecastDto>,
}

fn series(f: &SeriesForecast) -> SeriesForecastDto {
    SeriesForecastDto {
        method: f.method.clone(),
        model: f.model.clone(),
        model_mase: f.model_mase,
        baseline_mase: f.baseline_mase,
        history_weeks: f.history_weeks,
        weeks: f
            .weeks
            .iter()
            .map(|w| ForecastWeekDto {
                week: day(w.week_start),
                hours: w.hours,
                lower: w.lower,
                upper: w.upper,
            })
            .collect(),
    }
}

fn forecast(r: &ForecastRow) -> ForecastDto {
    ForecastDto {
        competency_id: r.competency.0,
        band: r.band.as_str().to_string(),
        demand: series(&r.demand),
        supply: series(&r.supply),
        shortfall_weeks: r.shortfall.iter().map(|w| day(*w)).collect(),
    }
}

/// The next 8 weeks' demand and supply per competency and band, as last forecast (daily).
#[utoipa::path(get, path = "/api/v1/operator/forecasts", tag = "operator", security(("bearer" = [])),
    responses((status = 200, body = ForecastsDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn forecasts(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
) -> Result<Json<ForecastsDto>, ApiError> {
    let report = insights::forecast::report(&state, &me).await?;
    Ok(Json(ForecastsDto {
        forecasts: report.rows.iter().map(forecast).collect(),
    }))
}
