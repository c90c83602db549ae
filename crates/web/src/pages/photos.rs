//! Mentor portraits: served with caching headers (a photo, or initials drawn as SVG), and a
//! mentor's upload and removal of their own. The checks and the resizing are
//! `stint_app::photos`'.

use super::render::{PageResult, failure_for, refusal};
use crate::auth::PageUser;
use crate::auth::csrf::{CsrfForm, CsrfToken};
use crate::error::HttpStatus;
use crate::state::AppState;
use axum::extract::multipart::Multipart;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;
use stint_app::photos::{self, PHOTO_MAX_BYTES, Portrait};
use stint_domain::FieldErrors;
use stint_domain::ids::UserId;

/// How long a browser keeps a photo (its link changes when it does) and drawn initials.
const PHOTO_CACHE: &str = "public, max-age=86400";
const INITIALS_CACHE: &str = "public, max-age=3600";

/// Escapes text for an SVG text node.
fn xml_text(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Initials on a coloured disc, readable in light and dark pages alike.
fn initials_svg(letters: &str, hue: u16) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 100 100\" width=\"256\" height=\"256\">\
         <rect width=\"100\" height=\"100\" fill=\"hsl({hue} 45% 38%)\"/>\
         <text x=\"50\" y=\"50\" dy=\".35em\" text-anchor=\"middle\" fill=\"#fff\" \
         font-family=\"system-ui, sans-serif\" font-size=\"40\" font-weight=\"600\">{}</text></svg>",
        xml_text(letters)
    )
}

/// `GET /mentors/{id}/photo`: the mentor's portrait, answered 304 when the browser has it.
pub async fn serve(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Ok(id) = id.parse::<i64>() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let (etag, cache, content_type, body) = match photos::portrait(&state, UserId(id)).await {
        Ok(Portrait::Photo(p)) => (
            format!("\"p{}\"", p.updated_at.as_second()),
            PHOTO_CACHE,
            p.content_type,
            p.bytes,
        ),
        Ok(Portrait::Initials { letters, hue }) => (
            format!("\"i{hue}-{}\"", letters.len()),
            INITIALS_CACHE,
            "image/svg+xml".to_string(),
            initials_svg(&letters, hue).into_bytes(),
        ),
        Err(e) => return e.status().into_response(),
    };
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    let mut response = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        body.into_response()
    };
    let h = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if !fresh && let Ok(v) = HeaderValue::from_str(&content_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    // A picture only, whatever a browser might guess from its bytes.
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'"),
    );
    response
}

/// `POST /mentor/photo` (multipart): the upload, checked, made square and kept.
pub async fn upload(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    jar: CookieJar,
    form: Multipart,
) -> PageResult {
    let upload = super::upload::read(&state, &jar, &me, form, "photo").await?;
    let errors = if upload.too_big {
        FieldErrors::single(
            "photo",
            format!("must be at most {} MB", PHOTO_MAX_BYTES / (1024 * 1024)),
        )
    } else {
        match upload.file {
            None => FieldErrors::single("photo", "is required: choose a picture"),
            Some((_, p)) => match photos::save_photo(&state, &me, p).await {
                Ok(()) => return Ok(Redirect::to("/mentor/profile?saved=photo").into_response()),
                Err(e) => refusal(e, &me)?.1,
            },
        }
    };
    let refused = super::mentor::Refused {
        photo: errors,
        ..Default::default()
    };
    super::mentor::editor(&state, me, &csrf.0, "", refused).await
}

#[derive(Debug, Default, Deserialize)]
pub struct NoFields {}

/// `POST /mentor/photo/remove`.
pub async fn remove(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    CsrfForm(_): CsrfForm<NoFields>,
) -> PageResult {
    photos::remove_photo(&state, &me)
        .await
        .map_err(|e| failure_for(e, Some(me.clone())))?;
    Ok(Redirect::to("/mentor/profile?saved=photo-removed").into_response())
}
