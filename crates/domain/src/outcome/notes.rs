//! Notes on a booking: shared between the two parties, or private to the one who wrote
//! them. Who may read which kind is decided in [`crate::access::may_read_note`].

use crate::validate;
use serde::{Deserialize, Serialize};

/// A note's limit in bytes rather than characters: it bounds what is stored and sent.
pub const NOTE_MAX_BYTES: usize = 20_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoteKind {
    /// Both parties read it.
    Shared,
    /// Only the booking's mentor, who wrote it.
    MentorPrivate,
    /// Only the booking's mentee, who wrote it.
    MenteePrivate,
}

impl NoteKind {
    pub const ALL: [NoteKind; 3] = [
        NoteKind::Shared,
        NoteKind::MentorPrivate,
        NoteKind::MenteePrivate,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            NoteKind::Shared => "shared",
            NoteKind::MentorPrivate => "mentor_private",
            NoteKind::MenteePrivate => "mentee_private",
        }
    }

    pub fn parse(s: &str) -> Option<NoteKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A note's body: trimmed, not empty, at most [`NOTE_MAX_BYTES`], no control characters
/// other than line breaks and tabs.
pub fn validate_note(body: &str) -> Result<String, String> {
    let v = validate::text(body, 1, usize::MAX)?;
    if v.len() > NOTE_MAX_BYTES {
        return Err(format!("must be at most {NOTE_MAX_BYTES} bytes"));
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip() {
        for k in NoteKind::ALL {
            assert_eq!(NoteKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(NoteKind::parse("private"), None);
        assert_eq!(
            serde_json::to_string(&NoteKind::MentorPrivate).unwrap(),
            "\"mentor_private\""
        );
    }

    #[test]
    fn notes_are_trimmed_required_and_bounded_in_bytes() {
        assert_eq!(
            validate_note("  hello\nworld \n"),
            Ok("hello\nworld".into())
        );
        assert_eq!(validate_note(" \n "), Err("is required".into()));
        assert!(validate_note("a\u{7}b").is_err());
        assert!(validate_note(&"a".repeat(NOTE_MAX_BYTES)).is_ok());
        assert_eq!(
            validate_note(&"a".repeat(NOTE_MAX_BYTES + 1)),
            Err("must be at most 20000 bytes".into())
        );
        // 10,001 two-byte characters: within a character count, over the byte limit.
        assert!(validate_note(&"é".repeat(NOTE_MAX_BYTES / 2 + 1)).is_err());
    }
}
