//! Mentor profiles: the directory, one profile, and a mentor editing their own.

use crate::App;
use crate::access::require;
use crate::error::AppError;
use stint_domain::account::Account;
use stint_domain::ids::UserId;
use stint_domain::mentor::{MentorProfile, MentorProfileInput};
use stint_domain::role::Role;

/// Mentors who can be booked now (a profile with no active session type stays reachable
/// by its id but is not advertised).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn directory(app: &App) -> Result<Vec<MentorProfile>, AppError> {
    Ok(app
        .store
        .mentors()
        .await?
        .into_iter()
        .filter(|m| !m.skus.is_empty())
        .collect())
}

/// One mentor's public profile.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn profile(app: &App, id: UserId) -> Result<MentorProfile, AppError> {
    app.store
        .mentors()
        .await?
        .into_iter()
        .find(|m| m.user_id == id)
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
