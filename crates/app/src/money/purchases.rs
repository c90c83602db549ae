//! Buying credits. A purchase is recorded pending, and its credits arrive only when it is
//! paid: Stripe's signed event says the card payment succeeded (`money::stripe`), an
//! operator marks an invoice paid (the manual provider), or, on a demo server, the demo
//! top-up pays it at once. Marking paid credits it exactly once, however often it is
//! asked (`MoneyStore::mark_purchase_paid`).

use crate::App;
use crate::access::require;
use crate::error::AppError;
use stint_domain::FieldErrors;
use stint_domain::account::Account;
use stint_domain::role::Role;
use stint_domain::validate;
use stint_store::money::{Paid, PurchaseRecord, PurchaseState};

/// How a purchase is paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    /// A card payment on Stripe's hosted Checkout page.
    Stripe,
    /// An invoice, paid by bank transfer, that an operator marks paid.
    Manual,
    /// Credits without payment, offered only on demo servers.
    Demo,
}

impl Provider {
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Stripe => "stripe",
            Provider::Manual => "manual",
            Provider::Demo => "demo",
        }
    }

    pub fn parse(s: &str) -> Option<Provider> {
        match s {
            "stripe" => Some(Provider::Stripe),
            "manual" => Some(Provider::Manual),
            "demo" => Some(Provider::Demo),
            _ => None,
        }
    }
}

/// The providers this server offers, the usual one first.
pub fn offered(app: &App) -> Vec<Provider> {
    let mut providers = Vec::new();
    if app.settings.stripe.is_some() {
        providers.push(Provider::Stripe);
    }
    providers.push(Provider::Manual);
    if app.settings.demo_top_up {
        providers.push(Provider::Demo);
    }
    providers
}

/// A purchase just made, and where its buyer pays it when that is elsewhere.
#[derive(Debug, Clone)]
pub struct Bought {
    pub purchase: PurchaseRecord,
    /// Stripe's Checkout page for this purchase; `None` for an invoice or a demo top-up.
    pub pay_at: Option<String>,
}

/// Buys pack `pack_id` for `me`: a pending purchase paid on Stripe's page or by invoice (the
/// manual provider), or, with the demo top-up, one paid and credited at once. An unknown
/// pack is a 404; one no longer on sale, or a provider this server does not offer, a
/// conflict; Stripe unreachable, 503 (the purchase stays pending and is never credited).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn buy(
    app: &App,
    me: &Account,
    pack_id: i64,
    provider: Provider,
) -> Result<Bought, AppError> {
    let pack = app
        .store
        .pack(pack_id)
        .await?
        .ok_or_else(|| AppError::not_found("pack"))?;
    if !pack.pack.active {
        return Err(AppError::conflict(
            "pack_id",
            "this pack is no longer on sale",
        ));
    }
    if !offered(app).contains(&provider) {
        return Err(AppError::conflict(
            "provider",
            "this server does not offer that way to pay",
        ));
    }
    let purchase = app
        .store
        .create_purchase(me.id, &pack, provider.as_str(), app.now())
        .await?;
    match provider {
        Provider::Manual => Ok(Bought {
            purchase,
            pay_at: None,
        }),
        Provider::Stripe => {
            let pay_at = super::stripe::checkout(app, me, &purchase).await?;
            Ok(Bought {
                purchase,
                pay_at: Some(pay_at),
            })
        }
        Provider::Demo => match app
            .store
            .mark_purchase_paid(purchase.id, "demo", app.now())
            .await?
        {
            Paid::Now(p) | Paid::Already(p) => {
                announce(app, &p).await?;
                Ok(Bought {
                    purchase: fresh(app, p.id).await?,
                    pay_at: None,
                })
            }
        },
    }
}

pub(super) async fn fresh(app: &App, id: i64) -> Result<PurchaseRecord, AppError> {
    app.store
        .purchase(id)
        .await?
        .ok_or_else(|| AppError::not_found("purchase"))
}

/// One of `me`'s purchases; anyone else's is a 404 (operators see all).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn one(app: &App, me: &Account, id: i64) -> Result<PurchaseRecord, AppError> {
    let purchase = fresh(app, id).await?;
    if purchase.user != me.id && !me.has(Role::Operator) {
        return Err(AppError::not_found("purchase"));
    }
    Ok(purchase)
}

/// Invoices waiting for their money, oldest first (operators). Card payments are not here:
/// only Stripe's signed word pays those.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn pending(app: &App, actor: &Account) -> Result<Vec<PurchaseRecord>, AppError> {
    require(actor, Role::Operator)?;
    Ok(app
        .store
        .purchases_in(PurchaseState::Pending, Provider::Manual.as_str(), 500)
        .await?)
}

