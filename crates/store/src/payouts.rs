//! Paying mentors what they earned: a payout run moves each mentor's amount from their
//! earnings account to the world in one transaction (movement `payout:<id>`), never more than
//! the account holds, and records it for the run's CSV. Also a mentor's earnings history, read
//! from the ledger.

use crate::interfaces::Result;
use async_trait::async_trait;
use jiff::Timestamp;
use stint_domain::ids::UserId;
use stint_domain::ledger::{Credits, TransferKind};

/// What one mentor is owed now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Owed {
    pub mentor: UserId,
    pub credits: Credits,
}

/// A payout run: who ran it, when and how much it paid in all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayoutRun {
    pub id: i64,
    pub operator: UserId,
    pub total: Credits,
    pub payouts: i64,
    pub at: Timestamp,
}

/// One mentor's payout in a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayoutRecord {
    pub id: i64,
    pub run: i64,
    pub mentor: UserId,
    pub credits: Credits,
    pub at: Timestamp,
}

/// A movement of a mentor's earnings, or the platform's fee on one of their sessions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EarningsEntry {
    pub at: Timestamp,
    /// `settle`, `forfeit`, `bonus_paid` (in), `payout` (out) or `fee` (kept by the platform).
    pub kind: TransferKind,
    /// Always positive; the kind says which way.
    pub credits: Credits,
    /// `booking:17`, `payout:3`.
    pub reference: String,
}

#[async_trait]
pub trait PayoutStore: Send + Sync {
    /// Every mentor whose earnings account holds credits now, by mentor id.
    async fn owed(&self) -> Result<Vec<Owed>>;
    /// Pays each of `payouts` in one transaction, recorded as one run by `operator`: all or
    /// nothing. `StoreError::Insufficient` if one is more than its mentor is owed by then;
    /// `StoreError::Invalid` for an amount that is not positive or a mentor named twice.
    async fn run_payouts(
        &self,
        operator: UserId,
        payouts: &[Owed],
        now: Timestamp,
    ) -> Result<PayoutRun>;
    /// The newest `limit` runs, newest first.
    async fn payout_runs(&self, limit: u32) -> Result<Vec<PayoutRun>>;
    /// The payouts of run `run`, by mentor id (empty for an unknown run).
    async fn payouts_in(&self, run: i64) -> Result<Vec<PayoutRecord>>;
    /// `mentor`'s earnings history, oldest first: every transfer into or out of their
    /// earnings account, and the platform's fees on their sessions.
    async fn earnings_entries(&self, mentor: UserId) -> Result<Vec<EarningsEntry>>;
}
