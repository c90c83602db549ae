//! Mean absolute scaled error: a forecast's mean absolute error over the in-sample mean
//! absolute error of the seasonal-naive forecast (Hyndman & Koehler, 2006). Below 1 beats
//! the naive forecast made with hindsight; comparable across series of any size.

/// The MASE of `predicted` against `actual`, scaled by `train`'s seasonal differences at
/// `season`; `None` when those are all zero (a flat history) or there is nothing to compare.
pub fn mase(actual: &[f64], predicted: &[f64], train: &[f64], season: usize) -> Option<f64> {
    let season = season.max(1);
    let n = actual.len().min(predicted.len());
    if n == 0 || train.len() <= season {
        return None;
    }
    let mae = mean(actual.iter().zip(predicted).map(|(a, p)| (a - p).abs()))?;
    let scale = mean(train.windows(season + 1).map(|w| (w[season] - w[0]).abs()))?;
    (scale > f64::EPSILON).then(|| mae / scale)
}

fn mean(values: impl Iterator<Item = f64>) -> Option<f64> {
    let (sum, n) = values.fold((0.0, 0u32), |(s, n), v| (s + v, n + 1));
    (n > 0).then(|| sum / f64::from(n))
}
