//! Transfers and the in-memory ledger that applies them under the invariants: the model the
//! store is checked against, and what `stint ledger verify` recomputes.

use super::{Account, Credits, MAX_TRANSFER};
use std::collections::BTreeMap;

/// Why a movement of credits happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TransferKind {
    /// Credits bought: world → wallet.
    Purchase,
    /// A booking's price put aside: wallet → held.
    Hold,
    /// A hold given back (cancelled in time, the mentor did not come): held → wallet.
    Release,
    /// A delivered session paid: held → earnings.
    Settle,
    /// The platform's fee of a settled session: held → revenue.
    Fee,
    /// A late cancel's or a missed session's share: held → earnings (or revenue).
    Forfeit,
    /// An outcome bonus set aside at booking: wallet → bonus escrow.
    BonusEscrow,
    /// The milestone was reached: bonus escrow → earnings.
    BonusPaid,
    /// The window closed without it: bonus escrow → wallet.
    BonusReturned,
    /// Credits past their lot's expiry: wallet → expired.
    Expiry,
    /// Money given back through the provider that took it: wallet → world.
    Refund,
    /// An operator's correction, with a reason, in either direction.
    Correction,
    /// A mentor paid what they earned: earnings → world.
    Payout,
}

impl TransferKind {
    pub const ALL: [TransferKind; 13] = [
        TransferKind::Purchase,
        TransferKind::Hold,
        TransferKind::Release,
        TransferKind::Settle,
        TransferKind::Fee,
        TransferKind::Forfeit,
        TransferKind::BonusEscrow,
        TransferKind::BonusPaid,
        TransferKind::BonusReturned,
        TransferKind::Expiry,
        TransferKind::Refund,
        TransferKind::Correction,
        TransferKind::Payout,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TransferKind::Purchase => "purchase",
            TransferKind::Hold => "hold",
            TransferKind::Release => "release",
            TransferKind::Settle => "settle",
            TransferKind::Fee => "fee",
            TransferKind::Forfeit => "forfeit",
            TransferKind::BonusEscrow => "bonus_escrow",
            TransferKind::BonusPaid => "bonus_paid",
            TransferKind::BonusReturned => "bonus_returned",
            TransferKind::Expiry => "expiry",
            TransferKind::Refund => "refund",
            TransferKind::Correction => "correction",
            TransferKind::Payout => "payout",
        }
    }

    pub fn parse(s: &str) -> Option<TransferKind> {
        TransferKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// One movement of whole credits between two accounts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transfer {
    pub from: Account,
    pub to: Account,
    pub amount: Credits,
    pub kind: TransferKind,
}

/// A transfer the ledger refuses.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LedgerError {
    #[error("a transfer moves between 1 and {MAX_TRANSFER} credits, not {0}")]
    BadAmount(Credits),
    #[error("a transfer needs two different accounts, not {0} twice")]
    SameAccount(Account),
    #[error("{account} holds {balance} credits, fewer than the {needed} asked for")]
    Insufficient {
        account: Account,
        balance: Credits,
        needed: Credits,
    },
}

impl Transfer {
    /// Checks the transfer on its own: a positive amount within bounds, two accounts.
    pub fn check(&self) -> Result<(), LedgerError> {
        if !(1..=MAX_TRANSFER).contains(&self.amount) {
            return Err(LedgerError::BadAmount(self.amount));
        }
        if self.from == self.to {
            return Err(LedgerError::SameAccount(self.from));
        }
        Ok(())
    }
}

/// Balances after a sequence of transfers, each applied only if every invariant still holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ledger {
    balances: BTreeMap<Account, Credits>,
}

impl Ledger {
    pub fn new() -> Ledger {
        Ledger::default()
    }

    pub fn balance(&self, account: Account) -> Credits {
        self.balances.get(&account).copied().unwrap_or(0)
    }

