//! Stint's e-mail: builds a message (text and HTML alternatives, attachments such as calendar
//! invites, a caller-chosen stable Message-ID) with lettre and sends it over pooled SMTP, or,
//! when no SMTP server is configured, writes it to an outbox directory as one `.eml` file that
//! operators can browse.
//!
//! ```text
//! settings.rs  MailSettings, SmtpSettings, TlsMode (serde; the password never prints)
//! message.rs   Message, Attachment → a lettre message
//! mailer.rs    Mailer::new / send, SentReceipt
//! smtp.rs      the pooled SMTP transport and how its errors are classified
//! outbox.rs    writing .eml files atomically, list_outbox, read_outbox
//! error.rs     MailError and is_retryable
//! ```

mod error;
mod mailer;
mod message;
mod outbox;
mod readable;
mod settings;
mod smtp;

pub use error::MailError;
pub use mailer::{Delivery, Mailer, SentReceipt};
pub use message::{Attachment, Message};
pub use outbox::{
    OutboxEntry, erase_from_outbox, list_outbox, message_text, outbox_file_name, read_outbox,
};
pub use readable::{Readable, readable};
pub use settings::{DEFAULT_FROM, DEFAULT_OUTBOX_DIR, MailSettings, SmtpSettings, TlsMode};

/// This crate's result type.
pub type Result<T, E = MailError> = std::result::Result<T, E>;
