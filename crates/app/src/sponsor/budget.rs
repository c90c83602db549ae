//! A budget's rules and funding, and the one check before a booking is paid with it.

use super::administered;
use crate::App;
use crate::access::require;
use crate::error::{AppError, ErrorKind};
use stint_domain::FieldErrors;
use stint_domain::account::Account;
use stint_domain::ids::{OrgId, SkuId};
use stint_domain::ledger::{Account as LedgerAccount, Credits};
use stint_domain::role::Role;
use stint_domain::sponsor::{BudgetRules, BudgetRulesInput, PayRefusal, may_pay};
use stint_domain::validate;
use stint_store::StoreError;
use stint_store::sponsor::{BudgetCharge, FundingRecord};

/// The most credits one funding invoice brings.
pub const FUNDING_MAX: Credits = 1_000_000;

/// The rules as typed, with the session types named by their slugs.
#[derive(Debug, Clone, Default)]
pub struct RulesForm {
    pub period: String,
    pub leftover: String,
    pub cap_credits: String,
    pub cap_sessions: String,
    pub skus: Vec<String>,
    /// Hours an admin has to approve each booking; empty: no approval.
    pub approval_hours: String,
}

/// What the budget holds now.
pub async fn balance(app: &App, org: OrgId) -> Result<Credits, AppError> {
    Ok(app.store.ledger_balance(LedgerAccount::Budget(org)).await?)
}

/// Replaces the budget's rules (its admins). Every wrong field is named; nothing is written
/// then.
#[tracing::instrument(level = "debug", skip_all, fields(org = %org))]
pub async fn set_rules(
    app: &App,
    admin: &Account,
    org: OrgId,
    form: &RulesForm,
) -> Result<BudgetRules, AppError> {
    administered(app, admin, org).await?;
    let mut e = FieldErrors::new();
    let mut skus: Vec<SkuId> = Vec::new();
    for slug in &form.skus {
        match app.store.sku(slug.trim()).await? {
            Some(s) => skus.push(s.sku_id),
            None => e.add("skus", format!("{slug:?} is not a session type")),
        }
    }
    if form.skus.is_empty() {
        e.add(
            "skus",
            "choose at least one session type the budget pays for",
        );
    }
    let input = BudgetRulesInput {
        period: form.period.clone(),
        leftover: form.leftover.clone(),
        cap_credits: form.cap_credits.clone(),
        cap_sessions: form.cap_sessions.clone(),
        skus,
        approval_hours: form.approval_hours.clone(),
    };
    let rules = match input.validate(balance(app, org).await?) {
        Ok(rules) if e.is_empty() => rules,
        Ok(_) => return Err(AppError::validation(e)),
        Err(more) => {
            for (field, message) in more.0 {
                e.add(&field, message);
            }
            return Err(AppError::validation(e));
        }
    };
    app.store.set_budget_rules(org, &rules, app.now()).await?;
    Ok(rules)
}

/// Asks for an invoice of `credits` to fund the budget (its admins); an operator marks it
/// paid when the money arrives.
pub async fn request_funding(
    app: &App,
    admin: &Account,
    org: OrgId,
    credits: &str,
    reference: &str,
) -> Result<FundingRecord, AppError> {
    administered(app, admin, org).await?;
    let mut e = FieldErrors::new();
    let credits = e.check(
        "credits",
        match credits.trim().parse::<Credits>() {
            Ok(n) if (1..=FUNDING_MAX).contains(&n) => Ok(n),
            _ => Err(format!("must be a whole number from 1 to {FUNDING_MAX}")),
        },
    );
    let reference = e.check("reference", validate::text(reference, 0, 100));
    let (Some(credits), Some(reference)) = (credits, reference) else {
        return Err(AppError::validation(e));
    };
    Ok(app
        .store
        .request_funding(org, credits, &reference, admin.id, app.now())
        .await?)
}

/// The budget's fundings, newest first (its admins).
pub async fn fundings(
    app: &App,
    admin: &Account,
    org: OrgId,
) -> Result<Vec<FundingRecord>, AppError> {
    administered(app, admin, org).await?;
    Ok(app.store.fundings(Some(org)).await?)
}

/// Every funding invoice not yet paid (operators).
pub async fn unpaid_fundings(app: &App, op: &Account) -> Result<Vec<FundingRecord>, AppError> {
    require(op, Role::Operator)?;
    Ok(app.store.fundings(None).await?)
}

/// Credits a funding invoice to its budget, once (operators). Twice is a conflict.
#[tracing::instrument(level = "debug", skip_all, fields(funding = id))]
pub async fn mark_paid(app: &App, op: &Account, id: i64) -> Result<FundingRecord, AppError> {
    require(op, Role::Operator)?;
    app.store
        .mark_funding_paid(id, app.now())
        .await
        .map_err(crate::error::missing("funding"))
}

/// The refusal of a payment by a budget, under the `paid_by` field.
pub fn refusal(r: PayRefusal) -> AppError {
    AppError::field(ErrorKind::Conflict, r.as_str(), "paid_by", r.message())
}

/// What paying `price` for a session of `sku` with `org`'s budget will count against, if the
/// budget may pay for it as things stand (the booking's write checks again, atomically).
/// Someone who does not belong to `org` hears they are not a member, whatever it is.
pub async fn charge_for(
    app: &App,
    mentee: &Account,
    org: OrgId,
    sku: SkuId,
    price: Credits,
) -> Result<BudgetCharge, AppError> {
    let member = app
        .store
        .memberships_of(mentee.id)
        .await?
        .iter()
        .any(|m| m.org == org && m.is_active());
    let rules = match app.store.org(org).await? {
        Some(o) if member => o.rules,
        _ => return Err(refusal(PayRefusal::NotAMember)),
    };
    let Some(rules) = rules else {
        return Err(refusal(PayRefusal::SkuNotAllowed));
    };
    let start = rules.period.start(app.now());
    let used = app.store.budget_usage(org, mentee.id, start).await?;
    may_pay(&rules, true, sku, price, used, balance(app, org).await?).map_err(refusal)?;
    Ok(BudgetCharge {
        org,
        period_start: start,
    })
}

/// A store refusal of a budget payment as the member hears it; other errors as they are.
pub fn store_refusal(e: StoreError) -> AppError {
    match &e {
        StoreError::Conflict {
            field: "paid_by",
            message,
        } => match PayRefusal::parse(message) {
            Some(r) => refusal(r),
            None => e.into(),
        },
        _ => e.into(),
    }
}

/// Closes every budget period that has ended where what is left expires (the hourly
/// `credits.expire` job): what each budget lost.
#[tracing::instrument(skip_all)]
pub async fn close_periods(app: &App) -> Result<Vec<(OrgId, Credits)>, AppError> {
    let now = app.now();
    let mut expired = Vec::new();
    for org in app.store.orgs().await? {
        let Some(rules) = org.rules else { continue };
        if rules.leftover != stint_domain::sponsor::Leftover::Expire {
            continue;
        }
        if let Some(left) = app
            .store
            .close_budget_period(org.id, rules.period.start(now), now)
            .await?
            && left > 0
        {
            tracing::info!(org = %org.id, credits = left, "budget leftover expired");
            expired.push((org.id, left));
        }
    }
    Ok(expired)
}
