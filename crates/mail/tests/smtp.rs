//! Sending over SMTP to a real server (aiosmtpd, see `common`): the MIME that arrives, read by
//! two independent parsers (mail-parser and Python's `email`), login, and how each kind of
//! failure is reported. Without aiosmtpd the tests that need it are reported as ignored; with
//! `CI=true` they run and fail.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{SinkOptions, SmtpSink, closed_port, python};
use mail_parser::{MessageParser, MimeHeaders};
use std::process::Command;
use std::time::{Duration, Instant};
use stint_mail::{
    Attachment, Delivery, MailError, MailSettings, Mailer, Message, SmtpSettings, TlsMode,
};

const ICS: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Stint//EN\r\nMETHOD:REQUEST\r\n\
BEGIN:VEVENT\r\nUID:booking-7@stint.localhost\r\nDTSTART:20260302T130000Z\r\n\
SUMMARY:Sessão com Zoë\r\nLOCATION:São Paulo\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

fn settings(port: u16, auth: Option<(&str, &str)>) -> MailSettings {
    let mut smtp = SmtpSettings::new("127.0.0.1");
    smtp.port = Some(port);
    smtp.tls = TlsMode::None;
    smtp.timeout_secs = 5;
    if let Some((user, password)) = auth {
        smtp.username = Some(user.into());
        smtp.password = Some(password.into());
    }
    MailSettings {
        smtp: Some(smtp),
        ..MailSettings::default()
    }
}

fn message(to: &str) -> Message {
    Message {
        to: ("Zoë Martins".into(), to.into()),
        subject: "Your session in São Paulo, Zoë".into(),
        text: "Olá Zoë,\n\nyour session in São Paulo starts on Monday.\n".into(),
        html: "<p>Olá <b>Zoë</b>,</p><p>your session in São Paulo starts on Monday.</p>".into(),
        attachments: vec![Attachment {
            filename: "invite.ics".into(),
            content_type: "text/calendar; method=REQUEST; charset=UTF-8".into(),
            bytes: ICS.as_bytes().to_vec(),
        }],
        message_id: "<nudge-123-email@stint.localhost>".into(),
    }
}

#[tokio::test]
#[cfg_attr(
    not(peer_smtp),
    ignore = "needs Python's aiosmtpd: pip install aiosmtpd==1.4.6, then touch crates/mail/build.rs"
)]
async fn text_html_and_invite_arrive_intact() {
    let sink = SmtpSink::start(&SinkOptions::default());
    let mailer = Mailer::new(&settings(sink.port(), None)).expect("mailer");
    let receipt = mailer
        .send(&message("zoe@example.test"))
        .await
        .expect("sent");
    assert_eq!(receipt.message_id, "<nudge-123-email@stint.localhost>");
    match &receipt.delivery {
        Delivery::Smtp { server, reply } => {
            assert_eq!(server, &format!("127.0.0.1:{}", sink.port()));
            assert!(reply.starts_with("250"), "{reply}");
        }
        other => panic!("not SMTP: {other:?}"),
    }

    let received = sink.received();
    assert_eq!(received.len(), 1);
    let got = &received[0];
    assert_eq!(got.mail_from, "no-reply@stint.localhost");
    assert_eq!(got.rcpt_to, vec!["zoe@example.test".to_string()]);

    let parsed = MessageParser::default().parse(&got.raw).expect("parseable");
    let from = parsed.from().and_then(|a| a.first()).expect("From");
    assert_eq!(from.name.as_deref(), Some("Stint"));
    assert_eq!(from.address.as_deref(), Some("no-reply@stint.localhost"));
    let to = parsed.to().and_then(|a| a.first()).expect("To");
    assert_eq!(to.name.as_deref(), Some("Zoë Martins"));
    assert_eq!(to.address.as_deref(), Some("zoe@example.test"));
    assert_eq!(parsed.subject(), Some("Your session in São Paulo, Zoë"));
    assert_eq!(parsed.message_id(), Some("nudge-123-email@stint.localhost"));
    assert_eq!(
        parsed.header_raw("Auto-Submitted").map(str::trim),
        Some("auto-generated")
    );
    let root = parsed.root_part().content_type().expect("a content type");
    assert_eq!((root.ctype(), root.subtype()), ("multipart", Some("mixed")));
    let text = parsed.body_text(0).expect("text/plain");
    assert!(
        text.contains("Olá Zoë") && text.contains("São Paulo"),
        "{text}"
    );
    let html = parsed.body_html(0).expect("text/html");
    assert!(
        html.contains("<b>Zoë</b>") && html.contains("São Paulo"),
        "{html}"
    );
    let attachments: Vec<_> = parsed.attachments().collect();
    assert_eq!(attachments.len(), 1);
    let invite = attachments[0];
    let ct = invite.content_type().expect("attachment content type");
    assert_eq!((ct.ctype(), ct.subtype()), ("text", Some("calendar")));
    assert_eq!(ct.attribute("method"), Some("REQUEST"));
    assert_eq!(invite.attachment_name(), Some("invite.ics"));
    assert_eq!(invite.contents(), ICS.as_bytes());

    // A second, independent reader: Python's standard `email` package.
    let script = r#"
import email, json, sys
from email import policy
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=policy.default)
invites = [p for p in m.iter_attachments() if p.get_content_type() == "text/calendar"]
print(json.dumps({
    "subject": str(m["Subject"]),
    "to": str(m["To"]),
    "message_id": str(m["Message-ID"]),
    "auto_submitted": str(m["Auto-Submitted"]),
    "structure": [p.get_content_type() for p in m.walk()],
    "text": m.get_body(("plain",)).get_content(),
    "html": m.get_body(("html",)).get_content(),
    "invite_method": [p.get_param("method") for p in invites],
    "invite": [p.get_content() for p in invites],
}))
"#;
    let out = Command::new(python())
        .args(["-c", script])
        .arg(&got.path)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let py: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(py["subject"], "Your session in São Paulo, Zoë");
    assert_eq!(py["to"], "Zoë Martins <zoe@example.test>");
    assert_eq!(py["message_id"], "<nudge-123-email@stint.localhost>");
    assert_eq!(py["auto_submitted"], "auto-generated");
    assert_eq!(
        py["structure"],
        serde_json::json!([
            "multipart/mixed",
            "multipart/alternative",
            "text/plain",
            "text/html",
            "text/calendar"
        ])
    );
    assert!(
        py["text"].as_str().is_some_and(|t| t.contains("São Paulo")),
        "{py}"
    );
    assert!(
        py["html"]
            .as_str()
            .is_some_and(|t| t.contains("<b>Zoë</b>")),
        "{py}"
    );
    assert_eq!(py["invite_method"], serde_json::json!(["REQUEST"]));
    assert_eq!(py["invite"], serde_json::json!([ICS]));
}

