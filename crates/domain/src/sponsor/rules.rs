//! A budget's rules, and the one check of whether a member may pay for a session with it.

use crate::FieldErrors;
use crate::ids::SkuId;
use crate::ledger::Credits;
use jiff::Timestamp;
use jiff::civil::Date;
use std::collections::BTreeSet;

/// The most credits a member's cap may allow in one period.
pub const CAP_CREDITS_MAX: Credits = 100_000;
/// The most sessions a member's cap may allow in one period.
pub const CAP_SESSIONS_MAX: i64 = 100;
/// The longest an admin may take to approve a booking (two weeks).
pub const APPROVAL_HOURS_MAX: i64 = 336;

/// A person's part in an organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OrgRole {
    /// Runs the budget, invites people, reads the console.
    Admin,
    /// Books sessions paid by the budget.
    Member,
}

impl OrgRole {
    pub fn as_str(self) -> &'static str {
        match self {
            OrgRole::Admin => "admin",
            OrgRole::Member => "member",
        }
    }

    pub fn parse(s: &str) -> Option<OrgRole> {
        [OrgRole::Admin, OrgRole::Member]
            .into_iter()
            .find(|r| r.as_str() == s)
    }
}

/// How long a budget period lasts. Periods start on calendar boundaries in UTC, so every
/// node and every report agrees on which period a booking fell in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Month,
    Quarter,
}

impl Period {
    pub fn as_str(self) -> &'static str {
        match self {
            Period::Month => "month",
            Period::Quarter => "quarter",
        }
    }

    pub fn parse(s: &str) -> Option<Period> {
        [Period::Month, Period::Quarter]
            .into_iter()
            .find(|p| p.as_str() == s)
    }

    /// The first day (UTC) of the period `at` falls in.
    pub fn first_day(self, at: Timestamp) -> Date {
        let d = at.to_zoned_datetime(jiff::tz::TimeZone::UTC).date();
        let month = match self {
            Period::Month => d.month(),
            Period::Quarter => (d.month() - 1) / 3 * 3 + 1,
        };
        Date::new(d.year(), month, 1).unwrap_or(d)
    }

    /// When the period `at` falls in started.
    pub fn start(self, at: Timestamp) -> Timestamp {
        Self::midnight(self.first_day(at))
    }

    /// When the period `at` falls in ends (the next one's start).
    pub fn end(self, at: Timestamp) -> Timestamp {
        let months = match self {
            Period::Month => 1,
            Period::Quarter => 3,
        };
        let first = self.first_day(at);
        Self::midnight(
            first
                .checked_add(jiff::Span::new().months(months))
                .unwrap_or(first),
        )
    }

    fn midnight(d: Date) -> Timestamp {
        d.to_zoned_datetime(jiff::tz::TimeZone::UTC)
            .map(|z| z.timestamp())
            .unwrap_or(Timestamp::UNIX_EPOCH)
    }
}

/// What becomes of credits left in the budget when a period ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Leftover {
    /// They stay for the next period.
    RollOver,
    /// They expire (an operator's refund returns them to the organisation if agreed).
    Expire,
}

impl Leftover {
    pub fn as_str(self) -> &'static str {
        match self {
            Leftover::RollOver => "roll_over",
            Leftover::Expire => "expire",
        }
    }

    pub fn parse(s: &str) -> Option<Leftover> {
        [Leftover::RollOver, Leftover::Expire]
            .into_iter()
            .find(|l| l.as_str() == s)
    }
}

/// A budget's rules, as the admin set them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BudgetRules {
    pub period: Period,
    pub leftover: Leftover,
    /// The most credits one member may spend in a period.
    pub cap_credits: Credits,
    /// The most sessions one member may book in a period.
    pub cap_sessions: i64,
    /// The session types it pays for; none until the admin chooses.
    pub skus: BTreeSet<SkuId>,
    /// Hours an admin has to approve each booking before it lapses; `None`: no approval.
    pub approval_hours: Option<i64>,
}

/// The rules as typed in a form or an API body.
#[derive(Debug, Clone, Default)]
pub struct BudgetRulesInput {
    pub period: String,
    pub leftover: String,
    pub cap_credits: String,
    pub cap_sessions: String,
    pub skus: Vec<SkuId>,
    /// Empty: bookings need no approval.
    pub approval_hours: String,
}

