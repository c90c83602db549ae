//! The seasonal-naive baseline: each week is forecast as the same week a season ago (with a
//! season of one, the last week), with the interval its own past errors give.

/// `horizon` weeks after `history`, each the value `season` weeks before it (repeating the
/// last season); zeros for an empty history.
pub fn seasonal_naive(history: &[f64], season: usize, horizon: usize) -> Vec<f64> {
    let season = season.clamp(1, history.len().max(1));
    let last = &history[history.len().saturating_sub(season)..];
    (0..horizon)
        .map(|h| last.get(h % season).copied().unwrap_or(0.0))
        .collect()
}

/// The baseline with its interval at `level`: the residual spread of the in-sample
/// seasonal-naive forecasts, widened by the square root of the seasons ahead.
pub fn forecast(
    history: &[f64],
    season: usize,
    horizon: usize,
    level: f64,
) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let point = seasonal_naive(history, season, horizon);
    let season = season.max(1);
    let residuals: Vec<f64> = history
        .windows(season + 1)
        .map(|w| w[season] - w[0])
        .collect();
    let sd = if residuals.len() > 1 {
        let n = residuals.len() as f64;
        (residuals.iter().map(|r| r * r).sum::<f64>() / (n - 1.0)).sqrt()
    } else {
        0.0
    };
    let z = normal_quantile(0.5 + level / 2.0);
    let (mut lower, mut upper) = (Vec::with_capacity(horizon), Vec::with_capacity(horizon));
    for (h, p) in point.iter().enumerate() {
        let seasons_ahead = (h / season + 1) as f64;
        let half = z * sd * seasons_ahead.sqrt();
        lower.push(p - half);
        upper.push(p + half);
    }
    (point, lower, upper)
}

/// The standard normal quantile, by Acklam's rational approximation (error below 1.2e-9).
fn normal_quantile(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    let p = p.clamp(1e-12, 1.0 - 1e-12);
    let tail = |q: f64| {
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    if p < 0.02425 {
        tail((-2.0 * p.ln()).sqrt())
    } else if p > 1.0 - 0.02425 {
        -tail((-2.0 * (1.0 - p).ln()).sqrt())
    } else {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_baseline_repeats_the_last_season() {
        assert_eq!(seasonal_naive(&[1.0, 2.0, 3.0], 1, 3), vec![3.0, 3.0, 3.0]);
        assert_eq!(
            seasonal_naive(&[1.0, 2.0, 3.0, 4.0], 2, 5),
            vec![3.0, 4.0, 3.0, 4.0, 3.0]
        );
        assert_eq!(seasonal_naive(&[], 1, 2), vec![0.0, 0.0]);
    }

    #[test]
    fn the_normal_quantile_is_right() {
        assert!((normal_quantile(0.975) - 1.959_964).abs() < 1e-5);
        assert!((normal_quantile(0.9) - 1.281_552).abs() < 1e-5);
        assert!((normal_quantile(0.5)).abs() < 1e-9);
    }

    #[test]
    fn the_interval_widens_with_each_season_ahead() {
        let history = [10.0, 12.0, 9.0, 11.0, 10.0, 13.0];
        let (point, lower, upper) = forecast(&history, 1, 4, 0.8);
        assert_eq!(point, vec![13.0; 4]);
        let width: Vec<f64> = lower.iter().zip(&upper).map(|(l, u)| u - l).collect();
        assert!(width.windows(2).all(|w| w[1] > w[0]));
        assert!((width[3] / width[0] - 2.0).abs() < 1e-9);
    }
}
