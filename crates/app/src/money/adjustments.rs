//! Refunds and corrections (operators), each with a reason, each a new ledger movement kept
//! for the audit view: a refund gives back unspent credits of a paid purchase with their share
//! of its price, through the provider that took the money (for an invoice, the operator's bank
//! transfer); a correction gives credits to a wallet or takes them.

use crate::App;
use crate::access::require;
use crate::error::AppError;
use stint_domain::FieldErrors;
use stint_domain::account::Account;
use stint_domain::role::Role;
use stint_domain::validate;
use stint_store::StoreError;
use stint_store::adjustments::AdjustmentRecord;

/// The longest reason kept.
pub const MAX_REASON: usize = 500;

/// The reason as kept, or its message added to `errors`.
fn reason_of(raw: &str, errors: &mut FieldErrors) -> Option<String> {
    validate::text(raw, 1, MAX_REASON)
        .map_err(|m| errors.add("reason", m))
        .ok()
}

/// Refunds `credits` of purchase `purchase` (operators). More than the purchase has left
/// unspent is refused with the figure; nothing is written then.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn refund(
    app: &App,
    op: &Account,
    purchase: i64,
    credits: i64,
    reason: &str,
) -> Result<AdjustmentRecord, AppError> {
    require(op, Role::Operator)?;
    let mut errors = FieldErrors::new();
    let reason = reason_of(reason, &mut errors);
    if credits <= 0 {
        errors.add("credits", "must be at least 1");
    }
    let Some(reason) = reason.filter(|_| errors.is_empty()) else {
        return Err(AppError::validation(errors));
    };
    let done = app
        .store
        .refund(op.id, purchase, credits, &reason, app.now())
        .await
        .map_err(crate::error::missing("purchase"))?;
    announce_refund(app, &done).await;
    Ok(done)
}

/// Emits `purchase.refunded` to the webhook endpoints that want it, once per refund. The
/// refund stands whatever happens here, so a failure is logged, never answered: asking again
/// would refund twice.
async fn announce_refund(app: &App, r: &AdjustmentRecord) {
    let data = serde_json::json!({
        "refund_id": r.id,
        "purchase_id": r.purchase,
        "user_id": r.user.0,
        "credits": -r.credits,
        "money_minor": r.money.as_ref().map(|m| m.minor),
        "currency": r.money.as_ref().map(|m| m.currency.clone()),
    });
    if let Err(e) = stint_webhooks::emit_once(
        app.store.as_ref(),
        &format!("purchase.refunded:{}", r.id),
        stint_webhooks::EventType::PurchaseRefunded,
        &data,
        app.now(),
    )
    .await
    {
        tracing::error!(error = %e, refund = r.id, "purchase.refunded was not emitted");
    }
}

/// Gives `credits` to the wallet of the account with `email` (operators), or takes them if
/// negative; taking more than the wallet holds is refused with the figure.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn correct(
    app: &App,
    op: &Account,
    email: &str,
    credits: i64,
    reason: &str,
) -> Result<AdjustmentRecord, AppError> {
    require(op, Role::Operator)?;
    let mut errors = FieldErrors::new();
    let reason = reason_of(reason, &mut errors);
    if credits == 0 {
        errors.add(
            "credits",
            "must not be 0: positive gives credits, negative takes them",
        );
    }
    let who = app.store.account_by_email(email.trim()).await?;
    if who.is_none() {
        errors.add("email", "no account has this e-mail address");
    }
    let (Some(reason), Some(who)) = (reason.filter(|_| errors.is_empty()), who) else {
        return Err(AppError::validation(errors));
    };
    match app
        .store
        .correct(op.id, who.id, credits, &reason, app.now())
        .await
    {
        Err(StoreError::Insufficient { balance, .. }) => {
            Err(AppError::validation(FieldErrors::single(
                "credits",
                format!("takes more than the {balance} credits this wallet holds"),
            )))
        }
        other => Ok(other?),
    }
}

/// One adjustment with the people it names.
#[derive(Debug, Clone)]
pub struct AuditRow {
    pub adjustment: AdjustmentRecord,
    pub user: String,
    pub operator: String,
}

/// The newest refunds and corrections, with whose wallet and which operator (operators).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn audit(app: &App, op: &Account) -> Result<Vec<AuditRow>, AppError> {
    require(op, Role::Operator)?;
    let adjustments = app.store.adjustments(200).await?;
    let mut names: std::collections::HashMap<stint_domain::ids::UserId, String> =
        std::collections::HashMap::new();
    for a in &adjustments {
        for id in [a.user, a.operator] {
            if let std::collections::hash_map::Entry::Vacant(slot) = names.entry(id) {
                let name = app.store.account(id).await?.map_or_else(
                    || format!("account {}", id.0),
                    |p| format!("{} <{}>", p.display_name, p.email),
                );
                slot.insert(name);
            }
        }
    }
    let rows = adjustments
        .into_iter()
        .map(|adjustment| AuditRow {
            user: names.get(&adjustment.user).cloned().unwrap_or_default(),
            operator: names.get(&adjustment.operator).cloned().unwrap_or_default(),
            adjustment,
        })
        .collect();
    Ok(rows)
}
