//! The one error type of the crate, sorted by what the caller should do about it.
//!
//! Messages name the server by host and port only: a calendar URL may carry a secret in its
//! path or query (private `.ics` links do), and the password never enters an error at all.
//! reqwest's own errors are not kept as sources for the same reason (their text includes the
//! full URL).

use url::Url;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// No connection: DNS, refused, reset. Worth retrying later. The text is the same as a
    /// timeout's and leaves out `detail` (kept for the log): what a user sees must not tell
    /// an open port from a closed or filtered one.
    #[error("cannot reach the calendar server {host}")]
    Unreachable { host: String, detail: String },
    /// No complete answer within the configured time. Worth retrying later.
    #[error("cannot reach the calendar server {host}")]
    Timeout { host: String },
    /// The egress policy refused the address (private or internal). Not retried: the
    /// address, or the operator's `egress_allow`, must change.
    #[error("{0}")]
    Refused(#[from] stint_egress::Refused),
    /// HTTP 401 or 403: the user name or password is wrong, or the account may not do this.
    /// Retrying will not help until the user changes them.
    #[error("the calendar server {host} refused the user name or password (HTTP {status})")]
    Credentials { host: String, status: u16 },
    /// HTTP 404 or 410.
    #[error("the calendar server {host} has no such calendar or event (HTTP {status})")]
    NotFound { host: String, status: u16 },
    /// HTTP 412: the event changed (or already exists) since its ETag was read.
    #[error("the event was changed on the calendar server since it was last read")]
    PreconditionFailed,
    /// The server refused a write for a CalDAV reason it named (RFC 4791 §1.3 preconditions,
    /// e.g. `no-uid-conflict`).
    #[error("the calendar server {host} refused the event: {reason}")]
    Rejected { host: String, reason: String },
    /// The answer was bigger than `Settings::max_response_bytes`.
    #[error("the answer from {host} is larger than the {limit}-byte limit")]
    TooLarge { host: String, limit: usize },
    /// The answer could not be understood.
    #[error("the answer from {host} could not be read: {reason}")]
    Malformed { host: String, reason: String },
    /// The server at this address does not offer CalDAV (no principal, home or calendar).
    #[error("no CalDAV calendars were found at {host}")]
    NotCalDav { host: String },
    /// Any other HTTP status. 5xx, 408 and 429 are worth retrying.
    #[error("the calendar server {host} answered HTTP {status}")]
    Status { host: String, status: u16 },
    /// The address or input given by the caller cannot be used.
    #[error("invalid input: {0}")]
    Invalid(String),
}

impl Error {
    /// Whether the same request may succeed later without anyone changing anything.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Unreachable { .. } | Error::Timeout { .. } => true,
            Error::Status { status, .. } => *status >= 500 || *status == 408 || *status == 429,
            _ => false,
        }
    }

    /// Whether the user must fix their user name or password.
    pub fn is_credentials(&self) -> bool {
        matches!(self, Error::Credentials { .. })
    }
}

/// `host[:port]` of `url`, the only part of an address that goes into messages.
pub(crate) fn host_of(url: &Url) -> String {
    stint_egress::host_and_port(url)
}

/// A reqwest error as one of ours, without its URL.
pub(crate) fn from_reqwest(url: &Url, e: &reqwest::Error) -> Error {
    if let Some(refused) = stint_egress::refusal(e) {
        return Error::Refused(refused.clone());
    }
    let host = host_of(url);
    if e.is_timeout() {
        return Error::Timeout { host };
    }
    if e.is_builder() {
        return Error::Invalid("the request could not be built".to_string());
    }
    // The innermost cause says what happened ("Connection refused") and holds no URL.
    let mut detail = None;
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        detail = Some(s.to_string());
        source = s.source();
    }
    let detail = detail.unwrap_or_else(|| {
        if e.is_connect() {
            "connection failed"
        } else {
            "the connection broke off"
        }
        .to_string()
    });
    tracing::info!(host = %host, detail = %detail, "calendar server unreachable");
    Error::Unreachable { host, detail }
}

/// The error for an unexpected HTTP status.
pub(crate) fn from_status(url: &Url, status: u16) -> Error {
    let host = host_of(url);
    match status {
        401 | 403 => Error::Credentials { host, status },
        404 | 410 => Error::NotFound { host, status },
        412 => Error::PreconditionFailed,
        _ => Error::Status { host, status },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retryable_only_where_waiting_helps() {
        let h = || "h".to_string();
        assert!(Error::Timeout { host: h() }.is_retryable());
        assert!(
            Error::Unreachable {
                host: h(),
                detail: h()
            }
            .is_retryable()
        );
        assert!(
            Error::Status {
                host: h(),
                status: 503
            }
            .is_retryable()
        );
        assert!(
            Error::Status {
                host: h(),
                status: 429
            }
            .is_retryable()
        );
        assert!(
            !Error::Status {
                host: h(),
                status: 400
            }
            .is_retryable()
        );
        assert!(
            !Error::Credentials {
                host: h(),
                status: 401
            }
            .is_retryable()
        );
        assert!(!Error::PreconditionFailed.is_retryable());
        assert!(
            !Error::TooLarge {
                host: h(),
                limit: 1
            }
            .is_retryable()
        );
    }

    #[test]
    fn messages_name_only_the_host() {
        let url = Url::parse(
            "https://mentor42:hunter2@cal.example.com:8443/private-abc123/basic.ics?token=s3cret",
        )
        .unwrap();
        let text = from_status(&url, 401).to_string();
        assert_eq!(
            text,
            "the calendar server cal.example.com:8443 refused the user name or password (HTTP 401)"
        );
        for secret in ["hunter2", "abc123", "s3cret", "mentor42"] {
            assert!(!text.contains(secret));
        }
    }
}
