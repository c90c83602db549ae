//! Mentor profiles: the directory, one profile, and a mentor editing their own.

use crate::App;
use crate::access::require;
use crate::error::AppError;
use stint_domain::account::Account;
use stint_domain::ids::{SkuId, UserId};
use stint_domain::mentor::{MentorProfile, MentorProfileInput};
use stint_domain::role::Role;

/// Mentors per directory page when none is asked for, and the most one page holds.
pub const DIRECTORY_PAGE: u32 = 60;
pub const DIRECTORY_PAGE_MAX: u32 = 500;

/// One page of the directory, with the `after` of the next page when there may be one.
#[derive(Debug, Clone)]
pub struct DirectoryPage {
    pub mentors: Vec<MentorProfile>,
    pub next_after: Option<i64>,
}

/// Mentors who can be booked now (of `sku` when given), by name, a page at a time after
/// mentor `after`. A profile with no active session type stays reachable by its id but is
/// not advertised.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn directory(
    app: &App,
    sku: Option<SkuId>,
    after: Option<i64>,
    limit: Option<u32>,
) -> Result<DirectoryPage, AppError> {
    let limit = crate::paging::limit(limit, DIRECTORY_PAGE, DIRECTORY_PAGE_MAX)?;
    let found = app
        .store
        .directory_page(sku, after.map(UserId), limit + 1)
        .await?;
    let (mentors, next_after) = crate::paging::split(found, limit, |m| m.user_id.0);
    Ok(DirectoryPage {
        mentors,
        next_after,
    })
}

/// How many mentors can be booked now (of `sku` when given), counted by the database.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn directory_count(app: &App, sku: Option<SkuId>) -> Result<u64, AppError> {
    Ok(app.store.directory_count(sku).await?)
}

/// One mentor's public profile: someone who is a mentor and has saved a profile.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn profile(app: &App, id: UserId) -> Result<MentorProfile, AppError> {
    let is_mentor = app
        .store
        .account(id)
        .await?
        .is_some_and(|a| a.roles.contains(&Role::Mentor));
    app.store
        .mentor_profile(id)
        .await?
        .filter(|_| is_mentor)
        .ok_or_else(|| AppError::not_found("mentor"))
}

/// The viewer's own profile, if they have saved one (mentors).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn own_profile(app: &App, me: &Account) -> Result<Option<MentorProfile>, AppError> {
    require(me, Role::Mentor)?;
    Ok(app.store.mentor_profile(me.id).await?)
}

/// Saves the viewer's own profile (mentors).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn save_profile(
    app: &App,
    me: &Account,
    input: MentorProfileInput,
) -> Result<MentorProfile, AppError> {
    require(me, Role::Mentor)?;
    let input = input.validate()?;
    Ok(app
        .store
        .save_mentor_profile(me.id, &input, app.now())
        .await?)
}
