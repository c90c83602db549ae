//! What the outcome forms post, as all-`String` structs with defaults (bad input becomes a
//! message, never a rejection), and a refused form carried back to the session page.

use serde::Deserialize;
use std::collections::BTreeSet;
use stint_domain::FieldErrors;

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub(crate) struct PrepFields {
    pub(super) intake_answers: Vec<String>,
    pub(super) pre_reads_read: Vec<String>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub(crate) struct AssessFields {
    pub(super) kind: String,
    pub(super) level: String,
    pub(super) answers: Vec<String>,
    /// The follow-up's "I reached the milestone" box (`yes` when ticked).
    pub(super) reached_milestone: String,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub(crate) struct NoteFields {
    pub(super) kind: String,
    pub(super) body: String,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub(crate) struct CloseFields {
    pub(super) checkpoint: String,
    pub(super) evidence: String,
    pub(super) followup: String,
    pub(super) task_title: Vec<String>,
    pub(super) task_due: Vec<String>,
}

/// The row and part (`title`, `due`) a closing message keyed `tasks.<row>.<part>` is about.
/// The use case numbers the tasks it was given, the page the rows it showed; both use
/// this key, so one reading serves both.
pub(super) fn task_key(key: &str) -> Option<(usize, &str)> {
    let (row, part) = key.strip_prefix("tasks.")?.split_once('.')?;
    Some((row.parse().ok()?, part))
}

/// A checklist: the ids (tasks) or positions (artifacts) ticked; the rest are unticked.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub(crate) struct ChecklistFields {
    pub(super) done: Vec<String>,
}

impl Refused {
    /// The review form (or its answer) refused, with its input and messages.
    pub(crate) fn review(form: crate::pages::reviews::ReviewFields, errors: FieldErrors) -> Self {
        Refused {
            review: Some((form, errors)),
            ..Default::default()
        }
    }

    /// The cancel form refused with `errors`, the reason kept as typed.
    pub(crate) fn cancel(reason: String, errors: FieldErrors) -> Self {
        Refused {
            cancel: Some((reason, errors)),
            ..Default::default()
        }
    }

    /// The cancel form sent once: the page asks to confirm, the reason kept.
    pub(crate) fn confirm_cancel(reason: String) -> Self {
        Refused {
            cancel: Some((reason, FieldErrors::new())),
            confirm_cancel: true,
            ..Default::default()
        }
    }
}

impl ChecklistFields {
    /// The ids ticked, each one of `known`; `None` if any is not.
    pub(super) fn ticked(&self, known: &[i64]) -> Option<BTreeSet<i64>> {
        self.done
            .iter()
            .map(|d| d.trim().parse::<i64>().ok().filter(|n| known.contains(n)))
            .collect()
    }
}

/// A refused form's input and messages, re-shown in place on the session page.
#[derive(Default)]
pub(crate) struct Refused {
    /// The cancel form: the reason as typed and its messages.
    pub(crate) cancel: Option<(String, FieldErrors)>,
    /// The cancel form was sent once: the page asks to confirm, saying what it will cost.
    pub(crate) confirm_cancel: bool,
    pub(super) prep: Option<(PrepFields, FieldErrors)>,
    pub(super) assessment: Option<(AssessFields, FieldErrors)>,
    pub(super) note: Option<(NoteFields, FieldErrors)>,
    pub(super) close: Option<(CloseFields, FieldErrors)>,
    /// The review or its answer (`pages::reviews`).
    pub(crate) review: Option<(crate::pages::reviews::ReviewFields, FieldErrors)>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checklists_accept_only_known_ids() {
        let f = |v: &[&str]| ChecklistFields {
            done: v.iter().map(|s| s.to_string()).collect(),
        };
        assert_eq!(
            f(&["3", " 5 "]).ticked(&[3, 5, 7]),
            Some([3, 5].into_iter().collect())
        );
        assert_eq!(f(&["4"]).ticked(&[3]), None);
        assert_eq!(f(&["x"]).ticked(&[3]), None);
        assert_eq!(f(&[]).ticked(&[3]), Some(BTreeSet::new()));
    }

    #[test]
    fn task_keys_name_a_row_and_a_part() {
        assert_eq!(task_key("tasks.2.due"), Some((2, "due")));
        assert_eq!(task_key("tasks.0.title"), Some((0, "title")));
        assert_eq!(task_key("tasks"), None);
        assert_eq!(task_key("tasks.x.due"), None);
        assert_eq!(task_key("evidence"), None);
    }
}
