//! Writing events: PUT `{calendar}/{uid}.ics` with a precondition, and DELETE.
//!
//! Creating sends `If-None-Match: *` so an event of the same name is never overwritten by
//! accident; updating sends `If-Match` with the ETag last read, so a change the mentor made in
//! their calendar app is not silently lost. Either failing is [`Error::PreconditionFailed`].

use super::CalDavClient;
use crate::dav;
use crate::error::{Error, Result, host_of};
use crate::http::Request;
use reqwest::Method;
use reqwest::header::{ETAG, IF_MATCH, IF_NONE_MATCH};
use std::fmt;
use url::Url;

/// An entity tag exactly as the server sent it (quotes included), to send back in `If-Match`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Etag(pub String);

impl Etag {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Etag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The address of event `uid` in a calendar: `{calendar}/{uid}.ics`, the UID percent-encoded
/// as one path segment (a `/` in a UID cannot escape the calendar).
pub fn event_url(calendar_url: &Url, uid: &str) -> Result<Url> {
    let valid = !uid.is_empty()
        && uid.len() <= 255
        && uid != "."
        && uid != ".."
        && !uid.chars().any(char::is_control);
    if !valid {
        return Err(Error::Invalid(
            "an event UID must be 1–255 bytes without control characters".to_string(),
        ));
    }
    let mut url = calendar_url.clone();
    url.set_query(None);
    url.set_fragment(None);
    url.path_segments_mut()
        .map_err(|_| Error::Invalid("the calendar address cannot hold events".to_string()))?
        .pop_if_empty()
        .push(&format!("{uid}.ics"));
    Ok(url)
}

impl CalDavClient {
    /// Creates (`if_match: None`) or replaces (`Some(etag)`) event `uid` with `ics_body`, a
    /// whole VCALENDAR. Returns the new ETag.
    pub async fn put_event(
        &self,
        calendar_url: &Url,
        uid: &str,
        ics_body: &str,
        if_match: Option<&str>,
    ) -> Result<Etag> {
        self.put(calendar_url, uid, ics_body, Some(if_match.unwrap_or("*")))
            .await
    }

    /// Writes event `uid` whatever is there now: for an event that is Stint's own (its
    /// booking moved) when neither creating nor replacing by ETag worked, because the event
    /// was changed outside the window Stint reads.
    pub async fn overwrite_event(
        &self,
        calendar_url: &Url,
        uid: &str,
        ics_body: &str,
    ) -> Result<Etag> {
        self.put(calendar_url, uid, ics_body, None).await
    }

    /// PUT with `If-None-Match: *` (`Some("*")`), `If-Match` (`Some(etag)`) or no precondition.
    async fn put(
        &self,
        calendar_url: &Url,
        uid: &str,
        ics_body: &str,
        precondition: Option<&str>,
    ) -> Result<Etag> {
        let url = event_url(calendar_url, uid)?;
        let request = Request::new(Method::PUT, url.clone())
            .body("text/calendar; charset=utf-8", ics_body.to_string())?;
        let request = match precondition {
            Some("*") => request.header(IF_NONE_MATCH, "*")?,
            Some(tag) => request.header(IF_MATCH, tag)?,
            None => request,
        };
        let reply = self.http.send(request).await?;
        match reply.status.as_u16() {
            200..=299 => {}
            403 | 409 => {
                if let Some(reason) = dav::precondition(&reply.body) {
                    return Err(Error::Rejected {
                        host: host_of(&reply.url),
                        reason,
                    });
                }
                return Err(reply.status_error());
            }
            _ => return Err(reply.status_error()),
        }
        if let Some(tag) = reply.header(ETAG) {
            return Ok(Etag(tag.to_string()));
        }
        // A server that changed what it stored may withhold the ETag (RFC 4791 §5.3.4);
        // the stored version's tag is then read back.
        let head = self.http.send(Request::new(Method::HEAD, url)).await?;
        if !head.status.is_success() {
            return Err(head.status_error());
        }
        head.header(ETAG)
            .map(|t| Etag(t.to_string()))
            .ok_or_else(|| Error::Malformed {
                host: host_of(&head.url),
                reason: "the server gave no ETag for the event".to_string(),
            })
    }

    /// Deletes event `uid`, only if it still has `etag` when one is given. An event already
    /// gone counts as deleted.
    pub async fn delete_event(
        &self,
        calendar_url: &Url,
        uid: &str,
        etag: Option<&str>,
    ) -> Result<()> {
        let url = event_url(calendar_url, uid)?;
        let mut request = Request::new(Method::DELETE, url);
        if let Some(tag) = etag {
            request = request.header(IF_MATCH, tag)?;
        }
        let reply = self.http.send(request).await?;
        match reply.status.as_u16() {
            200..=299 | 404 | 410 => Ok(()),
            _ => Err(reply.status_error()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_urls_keep_the_uid_inside_the_calendar() {
        let cal = Url::parse("https://h/cal/work/").unwrap();
        assert_eq!(
            event_url(&cal, "abc@stint").unwrap().as_str(),
            "https://h/cal/work/abc@stint.ics"
        );
        assert_eq!(
            event_url(&cal, "../../x?y#z").unwrap().as_str(),
            "https://h/cal/work/..%2F..%2Fx%3Fy%23z.ics"
        );
        let no_slash = Url::parse("https://h/cal/work").unwrap();
        assert_eq!(
            event_url(&no_slash, "a").unwrap().as_str(),
            "https://h/cal/work/a.ics"
        );
        assert!(event_url(&cal, "").is_err());
        assert!(event_url(&cal, "..").is_err());
        assert!(event_url(&cal, "a\nb").is_err());
    }
}
