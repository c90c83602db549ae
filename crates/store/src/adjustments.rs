//! Refunds and corrections by operators, each a new ledger movement with the operator, the
//! reason and (refunds) the purchase and the money given back, kept for the audit view.
//! Nothing is ever changed in place.

use crate::interfaces::Result;
use crate::ledger::Money;
use async_trait::async_trait;
use jiff::Timestamp;
use stint_domain::ids::UserId;
use stint_domain::ledger::Credits;

/// What an adjustment was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdjustmentKind {
    /// Credits of a purchase given back with their money, through the provider that took it.
    Refund,
    /// Credits given or taken by an operator, with a reason.
    Correction,
}

impl AdjustmentKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AdjustmentKind::Refund => "refund",
            AdjustmentKind::Correction => "correction",
        }
    }
}

/// One refund or correction as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdjustmentRecord {
    pub id: i64,
    pub kind: AdjustmentKind,
    pub operator: UserId,
    /// Whose wallet.
    pub user: UserId,
    /// Into the wallet if positive, out of it if negative.
    pub credits: Credits,
    pub purchase: Option<i64>,
    /// The money a refund gives back.
    pub money: Option<Money>,
    /// The payment provider a refund gives it back through (`manual`, `stripe`, `demo`).
    pub provider: Option<String>,
    pub reason: String,
    pub at: Timestamp,
}

#[async_trait]
pub trait AdjustmentStore: Send + Sync {
    /// Refunds `credits` of paid purchase `purchase` with their share of its price: out of the
    /// purchase's lot, never more than the lot has left unspent (`StoreError::Invalid` on
    /// `credits`). Unknown purchase: `NotFound`; one not paid: `Conflict`.
    async fn refund(
        &self,
        operator: UserId,
        purchase: i64,
        credits: Credits,
        reason: &str,
        now: Timestamp,
    ) -> Result<AdjustmentRecord>;
    /// Gives `credits` to `user`'s wallet (a lot that never expires), or takes them if
    /// negative (from the lots that expire first; `StoreError::Insufficient` if the wallet
    /// holds too few).
    async fn correct(
        &self,
        operator: UserId,
        user: UserId,
        credits: Credits,
        reason: &str,
        now: Timestamp,
    ) -> Result<AdjustmentRecord>;
    /// The newest `limit` refunds and corrections, newest first.
    async fn adjustments(&self, limit: u32) -> Result<Vec<AdjustmentRecord>>;
}
