//! Sign-ups per client address: each costs a password hash (19 MiB, a core for tens of
//! milliseconds) and a row, so one address may make [`PER_ADDRESS`] in an hour. Counted in
//! this process, by the application's clock (a fixed window per address); each node of a
//! cluster counts its own, which still bounds what one address costs each node. The map is
//! bounded: past [`MAX_ADDRESSES`] the ended windows go, then, should that not be enough, all.

use jiff::{SignedDuration, Timestamp};
use std::collections::HashMap;
use std::sync::Mutex;

/// Sign-ups one address may make within [`WINDOW`].
pub const PER_ADDRESS: u32 = 10;
/// The window sign-ups are counted in.
pub const WINDOW: SignedDuration = SignedDuration::from_hours(1);
/// Addresses remembered at most.
const MAX_ADDRESSES: usize = 100_000;

/// The sign-up windows of the addresses seen lately.
#[derive(Default)]
pub struct SignupLimit {
    windows: Mutex<HashMap<String, (Timestamp, u32)>>,
}

impl SignupLimit {
    /// Counts a sign-up from `address` at `now`: `Ok`, or the seconds until its window ends.
    pub fn admit(&self, address: &str, now: Timestamp) -> Result<(), u64> {
        let Ok(mut windows) = self.windows.lock() else {
            return Ok(());
        };
        let ended = |start: Timestamp| now.duration_since(start) >= WINDOW || start > now;
        if windows.len() >= MAX_ADDRESSES && !windows.contains_key(address) {
            windows.retain(|_, (start, _)| !ended(*start));
            if windows.len() >= MAX_ADDRESSES {
                windows.clear();
            }
        }
        let (start, count) = windows.entry(address.to_string()).or_insert((now, 0));
        if ended(*start) {
            (*start, *count) = (now, 0);
        }
        if *count >= PER_ADDRESS {
            let left = WINDOW - now.duration_since(*start);
            return Err(u64::try_from(left.as_secs()).unwrap_or(1).max(1));
        }
        *count += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_gets_its_share_per_window_and_others_theirs() {
        let limit = SignupLimit::default();
        let t0: Timestamp = "2026-06-01T08:00:00Z".parse().unwrap();
        for _ in 0..PER_ADDRESS {
            assert_eq!(limit.admit("198.51.100.7", t0), Ok(()));
        }
        let later = t0 + SignedDuration::from_mins(20);
        assert_eq!(limit.admit("198.51.100.7", later), Err(40 * 60));
        assert_eq!(limit.admit("203.0.113.9", later), Ok(()), "another address");
        let next_hour = t0 + WINDOW;
        assert_eq!(
            limit.admit("198.51.100.7", next_hour),
            Ok(()),
            "a new window"
        );
    }
}
