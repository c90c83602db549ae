//! Sessions as Markdown files for the mentee's own note app: one session's file, or every
//! session they took as a zip to drop into an Obsidian or Logseq vault (`stint_app::note_files`).

use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorBody};
use crate::extract::ApiPath;
use crate::state::AppState;
use axum::extract::State;
use axum::response::Response;

/// One session as a Markdown file with YAML front matter (date, mentor, session type,
/// competency, checkpoint, result), carrying only what the caller may read of it.
#[utoipa::path(get, path = "/api/v1/bookings/{id}/notes.md", tag = "notes", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Booking id")),
    responses((status = 200, description = "The session's note file", content_type = "text/markdown", body = String),
        (status = 404, body = ErrorBody)))]
pub async fn session_note_file(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, ApiError> {
    let (name, text) = stint_app::note_files::session_file(&state, &me, id).await?;
    Ok(crate::download::markdown(&name, text))
}

/// Every session you took as a mentee (cancelled ones left out) as note files in one folder,
/// zipped.
#[utoipa::path(get, path = "/api/v1/me/notes.zip", tag = "notes", security(("bearer" = [])),
    responses((status = 200, description = "The zip", content_type = "application/zip", body = Vec<u8>),
        (status = 401, body = ErrorBody)))]
pub async fn notes_vault(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
) -> Result<Response, ApiError> {
    let (name, bytes) = stint_app::note_files::vault(&state, &me).await?;
    Ok(crate::download::zip(&name, bytes))
}
