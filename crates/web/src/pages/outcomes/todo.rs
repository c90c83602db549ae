//! The dashboard's to-do list: what is due from the viewer across their sessions, each
//! item linking to the section of the session page where it is done.

use super::view::day_words;
use crate::pages::render::OrPage;
use crate::state::AppState;
use axum::response::Response;
use stint_app::outcomes as oc;
use stint_domain::account::Account;
use stint_domain::outcome::todo::{Due, TodoItem, TodoKind};

pub(crate) struct TodoRow {
    pub(crate) href: String,
    pub(crate) title: String,
    pub(crate) due: String,
    pub(crate) overdue: bool,
}

/// The viewer's to-do list, each item linking to its place on the session page.
pub(crate) async fn todo_rows(
    state: &AppState,
    viewer: &Account,
) -> Result<Vec<TodoRow>, Response> {
    let items: Vec<TodoItem> = oc::todo_of(state, viewer).await.or_page()?;
    Ok(items
        .into_iter()
        .map(|t| {
            let anchor = match t.kind {
                TodoKind::Prep => "prep",
                TodoKind::CloseSession => "close",
                TodoKind::Task => "tasks",
                TodoKind::FollowupAssessment => "followup-check",
            };
            let due = match (t.kind, t.due) {
                (TodoKind::CloseSession, Some(Due::At(at))) => {
                    format!("session ended {}", oc::when_for(viewer, at))
                }
                (_, Some(Due::At(at))) => format!("before {}", oc::when_for(viewer, at)),
                (_, Some(Due::On(d))) => format!("due {}", day_words(d)),
                (_, None) => "open now".into(),
            };
            TodoRow {
                href: format!("/sessions/{}#{anchor}", t.booking_id),
                title: t.title,
                due,
                overdue: t.overdue,
            }
        })
        .collect())
}
