//! The session page's notes: the shared one both parties edit and the viewer's private
//! one, each with its form and the saved note as sanitized HTML.

use crate::pages::outcomes::input::NoteFields;
use stint_app::outcomes::{self as oc, OutcomeView, PartyBooking, Side};
use stint_domain::FieldErrors;
use stint_domain::account::Account;
use stint_domain::outcome::notes::NoteKind;

pub(crate) struct NoteView {
    pub(crate) kind: &'static str,
    pub(crate) heading: &'static str,
    pub(crate) hint: String,
    pub(crate) id: String,
    pub(crate) value: String,
    pub(crate) error: Option<String>,
    /// The saved note as sanitized HTML.
    pub(crate) html: String,
    pub(crate) saved: String,
    /// This note was just saved (`?saved=note-<kind>`).
    pub(crate) just_saved: bool,
}

/// The notes the viewer may write, the shared one first; `other` is the other party's
/// name, `just_saved` the page's `?saved=`.
pub(super) fn note_views(
    pb: &PartyBooking,
    view: &OutcomeView,
    viewer: &Account,
    other: &str,
    just_saved: &str,
    refused: Option<&(NoteFields, FieldErrors)>,
) -> Vec<NoteView> {
    let mine = match pb.side {
        Side::Mentee => NoteKind::MenteePrivate,
        Side::Mentor => NoteKind::MentorPrivate,
    };
    [NoteKind::Shared, mine]
        .into_iter()
        .filter(|k| pb.may_write_note(*k))
        .map(|kind| {
            let saved = view.notes.iter().find(|n| n.kind == kind);
            let (value, error) = match refused {
                Some((f, e)) if f.kind == kind.as_str() => {
                    (f.body.clone(), e.0.values().next().cloned())
                }
                _ => (saved.map(|n| n.body.clone()).unwrap_or_default(), None),
            };
            let shared = kind == NoteKind::Shared;
            NoteView {
                kind: kind.as_str(),
                heading: if shared {
                    "Shared notes"
                } else {
                    "My private notes"
                },
                hint: if shared {
                    format!("You and {other} both read and edit these. Markdown works.")
                } else {
                    "Only you can read these. Markdown works.".to_string()
                },
                id: format!("f-note-{}", kind.as_str()),
                just_saved: just_saved == format!("note-{}", kind.as_str()),
                value,
                error,
                html: saved.map(|n| n.html.clone()).unwrap_or_default(),
                saved: saved
                    .map(|n| {
                        let by = if n.author_id == viewer.id {
                            "you".to_string()
                        } else {
                            other.to_string()
                        };
                        format!("Saved {} by {by}", oc::when_for(viewer, n.updated_at))
                    })
                    .unwrap_or_default(),
            }
        })
        .collect()
}
