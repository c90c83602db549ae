//! What a sponsor may see of the people it pays for: figures over groups, never over a few.
//!
//! A figure about people (how many took part, their mini-win rate, their mean gain in a
//! competency) is shown only when at least [`MIN_GROUP`] people stand behind it. A
//! breakdown shown beside its total is checked as a whole: if the cells hidden for being
//! small add up to fewer than [`MIN_GROUP`] people, the total less the shown cells would
//! reveal them, so the smallest shown cells are hidden too until they do not.

/// The fewest people a figure about people is shown over.
pub const MIN_GROUP: u64 = 5;

/// One figure of a breakdown, with how many people it is about.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell<T> {
    pub people: u64,
    pub value: T,
}

/// The cells that may be shown, in their order (`None`: hidden). `with_total` says whether
/// the total over all the cells' people is shown beside them.
pub fn shown_cells<T>(cells: Vec<Cell<T>>, with_total: bool) -> Vec<Option<T>> {
    let small = |people: u64| people > 0 && people < MIN_GROUP;
    let mut hidden: Vec<bool> = cells.iter().map(|c| small(c.people)).collect();
    if with_total {
        loop {
            let hidden_people: u64 = cells
                .iter()
                .zip(&hidden)
                .filter(|(_, h)| **h)
                .map(|(c, _)| c.people)
                .sum();
            if hidden_people == 0 || hidden_people >= MIN_GROUP {
                break;
            }
            // The smallest cell still shown goes too.
            let next = cells
                .iter()
                .enumerate()
                .filter(|(i, c)| !hidden[*i] && c.people > 0)
                .min_by_key(|(_, c)| c.people)
                .map(|(i, _)| i);
            match next {
                Some(i) => hidden[i] = true,
                None => break,
            }
        }
    }
    cells
        .into_iter()
        .zip(hidden)
        // A cell about nobody reveals nobody: "0 did not take part" is shown.
        .map(|(c, h)| (!h && (c.people == 0 || c.people >= MIN_GROUP)).then_some(c.value))
        .collect()
}

/// A single figure about `people` people, if it may be shown.
pub fn shown<T>(people: u64, value: T) -> Option<T> {
    (people >= MIN_GROUP).then_some(value)
}

/// A figure about `people` people of whom `private` keep their own figures to themselves
/// (the others share their progress with the sponsor), if it may be shown. The sharers'
/// rows are shown beside it, so taking them away must still leave at least [`MIN_GROUP`]
/// private people — or none, when everyone in it chose to share.
pub fn shown_beside_shared<T>(people: u64, private: u64, value: T) -> Option<T> {
    ((private == 0 && people > 0) || private >= MIN_GROUP).then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sharers_never_leave_a_small_private_remainder() {
        // Five took part and one shares: the other four would be the figure less that one.
        assert_eq!(shown_beside_shared(5, 4, "rate"), None);
        assert_eq!(shown_beside_shared(6, 5, "rate"), Some("rate"));
        assert_eq!(
            shown_beside_shared(3, 0, "rate"),
            Some("rate"),
            "all shared"
        );
        assert_eq!(shown_beside_shared(0, 0, "rate"), None);
        assert_eq!(shown_beside_shared(9, 1, "rate"), None);
    }
    use proptest::prelude::*;

    fn cells(people: &[u64]) -> Vec<Cell<u64>> {
        people
            .iter()
            .map(|&p| Cell {
                people: p,
                value: p,
            })
            .collect()
    }

    #[test]
    fn a_group_of_four_is_hidden_and_five_is_shown() {
        assert_eq!(shown(4, "x"), None);
        assert_eq!(shown(5, "x"), Some("x"));
        assert_eq!(shown_cells(cells(&[4, 9]), false), vec![None, Some(9)]);
    }

    #[test]
    fn a_total_beside_its_breakdown_cannot_reveal_a_hidden_cell() {
        // 12 people in all: hiding only the 2 would let 12 - 5 - 5 = 2 be worked out.
        assert_eq!(
            shown_cells(cells(&[5, 2, 5]), true),
            vec![None, None, Some(5)]
        );
        // Two small cells that together are 5 people are hidden as a group, the rest shown.
        assert_eq!(
            shown_cells(cells(&[3, 2, 7]), true),
            vec![None, None, Some(7)]
        );
        // Nothing small: everything shown.
        assert_eq!(shown_cells(cells(&[6, 5]), true), vec![Some(6), Some(5)]);
        // Nobody in a cell: its zero is shown, and hides nothing else.
        assert_eq!(shown_cells(cells(&[5, 0]), true), vec![Some(5), Some(0)]);
    }

    proptest! {
        #[test]
        fn what_is_hidden_is_never_fewer_than_five_people_together(people in proptest::collection::vec(0u64..12, 1..8)) {
            let shown = shown_cells(cells(&people), true);
            let hidden: u64 = people.iter().zip(&shown).filter(|(_, s)| s.is_none()).map(|(p, _)| *p).sum();
            // Fewer than five hidden only when every cell about anyone is hidden: then the
            // total is about those few too, and the caller hides it (`shown`).
            let all_hidden = people.iter().zip(&shown).all(|(p, s)| *p == 0 || s.is_none());
            prop_assert!(hidden == 0 || hidden >= MIN_GROUP || all_hidden);
            for (p, s) in people.iter().zip(&shown) {
                prop_assert!(s.is_none() || *p == 0 || *p >= MIN_GROUP);
            }
        }
    }
}
