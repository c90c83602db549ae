//! `GET /metrics`: Prometheus's text format (0.0.4), the request figures counted here at the
//! edge followed by the application's (`stint_app::metrics`). Routes are labelled by their
//! template (`/api/v1/bookings/{id}`), never the raw path, so ids and secrets stay out of
//! the labels and the series stay few.

use crate::state::AppState;
use axum::extract::State;
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::prometheus_text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use std::sync::LazyLock;
use std::time::Duration;

/// The content type of the text format Prometheus scrapes.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// The `route` of a request no route matched: any label from its path would let a scanner
/// make a series per address it tries.
pub const UNMATCHED: &str = "unmatched";

/// From 5 ms to 10 s: a page or an API call is fast; past ten seconds it is broken anyway.
const BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct Request {
    method: &'static str,
    route: String,
    status: u16,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct Route {
    route: String,
}

struct Http {
    registry: Registry,
    requests: Family<Request, Counter>,
    durations: Family<Route, Histogram, fn() -> Histogram>,
}

static HTTP: LazyLock<Http> = LazyLock::new(|| {
    let mut registry = Registry::default();
    let requests = Family::<Request, Counter>::default();
    let durations = Family::<Route, Histogram, fn() -> Histogram>::new_with_constructor(|| {
        Histogram::new(BUCKETS)
    });
    registry.register(
        "stint_http_requests",
        "HTTP requests answered, by method, route template and status",
        requests.clone(),
    );
    registry.register(
        "stint_http_request_duration_seconds",
        "Time to answer an HTTP request (until its headers), by route template",
        durations.clone(),
    );
    Http {
        registry,
        requests,
        durations,
    }
});

/// Counts one answered request. `route` is the matched template, `None` when none matched.
pub(crate) fn record(method: &Method, route: Option<&str>, status: StatusCode, took: Duration) {
    let route = route.unwrap_or(UNMATCHED).to_string();
    HTTP.requests
        .get_or_create(&Request {
            method: method_label(method),
            route: route.clone(),
            status: status.as_u16(),
        })
        .inc();
    HTTP.durations
        .get_or_create(&Route { route })
        .observe(took.as_secs_f64());
}

/// The standard methods by name; anything else (a client may send any token) as `other`.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

// Named `prometheus`, not `metrics`: the operation id `metrics` is `/api/v1/metrics`, the
// outcome metrics' definitions, and operation ids are unique.
/// Prometheus's scrape target for this process.
#[utoipa::path(get, path = "/metrics", tag = "meta",
    responses((status = 200, description = "This process's metrics in Prometheus's text format, version 0.0.4: \
        `stint_http_requests_total`, `stint_http_request_duration_seconds`, `stint_bookings_made_total`, \
        `stint_bookings_refused_total`, `stint_nudges_sent_total`, `stint_nudges_failed_total`, \
        `stint_jobs` and `stint_jobs_oldest_due_age_seconds`", content_type = "text/plain")))]
pub async fn prometheus(State(state): State<AppState>) -> Response {
    let mut body = String::new();
    let written = match encode(&mut body, &HTTP.registry) {
        Ok(()) => stint_app::metrics::exposition(&state, &mut body).await,
        Err(e) => Err(e),
    };
    if written.is_err() {
        tracing::error!("metrics could not be written");
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    ([(header::CONTENT_TYPE, CONTENT_TYPE)], body).into_response()
}
