//! The no-show risk model (`stint_domain::risk` scores with it): a logistic regression fitted
//! with `linfa-logistic` on standardized features of past sessions, never fitted below a
//! minimum of data, and judged the honest way: trained on the earlier sessions and scored on
//! the later ones it never saw, by AUC and a calibration table.

mod evaluate;
pub mod synthetic;

pub use evaluate::{auc, calibration, evaluate};

use jiff::Timestamp;
use linfa::Dataset;
use linfa::traits::Fit;
use linfa_logistic::LogisticRegression;
use ndarray::{Array1, Array2};
use stint_domain::risk::{FEATURES, Features, RiskModel, SessionFacts};

/// Past sessions a model needs, and no-shows among them; below either there is no model
/// and no session is scored.
pub const MIN_SESSIONS: usize = 200;
pub const MIN_NO_SHOWS: usize = 20;
/// L2 penalty: keeps weights of rare features (a mentor's late cancels) from running off.
const PENALTY: f64 = 1.0;
const ITERATIONS: u64 = 200;

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum TrainError {
    #[error(
        "too little history: {sessions} sessions with {no_shows} no-shows (a model needs {MIN_SESSIONS} and {MIN_NO_SHOWS})"
    )]
    TooLittle { sessions: usize, no_shows: usize },
    #[error("the model could not be fitted: {0}")]
    Fit(String),
}

/// Fits a model on `sessions` (their `no_show` is the label).
pub fn train(sessions: &[SessionFacts], now: Timestamp) -> Result<RiskModel, TrainError> {
    let no_shows = sessions.iter().filter(|s| s.no_show).count();
    if sessions.len() < MIN_SESSIONS || no_shows < MIN_NO_SHOWS {
        return Err(TrainError::TooLittle {
            sessions: sessions.len(),
            no_shows,
        });
    }
    let rows: Vec<Features> = sessions.iter().map(Features::of).collect();
    let (means, scales) = standardization(&rows);
    let mut records = Array2::<f64>::zeros((rows.len(), FEATURES));
    for (i, f) in rows.iter().enumerate() {
        for j in 0..FEATURES {
            records[[i, j]] = (f.0[j] - means[j]) / scales[j];
        }
    }
    let targets: Array1<bool> = sessions.iter().map(|s| s.no_show).collect();
    let fitted = LogisticRegression::default()
        .alpha(PENALTY)
        .max_iterations(ITERATIONS)
        .fit(&Dataset::new(records, targets))
        .map_err(|e| TrainError::Fit(e.to_string()))?;
    // linfa fits the probability of its "positive" class, which is the more frequent one
    // (held sessions, mostly); turned around when so, the model gives a no-show's chance.
    let sign = if fitted.labels().pos.class { 1.0 } else { -1.0 };
    Ok(RiskModel {
        means,
        scales,
        weights: fitted.params().iter().map(|w| w * sign).collect(),
        intercept: fitted.intercept() * sign,
        sessions: sessions.len(),
        no_shows,
        trained_at: now,
        evaluation: None,
    })
}

/// Each feature's mean and spread; a feature that never varies gets a scale of 1 (its
/// weight then stays 0).
fn standardization(rows: &[Features]) -> (Vec<f64>, Vec<f64>) {
    let n = rows.len().max(1) as f64;
    let means: Vec<f64> = (0..FEATURES)
        .map(|j| rows.iter().map(|f| f.0[j]).sum::<f64>() / n)
        .collect();
    let scales = (0..FEATURES)
        .map(|j| {
            let var = rows
                .iter()
                .map(|f| (f.0[j] - means[j]).powi(2))
                .sum::<f64>()
                / n;
            if var > 1e-12 { var.sqrt() } else { 1.0 }
        })
        .collect();
    (means, scales)
}

#[cfg(test)]
mod tests;
