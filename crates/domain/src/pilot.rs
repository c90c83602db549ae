//! Pilots: a cohort of members (a sponsor's, or a list of mentees) and the session types it
//! covers, run for 90 days from a start date. Each member rates themself on the pilot's
//! competencies at the start (the baseline) and at 30, 60 and 90 days, each check-in due at
//! 09:00 on its day in the member's own zone and open for 14 days; the report sets each later
//! rating against the baseline.

use crate::FieldErrors;
use crate::validate;
use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Span, Timestamp};

/// How long a pilot runs.
pub const PILOT_DAYS: i64 = 90;
/// The check-ins, in days from the start: the baseline, then 30, 60 and 90 days on.
pub const CHECK_IN_DAYS: [i64; 4] = [0, 30, 60, 90];
/// A check-in is due at this time on its day, in the member's zone.
pub const CHECK_IN_AT: Time = Time::constant(9, 0, 0, 0);
/// How long a check-in stays open after it is due.
pub const CHECK_IN_OPEN: SignedDuration = SignedDuration::from_hours(14 * 24);
/// The most members one pilot takes.
pub const MEMBERS_MAX: usize = 500;
/// The furthest back or ahead a pilot may start.
pub const START_WITHIN_DAYS: i64 = 366;

/// When a member's check-in `day` days into the pilot is due: 09:00 on that calendar day in
/// their zone (so across a DST change it stays 09:00 there).
pub fn check_in_due(start: Date, day: i64, zone: &TimeZone) -> Timestamp {
    let date = start.checked_add(Span::new().days(day)).unwrap_or(start);
    // A zone's gap never falls at 09:00 in practice; jiff moves a time in one forward.
    date.to_datetime(CHECK_IN_AT)
        .to_zoned_datetime(zone.clone())
        .map_or(Timestamp::UNIX_EPOCH, |z| z.timestamp())
}

/// Whether a check-in due at `due` may be answered at `now`.
pub fn is_open(due: Timestamp, now: Timestamp) -> bool {
    now >= due && now < due.saturating_add(CHECK_IN_OPEN).unwrap_or(due)
}

/// A pilot as an operator fills it in.
#[derive(Debug, Clone, Default)]
pub struct PilotInput {
    pub name: String,
    /// `YYYY-MM-DD`.
    pub start: String,
    /// A sponsor organisation whose members form the cohort, or none.
    pub org: Option<i64>,
    /// E-mail addresses of the cohort (one per line, or separated by commas or spaces), when
    /// no organisation is named; added to its members when one is.
    pub emails: String,
    /// The slugs of the session types the pilot covers.
    pub skus: Vec<String>,
}

/// A checked pilot: the e-mails still to be found, the session types still to be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PilotDraft {
    pub name: String,
    pub start: Date,
    pub org: Option<i64>,
    pub emails: Vec<String>,
    pub skus: Vec<String>,
}

impl PilotInput {
    /// Every problem at once, keyed `name`, `start`, `emails` (or `members` when there is no
    /// cohort at all) and `skus`. `today` bounds the start date.
    pub fn validate(&self, today: Date) -> Result<PilotDraft, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = errors.check("name", validate::line(&self.name, 1, 80));
        let start = errors.check(
            "start",
            self.start
                .trim()
                .parse::<Date>()
                .map_err(|_| "must be a date like 2026-09-01".to_string())
                .and_then(|d| {
                    let far = Span::new().days(START_WITHIN_DAYS);
                    let (from, to) = (
                        today.checked_sub(far).unwrap_or(today),
                        today.checked_add(far).unwrap_or(today),
                    );
                    if d < from || d > to {
                        Err("must be within a year of today".to_string())
                    } else {
                        Ok(d)
                    }
                }),
        );
        let mut emails: Vec<String> = Vec::new();
        for raw in self
            .emails
            .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
            .filter(|s| !s.is_empty())
        {
            let email = raw.trim().to_lowercase();
            if !email.contains('@') || email.len() > 254 {
                errors.add("emails", format!("{raw} is not an e-mail address"));
            } else if !emails.contains(&email) {
                emails.push(email);
            }
        }
        if emails.len() > MEMBERS_MAX {
            errors.add("emails", format!("at most {MEMBERS_MAX} people"));
        }
        if self.org.is_none() && emails.is_empty() && errors.get("emails").is_none() {
            errors.add(
                "emails",
                "name an organisation or list the members' e-mail addresses",
            );
        }
        let mut skus: Vec<String> = Vec::new();
        for s in &self.skus {
            let s = s.trim();
            if !s.is_empty() && !skus.iter().any(|k| k == s) {
                skus.push(s.to_string());
            }
        }
        if skus.is_empty() {
            errors.add("skus", "choose at least one session type");
        }
        errors.finish(|| PilotDraft {
            name: name.unwrap_or_default(),
            start: start.unwrap_or(today),
            org: self.org,
            emails,
            skus,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn input() -> PilotInput {
        PilotInput {
            name: "Acme negotiation pilot".into(),
            start: "2026-09-01".into(),
            org: None,
            emails: "sam@stint.example, Lena@stint.example\nsam@stint.example".into(),
            skus: vec!["negotiation-45".into(), " ".into()],
        }
    }

    #[test]
    fn a_pilot_reads_its_members_and_session_types_once_each() {
        let d = input().validate(date(2026, 8, 1)).unwrap();
        assert_eq!(d.emails, ["sam@stint.example", "lena@stint.example"]);
        assert_eq!(d.skus, ["negotiation-45"]);
        assert_eq!(d.start, date(2026, 9, 1));
    }

    #[test]
    fn every_problem_is_named() {
        let mut bad = input();
        bad.name = String::new();
        bad.start = "next week".into();
        bad.emails = "sam".into();
        bad.skus = Vec::new();
        let e = bad.validate(date(2026, 8, 1)).unwrap_err();
        for field in ["name", "start", "emails", "skus"] {
            assert!(e.get(field).is_some(), "{field}: {e:?}");
        }
        let mut far = input();
        far.start = "2028-01-01".into();
        assert!(
            far.validate(date(2026, 8, 1))
                .unwrap_err()
                .get("start")
                .is_some()
        );
        let mut nobody = input();
        nobody.emails = String::new();
        assert!(
            nobody
                .validate(date(2026, 8, 1))
                .unwrap_err()
                .get("emails")
                .is_some()
        );
        nobody.org = Some(1);
        assert!(nobody.validate(date(2026, 8, 1)).is_ok());
    }

    #[test]
    fn a_check_in_is_due_at_nine_on_its_day_in_the_members_zone() {
        let chicago = TimeZone::get("America/Chicago").unwrap();
        let start = date(2026, 9, 1);
        // 09:00 CDT (UTC−5) on 1 September; 90 days on, 09:00 CST (UTC−6) on 30 November.
        assert_eq!(
            check_in_due(start, 0, &chicago).to_string(),
            "2026-09-01T14:00:00Z"
        );
        assert_eq!(
            check_in_due(start, 90, &chicago).to_string(),
            "2026-11-30T15:00:00Z"
        );
        let kolkata = TimeZone::get("Asia/Kolkata").unwrap();
        assert_eq!(
            check_in_due(start, 30, &kolkata).to_string(),
            "2026-10-01T03:30:00Z"
        );
        let due = check_in_due(start, 30, &kolkata);
        assert!(!is_open(
            due,
            due.checked_sub(SignedDuration::from_secs(1)).unwrap()
        ));
        assert!(is_open(due, due));
        assert!(!is_open(due, due.checked_add(CHECK_IN_OPEN).unwrap()));
    }
}
