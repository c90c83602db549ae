//! Every request's id: the caller's `x-request-id` when it is a sane short token (a proxy in
//! front may have set one already, so its logs and ours meet), else a fresh random one. The
//! id goes back in the response's `x-request-id`, in every log line of the request, and on
//! error bodies and error pages, so a user can quote it to support.

use axum::http::{HeaderMap, HeaderName};
use std::sync::atomic::{AtomicU64, Ordering};

pub const HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// Longer ids from outside are replaced: they would bloat every log line.
const MAX_LEN: usize = 64;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(String);

tokio::task_local! {
    /// This request's id, for errors rendered far from the middleware that made it.
    static CURRENT: RequestId;
}

impl RequestId {
    /// The caller's id, if it is one worth keeping.
    pub fn from_headers(headers: &HeaderMap) -> Option<RequestId> {
        headers
            .get(HEADER)
            .and_then(|v| v.to_str().ok())
            .and_then(RequestId::parse)
    }

    /// 1 to 64 characters of `A-Z a-z 0-9 - _ .`: nothing that could forge a log line or
    /// carry markup onto a page.
    pub fn parse(raw: &str) -> Option<RequestId> {
        let sane = !raw.is_empty()
            && raw.len() <= MAX_LEN
            && raw
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
        sane.then(|| RequestId(raw.to_string()))
    }

    /// 16 random bytes in hex. Should the system have no randomness to give, a counter
    /// still tells this process's requests apart.
    pub fn generate() -> RequestId {
        let mut bytes = [0u8; 16];
        match getrandom::fill(&mut bytes) {
            Ok(()) => RequestId(hex::encode(bytes)),
            Err(_) => {
                static NEXT: AtomicU64 = AtomicU64::new(1);
                RequestId(format!("local-{}", NEXT.fetch_add(1, Ordering::Relaxed)))
            }
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Runs `f` with this id as the current request's.
    pub(crate) async fn scope<F: Future>(self, f: F) -> F::Output {
        CURRENT.scope(self, f).await
    }
}

impl std::fmt::Display for RequestId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The current request's id; empty outside a request.
pub fn current() -> String {
    CURRENT.try_with(|id| id.0.clone()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_sane_tokens_are_kept() {
        for good in ["abc", "A-b_c.9", &"x".repeat(64)] {
            assert_eq!(RequestId::parse(good).map(|i| i.0), Some(good.to_string()));
        }
        for bad in [
            "",
            &"x".repeat(65),
            "a b",
            "a\nb",
            "<script>",
            "é",
            "a/b",
            "a=b",
        ] {
            assert_eq!(RequestId::parse(bad), None, "{bad:?}");
        }
        let (a, b) = (RequestId::generate(), RequestId::generate());
        assert_ne!(a, b);
        assert_eq!(a.as_str().len(), 32);
        assert!(RequestId::parse(a.as_str()).is_some());
    }
}
