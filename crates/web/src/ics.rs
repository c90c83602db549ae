//! Calendar files over HTTP: the site's address for links inside them, and a calendar
//! file as a download. What the files say is `stint_app::calendar_files`.

use crate::state::WebConfig;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use stint_app::calendar_files::CalendarFile;

/// The site's address for links inside calendar files: the configured `public_url`, never
/// the request's `Host` header (which the client writes, and which an invitation forwarded
/// to others would carry).
pub fn site_base(config: &WebConfig) -> Option<String> {
    let base = config.public_url.trim().trim_end_matches('/');
    (!base.is_empty()).then(|| base.to_string())
}

/// A `text/calendar` response offered as a file download.
pub fn calendar_response(file: CalendarFile) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                "text/calendar; charset=utf-8".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", file.filename),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        file.body,
    )
        .into_response()
}
