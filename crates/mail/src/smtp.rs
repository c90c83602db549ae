//! The pooled SMTP transport (lettre on Tokio, rustls) and the sorting of its errors into
//! `MailError`s: what a retry may fix and what needs a person.

use crate::settings::{SmtpSettings, TlsMode};
use crate::{MailError, Result};
use lettre::transport::smtp::PoolConfig;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::transport::smtp::response::Response;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use std::error::Error as _;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

/// Connections kept open to the server at most.
const POOL_SIZE: u32 = 4;

pub(crate) struct Smtp {
    settings: SmtpSettings,
    /// Replaced after a timeout (see `send`); sends in flight keep the one they started with.
    transport: RwLock<Arc<Transport>>,
    server: String,
    timeout: Duration,
}

type Transport = AsyncSmtpTransport<Tokio1Executor>;

impl Smtp {
    /// The transport for `settings`; its pool runs a clean-up task, so this must be called
    /// inside a Tokio runtime (an error otherwise, not a panic).
    pub(crate) fn new(settings: &SmtpSettings) -> Result<Smtp> {
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(MailError::Settings(format!(
                "SMTP {}: the mailer must be created inside a Tokio runtime",
                settings.server()
            )));
        }
        let transport = build(settings)?;
        Ok(Smtp {
            settings: settings.clone(),
            transport: RwLock::new(Arc::new(transport)),
            server: settings.server(),
            timeout: Duration::from_secs(settings.timeout_secs),
        })
    }

    /// `host:port`.
    pub(crate) fn server(&self) -> &str {
        &self.server
    }

    /// Sends; the server's final reply (`250 …`) on success. The whole hand-over is bounded
    /// by the timeout: lettre's own timeout covers only connecting, so a server that accepts
    /// the connection and then falls silent would otherwise hold the send for ever.
    pub(crate) async fn send(&self, message: lettre::Message) -> Result<String> {
        let transport = Arc::clone(
            &self
                .transport
                .read()
                .unwrap_or_else(PoisonError::into_inner),
        );
        match tokio::time::timeout(self.timeout, transport.send(message)).await {
            Ok(Ok(response)) => Ok(reply_text(&response)),
            Ok(Err(e)) => Err(self.classify(&e)),
            Err(_elapsed) => {
                // The abandoned connection goes back to its pool in the middle of a
                // conversation; a fresh pool keeps later messages off it (the old pool closes
                // its connections once its last send is done).
                self.replace_pool(&transport);
                Err(MailError::Connection {
                    server: self.server.clone(),
                    detail: format!(
                        "no answer within {} s (the message may or may not have been delivered)",
                        self.timeout.as_secs()
                    ),
                })
            }
        }
    }

    fn replace_pool(&self, stale: &Arc<Transport>) {
        let mut current = self
            .transport
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        if Arc::ptr_eq(&current, stale)
            && let Ok(fresh) = build(&self.settings)
        {
            *current = Arc::new(fresh);
        }
    }

    fn classify(&self, e: &lettre::transport::smtp::Error) -> MailError {
        let server = self.server.clone();
        // lettre's source is the server's reply text (for 4xx/5xx) or the I/O error.
        let source = e.source().map(|s| s.to_string()).unwrap_or_default();
        if let Some(code) = e.status() {
            let code = u16::from(code);
            let reply = format!("{code} {source}").trim_end().to_string();
            return match code {
                // Authentication required (530), too weak (534), invalid (535), needs
                // encryption (538).
                530 | 534 | 535 | 538 => MailError::Authentication {
                    server,
                    username: self.settings.username.clone(),
                    reply,
                },
                _ if e.is_transient() => MailError::Transient {
                    server,
                    code,
                    reply,
                },
                _ => MailError::Rejected {
                    server,
                    code,
                    reply,
                },
            };
        }
        if e.is_timeout() {
            let detail = format!("no answer within {} s ({e})", self.timeout.as_secs());
            return MailError::Connection { server, detail };
        }
        if e.is_tls() {
            return MailError::Tls {
                server,
                detail: e.to_string(),
            };
        }
        if e.is_client() {
            // Settings the server cannot serve: no usable AUTH mechanism, no STARTTLS.
            if source.to_ascii_lowercase().contains("authentication") {
                return MailError::Authentication {
                    server,
                    username: self.settings.username.clone(),
                    reply: source,
                };
            }
            return MailError::Unsupported {
                server,
                detail: e.to_string(),
            };
        }
        // Connection refused or reset, unreachable, an unreadable reply, shut down.
        MailError::Connection {
            server,
            detail: e.to_string(),
        }
    }
}

/// lettre's transport with a pool, checked settings and credentials.
fn build(settings: &SmtpSettings) -> Result<Transport> {
    let server = settings.server();
    let invalid = |why: String| MailError::Settings(format!("SMTP {server}: {why}"));
    let host = settings.host.trim();
    if host.is_empty() {
        return Err(invalid("the host is empty".into()));
    }
    if settings.timeout_secs == 0 {
        return Err(invalid("timeout_secs must be at least 1".into()));
    }
    let tls_parameters =
        || TlsParameters::new(host.to_string()).map_err(|e| invalid(e.to_string()));
    let tls = match settings.tls {
        TlsMode::None => Tls::None,
        TlsMode::Starttls => Tls::Required(tls_parameters()?),
        TlsMode::Tls => Tls::Wrapper(tls_parameters()?),
    };
    let mut builder = Transport::builder_dangerous(host)
        .port(settings.effective_port())
        .tls(tls)
        .timeout(Some(Duration::from_secs(settings.timeout_secs)))
        .pool_config(PoolConfig::new().max_size(POOL_SIZE));
    match (&settings.username, &settings.password) {
        (Some(user), Some(password)) => {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        (None, None) => {}
        _ => return Err(invalid("username and password go together".into())),
    }
    Ok(builder.build())
}

fn reply_text(response: &Response) -> String {
    let code = u16::from(response.code());
    let text: Vec<&str> = response.message().collect();
    format!("{code} {}", text.join(" ")).trim_end().to_string()
}
