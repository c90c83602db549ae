//! The statistics of an experiment's results. The unit is the person (people are what is
//! assigned), each person contributing one value per metric (a 0/1 outcome or a share of
//! their sessions); a variant's lift over the control is the difference of the means with a
//! Welch 95 % interval (Student's t on Welch–Satterthwaite degrees of freedom), which stays
//! honest when the variants differ in size and spread.

use statrs::distribution::{ContinuousCDF, Normal, StudentsT};

/// The interval's confidence, and the power the sample-size note is stated at.
pub const CONFIDENCE: f64 = 0.95;
pub const POWER: f64 = 0.80;
/// A variant with fewer people shows no figures (a figure about people needs at least 5).
pub const MIN_PEOPLE: usize = 5;

/// One variant's values on one metric.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    pub people: usize,
    pub mean: f64,
    /// The sample variance (n − 1 in the denominator).
    pub variance: f64,
}

impl Summary {
    pub fn of(values: &[f64]) -> Summary {
        let n = values.len();
        if n == 0 {
            return Summary {
                people: 0,
                mean: 0.0,
                variance: 0.0,
            };
        }
        let mean = values.iter().sum::<f64>() / n as f64;
        let variance = if n > 1 {
            values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64
        } else {
            0.0
        };
        Summary {
            people: n,
            mean,
            variance,
        }
    }
}

/// A variant against the control on one metric.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Lift {
    /// Variant mean minus control mean, and its 95 % interval.
    pub difference: f64,
    pub low: f64,
    pub high: f64,
    /// The difference relative to the control's mean, when that is not zero.
    pub relative: Option<f64>,
    /// The smallest true difference these sample sizes find with 80 % power: smaller
    /// effects would usually go unseen.
    pub detectable: f64,
}

impl Lift {
    /// The interval leaves out zero.
    pub fn is_clear(&self) -> bool {
        self.low > 0.0 || self.high < 0.0
    }
}

/// Student's t at the interval's confidence (two-sided) with `freedom` degrees of freedom;
/// the normal's 1.96 should the distribution be refused (no freedom at all).
fn t_quantile(freedom: f64) -> f64 {
    StudentsT::new(0.0, 1.0, freedom)
        .map(|d| d.inverse_cdf(1.0 - (1.0 - CONFIDENCE) / 2.0))
        .unwrap_or(1.959_963_984_540_054)
}

/// The 95 % interval of a mean (Student's t), or `None` below [`MIN_PEOPLE`].
pub fn mean_interval(s: &Summary) -> Option<(f64, f64)> {
    if s.people < MIN_PEOPLE {
        return None;
    }
    let n = s.people as f64;
    let half = t_quantile(n - 1.0) * (s.variance / n).sqrt();
    Some((s.mean - half, s.mean + half))
}

/// The variant's lift over the control, or `None` while either has fewer than
/// [`MIN_PEOPLE`].
pub fn lift(control: &Summary, variant: &Summary) -> Option<Lift> {
    if control.people < MIN_PEOPLE || variant.people < MIN_PEOPLE {
        return None;
    }
    let (n_c, n_v) = (control.people as f64, variant.people as f64);
    let (a, b) = (control.variance / n_c, variant.variance / n_v);
    let se = (a + b).sqrt();
    let denominator = a * a / (n_c - 1.0) + b * b / (n_v - 1.0);
    let freedom = if denominator > 0.0 {
        (a + b).powi(2) / denominator
    } else {
        n_c + n_v - 2.0
    };
    let t = t_quantile(freedom);
    let z_power = Normal::standard().inverse_cdf(POWER);
    let difference = variant.mean - control.mean;
    Some(Lift {
        difference,
        low: difference - t * se,
        high: difference + t * se,
        relative: (control.mean != 0.0).then(|| difference / control.mean),
        detectable: (t + z_power) * se,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_summary_has_the_sample_variance() {
        let s = Summary::of(&[1.0, 0.0, 1.0, 0.0]);
        assert_eq!(s.people, 4);
        assert!((s.mean - 0.5).abs() < 1e-12);
        assert!((s.variance - 1.0 / 3.0).abs() < 1e-12);
        assert_eq!(Summary::of(&[]).people, 0);
    }

    #[test]
    fn the_interval_matches_a_welch_test_worked_by_hand() {
        // Control 10 people, mean 0.3 (3 ones); variant 12 people, mean 0.75 (9 ones).
        let c = Summary::of(&[[1.0; 3].as_slice(), &[0.0; 7]].concat());
        let v = Summary::of(&[[1.0; 9].as_slice(), &[0.0; 3]].concat());
        let l = lift(&c, &v).unwrap();
        assert!((l.difference - 0.45).abs() < 1e-12);
        // se² = 0.2333/10 + 0.2045/12 = 0.040379; df ≈ 19.03; t(0.975, 19.03) ≈ 2.0929.
        let se = (0.233_333_333 / 10.0 + 0.204_545_454 / 12.0_f64).sqrt();
        assert!((l.high - l.difference - 2.0929 * se).abs() < 1e-3, "{l:?}");
        assert!(l.is_clear());
        assert!((l.relative.unwrap() - 1.5).abs() < 1e-12);
    }

    #[test]
    fn a_mean_interval_uses_t_and_hides_small_groups() {
        // Mean 1, sd 1 over 5 people: ± t(0.975, 4) × 1/√5 = ± 2.7764 × 0.4472.
        let s = Summary::of(&[0.0, 1.0, 1.0, 1.0, 2.0]);
        let (low, high) = mean_interval(&Summary { variance: 1.0, ..s }).unwrap();
        assert!((high - 1.0 - 2.7764 * 0.4472).abs() < 1e-3, "{low} {high}");
        assert!(mean_interval(&Summary::of(&[1.0; 4])).is_none());
    }

    #[test]
    fn too_few_people_show_nothing() {
        let four = Summary::of(&[1.0, 0.0, 1.0, 1.0]);
        let many = Summary::of(&[1.0; 40]);
        assert!(lift(&four, &many).is_none());
        assert!(lift(&many, &four).is_none());
    }

    #[test]
    fn identical_groups_with_no_spread_have_no_lift() {
        let c = Summary::of(&[1.0; 8]);
        let l = lift(&c, &c).unwrap();
        assert_eq!((l.low, l.high), (0.0, 0.0));
        assert!(!l.is_clear());
    }
}
