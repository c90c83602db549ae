//! WebDAV/CalDAV request bodies and the reading of `207 Multi-Status` answers (RFC 4918 §13).

use crate::error::{Error, Result, host_of};
use crate::http::Reply;
use crate::xml::{self, CALDAV, DAV, Element};
use jiff::Timestamp;
use jiff::tz::Offset;
use url::Url;

/// PROPFIND body for discovery: everything needed at every step, asked at once, so one round
/// trip tells whether an address is a calendar, a principal or a home.
pub(crate) const DISCOVERY_PROPS: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<d:propfind xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav" xmlns:cs="http://calendarserver.org/ns/">
  <d:prop>
    <d:resourcetype/>
    <d:current-user-principal/>
    <c:calendar-home-set/>
    <d:displayname/>
    <cs:getctag/>
    <d:sync-token/>
    <c:supported-calendar-component-set/>
  </d:prop>
</d:propfind>"#;

/// REPORT calendar-query (RFC 4791 §7.8) for VEVENTs overlapping the window. Recurrences are
/// expanded here rather than by the server (`<c:expand>` support varies between servers).
pub(crate) fn calendar_query(from: Timestamp, to: Timestamp) -> String {
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">
  <d:prop><d:getetag/><c:calendar-data/></d:prop>
  <c:filter>
    <c:comp-filter name="VCALENDAR">
      <c:comp-filter name="VEVENT">
        <c:time-range start="{}" end="{}"/>
      </c:comp-filter>
    </c:comp-filter>
  </c:filter>
</c:calendar-query>"#,
        utc(from),
        utc(to)
    )
}

/// REPORT free-busy-query (RFC 4791 §7.10).
pub(crate) fn free_busy_query(from: Timestamp, to: Timestamp) -> String {
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<c:free-busy-query xmlns:c="urn:ietf:params:xml:ns:caldav">
  <c:time-range start="{}" end="{}"/>
</c:free-busy-query>"#,
        utc(from),
        utc(to)
    )
}

/// `YYYYMMDDTHHMMSSZ`, clamped to years 1–9999, which is all iCalendar can write.
pub(crate) fn utc(ts: Timestamp) -> String {
    let dt = Offset::UTC.to_datetime(ts);
    let (dt, year) = match dt.year() {
        y if y < 1 => (jiff::civil::date(1, 1, 1).at(0, 0, 0, 0), 1),
        y => (dt, y),
    };
    format!(
        "{year:04}{:02}{:02}T{:02}{:02}{:02}Z",
        dt.month(),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second()
    )
}

/// One `<response>`: its resolved address, and the properties found (status 200) for it.
#[derive(Debug)]
pub(crate) struct DavResponse {
    pub(crate) url: Url,
    pub(crate) props: Vec<Element>,
}

impl DavResponse {
    pub(crate) fn prop(&self, ns: &str, name: &str) -> Option<&Element> {
        self.props.iter().find(|p| p.is(ns, name))
    }

    /// The first `<d:href>` inside property `ns:name`, resolved against `base`.
    pub(crate) fn href_prop(&self, ns: &str, name: &str, base: &Url) -> Option<Url> {
        self.hrefs_prop(ns, name, base).into_iter().next()
    }

    /// Every `<d:href>` inside property `ns:name`, resolved against `base`.
    pub(crate) fn hrefs_prop(&self, ns: &str, name: &str, base: &Url) -> Vec<Url> {
        self.prop(ns, name)
            .map(|p| {
                p.children_named(DAV, "href")
                    .filter_map(|h| h.trimmed())
                    .filter_map(|h| base.join(h).ok())
                    .collect()
            })
            .unwrap_or_default()
    }

    pub(crate) fn text_prop(&self, ns: &str, name: &str) -> Option<String> {
        self.prop(ns, name)
            .and_then(|p| p.trimmed())
            .map(str::to_string)
    }

    /// Whether `<d:resourcetype>` holds `ns:name` (e.g. CalDAV's `calendar`).
    pub(crate) fn has_type(&self, ns: &str, name: &str) -> bool {
        self.prop(DAV, "resourcetype")
            .is_some_and(|t| t.child(ns, name).is_some())
    }
}

/// Reads a `207 Multi-Status` answer. Hrefs are resolved against the answer's own address.
pub(crate) fn multistatus(reply: &Reply) -> Result<Vec<DavResponse>> {
    let malformed = |reason: String| Error::Malformed {
        host: host_of(&reply.url),
        reason,
    };
    if reply.status.as_u16() != 207 {
        return Err(malformed(format!(
            "expected a WebDAV multistatus answer, got HTTP {}",
            reply.status.as_u16()
        )));
    }
    let root = xml::parse(reply.text()?).map_err(malformed)?;
    if !root.is(DAV, "multistatus") {
        return Err(malformed(
            "expected a WebDAV multistatus answer".to_string(),
        ));
    }
    let mut out = Vec::new();
    for response in root.children_named(DAV, "response") {
        let Some(url) = response
            .child(DAV, "href")
            .and_then(|h| h.trimmed())
            .and_then(|h| reply.url.join(h).ok())
        else {
            continue;
        };
        let props = response
            .children_named(DAV, "propstat")
            .filter(|ps| {
                ps.child(DAV, "status")
                    .and_then(|s| s.trimmed())
                    .is_some_and(is_ok)
            })
            .filter_map(|ps| ps.child(DAV, "prop"))
            .flat_map(|p| p.children.iter().cloned())
            .collect();
        out.push(DavResponse { url, props });
    }
    Ok(out)
}

/// Whether a status line such as `HTTP/1.1 200 OK` says 2xx.
fn is_ok(status_line: &str) -> bool {
    status_line
        .split_whitespace()
        .nth(1)
        .is_some_and(|code| code.len() == 3 && code.starts_with('2'))
}

/// The CalDAV precondition named in a `<d:error>` body (RFC 4791 §1.3), e.g. `no-uid-conflict`.
pub(crate) fn precondition(body: &[u8]) -> Option<String> {
    let root = xml::parse(std::str::from_utf8(body).ok()?).ok()?;
    if !root.is(DAV, "error") {
        return None;
    }
    root.children
        .iter()
        .find(|c| c.ns == CALDAV || c.ns == DAV)
        .map(|c| c.name.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_utc_and_clamps_to_year_one() {
        assert_eq!(
            utc("2026-03-08T07:05:09Z".parse().unwrap()),
            "20260308T070509Z"
        );
        assert_eq!(utc(Timestamp::MIN), "00010101T000000Z");
    }

    #[test]
    fn status_lines() {
        assert!(is_ok("HTTP/1.1 200 OK"));
        assert!(!is_ok("HTTP/1.1 404 Not Found"));
        assert!(!is_ok("garbage"));
    }

    #[test]
    fn reads_a_precondition() {
        let body = br#"<d:error xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><c:no-uid-conflict><d:href>/x.ics</d:href></c:no-uid-conflict></d:error>"#;
        assert_eq!(precondition(body).as_deref(), Some("no-uid-conflict"));
        assert_eq!(precondition(b"<html/>"), None);
    }
}
