//! The access log: every read of a person's private data by someone else — their mentor
//! reading their intake answers, assessments or shared notes, a sponsor's admin reading the
//! progress they chose to share — is recorded where the read happens
//! (`outcomes::outcome_view`, `sponsor::sharing::shared_progress`), and the person reads
//! their own log. A read that cannot be logged does not happen.

use crate::App;
use crate::error::AppError;
use stint_domain::account::Account;
use stint_store::{AccessEntry, NewAccess};

/// What was read, as the log stores it.
pub const INTAKE_ANSWERS: &str = "intake_answers";
pub const ASSESSMENTS: &str = "assessments";
pub const SHARED_NOTES: &str = "shared_notes";
pub const PROGRESS: &str = "progress";

/// "your intake answers", … for the log's owner to read.
pub fn words(what: &str) -> &'static str {
    match what {
        INTAKE_ANSWERS => "your intake answers",
        ASSESSMENTS => "your assessments",
        SHARED_NOTES => "your shared notes",
        PROGRESS => "your progress",
        _ => "your data",
    }
}

/// Records `reads` (each once an hour per reader, kind and session).
pub(crate) async fn record(app: &App, reads: &[NewAccess<'_>]) -> Result<(), AppError> {
    if reads.is_empty() {
        return Ok(());
    }
    app.store.record_access(reads, app.now()).await?;
    Ok(())
}

/// A page of `me`'s log, newest first, and the `before` of the next, older page.
pub async fn mine(
    app: &App,
    me: &Account,
    before: Option<i64>,
    limit: Option<u32>,
) -> Result<(Vec<AccessEntry>, Option<i64>), AppError> {
    let limit = crate::paging::limit(limit, 50, 200)?;
    let found = app.store.access_log(me.id, before, limit + 1).await?;
    Ok(crate::paging::split(found, limit, |e| e.id))
}
