//! The one egress policy of Stint. Every outbound HTTP client (webhook deliveries, CalDAV
//! accounts, `.ics` feeds) is built by [`EgressPolicy::client_builder`], so every connection:
//!
//! - goes to an address that was checked *after* the name was resolved: the resolver hands
//!   reqwest only the addresses it checked, so the connection is pinned to them and a second
//!   DNS answer (rebinding) cannot switch it;
//! - refuses loopback, private, link-local, CGNAT, unique-local and every other
//!   special-purpose range ([`is_public`]), in every spelling: `127.1`, `2130706433`,
//!   `0x7f000001` and `[::ffff:127.0.0.1]` are all parsed to the same address first;
//! - is checked again on every redirect a client follows ([`EgressPolicy::check_url`] for
//!   literal addresses, which reqwest connects to without asking the resolver);
//! - never goes through a proxy from the environment, which would move the check elsewhere.
//!
//! An operator may allow named hosts or ranges (`egress_allow`: a company's own CalDAV
//! server on its LAN, or the loopback peers of the test suite).

mod ranges;

pub use ranges::is_public;

use ipnet::IpNet;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use url::{Host, Url};

/// Why an address was not connected to. Its text names the host only, and says the same
/// whatever is (or is not) listening there.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{host} is a private or internal address; Stint connects only to public addresses \
     (an operator can allow this one with the egress_allow setting)"
)]
pub struct Refused {
    pub host: String,
}

/// One entry of the operator's allow list.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Allowed {
    /// Any address in this range.
    Range(IpNet),
    /// This host name, whatever it resolves to.
    Name(String),
    /// Any name under this domain (`*.corp.example`).
    Suffix(String),
}

/// What outbound requests may reach: public addresses, plus what the operator allows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EgressPolicy {
    allowed: Vec<Allowed>,
}

impl fmt::Display for EgressPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.allowed.is_empty() {
            return f.write_str("public addresses only");
        }
        f.write_str("public addresses and ")?;
        for (i, entry) in self.allowed.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            match entry {
                Allowed::Range(net) => write!(f, "{net}")?,
                Allowed::Name(name) => f.write_str(name)?,
                Allowed::Suffix(domain) => write!(f, "*.{domain}")?,
            }
        }
        Ok(())
    }
}

/// Host names are compared without case and without a final dot.
fn normal_name(name: &str) -> String {
    name.trim().trim_end_matches('.').to_ascii_lowercase()
}

impl EgressPolicy {
    /// The default: public addresses only.
    pub fn public_only() -> Self {
        EgressPolicy::default()
    }

    /// Public addresses and this machine's loopback, for tests and local development whose
    /// peers listen on 127.0.0.1.
    pub fn with_loopback() -> Self {
        EgressPolicy::parse(["127.0.0.0/8", "::1", "localhost"]).unwrap_or_default()
    }

    /// A policy from the operator's list: IP addresses, CIDR ranges, host names and
    /// `*.domain` patterns. Fails on the first entry that is none of these.
    pub fn parse<S: AsRef<str>>(entries: impl IntoIterator<Item = S>) -> Result<Self, String> {
        let mut allowed = Vec::new();
        for entry in entries {
            let entry = entry.as_ref().trim();
            if entry.is_empty() {
                continue;
            }
            let parsed = if let Ok(net) = entry.parse::<IpNet>() {
                Allowed::Range(net)
            } else if let Ok(ip) = entry.trim_matches(['[', ']']).parse::<IpAddr>() {
                Allowed::Range(IpNet::from(ip))
            } else if let Some(domain) = entry.strip_prefix("*.") {
                Allowed::Suffix(valid_name(domain, entry)?)
            } else {
                Allowed::Name(valid_name(entry, entry)?)
            };
            allowed.push(parsed);
        }
        Ok(EgressPolicy { allowed })
    }

    /// Whether a connection to `ip` is allowed.
    pub fn allows_ip(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        is_public(ip)
            || self
                .allowed
                .iter()
                .any(|a| matches!(a, Allowed::Range(net) if net.contains(&ip)))
    }

