//! The session page's one primary action for the state the session is in: prepare, take the
//! baseline, join, close, take the follow-up, confirm the milestone, review, answer the
//! review. Worked out from what the page's sections already allow (each of them asks the
//! use cases), so it never offers what cannot be done.

use super::outcomes::Panel;
use super::reviews::ReviewPanel;
use jiff::{SignedDuration, Timestamp};

/// What the page puts first.
pub struct NextStep {
    pub title: &'static str,
    pub text: String,
    pub label: &'static str,
    pub href: String,
    /// A link out of Stint (the video room), opened as such.
    pub external: bool,
}

/// How long before the start "Join" becomes the next step.
const JOIN_EARLY: SignedDuration = SignedDuration::from_mins(10);

/// What the session page is about, for one of its parties.
pub struct SessionState<'a> {
    pub live: bool,
    pub start: Timestamp,
    pub end: Timestamp,
    pub now: Timestamp,
    pub is_mentor: bool,
    pub other: &'a str,
    pub meeting_url: &'a str,
    pub can_confirm_bonus: bool,
}

fn step(title: &'static str, text: String, label: &'static str, href: &str) -> Option<NextStep> {
    Some(NextStep {
        title,
        text,
        label,
        href: href.to_string(),
        external: false,
    })
}

/// The next step, if there is one.
pub fn next_step(
    s: &SessionState<'_>,
    outcome: Option<&Panel>,
    review: Option<&ReviewPanel>,
) -> Option<NextStep> {
    let other = s.other;
    if s.live && s.now >= s.start - JOIN_EARLY && s.now < s.end && !s.meeting_url.is_empty() {
        return Some(NextStep {
            title: "It is time",
            text: format!("{other} joins you in the video room."),
            label: "Join the session",
            href: s.meeting_url.to_string(),
            external: true,
        });
    }
    let before = s.live && s.now < s.start;
    if let Some(o) = outcome {
        if before && !s.is_mentor && o.prep.editable && !o.prep.done {
            return step(
                "Prepare",
                format!("A few answers help {other} use every minute."),
                "Prepare for the session",
                "#prep",
            );
        }
        if before && !s.is_mentor && o.baseline_form.is_some() {
            return step(
                "Rate yourself",
                "Where you stand now, so the session's effect can be measured.".into(),
                "Take the baseline check-in",
                "#baseline",
            );
        }
        if s.is_mentor && o.close.is_some() {
            return step(
                "Close the session",
                format!("Record the checkpoint and send {other} the follow-up."),
                "Close the session",
                "#close",
            );
        }
        if let Some(a) = &o.after
            && !s.is_mentor
            && a.followup_form.is_some()
        {
            return step(
                "Check in",
                "Your follow-up check-in is open: how far did the session take you?".into(),
                "Take the follow-up",
                "#followup-check",
            );
        }
    }
    if s.can_confirm_bonus {
        return step(
            "Milestone",
            format!("Reached it? Confirm it and the outcome bonus goes to {other}."),
            "Confirm the milestone",
            "#bonus",
        );
    }
    if let Some(r) = review {
        if r.may_review {
            return step(
                "Review",
                format!("One line helps others choose {other}."),
                "Review the session",
                "#review",
            );
        }
        if r.may_reply {
            return step(
                "Answer the review",
                format!("{other} reviewed the session; you may answer once."),
                "Answer the review",
                "#review",
            );
        }
    }
    None
}
