//! HTTP for CalDAV: one reqwest client with a timeout, built by the egress policy (so it
//! connects to public addresses only, unless the operator allows more), Basic credentials
//! on every request to the origin they were given for, redirects followed by hand (each
//! hop checked against the policy), and every body read under a size cap.
//!
//! Redirects are followed here rather than by reqwest because reqwest turns a redirected
//! PROPFIND into a GET (as browsers do for POST), and RFC 6764's `/.well-known/caldav`
//! redirect must be followed with the same method and body.

mod body;

use crate::error::{Error, Result, from_reqwest, from_status, host_of};
use body::{Capped, read_capped};
use jiff::tz::TimeZone;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, LOCATION};
use reqwest::{Method, StatusCode};
use std::fmt;
use std::sync::Arc;
use std::time::Duration;
use stint_egress::EgressPolicy;
use url::Url;

/// The default cap on one response body: 5 MiB.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 5 * 1024 * 1024;
/// Bodies of error answers are read for their reason only; more than this is not kept.
const MAX_ERROR_BODY_BYTES: usize = 64 * 1024;
const MAX_REDIRECTS: usize = 5;

/// How requests are made.
#[derive(Debug, Clone)]
pub struct Settings {
    /// For each request, from connecting to the end of the body.
    pub timeout: Duration,
    /// The most bytes read from one response body; more is [`Error::TooLarge`].
    pub max_response_bytes: usize,
    /// Zone for floating times and all-day dates in the calendars read (the owner's zone).
    pub floating_zone: TimeZone,
    /// Which addresses may be connected to; by default public ones only.
    pub egress: Arc<EgressPolicy>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            timeout: Duration::from_secs(30),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            floating_zone: TimeZone::UTC,
            egress: Arc::new(EgressPolicy::public_only()),
        }
    }
}

/// A user name and password, kept out of `Debug` output.
#[derive(Clone)]
pub(crate) struct Credentials {
    pub(crate) username: String,
    pub(crate) password: String,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// One request to make.
pub(crate) struct Request {
    pub(crate) method: Method,
    pub(crate) url: Url,
    pub(crate) headers: Vec<(HeaderName, HeaderValue)>,
    pub(crate) body: Option<String>,
}

impl Request {
    pub(crate) fn new(method: Method, url: Url) -> Self {
        Request {
            method,
            url,
            headers: Vec::new(),
            body: None,
        }
    }

    pub(crate) fn header(mut self, name: HeaderName, value: &str) -> Result<Self> {
        let value = HeaderValue::from_str(value).map_err(|_| {
            Error::Invalid(format!(
                "a value for {name} has characters a header cannot carry"
            ))
        })?;
        self.headers.push((name, value));
        Ok(self)
    }

    pub(crate) fn body(mut self, content_type: &str, body: String) -> Result<Self> {
        self = self.header(reqwest::header::CONTENT_TYPE, content_type)?;
        self.body = Some(body);
        Ok(self)
    }
}

/// The final answer (after redirects). For a success the body is complete; for any other
/// status it holds at most [`MAX_ERROR_BODY_BYTES`].
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Vec<u8>,
    /// Where the answer came from, for resolving relative hrefs in it.
    pub(crate) url: Url,
}

impl Reply {
    pub(crate) fn header(&self, name: HeaderName) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The error for a status the caller did not expect.
    pub(crate) fn status_error(&self) -> Error {
        from_status(&self.url, self.status.as_u16())
    }

    /// The body as text, or a malformed-answer error.
    pub(crate) fn text(&self) -> Result<&str> {
        std::str::from_utf8(&self.body).map_err(|_| Error::Malformed {
            host: host_of(&self.url),
            reason: "the answer is not UTF-8 text".to_string(),
        })
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Http {
    client: reqwest::Client,
    max_bytes: usize,
    credentials: Option<Credentials>,
    egress: Arc<EgressPolicy>,
}

impl Http {
    pub(crate) fn new(settings: &Settings, credentials: Option<Credentials>) -> Result<Self> {
        let client = settings
            .egress
            .client_builder()
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout.min(Duration::from_secs(10)))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("Stint-CalDAV/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|_| Error::Invalid("the HTTP client could not be set up".to_string()))?;
        Ok(Http {
            client,
            max_bytes: settings.max_response_bytes,
            credentials,
            egress: settings.egress.clone(),
        })
    }

    /// Sends `request`, following up to five redirects with the same method and body (never
    /// from https to http). Every hop is checked against the egress policy; the credentials
    /// go only to the origin of the first request, never to another host a redirect names.
    pub(crate) async fn send(&self, request: Request) -> Result<Reply> {
        let origin = request.url.origin();
        let mut url = request.url.clone();
        for _ in 0..=MAX_REDIRECTS {
            self.egress.check_url(&url).map_err(Error::from)?;
            let mut builder = self.client.request(request.method.clone(), url.clone());
            for (name, value) in &request.headers {
                builder = builder.header(name, value);
            }
            if let Some(c) = self.credentials.as_ref().filter(|_| url.origin() == origin) {
                builder = builder.basic_auth(&c.username, Some(&c.password));
            }
            if let Some(body) = &request.body {
                builder = builder.body(body.clone());
            }
            let mut response = builder.send().await.map_err(|e| from_reqwest(&url, &e))?;
            let status = response.status();
            if status.is_redirection() && status != StatusCode::NOT_MODIFIED {
                url = redirect_target(&url, response.headers())?;
                continue;
            }
            let cap = if status.is_success() {
                self.max_bytes
            } else {
                MAX_ERROR_BODY_BYTES
            };
            let body = match read_capped(&mut response, cap)
                .await
                .map_err(|e| from_reqwest(&url, &e))?
            {
                Capped::Complete(body) => body,
                Capped::Overflow if status.is_success() => {
                    return Err(Error::TooLarge {
                        host: host_of(&url),
                        limit: cap,
                    });
                }
                // An error page too long to read is still the error its status says.
                Capped::Overflow => Vec::new(),
            };
            return Ok(Reply {
                status,
                headers: response.headers().clone(),
                body,
                url,
            });
        }
        Err(Error::Malformed {
            host: host_of(&url),
            reason: format!("more than {MAX_REDIRECTS} redirects"),
        })
    }
}

fn redirect_target(from: &Url, headers: &HeaderMap) -> Result<Url> {
    let malformed = |reason: &str| Error::Malformed {
        host: host_of(from),
        reason: reason.to_string(),
    };
    let location = headers
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| malformed("a redirect without a Location"))?;
    let to = from
        .join(location)
        .map_err(|_| malformed("a redirect to an invalid address"))?;
    match (from.scheme(), to.scheme()) {
        ("https", "https") | ("http", "http" | "https") => Ok(to),
        ("https", "http") => Err(malformed("a redirect from https to plain http")),
        _ => Err(malformed("a redirect to an address that is not http(s)")),
    }
}

/// Checks that `url` can be requested: http or https with a host.
pub(crate) fn check_url(url: &Url) -> Result<()> {
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(Error::Invalid(
            "the address must be an http or https URL".to_string(),
        ));
    }
    Ok(())
}
