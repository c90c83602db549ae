//! Reading busy time from a calendar: REPORT calendar-query for the events in a window
//! (expanded here, by `crate::busy`), or REPORT free-busy-query for the server's own summary.

use super::{CalDavClient, Etag};
use crate::busy::{Budget, BusyInterval, BusyQuery, parse_busy, parse_with_budget};
use crate::dav::{self, calendar_query, free_busy_query};
use crate::error::{Error, Result, host_of};
use crate::http::Request;
use crate::xml::{CALDAV, DAV};
use jiff::Timestamp;
use reqwest::Method;
use reqwest::header::HeaderName;
use url::Url;

/// A busy interval of one event in a CalDAV calendar, with the resource it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BusyEvent {
    pub start: Timestamp,
    pub end: Timestamp,
    pub uid: Option<String>,
    /// The event resource's address.
    pub href: Url,
    pub etag: Option<Etag>,
}

impl CalDavClient {
    /// The busy intervals of the events in `calendar_url` overlapping `[from, to)`, sorted by
    /// start. Resources that cannot be read are skipped and logged, so one broken event does
    /// not hide the rest.
    pub async fn busy(
        &self,
        calendar_url: &Url,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<BusyEvent>> {
        let reply = self.report(calendar_url, calendar_query(from, to)).await?;
        let query = self.query(from, to);
        // One budget for the whole answer: many small hostile resources cannot add up to
        // unbounded work.
        let mut budget = Budget::new();
        let mut out = Vec::new();
        for response in dav::multistatus(&reply)? {
            let Some(data) = response
                .prop(CALDAV, "calendar-data")
                .map(|d| d.text.as_str())
            else {
                continue;
            };
            let etag = response.text_prop(DAV, "getetag").map(Etag);
            let parsed = match parse_with_budget(data, &query, &mut budget) {
                Ok(parsed) => parsed,
                Err(e) => {
                    tracing::warn!(host = %host_of(&response.url), path = response.url.path(), error = %e, "calendar event skipped");
                    continue;
                }
            };
            for warning in &parsed.warnings {
                tracing::warn!(host = %host_of(&response.url), path = response.url.path(), warning = %warning, "calendar event read in part");
            }
            out.extend(parsed.intervals.into_iter().map(|i| BusyEvent {
                start: i.start,
                end: i.end,
                uid: i.uid,
                href: response.url.clone(),
                etag: etag.clone(),
            }));
        }
        out.sort_by_key(|e| (e.start, e.end));
        Ok(out)
    }

    /// The server's free-busy summary of `calendar_url` for `[from, to)` (RFC 4791 §7.10).
    /// Not every server offers it; those that do not answer with an HTTP error.
    pub async fn free_busy(
        &self,
        calendar_url: &Url,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<BusyInterval>> {
        let reply = self.report(calendar_url, free_busy_query(from, to)).await?;
        let parsed =
            parse_busy(reply.text()?, &self.query(from, to)).map_err(|e| Error::Malformed {
                host: host_of(&reply.url),
                reason: e.to_string(),
            })?;
        for warning in &parsed.warnings {
            tracing::warn!(host = %host_of(&reply.url), warning = %warning, "free-busy answer read in part");
        }
        Ok(parsed.intervals)
    }

    fn query(&self, from: Timestamp, to: Timestamp) -> BusyQuery {
        BusyQuery {
            from,
            to,
            floating_zone: self.settings.floating_zone.clone(),
        }
    }

    async fn report(&self, calendar_url: &Url, body: String) -> Result<crate::http::Reply> {
        let method =
            Method::from_bytes(b"REPORT").map_err(|_| Error::Invalid("REPORT".to_string()))?;
        let request = Request::new(method, calendar_url.clone())
            .header(HeaderName::from_static("depth"), "1")?
            .body("application/xml; charset=utf-8", body)?;
        let reply = self.http.send(request).await?;
        if !reply.status.is_success() {
            return Err(reply.status_error());
        }
        Ok(reply)
    }
}
