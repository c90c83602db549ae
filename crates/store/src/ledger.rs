//! The credit ledger's storage: movements of credits written all or nothing, each under an
//! idempotency key, with every balance kept in its account's row. The database holds the
//! invariants too: a CHECK keeps balances other than the world's at or above zero, and
//! triggers refuse to change or delete a transfer.

use crate::interfaces::Result;
use async_trait::async_trait;
use jiff::Timestamp;
use stint_domain::ledger::{Account, Credits, Transfer, TransferKind};

/// Money paid for a purchase, beside the credits it bought.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Money {
    /// ISO 4217 minor units (cents).
    pub minor: i64,
    /// ISO 4217 code, upper case.
    pub currency: String,
}

/// A movement of credits: one or more transfers written together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Movement {
    /// Makes the movement happen once, however often it is asked for.
    pub key: String,
    pub transfers: Vec<Transfer>,
    /// What it is about: `booking:17`, `purchase:3`, `refund:2`; empty for none.
    pub reference: String,
    /// Money paid, recorded on the first transfer.
    pub money: Option<Money>,
}

/// What became of a movement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moved {
    /// Written now.
    Done,
    /// Its key was used already: nothing written.
    AlreadyDone,
}

/// One transfer as an account's statement shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub id: i64,
    pub at: Timestamp,
    pub kind: TransferKind,
    /// The other account.
    pub counterpart: Account,
    /// Positive in, negative out.
    pub amount: Credits,
    /// The account's balance after this entry.
    pub balance: Credits,
    pub reference: String,
    pub money: Option<Money>,
}

/// One stored transfer as written, for export (account names and kind as stored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferRow {
    pub id: i64,
    pub at: Timestamp,
    pub movement: String,
    pub seq: i64,
    pub from: String,
    pub to: String,
    pub amount: Credits,
    pub kind: String,
    pub reference: String,
    pub money: Option<Money>,
}

/// A booking's hold: its price, who pays it and where it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoldRecord {
    pub booking: stint_domain::booking::BookingId,
    pub payer: Account,
    pub price: Credits,
    pub state: stint_domain::ledger::HoldState,
    pub ended_at: Option<Timestamp>,
    /// The outcome bonus escrowed beside the hold (0 for none), where it stands, and the end
    /// of the mentee's window to confirm the milestone (set when the session closes).
    pub bonus: Credits,
    pub bonus_state: Option<stint_domain::ledger::bonus::BonusState>,
    pub bonus_until: Option<Timestamp>,
}

#[async_trait]
pub trait LedgerStore: Send + Sync {
    /// The holds of `bookings`, for those that have one (free sessions and sessions booked
    /// before credits have none).
    async fn booking_holds(
        &self,
        bookings: &[stint_domain::booking::BookingId],
    ) -> Result<Vec<HoldRecord>>;
    /// Up to `limit` transfers with ids above `after`, in id order (the export reads them all,
    /// a page at a time).
    async fn ledger_transfers_after(&self, after: i64, limit: u32) -> Result<Vec<TransferRow>>;
    /// Writes `movement`'s transfers in one transaction, or nothing: `StoreError::Insufficient`
    /// if an account other than the world would go below zero, `StoreError::Invalid` if a
    /// transfer breaks the rules of one transfer (see `Transfer::check`).
    async fn move_credits(&self, movement: &Movement, now: Timestamp) -> Result<Moved>;
    /// An account's balance (0 for one never used).
    async fn ledger_balance(&self, account: Account) -> Result<Credits>;
    /// The newest `limit` entries of an account older than entry `before` (all of them
    /// without), newest first, each with the balance after it.
    async fn ledger_entries(
        &self,
        account: Account,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<Entry>>;
    /// Every broken invariant, described (empty when the ledger is sound): a stored balance
    /// that is not the sum of its transfers, a negative balance where none is allowed, a total
    /// other than zero, an account or a kind that is not one of the ledger's.
    async fn ledger_violations(&self) -> Result<Vec<String>>;
    /// Every disagreement between the ledger and what it pays for, described: `held` holding
    /// other than the prices of the holds not yet ended, a hold that took other than its price
    /// from lots, a wallet holding other than what its lots have left. (Movements written
    /// straight with `move_credits` bypass lots and holds; the use cases never do.)
    async fn holding_violations(&self) -> Result<Vec<String>>;
    /// Pays `booking`'s escrowed bonus to its mentor (less `fee_basis_points`), once, while
    /// its window is open at `now`: false (and nothing written) when the bonus is not
    /// escrowed or its window is not open.
    async fn pay_bonus(
        &self,
        booking: stint_domain::booking::BookingId,
        fee_basis_points: u32,
        now: Timestamp,
    ) -> Result<bool>;
    /// Returns to their payers up to `limit` escrowed bonuses whose window ended before `now`
    /// (each once, its credits back to the lots they came from); the bookings returned.
    async fn return_due_bonuses(
        &self,
        now: Timestamp,
        limit: u32,
    ) -> Result<Vec<stint_domain::booking::BookingId>>;
}
