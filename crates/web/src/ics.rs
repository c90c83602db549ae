//! Calendar files over HTTP: the site's address for links inside them, and a calendar
//! file as a download. What the files say is `stint_app::calendar_files`.

use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use stint_app::calendar_files::CalendarFile;

/// The site's own address as the browser reached it, for links inside calendar files.
pub fn site_base(headers: &HeaderMap, secure: bool) -> Option<String> {
    let host = headers.get(header::HOST)?.to_str().ok()?;
    let ok = host
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c));
    ok.then(|| format!("{}://{host}", if secure { "https" } else { "http" }))
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
