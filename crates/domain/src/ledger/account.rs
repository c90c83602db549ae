//! Ledger accounts, one per party and purpose, named in storage as text (`wallet:12`).

use crate::ids::{OrgId, UserId};
use std::fmt;

/// An account of the ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Account {
    /// A person's spendable credits.
    Wallet(UserId),
    /// What a mentor has earned and not yet been paid out.
    Earnings(UserId),
    /// A sponsoring organisation's budget: what it funded and has not yet spent.
    Budget(OrgId),
    /// Credits held for booked sessions until they are settled, released or forfeited.
    Held,
    /// Outcome bonuses waiting for the milestone or the end of its window.
    BonusEscrow,
    /// The platform's fees.
    Revenue,
    /// Credits that expired unused.
    Expired,
    /// The world outside: money received enters from here, payouts and refunds leave to it.
    /// The only account whose balance may be negative.
    World,
}

/// A stored account name that is not one of [`Account`]'s.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a ledger account: {0}")]
pub struct AccountParseError(pub String);

impl Account {
    /// Whether its balance may go below zero.
    pub fn may_go_negative(self) -> bool {
        self == Account::World
    }

    /// The person it belongs to, if any.
    pub fn owner(self) -> Option<UserId> {
        match self {
            Account::Wallet(u) | Account::Earnings(u) => Some(u),
            _ => None,
        }
    }

    pub fn parse(name: &str) -> Result<Account, AccountParseError> {
        let owned = |prefix: &str| {
            name.strip_prefix(prefix)
                .and_then(|id| id.parse::<i64>().ok())
                .filter(|id| *id > 0)
                .map(UserId)
        };
        let account = match name {
            "held" => Account::Held,
            "bonus_escrow" => Account::BonusEscrow,
            "revenue" => Account::Revenue,
            "expired" => Account::Expired,
            "world" => Account::World,
            _ => {
                if let Some(u) = owned("wallet:") {
                    Account::Wallet(u)
                } else if let Some(u) = owned("earnings:") {
                    Account::Earnings(u)
                } else if let Some(u) = owned("budget:") {
                    Account::Budget(OrgId(u.0))
                } else {
                    return Err(AccountParseError(name.to_string()));
                }
            }
        };
        Ok(account)
    }
}

impl fmt::Display for Account {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Account::Wallet(u) => write!(f, "wallet:{}", u.0),
            Account::Earnings(u) => write!(f, "earnings:{}", u.0),
            Account::Budget(o) => write!(f, "budget:{}", o.0),
            Account::Held => f.write_str("held"),
            Account::BonusEscrow => f.write_str("bonus_escrow"),
            Account::Revenue => f.write_str("revenue"),
            Account::Expired => f.write_str("expired"),
            Account::World => f.write_str("world"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_strangers_are_refused() {
        for a in [
            Account::Wallet(UserId(12)),
            Account::Earnings(UserId(7)),
            Account::Budget(OrgId(3)),
            Account::Held,
            Account::BonusEscrow,
            Account::Revenue,
            Account::Expired,
            Account::World,
        ] {
            assert_eq!(Account::parse(&a.to_string()), Ok(a));
        }
        for bad in [
            "wallet:",
            "wallet:0",
            "wallet:-3",
            "wallet:x",
            "earnings",
            "budget:0",
            "bank",
            "",
        ] {
            assert!(Account::parse(bad).is_err(), "{bad}");
        }
    }
}