    /// Whether the operator allowed this host name by name (whatever it resolves to).
    pub fn allows_name(&self, name: &str) -> bool {
        let name = normal_name(name);
        self.allowed.iter().any(|a| match a {
            Allowed::Name(allowed) => *allowed == name,
            Allowed::Suffix(domain) => name
                .strip_suffix(domain.as_str())
                .is_some_and(|head| head.ends_with('.')),
            Allowed::Range(_) => false,
        })
    }

    /// Checks what can be checked before resolving: an http(s) URL whose host, if it is an
    /// address, is allowed. A name is checked when it is resolved (by the client's resolver).
    /// Call before every request and every redirect: reqwest connects to a literal address
    /// without asking the resolver.
    pub fn check_url(&self, url: &Url) -> Result<(), Refused> {
        let refused = || Refused {
            host: url.host_str().unwrap_or("?").to_string(),
        };
        match url.host() {
            Some(Host::Ipv4(ip)) if !self.allows_ip(IpAddr::V4(ip)) => Err(refused()),
            Some(Host::Ipv6(ip)) if !self.allows_ip(IpAddr::V6(ip)) => Err(refused()),
            Some(Host::Domain(name)) if is_local_name(name) && !self.allows_name(name) => {
                // Resolution would refuse them too; refusing here gives the same answer
                // without a look-up, and at once when the address is saved.
                Err(refused())
            }
            None => Err(refused()),
            _ => Ok(()),
        }
    }

    /// A reqwest client builder whose every connection obeys this policy (and no proxy).
    pub fn client_builder(self: &Arc<Self>) -> reqwest::ClientBuilder {
        reqwest::Client::builder()
            .no_proxy()
            .dns_resolver(Arc::new(PolicyResolver {
                policy: self.clone(),
            }))
    }
}

/// Names that always mean this machine or its network, resolved or not.
fn is_local_name(name: &str) -> bool {
    let name = normal_name(name);
    name == "localhost" || name.ends_with(".localhost") || name.ends_with(".local")
}

fn valid_name(name: &str, entry: &str) -> Result<String, String> {
    let name = normal_name(name);
    let valid = !name.is_empty()
        && name.split('.').all(|label| {
            !label.is_empty() && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    if valid {
        Ok(name)
    } else {
        Err(format!(
            "egress_allow: {entry:?} is not an IP address, a range (10.0.0.0/8), a host name or *.domain"
        ))
    }
}

/// The resolver every policy-built client uses: the system's resolver, then only the
/// addresses the policy allows.
struct PolicyResolver {
    policy: Arc<EgressPolicy>,
}

impl Resolve for PolicyResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.policy.clone();
        Box::pin(async move {
            let host = name.as_str().to_string();
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let by_name = policy.allows_name(&host);
            let kept: Vec<SocketAddr> = found
                .into_iter()
                .filter(|a| by_name || policy.allows_ip(a.ip()))
                .collect();
            if kept.is_empty() {
                tracing::info!(host = %host, "outbound request refused by the egress policy");
                return Err(Box::new(Refused { host }) as Box<dyn std::error::Error + Send + Sync>);
            }
            let addrs: Addrs = Box::new(kept.into_iter());
            Ok(addrs)
        })
    }
}

/// `host[:port]` of `url`: the only part of an outbound address that goes into messages and
/// logs (a path or query may hold a secret token).
pub fn host_and_port(url: &Url) -> String {
    let host = url.host_str().unwrap_or("?");
    match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    }
}

/// The [`Refused`] somewhere in an error's chain of causes, if the policy is why it failed.
pub fn refusal<'a>(error: &'a (dyn std::error::Error + 'static)) -> Option<&'a Refused> {
    let mut current = Some(error);
    while let Some(e) = current {
        if let Some(refused) = e.downcast_ref::<Refused>() {
            return Some(refused);
        }
        current = e.source();
    }
    None
}

#[cfg(test)]
mod tests;
