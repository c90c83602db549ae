//! A mail to one person about something Stint did for or to them (an application's step,
//! an inactivity reminder): what the worker's mail jobs send.

/// Whom, what, and where to go in Stint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Letter {
    pub name: String,
    pub email: String,
    pub subject: String,
    /// Paragraphs, plain text.
    pub lines: Vec<String>,
    /// Where to go in Stint.
    pub link_path: String,
}
