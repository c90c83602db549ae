//! Credit packs: anyone sees those on sale; operators define, change and retire them.

use crate::App;
use crate::access::require;
use crate::error::AppError;
use stint_domain::account::Account;
use stint_domain::ledger::PackInput;
use stint_domain::role::Role;
use stint_store::money::PackRecord;

/// The packs on sale, cheapest per credit first.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn on_sale(app: &App) -> Result<Vec<PackRecord>, AppError> {
    Ok(app.store.packs(false).await?)
}

/// Every pack, retired ones too (operators).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn all(app: &App, actor: &Account) -> Result<Vec<PackRecord>, AppError> {
    require(actor, Role::Operator)?;
    Ok(app.store.packs(true).await?)
}

/// Defines a pack (operators).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn create(app: &App, actor: &Account, input: PackInput) -> Result<PackRecord, AppError> {
    require(actor, Role::Operator)?;
    let pack = input.validate()?;
    Ok(app.store.create_pack(&pack, app.now()).await?)
}

/// Puts a pack on sale or takes it off (operators), keeping its terms.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn set_active(
    app: &App,
    actor: &Account,
    id: i64,
    active: bool,
) -> Result<PackRecord, AppError> {
    require(actor, Role::Operator)?;
    let mut pack = app
        .store
        .pack(id)
        .await?
        .ok_or_else(|| AppError::not_found("pack"))?
        .pack;
    pack.active = active;
    app.store
        .update_pack(id, &pack, app.now())
        .await
        .map_err(crate::missing("pack"))
}

/// Changes a pack (operators). Purchases already made keep the terms they were bought on.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn update(
    app: &App,
    actor: &Account,
    id: i64,
    input: PackInput,
) -> Result<PackRecord, AppError> {
    require(actor, Role::Operator)?;
    let pack = input.validate()?;
    app.store
        .update_pack(id, &pack, app.now())
        .await
        .map_err(crate::missing("pack"))
}
