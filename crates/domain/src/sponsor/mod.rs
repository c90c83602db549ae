//! Employer sponsorship: organisations that pay for their members' sessions from a budget,
//! the rules of that budget, and what a sponsor may see of the people it pays for.
//!
//! - `rules.rs` — a budget's period, what happens to what is left, the sessions it pays for,
//!   each member's cap per period and how long an admin has to approve a booking.
//! - `pay.rs` — who may pay with it for what (`may_pay`), and an approval's states.
//! - `domains.rs` — the e-mail domains an organisation may claim for its people to join by.
//! - `retention.rs` — the 90-day retention comparison from the sponsor's own list, shown
//!   only over groups of five and at most once a month.
//! - `privacy.rs` — figures about people shown only over groups of at least [`MIN_GROUP`],
//!   also where a breakdown and its total together would narrow a group below it.
//!
//! The budget itself is a ledger account ([`crate::ledger::Account::Budget`]): funding is a
//! transfer into it, a booking's hold a transfer out of it, a release one back.

pub mod domains;
mod pay;
mod privacy;
pub mod retention;
mod rules;

pub use pay::{Approval, PayRefusal, may_pay};
pub use privacy::{Cell, MIN_GROUP, shown, shown_beside_shared, shown_cells};
pub use rules::{
    APPROVAL_HOURS_MAX, BudgetRules, BudgetRulesInput, CAP_CREDITS_MAX, CAP_SESSIONS_MAX, Leftover,
    OrgRole, Period, validate_org_name,
};
