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

/// A Markdown file (`text/markdown`) named `name`, never cached (notes are private).
pub fn markdown(name: &str, body: String) -> Response {
    file("text/markdown; charset=utf-8", name, body)
}

/// A signed credential (VC-JWT) named `name`, never cached.
pub fn credential(name: &str, body: String) -> Response {
    file("application/vc+jwt", name, body)
}

/// A session's material: `body` as the file `name` of `content_type` (chosen by Stint from an
/// allowed extension), never shown in the page's origin (a download, sandboxed), never cached.
pub fn material(content_type: &str, name: &str, body: Vec<u8>) -> Response {
    let mut r = file(content_type, name, body);
    r.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        header::HeaderValue::from_static("sandbox; default-src 'none'"),
    );
    r
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
