//! The data key's two operations. `check`, at every start: a sealed note or answer under a key
//! the configuration does not have (a wrong key, or none) stops start-up with a clear error
//! before anything is read or written. `rotate` (`stint keys rotate`): re-seals every note and
//! intake answer not under the current key, a batch at a time and each value only if it did
//! not change meanwhile, while the servers keep running (they open the old key's values with
//! `previous_data_keys` until the rotation is done).

use crate::App;
use crate::at_rest::sealed_with;
use crate::error::AppError;
use stint_store::StoredNote;

/// Rows read per batch.
const BATCH: u32 = 200;

/// Why start-up is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyProblem {
    #[error(
        "notes or intake answers are sealed with data key {0}, but no data_key is configured: \
         set data_key (STINT_DATA_KEY) to the key they were sealed with. Nothing was changed."
    )]
    Missing(String),
    #[error(
        "notes or intake answers are sealed with data key {id}, which is neither data_key \
         (key {current}) nor one of previous_data_keys: start with the key they were sealed \
         with. Nothing was changed."
    )]
    Unknown { id: String, current: String },
}

/// Checks that the configured keys open everything sealed in the database.
pub async fn check(app: &App) -> Result<Result<(), KeyProblem>, AppError> {
    for id in app.store.sealed_key_ids().await? {
        match &app.settings.data_keys {
            None => return Ok(Err(KeyProblem::Missing(id))),
            Some(keys) if !keys.knows(&id) => {
                return Ok(Err(KeyProblem::Unknown {
                    id,
                    current: keys.current_id().to_string(),
                }));
            }
            Some(_) => {}
        }
    }
    Ok(Ok(()))
}

/// What a rotation re-sealed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Rotated {
    pub notes: u64,
    pub preps: u64,
}

/// Re-seals every note and intake answer not under the current key; `progress` is told the
/// rows looked at so far.
pub async fn rotate(app: &App, progress: &(dyn Fn(u64) + Sync)) -> Result<Rotated, AppError> {
    let Some(keys) = app.settings.data_keys.clone() else {
        return Err(AppError::conflict("data_key", "no data_key is configured"));
    };
    let current = keys.current_id();
    let stale = |v: &str| !v.is_empty() && sealed_with(v) != Some(current);
    let mut done = Rotated::default();
    let mut seen = 0u64;
    let mut after = None;
    loop {
        let notes = app.store.notes_after(after, BATCH).await?;
        for n in &notes {
            if stale(&n.body) || stale(&n.html) {
                let body = app.seal(&app.open(&n.body)?)?;
                let html = app.seal(&app.open(&n.html)?)?;
                if app.store.reseal_note(n, &body, &html).await? {
                    done.notes += 1;
                }
            }
        }
        seen += notes.len() as u64;
        progress(seen);
        match notes.last() {
            Some(StoredNote { booking, kind, .. }) if notes.len() == BATCH as usize => {
                after = Some((*booking, *kind));
            }
            _ => break,
        }
    }
    let mut after = None;
    loop {
        let preps = app.store.preps_after(after, BATCH).await?;
        for (booking, answers) in &preps {
            if answers.iter().any(|a| stale(a)) {
                let resealed = app.seal_all(&app.open_all(answers)?)?;
                if app.store.reseal_prep(*booking, answers, &resealed).await? {
                    done.preps += 1;
                }
            }
        }
        seen += preps.len() as u64;
        progress(seen);
        match preps.last() {
            Some((booking, _)) if preps.len() == BATCH as usize => after = Some(*booking),
            _ => break,
        }
    }
    Ok(done)
}
