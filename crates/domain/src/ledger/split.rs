//! How a held price is divided: the platform's fee when a session is settled, and the share a
//! late cancel or a missed session forfeits. Whole credits, rounded so the mentor never gets
//! less than the rule says and nothing is lost: the two parts always add up to the price.

use super::Credits;

/// A price in two parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Split {
    /// To the mentor's earnings (settle) or the mentor (forfeit).
    pub mentor: Credits,
    /// To the platform (settle) or back to the mentee's wallet (forfeit).
    pub rest: Credits,
}

/// The fee of `fee_basis_points` (1/100 of a percent) on `price`, rounded down in the mentor's
/// favour; the mentor gets the rest.
pub fn fee_split(price: Credits, fee_basis_points: u32) -> Split {
    let fee = i128::from(price) * i128::from(fee_basis_points.min(10_000)) / 10_000;
    // At most `price`: the cast back is exact.
    let fee = fee as Credits;
    Split {
        mentor: price - fee,
        rest: fee,
    }
}

/// The share `percent` of `price` that a late cancel forfeits to the mentor, rounded down in
/// the mentee's favour; the rest goes back to the mentee.
pub fn forfeit_split(price: Credits, percent: u32) -> Split {
    let share = i128::from(price) * i128::from(percent.min(100)) / 100;
    let share = share as Credits;
    Split {
        mentor: share,
        rest: price - share,
    }
}

/// The money a refund of `credits` gives back, of a purchase of `bought` credits for
/// `price_minor`, after `refunded` credits were refunded already: the share of the price, so
/// that refunding every credit, in any number of parts, gives back exactly the price.
pub fn refund_money(price_minor: i64, bought: Credits, refunded: Credits, credits: Credits) -> i64 {
    if bought <= 0 {
        return 0;
    }
    let share = |n: Credits| {
        let n = n.clamp(0, bought);
        (i128::from(price_minor) * i128::from(n) / i128::from(bought)) as i64
    };
    share(refunded + credits) - share(refunded)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn fees_and_forfeits_round_for_the_person_not_the_platform() {
        assert_eq!(
            fee_split(30, 2_000),
            Split {
                mentor: 24,
                rest: 6
            }
        );
        assert_eq!(fee_split(7, 1_500), Split { mentor: 6, rest: 1 });
        assert_eq!(fee_split(3, 0), Split { mentor: 3, rest: 0 });
        assert_eq!(
            forfeit_split(30, 50),
            Split {
                mentor: 15,
                rest: 15
            }
        );
        assert_eq!(forfeit_split(5, 50), Split { mentor: 2, rest: 3 });
        assert_eq!(forfeit_split(5, 250), Split { mentor: 5, rest: 0 });
    }

    proptest! {
        #[test]
        fn refunds_in_parts_give_back_the_price_exactly(price in 0i64..10_000_000, bought in 1i64..1_000, parts in proptest::collection::vec(1i64..50, 1..20)) {
            let mut refunded = 0;
            let mut money = 0;
            for p in parts {
                let take = p.min(bought - refunded);
                if take == 0 { break; }
                let m = refund_money(price, bought, refunded, take);
                prop_assert!(m >= 0);
                money += m;
                refunded += take;
            }
            if refunded == bought {
                prop_assert_eq!(money, price);
            } else {
                prop_assert!(money <= price);
            }
        }

        #[test]
        fn the_parts_add_up_to_the_price(price in 0i64..1_000_000_000, bp in 0u32..20_000, pct in 0u32..200) {
            let f = fee_split(price, bp);
            prop_assert_eq!(f.mentor + f.rest, price);
            prop_assert!(f.mentor >= 0 && f.rest >= 0);
            let g = forfeit_split(price, pct);
            prop_assert_eq!(g.mentor + g.rest, price);
            prop_assert!(g.mentor >= 0 && g.rest >= 0);
        }
    }
}
