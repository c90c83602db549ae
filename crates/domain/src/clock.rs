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
