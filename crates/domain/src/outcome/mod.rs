//! The outcome loop: prep before a session, a micro-assessment before and after, the
//! mentor's closing (checkpoint, evidence, follow-up, tasks), notes, the to-do list that
//! keeps both sides moving, and the metrics that say whether sessions work.
//!
//! Everything here is pure; who may read what is decided in [`crate::access`].

pub mod assessment;
pub mod closing;
pub mod metrics;
pub mod note_file;
pub mod notes;
pub mod prep;
pub mod todo;
