//! The models, from the `augurs` time-series library: AutoETS (the best of the level and
//! trend ETS models by AICc) and, with a yearly season, MSTL with AutoETS for its trend.

use crate::{Method, YEAR};
use augurs_core::{Fit, Predict};
use augurs_ets::AutoETS;
use augurs_ets::trend::AutoETSTrendModel;
use augurs_mstl::MSTLModel;

/// The model tried for a baseline season.
pub fn kind_for(season: usize) -> Method {
    if season >= YEAR {
        Method::Mstl
    } else {
        Method::Ets
    }
}

/// A model's forecast, with its interval when one was asked for (else the point twice).
pub struct Predicted {
    pub point: Vec<f64>,
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
}

/// Fits `kind` on `y` and forecasts `horizon` weeks; `None` when the model cannot be fitted
/// (too little or degenerate data), which leaves the baseline.
pub fn fit_predict(
    kind: Method,
    y: &[f64],
    horizon: usize,
    level: Option<f64>,
) -> Option<Predicted> {
    let forecast = match kind {
        Method::Ets => AutoETS::non_seasonal()
            .fit(y)
            .ok()?
            .predict(horizon, level)
            .ok()?,
        Method::Mstl => {
            let trend = AutoETSTrendModel::from(AutoETS::non_seasonal());
            MSTLModel::new(vec![YEAR], trend)
                .fit(y)
                .ok()?
                .predict(horizon, level)
                .ok()?
        }
        Method::SeasonalNaive => return None,
    };
    if forecast.point.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let (lower, upper) = match forecast.intervals {
        Some(i) if i.lower.len() == horizon && i.upper.len() == horizon => (i.lower, i.upper),
        _ => (forecast.point.clone(), forecast.point.clone()),
    };
    Some(Predicted {
        point: forecast.point,
        lower,
        upper,
    })
}
