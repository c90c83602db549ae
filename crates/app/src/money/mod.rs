//! Credits and money, each movement a use case written once: the packs operators sell,
//! buying one (by card on Stripe, an invoice an operator marks paid, or the demo top-up), the wallet a person
//! reads, a mentor's earnings, the payouts operators run, and refunds and corrections. Every credit moves in the ledger (`stint_store::LedgerStore`).

pub mod adjustments;
pub mod bonus;
pub mod earnings;
pub mod expiry;
pub mod packs;
pub mod payouts;
pub mod purchases;
pub mod stripe;
pub mod wallet;
