//! Synthetic session histories with a known cause of no-shows, for the model's tests and
//! benchmark: with `planted`, skipped prep, a missing baseline, a long lead time, a mentee's
//! past no-shows and an early-morning slot make a no-show likelier (a known logistic
//! structure); without it, every session has the same 8 % chance, so nothing can be learned.

use jiff::{SignedDuration, Timestamp};
use stint_domain::risk::SessionFacts;

/// A small deterministic generator (SplitMix64): the same seed, the same history.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
}

/// The planted probability of a no-show (the truth the model should find).
pub fn planted_probability(s: &SessionFacts) -> f64 {
    let lead_days = (s.start.as_second() - s.made_at.as_second()) as f64 / 86_400.0;
    let early = s.start.to_zoned_datetime(jiff::tz::TimeZone::UTC).hour() < 8;
    let z = -3.2
        + if s.prep_done { 0.0 } else { 1.1 }
        + if s.baseline_taken { 0.0 } else { 0.6 }
        + 0.5 * lead_days.ln_1p()
        + 1.0 * f64::from(s.mentee_no_shows).ln_1p()
        + if early { 0.8 } else { 0.0 };
    1.0 / (1.0 + (-z).exp())
}

/// `n` sessions, one every hour from `from`, booked 0 to 30 days ahead, in UTC for both
/// people.
pub fn history(n: usize, seed: u64, planted: bool, from: Timestamp) -> Vec<SessionFacts> {
    let mut rng = Rng::new(seed);
    (0..n)
        .map(|i| {
            let start = from + SignedDuration::from_hours(i as i64);
            let lead = SignedDuration::from_mins(30 + rng.below(30 * 24 * 60) as i64);
            let prep = rng.unit() < 0.6;
            let mut s = SessionFacts {
                booking: i as i64 + 1,
                made_at: start - lead,
                start,
                mentee_zone: "UTC".into(),
                mentor_zone: "UTC".into(),
                prep_done: prep,
                baseline_taken: prep && rng.unit() < 0.8,
                mentee_no_shows: if rng.unit() < 0.2 {
                    1 + rng.below(3) as u32
                } else {
                    0
                },
                mentee_late_cancels: rng.below(2) as u32,
                mentor_no_shows: 0,
                mentor_late_cancels: rng.below(2) as u32,
                mentee_sessions: rng.below(6) as u32,
                no_show: false,
            };
            let p = if planted {
                planted_probability(&s)
            } else {
                0.08
            };
            s.no_show = rng.unit() < p;
            s
        })
        .collect()
}
