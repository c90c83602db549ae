//! Mentor profiles: what a mentee sees before choosing whom to book.

use crate::catalog::{self, Competency};
use crate::ids::{SkuId, UserId};
use crate::validate::{self, FieldErrors};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MentorProfileInput {
    pub headline: String,
    #[serde(default)]
    pub bio: String,
    /// The mentor's own video room; empty means Stint builds one per booking.
    #[serde(default)]
    pub meeting_url: String,
    /// Slugs of the SKUs this mentor delivers.
    #[serde(default)]
    pub skus: Vec<String>,
}

impl MentorProfileInput {
    pub fn validate(&self) -> Result<MentorProfileInput, FieldErrors> {
        let mut e = FieldErrors::new();
        let headline = e.check("headline", validate::line(&self.headline, 3, 140));
        let bio = e.check("bio", validate::text(&self.bio, 0, 4000));
        let meeting_url = if self.meeting_url.trim().is_empty() {
            Some(String::new())
        } else {
            e.check("meeting_url", catalog::parse_url(&self.meeting_url))
        };
        if self.skus.len() > 50 {
            e.add("skus", "must list at most 50 session types");
        }
        let mut skus = Vec::new();
        for (i, s) in self.skus.iter().enumerate() {
            if let Some(s) = e.check(&format!("skus.{i}"), validate::slug(s))
                && !skus.contains(&s)
            {
                skus.push(s);
            }
        }
        e.finish(|| MentorProfileInput {
            headline: headline.unwrap_or_default(),
            bio: bio.unwrap_or_default(),
            meeting_url: meeting_url.unwrap_or_default(),
            skus,
        })
    }
}

/// A SKU as listed on a mentor's profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeliveredSku {
    pub id: SkuId,
    pub slug: String,
    pub title: String,
    pub duration_minutes: i64,
    pub price_credits: i64,
}

/// What a slot search needs to know of a mentor, and no more: who, the name offers are
/// sorted and shown by, the zone default hours are read in, and the version of their
/// schedule when it was read (which a kept answer must match; `None`: not read).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookableMentor {
    pub user_id: UserId,
    pub display_name: String,
    pub timezone: String,
    pub schedule_version: Option<i64>,
}

impl From<&MentorProfile> for BookableMentor {
    fn from(m: &MentorProfile) -> Self {
        BookableMentor {
            user_id: m.user_id,
            display_name: m.display_name.clone(),
            timezone: m.timezone.clone(),
            schedule_version: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MentorProfile {
    pub user_id: UserId,
    pub display_name: String,
    pub timezone: String,
    pub headline: String,
    pub bio: String,
    pub meeting_url: String,
    /// Competencies of the SKUs delivered, in catalog order.
    pub competencies: Vec<Competency>,
    pub skus: Vec<DeliveredSku>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_validation() {
        let ok = MentorProfileInput {
            headline: "Staff engineer, 15 years".into(),
            bio: "Hi".into(),
            meeting_url: String::new(),
            skus: vec!["technical-triage".into(), "technical-triage".into()],
        };
        assert_eq!(ok.validate().map(|p| p.skus.len()), Ok(1));
        let bad = MentorProfileInput {
            headline: "x".into(),
            meeting_url: "javascript:alert(1)".into(),
            skus: vec!["Bad Slug".into()],
            ..ok
        };
        let e = bad.validate().err().unwrap_or_default();
        for f in ["headline", "meeting_url", "skus.0"] {
            assert!(e.get(f).is_some(), "{f}");
        }
    }
}
