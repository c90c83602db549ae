//! The mentor's closing of a session: was the checkpoint reached, on what evidence, the
//! follow-up message, and up to three dated tasks for the mentee.

use crate::validate::{self, FieldErrors};
use jiff::ToSpan;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// Three tasks at most: a short list gets done, a long one gets ignored.
pub const TASKS_MAX: usize = 3;
/// Tasks are next steps, not a year plan.
pub const TASK_HORIZON_DAYS: i64 = 365;
pub const EVIDENCE_MAX: usize = 500;
pub const FOLLOWUP_MAX: usize = 10_000;
pub const TASK_TITLE_MAX: usize = 200;

/// Whether the session reached the checkpoint its SKU aims at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckpointResult {
    Reached,
    Partly,
    NotReached,
}

impl CheckpointResult {
    pub const ALL: [CheckpointResult; 3] = [
        CheckpointResult::Reached,
        CheckpointResult::Partly,
        CheckpointResult::NotReached,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CheckpointResult::Reached => "reached",
            CheckpointResult::Partly => "partly",
            CheckpointResult::NotReached => "not_reached",
        }
    }

    pub fn parse(s: &str) -> Option<CheckpointResult> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// The answer to "Checkpoint reached?" as a person reads it.
    pub fn label(self) -> &'static str {
        match self {
            CheckpointResult::Reached => "Yes",
            CheckpointResult::Partly => "Partly",
            CheckpointResult::NotReached => "No",
        }
    }
}

/// A task as typed: `due` is a date, `YYYY-MM-DD`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskInput {
    pub title: String,
    pub due: String,
}

/// A validated task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Task {
    pub title: String,
    pub due: Date,
}

/// The closing form as submitted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CloseInput {
    /// `reached`, `partly` or `not_reached`.
    pub checkpoint: String,
    pub evidence: String,
    pub followup: String,
    #[serde(default)]
    pub tasks: Vec<TaskInput>,
}

/// A validated closing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Closing {
    pub checkpoint: CheckpointResult,
    pub evidence: String,
    pub followup: String,
    pub tasks: Vec<Task>,
}

impl CloseInput {
    /// Checks every field. Due dates are compared with today in the mentor's zone, since
    /// the mentor is the one choosing them.
    pub fn validate(&self, today_in_mentor_zone: Date) -> Result<Closing, FieldErrors> {
        let mut e = FieldErrors::new();
        let checkpoint = CheckpointResult::parse(self.checkpoint.trim());
        if checkpoint.is_none() {
            e.add("checkpoint", "choose Yes, Partly or No");
        }
        let evidence = e.check("evidence", validate::text(&self.evidence, 1, EVIDENCE_MAX));
        let followup = e.check("followup", validate::text(&self.followup, 1, FOLLOWUP_MAX));
        if self.tasks.len() > TASKS_MAX {
            e.add("tasks", format!("must have at most {TASKS_MAX} tasks"));
        }
        let mut tasks = Vec::new();
        for (i, t) in self.tasks.iter().enumerate() {
            let title = e.check(
                &format!("tasks.{i}.title"),
                validate::line(&t.title, 1, TASK_TITLE_MAX),
            );
            let due = e.check(
                &format!("tasks.{i}.due"),
                due_date(&t.due, today_in_mentor_zone),
            );
            if let (Some(title), Some(due)) = (title, due) {
                tasks.push(Task { title, due });
            }
        }
        e.finish(|| Closing {
            checkpoint: checkpoint.unwrap_or(CheckpointResult::NotReached),
            evidence: evidence.unwrap_or_default(),
            followup: followup.unwrap_or_default(),
            tasks,
        })
    }
}

fn due_date(raw: &str, today: Date) -> Result<Date, String> {
    let v = raw.trim();
    // Only the plain form: jiff would also take a date-time and drop the time silently.
    let shape = v.len() == 10
        && v.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    let date = shape
        .then(|| v.parse::<Date>().ok())
        .flatten()
        .ok_or_else(|| "must be a date (YYYY-MM-DD)".to_string())?;
    let latest = today
        .checked_add(TASK_HORIZON_DAYS.days())
        .unwrap_or(Date::MAX);
    if date < today {
        Err("is in the past".into())
    } else if date > latest {
        Err(format!("must be within {TASK_HORIZON_DAYS} days"))
    } else {
        Ok(date)
    }
}

/// What a follow-up template's placeholders are filled with.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FollowupContext {
    pub mentee: String,
    pub mentor: String,
    /// The session type's title (also `{{session}}`, which earlier templates use).
    pub sku: String,
    /// The title of the checkpoint the session aims at.
    pub checkpoint: String,
    pub artifacts: Vec<String>,
    pub next_steps: Vec<Task>,
}

/// Used when a SKU has no template of its own.
pub const DEFAULT_FOLLOWUP_TEMPLATE: &str = "Hi {{mentee}},\n\n\
Thank you for today's {{sku}}. We worked towards: {{checkpoint}}.\n\n\
What you take away:\n{{artifacts}}\n\n\
Next steps:\n{{next_steps}}\n\n\
A short check-in will follow in a few days, to see what stuck.\n\n\
— {{mentor}}";

/// Fills `template`'s placeholders from `ctx` (the default template when it is blank).
/// One pass over the template, so text inside a value is never read as a placeholder;
/// an unknown placeholder is kept as written, so a typo shows up in the preview.
pub fn render_followup(template: &str, ctx: &FollowupContext) -> String {
    let template = if template.trim().is_empty() {
        DEFAULT_FOLLOWUP_TEMPLATE
    } else {
        template
    };
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find("{{") {
        out.push_str(&rest[..open]);
        let after = &rest[open + 2..];
        let Some(close) = after.find("}}") else {
            // An unclosed "{{" is plain text.
            out.push_str(&rest[open..]);
            return out;
        };
        let name = after[..close].trim();
        match value(name, ctx) {
            Some(v) => out.push_str(&v),
            None => out.push_str(&rest[open..open + 2 + close + 2]),
        }
        rest = &after[close + 2..];
    }
    out.push_str(rest);
    out
}

fn value(name: &str, ctx: &FollowupContext) -> Option<String> {
    Some(match name {
        "mentee" => ctx.mentee.clone(),
        "mentor" => ctx.mentor.clone(),
        "sku" | "session" => ctx.sku.clone(),
        "checkpoint" => ctx.checkpoint.clone(),
        "artifacts" => bullets(ctx.artifacts.iter().cloned()),
        "next_steps" => bullets(
            ctx.next_steps
                .iter()
                .map(|t| format!("{} (by {})", t.title, t.due)),
        ),
        _ => return None,
    })
}

/// "- a\n- b"; an empty list says so, rather than leaving a heading over nothing.
fn bullets(items: impl Iterator<Item = String>) -> String {
    let lines: Vec<String> = items.map(|i| format!("- {i}")).collect();
    if lines.is_empty() {
        "- none".into()
    } else {
        lines.join("\n")
    }
}

#[cfg(test)]
mod tests;