impl BudgetRulesInput {
    /// The rules, or every wrong field. `budget` is what the budget holds now: a cap above
    /// it could never be spent, so it is refused (once funded, the admin raises it).
    pub fn validate(&self, budget: Credits) -> Result<BudgetRules, FieldErrors> {
        let mut e = FieldErrors::new();
        let period = Period::parse(self.period.trim());
        if period.is_none() {
            e.add("period", "must be month or quarter");
        }
        let leftover = Leftover::parse(self.leftover.trim());
        if leftover.is_none() {
            e.add("leftover", "must be roll_over or expire");
        }
        let cap_credits = e.check(
            "cap_credits",
            whole(&self.cap_credits, CAP_CREDITS_MAX, "credits"),
        );
        if let Some(cap) = cap_credits
            && cap > budget
        {
            e.add(
                "cap_credits",
                format!("is more than the budget holds ({budget} credits)"),
            );
        }
        let cap_sessions = e.check(
            "cap_sessions",
            whole(&self.cap_sessions, CAP_SESSIONS_MAX, "sessions"),
        );
        let approval_hours = match self.approval_hours.trim() {
            "" => Some(None),
            raw => e
                .check("approval_hours", whole(raw, APPROVAL_HOURS_MAX, "hours"))
                .map(Some),
        };
        let (
            Some(period),
            Some(leftover),
            Some(cap_credits),
            Some(cap_sessions),
            Some(approval_hours),
        ) = (period, leftover, cap_credits, cap_sessions, approval_hours)
        else {
            return Err(e);
        };
        e.finish(|| BudgetRules {
            period,
            leftover,
            cap_credits,
            cap_sessions,
            skus: self.skus.iter().copied().collect(),
            approval_hours,
        })
    }
}

fn whole(raw: &str, max: i64, what: &str) -> Result<i64, String> {
    match raw.trim().parse::<i64>() {
        Ok(n) if (1..=max).contains(&n) => Ok(n),
        _ => Err(format!("must be a whole number of {what} from 1 to {max}")),
    }
}

/// An organisation's name: 2 to 100 characters.
pub fn validate_org_name(raw: &str) -> Result<String, String> {
    let name = raw.trim();
    let n = name.chars().count();
    if !(2..=100).contains(&n) {
        return Err("must be 2 to 100 characters".into());
    }
    Ok(name.to_string())
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn periods_start_on_calendar_boundaries_in_utc() {
        let at = ts("2026-08-17T23:30:00-05:00"); // 2026-08-18 04:30 UTC
        assert_eq!(Period::Month.start(at), ts("2026-08-01T00:00:00Z"));
        assert_eq!(Period::Month.end(at), ts("2026-09-01T00:00:00Z"));
        assert_eq!(Period::Quarter.start(at), ts("2026-07-01T00:00:00Z"));
        assert_eq!(Period::Quarter.end(at), ts("2026-10-01T00:00:00Z"));
        let dec = ts("2026-12-31T23:59:59Z");
        assert_eq!(Period::Quarter.end(dec), ts("2027-01-01T00:00:00Z"));
        assert_eq!(Period::Month.start(dec), ts("2026-12-01T00:00:00Z"));
    }

    /// Monthly rules paying for SKU 1 with the caps given, as typed.
    pub(in crate::sponsor) fn input(cap: &str, sessions: &str) -> BudgetRulesInput {
        BudgetRulesInput {
            period: "month".into(),
            leftover: "roll_over".into(),
            cap_credits: cap.into(),
            cap_sessions: sessions.into(),
            skus: vec![SkuId(1)],
            approval_hours: String::new(),
        }
    }

    #[test]
    fn a_cap_over_the_budget_or_out_of_range_is_refused_by_field() {
        let ok = input("60", "2").validate(500).unwrap();
        assert_eq!((ok.cap_credits, ok.cap_sessions), (60, 2));
        let e = input("600", "2").validate(500).unwrap_err();
        assert!(e.get("cap_credits").unwrap().contains("500 credits"));
        let e = input("0", "x").validate(500).unwrap_err();
        assert!(e.get("cap_credits").is_some() && e.get("cap_sessions").is_some());
        let mut bad = input("10", "1");
        bad.period = "week".into();
        bad.leftover = "keep".into();
        bad.approval_hours = "1000".into();
        let e = bad.validate(500).unwrap_err();
        assert!(e.get("period").is_some() && e.get("leftover").is_some());
        assert!(e.get("approval_hours").is_some());
        let mut asks = input("10", "1");
        asks.approval_hours = "48".into();
        assert_eq!(asks.validate(500).unwrap().approval_hours, Some(48));
    }
}
