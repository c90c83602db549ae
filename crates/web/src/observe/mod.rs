//! What operators see of each request: an id (see `request_id`), a span that every log line
//! of the request carries (method, route template, id), one access log line at INFO when it
//! is answered, and the request figures of `/metrics` (see `metrics`).

pub mod metrics;
pub mod request_id;

use axum::extract::{MatchedPath, Request};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use request_id::RequestId;
use std::time::Instant;
use tracing::Instrument;

/// Paths under these prefixes hold secrets (the calendar feed's token): when such a path
/// matched no route, only its prefix is logged.
const SECRET_PREFIXES: [&str; 1] = ["/calendar/"];

/// A logged raw path is cut here: a scanner's long probes should not flood the log.
const MAX_LOGGED_PATH: usize = 200;

/// The middleware around every route (and the fallback): runs the request in its span with
/// its id, then stamps the id on the response, logs the access line and counts it.
pub async fn observe(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let id = RequestId::from_headers(req.headers()).unwrap_or_else(RequestId::generate);
    let method = req.method().clone();
    // The route template, never the raw path: ids and the feed's secret stay out of the
    // log. The query string is never logged at all.
    let matched = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string());
    let route = matched
        .clone()
        .unwrap_or_else(|| unmatched_path(req.uri().path()));
    let span = tracing::info_span!(
        "request",
        method = %method,
        route = %route,
        request_id = %id,
    );
    let mut response = id
        .clone()
        .scope(next.run(req))
        .instrument(span.clone())
        .await;
    if let Ok(value) = HeaderValue::from_str(id.as_str()) {
        response.headers_mut().insert(request_id::HEADER, value);
    }
    let took = started.elapsed();
    let status = response.status();
    // Tenths of a millisecond: finer is noise, coarser hides the fast paths' differences.
    let duration_ms = (took.as_secs_f64() * 10_000.0).round() / 10.0;
    span.in_scope(|| tracing::info!(status = status.as_u16(), duration_ms, "answered"));
    metrics::record(&method, matched.as_deref(), status, took);
    response
}

/// How a path that matched no route is logged: as it is, cut to a sane length, except under
/// a prefix whose paths hold secrets.
fn unmatched_path(path: &str) -> String {
    if let Some(prefix) = SECRET_PREFIXES.iter().find(|p| path.starts_with(**p)) {
        return format!("{prefix}…");
    }
    match path.char_indices().nth(MAX_LOGGED_PATH) {
        Some((cut, _)) => format!("{}…", &path[..cut]),
        None => path.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unmatched_paths_keep_secrets_out_and_stay_short() {
        assert_eq!(unmatched_path("/nope"), "/nope");
        assert_eq!(unmatched_path("/calendar/s3cret/x"), "/calendar/…");
        let long = format!("/{}", "a".repeat(500));
        assert_eq!(unmatched_path(&long).chars().count(), MAX_LOGGED_PATH + 1);
    }
}
