//! When a failed job runs again: exponential backoff, and whether it has attempts left.

use crate::handler::JobError;
use crate::time::after;
use jiff::Timestamp;
use std::time::Duration;
use stint_store::Job;

/// The first retry waits this long; each later one twice as long as the one before.
const FIRST_RETRY: Duration = Duration::from_secs(30);
/// No retry waits longer, so a job that failed through an outage resumes soon after it.
const LONGEST_RETRY: Duration = Duration::from_secs(3600);

/// How long to wait after failed attempt number `attempt` (1 for the first):
/// 30 s × 2^(attempt − 1), at most an hour.
pub fn backoff(attempt: u32) -> Duration {
    let doublings = attempt.saturating_sub(1);
    // 2^7 × 30 s already passes the hour; stopping there also keeps the shift in range.
    if doublings >= 7 {
        return LONGEST_RETRY;
    }
    (FIRST_RETRY * (1u32 << doublings)).min(LONGEST_RETRY)
}

/// When `job`, whose current attempt failed with `error` at `now`, runs again; `None` when it
/// is dead: the error says retrying is pointless, or this was its last attempt.
pub fn retry_at(job: &Job, error: &JobError, now: Timestamp) -> Option<Timestamp> {
    (error.retry && job.attempts < job.max_attempts).then(|| after(now, backoff(job.attempts)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use stint_store::JobState;

    #[test]
    fn backoff_doubles_from_thirty_seconds_up_to_an_hour() {
        let secs: Vec<u64> = (1..=9).map(|a| backoff(a).as_secs()).collect();
        assert_eq!(secs, [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]);
        assert_eq!(backoff(0), FIRST_RETRY, "attempt 0 is read as the first");
        assert_eq!(backoff(u32::MAX), LONGEST_RETRY);
    }

    fn job(attempts: u32, max_attempts: u32) -> Job {
        let t = Timestamp::UNIX_EPOCH;
        Job {
            id: 1,
            kind: "k".into(),
            payload: "{}".into(),
            dedupe_key: None,
            state: JobState::Running,
            due_at: t,
            attempts,
            max_attempts,
            lease_until: None,
            worker: Some("w".into()),
            last_error: None,
            created_at: t,
            updated_at: t,
        }
    }

    #[test]
    fn a_job_retries_until_its_attempts_run_out_unless_the_error_is_fatal() {
        let now = Timestamp::from_second(1_000).unwrap();
        let later = |s: i64| Some(Timestamp::from_second(1_000 + s).unwrap());
        let flaky = JobError::retry("peer down");
        assert_eq!(retry_at(&job(1, 3), &flaky, now), later(30));
        assert_eq!(retry_at(&job(2, 3), &flaky, now), later(60));
        assert_eq!(retry_at(&job(3, 3), &flaky, now), None);
        assert_eq!(retry_at(&job(4, 3), &flaky, now), None);
        assert_eq!(retry_at(&job(1, 3), &JobError::fatal("bad"), now), None);
    }
}
