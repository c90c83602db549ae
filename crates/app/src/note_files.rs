//! Sessions as files for the mentee's own note app: one Markdown file per session with YAML
//! front matter (`stint_domain::outcome::note_file`), downloaded one at a time or as a vault
//! zip. What goes in is what the reader may read of the session (`outcomes::outcome_view`,
//! which also logs a mentor's reads of the mentee's data), so a file never carries more than
//! the session page shows its reader.

use crate::App;
use crate::error::AppError;
use crate::outcomes::{PartyBooking, aim, outcome_view, party_to};
use std::io::Write;
use stint_domain::account::Account;
use stint_domain::booking::BookingStatus;
use stint_domain::outcome::assessment::AssessmentKind;
use stint_domain::outcome::note_file::{NoteTask, SessionNote};
use stint_domain::outcome::notes::NoteKind;

/// The most sessions one vault carries (newest first).
const MOST: usize = 2_000;

/// The folder inside the vault zip: dropped into a vault, the sessions stay together.
pub const VAULT_FOLDER: &str = "Stint sessions";

/// One session as a note file, for either party: (ASCII file name, Markdown).
#[tracing::instrument(skip_all)]
pub async fn session_file(app: &App, me: &Account, id: i64) -> Result<(String, String), AppError> {
    let pb = party_to(app, me, id).await?;
    let note = session_note(app, me, &pb).await?;
    Ok((note.ascii_file_name(), note.markdown()))
}

/// Every session `me` took as a mentee (cancelled ones left out), as a zip of note files in
/// one folder: (file name, bytes).
#[tracing::instrument(skip_all)]
pub async fn vault(app: &App, me: &Account) -> Result<(String, Vec<u8>), AppError> {
    let mut contexts = app.store.booking_contexts_of(me.id).await?;
    contexts
        .retain(|c| c.booking.mentee_id == me.id && c.booking.status != BookingStatus::Cancelled);
    contexts.sort_by_key(|c| std::cmp::Reverse(c.booking.start));
    contexts.truncate(MOST);
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for ctx in contexts {
        let pb = party_to(app, me, ctx.booking.id.0).await?;
        let note = session_note(app, me, &pb).await?;
        zip.start_file(format!("{VAULT_FOLDER}/{}", note.file_name()), options)
            .map_err(zip_failed)?;
        zip.write_all(note.markdown().as_bytes())
            .map_err(|e| zip_failed(e.into()))?;
    }
    let bytes = zip.finish().map_err(zip_failed)?.into_inner();
    let day = app.now().strftime("%Y-%m-%d").to_string();
    Ok((format!("stint-notes-{day}.zip"), bytes))
}

fn zip_failed(e: zip::result::ZipError) -> AppError {
    tracing::error!(error = %e, "a notes vault could not be written");
    AppError::internal()
}

/// The session as its reader may see it, written down.
async fn session_note(app: &App, me: &Account, pb: &PartyBooking) -> Result<SessionNote, AppError> {
    let ctx = app
        .store
        .booking_context(pb.booking.id)
        .await?
        .ok_or_else(|| AppError::not_found("booking"))?;
    let view = outcome_view(app, pb).await?;
    let (competency, checkpoint) = aim(app, &pb.sku).await?;
    let start = pb.booking.start.to_zoned_datetime(me.zone());
    let level = |kind: AssessmentKind| {
        view.assessments
            .iter()
            .find(|a| a.kind == kind)
            .map(|a| a.level.get())
    };
    let notes = view
        .notes
        .iter()
        .map(|n| {
            let heading = match n.kind {
                NoteKind::Shared => "Shared notes",
                NoteKind::MentorPrivate | NoteKind::MenteePrivate => "Your private notes",
            };
            (heading.to_string(), n.body.clone())
        })
        .collect();
    let closing = view.closing.as_ref();
    Ok(SessionNote {
        booking: pb.booking.id.0,
        date: start.date(),
        time: start.strftime("%H:%M").to_string(),
        time_zone: me.timezone.clone(),
        mentor: ctx.mentor.display_name.clone(),
        mentee: ctx.mentee.display_name.clone(),
        session_type: pb.sku.content.title.clone(),
        competency: competency.map(|c| c.name).unwrap_or_default(),
        checkpoint,
        result: closing.map(|c| c.checkpoint),
        baseline: level(AssessmentKind::Baseline),
        followup_level: level(AssessmentKind::Followup),
        status: pb.booking.status.as_str().to_string(),
        notes,
        evidence: closing.map(|c| c.evidence.clone()).unwrap_or_default(),
        followup: closing.map(|c| c.followup.clone()).unwrap_or_default(),
        tasks: view
            .tasks
            .iter()
            .map(|t| NoteTask {
                title: t.title.clone(),
                due: t.due,
                done: t.done_at.is_some(),
            })
            .collect(),
        artifacts: view
            .deliverables
            .iter()
            .map(|d| (d.title.clone(), d.ticked_at.is_some()))
            .collect(),
        link: Some(format!(
            "{}/sessions/{}",
            app.settings.public_url.trim_end_matches('/'),
            pb.booking.id.0
        )),
    })
}
