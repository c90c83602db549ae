//! Busy time from a read-only `.ics` address (a calendar app's "secret address" or a
//! `webcal://` subscription): a plain GET under the same size cap, then `crate::busy`.

use crate::busy::{BusyInterval, BusyQuery, parse_busy};
use crate::error::{Error, Result, host_of};
use crate::http::{Http, Request, Settings, check_url};
use jiff::Timestamp;
use reqwest::Method;
use reqwest::header::ACCEPT;
use url::Url;

/// The busy intervals in `[from, to)` of the calendar at `url` (`http`, `https`, or
/// `webcal`, read as `https`). Floating times are read in `settings.floating_zone`.
pub async fn fetch_ics_busy(
    url: &str,
    from: Timestamp,
    to: Timestamp,
    settings: &Settings,
) -> Result<Vec<BusyInterval>> {
    let url = parse_feed_url(url)?;
    let http = Http::new(settings, None)?;
    let request = Request::new(Method::GET, url).header(ACCEPT, "text/calendar, */*;q=0.5")?;
    let reply = http.send(request).await?;
    if !reply.status.is_success() {
        return Err(reply.status_error());
    }
    let query = BusyQuery {
        from,
        to,
        floating_zone: settings.floating_zone.clone(),
    };
    let parsed = parse_busy(reply.text()?, &query).map_err(|e| Error::Malformed {
        host: host_of(&reply.url),
        reason: e.to_string(),
    })?;
    for warning in &parsed.warnings {
        tracing::warn!(host = %host_of(&reply.url), warning = %warning, "calendar feed read in part");
    }
    Ok(parsed.intervals)
}

fn parse_feed_url(url: &str) -> Result<Url> {
    let url = url.trim();
    let url = match url.get(..9) {
        Some(scheme) if scheme.eq_ignore_ascii_case("webcal://") => {
            format!("https://{}", &url[9..])
        }
        _ => url.to_string(),
    };
    let url = Url::parse(&url)
        .map_err(|_| Error::Invalid("the calendar address is not a valid URL".to_string()))?;
    check_url(&url)?;
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn webcal_is_https_and_other_schemes_are_refused() {
        assert_eq!(
            parse_feed_url("webcal://h/x.ics").unwrap().as_str(),
            "https://h/x.ics"
        );
        assert_eq!(
            parse_feed_url(" http://h/x.ics ").unwrap().as_str(),
            "http://h/x.ics"
        );
        assert!(parse_feed_url("file:///etc/passwd").is_err());
        assert!(parse_feed_url("not a url").is_err());
    }
}
