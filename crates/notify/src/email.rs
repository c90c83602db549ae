//! A nudge as an e-mail: the words as text and as HTML, links made absolute, and for the
//! notices of a booking made, moved or cancelled, the calendar invite attached.

use crate::load::Session;
use crate::wording::Words;
use askama::Template;
use jiff::Timestamp;
use stint_domain::account::Account;
use stint_domain::nudge::{NudgeKind, Planned};
use stint_ical::Method;
use stint_mail::{Attachment, Message};

#[derive(Template)]
#[template(path = "email.html")]
struct Html<'a> {
    words: &'a Words,
    /// Each line as text and, when it ends in a web address (a meeting room), that address,
    /// shown as a link.
    lines: Vec<(String, Option<String>)>,
    link: String,
    prefs: String,
}

/// `line` split before a web address it ends with.
fn with_link(line: &str) -> (String, Option<String>) {
    match line.rsplit_once(' ') {
        Some((before, url))
            if (url.starts_with("https://") || url.starts_with("http://"))
                && !url.contains(['"', '<', '>']) =>
        {
            (format!("{before} "), Some(url.to_string()))
        }
        _ => (line.to_string(), None),
    }
}

/// The e-mail for `p`. Its Message-ID is the nudge's key and channel, so a resend of the
/// same nudge carries the same id and mail programs show it once.
pub(crate) fn message(
    s: &Session,
    p: &Planned,
    words: &Words,
    recipient: &Account,
    base: &str,
    now: Timestamp,
) -> Result<Message, askama::Error> {
    let base = base.trim_end_matches('/');
    let link = format!("{base}{}", words.action.1);
    let prefs = format!("{base}/account#nudges");
    let html = Html {
        words,
        lines: words.lines.iter().map(|l| with_link(l)).collect(),
        link: link.clone(),
        prefs: prefs.clone(),
    }
    .render()?;
    let mut text = words.lines.join("\n\n");
    text.push_str(&format!(
        "\n\n{}: {link}\n\n--\nChoose which nudges reach you, and how: {prefs}\n",
        words.action.0
    ));
    let host = base
        .split("://")
        .nth(1)
        .and_then(|h| h.split(['/', ':']).next())
        .filter(|h| !h.is_empty())
        .unwrap_or("stint.localhost");
    let id: String = p
        .key
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '.' })
        .collect();
    let attachments = match p.kind {
        NudgeKind::Booked | NudgeKind::Rescheduled | NudgeKind::Cancelled => {
            vec![invite(s, recipient, base, now)]
        }
        _ => Vec::new(),
    };
    Ok(Message {
        to: (recipient.display_name.clone(), recipient.email.clone()),
        subject: words.subject.clone(),
        text,
        html,
        attachments,
        message_id: format!("<nudge.{id}.{}@{host}>", p.channel.as_str()),
    })
}

/// The booking's invite (or cancellation) in the recipient's zone, as the session page
/// offers it.
fn invite(s: &Session, recipient: &Account, base: &str, now: Timestamp) -> Attachment {
    let facts = stint_ical::BookingFacts {
        booking: &s.booking,
        sku: &s.sku,
        mentor: &s.mentor,
        mentee: &s.mentee,
    };
    let event = stint_ical::booking_event(&facts, recipient, Some(base), now);
    let cancelled = event.cancelled;
    let (method, name) = if cancelled {
        (Method::Cancel, "CANCEL")
    } else {
        (Method::Request, "REQUEST")
    };
    Attachment {
        filename: "invite.ics".into(),
        content_type: format!("text/calendar; method={name}; charset=UTF-8"),
        bytes: stint_ical::invite(&event, method).into_bytes(),
    }
}
