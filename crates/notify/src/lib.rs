//! Stint's nudges at work: the job handlers that turn booking changes into planned nudges
//! and deliver each planned nudge once per channel (in-app inbox, e-mail, workspace chat).
//!
//! - `planner.rs` — `booking.changed` (written by the store's outbox in the same transaction
//!   as the change): reads the booking as it is, plans with `stint_domain::nudge::plan`, and
//!   enqueues one `nudge.send` job per nudge and channel due within the hour, deduplicated by
//!   the nudge's key, and one `nudge.plan` job, due with the first later nudge, that does the
//!   same then (unless the booking was moved, cancelled or closed in between);
//! - `sender.rs` — `nudge.send`: skips what the delivery log already has, withdraws what the
//!   booking no longer calls for, and delivers: the inbox item and its log row in one
//!   transaction; an e-mail, then its log row; a chat post (`chat.rs`: through the worker's
//!   `ChatPoster`), then its log row;
//! - `load.rs` — what both read about a booking; `wording.rs` — what each nudge says, in the
//!   recipient's zone; `email.rs` — the e-mail (text, HTML, the invite attached).

pub mod chat;
mod email;
mod load;
mod planner;
mod sender;
mod wording;

pub use planner::{LaterPlanner, PLAN, Planner};
pub use sender::{Sender, Sent};
pub use wording::{Words, lead_words};

/// The job kind of one nudge on one channel.
pub const SEND: &str = "nudge.send";
/// Attempts of a `nudge.send` job: with the worker's backoff (30 s doubling, at most an
/// hour) about eight hours of retrying an unreachable mail server.
pub const SEND_ATTEMPTS: u32 = 12;

/// What nudges need to know about the site.
#[derive(Debug, Clone)]
pub struct NudgeSettings {
    /// The address people reach Stint at, for links in e-mail (`https://stint.example`).
    pub public_url: String,
}
