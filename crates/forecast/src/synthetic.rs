//! Seeded synthetic weekly histories of known structure, for the tests and the benchmark:
//! the same series on every run.

use crate::YEAR;

/// A seeded generator of normal noise (SplitMix64 and Box–Muller), so every run sees the
/// same histories.
pub struct Noise(pub u64);

impl Noise {
    pub fn uniform(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        ((z >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    pub fn normal(&mut self) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
}

/// A climb of 1.5 a week from 20, with noise of 2.
pub fn trend(seed: u64, weeks: usize) -> Vec<f64> {
    let mut noise = Noise(seed);
    (0..weeks)
        .map(|t| 20.0 + 1.5 * t as f64 + 2.0 * noise.normal())
        .collect()
}

/// A walk from 100 with steps of 5: nothing to find beyond the last value.
pub fn random_walk(seed: u64, weeks: usize) -> Vec<f64> {
    let mut noise = Noise(seed);
    let mut level = 100.0;
    (0..weeks)
        .map(|_| {
            level += 5.0 * noise.normal();
            level
        })
        .collect()
}

/// A yearly wave of 25 around a slow climb from 100, with noise of 3.
pub fn yearly(seed: u64, weeks: usize) -> Vec<f64> {
    let mut noise = Noise(seed);
    (0..weeks)
        .map(|t| {
            let season = 25.0 * (std::f64::consts::TAU * t as f64 / YEAR as f64).sin();
            100.0 + 0.3 * t as f64 + season + 3.0 * noise.normal()
        })
        .collect()
}