#[tokio::test]
#[cfg_attr(
    not(peer_smtp),
    ignore = "needs Python's aiosmtpd: pip install aiosmtpd==1.4.6, then touch crates/mail/build.rs"
)]
async fn one_mailer_sends_several_messages() {
    let sink = SmtpSink::start(&SinkOptions::default());
    let mailer = Mailer::new(&settings(sink.port(), None)).expect("mailer");
    for n in 1..=3 {
        let mut m = message(&format!("mentee{n}@example.test"));
        m.message_id = format!("<nudge-{n}-email@stint.localhost>");
        m.attachments.clear();
        mailer.send(&m).await.expect("sent");
    }
    let received = sink.received();
    let rcpts: Vec<_> = received.iter().map(|r| r.rcpt_to.join(",")).collect();
    assert_eq!(
        rcpts,
        [
            "mentee1@example.test",
            "mentee2@example.test",
            "mentee3@example.test"
        ]
    );
}

fn auth_sink() -> SmtpSink {
    SmtpSink::start(&SinkOptions {
        auth: Some(("stint".into(), "s3cret-Passw0rd".into())),
        ..SinkOptions::default()
    })
}

#[tokio::test]
#[cfg_attr(
    not(peer_smtp),
    ignore = "needs Python's aiosmtpd: pip install aiosmtpd==1.4.6, then touch crates/mail/build.rs"
)]
async fn login_with_the_right_password_sends() {
    let sink = auth_sink();
    let mailer =
        Mailer::new(&settings(sink.port(), Some(("stint", "s3cret-Passw0rd")))).expect("mailer");
    mailer
        .send(&message("zoe@example.test"))
        .await
        .expect("sent");
    assert_eq!(sink.received().len(), 1);
}

