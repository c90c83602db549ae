//! The retention policy: each class of data Stint keeps, why, who can see it, and how long
//! it is kept — by default and within what range a person may choose. The published policy
//! (`/privacy`, `/privacy/policy.json`) and the retention job read these same definitions,
//! so what is promised and what is done cannot drift apart.

use serde::Serialize;

/// A class of data the policy speaks of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RetainedClass {
    Notes,
    IntakeAnswers,
    Assessments,
    Inbox,
    DeliveryLog,
    WebhookPayloads,
    LoginRecords,
    AccessLog,
    Ledger,
}

/// What happens to a class's data when its time is up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AtExpiry {
    /// The rows are deleted.
    Deleted,
    /// Kept for the law's sake; an erased account's entries are pseudonymized instead.
    KeptPseudonymized,
}

/// From when a class's time counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CountedFrom {
    /// The end of the session the data belongs to.
    SessionEnd,
    /// When the data was written.
    Written,
}

/// The policy of one class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ClassPolicy {
    pub class: RetainedClass,
    /// A name for people.
    pub name: &'static str,
    pub purpose: &'static str,
    pub who_can_see: &'static str,
    pub default_days: u32,
    /// The range a person may choose for their own data; equal bounds: nobody chooses.
    pub min_days: u32,
    pub max_days: u32,
    pub counted_from: CountedFrom,
    pub at_expiry: AtExpiry,
}

impl ClassPolicy {
    /// Whether a person may choose how long their own data of this class is kept.
    pub fn adjustable(&self) -> bool {
        self.min_days < self.max_days
    }

    /// Checks a person's choice of `days` for this class.
    pub fn check_days(&self, days: u32) -> Result<u32, String> {
        if !self.adjustable() {
            return Err(format!(
                "{} are kept {} days for everyone",
                self.name, self.default_days
            ));
        }
        if (self.min_days..=self.max_days).contains(&days) {
            Ok(days)
        } else {
            Err(format!(
                "must be from {} to {} days",
                self.min_days, self.max_days
            ))
        }
    }
}

