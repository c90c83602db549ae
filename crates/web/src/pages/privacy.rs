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
use stint_domain::retention::{AtExpiry, ClassPolicy, CountedFrom, span_words as span};

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
    rights: Rights,
}

/// Your requests, in the domain's numbers (`stint_domain::erasure`).
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Rights {
    /// Days between asking for an erasure and its taking effect.
    pub erasure_grace_days: i64,
    /// Days within which every export or erasure is answered.
    pub answered_within_days: i64,
    /// Days an export's download works.
    pub export_link_days: i64,
    /// Hours before a session in which an erasure cannot be asked.
    pub no_erasure_within_hours_of_a_session: i64,
}

const RIGHTS: Rights = Rights {
    erasure_grace_days: stint_domain::erasure::GRACE_DAYS,
    answered_within_days: stint_domain::erasure::LEGAL_DAYS,
    export_link_days: stint_domain::erasure::EXPORT_LINK_DAYS,
    no_erasure_within_hours_of_a_session: stint_domain::erasure::SOON_HOURS,
};

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
        id: stint_app::privacy::class_key(p.class),
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
        rights: RIGHTS,
    })
}

/// The policy for machines.
#[derive(Serialize)]
pub struct PolicyDocument {
    pub version: u32,
    pub classes: &'static [ClassPolicy],
    pub requests: Rights,
}

pub async fn document() -> Json<PolicyDocument> {
    Json(PolicyDocument {
        version: 1,
        classes: stint_app::privacy::policy(),
        requests: RIGHTS,
    })
}
