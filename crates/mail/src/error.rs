//! `MailError`: what went wrong, said for people (naming the server as `host:port`, never the
//! password), and whether sending again later may succeed.

use std::path::PathBuf;

/// Why a message was not sent, or the outbox could not be read.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// Connection refused, host unreachable, a timeout, or the conversation broke off or went
    /// wrong. Retryable.
    #[error("cannot talk to the SMTP server {server}: {detail}")]
    Connection { server: String, detail: String },
    /// A 4xx reply: the server asks to try again later. Retryable.
    #[error("the SMTP server {server} asked to try again later ({code}): {reply}")]
    Transient {
        server: String,
        code: u16,
        reply: String,
    },
    /// A 5xx reply such as a rejected recipient. Not retryable.
    #[error("the SMTP server {server} refused the message ({code}): {reply}")]
    Rejected {
        server: String,
        code: u16,
        reply: String,
    },
    /// Login refused or required: not retryable until the settings are fixed.
    #[error("the SMTP server {server} did not accept the login{}: {reply}", user_part(.username))]
    Authentication {
        server: String,
        username: Option<String>,
        reply: String,
    },
    /// The TLS handshake failed (certificate, protocol): not retryable until fixed.
    #[error("TLS with the SMTP server {server} failed: {detail}")]
    Tls { server: String, detail: String },
    /// The server cannot be used as configured (no STARTTLS, no usable AUTH mechanism).
    #[error("the SMTP server {server} cannot be used as configured: {detail}")]
    Unsupported { server: String, detail: String },
    /// A sender or recipient that is not an e-mail address. Not retryable.
    #[error("not a usable e-mail address {address:?}: {reason}")]
    BadAddress { address: String, reason: String },
    /// The message itself is malformed (its Message-ID, an attachment's content type).
    #[error("cannot build the message: {0}")]
    InvalidMessage(String),
    /// The settings cannot work (or the mailer was made outside a Tokio runtime).
    #[error("invalid mail settings: {0}")]
    Settings(String),
    /// Writing or reading the outbox directory failed. Retryable.
    #[error("outbox {}: {source}", .path.display())]
    Outbox {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// `read_outbox` was given a name that is not a plain `.eml` file name.
    #[error("not an outbox file name: {0:?}")]
    BadFileName(String),
    /// `read_outbox` found no such file.
    #[error("no message {0:?} in the outbox")]
    NotInOutbox(String),
}

fn user_part(username: &Option<String>) -> String {
    match username {
        Some(u) => format!(" of {u:?}"),
        None => " (none was configured)".into(),
    }
}

impl MailError {
    /// Whether the same message may go through if sent again later: a network problem, a
    /// transient (4xx) reply, or a failed write to the outbox.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            MailError::Connection { .. } | MailError::Transient { .. } | MailError::Outbox { .. }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retryable_kinds() {
        let server = || "mx.test:587".to_string();
        let io = || std::io::Error::other("disk full");
        let retryable = [
            MailError::Connection {
                server: server(),
                detail: "refused".into(),
            },
            MailError::Transient {
                server: server(),
                code: 451,
                reply: "later".into(),
            },
            MailError::Outbox {
                path: "x".into(),
                source: io(),
            },
        ];
        assert!(retryable.iter().all(MailError::is_retryable));
        let permanent = [
            MailError::Rejected {
                server: server(),
                code: 550,
                reply: "no".into(),
            },
            MailError::Authentication {
                server: server(),
                username: Some("u".into()),
                reply: "535".into(),
            },
            MailError::BadAddress {
                address: "x".into(),
                reason: "no @".into(),
            },
            MailError::Tls {
                server: server(),
                detail: "cert".into(),
            },
        ];
        assert!(!permanent.iter().any(MailError::is_retryable));
    }

    #[test]
    fn authentication_message_names_server_and_user() {
        let e = MailError::Authentication {
            server: "mx.test:587".into(),
            username: Some("stint".into()),
            reply: "535 5.7.8 invalid".into(),
        };
        assert_eq!(
            e.to_string(),
            r#"the SMTP server mx.test:587 did not accept the login of "stint": 535 5.7.8 invalid"#
        );
    }
}