/// The policy, one entry per class, in the order it is published.
pub const POLICY: [ClassPolicy; 9] = [
    ClassPolicy {
        class: RetainedClass::Notes,
        name: "Session notes",
        purpose: "What was said and agreed in a session, for its two parties to come back to.",
        who_can_see: "Shared notes: the mentee and the mentor of the session. Private notes: \
                      their author only. Never operators; a sponsor never.",
        default_days: 730,
        min_days: 90,
        max_days: 3650,
        counted_from: CountedFrom::SessionEnd,
        at_expiry: AtExpiry::Deleted,
    },
    ClassPolicy {
        class: RetainedClass::IntakeAnswers,
        name: "Intake answers and prep",
        purpose: "What the mentee told the mentor before the session, so it starts where it \
                  matters.",
        who_can_see: "The mentee and the session's mentor.",
        default_days: 365,
        min_days: 30,
        max_days: 1825,
        counted_from: CountedFrom::SessionEnd,
        at_expiry: AtExpiry::Deleted,
    },
    ClassPolicy {
        class: RetainedClass::Assessments,
        name: "Micro-assessments",
        purpose: "The mentee's self-ratings before and after a session: their progress, and \
                  (counted, never named) the outcome figures of mentors and session types.",
        who_can_see: "The mentee and the session's mentor; a sponsor only if the mentee shares \
                      their progress. Figures over groups keep counts, not people.",
        default_days: 1095,
        min_days: 365,
        max_days: 3650,
        counted_from: CountedFrom::SessionEnd,
        at_expiry: AtExpiry::Deleted,
    },
    ClassPolicy {
        class: RetainedClass::Inbox,
        name: "Inbox messages",
        purpose: "Reminders and nudges shown in Stint.",
        who_can_see: "The person they were for.",
        default_days: 180,
        min_days: 90,
        max_days: 730,
        counted_from: CountedFrom::Written,
        at_expiry: AtExpiry::Deleted,
    },
    ClassPolicy {
        class: RetainedClass::DeliveryLog,
        name: "Delivery log",
        purpose: "Which reminder went out when and by which channel, so each goes out once and \
                  failures can be seen.",
        who_can_see: "The person it was for, the session's parties and operators.",
        default_days: 180,
        min_days: 90,
        max_days: 730,
        counted_from: CountedFrom::Written,
        at_expiry: AtExpiry::Deleted,
    },
    ClassPolicy {
        class: RetainedClass::WebhookPayloads,
        name: "Webhook messages",
        purpose: "Events sent to the systems operators and sponsors connected (ids, times and \
                  credits), kept to retry and replay them.",
        who_can_see: "Operators, and a sponsor's admins for their own organisation's events.",
        default_days: 90,
        min_days: 90,
        max_days: 90,
        counted_from: CountedFrom::Written,
        at_expiry: AtExpiry::Deleted,
    },
    ClassPolicy {
        class: RetainedClass::LoginRecords,
        name: "Log-in attempts",
        purpose: "Slowing down password guessing.",
        who_can_see: "Nobody reads them; the throttle counts them.",
        default_days: 1,
        min_days: 1,
        max_days: 1,
        counted_from: CountedFrom::Written,
        at_expiry: AtExpiry::Deleted,
    },
    ClassPolicy {
        class: RetainedClass::AccessLog,
        name: "Access log",
        purpose: "Who read your intake answers, assessments, shared notes or shared progress, \
                  and when, so you can see it.",
        who_can_see: "You.",
        default_days: 730,
        min_days: 730,
        max_days: 730,
        counted_from: CountedFrom::Written,
        at_expiry: AtExpiry::Deleted,
    },
    ClassPolicy {
        class: RetainedClass::Ledger,
        name: "Credit movements and payments",
        purpose: "What was bought, held, paid out and refunded, as accounting law requires.",
        who_can_see: "The account holder for their own; operators.",
        default_days: 3650,
        min_days: 3650,
        max_days: 3650,
        counted_from: CountedFrom::Written,
        at_expiry: AtExpiry::KeptPseudonymized,
    },
];

/// A number of days as people say it: "1 day", "180 days", "1 year", "2 years".
pub fn span_words(days: u32) -> String {
    match days {
        1 => "1 day".into(),
        d if d >= 365 && d % 365 == 0 => match d / 365 {
            1 => "1 year".into(),
            y => format!("{y} years"),
        },
        d => format!("{d} days"),
    }
}

/// The policy of `class`.
pub fn policy_of(class: RetainedClass) -> &'static ClassPolicy {
    POLICY
        .iter()
        .find(|p| p.class == class)
        .unwrap_or(&POLICY[0])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_class_is_published_once_with_a_default_in_its_range() {
        let mut seen = std::collections::BTreeSet::new();
        for p in POLICY {
            assert!(seen.insert(p.class), "{:?} twice", p.class);
            assert!(
                p.min_days <= p.default_days && p.default_days <= p.max_days,
                "{p:?}"
            );
            assert_eq!(policy_of(p.class), &p);
        }
        assert_eq!(seen.len(), 9);
    }

    #[test]
    fn spans_read_as_people_say_them() {
        assert_eq!(span_words(1), "1 day");
        assert_eq!(span_words(180), "180 days");
        assert_eq!(span_words(365), "1 year");
        assert_eq!(span_words(730), "2 years");
        assert_eq!(span_words(3650), "10 years");
        assert_eq!(span_words(400), "400 days");
    }

    #[test]
    fn choices_stay_within_the_range() {
        let notes = policy_of(RetainedClass::Notes);
        assert_eq!(notes.check_days(365), Ok(365));
        assert!(
            notes
                .check_days(30)
                .unwrap_err()
                .contains("from 90 to 3650")
        );
        assert!(policy_of(RetainedClass::Ledger).check_days(10).is_err());
    }
}
