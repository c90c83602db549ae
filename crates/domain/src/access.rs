//! Who may read what: the one place that decides access to a person's private data.
//!
//! Private data (notes, answers, assessment scores) belongs to the mentee. A sponsor
//! paying for the mentee's sessions sees only aggregates unless the mentee shares a
//! class of data; an operator runs the platform but does not read people's notes.
//! Later capabilities (notes, assessments, sponsor reports) ask this module, never
//! decide on their own.

use crate::ids::UserId;
use crate::outcome::notes::NoteKind;
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
    /// The mentee keeps their intake answers and baseline from their mentor until the session
    /// starts (by default the mentor reads them beforehand, to prepare).
    #[serde(default)]
    pub prep_private_until_session: bool,
    /// The member keeps themself out of their sponsor's figures altogether ("nothing"): not
    /// counted in its outcome figures or participation.
    #[serde(default)]
    pub withheld_from_sponsor: bool,
}

impl Sharing {
    /// "My progress": the sponsor may see the member's scores (levels, skill gain,
    /// checkpoints, tasks), never their answers or notes.
    pub fn progress() -> Sharing {
        Sharing {
            with_sponsor: BTreeSet::from([DataClass::Scores]),
            ..Sharing::default()
        }
    }
}

impl Sharing {
    /// "Nothing": the sponsor sees nothing of the member, not even in figures about groups.
    pub fn nothing() -> Sharing {
        Sharing {
            withheld_from_sponsor: true,
            ..Sharing::default()
        }
    }

    /// Whether the member counts in their sponsor's figures about groups.
    pub fn in_sponsor_figures(&self) -> bool {
        !self.withheld_from_sponsor
    }
}

/// How the viewer relates to the mentee whose data is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relation {
    /// The mentee themself.
    Owner,
    /// The mentor of a booking with this mentee (for that booking's data).
    MentorOfBooking,
    /// That mentor before the session starts.
    MentorBeforeSession,
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
        Relation::MentorBeforeSession => match class {
            DataClass::Answers | DataClass::Scores => !sharing.prep_private_until_session,
            DataClass::SharedNotes => true,
            DataClass::PrivateNotes => false,
        },
        Relation::SponsorOfMember => {
            !sharing.withheld_from_sponsor
                && class != DataClass::PrivateNotes
                && sharing.with_sponsor.contains(&class)
        }
        Relation::Other => false,
    }
}

/// The class of the mentee's data a note is, if it is the mentee's at all: a mentor's
/// private note is the mentor's own working memory, not the mentee's data.
pub fn note_class(kind: NoteKind) -> Option<DataClass> {
    match kind {
        NoteKind::Shared => Some(DataClass::SharedNotes),
        NoteKind::MenteePrivate => Some(DataClass::PrivateNotes),
        NoteKind::MentorPrivate => None,
    }
}

/// Whether a viewer may read a booking's note of `kind`. `viewer_is_mentor` and
/// `viewer_is_mentee` say whether the viewer is that booking's mentor or mentee; a private
/// note can only be written by its side of the booking (see [`may_write_note`]), so the
/// side is its author. Shared notes: both parties. Private notes: their author only.
/// Nobody else, operators and sponsors included: a note is about one session.
pub fn may_read_note(kind: NoteKind, viewer_is_mentor: bool, viewer_is_mentee: bool) -> bool {
    let none = Sharing::default();
    match note_class(kind) {
        // The mentee's data: as `may_read` decides for the booking's two parties.
        Some(class) => {
            (viewer_is_mentee && may_read(Relation::Owner, class, &none))
                || (viewer_is_mentor && may_read(Relation::MentorOfBooking, class, &none))
        }
        None => viewer_is_mentor,
    }
}

/// Whether a viewer may write a note of `kind` on a booking: each side writes its own
/// private notes, either side the shared ones.
pub fn may_write_note(kind: NoteKind, viewer_is_mentor: bool, viewer_is_mentee: bool) -> bool {
    match kind {
        NoteKind::Shared => viewer_is_mentor || viewer_is_mentee,
        NoteKind::MentorPrivate => viewer_is_mentor,
        NoteKind::MenteePrivate => viewer_is_mentee,
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
    fn a_mentee_may_keep_prep_from_the_mentor_until_the_session() {
        let open = Sharing::default();
        let kept = Sharing {
            prep_private_until_session: true,
            ..Sharing::default()
        };
        for class in [DataClass::Answers, DataClass::Scores] {
            assert!(may_read(Relation::MentorBeforeSession, class, &open));
            assert!(!may_read(Relation::MentorBeforeSession, class, &kept));
            assert!(
                may_read(Relation::MentorOfBooking, class, &kept),
                "once it starts"
            );
        }
        assert!(may_read(
            Relation::MentorBeforeSession,
            DataClass::SharedNotes,
            &kept
        ));
        assert!(!may_read(
            Relation::MentorBeforeSession,
            DataClass::PrivateNotes,
            &open
        ));
    }

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
            ..Sharing::default()
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
            ..Sharing::default()
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
            ..Sharing::default()
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

    #[test]
    fn note_visibility_matrix() {
        use NoteKind::*;
        // (kind, mentor reads, mentee reads, stranger or operator reads)
        let expected = [
            (Shared, true, true, false),
            (MentorPrivate, true, false, false),
            (MenteePrivate, false, true, false),
        ];
        for (kind, mentor, mentee, other) in expected {
            assert_eq!(may_read_note(kind, true, false), mentor, "{kind:?} mentor");
            assert_eq!(may_read_note(kind, false, true), mentee, "{kind:?} mentee");
            assert_eq!(may_read_note(kind, false, false), other, "{kind:?} other");
        }
    }

    #[test]
    fn each_side_writes_only_its_own_private_notes() {
        use NoteKind::*;
        assert!(may_write_note(Shared, true, false) && may_write_note(Shared, false, true));
        assert!(may_write_note(MentorPrivate, true, false));
        assert!(!may_write_note(MentorPrivate, false, true));
        assert!(may_write_note(MenteePrivate, false, true));
        assert!(!may_write_note(MenteePrivate, true, false));
        for kind in NoteKind::ALL {
            assert!(!may_write_note(kind, false, false));
        }
    }

    #[test]
    fn note_classes_follow_the_data_classes() {
        assert_eq!(note_class(NoteKind::Shared), Some(DataClass::SharedNotes));
        assert_eq!(
            note_class(NoteKind::MenteePrivate),
            Some(DataClass::PrivateNotes)
        );
        assert_eq!(note_class(NoteKind::MentorPrivate), None);
    }
}
