//! Accounts: one's own profile, and the operators' view of every account with
//! the granting and revoking of roles.

use crate::App;
use crate::access::require;
use crate::error::AppError;
use stint_domain::account::{Account, ProfileInput};
use stint_domain::ids::UserId;
use stint_domain::role::Role;

/// Changes one's own name and time zone.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn update_profile(
    app: &App,
    me: &Account,
    input: ProfileInput,
) -> Result<Account, AppError> {
    let (name, tz) = input.validate()?;
    Ok(app.store.update_profile(me.id, &name, tz.as_str()).await?)
}

/// How many accounts there are (operators).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn count(app: &App, actor: &Account) -> Result<u64, AppError> {
    require(actor, Role::Operator)?;
    Ok(app.store.account_count().await?)
}

/// Accounts per page when none is asked for, and the most one page holds.
pub const ACCOUNTS_PAGE: u32 = 100;
pub const ACCOUNTS_PAGE_MAX: u32 = 500;

/// Up to `limit` accounts (operators), in id order after `after`; `next` is the `after` of
/// the next page when there may be one. A `limit` outside 1 to [`ACCOUNTS_PAGE_MAX`] is
/// refused.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn page(
    app: &App,
    actor: &Account,
    after: Option<i64>,
    limit: Option<u32>,
) -> Result<(Vec<Account>, Option<i64>), AppError> {
    require(actor, Role::Operator)?;
    let limit = crate::paging::limit(limit, ACCOUNTS_PAGE, ACCOUNTS_PAGE_MAX)?;
    let found = app
        .store
        .accounts_page(after.map(UserId), limit + 1)
        .await?;
    Ok(crate::paging::split(found, limit, |a| a.id.0))
}

async fn existing(app: &App, id: UserId) -> Result<Account, AppError> {
    app.store
        .account(id)
        .await?
        .ok_or_else(|| AppError::not_found("account"))
}

/// Grants a role (operators).
#[tracing::instrument(level = "debug", skip_all)]
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
#[tracing::instrument(level = "debug", skip_all)]
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
