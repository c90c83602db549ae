//! The storage side of sealing notes and intake answers at rest (`stint_app::at_rest`): which
//! keys the stored values were sealed with, and walking every note and prep once, a batch at a
//! time, to re-seal them under a new key. Each re-sealed value is written only if it is still
//! the value read (compare-and-set), so a note saved meanwhile is never overwritten.

use crate::interfaces::Result;
use async_trait::async_trait;
use stint_domain::booking::BookingId;
use stint_domain::outcome::notes::NoteKind;

/// One note's stored text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredNote {
    pub booking: BookingId,
    pub kind: NoteKind,
    pub body: String,
    pub html: String,
}

#[async_trait]
pub trait AtRestStore: Send + Sync {
    /// The ids of the keys stored notes and intake answers are sealed with, each once.
    async fn sealed_key_ids(&self) -> Result<Vec<String>>;
    /// Up to `limit` notes after `after` (booking, then kind), in that order.
    async fn notes_after(
        &self,
        after: Option<(BookingId, NoteKind)>,
        limit: u32,
    ) -> Result<Vec<StoredNote>>;
    /// Replaces a note's text if it is still `old`'s; whether it was.
    async fn reseal_note(&self, old: &StoredNote, body: &str, html: &str) -> Result<bool>;
    /// Up to `limit` preps' intake answers after booking `after`, in booking order.
    async fn preps_after(
        &self,
        after: Option<BookingId>,
        limit: u32,
    ) -> Result<Vec<(BookingId, Vec<String>)>>;
    /// Replaces a prep's intake answers if they are still `old`; whether they were.
    async fn reseal_prep(&self, booking: BookingId, old: &[String], new: &[String])
    -> Result<bool>;
}
