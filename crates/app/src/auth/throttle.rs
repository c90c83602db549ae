//! The log-in throttle's rules: slow a guesser down without locking the owner out.
//!
//! - **Per e-mail and address.** Five failures from one address for one account within
//!   15 minutes stop that pair (until the window passes or the pair logs in). Someone
//!   guessing from elsewhere does not stop the owner.
//! - **Per account, under attack.** Once an account has 10 failures within 15 minutes from
//!   anywhere, addresses it has never logged in from get one attempt per 10 seconds for it,
//!   together: a spread-out attack crawls, and the owner's usual addresses are not slowed.
//! - **Per address, spraying.** 100 failures from one address within 15 minutes (many
//!   accounts tried) stop that address for accounts it has not logged in to before. An office
//!   behind one proxy keeps logging in to the accounts its people use.
//!
//! Every attempt is recorded before its password is checked and counts itself, so parallel
//! guesses cannot slip through between a check and a record.

use jiff::{SignedDuration, Timestamp};
use stint_store::{LoginCounts, LoginWindows};

pub const WINDOW_MINUTES: i64 = 15;
pub const MAX_PAIR_FAILURES: i64 = 5;
pub const SLOW_DOWN_AFTER_ACCOUNT_FAILURES: i64 = 10;
pub const SLOW_DOWN_SECS: i64 = 10;
pub const MAX_ADDRESS_FAILURES: i64 = 100;
/// How long a successful log-in makes an address "known" for the account.
pub const KNOWN_DAYS: i64 = 30;

/// What to do with an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Check the password.
    Check,
    /// Refuse without checking; try again after this many seconds.
    Wait(u64),
}

/// The windows the rules need counted, ending at `now`.
pub fn windows(now: Timestamp) -> LoginWindows {
    let back = |d: SignedDuration| now.saturating_sub(d).unwrap_or(now);
    LoginWindows {
        failures_since: back(SignedDuration::from_mins(WINDOW_MINUTES)),
        recent_since: back(SignedDuration::from_secs(SLOW_DOWN_SECS)),
        known_since: back(SignedDuration::from_hours(24 * KNOWN_DAYS)),
    }
}

/// `counts` as they would be with one more (failed) attempt of the pair recorded: the
/// verdict on an attempt before it is recorded.
pub fn with_one_more(counts: LoginCounts) -> LoginCounts {
    LoginCounts {
        pair_failures: counts.pair_failures + 1,
        account_failures: counts.account_failures + 1,
        address_failures: counts.address_failures + 1,
        account_recent: counts.account_recent + 1,
        known_pair: counts.known_pair,
    }
}

/// The verdict on an attempt whose own record is included in `counts`.
pub fn verdict(counts: &LoginCounts) -> Verdict {
    let window = u64::try_from(WINDOW_MINUTES * 60).unwrap_or(900);
    if counts.pair_failures > MAX_PAIR_FAILURES {
        return Verdict::Wait(window);
    }
    if counts.known_pair {
        return Verdict::Check;
    }
    if counts.address_failures > MAX_ADDRESS_FAILURES {
        return Verdict::Wait(window);
    }
    if counts.account_failures > SLOW_DOWN_AFTER_ACCOUNT_FAILURES && counts.account_recent > 1 {
        return Verdict::Wait(u64::try_from(SLOW_DOWN_SECS).unwrap_or(10));
    }
    Verdict::Check
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Counts for an attempt (its own record included, as the store gives them).
    fn attempt(pair: i64, account: i64, address: i64, recent: i64, known: bool) -> LoginCounts {
        LoginCounts {
            pair_failures: pair,
            account_failures: account,
            address_failures: address,
            account_recent: recent,
            known_pair: known,
        }
    }

    #[test]
    fn five_guesses_per_pair_then_a_wait() {
        assert_eq!(verdict(&attempt(5, 5, 5, 1, false)), Verdict::Check);
        assert_eq!(verdict(&attempt(6, 6, 6, 1, false)), Verdict::Wait(900));
        // Even from a known address: the pair is what guessed.
        assert_eq!(verdict(&attempt(6, 6, 6, 1, true)), Verdict::Wait(900));
    }

    #[test]
    fn an_attacked_account_slows_strangers_but_not_the_owners_addresses() {
        // 40 failures from elsewhere; this address has no failures of its own.
        assert_eq!(verdict(&attempt(1, 41, 1, 3, false)), Verdict::Wait(10));
        assert_eq!(
            verdict(&attempt(1, 41, 1, 1, false)),
            Verdict::Check,
            "one per 10 s"
        );
        assert_eq!(
            verdict(&attempt(1, 41, 1, 3, true)),
            Verdict::Check,
            "the owner"
        );
    }

    #[test]
    fn a_sprayer_is_stopped_but_an_office_keeps_its_own_accounts() {
        assert_eq!(verdict(&attempt(1, 1, 101, 1, false)), Verdict::Wait(900));
        assert_eq!(verdict(&attempt(1, 1, 101, 1, true)), Verdict::Check);
        assert_eq!(verdict(&attempt(1, 1, 100, 1, false)), Verdict::Check);
    }
}
