//! The operator's view of outgoing mail at `/operator/mail`: where mail goes, the `.eml`
//! files of the outbox folder when no SMTP server is configured (each readable as sent), and
//! the latest nudge deliveries on every channel with their errors.

use super::operator::operator;
use super::render::{Chrome, OrPage, PageResult, html, not_found_page};
use crate::auth::PageUser;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::Deserialize;
use stint_store::{Delivery, DeliveryStatus};

/// How many outbox files and deliveries the page lists.
const LIMIT: usize = 100;

struct OutboxRow {
    file_name: String,
    when: String,
    to: String,
    subject: String,
    size: u64,
}

struct DeliveryRow {
    when: String,
    booking: i64,
    recipient: i64,
    what: &'static str,
    channel: &'static str,
    sent: bool,
    attempts: u32,
    detail: String,
}

#[derive(Template)]
#[template(path = "operator/mail.html")]
struct MailPage {
    chrome: Chrome,
    destination: String,
    /// `None` when mail goes over SMTP (there is no outbox to list).
    outbox: Option<Vec<OutboxRow>>,
    /// Why the outbox could not be read, if it could not.
    outbox_error: Option<String>,
    deliveries: Vec<DeliveryRow>,
    /// Whether this is an older page of deliveries (it offers the newest again).
    paged: bool,
    /// The link to the next, older page of deliveries, or empty.
    older: String,
    tz: String,
}

#[derive(Template)]
#[template(path = "operator/mail_message.html")]
struct MessagePage {
    chrome: Chrome,
    file_name: String,
    /// Headers and body decoded, when the file is a message.
    message: Option<stint_mail::Readable>,
    /// The file as it is, for the curious (MIME parts, encodings).
    raw: String,
}

fn when(t: Timestamp, tz: &TimeZone) -> String {
    t.to_zoned_datetime(tz.clone())
        .strftime("%a %-d %b %Y %H:%M:%S")
        .to_string()
}

fn delivery_row(d: &Delivery, tz: &TimeZone) -> DeliveryRow {
    DeliveryRow {
        when: when(d.at, tz),
        booking: d.booking.0,
        recipient: d.recipient.0,
        what: d.kind.label(),
        channel: d.channel.label(),
        sent: d.status == DeliveryStatus::Sent,
        attempts: d.attempts,
        detail: d.detail.clone(),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct MailQuery {
    before: Option<String>,
}

pub async fn mail(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Query(q): Query<MailQuery>,
) -> PageResult {
    // A cursor that is not a number is the first page of deliveries.
    let before = q.before.and_then(|b| b.trim().parse::<i64>().ok());
    let me = operator(me)?;
    let tz = me.zone();
    let (outbox, outbox_error) = match &state.app.settings.mail_outbox {
        None => (None, None),
        Some(dir) => match stint_mail::list_outbox(dir, LIMIT) {
            Ok(entries) => {
                let rows = entries
                    .into_iter()
                    .map(|e| OutboxRow {
                        file_name: e.file_name,
                        when: when(e.modified, &tz),
                        to: e.to,
                        subject: e.subject,
                        size: e.size,
                    })
                    .collect();
                (Some(rows), None)
            }
            Err(e) => (Some(Vec::new()), Some(e.to_string())),
        },
    };
    let (deliveries, older_before) =
        stint_app::nudges::recent_deliveries(&state, &me, before, LIMIT as u32)
            .await
            .or_page()?;
    let deliveries = deliveries.iter().map(|d| delivery_row(d, &tz)).collect();
    let page = MailPage {
        chrome: Chrome::new("Mail · Stint", Some(me.clone()), ""),
        destination: state.app.settings.mail_destination.clone(),
        outbox,
        outbox_error,
        deliveries,
        paged: before.is_some(),
        older: older_before
            .map(|b| format!("/operator/mail?before={b}#deliveries-title"))
            .unwrap_or_default(),
        tz: me.timezone.clone(),
    };
    Ok(html(StatusCode::OK, &page))
}

/// One outbox file, as it would have been sent. Names are checked by `read_outbox`: only
/// plain `.eml` names of the folder itself, never a path.
pub async fn message(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(file_name): Path<String>,
) -> PageResult {
    let me = operator(me)?;
    let Some(dir) = &state.app.settings.mail_outbox else {
        return Err(not_found_page(Some(me)));
    };
    match stint_mail::read_outbox(dir, &file_name) {
        Ok(raw) => {
            let page = MessagePage {
                chrome: Chrome::new(format!("{file_name} · Stint"), Some(me), ""),
                file_name,
                message: stint_mail::readable(raw.as_bytes()),
                raw,
            };
            Ok(html(StatusCode::OK, &page))
        }
        Err(_) => Err(not_found_page(Some(me))),
    }
}
