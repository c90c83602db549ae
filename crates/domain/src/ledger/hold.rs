//! How a booking's hold ends, in one place: what each party gets when the session is settled,
//! cancelled in time or late, or missed by one side. A hold ends exactly once; every ending
//! moves all of the held price out of [`Account::Held`], so nothing stays behind.

use super::{Account, Credits, Lot, LotTake, Transfer, TransferKind, fee_split, forfeit_split};
use crate::booking::NoShowSide;
use crate::ids::UserId;

/// The share of the price a mentee's late cancel forfeits to the mentor, unless the SKU
/// version says otherwise (`SkuContent::late_cancel_percent`, frozen with the booking).
pub const DEFAULT_LATE_CANCEL_PERCENT: u32 = 50;

/// Where a hold stands: held until it ends once, in one of the three other states.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HoldState {
    Held,
    Settled,
    Released,
    Forfeited,
}

impl HoldState {
    pub fn as_str(self) -> &'static str {
        match self {
            HoldState::Held => "held",
            HoldState::Settled => "settled",
            HoldState::Released => "released",
            HoldState::Forfeited => "forfeited",
        }
    }

    pub fn parse(s: &str) -> Option<HoldState> {
        [
            HoldState::Held,
            HoldState::Settled,
            HoldState::Released,
            HoldState::Forfeited,
        ]
        .into_iter()
        .find(|h| h.as_str() == s)
    }
}

/// How a hold ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HoldEnd {
    /// Back to the payer in full: cancelled before the cut-off, cancelled by the mentor, or the
    /// mentor did not come.
    Release,
    /// The session took place: the mentor earns the price less the platform's fee.
    Settle { fee_basis_points: u32 },
    /// `percent` of the price goes to the mentor (less the fee), the rest back to the payer: a
    /// late cancel by the mentee (the policy's share) or a mentee no-show (all of it).
    Forfeit { percent: u32, fee_basis_points: u32 },
}

impl HoldEnd {
    /// A cancel: late by the mentee forfeits `late_percent` (the booked SKU version's
    /// share); in time, or by the mentor or an operator, releases it all.
    pub fn on_cancel(
        late: bool,
        by_mentee: bool,
        late_percent: u32,
        fee_basis_points: u32,
    ) -> HoldEnd {
        if late && by_mentee && late_percent > 0 {
            HoldEnd::Forfeit {
                percent: late_percent.min(100),
                fee_basis_points,
            }
        } else {
            HoldEnd::Release
        }
    }

    /// A no-show: the mentee's forfeits all to the mentor; the mentor's releases all.
    pub fn on_no_show(side: NoShowSide, fee_basis_points: u32) -> HoldEnd {
        match side {
            NoShowSide::Mentee => HoldEnd::Forfeit {
                percent: 100,
                fee_basis_points,
            },
            NoShowSide::Mentor => HoldEnd::Release,
        }
    }

    /// The state the hold is left in.
    pub fn state(self) -> HoldState {
        match self {
            HoldEnd::Release => HoldState::Released,
            HoldEnd::Settle { .. } => HoldState::Settled,
            HoldEnd::Forfeit { .. } => HoldState::Forfeited,
        }
    }

    /// The transfers out of [`Account::Held`] that end a hold of `price` paid by `payer` for a
    /// session with `mentor`, in order; zero amounts are left out. They add up to `price`.
    pub fn transfers(self, price: Credits, payer: Account, mentor: UserId) -> Vec<Transfer> {
        let earnings = Account::Earnings(mentor);
        let (to_mentor, back, mentor_kind) = match self {
            HoldEnd::Release => (0, price, TransferKind::Settle),
            HoldEnd::Settle { .. } => (price, 0, TransferKind::Settle),
            HoldEnd::Forfeit { percent, .. } => {
                let s = forfeit_split(price, percent);
                (s.mentor, s.rest, TransferKind::Forfeit)
            }
        };
        let fee_bp = match self {
            HoldEnd::Release => 0,
            HoldEnd::Settle { fee_basis_points }
            | HoldEnd::Forfeit {
                fee_basis_points, ..
            } => fee_basis_points,
        };
        let fee = fee_split(to_mentor, fee_bp);
        [
            (earnings, fee.mentor, mentor_kind),
            (Account::Revenue, fee.rest, TransferKind::Fee),
            (payer, back, TransferKind::Release),
        ]
        .into_iter()
        .filter(|(_, amount, _)| *amount > 0)
        .map(|(to, amount, kind)| Transfer {
            from: Account::Held,
            to,
            amount,
            kind,
        })
        .collect()
    }

