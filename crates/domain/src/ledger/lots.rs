//! Credits are kept in lots, one per purchase, each with its expiry: spending takes from the
//! lot that expires first, so the credits a mentee loses to expiry are the fewest possible.

use super::Credits;
use jiff::Timestamp;

/// What is left of one purchase's credits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lot {
    pub id: i64,
    pub remaining: Credits,
    /// `None`: never expires.
    pub expires_at: Option<Timestamp>,
}

/// Whether a lot expiring at `expires_at` (`None`: never) may still be spent at `now`: the one
/// rule for holds, the wallet's spendable figure and the claim's SQL (`expires_at > now`).
pub fn open_at(expires_at: Option<Timestamp>, now: Timestamp) -> bool {
    expires_at.is_none_or(|e| e > now)
}

/// Credits taken from one lot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LotTake {
    pub lot: i64,
    pub amount: Credits,
}

/// Takes `amount` from the lots still open at `now`, the first to expire first (then the
/// oldest lot): `None` if they hold too little.
pub fn take_first_expiring(lots: &[Lot], amount: Credits, now: Timestamp) -> Option<Vec<LotTake>> {
    let mut open: Vec<&Lot> = lots
        .iter()
        .filter(|l| l.remaining > 0 && open_at(l.expires_at, now))
        .collect();
    // Lots that never expire go last.
    open.sort_by_key(|l| (l.expires_at.is_none(), l.expires_at, l.id));
    let mut left = amount;
    let mut takes = Vec::new();
    for lot in open {
        if left == 0 {
            break;
        }
        let take = left.min(lot.remaining);
        takes.push(LotTake {
            lot: lot.id,
            amount: take,
        });
        left -= take;
    }
    (left == 0 && amount > 0).then_some(takes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn the_lot_expiring_first_is_spent_first_and_expired_lots_not_at_all() {
        let now = at("2026-03-01T00:00:00Z");
        let lots = [
            Lot {
                id: 1,
                remaining: 10,
                expires_at: None,
            },
            Lot {
                id: 2,
                remaining: 5,
                expires_at: Some(at("2026-09-01T00:00:00Z")),
            },
            Lot {
                id: 3,
                remaining: 4,
                expires_at: Some(at("2026-04-01T00:00:00Z")),
            },
            Lot {
                id: 4,
                remaining: 50,
                expires_at: Some(at("2026-02-01T00:00:00Z")),
            },
        ];
        assert_eq!(
            take_first_expiring(&lots, 12, now),
            Some(vec![
                LotTake { lot: 3, amount: 4 },
                LotTake { lot: 2, amount: 5 },
                LotTake { lot: 1, amount: 3 },
            ])
        );
        assert_eq!(
            take_first_expiring(&lots, 20, now),
            None,
            "lot 4 has expired"
        );
        assert_eq!(take_first_expiring(&lots, 0, now), None);
    }
}
