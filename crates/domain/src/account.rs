//! Accounts: the validated shape of a sign-up and of the values it carries.

use crate::validate::{self, FieldErrors};
use crate::{ids::UserId, role::Role};
use serde::Serialize;

pub const EMAIL_MAX: usize = 254;
pub const DISPLAY_NAME_MAX: usize = 80;
pub const PASSWORD_MIN: usize = 10;
/// Long enough for any passphrase, short enough that hashing cannot be abused.
pub const PASSWORD_MAX: usize = 128;

/// A normalised (trimmed, lower-cased) e-mail address.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Email, String> {
        let v = raw.trim().to_lowercase();
        if v.is_empty() {
            return Err("is required".into());
        }
        if v.len() > EMAIL_MAX {
            return Err(format!("must be at most {EMAIL_MAX} characters"));
        }
        let Some((local, domain)) = v.split_once('@') else {
            return Err("must be an e-mail address like name@example.com".into());
        };
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && domain
                .chars()
                .all(|c| c.is_alphanumeric() || c == '.' || c == '-');
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || "<>()[],;:\"@\\".contains(c));
        if !domain_ok || !local_ok {
            return Err("must be an e-mail address like name@example.com".into());
        }
        Ok(Email(v))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An IANA time zone name that the bundled time-zone database knows.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct TimeZoneName(String);

impl TimeZoneName {
    pub fn parse(raw: &str) -> Result<TimeZoneName, String> {
        let v = raw.trim();
        if v.is_empty() {
            return Err("is required".into());
        }
        if v.len() > 64 {
            return Err("is not a known IANA time zone (e.g. Europe/Berlin)".into());
        }
        match jiff::tz::TimeZone::get(v) {
            Ok(tz) => Ok(TimeZoneName(tz.iana_name().unwrap_or(v).to_string())),
            Err(_) => Err("is not a known IANA time zone (e.g. Europe/Berlin)".into()),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn tz(&self) -> jiff::tz::TimeZone {
        jiff::tz::TimeZone::get(&self.0).unwrap_or(jiff::tz::TimeZone::UTC)
    }
}

/// Checks a new password against the policy: length, not trivially guessable,
/// not the e-mail address. (OWASP: length over composition rules.)
pub fn check_password(password: &str, email: Option<&str>) -> Result<(), String> {
    let n = password.chars().count();
    if n < PASSWORD_MIN {
        return Err(format!("must be at least {PASSWORD_MIN} characters"));
    }
    if n > PASSWORD_MAX {
        return Err(format!("must be at most {PASSWORD_MAX} characters"));
    }
    let lower = password.to_lowercase();
    let distinct: std::collections::HashSet<char> = lower.chars().collect();
    if distinct.len() < 4 {
        return Err("is too easy to guess: use more varied characters".into());
    }
    const COMMON: [&str; 12] = [
        "password", "123456", "qwerty", "letmein", "welcome", "iloveyou", "admin", "abc123",
        "monkey", "dragon", "111111", "stint",
    ];
    if COMMON
        .iter()
        .any(|c| lower.starts_with(c) && lower.len() <= c.len() + 4)
    {
        return Err("is too common: choose a longer passphrase".into());
    }
    if let Some(e) = email {
        let e = e.trim().to_lowercase();
        let local = e.split('@').next().unwrap_or("");
        if lower == e || (!local.is_empty() && lower == local) {
            return Err("must not be your e-mail address".into());
        }
    }
    Ok(())
}

/// A sign-up, validated.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub email: Email,
    pub display_name: String,
    pub timezone: TimeZoneName,
    pub roles: Vec<Role>,
}

/// Raw sign-up input as typed by a person or sent by a client.
#[derive(Debug, Clone, Default)]
pub struct SignupInput {
    pub email: String,
    pub password: String,
    pub display_name: String,
    pub timezone: String,
}

impl SignupInput {
    /// Validates every field; new accounts are mentees (other roles are granted by an operator).
    pub fn validate(&self) -> Result<NewAccount, FieldErrors> {
        let mut e = FieldErrors::new();
        let email = e.check("email", Email::parse(&self.email));
        e.check(
            "password",
            check_password(&self.password, Some(&self.email)),
        );
        let display_name = e.check(
            "display_name",
            validate::line(&self.display_name, 1, DISPLAY_NAME_MAX),
        );
        let timezone = e.check("timezone", TimeZoneName::parse(&self.timezone));
        match (email, display_name, timezone) {
            (Some(email), Some(display_name), Some(timezone)) if e.is_empty() => Ok(NewAccount {
                email,
                display_name,
                timezone,
                roles: vec![Role::Mentee],
            }),
            _ => Err(e),
        }
    }
}

/// A change to how a person is known: name and time zone.
#[derive(Debug, Clone, Default)]
pub struct ProfileInput {
    pub display_name: String,
    pub timezone: String,
}

impl ProfileInput {
    /// Returns the trimmed name and the canonical zone name.
    pub fn validate(&self) -> Result<(String, TimeZoneName), FieldErrors> {
        let mut e = FieldErrors::new();
        let name = e.check(
            "display_name",
            validate::line(&self.display_name, 1, DISPLAY_NAME_MAX),
        );
        let tz = e.check("timezone", TimeZoneName::parse(&self.timezone));
        match (name, tz) {
            (Some(n), Some(t)) => Ok((n, t)),
            _ => Err(e),
        }
    }
}

/// An account as the rest of the system sees it (never with its password hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Account {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
    pub timezone: String,
    pub roles: Vec<Role>,
}

impl Account {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// The account's time zone, for showing times in it.
    pub fn zone(&self) -> jiff::tz::TimeZone {
        zone_or_utc(&self.timezone)
    }
}

/// The zone a stored name stands for; a name the zone database no longer knows shows times
/// in UTC rather than failing the request.
pub fn zone_or_utc(name: &str) -> jiff::tz::TimeZone {
    TimeZoneName::parse(name)
        .map(|z| z.tz())
        .unwrap_or(jiff::tz::TimeZone::UTC)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert_eq!(
            Email::parse(" Ana@Example.COM ").map(|e| e.0),
            Ok("ana@example.com".into())
        );
        for bad in [
            "",
            "ana",
            "ana@",
            "@x.com",
            "ana@x",
            "a b@x.com",
            "ana@x..com",
            "ana@.x.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad} should be refused");
        }
        assert!(Email::parse(&format!("{}@x.com", "a".repeat(300))).is_err());
    }

    #[test]
    fn time_zones() {
        assert!(TimeZoneName::parse("Europe/Berlin").is_ok());
        assert!(TimeZoneName::parse("Australia/Lord_Howe").is_ok());
        assert!(TimeZoneName::parse("Mars/Olympus").is_err());
        assert!(TimeZoneName::parse("").is_err());
    }

    #[test]
    fn passwords() {
        assert!(check_password("correct horse battery", None).is_ok());
        assert!(check_password("short", None).is_err());
        assert!(check_password("aaaaaaaaaaaa", None).is_err());
        assert!(check_password("password123", None).is_err());
        assert!(check_password("ana@example.com", Some("ana@example.com")).is_err());
        assert!(check_password(&"ab1!".repeat(40), None).is_err());
    }

    #[test]
    fn signup_reports_every_bad_field() {
        let input = SignupInput {
            email: "nope".into(),
            password: "x".into(),
            display_name: " ".into(),
            timezone: "Nowhere/Land".into(),
        };
        let errs = input.validate().err().unwrap_or_default();
        for f in ["email", "password", "display_name", "timezone"] {
            assert!(errs.get(f).is_some(), "missing error for {f}");
        }
    }
}
