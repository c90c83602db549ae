//! Nudges: the messages that turn one session into a habit (confirmations, reminders, prep,
//! the mentor's close prompt, follow-up check-ins, task due dates), pure.
//!
//! - `kind.rs`: what a nudge is about, and the channels it can go by;
//! - `prefs.rs`: each person's choices (reminder lead times, quiet hours, channels per kind);
//! - `quiet.rs`: quiet hours in the recipient's own zone;
//! - `plan.rs`: which nudges a booking in a given state calls for, and when, per recipient
//!   and channel, each under a stable key so planning twice plans nothing new;
//! - `due.rs`: whether a planned nudge is still wanted at the moment it would be sent (a
//!   rescheduled or cancelled session withdraws what was planned for it).

mod due;
mod kind;
mod plan;
#[cfg(test)]
mod plan_tests;
mod prefs;
mod quiet;

pub use due::{Current, still_wanted};
pub use kind::{Channel, NudgeKind};
pub use plan::{Change, Facts, Party, Planned, plan};
pub use prefs::{NudgePrefs, NudgePrefsInput, QuietHours};
pub use quiet::defer_past_quiet;
