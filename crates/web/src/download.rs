//! Files offered for download: one place that says how a CSV answer looks, for the API and
//! the pages alike (payout runs, sponsor statements).

use axum::http::header;
use axum::response::{IntoResponse, Response};

/// `body` as a `text/csv` file named `name`, never cached (statements and payouts are
/// private).
pub fn csv(name: &str, body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
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
