//! How long the daily `insights.forecast` job spends forecasting: every competency and band
//! has two series (demand and supply), each held out, scored against the baseline and
//! refitted. Prints the time per series by history length and for a whole marketplace.
//!
//! `cargo bench -p stint-forecast --bench forecast`

use std::time::Instant;
use stint_forecast::synthetic::{trend, yearly};
use stint_forecast::{HORIZON, forecast};

/// Competencies × bands × series in a large marketplace.
const SERIES: usize = 30 * 3 * 2;

fn main() {
    println!("forecasting {HORIZON} weeks; release build; one thread");
    for (label, weeks, make) in [
        (
            "30 weeks, trend (ETS)",
            30,
            trend as fn(u64, usize) -> Vec<f64>,
        ),
        ("52 weeks, trend (ETS)", 52, trend),
        ("156 weeks, yearly season (MSTL)", 156, yearly),
    ] {
        let histories: Vec<Vec<f64>> = (0..SERIES as u64).map(|s| make(s + 1, weeks)).collect();
        let started = Instant::now();
        let mut modelled = 0;
        for h in &histories {
            if forecast(h, HORIZON).method != stint_forecast::Method::SeasonalNaive {
                modelled += 1;
            }
        }
        let took = started.elapsed();
        println!(
            "{label:<34} {SERIES} series: {:>8.1} ms in all, {:>6.2} ms a series ({modelled} modelled)",
            took.as_secs_f64() * 1000.0,
            took.as_secs_f64() * 1000.0 / SERIES as f64
        );
    }
}
