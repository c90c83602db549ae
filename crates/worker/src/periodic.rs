//! Periodic work as jobs. Time is cut into periods of `every` counted from the Unix epoch;
//! each worker enqueues the next period's job under the key `"{kind}@{period start}"`, so the
//! queue's dedupe makes one job per period however many workers run.

use jiff::Timestamp;
use std::time::Duration;
use stint_store::NewJob;

/// A kind of job that runs once every `every` (whole seconds, at least one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Periodic {
    pub kind: String,
    pub every: Duration,
}

/// A periodic job that keeps failing is retried a little, then left for the next period.
const ATTEMPTS: u32 = 3;

impl Periodic {
    pub fn new(kind: impl Into<String>, every: Duration) -> Periodic {
        Periodic {
            kind: kind.into(),
            every,
        }
    }

    fn every_secs(&self) -> i64 {
        i64::try_from(self.every.as_secs().max(1)).unwrap_or(i64::MAX)
    }

    /// The start of the period to enqueue at `now`: the first period start at least half a
    /// period ahead. Enqueueing ahead keeps a period's job queued (and so deduplicated)
    /// from well before it is due until it runs; the half-period margin means a worker whose
    /// clock is behind by less than that never enqueues a period that has already run.
    pub fn next_start(&self, now: Timestamp) -> Timestamp {
        let every = self.every_secs();
        // Whole seconds, rounded up so the start is never before `now`.
        let now_secs = now.as_second() + i64::from(now.subsec_nanosecond() > 0);
        let target = now_secs.saturating_add(every / 2);
        let periods = target.div_euclid(every) + i64::from(target.rem_euclid(every) != 0);
        Timestamp::from_second(periods.saturating_mul(every)).unwrap_or(Timestamp::MAX)
    }

    /// The key that makes one job per period: `"{kind}@{start as RFC 3339}"`.
    pub fn dedupe_key(&self, start: Timestamp) -> String {
        format!("{}@{start}", self.kind)
    }

    /// The job for the period starting at `start`, due then.
    pub fn job(&self, start: Timestamp) -> NewJob {
        NewJob {
            kind: self.kind.clone(),
            payload: "{}".into(),
            dedupe_key: Some(self.dedupe_key(start)),
            due_at: start,
            max_attempts: ATTEMPTS,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn the_next_start_is_a_period_boundary_at_least_half_a_period_ahead() {
        let p = Periodic::new("sweep", Duration::from_secs(600));
        assert_eq!(
            p.next_start(at("2026-11-25T10:00:00Z")),
            at("2026-11-25T10:10:00Z")
        );
        assert_eq!(
            p.next_start(at("2026-11-25T10:04:59Z")),
            at("2026-11-25T10:10:00Z")
        );
        assert_eq!(
            p.next_start(at("2026-11-25T10:05:00Z")),
            at("2026-11-25T10:10:00Z")
        );
        assert_eq!(
            p.next_start(at("2026-11-25T10:05:01Z")),
            at("2026-11-25T10:20:00Z")
        );
        assert_eq!(
            p.next_start(at("2026-11-25T10:09:59Z")),
            at("2026-11-25T10:20:00Z")
        );
    }

    #[test]
    fn every_node_names_a_period_the_same_way() {
        let p = Periodic::new("housekeeping.prune", Duration::from_secs(600));
        let start = p.next_start(at("2026-11-25T10:01:02.5Z"));
        assert_eq!(
            p.dedupe_key(start),
            "housekeeping.prune@2026-11-25T10:10:00Z"
        );
        let job = p.job(start);
        assert_eq!(job.due_at, start);
        assert_eq!(
            job.dedupe_key.as_deref(),
            Some(p.dedupe_key(start).as_str())
        );
        assert!(job.max_attempts >= 1);
    }

    #[test]
    fn a_period_below_a_second_counts_as_a_second() {
        let p = Periodic::new("tight", Duration::from_millis(10));
        let now = at("2026-11-25T10:00:00.3Z");
        assert_eq!(p.next_start(now), at("2026-11-25T10:00:01Z"));
    }
}
