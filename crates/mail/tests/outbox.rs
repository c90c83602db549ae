//! The outbox: no SMTP configured, each message becomes one `.eml` file named by its
//! Message-ID; listing and reading it for operators.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use mail_parser::{MessageParser, MimeHeaders};
use std::fs;
use std::path::Path;
use std::time::{Duration, SystemTime};
use stint_mail::{
    Attachment, Delivery, MailError, MailSettings, Mailer, Message, SmtpSettings, list_outbox,
    outbox_file_name, read_outbox,
};

fn outbox(dir: &Path) -> Mailer {
    Mailer::new(&MailSettings {
        outbox_dir: dir.to_path_buf(),
        ..MailSettings::default()
    })
    .expect("mailer")
}

fn message(n: u32, subject: &str) -> Message {
    Message {
        to: ("Zoë Martins".into(), format!("zoe{n}@example.test")),
        subject: subject.into(),
        text: "Olá Zoë, São Paulo".into(),
        html: "<p>Olá <b>Zoë</b>, São Paulo</p>".into(),
        attachments: vec![Attachment {
            filename: "invite.ics".into(),
            content_type: "text/calendar; method=REQUEST; charset=UTF-8".into(),
            bytes: b"BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n".to_vec(),
        }],
        message_id: format!("<nudge-{n}-email@stint.localhost>"),
    }
}

fn files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .expect("outbox dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn the_outbox_holds_a_parseable_eml() {
    let dir = tempfile::tempdir().expect("temp dir");
    let outbox_dir = dir.path().join("outbox"); // created on first send
    let receipt = outbox(&outbox_dir)
        .send(&message(1, "Sessão amanhã, Zoë"))
        .await
        .expect("written");
    let path = outbox_dir.join("nudge-1-email@stint.localhost.eml");
    assert_eq!(receipt.delivery, Delivery::Outbox { path: path.clone() });
    assert_eq!(files(&outbox_dir), ["nudge-1-email@stint.localhost.eml"]);

    let raw = fs::read(&path).expect("the file");
    let parsed = MessageParser::default().parse(&raw).expect("parseable");
    assert_eq!(parsed.subject(), Some("Sessão amanhã, Zoë"));
    assert_eq!(parsed.message_id(), Some("nudge-1-email@stint.localhost"));
    assert_eq!(
        parsed.header_raw("Auto-Submitted").map(str::trim),
        Some("auto-generated")
    );
    assert!(parsed.body_text(0).is_some_and(|t| t.contains("São Paulo")));
    assert!(
        parsed
            .body_html(0)
            .is_some_and(|t| t.contains("<b>Zoë</b>"))
    );
    let invite = parsed.attachments().next().expect("the invite");
    assert_eq!(
        invite.content_type().and_then(|c| c.attribute("method")),
        Some("REQUEST")
    );
}

#[tokio::test]
async fn a_resend_replaces_the_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mailer = outbox(dir.path());
    mailer.send(&message(7, "First")).await.expect("written");
    mailer.send(&message(7, "Second")).await.expect("written");
    assert_eq!(files(dir.path()), ["nudge-7-email@stint.localhost.eml"]);
    let text = read_outbox(dir.path(), "nudge-7-email@stint.localhost.eml").expect("read");
    assert!(text.contains("Subject: Second"), "{text}");
    assert!(!text.contains("First"), "{text}");
}

