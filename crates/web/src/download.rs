//! Files offered for download: one place that says how a file answer looks, for the API and
//! the pages alike (payout runs and sponsor statements as CSV, a person's export as zip).

use axum::http::header;
use axum::response::{IntoResponse, Response};

/// `body` as a `text/csv` file named `name`, never cached (statements and payouts are
/// private).
pub fn csv(name: &str, body: String) -> Response {
    file("text/csv; charset=utf-8", name, body)
}

/// `body` as a zip file named `name`, never cached.
pub fn zip(name: &str, body: Vec<u8>) -> Response {
    file("application/zip", name, body)
}

fn file(content_type: &str, name: &str, body: impl IntoResponse) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        body,
    )
        .into_response()
}
