//! The inbox page at `/inbox`: the viewer's in-app nudges, newest first, unread ones
//! marked, each read on its own or all at once.

use super::render::{Chrome, PageResult, failure, failure_for, not_found_page, ok};
use crate::auth::PageUser;
use crate::auth::csrf::{CsrfForm, CsrfToken};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use jiff::tz::TimeZone;
use serde::Deserialize;
use stint_app::nudges as nudge_ops;
use stint_store::InboxItem;

/// A run of a line: text, or a web address shown as a link (a meeting room, say).
pub(crate) struct Piece {
    text: String,
    link: bool,
}

/// `line` cut into text and the `https://`/`http://` addresses in it, so the template can
/// link them (each still escaped: only the address itself becomes an `href`).
fn pieces(line: &str) -> Vec<Piece> {
    let mut out: Vec<Piece> = Vec::new();
    for (i, word) in line.split(' ').enumerate() {
        let is_link = (word.starts_with("https://") || word.starts_with("http://"))
            && word.len() > "https://".len()
            && !word.contains(['"', '<', '>']);
        let sep = if i == 0 { "" } else { " " };
        match out.last_mut() {
            Some(p) if !p.link && !is_link => {
                p.text.push_str(sep);
                p.text.push_str(word);
            }
            _ => {
                if !sep.is_empty() {
                    out.push(Piece {
                        text: sep.into(),
                        link: false,
                    });
                }
                out.push(Piece {
                    text: word.to_string(),
                    link: is_link,
                });
            }
        }
    }
    out
}

/// One message, formatted for the viewer's zone.
struct ItemRow {
    id: i64,
    title: String,
    /// The body's lines, each escaped when rendered; web addresses in them become links.
    lines: Vec<Vec<Piece>>,
    /// A path inside Stint, or empty when the stored link is not one.
    link: String,
    when: String,
    iso: String,
    unread: bool,
}

impl ItemRow {
    fn new(item: &InboxItem, tz: &TimeZone) -> Self {
        let z = item.created_at.to_zoned_datetime(tz.clone());
        ItemRow {
            id: item.id,
            title: item.title.clone(),
            lines: item.body.lines().map(pieces).collect(),
            link: internal(&item.link),
            when: z.strftime("%a %-d %b %Y, %H:%M").to_string(),
            iso: z.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string(),
            unread: item.read_at.is_none(),
        }
    }
}

/// Only same-site paths become links, so a message can never lead elsewhere.
fn internal(link: &str) -> String {
    if link.starts_with('/') && !link.starts_with("//") && !link.contains('\\') {
        link.to_string()
    } else {
        String::new()
    }
}

#[derive(Template)]
#[template(path = "inbox.html")]
struct InboxPage {
    chrome: Chrome,
    unread: u64,
    items: Vec<ItemRow>,
    tz: String,
    /// Whether this is an older page (it offers the newest again).
    paged: bool,
    /// The link to the next, older page, or empty.
    older: String,
}

/// Messages per page.
const INBOX_PAGE: u32 = 50;

#[derive(Debug, Default, Deserialize)]
pub struct InboxQuery {
    before: Option<String>,
}

pub async fn inbox(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    Query(q): Query<InboxQuery>,
) -> PageResult {
    // A cursor that is not a number is the first page.
    let before = q.before.and_then(|b| b.trim().parse::<i64>().ok());
    let inbox = nudge_ops::inbox(&state, &me, before, INBOX_PAGE)
        .await
        .map_err(failure)?;
    let tz = me.zone();
    let mut chrome = Chrome::new("Inbox · Stint", Some(me), &csrf.0);
    // Counted with the items, so the badge and the list agree.
    chrome.unread = inbox.unread;
    Ok(ok(&InboxPage {
        unread: inbox.unread,
        items: inbox.items.iter().map(|i| ItemRow::new(i, &tz)).collect(),
        tz: tz.iana_name().unwrap_or("UTC").to_string(),
        paged: before.is_some(),
        older: inbox
            .older_before
            .map(|b| format!("/inbox?before={b}"))
            .unwrap_or_default(),
        chrome,
    }))
}

#[derive(Debug, Default, Deserialize)]
pub struct Empty {}

pub async fn mark_all_read(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    CsrfForm(_): CsrfForm<Empty>,
) -> PageResult {
    nudge_ops::mark_read(&state, &me, None)
        .await
        .map_err(failure)?;
    Ok(Redirect::to("/inbox").into_response())
}

/// Marks one of the viewer's items read; another person's item (or no item) is a 404 and
/// changes nothing.
pub async fn mark_read(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<Empty>,
) -> PageResult {
    let Ok(id) = id.parse::<i64>() else {
        return Ok(not_found_page(Some(me)));
    };
    match nudge_ops::mark_read(&state, &me, Some(id)).await {
        Ok(_) => Ok(Redirect::to("/inbox").into_response()),
        Err(e) => Err(failure_for(e, Some(me))),
    }
}

#[cfg(test)]
mod tests {
    use super::pieces;

    #[test]
    fn web_addresses_in_a_line_become_links_and_the_rest_stays_text() {
        let p = pieces("Join at https://meet.jit.si/stint-abc when it starts");
        let shown: Vec<(&str, bool)> = p.iter().map(|p| (p.text.as_str(), p.link)).collect();
        assert_eq!(
            shown,
            [
                ("Join at", false),
                (" ", false),
                ("https://meet.jit.si/stint-abc", true),
                (" ", false),
                ("when it starts", false)
            ]
        );
        assert!(
            pieces("javascript:alert(1) https://")
                .iter()
                .all(|p| !p.link)
        );
    }
}
