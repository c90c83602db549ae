//! The unread count of the navigation's Inbox badge. Every page's frame (`Chrome`) shows it,
//! and pages build their frame in many places without the store at hand, so it is counted
//! once per page request here (one `COUNT` over the unread index) and read by `Chrome`, with
//! the request's path, by which the navigation marks the current page.

use crate::auth::MaybeUser;
use crate::state::AppState;
use axum::extract::{FromRequestParts, Request, State};
use axum::middleware::Next;
use axum::response::Response;

tokio::task_local! {
    /// The logged-in viewer's unread inbox items, for this request.
    static UNREAD: u64;
    /// This request's path, for the navigation to mark where the viewer is.
    static PATH: String;
}

/// This request's path; empty outside a page request.
pub fn path() -> String {
    PATH.try_with(|p| p.clone()).unwrap_or_default()
}

/// This request's unread count; 0 outside a page request or for a visitor.
pub fn current() -> u64 {
    UNREAD.try_with(|n| *n).unwrap_or(0)
}

/// Counts the viewer's unread items before the page is built. A visitor costs nothing; a
/// failure to count leaves the badge off rather than failing the page.
pub async fn count(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    let user = match MaybeUser::from_request_parts(&mut parts, &state).await {
        Ok(MaybeUser(user)) => user,
        Err(response) => return response,
    };
    let path = parts.uri.path().to_string();
    let req = Request::from_parts(parts, body);
    let Some(user) = user else {
        return PATH.scope(path, next.run(req)).await;
    };
    let n = match stint_app::nudges::unread_count(&state, &user).await {
        Ok(n) => n,
        Err(e) => {
            tracing::warn!(error = %e, "the unread count could not be read");
            0
        }
    };
    PATH.scope(path, UNREAD.scope(n, next.run(req))).await
}
