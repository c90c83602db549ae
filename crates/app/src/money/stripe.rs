//! Paying by card on Stripe: a Checkout session per purchase (or sponsor's funding,
//! `crate::sponsor::card`), and the signed events Stripe posts back. Credits arrive only when a verified event says the payment succeeded, for the
//! amount and currency the purchase asked; each event acts once (replays change nothing),
//! and paying a purchase is itself idempotent, so ten deliveries at once credit it once.

use super::purchases::{announce, fresh};
use crate::App;
use crate::error::{AppError, ErrorKind};
use stint_domain::FieldErrors;
use stint_domain::account::Account;
use stint_store::StoreError;
use stint_store::money::{Paid, PurchaseRecord};
use stint_stripe::{CheckoutRequest, FUNDING_KEY, PURCHASE_KEY};

/// The provider name purchases and the event log use.
const STRIPE: &str = "stripe";

/// Opens Stripe's Checkout page for pending purchase `purchase` of `me`; returns its address.
pub(super) async fn checkout(
    app: &App,
    me: &Account,
    purchase: &PurchaseRecord,
) -> Result<String, AppError> {
    open_checkout(
        app,
        me,
        CheckoutRequest {
            key: PURCHASE_KEY,
            id: purchase.id,
            name: format!("{}: {} credits", purchase.pack_name, purchase.credits),
            amount_minor: purchase.price_minor,
            currency: purchase.currency.clone(),
            customer_email: me.email.clone(),
            success_url: "/wallet?bought=card".into(),
            cancel_url: "/wallet".into(),
        },
    )
    .await
}

/// Whether card payments are offered here.
pub(crate) fn offered(app: &App) -> bool {
    app.settings.stripe.is_some()
}

/// Opens a Checkout page for `request` (its return addresses as paths on this site);
/// returns its address. Unavailable Stripe is a 503 that charged nothing.
pub(crate) async fn open_checkout(
    app: &App,
    me: &Account,
    mut request: CheckoutRequest,
) -> Result<String, AppError> {
    let Some(stripe) = app.settings.stripe.as_ref() else {
        return Err(AppError::conflict(
            "provider",
            "this server does not offer that way to pay",
        ));
    };
    let site = app.settings.public_url.trim_end_matches('/');
    request.success_url = format!("{site}{}", request.success_url);
    request.cancel_url = format!("{site}{}", request.cancel_url);
    match stripe.create_checkout(&request).await {
        Ok(session) => Ok(session.url),
        Err(e) => {
            tracing::warn!(error = %e, key = request.key, id = request.id, who = %me.id,
                "Stripe Checkout could not be opened");
            Err(AppError::new(
                ErrorKind::Unavailable,
                "payment_unavailable",
                "Card payments are unavailable right now; nothing was charged. Try again in a minute.",
            )
            .retry_after(60))
        }
    }
}

/// What a delivery did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Received {
    /// It paid purchase `.0` (now, or it had been paid by an earlier delivery).
    Paid(i64),
    /// It funded a sponsor's budget by funding `.0` (now, or earlier).
    Funded(i64),
    /// This event was acted on before: nothing changed.
    Replay,
    /// An event Stint does not act on.
    Ignored,
}

fn refused(message: impl Into<String>) -> AppError {
    AppError::validation(FieldErrors::single("Stripe-Signature", message))
}

/// Acts on one delivery to `/webhooks/stripe`: verifies `signature` over `body` with the
/// endpoint's secret and the age limit, then pays the purchase a successful payment names.
/// Anything wrong is a 4xx and writes nothing.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn receive(
    app: &App,
    signature: Option<&str>,
    body: &[u8],
) -> Result<Received, AppError> {
    let Some(stripe) = app.settings.stripe.as_ref() else {
        return Err(AppError::not_found("payment provider"));
    };
    let header = signature.ok_or_else(|| refused("is missing"))?;
    let event = stint_stripe::verify(stripe.webhook_secret(), header, body, app.now().as_second())
        .map_err(|e| refused(e.to_string()))?;
    if app.store.payment_event_seen(STRIPE, &event.id).await? {
        return Ok(Received::Replay);
    }
    let object = &event.data.object;
    let (payment, amount, succeeded) = match event.kind.as_str() {
        "payment_intent.succeeded" => (
            object["id"].as_str(),
            object["amount_received"]
                .as_i64()
                .or_else(|| object["amount"].as_i64()),
            object["status"].as_str() == Some("succeeded"),
        ),
        "checkout.session.completed" | "checkout.session.async_payment_succeeded" => (
            object["payment_intent"].as_str(),
            object["amount_total"].as_i64(),
            object["payment_status"].as_str() == Some("paid"),
        ),
        _ => {
            app.store
                .record_payment_event(STRIPE, &event.id, &event.kind, None, app.now())
                .await?;
            return Ok(Received::Ignored);
        }
    };
    let id_of = |key: &str| {
        object["metadata"][key]
            .as_str()
            .and_then(|s| s.parse::<i64>().ok())
    };
    if let (Some(funding), Some(_), Some(amount), true) =
        (id_of(FUNDING_KEY), payment, amount, succeeded)
    {
        let currency = object["currency"].as_str().unwrap_or_default();
        crate::sponsor::card::paid(app, funding, amount, currency).await?;
        app.store
            .record_payment_event(STRIPE, &event.id, &event.kind, None, app.now())
            .await?;
        return Ok(Received::Funded(funding));
    }
    let purchase_id = id_of(PURCHASE_KEY);
    let (Some(purchase_id), Some(payment), Some(amount), true) =
        (purchase_id, payment, amount, succeeded)
    else {
        // A payment that is not one of Stint's, or not finished: nothing to credit.
        app.store
            .record_payment_event(STRIPE, &event.id, &event.kind, None, app.now())
            .await?;
        return Ok(Received::Ignored);
    };
    let purchase = fresh(app, purchase_id).await?;
    let currency = object["currency"].as_str().unwrap_or_default();
    if purchase.provider != STRIPE
        || amount != purchase.price_minor
        || !currency.eq_ignore_ascii_case(&purchase.currency)
    {
        tracing::error!(
            purchase = purchase.id,
            event = %event.id,
            "a Stripe payment does not match its purchase; nothing was credited"
        );
        return Err(AppError::validation(FieldErrors::single(
            "data.object",
            "the payment's amount, currency or purchase does not match what was bought",
        )));
    }
    let paid = match app
        .store
        .mark_purchase_paid(purchase.id, payment, app.now())
        .await
    {
        Ok(Paid::Now(p) | Paid::Already(p)) => p,
        Err(StoreError::NotFound) => return Err(AppError::not_found("purchase")),
        Err(e) => return Err(e.into()),
    };
    announce(app, &paid).await?;
    app.store
        .record_payment_event(STRIPE, &event.id, &event.kind, Some(paid.id), app.now())
        .await?;
    Ok(Received::Paid(paid.id))
}
