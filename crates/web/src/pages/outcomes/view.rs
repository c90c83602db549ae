//! The pieces the outcome forms are built from (text fields, choices, the error summary)
//! and the wording of days and rubric levels, shared by the session page and the metrics.

use jiff::Timestamp;
use jiff::civil::Date;

use stint_domain::FieldErrors;
use stint_domain::account::Account;

/// A line of a form's error summary, linking to the field it is about.
pub(crate) struct Problem {
    pub(crate) href: String,
    pub(crate) label: String,
    pub(crate) message: String,
}

/// A text field of a form built from the SKU (questions, tasks), with its own id.
pub(crate) struct Field {
    pub(crate) id: String,
    pub(crate) label: String,
    pub(crate) value: String,
    pub(crate) error: Option<String>,
}

/// One radio button or checkbox.
pub(crate) struct Choice {
    pub(crate) id: String,
    pub(crate) value: String,
    pub(crate) label: String,
    /// Words under the label (a rubric level's description).
    pub(crate) detail: String,
    pub(crate) checked: bool,
}

/// The summary of a refused form: each message linked to its field (`anchor` gives the
/// field id and label for a message's key; unknown keys point at the form itself).
pub(super) fn problems(
    errors: &FieldErrors,
    form_id: &str,
    anchor: impl Fn(&str) -> Option<(String, String)>,
) -> Vec<Problem> {
    errors
        .0
        .iter()
        .map(|(key, message)| {
            let (id, label) =
                anchor(key).unwrap_or_else(|| (form_id.to_string(), "This form".into()));
            Problem {
                href: format!("#{id}"),
                label,
                message: message.clone(),
            }
        })
        .collect()
}

/// A text field per question of the SKU (intake or assessment): `id_prefix` and the
/// question's position make its id, `key_prefix` and the position its message's key.
pub(super) fn question_fields(
    questions: &[String],
    answers: &[String],
    errors: &FieldErrors,
    id_prefix: &str,
    key_prefix: &str,
) -> Vec<Field> {
    questions
        .iter()
        .enumerate()
        .map(|(i, q)| Field {
            id: format!("{id_prefix}{i}"),
            label: q.clone(),
            value: answers.get(i).cloned().unwrap_or_default(),
            error: errors.get(&format!("{key_prefix}{i}")).map(String::from),
        })
        .collect()
}

/// Where a message about one of `count` questions points, by the same prefixes as
/// `question_fields`; `None` for any other key.
pub(super) fn question_anchor(
    key: &str,
    key_prefix: &str,
    count: usize,
    id_prefix: &str,
) -> Option<(String, String)> {
    let i: usize = key.strip_prefix(key_prefix)?.parse().ok()?;
    (i < count).then(|| (format!("{id_prefix}{i}"), format!("Question {}", i + 1)))
}

/// The day an instant falls on in the viewer's zone.
pub(super) fn day_of(viewer: &Account, at: Timestamp) -> Date {
    at.to_zoned_datetime(viewer.zone()).date()
}

/// "Tue 8 Dec 2026".
pub(super) fn day_words(d: Date) -> String {
    d.strftime("%a %-d %b %Y").to_string()
}

/// Whether a day has ended in the viewer's zone.
pub(super) fn day_passed(d: Date, viewer: &Account, now: Timestamp) -> bool {
    d.tomorrow()
        .ok()
        .and_then(|next| next.to_zoned_datetime(viewer.zone()).ok())
        .is_some_and(|z| z.timestamp() <= now)
}

/// The rubric's description of a level (levels count from 1); empty past its end.
pub(super) fn rubric_words(rubric: &[String], level: i64) -> String {
    usize::try_from(level - 1)
        .ok()
        .and_then(|i| rubric.get(i))
        .cloned()
        .unwrap_or_default()
}