#[tokio::test]
async fn the_listing_is_newest_first() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mailer = outbox(dir.path());
    let base = SystemTime::UNIX_EPOCH + Duration::from_secs(1_780_000_000);
    // Written in the order 2, 3, 1, then dated 1 < 2 < 3 by hand: file times are coarse.
    for (n, minutes) in [(2, 20), (3, 30), (1, 10)] {
        let receipt = mailer
            .send(&message(n, &format!("Nudge nº {n} for Zoë")))
            .await
            .expect("written");
        let Delivery::Outbox { path } = receipt.delivery else {
            panic!("not the outbox");
        };
        fs::File::options()
            .write(true)
            .open(&path)
            .and_then(|f| f.set_modified(base + Duration::from_secs(minutes * 60)))
            .expect("dated");
    }
    fs::write(dir.path().join("notes.txt"), "not a message").expect("a stray file");

    let all = list_outbox(dir.path(), 10).expect("listed");
    let names: Vec<_> = all.iter().map(|e| e.file_name.as_str()).collect();
    assert_eq!(
        names,
        [
            "nudge-3-email@stint.localhost.eml",
            "nudge-2-email@stint.localhost.eml",
            "nudge-1-email@stint.localhost.eml",
        ]
    );
    let newest = &all[0];
    assert_eq!(newest.subject, "Nudge nº 3 for Zoë");
    assert_eq!(newest.to, "Zoë Martins <zoe3@example.test>");
    assert_eq!(
        newest.message_id.as_deref(),
        Some("nudge-3-email@stint.localhost")
    );
    assert_eq!(newest.modified.as_second(), 1_780_000_000 + 30 * 60);
    let size = fs::metadata(dir.path().join(&newest.file_name))
        .expect("meta")
        .len();
    assert_eq!(newest.size, size);

    let two = list_outbox(dir.path(), 2).expect("listed");
    assert_eq!(two, all[..2]);
    assert!(
        list_outbox(dir.path().join("absent"), 10)
            .expect("empty")
            .is_empty()
    );
}

#[tokio::test]
async fn reading_refuses_anything_but_an_outbox_file_name() {
    let dir = tempfile::tempdir().expect("temp dir");
    let inner = dir.path().join("outbox");
    outbox(&inner)
        .send(&message(1, "Hi"))
        .await
        .expect("written");
    fs::write(dir.path().join("x.eml"), "outside the outbox").expect("a file outside");

    let name = outbox_file_name("<nudge-1-email@stint.localhost>");
    let text = read_outbox(&inner, &name).expect("read");
    assert!(
        text.contains("Message-ID: <nudge-1-email@stint.localhost>"),
        "{text}"
    );

    for bad in [
        "../x",
        "../x.eml",
        "..",
        "a/b.eml",
        "/etc/passwd",
        "..\\x.eml",
        ".hidden.eml",
        "",
    ] {
        let err = read_outbox(&inner, bad).expect_err(bad);
        assert!(matches!(err, MailError::BadFileName(_)), "{bad:?}: {err:?}");
    }
    let err = read_outbox(&inner, "nudge-404@stint.localhost.eml").expect_err("absent");
    assert!(matches!(err, MailError::NotInOutbox(_)), "{err:?}");
}

#[tokio::test]
async fn bad_addresses_and_ids_are_refused_and_not_retryable() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mailer = outbox(dir.path());
    let mut m = message(1, "Hi");
    m.to.1 = "not an address".into();
    let err = mailer.send(&m).await.expect_err("bad address");
    assert!(matches!(err, MailError::BadAddress { .. }), "{err:?}");
    assert!(!err.is_retryable());

    let mut m = message(1, "Hi");
    m.message_id = "<no at sign>".into();
    let err = mailer.send(&m).await.expect_err("bad id");
    assert!(matches!(err, MailError::InvalidMessage(_)), "{err:?}");
    assert!(!err.is_retryable());

    let err = Mailer::new(&MailSettings {
        from: "Stint <nope>".into(),
        ..MailSettings::default()
    })
    .expect_err("bad sender");
    assert!(matches!(err, MailError::BadAddress { .. }), "{err:?}");
    assert!(files(dir.path()).is_empty());
}

#[test]
fn an_smtp_mailer_outside_a_runtime_is_an_error_not_a_panic() {
    let settings = MailSettings {
        smtp: Some(SmtpSettings::new("127.0.0.1")),
        ..MailSettings::default()
    };
    let err = Mailer::new(&settings).expect_err("no runtime");
    assert!(matches!(err, MailError::Settings(_)), "{err:?}");
}

#[test]
fn an_outbox_write_failure_is_retryable() {
    let dir = tempfile::tempdir().expect("temp dir");
    // A file where the outbox directory should be.
    let blocked = dir.path().join("outbox");
    fs::write(&blocked, "in the way").expect("a file");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let err = runtime
        .block_on(outbox(&blocked).send(&message(1, "Hi")))
        .expect_err("cannot write");
    assert!(matches!(err, MailError::Outbox { .. }), "{err:?}");
    assert!(err.is_retryable());
}
