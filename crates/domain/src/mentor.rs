//! Mentor profiles: what a mentee sees before choosing whom to book.

use crate::catalog::{self, Competency};
use crate::ids::{SkuId, UserId};
use crate::validate::{self, FieldErrors};
use serde::{Deserialize, Serialize};

/// The most languages a profile lists.
pub const MAX_LANGUAGES: usize = 10;

/// The city of an IANA zone, as people name where someone lives: `Europe/Berlin` → "Berlin",
/// `America/Argentina/Buenos_Aires` → "Buenos Aires"; a zone without one (`UTC`) as it is.
pub fn zone_city(tz: &str) -> String {
    tz.rsplit('/').next().unwrap_or(tz).replace('_', " ")
}

/// Where in the world a mentor works, by their zone's offset from UTC now: the directory's
/// time-zone filter (a mentee looks for someone whose working day meets theirs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ZoneBand {
    /// UTC−12 to UTC−3.
    Americas,
    /// UTC−2 to UTC+3:59.
    EuropeAfrica,
    /// UTC+4 to UTC+14.
    AsiaPacific,
}

impl ZoneBand {
    pub const ALL: [ZoneBand; 3] = [
        ZoneBand::Americas,
        ZoneBand::EuropeAfrica,
        ZoneBand::AsiaPacific,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ZoneBand::Americas => "americas",
            ZoneBand::EuropeAfrica => "europe-africa",
            ZoneBand::AsiaPacific => "asia-pacific",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ZoneBand::Americas => "Americas",
            ZoneBand::EuropeAfrica => "Europe & Africa",
            ZoneBand::AsiaPacific => "Asia & Pacific",
        }
    }

    pub fn parse(raw: &str) -> Option<ZoneBand> {
        ZoneBand::ALL.into_iter().find(|b| b.as_str() == raw)
    }

    /// The band of IANA zone `tz` at `now`; `None` for a zone that is not known.
    pub fn of_zone(tz: &str, now: jiff::Timestamp) -> Option<ZoneBand> {
        let zone = jiff::tz::TimeZone::get(tz).ok()?;
        let hours = zone.to_offset(now).seconds().div_euclid(3600);
        Some(match hours {
            ..=-3 => ZoneBand::Americas,
            -2..=3 => ZoneBand::EuropeAfrica,
            _ => ZoneBand::AsiaPacific,
        })
    }
}

/// What the directory is narrowed to; every part is optional and they all hold together.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DirectoryFilter {
    pub sku: Option<SkuId>,
    pub competency: Option<crate::ids::CompetencyId>,
    /// A language the mentor holds sessions in (letter case ignored).
    pub language: Option<String>,
    /// Only mentors in one of these zones (`Some` of none: nobody).
    pub zones: Option<Vec<String>>,
    /// Words looked for in the mentor's name and headline (letter case ignored).
    pub text: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MentorProfileInput {
    pub headline: String,
    #[serde(default)]
    pub bio: String,
    /// Experience and credentials, a few lines.
    #[serde(default)]
    pub experience: String,
    /// Languages the mentor holds sessions in, in their order of preference.
    #[serde(default)]
    pub languages: Vec<String>,
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
        let experience = e.check("experience", validate::text(&self.experience, 0, 2000));
        if self.languages.len() > MAX_LANGUAGES {
            e.add(
                "languages",
                format!("must list at most {MAX_LANGUAGES} languages"),
            );
        }
        let mut languages: Vec<String> = Vec::new();
        for (i, l) in self.languages.iter().enumerate() {
            if l.trim().is_empty() {
                continue;
            }
            if let Some(l) = e.check(&format!("languages.{i}"), validate::line(l, 2, 40))
                && !languages.iter().any(|have| have.eq_ignore_ascii_case(&l))
            {
                languages.push(l);
            }
        }
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
            experience: experience.unwrap_or_default(),
            languages,
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
    pub experience: String,
    pub languages: Vec<String>,
    pub meeting_url: String,
    /// Competencies of the SKUs delivered, in catalog order.
    pub competencies: Vec<Competency>,
    pub skus: Vec<DeliveredSku>,
    /// Whether mentees can find and book them now.
    pub standing: crate::standing::Standing,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_validation() {
        let ok = MentorProfileInput {
            headline: "Staff engineer, 15 years".into(),
            bio: "Hi".into(),
            experience: String::new(),
            languages: vec![
                "English".into(),
                "english".into(),
                " ".into(),
                "German".into(),
            ],
            meeting_url: String::new(),
            skus: vec!["technical-triage".into(), "technical-triage".into()],
        };
        assert_eq!(ok.validate().map(|p| p.skus.len()), Ok(1));
        assert_eq!(
            ok.validate().map(|p| p.languages),
            Ok(vec!["English".to_string(), "German".to_string()])
        );
        assert_eq!(zone_city("America/Argentina/Buenos_Aires"), "Buenos Aires");
        assert_eq!(zone_city("UTC"), "UTC");
        let now = jiff::Timestamp::from_second(1_796_000_000).unwrap_or_default();
        for (tz, band) in [
            ("America/New_York", Some(ZoneBand::Americas)),
            ("America/Sao_Paulo", Some(ZoneBand::Americas)),
            ("Europe/Berlin", Some(ZoneBand::EuropeAfrica)),
            ("UTC", Some(ZoneBand::EuropeAfrica)),
            ("Asia/Kolkata", Some(ZoneBand::AsiaPacific)),
            ("Pacific/Auckland", Some(ZoneBand::AsiaPacific)),
            ("Mars/Olympus", None),
        ] {
            assert_eq!(ZoneBand::of_zone(tz, now), band, "{tz}");
        }
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
