//! A person's wallet: the balance, the lots it is kept in with their expiry, every entry
//! with the balance after it, and the purchases made.

use crate::App;
use crate::error::AppError;
use stint_domain::account::Account;
use stint_domain::ledger::{self, Credits};
use stint_store::ledger::Entry;
use stint_store::money::{LotRecord, PurchaseRecord};

/// The most entries a wallet view shows.
pub const ENTRIES_SHOWN: u32 = 200;

/// Everything the wallet page and API show.
#[derive(Debug, Clone)]
pub struct Wallet {
    pub balance: Credits,
    /// Lots that still hold credits, first to expire first.
    pub lots: Vec<LotRecord>,
    /// Newest first, at most [`ENTRIES_SHOWN`] (older than the `before` asked for).
    pub entries: Vec<Entry>,
    /// Where the next page of older entries starts (its `before`), when there are more.
    pub older: Option<i64>,
    /// Newest first.
    pub purchases: Vec<PurchaseRecord>,
}

/// `me`'s own wallet, its entries older than entry `before` (the newest without).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn mine(app: &App, me: &Account, before: Option<i64>) -> Result<Wallet, AppError> {
    let account = ledger::Account::Wallet(me.id);
    // One more than shown tells whether an older page exists.
    let mut entries = app
        .store
        .ledger_entries(account, before, ENTRIES_SHOWN + 1)
        .await?;
    let older = (entries.len() > ENTRIES_SHOWN as usize).then(|| {
        entries.truncate(ENTRIES_SHOWN as usize);
        entries.last().map_or(0, |e| e.id)
    });
    Ok(Wallet {
        balance: app.store.ledger_balance(account).await?,
        lots: app.store.lots_of(me.id).await?,
        entries,
        older,
        purchases: app.store.purchases_of(me.id, 50).await?,
    })
}

/// What `me` can spend now: the credits of lots still open (a lot past its expiry waits for
/// the expiry job but is no longer spent). The booking's hold checks the same in its write.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn spendable(app: &App, me: &Account) -> Result<Credits, AppError> {
    let now = app.now();
    Ok(app
        .store
        .lots_of(me.id)
        .await?
        .iter()
        .filter(|l| ledger::open_at(l.expires_at, now))
        .map(|l| l.remaining)
        .sum())
}
