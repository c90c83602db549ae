//! What an operator types to register an endpoint, checked all at once so a form or an API
//! client learns every problem together.

use crate::event::EventType;
use stint_domain::FieldErrors;
use stint_domain::validate::line;

/// The longest URL accepted.
const MAX_URL: usize = 2000;

/// An endpoint as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EndpointInput {
    pub url: String,
    pub description: String,
    pub event_types: Vec<String>,
}

/// An endpoint that passed the checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidEndpoint {
    pub url: String,
    pub description: String,
    /// Known names, each once, in [`EventType::ALL`] order.
    pub event_types: Vec<String>,
}

/// An `http` or `https` URL with a host and no user name or password in it.
pub fn check_url(raw: &str) -> Result<String, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err("is required".into());
    }
    if raw.chars().count() > MAX_URL {
        return Err(format!("must be at most {MAX_URL} characters"));
    }
    let parsed = url::Url::parse(raw).map_err(|_| {
        "must be a full http:// or https:// address, such as https://example.com/webhooks"
            .to_string()
    })?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err("must start with http:// or https://".into());
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err("must name a host".into());
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(
            "must not contain a user name or password; the signature proves who sends".into(),
        );
    }
    Ok(raw.to_string())
}

/// At least one type, each known.
pub fn check_event_types(raw: &[String]) -> Result<Vec<String>, String> {
    check_types_among(raw, &EventType::ALL)
}

/// At least one type, each one of an organisation's events: what its admins may subscribe to.
pub fn check_org_event_types(raw: &[String]) -> Result<Vec<String>, String> {
    check_types_among(raw, &EventType::ORG)
}

fn check_types_among(raw: &[String], allowed: &[EventType]) -> Result<Vec<String>, String> {
    let unknown: Vec<&str> = raw
        .iter()
        .map(String::as_str)
        .filter(|t| EventType::parse(t).is_none_or(|t| !allowed.contains(&t)))
        .collect();
    if let Some(first) = unknown.first() {
        let known: Vec<&str> = allowed.iter().map(|t| t.as_str()).collect();
        return Err(format!(
            "unknown event type \"{first}\"; choose from {}",
            known.join(", ")
        ));
    }
    let chosen: Vec<String> = allowed
        .iter()
        .copied()
        .filter(|t| raw.iter().any(|r| r == t.as_str()))
        .map(|t| t.as_str().to_string())
        .collect();
    if chosen.is_empty() {
        return Err("choose at least one event".into());
    }
    Ok(chosen)
}

pub fn check_description(raw: &str) -> Result<String, String> {
    line(raw, 0, 200)
}

impl EndpointInput {
    pub fn validate(&self) -> Result<ValidEndpoint, FieldErrors> {
        self.validate_among(&EventType::ALL)
    }

    /// As [`EndpointInput::validate`], for an organisation's endpoint: only its events.
    pub fn validate_for_org(&self) -> Result<ValidEndpoint, FieldErrors> {
        self.validate_among(&EventType::ORG)
    }

    fn validate_among(&self, allowed: &[EventType]) -> Result<ValidEndpoint, FieldErrors> {
        let mut errors = FieldErrors::new();
        let url = errors.check("url", check_url(&self.url));
        let description = errors.check("description", check_description(&self.description));
        let event_types =
            errors.check("event_types", check_types_among(&self.event_types, allowed));
        match (url, description, event_types) {
            (Some(url), Some(description), Some(event_types)) if errors.is_empty() => {
                Ok(ValidEndpoint {
                    url,
                    description,
                    event_types,
                })
            }
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(url: &str, types: &[&str]) -> EndpointInput {
        EndpointInput {
            url: url.into(),
            description: "CRM".into(),
            event_types: types.iter().map(|t| t.to_string()).collect(),
        }
    }

    #[test]
    fn an_organisation_subscribes_only_to_its_own_events() {
        let org = input(
            "https://hr.example/hook",
            &["budget.low", "statement.ready"],
        );
        assert_eq!(
            org.validate_for_org().unwrap().event_types,
            vec!["budget.low", "statement.ready"]
        );
        let wider = input(
            "https://hr.example/hook",
            &["budget.low", "booking.created"],
        );
        let e = wider.validate_for_org().unwrap_err();
        assert!(
            e.get("event_types").unwrap().contains("booking.created"),
            "{e:?}"
        );
        assert!(wider.validate().is_ok(), "operators may subscribe to both");
    }

    #[test]
    fn a_good_endpoint_passes_with_its_types_in_order() {
        let v = input(
            " https://crm.example/hooks?x=1 ",
            &["task.done", "booking.created", "task.done"],
        )
        .validate()
        .unwrap();
        assert_eq!(v.url, "https://crm.example/hooks?x=1");
        assert_eq!(v.event_types, vec!["booking.created", "task.done"]);
        assert!(
            input("http://127.0.0.1:8080/", &["booking.cancelled"])
                .validate()
                .is_ok()
        );
    }

    #[test]
    fn each_bad_field_is_named() {
        for url in [
            "",
            "ftp://x.example/",
            "javascript:alert(1)",
            "crm.example/hooks",
            "https://u:p@x.example/",
            "file:///etc/passwd",
        ] {
            let e = input(url, &["booking.created"]).validate().unwrap_err();
            assert!(e.get("url").is_some(), "{url}");
        }
        let e = input("https://x.example/", &["booking.deleted"])
            .validate()
            .unwrap_err();
        assert!(
            e.get("event_types")
                .is_some_and(|m| m.contains("booking.deleted"))
        );
        let e = input("https://x.example/", &[]).validate().unwrap_err();
        assert!(e.get("event_types").is_some());
        let e = input("nope", &["x"]).validate().unwrap_err();
        assert!(
            e.get("url").is_some() && e.get("event_types").is_some(),
            "both at once"
        );
        let long = EndpointInput {
            description: "d".repeat(201),
            ..input("https://x.example/", &["task.done"])
        };
        assert!(long.validate().unwrap_err().get("description").is_some());
    }
}