/// Purchases waiting for their money with who bought each ("Name <e-mail>"), oldest first
/// (operators).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn pending_with_buyers(
    app: &App,
    actor: &Account,
) -> Result<Vec<(PurchaseRecord, String)>, AppError> {
    let list = pending(app, actor).await?;
    let mut out = Vec::with_capacity(list.len());
    for p in list {
        let buyer = buyer_of(app, actor, &p).await?;
        out.push((p, buyer));
    }
    Ok(out)
}

/// Who bought `p`, as "Name <e-mail>" (operators).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn buyer_of(app: &App, actor: &Account, p: &PurchaseRecord) -> Result<String, AppError> {
    require(actor, Role::Operator)?;
    Ok(match app.store.account(p.user).await? {
        Some(a) => format!("{} <{}>", a.display_name, a.email),
        None => format!("account {}", p.user.0),
    })
}

/// Marks a purchase paid (operators), with the bank's reference: its credits arrive, once.
/// Marking it again changes nothing and answers the same.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn mark_paid(
    app: &App,
    actor: &Account,
    id: i64,
    reference: &str,
) -> Result<PurchaseRecord, AppError> {
    require(actor, Role::Operator)?;
    let reference = validate::line(reference, 0, 100)
        .map_err(|m| AppError::validation(FieldErrors::single("reference", m)))?;
    if fresh(app, id).await?.provider == Provider::Stripe.as_str() {
        return Err(AppError::conflict(
            "purchase",
            "a card payment is marked paid only by Stripe's signed event",
        ));
    }
    match app
        .store
        .mark_purchase_paid(id, &reference, app.now())
        .await
    {
        Ok(Paid::Now(p) | Paid::Already(p)) => {
            // Also when it was paid before: the event may not have gone out then.
            announce(app, &p).await?;
            fresh(app, p.id).await
        }
        Err(stint_store::StoreError::NotFound) => Err(AppError::not_found("purchase")),
        Err(e) => Err(e.into()),
    }
}

/// Emits `purchase.paid` for a paid purchase to the webhook endpoints that want it, once
/// (its message id comes from the purchase, so announcing it again sends nothing new). The
/// buyer's receipt mail is queued by the store in the transaction that pays it
/// (`stint_store::outbox::RECEIPT_MAIL`).
pub(super) async fn announce(app: &App, purchase: &PurchaseRecord) -> Result<(), AppError> {
    let data = serde_json::json!({
        "purchase_id": purchase.id,
        "user_id": purchase.user.0,
        "pack_id": purchase.pack_id,
        "credits": purchase.credits,
        "price_minor": purchase.price_minor,
        "currency": purchase.currency,
        "provider": purchase.provider,
    });
    stint_webhooks::emit_once(
        app.store.as_ref(),
        &format!("purchase.paid:{}", purchase.id),
        stint_webhooks::EventType::PurchasePaid,
        &data,
        app.now(),
    )
    .await
    .map_err(|e| {
        tracing::error!(error = %e, purchase = purchase.id, "purchase.paid was not emitted");
        AppError::internal()
    })?;
    Ok(())
}

/// A receipt's lines, label and value, the same on the receipt page and in its mail.
pub fn receipt_lines(p: &stint_store::money::PurchaseRecord) -> Vec<(String, String)> {
    let mut lines = vec![
        ("Receipt".to_string(), format!("STINT-{}", p.id)),
        ("Pack".to_string(), p.pack_name.clone()),
        ("Credits".to_string(), p.credits.to_string()),
        (
            "Paid".to_string(),
            stint_domain::ledger::format_money(p.price_minor, &p.currency),
        ),
    ];
    if let Some(at) = p.paid_at {
        lines.push((
            "Paid on".to_string(),
            at.strftime("%-d %B %Y, %H:%M UTC").to_string(),
        ));
    }
    let how = if p.provider == "demo" {
        "Demo top-up, no payment".to_string()
    } else if p.provider == "stripe" {
        "Card, through Stripe".to_string()
    } else if p.provider_ref.is_empty() {
        "Bank transfer".to_string()
    } else {
        format!("Bank transfer, reference {}", p.provider_ref)
    };
    lines.push(("Paid by".to_string(), how));
    lines
}

/// How to pay a pending invoice, in words for the buyer.
pub fn invoice_instructions(purchase: &PurchaseRecord) -> String {
    format!(
        "Pay {} by bank transfer with the reference STINT-{}. Your {} credits arrive as soon as \
         the payment is confirmed.",
        stint_domain::ledger::format_money(purchase.price_minor, &purchase.currency),
        purchase.id,
        purchase.credits
    )
}
