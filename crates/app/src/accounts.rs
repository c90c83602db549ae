//! Accounts: signing up, one's own profile, and the operators' view of every account with
//! the granting and revoking of roles.

use crate::App;
use crate::access::require;
use crate::auth::password;
use crate::error::AppError;
use stint_domain::account::{Account, ProfileInput, SignupInput};
use stint_domain::ids::UserId;
use stint_domain::role::Role;

/// Validates, hashes and stores a new mentee account; a taken e-mail is a conflict on `email`.
// The input holds the password: nothing of it is recorded.
#[tracing::instrument(skip_all)]
pub async fn sign_up(app: &App, input: SignupInput) -> Result<Account, AppError> {
    let new = input.validate()?;
    let hash = password::hash(input.password).await.map_err(|e| {
        tracing::error!(error = %e, "password hashing failed");
        AppError::internal()
    })?;
    Ok(app.store.create_account(&new, &hash, app.now()).await?)
}

/// Changes one's own name and time zone.
pub async fn update_profile(
    app: &App,
    me: &Account,
    input: ProfileInput,
) -> Result<Account, AppError> {
    let (name, tz) = input.validate()?;
    Ok(app.store.update_profile(me.id, &name, tz.as_str()).await?)
}

/// Every account (operators).
pub async fn all(app: &App, actor: &Account) -> Result<Vec<Account>, AppError> {
    require(actor, Role::Operator)?;
    Ok(app.store.accounts().await?)
}

async fn existing(app: &App, id: UserId) -> Result<Account, AppError> {
    app.store
        .account(id)
        .await?
        .ok_or_else(|| AppError::not_found("account"))
}

/// Grants a role (operators).
pub async fn grant_role(
    app: &App,
    actor: &Account,
    id: UserId,
    role: Role,
) -> Result<Account, AppError> {
    require(actor, Role::Operator)?;
    existing(app, id).await?;
    app.store.grant_role(id, role).await?;
    existing(app, id).await
}

/// Revokes a role (operators; nobody removes their own operator role, so an installation
/// always keeps one).
pub async fn revoke_role(
    app: &App,
    actor: &Account,
    id: UserId,
    role: Role,
) -> Result<Account, AppError> {
    require(actor, Role::Operator)?;
    if id == actor.id && role == Role::Operator {
        return Err(AppError::conflict(
            "role",
            "you cannot remove your own operator role",
        ));
    }
    existing(app, id).await?;
    app.store.revoke_role(id, role).await?;
    existing(app, id).await
}
