//! Organisations: operators create them with a first admin; admins and members find theirs.

use crate::App;
use crate::access::require;
use crate::error::AppError;
use stint_domain::FieldErrors;
use stint_domain::account::{Account, Email};
use stint_domain::role::Role;
use stint_domain::sponsor::{OrgRole, validate_org_name};
use stint_store::sponsor::{Membership, OrgRecord};

/// Creates an organisation whose first admin is the account with `admin_email` (operators).
/// The admin must have an account already: an operator sets up a customer who signed up.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn create(
    app: &App,
    op: &Account,
    name: &str,
    admin_email: &str,
) -> Result<OrgRecord, AppError> {
    require(op, Role::Operator)?;
    let mut e = FieldErrors::new();
    let name = e.check("name", validate_org_name(name));
    let email = e.check("admin_email", Email::parse(admin_email));
    let admin = match &email {
        Some(email) => app.store.account_by_email(email.as_str()).await?,
        None => None,
    };
    if email.is_some() && admin.is_none() {
        e.add(
            "admin_email",
            "has no Stint account: ask them to sign up first",
        );
    }
    let (Some(name), Some(admin), true) = (name, admin, e.is_empty()) else {
        return Err(AppError::validation(e));
    };
    Ok(app.store.create_org(&name, admin.id, app.now()).await?)
}

/// Every organisation (operators).
pub async fn all(app: &App, op: &Account) -> Result<Vec<OrgRecord>, AppError> {
    require(op, Role::Operator)?;
    Ok(app.store.orgs().await?)
}

/// The organisations `actor` belongs to now, as admin or member.
pub async fn mine(app: &App, actor: &Account) -> Result<Vec<Membership>, AppError> {
    Ok(app
        .store
        .memberships_of(actor.id)
        .await?
        .into_iter()
        .filter(Membership::is_active)
        .collect())
}

/// The organisations `actor` administers.
pub async fn administered_by(app: &App, actor: &Account) -> Result<Vec<Membership>, AppError> {
    Ok(mine(app, actor)
        .await?
        .into_iter()
        .filter(|m| m.role == OrgRole::Admin)
        .collect())
}

/// The organisations whose budget may pay for `actor`'s sessions (they are a member or admin
/// of, with rules set).
pub async fn sponsors_of(app: &App, actor: &Account) -> Result<Vec<OrgRecord>, AppError> {
    let mut found = Vec::new();
    for m in mine(app, actor).await? {
        if let Some(org) = app.store.org(m.org).await?
            && org.rules.is_some()
        {
            found.push(org);
        }
    }
    Ok(found)
}
