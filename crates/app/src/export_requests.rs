//! Exports made in the background: the person asks (Account → Privacy, `POST
//! /api/v1/me/exports`), the `privacy.export` job makes the zip (`export::export_with`),
//! telling its progress on the request, and keeps it for [`erasure::EXPORT_LINK_DAYS`] behind a
//! download only its owner may use; then the retention job drops it. However large the
//! history, the request answers at once.

use crate::App;
use crate::error::AppError;
use crate::export::{Progress, export_with};
use stint_domain::account::Account;
use stint_domain::erasure::{self, RequestKind, RequestState};
use stint_store::{NewJob, PrivacyRequest};

/// The job that makes one export.
pub const EXPORT: &str = "privacy.export";

/// What the job is given.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct ExportJob {
    pub request: i64,
}

/// Asks for an export of everything about `me`; the job makes it.
#[tracing::instrument(skip_all, fields(user = %me.id))]
pub async fn request(app: &App, me: &Account) -> Result<PrivacyRequest, AppError> {
    let now = app.now();
    if let Some(open) = mine(app, me)
        .await?
        .into_iter()
        .find(|r| r.state == RequestState::Pending)
    {
        return Ok(open);
    }
    let asked = app
        .store
        .open_privacy_request(me.id, RequestKind::Export, now, now, erasure::deadline(now))
        .await?;
    let payload = serde_json::to_string(&ExportJob { request: asked.id })
        .map_err(|_| AppError::internal())?;
    app.store
        .enqueue(
            &NewJob {
                kind: EXPORT.to_string(),
                payload,
                dedupe_key: Some(format!("{EXPORT}:{}", asked.id)),
                due_at: now,
                max_attempts: 3,
            },
            now,
        )
        .await?;
    Ok(asked)
}

/// `me`'s exports, newest first.
pub async fn mine(app: &App, me: &Account) -> Result<Vec<PrivacyRequest>, AppError> {
    Ok(app
        .store
        .privacy_requests_of(me.id, 20)
        .await?
        .into_iter()
        .filter(|r| r.kind == RequestKind::Export)
        .collect())
}

/// The `privacy.export` job: makes the export `request` asks for, once.
#[tracing::instrument(skip_all, fields(request))]
pub async fn make(app: &App, request: i64) -> Result<(), AppError> {
    let Some(r) = app.store.privacy_request(request).await? else {
        return Ok(());
    };
    if r.kind != RequestKind::Export || r.state != RequestState::Pending {
        return Ok(());
    }
    let Some(owner) = app.store.account(r.user_id).await? else {
        return Ok(());
    };
    let (name, zip) = export_with(app, &owner, &Progress::Request(r.id)).await?;
    let now = app.now();
    app.store
        .finish_export(r.id, &name, &zip, erasure::export_expires(now), now)
        .await?;
    Ok(())
}

/// Marks an export the job gave up on.
pub async fn failed(app: &App, request: i64) -> Result<(), AppError> {
    Ok(app.store.fail_export(request, app.now()).await?)
}

/// `me`'s ready export `id`: its file name and zip. Anyone else's, or one whose link
/// expired, is not found.
pub async fn download(app: &App, me: &Account, id: i64) -> Result<(String, Vec<u8>), AppError> {
    let r = app
        .store
        .privacy_request(id)
        .await?
        .filter(|r| r.user_id == me.id && r.kind == RequestKind::Export)
        .ok_or_else(|| AppError::not_found("export"))?;
    if r.expires_at.is_none_or(|at| at <= app.now()) {
        return Err(AppError::not_found("export"));
    }
    app.store
        .export_archive(r.id)
        .await?
        .ok_or_else(|| AppError::not_found("export"))
}
