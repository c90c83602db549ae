//! Simulated experiments through the real assignment and statistics: with no difference
//! (A/A) the 95 % interval leaves out zero in at most 5 % of experiments, and a planted
//! effect of the size the sample-size note states is found with the stated 80 % power.

use super::assign;
use super::stats::{Summary, lift};
use crate::ids::UserId;

/// A seeded generator (SplitMix64), so every run simulates the same experiments.
struct Draws(u64);

impl Draws {
    fn uniform(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }
}

const PEOPLE: i64 = 600;

/// One two-variant experiment over `PEOPLE` people (assigned by the real hash), each
/// reaching the outcome with the chance of their variant; `true` when the interval of the
/// variant's lift leaves out zero. Also returns the lift's stated detectable difference.
fn run(experiment: i64, chances: [f64; 2], draws: &mut Draws) -> (bool, f64, f64) {
    let mut values: [Vec<f64>; 2] = [Vec::new(), Vec::new()];
    for person in 0..PEOPLE {
        let user = UserId(experiment * PEOPLE + person + 1);
        let arm = assign(experiment, user, 2);
        values[arm].push(f64::from(u8::from(draws.uniform() < chances[arm])));
    }
    let l = lift(&Summary::of(&values[0]), &Summary::of(&values[1])).unwrap();
    (l.is_clear(), l.detectable, l.difference)
}

#[test]
fn a_a_experiments_find_a_difference_at_most_one_time_in_twenty() {
    let runs = 10_000;
    let mut draws = Draws(20_261_207);
    let found = (1..=runs)
        .filter(|&e| run(e, [0.3, 0.3], &mut draws).0)
        .count();
    let rate = found as f64 / runs as f64;
    let noise = (0.05_f64 * 0.95 / runs as f64).sqrt();
    println!("A/A: {found} of {runs} experiments showed a difference ({rate:.4} ± {noise:.4})");
    // 5 % by construction; the simulation's own noise is ±0.22 points (one standard error),
    // so a rate three of those past 5 % means the intervals are too narrow (a 90 % interval
    // shows 10 %), and one far under 5 % that they are wider than they need be.
    assert!(rate <= 0.05 + 3.0 * noise, "false-positive rate {rate}");
    assert!(
        rate >= 0.05 - 6.0 * noise,
        "intervals wider than they need be: {rate}"
    );
}

/// The mean detectable difference the statistics state over 200 experiments at `chances`.
fn stated(chances: [f64; 2], draws: &mut Draws) -> f64 {
    (1..=200).map(|e| run(e, chances, draws).1).sum::<f64>() / 200.0
}

#[test]
fn a_planted_effect_of_the_stated_size_is_found_with_the_stated_power() {
    // What the results say 300 people a side at 30 % can detect, asked again with that
    // effect in place (the variant's spread grows with its rate, and so does the statement).
    let mut draws = Draws(7);
    let first = stated([0.3, 0.3], &mut draws);
    let effect = stated([0.3, 0.3 + first], &mut draws);
    assert!((0.09..0.12).contains(&effect), "stated {effect}");
    let runs = 4000;
    let (mut found, mut total) = (0, 0.0);
    for e in 1..=runs {
        let (clear, _, difference) = run(10_000 + e, [0.3, 0.3 + effect], &mut draws);
        found += usize::from(clear);
        total += difference;
    }
    let power = found as f64 / runs as f64;
    println!("planted +{effect:.4}: found in {found} of {runs} ({power:.3}); stated power 0.80");
    // ±0.63 points of simulation noise; a too-wide interval (99 %) finds it ~60 % of the time.
    assert!((0.77..=0.83).contains(&power), "power {power}");
    let mean = total / runs as f64;
    assert!(
        (mean - effect).abs() < 0.005,
        "mean lift {mean} vs {effect}"
    );
}
