//! Who may read what: the one place that decides access to a person's private data.
//!
//! Private data (notes, answers, assessment scores) belongs to the mentee. A sponsor
//! paying for the mentee's sessions sees only aggregates unless the mentee shares a
//! class of data; an operator runs the platform but does not read people's notes.
//! Later capabilities (notes, assessments, sponsor reports) ask this module, never
//! decide on their own.

use crate::ids::UserId;
use crate::role::Role;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Classes of a mentee's private data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DataClass {
    /// Intake answers and prep.
    Answers,
    /// Micro-assessment levels and skill gain.
    Scores,
    /// Notes shared between mentee and mentor.
    SharedNotes,
    /// The mentee's own private notes: never shared with anyone.
    PrivateNotes,
}

/// What the mentee chose to share with whom.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sharing {
    pub with_sponsor: BTreeSet<DataClass>,
}

/// How the viewer relates to the mentee whose data is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relation {
    /// The mentee themself.
    Owner,
    /// The mentor of a booking with this mentee (for that booking's data).
    MentorOfBooking,
    /// An admin of a sponsor that funds this mentee.
    SponsorOfMember,
    /// Anyone else, whatever their roles (operators included).
    Other,
}

/// Decides whether a viewer in `relation` may read `class` of a mentee's data.
pub fn may_read(relation: Relation, class: DataClass, sharing: &Sharing) -> bool {
    match relation {
        Relation::Owner => true,
        Relation::MentorOfBooking => {
            matches!(
                class,
                DataClass::Answers | DataClass::Scores | DataClass::SharedNotes
            )
        }
        Relation::SponsorOfMember => {
            class != DataClass::PrivateNotes && sharing.with_sponsor.contains(&class)
        }
        Relation::Other => false,
    }
}

/// The person making a request, as far as authorization cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Viewer {
    pub id: UserId,
    pub roles: Vec<Role>,
}

impl Viewer {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// Operators curate the catalog and manage accounts.
    pub fn may_manage_catalog(&self) -> bool {
        self.has(Role::Operator)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [DataClass; 4] = [
        DataClass::Answers,
        DataClass::Scores,
        DataClass::SharedNotes,
        DataClass::PrivateNotes,
    ];

    #[test]
    fn a_sponsor_reads_nothing_individual_by_default() {
        for c in ALL {
            assert!(
                !may_read(Relation::SponsorOfMember, c, &Sharing::default()),
                "{c:?}"
            );
        }
    }

    #[test]
    fn a_sponsor_reads_only_what_was_shared_and_never_private_notes() {
        let sharing = Sharing {
            with_sponsor: ALL.into_iter().collect(),
        };
        assert!(may_read(
            Relation::SponsorOfMember,
            DataClass::Scores,
            &sharing
        ));
        assert!(!may_read(
            Relation::SponsorOfMember,
            DataClass::PrivateNotes,
            &sharing
        ));
        let scores_only = Sharing {
            with_sponsor: [DataClass::Scores].into_iter().collect(),
        };
        assert!(!may_read(
            Relation::SponsorOfMember,
            DataClass::SharedNotes,
            &scores_only
        ));
    }

    #[test]
    fn strangers_and_operators_read_nothing_and_owners_everything() {
        let sharing = Sharing {
            with_sponsor: ALL.into_iter().collect(),
        };
        for c in ALL {
            assert!(!may_read(Relation::Other, c, &sharing));
            assert!(may_read(Relation::Owner, c, &Sharing::default()));
        }
        assert!(!may_read(
            Relation::MentorOfBooking,
            DataClass::PrivateNotes,
            &sharing
        ));
    }
}
