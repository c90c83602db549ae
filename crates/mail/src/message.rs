//! A message as Stint's callers describe it, and its MIME form: multipart/alternative (text and
//! HTML) inside multipart/mixed when there are attachments, with the caller's Message-ID and
//! `Auto-Submitted: auto-generated` (so autoresponders stay quiet).

use crate::{MailError, Result};
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use std::fmt;

/// One e-mail to one person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// (display name, address); an empty name sends the bare address.
    pub to: (String, String),
    pub subject: String,
    pub text: String,
    /// The HTML alternative; empty sends the text alone.
    pub html: String,
    pub attachments: Vec<Attachment>,
    /// Chosen by the caller and stable across resends, e.g. `<nudge-123-email@stint.localhost>`
    /// (the angle brackets may be left out). It also names the outbox file.
    pub message_id: String,
}

/// A file sent with the message, e.g. `invite.ics` as
/// `text/calendar; method=REQUEST; charset=UTF-8`.
#[derive(Clone, PartialEq, Eq)]
pub struct Attachment {
    pub filename: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

impl fmt::Debug for Attachment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Attachment")
            .field("filename", &self.filename)
            .field("content_type", &self.content_type)
            .field("bytes", &format_args!("{} bytes", self.bytes.len()))
            .finish()
    }
}

impl Message {
    /// The MIME message lettre sends, from `from`.
    pub(crate) fn to_lettre(&self, from: &Mailbox) -> Result<lettre::Message> {
        let id = normalized_message_id(&self.message_id)?;
        let to = mailbox(&self.to.0, &self.to.1)?;
        let content = if self.html.is_empty() {
            Content::Single(SinglePart::plain(self.text.clone()))
        } else {
            Content::Multi(MultiPart::alternative_plain_html(
                self.text.clone(),
                self.html.clone(),
            ))
        };
        let content = if self.attachments.is_empty() {
            content
        } else {
            let mut mixed = match content {
                Content::Single(part) => MultiPart::mixed().singlepart(part),
                Content::Multi(part) => MultiPart::mixed().multipart(part),
            };
            for attachment in &self.attachments {
                mixed = mixed.singlepart(attachment.part()?);
            }
            Content::Multi(mixed)
        };
        let builder = lettre::Message::builder()
            .from(from.clone())
            .to(to)
            .subject(one_line(&self.subject))
            .message_id(Some(id))
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("Auto-Submitted"),
                "auto-generated".into(),
            ));
        let built = match content {
            Content::Single(part) => builder.singlepart(part),
            Content::Multi(part) => builder.multipart(part),
        };
        built.map_err(|e| MailError::InvalidMessage(e.to_string()))
    }
}

enum Content {
    Single(SinglePart),
    Multi(MultiPart),
}

impl Attachment {
    fn part(&self) -> Result<SinglePart> {
        let content_type = ContentType::parse(&self.content_type).map_err(|e| {
            MailError::InvalidMessage(format!(
                "attachment {:?} has content type {:?}: {e}",
                self.filename, self.content_type
            ))
        })?;
        Ok(lettre::message::Attachment::new(one_line(&self.filename))
            .body(self.bytes.clone(), content_type))
    }
}

/// `name <address>` as lettre's mailbox; a bad address is `BadAddress`.
pub(crate) fn mailbox(name: &str, address: &str) -> Result<Mailbox> {
    let parsed = address
        .trim()
        .parse::<lettre::Address>()
        .map_err(|e| MailError::BadAddress {
            address: address.into(),
            reason: e.to_string(),
        })?;
    let name = one_line(name);
    let name = name.trim();
    Ok(Mailbox::new(
        (!name.is_empty()).then(|| name.to_string()),
        parsed,
    ))
}

/// The sender setting, `Stint <no-reply@stint.localhost>` or a bare address.
pub(crate) fn parse_from(from: &str) -> Result<Mailbox> {
    from.trim()
        .parse::<Mailbox>()
        .map_err(|e| MailError::BadAddress {
            address: from.into(),
            reason: e.to_string(),
        })
}

/// `<left@right>`: printable ASCII without spaces or angle brackets, one `@`, both sides
/// non-empty. Brackets are added when missing.
pub(crate) fn normalized_message_id(id: &str) -> Result<String> {
    let id = id.trim();
    let inner = id
        .strip_prefix('<')
        .and_then(|rest| rest.strip_suffix('>'))
        .unwrap_or(id);
    let bad = |why: &str| {
        Err(MailError::InvalidMessage(format!(
            "Message-ID {id:?} {why}"
        )))
    };
    if inner.is_empty() || inner.len() > 250 {
        return bad("must have 1 to 250 characters");
    }
    if !inner
        .bytes()
        .all(|b| b.is_ascii_graphic() && b != b'<' && b != b'>')
    {
        return bad("may hold only printable ASCII without spaces or angle brackets");
    }
    match inner.split_once('@') {
        Some((left, right)) if !left.is_empty() && !right.is_empty() && !right.contains('@') => {
            Ok(format!("<{inner}>"))
        }
        _ => bad("must look like <left@right>"),
    }
}

/// Control characters (a line break above all) would break a header; they become spaces.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_ids_are_normalized_or_refused() {
        let ok = |s: &str| normalized_message_id(s).ok();
        assert_eq!(
            ok("<nudge-1@stint.localhost>").as_deref(),
            Some("<nudge-1@stint.localhost>")
        );
        assert_eq!(
            ok(" nudge-1@stint.localhost ").as_deref(),
            Some("<nudge-1@stint.localhost>")
        );
        for bad in [
            "",
            "<>",
            "no-at",
            "@x",
            "x@",
            "a@b@c",
            "a b@c",
            "a@b\r\nBcc: x@y",
            "<a<b@c>",
            "zoë@x",
        ] {
            assert!(normalized_message_id(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn header_text_stays_on_one_line() {
        assert_eq!(one_line("Hi\r\nBcc: evil@x"), "Hi  Bcc: evil@x");
    }

    #[test]
    fn builds_headers_and_parts() -> Result<()> {
        let from = parse_from("Stint <no-reply@stint.localhost>")?;
        let message = Message {
            to: ("Zoë\n".into(), "zoe@example.test".into()),
            subject: "Line\r\nBcc: x@y.test".into(),
            text: "plain".into(),
            html: String::new(),
            attachments: vec![],
            message_id: "n-1@stint.localhost".into(),
        };
        let raw = String::from_utf8_lossy(&message.to_lettre(&from)?.formatted()).into_owned();
        assert!(
            raw.contains("Message-ID: <n-1@stint.localhost>\r\n"),
            "{raw}"
        );
        assert!(raw.contains("Auto-Submitted: auto-generated\r\n"), "{raw}");
        assert!(!raw.contains("\r\nBcc:"), "{raw}");
        assert!(raw.contains("Content-Type: text/plain"), "{raw}");
        assert!(!raw.contains("multipart"), "{raw}");
        Ok(())
    }

    #[test]
    fn bad_addresses_are_bad_address_errors() {
        assert!(matches!(
            mailbox("X", "not an address"),
            Err(MailError::BadAddress { .. })
        ));
        assert!(matches!(
            parse_from("Stint <nope>"),
            Err(MailError::BadAddress { .. })
        ));
        let attachment = Attachment {
            filename: "a".into(),
            content_type: "not a type".into(),
            bytes: vec![],
        };
        assert!(matches!(
            attachment.part(),
            Err(MailError::InvalidMessage(_))
        ));
    }
}
