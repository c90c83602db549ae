//! What is sold and bought: credit packs, purchases of them, and the lots bought credits are
//! kept in until spent or expired. The credits themselves move in the ledger (`ledger.rs`).

use crate::interfaces::Result;
use async_trait::async_trait;
use jiff::Timestamp;
use stint_domain::ids::UserId;
use stint_domain::ledger::{Credits, Pack};

/// A stored pack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackRecord {
    pub id: i64,
    pub pack: Pack,
}

/// Where a purchase stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PurchaseState {
    /// Waiting for the money (an invoice, or the provider's word).
    Pending,
    /// Paid and credited.
    Paid,
    /// Given up before it was paid.
    Cancelled,
}

impl PurchaseState {
    pub fn as_str(self) -> &'static str {
        match self {
            PurchaseState::Pending => "pending",
            PurchaseState::Paid => "paid",
            PurchaseState::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<PurchaseState> {
        match s {
            "pending" => Some(PurchaseState::Pending),
            "paid" => Some(PurchaseState::Paid),
            "cancelled" => Some(PurchaseState::Cancelled),
            _ => None,
        }
    }
}

/// A purchase of a pack: what was bought, for how much, through which provider. The pack's
/// terms are copied, so a later change of the pack does not change what was bought.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PurchaseRecord {
    pub id: i64,
    pub user: UserId,
    pub pack_id: i64,
    pub pack_name: String,
    pub credits: Credits,
    pub price_minor: i64,
    pub currency: String,
    pub months_valid: Option<u32>,
    /// `manual` (an invoice an operator marks paid), `demo`, or a payment provider's name.
    pub provider: String,
    pub provider_ref: String,
    pub state: PurchaseState,
    pub created_at: Timestamp,
    pub paid_at: Option<Timestamp>,
}

/// What is left of one paid purchase's credits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LotRecord {
    pub id: i64,
    pub purchase_id: Option<i64>,
    pub credits: Credits,
    pub remaining: Credits,
    pub expires_at: Option<Timestamp>,
    pub created_at: Timestamp,
}

/// What marking a purchase paid did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Paid {
    /// Paid now: its credits are in the wallet, in a new lot.
    Now(PurchaseRecord),
    /// It was paid before: nothing more was credited.
    Already(PurchaseRecord),
}

/// Credits that expired with their lot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpiredLot {
    pub lot: i64,
    pub user: UserId,
    /// Moved from the wallet to the expired account.
    pub credits: Credits,
}

/// The job that mails a mentee that a lot's credits expire soon (`ExpiryWarning` payload).
pub const EXPIRY_WARNING_MAIL: &str = "credits.expiry_warning_mail";

/// `credits.expiry_warning_mail`'s payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ExpiryWarning {
    pub lot: i64,
}

#[async_trait]
pub trait MoneyStore: Send + Sync {
    /// Marks up to `limit` lots that still hold credits and expire within `(now, until]` as
    /// warned, and queues each one's warning mail in the same transaction: each lot is warned
    /// once. The lots marked.
    async fn queue_expiry_warnings(
        &self,
        now: Timestamp,
        until: Timestamp,
        limit: u32,
    ) -> Result<Vec<i64>>;
    /// One lot, and whose it is.
    async fn lot(&self, id: i64) -> Result<Option<(LotRecord, UserId)>>;
    /// Expires up to `limit` lots whose time has come (`expires_at <= now`) and that still
    /// hold credits, each in its own transaction: what is left moves from the wallet to the
    /// expired account (key `expiry:lot:<id>:<n>`, the lot's n-th expiry: credits given back to
    /// an expired lot expire again) and the lot is emptied. Running it again
    /// expires nothing twice.
    async fn expire_lots(&self, now: Timestamp, limit: u32) -> Result<Vec<ExpiredLot>>;
    async fn create_pack(&self, pack: &Pack, now: Timestamp) -> Result<PackRecord>;
    /// `NotFound` for an unknown pack.
    async fn update_pack(&self, id: i64, pack: &Pack, now: Timestamp) -> Result<PackRecord>;
    async fn pack(&self, id: i64) -> Result<Option<PackRecord>>;
    /// Every pack (the active ones only, unless `inactive_too`), cheapest per credit first.
    async fn packs(&self, inactive_too: bool) -> Result<Vec<PackRecord>>;

    /// Records a pending purchase of `pack` by `user` through `provider`.
    async fn create_purchase(
        &self,
        user: UserId,
        pack: &PackRecord,
        provider: &str,
        now: Timestamp,
    ) -> Result<PurchaseRecord>;
    async fn purchase(&self, id: i64) -> Result<Option<PurchaseRecord>>;
    /// A person's purchases, newest first.
    async fn purchases_of(&self, user: UserId, limit: u32) -> Result<Vec<PurchaseRecord>>;
    /// Purchases in `state` through `provider`, oldest first (the operators' queue of invoices).
    async fn purchases_in(
        &self,
        state: PurchaseState,
        provider: &str,
        limit: u32,
    ) -> Result<Vec<PurchaseRecord>>;
    /// Marks purchase `id` paid and credits it, once, in one transaction: the state, the
    /// ledger movement (world → wallet, key `purchase:<id>`, with the money paid) and the lot.
    /// `NotFound` for an unknown purchase, a conflict on `state` for a cancelled one.
    async fn mark_purchase_paid(&self, id: i64, provider_ref: &str, now: Timestamp)
    -> Result<Paid>;
    /// Whether `provider`'s event `event_id` was recorded by [`record_payment_event`].
    ///
    /// [`record_payment_event`]: MoneyStore::record_payment_event
    async fn payment_event_seen(&self, provider: &str, event_id: &str) -> Result<bool>;
    /// Records that `provider` sent event `event_id` (of `kind`, paying `purchase` if it paid
    /// one), after it was acted on; false when it was recorded already.
    async fn record_payment_event(
        &self,
        provider: &str,
        event_id: &str,
        kind: &str,
        purchase: Option<i64>,
        now: Timestamp,
    ) -> Result<bool>;
    /// A person's lots that still hold credits, first to expire first.
    async fn lots_of(&self, user: UserId) -> Result<Vec<LotRecord>>;
}
