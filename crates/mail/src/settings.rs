//! Mail settings as the server's configuration holds them: the sender, and either an SMTP
//! server or (the embedded default) an outbox directory.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::PathBuf;

/// The sender used when nothing is configured.
pub const DEFAULT_FROM: &str = "Stint <no-reply@stint.localhost>";
/// Where messages go when no SMTP server is configured (beside the embedded database).
pub const DEFAULT_OUTBOX_DIR: &str = "stint-data/outbox";

/// How messages leave: over SMTP when `smtp` is set, otherwise into `outbox_dir`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MailSettings {
    /// The sender, with a display name: `Stint <no-reply@stint.localhost>`.
    pub from: String,
    /// The SMTP server; `None` writes each message to `outbox_dir` instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub smtp: Option<SmtpSettings>,
    /// One `.eml` file per message, named by its Message-ID, when `smtp` is `None`.
    pub outbox_dir: PathBuf,
}

impl Default for MailSettings {
    fn default() -> Self {
        MailSettings {
            from: DEFAULT_FROM.into(),
            smtp: None,
            outbox_dir: PathBuf::from(DEFAULT_OUTBOX_DIR),
        }
    }
}

/// An SMTP server. `Debug` shows the password as `***`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpSettings {
    pub host: String,
    /// Defaults by `tls`: 587 for `starttls`, 465 for `tls`, 25 for `none`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    #[serde(default)]
    pub tls: TlsMode,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    /// Limit for handing over one message, connecting included. A message that times out
    /// may still have been delivered; its stable Message-ID lets a resend be recognised.
    #[serde(default = "default_timeout_secs")]
    pub timeout_secs: u64,
}

fn default_timeout_secs() -> u64 {
    30
}

impl SmtpSettings {
    /// A server on `host` with the defaults: STARTTLS on port 587, no login, 30 s timeout.
    pub fn new(host: impl Into<String>) -> Self {
        SmtpSettings {
            host: host.into(),
            port: None,
            tls: TlsMode::default(),
            username: None,
            password: None,
            timeout_secs: default_timeout_secs(),
        }
    }

    /// The port in use: the configured one, or the usual one for `tls`.
    pub fn effective_port(&self) -> u16 {
        self.port.unwrap_or(match self.tls {
            TlsMode::None => 25,
            TlsMode::Starttls => 587,
            TlsMode::Tls => 465,
        })
    }

    /// `host:port`, as error messages name the server.
    pub fn server(&self) -> String {
        format!("{}:{}", self.host, self.effective_port())
    }
}

impl fmt::Debug for SmtpSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .field("timeout_secs", &self.timeout_secs)
            .finish()
    }
}

/// Transport security towards the SMTP server.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TlsMode {
    /// Plain text (a relay on the same host, or tests).
    None,
    /// Plain connection upgraded with STARTTLS, which the server must offer.
    #[default]
    Starttls,
    /// TLS from the first byte (SMTPS).
    Tls,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_password() {
        let mut smtp = SmtpSettings::new("smtp.example.test");
        smtp.username = Some("stint".into());
        smtp.password = Some("hunter2-secret".into());
        let settings = MailSettings {
            smtp: Some(smtp),
            ..MailSettings::default()
        };
        let shown = format!("{settings:?} {settings:#?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains(r#"password: Some("***")"#), "{shown}");
        assert!(shown.contains("stint"), "{shown}");
    }

    #[test]
    fn deserializes_with_defaults() -> Result<(), serde_json::Error> {
        let empty: MailSettings = serde_json::from_str("{}")?;
        assert_eq!(empty, MailSettings::default());
        assert!(empty.smtp.is_none());

        let s: MailSettings = serde_json::from_str(
            r#"{"from": "Stint <a@b.test>", "smtp": {"host": "mx.test", "tls": "tls",
                "username": "u", "password": "p", "timeout_secs": 5}}"#,
        )?;
        let smtp = s.smtp.as_ref().map(|s| (s.server(), s.tls, s.timeout_secs));
        assert_eq!(smtp, Some(("mx.test:465".to_string(), TlsMode::Tls, 5)));

        let s: SmtpSettings =
            serde_json::from_str(r#"{"host": "h", "tls": "none", "port": 2525}"#)?;
        assert_eq!((s.server(), s.timeout_secs), ("h:2525".to_string(), 30));
        let s: SmtpSettings = serde_json::from_str(r#"{"host": "h"}"#)?;
        assert_eq!((s.tls, s.effective_port()), (TlsMode::Starttls, 587));

        assert!(serde_json::from_str::<SmtpSettings>(r#"{"host": "h", "tls": "ssl"}"#).is_err());
        assert!(serde_json::from_str::<MailSettings>(r#"{"smtp_host": "h"}"#).is_err());
        Ok(())
    }

    #[test]
    fn serializes_back() -> Result<(), serde_json::Error> {
        let text = serde_json::to_string(&MailSettings::default())?;
        assert_eq!(
            serde_json::from_str::<MailSettings>(&text)?,
            MailSettings::default()
        );
        Ok(())
    }
}
