//! The person's sessions (`/sessions`): upcoming ones, then the others 50 a page, newest
//! first (`stint_app::bookings::sessions_of`).

use super::booking::when;
use super::render::{Chrome, OrPage, PageResult, ok};
use crate::auth::PageUser;
use crate::auth::csrf::CsrfToken;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use serde::Deserialize;
use stint_app::bookings;
use stint_domain::account::zone_or_utc;

pub struct SessionRow {
    pub id: i64,
    pub title: String,
    pub with: String,
    pub when: String,
    pub status: String,
    /// For a mentor's upcoming session: its no-show risk level and probability (empty
    /// without a model).
    pub risk: String,
    pub risk_pct: String,
}

#[derive(Template)]
#[template(path = "sessions.html")]
struct SessionsPage {
    chrome: Chrome,
    upcoming: Vec<SessionRow>,
    past: Vec<SessionRow>,
    /// The link to older past sessions; empty on the last page.
    older: String,
    /// Showing an older page (a link back to the newest).
    paged: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SessionsParams {
    /// The page of past sessions older than this cursor.
    before: String,
}

pub async fn sessions(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    Query(q): Query<SessionsParams>,
) -> PageResult {
    let tz = zone_or_utc(&me.timezone);
    let lists = bookings::sessions_of(&state, &me, &q.before)
        .await
        .or_page()?;
    let row = |c: &stint_domain::booking::BookingContext| SessionRow {
        id: c.booking.id.0,
        title: c.sku.content.title.clone(),
        with: c.other(&me).display_name.clone(),
        when: when(c.booking.start, &tz),
        status: c.booking.status.as_str().replace('_', "-"),
        risk: lists
            .risk
            .get(&c.booking.id)
            .map_or(String::new(), |r| r.level.as_str().to_string()),
        risk_pct: lists
            .risk
            .get(&c.booking.id)
            .map_or(String::new(), |r| format!("{:.0}%", r.probability * 100.0)),
    };
    Ok(ok(&SessionsPage {
        upcoming: lists.upcoming.iter().map(row).collect(),
        past: lists.past.iter().map(row).collect(),
        older: lists
            .older
            .map_or(String::new(), |c| format!("/sessions?before={c}#past")),
        paged: !q.before.is_empty(),
        chrome: Chrome::new("Your sessions · Stint", Some(me.clone()), &csrf.0),
    }))
}
