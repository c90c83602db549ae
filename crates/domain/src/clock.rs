//! The clock is a parameter: the domain never reads the time itself.

use jiff::Timestamp;

/// A source of "now". The binary wires the system clock; tests wire a fixed one.
pub trait Clock: Send + Sync {
    fn now(&self) -> Timestamp;
}

/// A clock that always says the same instant, for tests and replays.
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub Timestamp);

impl Clock for FixedClock {
    fn now(&self) -> Timestamp {
        self.0
    }
}

/// The real clock; the only place that reads the system time.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[allow(clippy::disallowed_methods)]
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

/// A clock that runs at real speed from a chosen instant and can be moved ahead. Tests
/// start it on a fixed date (so a run does not depend on today) and live through a
/// session's whole life (book, meet, close, follow up a week later) in seconds.
#[derive(Debug)]
pub struct TravelClock {
    origin: Timestamp,
    started: std::time::Instant,
    ahead_seconds: std::sync::atomic::AtomicI64,
}

impl Default for TravelClock {
    /// Starts at the system's time.
    fn default() -> Self {
        TravelClock::starting_at(SystemClock.now())
    }
}

impl TravelClock {
    /// A clock that reads `origin` now and runs on from there.
    pub fn starting_at(origin: Timestamp) -> Self {
        TravelClock {
            origin,
            started: std::time::Instant::now(),
            ahead_seconds: std::sync::atomic::AtomicI64::new(0),
        }
    }

    /// Moves the clock forward by `d` (backward if negative).
    pub fn advance(&self, d: jiff::SignedDuration) {
        self.ahead_seconds
            .fetch_add(d.as_secs(), std::sync::atomic::Ordering::SeqCst);
    }
}

impl Clock for TravelClock {
    fn now(&self) -> Timestamp {
        let ahead = self.ahead_seconds.load(std::sync::atomic::Ordering::SeqCst);
        let elapsed = jiff::SignedDuration::try_from(self.started.elapsed()).unwrap_or_default();
        let ran = self.origin.saturating_add(elapsed).unwrap_or(self.origin);
        ran.saturating_add(jiff::SignedDuration::from_secs(ahead))
            .unwrap_or(ran)
    }
}
