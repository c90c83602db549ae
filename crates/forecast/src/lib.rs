//! Weekly forecasts an operator can trust: each series is forecast by a real model (ETS for
//! level and trend; MSTL with ETS for the trend once two years show the yearly season), the
//! model is judged on the last weeks it was not fitted on against the seasonal-naive baseline
//! (MASE), and the baseline is used wherever the model does not beat it clearly.

mod accuracy;
mod baseline;
mod model;
pub mod synthetic;

pub use accuracy::mase;
pub use baseline::seasonal_naive;

/// Weeks forecast ahead.
pub const HORIZON: usize = 8;
/// Weeks held out to judge a model: the last ones of the history.
pub const HELD_OUT: usize = 8;
/// Weeks a model needs to be fitted at all, besides the held-out ones.
pub const MIN_TRAINING: usize = 12;
/// The yearly season of weekly figures, used once `2 * YEAR + HELD_OUT` weeks are known.
pub const YEAR: usize = 52;
/// The coverage of the intervals shown.
pub const LEVEL: f64 = 0.8;
/// A model is used only when its MASE is at least this much lower than the baseline's: a
/// model that merely ties the baseline is not worth its surprises.
pub const MUST_BEAT_BY: f64 = 0.1;

/// How a forecast was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Exponential smoothing (level, and trend where the data shows one).
    Ets,
    /// Seasonal-trend decomposition with a yearly season, ETS for the trend.
    Mstl,
    /// The last value, or the value a season ago.
    SeasonalNaive,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Ets => "ets",
            Method::Mstl => "mstl",
            Method::SeasonalNaive => "seasonal_naive",
        }
    }
}

/// How the model and the baseline did on the held-out weeks.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    /// The model that was tried.
    pub model: Method,
    /// Mean absolute scaled error of each (`None` where the history does not vary, so
    /// errors cannot be scaled).
    pub model_mase: Option<f64>,
    pub baseline_mase: Option<f64>,
    pub held_out: usize,
}

/// Forecasts for the next weeks, never below zero, with their interval at `LEVEL`.
#[derive(Debug, Clone, PartialEq)]
pub struct Forecast {
    pub method: Method,
    /// The season of the baseline: 1 (last value) or `YEAR`.
    pub season: usize,
    pub point: Vec<f64>,
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
    /// `None` when the history is too short to hold weeks out.
    pub evaluation: Option<Evaluation>,
}

/// The baseline's season for a history of `n` weeks.
pub fn season_for(n: usize) -> usize {
    if n >= 2 * YEAR + HELD_OUT { YEAR } else { 1 }
}

/// Forecasts `horizon` weeks after `history` (oldest first).
pub fn forecast(history: &[f64], horizon: usize) -> Forecast {
    let season = season_for(history.len());
    let baseline_only = || {
        let (point, lower, upper) = baseline::forecast(history, season, horizon, LEVEL);
        (point, lower, upper)
    };
    if history.len() < MIN_TRAINING + HELD_OUT {
        let (point, lower, upper) = baseline_only();
        return Forecast::clamped(Method::SeasonalNaive, season, point, lower, upper, None);
    }
    let (train, test) = history.split_at(history.len() - HELD_OUT);
    let kind = model::kind_for(season);
    let baseline_mase = accuracy::mase(
        test,
        &baseline::seasonal_naive(train, season, HELD_OUT),
        train,
        season,
    );
    let model_mase = model::fit_predict(kind, train, HELD_OUT, None)
        .and_then(|f| accuracy::mase(test, &f.point, train, season));
    let evaluation = Evaluation {
        model: kind,
        model_mase,
        baseline_mase,
        held_out: HELD_OUT,
    };
    let model_wins = match (model_mase, baseline_mase) {
        (Some(m), Some(b)) => m < b * (1.0 - MUST_BEAT_BY),
        _ => false,
    };
    if model_wins && let Some(f) = model::fit_predict(kind, history, horizon, Some(LEVEL)) {
        return Forecast::clamped(kind, season, f.point, f.lower, f.upper, Some(evaluation));
    }
    let (point, lower, upper) = baseline_only();
    Forecast::clamped(
        Method::SeasonalNaive,
        season,
        point,
        lower,
        upper,
        Some(evaluation),
    )
}

impl Forecast {
    fn clamped(
        method: Method,
        season: usize,
        point: Vec<f64>,
        lower: Vec<f64>,
        upper: Vec<f64>,
        evaluation: Option<Evaluation>,
    ) -> Forecast {
        let floor = |v: Vec<f64>| -> Vec<f64> { v.into_iter().map(|x| x.max(0.0)).collect() };
        Forecast {
            method,
            season,
            point: floor(point),
            lower: floor(lower),
            upper: floor(upper),
            evaluation,
        }
    }
}

#[cfg(test)]
mod tests;
