//! A message as people read it: its headers decoded (RFC 2047 words), its text body decoded
//! (quoted-printable, base64) and its attachments by name, for the operators' mail viewer.

use mail_parser::{MessageParser, MimeHeaders};

/// What the viewer shows of one message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Readable {
    pub from: String,
    pub to: String,
    pub subject: String,
    pub date: String,
    /// The plain-text body, or the HTML body's text when there is no plain one.
    pub text: String,
    /// File names of the attachments.
    pub attachments: Vec<String>,
}

fn addresses(a: Option<&mail_parser::Address<'_>>) -> String {
    a.map(|a| {
        a.iter()
            .map(|addr| match (&addr.name, &addr.address) {
                (Some(n), Some(e)) => format!("{n} <{e}>"),
                (None, Some(e)) => e.to_string(),
                (Some(n), None) => n.to_string(),
                (None, None) => String::new(),
            })
            .collect::<Vec<_>>()
            .join(", ")
    })
    .unwrap_or_default()
}

/// `raw` decoded for reading; `None` when it is not a message at all.
pub fn readable(raw: &[u8]) -> Option<Readable> {
    let m = MessageParser::default().parse(raw)?;
    Some(Readable {
        from: addresses(m.from()),
        to: addresses(m.to()),
        subject: m.subject().unwrap_or_default().to_string(),
        date: m.date().map(|d| d.to_rfc3339()).unwrap_or_default(),
        text: m.body_text(0).map(|t| t.into_owned()).unwrap_or_default(),
        attachments: m
            .attachments()
            .map(|a| a.attachment_name().unwrap_or("attachment").to_string())
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_printable_and_encoded_words_come_out_as_written() {
        let raw = concat!(
            "From: Stint <no-reply@stint.example>\r\n",
            "To: =?utf-8?q?Z=C3=BCla?= <z@example.com>\r\n",
            "Subject: =?utf-8?q?Your_session_=E2=80=94_Tue?=\r\n",
            "Content-Type: text/plain; charset=utf-8\r\n",
            "Content-Transfer-Encoding: quoted-printable\r\n\r\n",
            "See you at 14:00 =E2=80=94 join at =\r\nhttps://meet.example/room\r\n",
        );
        let r = readable(raw.as_bytes()).unwrap();
        assert_eq!(r.to, "Züla <z@example.com>");
        assert_eq!(r.subject, "Your session — Tue");
        assert!(
            r.text
                .contains("See you at 14:00 — join at https://meet.example/room"),
            "{}",
            r.text
        );
        assert!(r.attachments.is_empty());
    }
}
