//! An organisation's e-mail domain: what may be claimed, and the address its verification
//! link goes to. Whoever reads mail at an address there controls the domain enough to let
//! its people join; a public mail service's domain says nothing about an employer, so it is
//! refused.

use crate::account::Email;

/// Domains of public mail services: anyone can have an address there.
const PUBLIC_MAIL: [&str; 16] = [
    "gmail.com",
    "googlemail.com",
    "outlook.com",
    "hotmail.com",
    "live.com",
    "msn.com",
    "yahoo.com",
    "icloud.com",
    "me.com",
    "aol.com",
    "proton.me",
    "protonmail.com",
    "gmx.de",
    "gmx.net",
    "web.de",
    "mail.com",
];

/// A domain as typed (`acme.example`, `@Acme.Example`), lower-cased, if an organisation may
/// claim it.
pub fn parse_domain(raw: &str) -> Result<String, String> {
    let d = raw.trim().trim_start_matches('@').to_lowercase();
    if d.is_empty() {
        return Err("is required".into());
    }
    let labels: Vec<&str> = d.split('.').collect();
    let label_ok = |l: &&str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    if d.len() > 253 || labels.len() < 2 || !labels.iter().all(label_ok) {
        return Err("must be a domain like acme.com".into());
    }
    if PUBLIC_MAIL.contains(&d.as_str()) {
        return Err(format!(
            "{d} is a public mail service: an address there says nothing about who employs \
             someone; invite those people instead"
        ));
    }
    Ok(d)
}

/// The address the verification link goes to: it must be at `domain` itself.
pub fn address_at(raw: &str, domain: &str) -> Result<Email, String> {
    let email = Email::parse(raw)?;
    if domain_of(email.as_str()) != domain {
        return Err(format!(
            "must be an address at {domain}: the link sent there proves the domain is yours"
        ));
    }
    Ok(email)
}

/// The domain of an e-mail address (after its last `@`).
pub fn domain_of(email: &str) -> &str {
    email.rsplit_once('@').map_or("", |(_, d)| d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_are_normalised_and_checked() {
        assert_eq!(parse_domain(" @Acme.Example ").unwrap(), "acme.example");
        assert_eq!(
            parse_domain("eu.acme-corp.com").unwrap(),
            "eu.acme-corp.com"
        );
        for bad in [
            "",
            "acme",
            "acme..com",
            "-acme.com",
            "acme.com/x",
            "ac me.com",
        ] {
            assert!(parse_domain(bad).is_err(), "{bad:?}");
        }
        assert!(
            parse_domain("Gmail.com")
                .unwrap_err()
                .contains("public mail")
        );
    }

    #[test]
    fn the_link_goes_to_the_domain_itself() {
        assert_eq!(
            address_at("IT@acme.example", "acme.example")
                .unwrap()
                .as_str(),
            "it@acme.example"
        );
        assert!(address_at("it@evil.example", "acme.example").is_err());
        assert!(address_at("it@sub.acme.example", "acme.example").is_err());
        assert!(address_at("it@xacme.example", "acme.example").is_err());
        assert_eq!(domain_of("a@b.example"), "b.example");
    }
}
