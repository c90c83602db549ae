//! Outcome bonuses, in one place: a SKU may carry a bonus in credits, escrowed from the
//! mentee's wallet at booking beside the hold. When the session closes its window opens; the
//! mentee confirming the milestone within it pays the bonus to the mentor (less the platform's
//! fee); otherwise, at the window's end, or if the session never takes place, it goes back.

use super::{Account, Credits, Transfer, TransferKind, fee_split};
use crate::ids::UserId;
use jiff::{SignedDuration, Timestamp};

/// How long after the session closes the mentee may confirm the milestone.
pub const BONUS_WINDOW_DAYS: i64 = 30;

/// When the window of a session closed at `closed_at` ends.
pub fn window_end(closed_at: Timestamp) -> Timestamp {
    closed_at + SignedDuration::from_hours(24 * BONUS_WINDOW_DAYS)
}

/// Where a booking's bonus stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BonusState {
    /// In escrow: waiting for the session, then for the mentee's word or the window's end.
    Escrowed,
    /// The mentee confirmed the milestone: the mentor has it.
    Paid,
    /// Back in the mentee's wallet: the window closed, or the session did not take place.
    Returned,
}

impl BonusState {
    pub fn as_str(self) -> &'static str {
        match self {
            BonusState::Escrowed => "escrowed",
            BonusState::Paid => "paid",
            BonusState::Returned => "returned",
        }
    }

    pub fn parse(s: &str) -> Option<BonusState> {
        [BonusState::Escrowed, BonusState::Paid, BonusState::Returned]
            .into_iter()
            .find(|b| b.as_str() == s)
    }
}

/// The transfers that pay `bonus` out of escrow to `mentor`, the platform's fee apart.
pub fn paid_transfers(bonus: Credits, mentor: UserId, fee_basis_points: u32) -> Vec<Transfer> {
    let split = fee_split(bonus, fee_basis_points);
    [
        (
            Account::Earnings(mentor),
            split.mentor,
            TransferKind::BonusPaid,
        ),
        (Account::Revenue, split.rest, TransferKind::Fee),
    ]
    .into_iter()
    .filter(|(_, amount, _)| *amount > 0)
    .map(|(to, amount, kind)| Transfer {
        from: Account::BonusEscrow,
        to,
        amount,
        kind,
    })
    .collect()
}

/// The transfer that gives `bonus` back to `payer` (none for no bonus).
pub fn returned_transfer(bonus: Credits, payer: Account) -> Option<Transfer> {
    (bonus > 0).then_some(Transfer {
        from: Account::BonusEscrow,
        to: payer,
        amount: bonus,
        kind: TransferKind::BonusReturned,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_paid_bonus_leaves_escrow_whole() {
        for (bonus, fee) in [(1, 1500), (10, 1500), (7, 0), (9, 10_000)] {
            let ts = paid_transfers(bonus, UserId(2), fee);
            assert_eq!(ts.iter().map(|t| t.amount).sum::<Credits>(), bonus);
            assert!(
                ts.iter()
                    .all(|t| t.from == Account::BonusEscrow && t.amount > 0)
            );
        }
        let ts = paid_transfers(10, UserId(2), 1500);
        assert_eq!(ts[0].to, Account::Earnings(UserId(2)));
        assert_eq!(ts[0].amount, 9);
    }

    #[test]
    fn a_returned_bonus_goes_to_the_payer() {
        let payer = Account::Wallet(UserId(5));
        let t = returned_transfer(8, payer).unwrap();
        assert_eq!((t.from, t.to, t.amount), (Account::BonusEscrow, payer, 8));
        assert!(returned_transfer(0, payer).is_none());
    }

    #[test]
    fn the_window_is_thirty_days_after_closing() {
        let closed: Timestamp = "2026-06-10T10:00:00Z".parse().unwrap();
        assert_eq!(window_end(closed).to_string(), "2026-07-10T10:00:00Z");
        for s in ["escrowed", "paid", "returned"] {
            assert_eq!(BonusState::parse(s).unwrap().as_str(), s);
        }
    }
}
