//! What the log-in throttle reads and writes: each attempt is recorded *before* its password
//! is checked, then the counts are read, so a burst of parallel guesses sees itself counted
//! (no check-then-record race). The rules that use the counts live in the application
//! (`stint_app::auth::throttle`).

use jiff::Timestamp;

/// The windows the counts of [`LoginCounts`] cover.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginWindows {
    /// Failures are counted from here.
    pub failures_since: Timestamp,
    /// Attempts on the account from here are "recent" (the slow-down under attack).
    pub recent_since: Timestamp,
    /// A success of this e-mail from this address since here makes the pair known.
    pub known_since: Timestamp,
}

/// Counts around one attempt, its own (still unfinished, so counted as a failure) included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LoginCounts {
    /// Failures of this e-mail from this address since the pair's last success.
    pub pair_failures: i64,
    /// Failures of this e-mail from any address.
    pub account_failures: i64,
    /// Failures from this address, for any e-mail.
    pub address_failures: i64,
    /// Attempts of any outcome on this e-mail within the recent window.
    pub account_recent: i64,
    /// Whether this e-mail has logged in from this address before (within `known_since`).
    pub known_pair: bool,
}

/// How an attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginOutcome {
    Succeeded,
    Failed,
    /// Throttled, or the password could not be checked (server busy): no guess was made,
    /// so the attempt is forgotten.
    NotChecked,
}
