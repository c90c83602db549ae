//! Credits and money, each movement a use case written once: the packs operators sell,
//! buying one (an invoice an operator marks paid, or the demo top-up), and the wallet a
//! person reads. Every credit moves in the ledger (`stint_store::LedgerStore`).

pub mod expiry;
pub mod packs;
pub mod purchases;
pub mod wallet;
