//! Funding a budget by card: an admin buys credit packs (the ones on sale to everyone, at
//! their price) for the budget and pays on Stripe's hosted page; the credits arrive when
//! Stripe's signed event says the payment succeeded for exactly that amount and currency
//! (`crate::money::stripe::receive`), once however often it is delivered.

use super::administered;
use super::budget::FUNDING_MAX;
use crate::App;
use crate::error::AppError;
use stint_domain::FieldErrors;
use stint_domain::account::Account;
use stint_domain::ids::OrgId;
use stint_store::StoreError;
use stint_store::sponsor::FundingRecord;
use stint_stripe::{CheckoutRequest, FUNDING_KEY};

/// The most packs one card payment buys.
pub const PACKS_MAX: i64 = 100;

/// Whether the budget can be funded by card here (Stripe configured).
pub fn offered(app: &App) -> bool {
    crate::money::stripe::offered(app)
}

/// A card funding of `quantity` of pack `pack` (its admins): the pending funding and the
/// address of Stripe's page to pay it. An unknown or retired pack or a wrong quantity is
/// refused by field and nothing is written.
#[tracing::instrument(level = "debug", skip_all, fields(org = %org))]
pub async fn fund_by_card(
    app: &App,
    admin: &Account,
    org: OrgId,
    pack: &str,
    quantity: &str,
) -> Result<(FundingRecord, String), AppError> {
    administered(app, admin, org).await?;
    let packs = crate::money::packs::on_sale(app).await?;
    let mut e = FieldErrors::new();
    let pack = e.check(
        "pack_id",
        pack.trim()
            .parse::<i64>()
            .ok()
            .and_then(|id| packs.into_iter().find(|p| p.id == id))
            .ok_or_else(|| "choose a pack on sale".to_string()),
    );
    let quantity = e.check(
        "quantity",
        match quantity.trim().parse::<i64>() {
            Ok(n) if (1..=PACKS_MAX).contains(&n) => Ok(n),
            _ => Err(format!("must be a whole number from 1 to {PACKS_MAX}")),
        },
    );
    let (Some(pack), Some(quantity)) = (pack, quantity) else {
        return Err(AppError::validation(e));
    };
    let credits = pack.pack.credits.saturating_mul(quantity);
    let price = pack.pack.price_minor.saturating_mul(quantity);
    if credits > FUNDING_MAX {
        return Err(AppError::validation(FieldErrors::single(
            "quantity",
            format!("brings more than {FUNDING_MAX} credits; ask for an invoice instead"),
        )));
    }
    if !offered(app) {
        return Err(AppError::conflict(
            "provider",
            "this server does not take cards; ask for an invoice instead",
        ));
    }
    let funding = app
        .store
        .request_card_funding(
            org,
            credits,
            &format!("Card: {} × {quantity}", pack.pack.name),
            admin.id,
            price,
            &pack.pack.currency,
            app.now(),
        )
        .await?;
    let url = crate::money::stripe::open_checkout(
        app,
        admin,
        CheckoutRequest {
            key: FUNDING_KEY,
            id: funding.id,
            name: format!("Mentoring budget: {credits} credits"),
            amount_minor: price,
            currency: pack.pack.currency.clone(),
            customer_email: admin.email.clone(),
            success_url: format!("/sponsor/{}?done=card", org.0),
            cancel_url: format!("/sponsor/{}", org.0),
        },
    )
    .await?;
    Ok((funding, url))
}

/// Credits card funding `id` once Stripe says `amount` (minor units) in `currency` was paid:
/// anything else is refused and nothing is credited; paid already is fine (a redelivery).
pub(crate) async fn paid(app: &App, id: i64, amount: i64, currency: &str) -> Result<(), AppError> {
    let funding = app
        .store
        .funding(id)
        .await?
        .ok_or_else(|| AppError::not_found("funding"))?;
    let matches = funding.provider == "stripe"
        && funding.price_minor == Some(amount)
        && funding
            .currency
            .as_deref()
            .is_some_and(|c| c.eq_ignore_ascii_case(currency));
    if !matches {
        tracing::error!(
            funding = id,
            "a Stripe payment does not match its funding; nothing was credited"
        );
        return Err(AppError::validation(FieldErrors::single(
            "data.object",
            "the payment's amount, currency or funding does not match what was asked",
        )));
    }
    match app.store.mark_card_funding_paid(id, app.now()).await {
        Ok(f) => {
            tracing::info!(org = %f.org, credits = f.credits, "budget funded by card");
            Ok(())
        }
        Err(StoreError::Conflict { .. }) => Ok(()),
        Err(StoreError::NotFound) => Err(AppError::not_found("funding")),
        Err(e) => Err(e.into()),
    }
}
