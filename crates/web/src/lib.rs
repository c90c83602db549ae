//! Stint's HTTP edge: the JSON API under `/api/v1`, the server-rendered pages, and
//! authentication. Handlers parse input, call one use case of `stint_app`, and render; the
//! application's one error type is mapped here, once for JSON (`error.rs`) and once for
//! HTML (`pages/render.rs`).

pub mod api;
pub mod auth;
mod download;
pub mod error;
mod extract;
pub mod ics;
pub mod observe;
mod pages;
mod state;

pub use error::ApiError;
pub use state::{AppState, WebConfig, WorkerLiveness};

use axum::Router;
use axum::http::{HeaderValue, header};
use tower_http::set_header::SetResponseHeaderLayer;

/// Largest request body accepted anywhere; the biggest legitimate one is a SKU edit.
pub const BODY_LIMIT: usize = 256 * 1024;

/// How long one request may take, body included, before it is answered 408: a client that
/// sends its body a byte at a time cannot hold a connection and a task for ever.
pub const REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// The whole application: API, pages, static files, `/healthz`, `/readyz` and `/metrics`.
pub fn app(state: AppState) -> Router {
    let (api_router, _) = api::router().split_for_parts();
    Router::new()
        .merge(api_router)
        .merge(pages::router(&state))
        .route("/static/{*file}", axum::routing::get(pages::assets::asset))
        // Beside the pages, not among them: a cacheable picture sets no cookie and reads
        // no inbox.
        .route(
            "/mentors/{id}/photo",
            axum::routing::get(pages::photos::serve),
        )
        .route("/calendar/{file}", axum::routing::get(api::calendar::feed))
        .route(
            "/webhooks/stripe",
            axum::routing::post(api::stripe_webhook::receive),
        )
        .fallback(pages::not_found)
        .layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        // Pages, JSON and calendar files shrink several times over; gzip or Brotli as the
        // client accepts (small answers are left as they are).
        .layer(tower_http::compression::CompressionLayer::new())
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
                 frame-ancestors 'none'; form-action 'self' https://checkout.stripe.com; base-uri 'none'",
            ),
        ))
        // Outermost, so the request's id and span cover every layer and handler above.
        .layer(axum::middleware::from_fn(observe::observe))
        .with_state(state)
}
