//! Finding the account's calendars (RFC 4791 §6, RFC 5397, RFC 6764).
//!
//! From whatever address the user gave: if it is a calendar, that calendar; if it names a
//! calendar home or a principal (`current-user-principal`), the calendars in the home;
//! otherwise the same from `/.well-known/caldav`, following its redirect.

use super::CalDavClient;
use crate::dav::{self, DISCOVERY_PROPS, DavResponse};
use crate::error::{Error, Result, host_of};
use crate::http::Request;
use crate::xml::{CALDAV, CALSERVER, DAV};
use reqwest::Method;
use reqwest::header::HeaderName;
use url::Url;

/// Homes looked at, at most (a principal normally has one).
const MAX_HOMES: usize = 4;

/// A calendar collection and what the server says about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarInfo {
    pub url: Url,
    pub display_name: Option<String>,
    /// CalendarServer's `getctag`: changes whenever anything in the calendar does.
    pub ctag: Option<String>,
    /// RFC 6578 `sync-token`, for incremental sync.
    pub sync_token: Option<String>,
    /// Component types the calendar accepts (`VEVENT`, `VTODO`, …); empty when the server
    /// does not say, which means all.
    pub components: Vec<String>,
}

impl CalendarInfo {
    /// Whether events can be stored here.
    pub fn supports_events(&self) -> bool {
        self.components.is_empty() || self.components.iter().any(|c| c == "VEVENT")
    }

    fn from_response(r: &DavResponse) -> Self {
        let components = r
            .prop(CALDAV, "supported-calendar-component-set")
            .map(|set| {
                set.children_named(CALDAV, "comp")
                    .filter_map(|c| c.attr("name"))
                    .map(str::to_ascii_uppercase)
                    .collect()
            })
            .unwrap_or_default();
        CalendarInfo {
            url: r.url.clone(),
            display_name: r.text_prop(DAV, "displayname"),
            ctag: r.text_prop(CALSERVER, "getctag"),
            sync_token: r.text_prop(DAV, "sync-token"),
            components,
        }
    }
}

impl CalDavClient {
    /// The account's calendars (see the module documentation for the search). An empty list
    /// means the account has a home but no calendars; [`Error::NotCalDav`] means nothing
    /// CalDAV was found at the address.
    pub async fn discover(&self) -> Result<Vec<CalendarInfo>> {
        let start = self.base.clone();
        if let Some(found) = self.discover_at(&start).await? {
            return Ok(found);
        }
        if let Ok(well_known) = start.join("/.well-known/caldav")
            && well_known != start
            && let Some(found) = self.discover_at(&well_known).await?
        {
            return Ok(found);
        }
        Err(Error::NotCalDav {
            host: host_of(&start),
        })
    }

    async fn discover_at(&self, url: &Url) -> Result<Option<Vec<CalendarInfo>>> {
        let Some((answered_at, this)) = self.describe(url).await? else {
            return Ok(None);
        };
        if this.has_type(CALDAV, "calendar") {
            return Ok(Some(vec![CalendarInfo::from_response(&this)]));
        }
        let mut homes = this.hrefs_prop(CALDAV, "calendar-home-set", &answered_at);
        if homes.is_empty()
            && let Some(principal) = this.href_prop(DAV, "current-user-principal", &answered_at)
            && !same_collection(&principal, &this.url)
            && let Some((at, p)) = self.describe(&principal).await?
        {
            homes = p.hrefs_prop(CALDAV, "calendar-home-set", &at);
        }
        if homes.is_empty() {
            // Perhaps a home given directly, on a server that does not say whose it is.
            let listed = self.calendars_in(&this.url).await.unwrap_or_default();
            return Ok((!listed.is_empty()).then_some(listed));
        }
        let mut calendars: Vec<CalendarInfo> = Vec::new();
        for home in homes.iter().take(MAX_HOMES) {
            for c in self.calendars_in(home).await? {
                if !calendars
                    .iter()
                    .any(|known| same_collection(&known.url, &c.url))
                {
                    calendars.push(c);
                }
            }
        }
        Ok(Some(calendars))
    }

    /// PROPFIND Depth 0: the address's own properties and where the answer came from (after
    /// redirects). `None` when the address is not WebDAV at all (404, 405, an HTML page…);
    /// wrong credentials and unreachable servers stay errors.
    async fn describe(&self, url: &Url) -> Result<Option<(Url, DavResponse)>> {
        let reply = match self.propfind(url, "0").await {
            Ok(reply) => reply,
            Err(e) if tolerable(&e) => return Ok(None),
            Err(e) => return Err(e),
        };
        let responses = match dav::multistatus(&reply) {
            Ok(r) => r,
            Err(Error::Malformed { .. }) => return Ok(None),
            Err(e) => return Err(e),
        };
        let answered_at = reply.url.clone();
        // The answer describes the address itself; some servers add other entries.
        let at = responses
            .iter()
            .position(|r| same_collection(&r.url, &answered_at))
            .unwrap_or(0);
        let this = responses.into_iter().nth(at);
        Ok(this.map(|r| (answered_at, r)))
    }

    /// PROPFIND Depth 1 on a home: its calendar collections.
    async fn calendars_in(&self, home: &Url) -> Result<Vec<CalendarInfo>> {
        let reply = self.propfind(home, "1").await?;
        Ok(dav::multistatus(&reply)?
            .iter()
            .filter(|r| r.has_type(CALDAV, "calendar"))
            .map(CalendarInfo::from_response)
            .collect())
    }

    async fn propfind(&self, url: &Url, depth: &str) -> Result<crate::http::Reply> {
        let method =
            Method::from_bytes(b"PROPFIND").map_err(|_| Error::Invalid("PROPFIND".to_string()))?;
        let request = Request::new(method, url.clone())
            .header(HeaderName::from_static("depth"), depth)?
            .body(
                "application/xml; charset=utf-8",
                DISCOVERY_PROPS.to_string(),
            )?;
        let reply = self.http.send(request).await?;
        if !reply.status.is_success() {
            return Err(reply.status_error());
        }
        Ok(reply)
    }
}

/// Errors that mean "nothing CalDAV here", so discovery tries the next address.
fn tolerable(e: &Error) -> bool {
    match e {
        Error::NotFound { .. } | Error::Malformed { .. } => true,
        Error::Status { status, .. } => matches!(status, 400 | 405 | 406 | 415 | 501),
        _ => false,
    }
}

/// The same collection, whether or not either address ends in `/`.
fn same_collection(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
        && a.path().trim_end_matches('/') == b.path().trim_end_matches('/')
}
