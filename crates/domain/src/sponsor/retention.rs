//! The 90-day retention comparison a sponsor runs from its own list of who is still employed:
//! of the members who belonged for at least [`RETENTION_DAYS`] days, the share still employed
//! among those who took part in sessions the budget paid for, against those who did not.
//!
//! The list comes from the admin, so its flags could be chosen to single someone out ("mark
//! only Kim as gone, and see which group's rate moves"). Three rules keep the figures about
//! groups: the comparison always covers every member of the cohort (a list that leaves one out
//! is refused, so the group cannot be narrowed by omission); it is shown only when each of the
//! four groups — took part or not, still employed or not — has at least [`MIN_GROUP`] people;
//! and an organisation runs it at most once per [`RETENTION_WINDOW_DAYS`] days, so
//! comparisons cannot be differenced against each other.

use super::privacy::MIN_GROUP;

/// How long a member must have belonged to be counted.
pub const RETENTION_DAYS: i64 = 90;
/// At most one comparison per organisation in this many days.
pub const RETENTION_WINDOW_DAYS: i64 = 30;

/// One member of the cohort: whether they took part, and whether the list says employed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CohortMember {
    pub participant: bool,
    pub employed: bool,
}

/// One side of the comparison.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct GroupRetention {
    pub people: u64,
    pub still_employed: u64,
    /// `still_employed / people`.
    pub rate: f64,
}

/// The comparison, or why it is not shown.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Retention {
    Shown {
        participants: GroupRetention,
        non_participants: GroupRetention,
        /// Participants' rate less non-participants', in percentage points.
        difference_points: f64,
    },
    /// Some group has fewer than five people: nothing about any group is shown.
    Hidden { cohort: u64 },
}

/// The comparison over `cohort`, shown only when every one of its four groups has at least
/// [`MIN_GROUP`] people.
pub fn compare(cohort: &[CohortMember]) -> Retention {
    let count = |participant: bool, employed: bool| {
        cohort
            .iter()
            .filter(|m| m.participant == participant && m.employed == employed)
            .count() as u64
    };
    let cells = [
        count(true, true),
        count(true, false),
        count(false, true),
        count(false, false),
    ];
    if cells.iter().any(|&n| n < MIN_GROUP) {
        return Retention::Hidden {
            cohort: cohort.len() as u64,
        };
    }
    let group = |stayed: u64, left: u64| GroupRetention {
        people: stayed + left,
        still_employed: stayed,
        rate: stayed as f64 / (stayed + left) as f64,
    };
    let participants = group(cells[0], cells[1]);
    let non_participants = group(cells[2], cells[3]);
    Retention::Shown {
        difference_points: (participants.rate - non_participants.rate) * 100.0,
        participants,
        non_participants,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cohort(cells: [usize; 4]) -> Vec<CohortMember> {
        let mut out = Vec::new();
        for (i, n) in cells.into_iter().enumerate() {
            let m = CohortMember {
                participant: i < 2,
                employed: i % 2 == 0,
            };
            out.extend(std::iter::repeat_n(m, n));
        }
        out
    }

    #[test]
    fn groups_of_five_each_are_compared() {
        let Retention::Shown {
            participants,
            non_participants,
            difference_points,
        } = compare(&cohort([18, 5, 10, 10]))
        else {
            panic!("shown");
        };
        assert_eq!(participants.people, 23);
        assert!((participants.rate - 18.0 / 23.0).abs() < 1e-9);
        assert!((non_participants.rate - 0.5).abs() < 1e-9);
        assert!((difference_points - (18.0 / 23.0 - 0.5) * 100.0).abs() < 1e-9);
    }

    #[test]
    fn any_group_under_five_hides_everything() {
        for cells in [
            [4, 5, 5, 5],
            [5, 4, 5, 5],
            [5, 5, 4, 5],
            [5, 5, 5, 0],
            [40, 1, 40, 40],
        ] {
            assert_eq!(
                compare(&cohort(cells)),
                Retention::Hidden {
                    cohort: cells.iter().sum::<usize>() as u64
                },
                "{cells:?}"
            );
        }
    }

    #[test]
    fn one_person_marked_gone_alone_moves_no_shown_figure() {
        // The list marks one member alone as gone: whichever group they are in, that group
        // has one leaver, so nothing is shown.
        for participant in [true, false] {
            let mut c = cohort([20, 0, 20, 0]);
            c.push(CohortMember {
                participant,
                employed: false,
            });
            assert!(matches!(compare(&c), Retention::Hidden { .. }));
        }
    }
}
