//! `Mailer`: one per process, made from the settings; sends over SMTP or into the outbox.

use crate::message::parse_from;
use crate::outbox::{self, outbox_file_name};
use crate::smtp::Smtp;
use crate::{MailError, MailSettings, Message, Result};
use lettre::message::Mailbox;
use std::fmt;
use std::path::PathBuf;

/// Sends messages as the settings say. Cheap to share behind an `Arc`; SMTP connections are
/// pooled and reused.
pub struct Mailer {
    from: Mailbox,
    route: Route,
}

enum Route {
    Smtp(Smtp),
    Outbox(PathBuf),
}

/// What became of a sent message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentReceipt {
    /// As written in the header, with angle brackets.
    pub message_id: String,
    pub delivery: Delivery,
}

/// Where a message went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// Accepted by the SMTP server `server` (`host:port`) with `reply` (`250 …`).
    Smtp { server: String, reply: String },
    /// Written to this file.
    Outbox { path: PathBuf },
}

impl Mailer {
    /// Checks the settings. With SMTP it must be called inside a Tokio runtime (the pool keeps
    /// a clean-up task); nothing is connected until the first message.
    pub fn new(settings: &MailSettings) -> Result<Mailer> {
        let from = parse_from(&settings.from)?;
        let route = match &settings.smtp {
            Some(smtp) => Route::Smtp(Smtp::new(smtp)?),
            None if settings.outbox_dir.as_os_str().is_empty() => {
                return Err(MailError::Settings(
                    "outbox_dir is empty and no SMTP server is configured".into(),
                ));
            }
            None => Route::Outbox(settings.outbox_dir.clone()),
        };
        Ok(Mailer { from, route })
    }

    /// Where messages go, for a start-up line: `SMTP host:port` or `outbox DIR`.
    pub fn destination(&self) -> String {
        match &self.route {
            Route::Smtp(smtp) => format!("SMTP {}", smtp.server()),
            Route::Outbox(dir) => format!("outbox {}", dir.display()),
        }
    }

    /// Sends one message. Sending the same Message-ID again is a resend: the outbox file is
    /// replaced, and an SMTP recipient's mail reader can tell the copies apart by the id.
    pub async fn send(&self, message: &Message) -> Result<SentReceipt, MailError> {
        let built = message.to_lettre(&self.from)?;
        let message_id = built
            .headers()
            .get_raw("Message-ID")
            .unwrap_or_default()
            .to_string();
        let delivery = match &self.route {
            Route::Smtp(smtp) => Delivery::Smtp {
                server: smtp.server().to_string(),
                reply: smtp.send(built).await?,
            },
            Route::Outbox(dir) => {
                let file_name = outbox_file_name(&message_id);
                let path = outbox::write(dir, file_name, built.formatted()).await?;
                Delivery::Outbox { path }
            }
        };
        Ok(SentReceipt {
            message_id,
            delivery,
        })
    }
}

impl fmt::Debug for Mailer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mailer")
            .field("from", &self.from.to_string())
            .field("destination", &self.destination())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shareable<T: Send + Sync>() {}
    fn spawnable<F: Future + Send>(_: &F) {}

    #[test]
    fn the_mailer_can_be_shared_and_its_sends_spawned() {
        shareable::<Mailer>();
        let mailer = Mailer::new(&MailSettings::default()).expect("outbox mailer");
        let message = Message {
            to: (String::new(), "a@example.test".into()),
            subject: String::new(),
            text: String::new(),
            html: String::new(),
            attachments: vec![],
            message_id: "<x@y>".into(),
        };
        let send = mailer.send(&message);
        spawnable(&send);
        drop(send); // never polled: nothing is written
        assert_eq!(mailer.destination(), "outbox stint-data/outbox");
    }
}
