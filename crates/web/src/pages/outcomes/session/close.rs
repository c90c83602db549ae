//! The mentor's closing form on the session page: checkpoint reached or not, one line of
//! evidence, the follow-up message to the mentee and up to `TASKS_MAX` tasks.

use crate::pages::outcomes::input::{CloseFields, task_key};
use crate::pages::outcomes::view::{Choice, Field, Problem, problems};
use jiff::civil::Date;
use stint_domain::FieldErrors;
use stint_domain::outcome::closing::{CheckpointResult, TASKS_MAX};

pub(crate) struct CloseView {
    pub(crate) options: Vec<Choice>,
    pub(crate) checkpoint_error: Option<String>,
    pub(crate) evidence: Field,
    pub(crate) followup: Field,
    pub(crate) tasks: Vec<(Field, Field)>,
    pub(crate) tasks_error: Option<String>,
    pub(crate) today: String,
    pub(crate) problems: Vec<Problem>,
}

/// The closing form with `fields` in it (a draft, or what was refused) and `errors`;
/// `mentee` names the follow-up's reader, `today` is the earliest due date offered.
pub(super) fn close_view(
    fields: &CloseFields,
    errors: &FieldErrors,
    mentee: &str,
    today: Date,
) -> CloseView {
    let field = |id: &str, label: String, value: &str, key: &str| Field {
        id: id.to_string(),
        label,
        value: value.to_string(),
        error: errors.get(key).map(String::from),
    };
    let tasks = (0..TASKS_MAX)
        .map(|i| {
            let get = |v: &Vec<String>| v.get(i).cloned().unwrap_or_default();
            (
                field(
                    &format!("f-task-title-{i}"),
                    format!("Task {}", i + 1),
                    &get(&fields.task_title),
                    &format!("tasks.{i}.title"),
                ),
                field(
                    &format!("f-task-due-{i}"),
                    format!("Task {} due", i + 1),
                    &get(&fields.task_due),
                    &format!("tasks.{i}.due"),
                ),
            )
        })
        .collect();
    CloseView {
        options: CheckpointResult::ALL
            .into_iter()
            .map(|c| Choice {
                id: format!("f-checkpoint-{}", c.as_str()),
                value: c.as_str().to_string(),
                label: c.label().to_string(),
                detail: String::new(),
                checked: fields.checkpoint.trim() == c.as_str(),
            })
            .collect(),
        checkpoint_error: errors.get("checkpoint").map(String::from),
        evidence: field(
            "f-evidence",
            "Evidence (one line)".into(),
            &fields.evidence,
            "evidence",
        ),
        followup: field(
            "f-followup",
            format!("Follow-up message to {mentee}"),
            &fields.followup,
            "followup",
        ),
        tasks,
        tasks_error: errors.get("tasks").map(String::from),
        today: today.to_string(),
        problems: problems(errors, "close-form", |key| {
            let named = |id: &str, label: &str| Some((id.to_string(), label.to_string()));
            match key {
                "checkpoint" => named("close-checkpoint", "Checkpoint reached?"),
                "evidence" => named("f-evidence", "Evidence"),
                "followup" => named("f-followup", "Follow-up message"),
                "tasks" => named("close-tasks", "Tasks"),
                _ => {
                    let (i, part) = task_key(key)?;
                    let (id, what) = if part == "due" {
                        ("due", "due date")
                    } else {
                        ("title", "title")
                    };
                    Some((format!("f-task-{id}-{i}"), format!("Task {} {what}", i + 1)))
                }
            }
        }),
    }
}
