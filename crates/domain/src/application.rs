//! Applications to mentor: what a person tells operators before they may be listed, and the
//! review's states. Only an approved application grants the mentor role, so only vetted
//! people are found and booked.

use crate::validate::{self, FieldErrors};
use serde::{Deserialize, Serialize};

/// The most competencies one application names.
pub const MAX_COMPETENCIES: usize = 8;
/// The most links one application gives.
pub const MAX_LINKS: usize = 5;
/// The longest question, answer or reason in a review.
pub const MAX_NOTE: usize = 1000;

/// What an applicant writes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationInput {
    /// Their experience: roles, years, what they have helped people do.
    pub experience: String,
    /// Slugs of the competencies they can teach.
    pub competencies: Vec<String>,
    /// How they would run one of the session types, in a few paragraphs.
    pub sample: String,
    /// Links (a profile, a portfolio, writing), one per line; https only.
    pub links: String,
}

impl ApplicationInput {
    /// The input trimmed and checked, each field's message under its name; the links one
    /// per entry of the result.
    pub fn validate(&self) -> Result<(ApplicationInput, Vec<String>), FieldErrors> {
        let mut e = FieldErrors::new();
        let experience = e.check("experience", validate::text(&self.experience, 20, 2000));
        let sample = e.check("sample", validate::text(&self.sample, 50, 3000));
        let mut competencies: Vec<String> = Vec::new();
        for c in &self.competencies {
            let c = c.trim().to_string();
            if !c.is_empty() && !competencies.contains(&c) {
                competencies.push(c);
            }
        }
        if competencies.is_empty() {
            e.add(
                "competencies",
                "choose at least one competency you can teach",
            );
        } else if competencies.len() > MAX_COMPETENCIES {
            e.add(
                "competencies",
                format!("choose at most {MAX_COMPETENCIES} competencies"),
            );
        }
        let links: Vec<String> = self
            .links
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect();
        if links.len() > MAX_LINKS {
            e.add("links", format!("give at most {MAX_LINKS} links"));
        } else if let Some(bad) = links.iter().find(|l| !is_https(l)) {
            e.add(
                "links",
                format!("each link must be a whole https:// address ({bad} is not)"),
            );
        }
        match (experience, sample) {
            (Some(experience), Some(sample)) if e.is_empty() => Ok((
                ApplicationInput {
                    experience,
                    competencies,
                    sample,
                    links: links.join("\n"),
                },
                links,
            )),
            _ => Err(e),
        }
    }
}

/// An https address with a host and no spaces, at most 500 characters.
fn is_https(link: &str) -> bool {
    link.len() <= 500
        && !link.chars().any(|c| c.is_whitespace() || c.is_control())
        && link
            .strip_prefix("https://")
            .is_some_and(|rest| rest.split('/').next().is_some_and(|h| h.contains('.')))
}

/// Where an application stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicationStatus {
    /// Waiting for an operator.
    Pending,
    /// An operator asked a question; waiting for the applicant's answer.
    Asked,
    Approved,
    Declined,
}

impl ApplicationStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            ApplicationStatus::Pending => "pending",
            ApplicationStatus::Asked => "asked",
            ApplicationStatus::Approved => "approved",
            ApplicationStatus::Declined => "declined",
        }
    }

    pub fn parse(s: &str) -> Option<ApplicationStatus> {
        Some(match s {
            "pending" => ApplicationStatus::Pending,
            "asked" => ApplicationStatus::Asked,
            "approved" => ApplicationStatus::Approved,
            "declined" => ApplicationStatus::Declined,
            _ => return None,
        })
    }

    /// Still under review (an applicant has one such application at most).
    pub fn is_open(&self) -> bool {
        matches!(self, ApplicationStatus::Pending | ApplicationStatus::Asked)
    }
}

/// An application as kept, with who sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Application {
    pub id: i64,
    pub user_id: crate::ids::UserId,
    pub applicant_name: String,
    pub applicant_email: String,
    pub experience: String,
    pub competencies: Vec<String>,
    pub sample: String,
    pub links: Vec<String>,
    pub status: ApplicationStatus,
    /// The operator's question, if one was asked.
    pub question: String,
    /// The applicant's answer to it.
    pub answer: String,
    /// Why it was declined.
    pub reason: String,
    pub created_at: jiff::Timestamp,
    pub updated_at: jiff::Timestamp,
}

/// An operator's decision on an application, with what the applicant is told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// A question; the application waits for the answer.
    Ask(String),
    Approve,
    /// Declined, with the reason the applicant reads.
    Decline(String),
}

impl Decision {
    /// The state it leaves an application in.
    pub fn status(&self) -> ApplicationStatus {
        match self {
            Decision::Ask(_) => ApplicationStatus::Asked,
            Decision::Approve => ApplicationStatus::Approved,
            Decision::Decline(_) => ApplicationStatus::Declined,
        }
    }

    /// Whether it may be made on an application in `from`: an operator asks or decides
    /// while the application is pending, and may decide (not ask again) while a question
    /// waits for its answer.
    pub fn allowed_from(&self, from: ApplicationStatus) -> bool {
        match self {
            Decision::Ask(_) => from == ApplicationStatus::Pending,
            Decision::Approve | Decision::Decline(_) => from.is_open(),
        }
    }
}

/// A review's note (a question, an answer, a reason): 3 to [`MAX_NOTE`] characters.
pub fn note(text: &str) -> Result<String, String> {
    validate::text(text, 3, MAX_NOTE)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> ApplicationInput {
        ApplicationInput {
            experience: "Twelve years as an engineering manager, hired 60 people.".into(),
            competencies: vec!["negotiation".into(), "negotiation".into()],
            sample: "I would open by asking for the offer in writing, then rehearse the ask \
                     twice with a stopwatch, and close with a one-line script to send."
                .into(),
            links: " https://example.com/me \n\nhttps://blog.example.org/post\n".into(),
        }
    }

    #[test]
    fn an_application_is_trimmed_and_its_links_checked() {
        let (ok, links) = input().validate().unwrap();
        assert_eq!(ok.competencies, ["negotiation"]);
        assert_eq!(
            links,
            ["https://example.com/me", "https://blog.example.org/post"]
        );
        let mut bad = input();
        bad.links = "http://example.com".into();
        assert!(bad.validate().unwrap_err().get("links").is_some());
        bad.links = "https://localhost".into();
        assert!(bad.validate().unwrap_err().get("links").is_some());
        bad.links = "https://a.example/1\n".repeat(MAX_LINKS + 1);
        assert!(bad.validate().unwrap_err().get("links").is_some());
        let empty = ApplicationInput {
            competencies: vec![" ".into()],
            ..Default::default()
        };
        let e = empty.validate().unwrap_err();
        for f in ["experience", "sample", "competencies"] {
            assert!(e.get(f).is_some(), "{f}");
        }
    }

    #[test]
    fn decisions_follow_the_review() {
        use ApplicationStatus::*;
        assert!(Decision::Ask("Which SKU?".into()).allowed_from(Pending));
        assert!(!Decision::Ask("Again?".into()).allowed_from(Asked));
        assert!(Decision::Approve.allowed_from(Asked));
        assert!(Decision::Decline("Not now".into()).allowed_from(Pending));
        for done in [Approved, Declined] {
            assert!(!Decision::Approve.allowed_from(done));
            assert!(!Decision::Decline("x".into()).allowed_from(done));
        }
        for s in [Pending, Asked, Approved, Declined] {
            assert_eq!(ApplicationStatus::parse(s.as_str()), Some(s));
        }
    }
}
