//! Paying with a budget: whether a member may, and where an admin's approval stands.

use super::rules::BudgetRules;
use crate::ids::SkuId;
use crate::ledger::Credits;
use jiff::Timestamp;

/// Where an admin's approval of a booking stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Approval {
    /// Waiting for an admin, until its deadline.
    Pending,
    Approved,
    /// An admin said no: the booking is cancelled and its hold released.
    Declined,
    /// Nobody decided in time: the same as declined.
    Lapsed,
}

impl Approval {
    pub fn as_str(self) -> &'static str {
        match self {
            Approval::Pending => "pending",
            Approval::Approved => "approved",
            Approval::Declined => "declined",
            Approval::Lapsed => "lapsed",
        }
    }

    pub fn parse(s: &str) -> Option<Approval> {
        [
            Approval::Pending,
            Approval::Approved,
            Approval::Declined,
            Approval::Lapsed,
        ]
        .into_iter()
        .find(|a| a.as_str() == s)
    }

    /// When a request made at `now` for a session at `start` lapses: `hours` later, or at the
    /// session's start if that comes first.
    pub fn due(now: Timestamp, start: Timestamp, hours: i64) -> Timestamp {
        let deadline = now
            .saturating_add(jiff::SignedDuration::from_hours(hours))
            .unwrap_or(now);
        deadline.min(start)
    }
}

/// Why a budget will not pay for a booking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PayRefusal {
    /// The person is not (or no longer) a member.
    NotAMember,
    /// The budget does not pay for this session type.
    SkuNotAllowed,
    /// The session costs more than a member's whole cap.
    OverCap,
    /// The member has used this period's sessions or credits.
    CapReached,
    /// The budget holds too little.
    BudgetSpent,
}

impl PayRefusal {
    /// What the member is told, under the `paid_by` field.
    pub fn message(self) -> &'static str {
        match self {
            PayRefusal::NotAMember => "you are not a member of this organisation",
            PayRefusal::SkuNotAllowed => {
                "this organisation's budget does not pay for this session type"
            }
            PayRefusal::OverCap => "this session costs more than your allowance per period",
            PayRefusal::CapReached => {
                "you have used this period's allowance from this organisation"
            }
            PayRefusal::BudgetSpent => {
                "this organisation's budget has too little left for this session"
            }
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PayRefusal::NotAMember => "not_a_member",
            PayRefusal::SkuNotAllowed => "sku_not_allowed",
            PayRefusal::OverCap => "over_cap",
            PayRefusal::CapReached => "cap_reached",
            PayRefusal::BudgetSpent => "budget_spent",
        }
    }

    pub fn parse(s: &str) -> Option<PayRefusal> {
        [
            PayRefusal::NotAMember,
            PayRefusal::SkuNotAllowed,
            PayRefusal::OverCap,
            PayRefusal::CapReached,
            PayRefusal::BudgetSpent,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
    }
}

/// Whether a member may pay `price` for a session of `sku` with a budget under `rules`, given
/// what they used this period (`used_credits`, `used_sessions`) and what the budget holds.
/// The store checks the same in the booking's write, where concurrent bookings cannot both
/// pass it; this answer is for telling the member why before trying.
pub fn may_pay(
    rules: &BudgetRules,
    member: bool,
    sku: SkuId,
    price: Credits,
    used: (Credits, i64),
    budget: Credits,
) -> Result<(), PayRefusal> {
    if !member {
        return Err(PayRefusal::NotAMember);
    }
    if !rules.skus.contains(&sku) {
        return Err(PayRefusal::SkuNotAllowed);
    }
    if price > rules.cap_credits {
        return Err(PayRefusal::OverCap);
    }
    let (credits, sessions) = used;
    if credits + price > rules.cap_credits || sessions + 1 > rules.cap_sessions {
        return Err(PayRefusal::CapReached);
    }
    if price > budget {
        return Err(PayRefusal::BudgetSpent);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sponsor::rules::tests::input;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn may_pay_checks_membership_sku_cap_and_budget_in_that_order() {
        let rules = input("30", "1").validate(100).unwrap();
        let pay =
            |member, sku, price, used, budget| may_pay(&rules, member, sku, price, used, budget);
        assert_eq!(pay(true, SkuId(1), 30, (0, 0), 100), Ok(()));
        assert_eq!(
            pay(false, SkuId(1), 30, (0, 0), 100),
            Err(PayRefusal::NotAMember)
        );
        assert_eq!(
            pay(true, SkuId(2), 30, (0, 0), 100),
            Err(PayRefusal::SkuNotAllowed)
        );
        assert_eq!(
            pay(true, SkuId(1), 31, (0, 0), 100),
            Err(PayRefusal::OverCap)
        );
        assert_eq!(
            pay(true, SkuId(1), 10, (0, 1), 100),
            Err(PayRefusal::CapReached)
        );
        assert_eq!(
            pay(true, SkuId(1), 30, (0, 0), 29),
            Err(PayRefusal::BudgetSpent)
        );
        for r in [
            PayRefusal::NotAMember,
            PayRefusal::BudgetSpent,
            PayRefusal::CapReached,
        ] {
            assert_eq!(PayRefusal::parse(r.as_str()), Some(r));
        }
    }

    #[test]
    fn a_request_lapses_after_its_hours_or_at_the_session_whichever_is_first() {
        let now = ts("2026-03-02T09:00:00Z");
        let far = ts("2026-03-20T09:00:00Z");
        assert_eq!(Approval::due(now, far, 48), ts("2026-03-04T09:00:00Z"));
        let soon = ts("2026-03-03T09:00:00Z");
        assert_eq!(Approval::due(now, soon, 48), soon);
        assert_eq!(Approval::parse("lapsed"), Some(Approval::Lapsed));
    }
}