#[tokio::test]
#[cfg_attr(
    not(peer_smtp),
    ignore = "needs Python's aiosmtpd: pip install aiosmtpd==1.4.6, then touch crates/mail/build.rs"
)]
async fn a_wrong_password_is_an_authentication_error() {
    let sink = auth_sink();
    let mailer =
        Mailer::new(&settings(sink.port(), Some(("stint", "wrong-Hunter2")))).expect("mailer");
    let err = mailer
        .send(&message("zoe@example.test"))
        .await
        .expect_err("refused");
    assert!(matches!(err, MailError::Authentication { .. }), "{err:?}");
    assert!(!err.is_retryable());
    let shown = format!("{err} {err:?}");
    assert!(
        shown.contains(&format!("127.0.0.1:{}", sink.port())),
        "{shown}"
    );
    assert!(shown.contains("535"), "{shown}");
    assert!(shown.contains("stint"), "{shown}");
    assert!(!shown.contains("Hunter2"), "{shown}");
    assert!(sink.received().is_empty());
}

#[tokio::test]
#[cfg_attr(
    not(peer_smtp),
    ignore = "needs Python's aiosmtpd: pip install aiosmtpd==1.4.6, then touch crates/mail/build.rs"
)]
async fn no_login_where_one_is_required_is_an_authentication_error() {
    let sink = auth_sink();
    let mailer = Mailer::new(&settings(sink.port(), None)).expect("mailer");
    let err = mailer
        .send(&message("zoe@example.test"))
        .await
        .expect_err("refused");
    assert!(
        matches!(err, MailError::Authentication { ref reply, .. } if reply.starts_with("530")),
        "{err:?}"
    );
    assert!(!err.is_retryable());
}

fn rejecting_sink() -> SmtpSink {
    SmtpSink::start(&SinkOptions {
        reject: vec![
            ("later@example.test".into(), 451),
            ("nobody@example.test".into(), 550),
        ],
        ..SinkOptions::default()
    })
}

#[tokio::test]
#[cfg_attr(
    not(peer_smtp),
    ignore = "needs Python's aiosmtpd: pip install aiosmtpd==1.4.6, then touch crates/mail/build.rs"
)]
async fn a_451_is_retryable() {
    let sink = rejecting_sink();
    let mailer = Mailer::new(&settings(sink.port(), None)).expect("mailer");
    let err = mailer
        .send(&message("later@example.test"))
        .await
        .expect_err("deferred");
    assert!(
        matches!(err, MailError::Transient { code: 451, .. }),
        "{err:?}"
    );
    assert!(err.is_retryable());
    assert!(
        err.to_string()
            .contains(&format!("127.0.0.1:{}", sink.port())),
        "{err}"
    );
    // The pooled connection stays usable for the next message.
    mailer
        .send(&message("zoe@example.test"))
        .await
        .expect("sent");
    assert_eq!(sink.received().len(), 1);
}

#[tokio::test]
#[cfg_attr(
    not(peer_smtp),
    ignore = "needs Python's aiosmtpd: pip install aiosmtpd==1.4.6, then touch crates/mail/build.rs"
)]
async fn a_550_is_not_retryable() {
    let sink = rejecting_sink();
    let mailer = Mailer::new(&settings(sink.port(), None)).expect("mailer");
    let err = mailer
        .send(&message("nobody@example.test"))
        .await
        .expect_err("rejected");
    assert!(
        matches!(err, MailError::Rejected { code: 550, .. }),
        "{err:?}"
    );
    assert!(!err.is_retryable());
    assert!(err.to_string().contains("5.1.1"), "{err}");
    assert!(sink.received().is_empty());
}

#[tokio::test]
async fn nothing_listening_is_a_quick_retryable_connection_error() {
    let port = closed_port();
    let mailer = Mailer::new(&settings(port, None)).expect("mailer");
    let started = Instant::now();
    let err = mailer
        .send(&message("zoe@example.test"))
        .await
        .expect_err("nobody there");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert!(matches!(err, MailError::Connection { .. }), "{err:?}");
    assert!(err.is_retryable());
    assert!(
        err.to_string().contains(&format!("127.0.0.1:{port}")),
        "{err}"
    );
}

#[tokio::test]
async fn a_silent_server_times_out_as_configured() {
    // Connections complete in the kernel's backlog, but no greeting ever comes.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    let port = listener.local_addr().expect("address").port();
    let mut settings = settings(port, None);
    if let Some(smtp) = settings.smtp.as_mut() {
        smtp.timeout_secs = 1;
    }
    let mailer = Mailer::new(&settings).expect("mailer");
    let started = Instant::now();
    let err = mailer
        .send(&message("zoe@example.test"))
        .await
        .expect_err("timed out");
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(900) && took < Duration::from_secs(4),
        "{took:?}"
    );
    assert!(matches!(err, MailError::Connection { .. }), "{err:?}");
    assert!(err.is_retryable());
    assert!(err.to_string().contains("within 1 s"), "{err}");
    drop(listener);
}
