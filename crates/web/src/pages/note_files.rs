//! The page edges of note files (`stint_app::note_files`): a session's Markdown file from its
//! page, and the whole vault from "Your data".

use super::render::{PageResult, failure_for, not_found_page};
use crate::auth::PageUser;
use crate::state::AppState;
use axum::extract::{Path, State};

pub async fn session_file(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(id): Path<String>,
) -> PageResult {
    let Ok(id) = id.parse::<i64>() else {
        return Ok(not_found_page(Some(me)));
    };
    stint_app::note_files::session_file(&state, &me, id)
        .await
        .map(|(name, text)| crate::download::markdown(&name, text))
        .map_err(|e| failure_for(e, Some(me)))
}

pub async fn vault(State(state): State<AppState>, PageUser(me): PageUser) -> PageResult {
    stint_app::note_files::vault(&state, &me)
        .await
        .map(|(name, bytes)| crate::download::zip(&name, bytes))
        .map_err(|e| failure_for(e, Some(me)))
}
