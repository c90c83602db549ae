//! The credit ledger's rules: accounts, transfers of whole credits between two accounts, and
//! the invariants every state of the ledger keeps. Pure: the store enforces the same rules in
//! the database (`stint_store::LedgerStore`), and `Ledger` is the model that checks them.
//!
//! - Every movement is one or more immutable transfers of a positive number of whole
//!   credits from one account to another; mistakes are corrected by new transfers.
//! - Only [`Account::World`] (money received and paid out: credits enter and leave the
//!   platform through it) may go negative; every other balance stays at or above zero.
//! - So the balances always sum to zero.

mod account;
pub mod bonus;
mod hold;
mod lots;
mod model;
mod pack;
mod split;

pub use account::{Account, AccountParseError};
pub use hold::{DEFAULT_LATE_CANCEL_PERCENT, HoldEnd, HoldState, restore_to_lots};
pub use lots::{Lot, LotTake, open_at, take_first_expiring};
pub use model::{Ledger, LedgerError, Transfer, TransferKind};
pub use pack::{
    CURRENCIES, MONTHS_MAX, PACK_CREDITS_MAX, PRICE_MINOR_MAX, Pack, PackInput, currency,
    format_money, lot_expiry,
};
pub use split::{Split, fee_split, forfeit_split, refund_money};

/// A number of whole credits.
pub type Credits = i64;

/// The most credits one transfer moves (a bound that keeps every sum far from overflow).
pub const MAX_TRANSFER: Credits = 1_000_000_000;
