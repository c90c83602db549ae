//! When each API token was last used, for its owner's token list. Recording every request
//! would be a write per request; a process records a token at most once a minute.

use jiff::{SignedDuration, Timestamp};
use std::collections::HashMap;
use std::sync::Mutex;

/// How stale a token's recorded last use may get.
pub const RECORD_EVERY_SECS: i64 = 60;
/// Past this many tokens remembered, the oldest entries are dropped.
const MAX_REMEMBERED: usize = 10_000;

/// The tokens this process recorded lately, by digest.
#[derive(Default)]
pub struct RecentUse(Mutex<HashMap<String, Timestamp>>);

impl RecentUse {
    /// Whether the use of `digest` at `now` should be recorded (and, if so, notes it).
    pub fn due(&self, digest: &str, now: Timestamp) -> bool {
        let Ok(mut seen) = self.0.lock() else {
            return true;
        };
        let every = SignedDuration::from_secs(RECORD_EVERY_SECS);
        if seen
            .get(digest)
            .is_some_and(|at| now.duration_since(*at) < every)
        {
            return false;
        }
        if seen.len() >= MAX_REMEMBERED {
            let cutoff = now.saturating_sub(every).unwrap_or(now);
            seen.retain(|_, at| *at > cutoff);
            if seen.len() >= MAX_REMEMBERED {
                seen.clear();
            }
        }
        seen.insert(digest.to_string(), now);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_recorded_at_most_once_a_minute() {
        let uses = RecentUse::default();
        let t = |s: i64| Timestamp::from_second(1_800_000_000 + s).unwrap();
        assert!(uses.due("a", t(0)));
        assert!(!uses.due("a", t(30)));
        assert!(uses.due("b", t(30)), "another token");
        assert!(uses.due("a", t(60)));
    }
}
