//! The published retention policy: `/privacy` for people and `/privacy/policy.json` for
//! machines, both from `stint_app::privacy::policy()`, the definitions the retention job
//! enforces.

use super::render::{Chrome, ok};
use crate::auth::MaybeUser;
use crate::auth::csrf::CsrfToken;
use askama::Template;
use axum::Json;
use axum::response::Response;
use serde::Serialize;
use stint_domain::retention::{AtExpiry, ClassPolicy, CountedFrom};

/// One class as the page shows it.
pub(crate) struct ClassRow {
    id: String,
    name: &'static str,
    purpose: &'static str,
    who: &'static str,
    kept: String,
    choice: String,
}

#[derive(Template)]
#[template(path = "privacy.html")]
struct PrivacyPage {
    chrome: Chrome,
    classes: Vec<ClassRow>,
}

/// A number of days as people say it: "2 years", "180 days", "1 day".
fn span(days: u32) -> String {
    match days {
        1 => "1 day".into(),
        d if d >= 365 && d % 365 == 0 => match d / 365 {
            1 => "1 year".into(),
            y => format!("{y} years"),
        },
        d => format!("{d} days"),
    }
}

fn row(p: &ClassPolicy) -> ClassRow {
    let from = match p.counted_from {
        CountedFrom::SessionEnd => "after the session",
        CountedFrom::Written => "after it is written",
    };
    let kept = match p.at_expiry {
        AtExpiry::Deleted => format!("{} {from}, then deleted", span(p.default_days)),
        AtExpiry::KeptPseudonymized => format!(
            "{} {from}, as the law requires; an erased account's entries lose its name",
            span(p.default_days)
        ),
    };
    let choice = if p.adjustable() {
        format!(
            "Allowed for your own data: {} to {}.",
            span(p.min_days),
            span(p.max_days)
        )
    } else {
        "Fixed for everyone.".into()
    };
    ClassRow {
        id: serde_json::to_value(p.class)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default(),
        name: p.name,
        purpose: p.purpose,
        who: p.who_can_see,
        kept,
        choice,
    }
}

pub async fn page(MaybeUser(user): MaybeUser, csrf: CsrfToken) -> Response {
    ok(&PrivacyPage {
        chrome: Chrome::new("Privacy and retention · Stint", user, &csrf.0),
        classes: stint_app::privacy::policy().iter().map(row).collect(),
    })
}

/// The policy for machines.
#[derive(Serialize)]
pub struct PolicyDocument {
    pub version: u32,
    pub classes: &'static [ClassPolicy],
}

pub async fn document() -> Json<PolicyDocument> {
    Json(PolicyDocument {
        version: 1,
        classes: stint_app::privacy::policy(),
    })
}

#[cfg(test)]
mod tests {
    use super::span;

    #[test]
    fn spans_read_as_people_say_them() {
        assert_eq!(span(1), "1 day");
        assert_eq!(span(180), "180 days");
        assert_eq!(span(365), "1 year");
        assert_eq!(span(730), "2 years");
        assert_eq!(span(3650), "10 years");
        assert_eq!(span(400), "400 days");
    }
}
