//! Timestamp arithmetic that cannot fail: the queue's times are far from jiff's limits, so an
//! overflow would be a bug elsewhere and saturating is the harmless answer.

use jiff::{SignedDuration, Timestamp};
use std::time::Duration;

/// `t + d`, saturating at the end of time.
pub(crate) fn after(t: Timestamp, d: Duration) -> Timestamp {
    SignedDuration::try_from(d)
        .ok()
        .and_then(|d| t.checked_add(d).ok())
        .unwrap_or(Timestamp::MAX)
}

/// How long from `now` until `t`; zero when `t` has passed.
pub(crate) fn until(now: Timestamp, t: Timestamp) -> Duration {
    Duration::try_from(t.duration_since(now)).unwrap_or(Duration::ZERO)
}