    /// How much goes back to the payer's wallet.
    pub fn returned(self, price: Credits) -> Credits {
        match self {
            HoldEnd::Release => price,
            HoldEnd::Settle { .. } => 0,
            HoldEnd::Forfeit { percent, .. } => forfeit_split(price, percent).rest,
        }
    }
}

/// Where `amount` returned credits go among the lots a hold took from (`taken`, with each
/// lot's expiry): the lots that expire last get theirs back first, so the mentee keeps the
/// returned credits as long as possible. Never more than a lot gave.
pub fn restore_to_lots(taken: &[(Lot, Credits)], amount: Credits) -> Vec<LotTake> {
    let mut order: Vec<&(Lot, Credits)> = taken.iter().collect();
    // Never-expiring lots first, then the latest expiry.
    order.sort_by_key(|(l, _)| {
        (
            l.expires_at.is_some(),
            std::cmp::Reverse(l.expires_at),
            l.id,
        )
    });
    let mut left = amount;
    let mut back = Vec::new();
    for (lot, gave) in order {
        if left == 0 {
            break;
        }
        let give = left.min(*gave);
        if give > 0 {
            back.push(LotTake {
                lot: lot.id,
                amount: give,
            });
            left -= give;
        }
    }
    back
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const MAYA: UserId = UserId(7);
    const SAM: Account = Account::Wallet(UserId(12));

    fn sum_to(ts: &[Transfer], to: Account) -> Credits {
        ts.iter().filter(|t| t.to == to).map(|t| t.amount).sum()
    }

    #[test]
    fn each_ending_divides_the_price_as_the_policy_says() {
        let release = HoldEnd::Release.transfers(30, SAM, MAYA);
        assert_eq!(sum_to(&release, SAM), 30);
        assert_eq!(release.len(), 1);

        let settle = HoldEnd::Settle {
            fee_basis_points: 2_000,
        }
        .transfers(30, SAM, MAYA);
        assert_eq!(sum_to(&settle, Account::Earnings(MAYA)), 24);
        assert_eq!(sum_to(&settle, Account::Revenue), 6);
        assert_eq!(sum_to(&settle, SAM), 0);

        let late = HoldEnd::Forfeit {
            percent: 50,
            fee_basis_points: 2_000,
        }
        .transfers(30, SAM, MAYA);
        assert_eq!(sum_to(&late, Account::Earnings(MAYA)), 12);
        assert_eq!(sum_to(&late, Account::Revenue), 3);
        assert_eq!(sum_to(&late, SAM), 15);
        assert!(late.iter().all(|t| t.from == Account::Held));
    }

    #[test]
    fn returned_credits_go_to_the_lots_that_expire_last() {
        let lot = |id, expires: Option<&str>| Lot {
            id,
            remaining: 0,
            expires_at: expires.map(|e| e.parse().unwrap()),
        };
        let taken = [
            (lot(1, Some("2026-04-01T00:00:00Z")), 2),
            (lot(2, Some("2026-09-01T00:00:00Z")), 1),
            (lot(3, None), 1),
        ];
        assert_eq!(
            restore_to_lots(&taken, 3),
            vec![
                LotTake { lot: 3, amount: 1 },
                LotTake { lot: 2, amount: 1 },
                LotTake { lot: 1, amount: 1 },
            ]
        );
        assert!(restore_to_lots(&taken, 0).is_empty());
    }

    proptest! {
        #[test]
        fn every_ending_empties_the_hold(price in 1i64..1_000_000, pct in 0u32..=100, bp in 0u32..=10_000, which in 0u8..3) {
            let end = match which {
                0 => HoldEnd::Release,
                1 => HoldEnd::Settle { fee_basis_points: bp },
                _ => HoldEnd::Forfeit { percent: pct, fee_basis_points: bp },
            };
            let ts = end.transfers(price, SAM, MAYA);
            prop_assert_eq!(ts.iter().map(|t| t.amount).sum::<Credits>(), price);
            prop_assert!(ts.iter().all(|t| t.from == Account::Held && t.amount > 0 && t.check().is_ok()));
            prop_assert_eq!(sum_to(&ts, SAM), end.returned(price));
        }
    }
}