    /// Every account with a balance other than zero.
    pub fn balances(&self) -> impl Iterator<Item = (Account, Credits)> + '_ {
        self.balances
            .iter()
            .filter(|(_, b)| **b != 0)
            .map(|(a, b)| (*a, *b))
    }

    /// Applies `transfers` together, or none of them if any breaks an invariant (as one
    /// database transaction does).
    pub fn apply(&mut self, transfers: &[Transfer]) -> Result<(), LedgerError> {
        let mut next = self.balances.clone();
        for t in transfers {
            t.check()?;
            let from = next.entry(t.from).or_insert(0);
            if !t.from.may_go_negative() && *from < t.amount {
                return Err(LedgerError::Insufficient {
                    account: t.from,
                    balance: *from,
                    needed: t.amount,
                });
            }
            *from -= t.amount;
            *next.entry(t.to).or_insert(0) += t.amount;
        }
        self.balances = next;
        Ok(())
    }

    /// What is wrong with these balances, if anything: a negative balance where none is
    /// allowed, or a total other than zero (credits made or lost outside a transfer).
    pub fn violations(&self) -> Vec<String> {
        let mut found: Vec<String> = self
            .balances
            .iter()
            .filter(|(a, b)| !a.may_go_negative() && **b < 0)
            .map(|(a, b)| format!("{a} is negative: {b}"))
            .collect();
        let total: i128 = self.balances.values().map(|b| i128::from(*b)).sum();
        if total != 0 {
            found.push(format!("the balances sum to {total}, not 0"));
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::UserId;
    use proptest::prelude::*;

    const ANA: Account = Account::Wallet(UserId(1));
    const MAYA: Account = Account::Earnings(UserId(2));

    fn t(from: Account, to: Account, amount: Credits, kind: TransferKind) -> Transfer {
        Transfer {
            from,
            to,
            amount,
            kind,
        }
    }

    #[test]
    fn a_wallet_never_goes_negative_and_a_refused_movement_changes_nothing() {
        let mut l = Ledger::new();
        l.apply(&[t(Account::World, ANA, 30, TransferKind::Purchase)])
            .unwrap();
        assert_eq!(l.balance(ANA), 30);
        assert_eq!(l.balance(Account::World), -30);
        // A settle in two legs: the second cannot be paid, so neither happens.
        let before = l.clone();
        let refused = l.apply(&[
            t(ANA, Account::Held, 20, TransferKind::Hold),
            t(ANA, Account::Held, 20, TransferKind::Hold),
        ]);
        assert!(matches!(refused, Err(LedgerError::Insufficient { .. })));
        assert_eq!(l, before);
        l.apply(&[t(ANA, Account::Held, 30, TransferKind::Hold)])
            .unwrap();
        l.apply(&[
            t(Account::Held, MAYA, 24, TransferKind::Settle),
            t(Account::Held, Account::Revenue, 6, TransferKind::Fee),
        ])
        .unwrap();
        assert_eq!((l.balance(ANA), l.balance(MAYA)), (0, 24));
        assert!(l.violations().is_empty());
    }

    #[test]
    fn amounts_are_positive_whole_credits_between_two_accounts() {
        let mut l = Ledger::new();
        for bad in [0, -5, MAX_TRANSFER + 1] {
            assert_eq!(
                l.apply(&[t(Account::World, ANA, bad, TransferKind::Purchase)]),
                Err(LedgerError::BadAmount(bad))
            );
        }
        assert_eq!(
            l.apply(&[t(ANA, ANA, 1, TransferKind::Correction)]),
            Err(LedgerError::SameAccount(ANA))
        );
        assert_eq!(l, Ledger::new());
    }

    fn account() -> impl Strategy<Value = Account> {
        prop_oneof![
            (1i64..4).prop_map(|u| Account::Wallet(UserId(u))),
            (1i64..3).prop_map(|u| Account::Earnings(UserId(u))),
            Just(Account::Held),
            Just(Account::BonusEscrow),
            Just(Account::Revenue),
            Just(Account::Expired),
            Just(Account::World),
        ]
    }

    proptest! {
        /// Whatever is attempted, every state reached keeps the invariants.
        #[test]
        fn any_sequence_keeps_the_invariants(
            moves in proptest::collection::vec((account(), account(), -3i64..60), 1..200)
        ) {
            let mut l = Ledger::new();
            for (from, to, amount) in moves {
                let _ = l.apply(&[t(from, to, amount, TransferKind::Correction)]);
                prop_assert!(l.violations().is_empty(), "{:?}", l.violations());
            }
        }
    }
}
