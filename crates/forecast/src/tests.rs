//! Forecasts on seeded synthetic histories whose structure is known.

use super::synthetic::{random_walk, trend, yearly};
use super::*;

fn ratio(f: &Forecast) -> f64 {
    let e = f.evaluation.as_ref().expect("evaluated");
    e.model_mase.expect("model MASE") / e.baseline_mase.expect("baseline MASE")
}

#[test]
fn a_trend_is_forecast_by_the_model_which_beats_the_baseline_by_a_fifth() {
    for seed in 1..=10 {
        let f = forecast(&trend(seed, 60), HORIZON);
        assert_eq!(f.method, Method::Ets, "seed {seed}: {f:?}");
        assert!(ratio(&f) <= 0.8, "seed {seed}: MASE ratio {}", ratio(&f));
        // The trend goes on: the forecast climbs about 1.5 a week.
        assert!(f.point[7] - f.point[0] > 7.0, "seed {seed}: {:?}", f.point);
        assert!(f.lower.iter().zip(&f.point).all(|(l, p)| l <= p));
        assert!(f.upper.iter().zip(&f.point).all(|(u, p)| u >= p));
    }
}

#[test]
fn a_yearly_season_is_forecast_by_mstl_which_beats_the_seasonal_baseline_by_a_fifth() {
    for seed in 1..=5 {
        let f = forecast(&yearly(seed, 3 * YEAR), HORIZON);
        assert_eq!(f.season, YEAR);
        assert_eq!(f.method, Method::Mstl, "seed {seed}: {f:?}");
        assert!(ratio(&f) <= 0.8, "seed {seed}: MASE ratio {}", ratio(&f));
    }
}

#[test]
fn a_random_walk_has_no_structure_to_find_and_the_baseline_is_kept() {
    let kept = (1..=20)
        .filter(|&seed| forecast(&random_walk(seed, 60), HORIZON).method == Method::SeasonalNaive)
        .count();
    assert!(
        kept >= 16,
        "the baseline was kept for {kept} of 20 random walks"
    );
}

#[test]
fn a_short_history_gets_the_baseline_without_an_evaluation() {
    let f = forecast(&trend(1, MIN_TRAINING + HELD_OUT - 1), HORIZON);
    assert_eq!(f.method, Method::SeasonalNaive);
    assert_eq!(f.evaluation, None);
    assert_eq!(f.point.len(), HORIZON);
}

#[test]
fn a_flat_history_cannot_be_scaled_and_gets_the_baseline() {
    let f = forecast(&[4.0; 30], HORIZON);
    assert_eq!(f.method, Method::SeasonalNaive);
    assert_eq!(f.point, vec![4.0; HORIZON]);
    assert_eq!(f.lower, vec![4.0; HORIZON]);
    let e = f.evaluation.expect("evaluated");
    assert_eq!(e.baseline_mase, None);
}

#[test]
fn forecasts_of_counts_are_never_below_zero() {
    let falling: Vec<f64> = (0..40).map(|t| (40 - t) as f64).collect();
    let f = forecast(&falling, HORIZON);
    assert!(f.point.iter().chain(&f.lower).all(|v| *v >= 0.0), "{f:?}");
}

#[test]
fn mase_is_one_for_the_naive_forecast_of_a_steady_climb() {
    let train = [1.0, 2.0, 3.0, 4.0];
    assert_eq!(mase(&[6.0], &[5.0], &train, 1), Some(1.0));
    assert_eq!(mase(&[5.0], &[5.0], &train, 1), Some(0.0));
    assert_eq!(mase(&[5.0], &[5.0], &[2.0, 2.0], 1), None);
}
