//! The operators' refunds and corrections (`/operator/adjustments`): a form for each, re-shown
//! with its messages when refused, and the audit list of every one made, newest first. Each
//! form is one call of `stint_app::money::adjustments`.

use super::filters;
use super::operator::operator;
use super::render::{Chrome, OrPage, PageResult, failure, html, ok};
use crate::auth::PageUser;
use crate::auth::csrf::{CsrfForm, CsrfToken};
use crate::error::HttpStatus;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;
use stint_app::ErrorKind;
use stint_app::money::adjustments;
use stint_app::outcomes::when_for;
use stint_domain::FieldErrors;
use stint_domain::account::Account;
use stint_domain::ledger::format_money;

pub(crate) struct AuditRow {
    when: String,
    what: String,
    credits: String,
    incoming: bool,
    user: String,
    operator: String,
    reason: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RefundFields {
    purchase: String,
    refund_credits: String,
    refund_reason: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CorrectionFields {
    email: String,
    credits: String,
    reason: String,
}

#[derive(Template)]
#[template(path = "operator/adjustments.html")]
struct AdjustmentsPage {
    chrome: Chrome,
    rows: Vec<AuditRow>,
    refund: RefundFields,
    correction: CorrectionFields,
    errors: FieldErrors,
    notice: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NoticeParam {
    done: String,
}

async fn render(
    state: &AppState,
    me: &Account,
    csrf: &str,
    (refund, correction): (RefundFields, CorrectionFields),
    errors: FieldErrors,
    notice: &str,
) -> Result<AdjustmentsPage, axum::response::Response> {
    let rows = adjustments::audit(state, me)
        .await
        .or_page()?
        .into_iter()
        .map(|r| {
            let a = &r.adjustment;
            let what = match (&a.money, a.purchase) {
                (Some(m), Some(p)) => format!(
                    "Refund of STINT-{p} · {} back to the buyer {}",
                    format_money(m.minor, &m.currency),
                    money_back(a.provider.as_deref())
                ),
                _ => "Correction".to_string(),
            };
            AuditRow {
                when: when_for(me, a.at),
                what,
                credits: format!("{:+}", a.credits),
                incoming: a.credits > 0,
                user: r.user.clone(),
                operator: r.operator.clone(),
                reason: a.reason.clone(),
            }
        })
        .collect();
    Ok(AdjustmentsPage {
        chrome: Chrome::new(
            "Refunds and corrections · Operator · Stint",
            Some(me.clone()),
            csrf,
        ),
        rows,
        refund,
        correction,
        errors,
        notice: notice.to_string(),
    })
}

pub async fn page(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    Query(q): Query<NoticeParam>,
) -> PageResult {
    let me = operator(me)?;
    let notice = match q.done.as_str() {
        "refund" => "Refunded: the credits left the wallet. Send the money back by bank transfer.",
        "refund-card" => {
            "Refunded: the credits left the wallet, and the money goes back to the buyer's card through Stripe."
        }
        "correction" => "Corrected: the wallet shows it now.",
        _ => "",
    };
    let page = render(
        &state,
        &me,
        &csrf.0,
        Default::default(),
        FieldErrors::new(),
        notice,
    )
    .await?;
    Ok(ok(&page))
}

/// How a refund's money goes back, by the provider that took it.
fn money_back(provider: Option<&str>) -> &'static str {
    match provider {
        Some("stripe") => "on their card (Stripe)",
        Some("demo") => "(demo top-up: nothing to send)",
        _ => "by bank transfer",
    }
}

/// A whole number typed in a form, or its message.
fn whole(raw: &str, field: &str, errors: &mut FieldErrors) -> i64 {
    let raw = raw.trim().trim_start_matches("STINT-");
    raw.parse::<i64>().unwrap_or_else(|_| {
        errors.add(field, "must be a whole number");
        0
    })
}

pub async fn refund(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    CsrfForm(form): CsrfForm<RefundFields>,
) -> PageResult {
    let me = operator(me)?;
    let mut errors = FieldErrors::new();
    let purchase = whole(&form.purchase, "purchase", &mut errors);
    let credits = whole(&form.refund_credits, "refund_credits", &mut errors);
    let result = if errors.is_empty() {
        adjustments::refund(&state, &me, purchase, credits, &form.refund_reason).await
    } else {
        Err(stint_app::AppError::validation(errors))
    };
    match result {
        Ok(done) => {
            let done = match done.provider.as_deref() {
                Some("stripe") => "refund-card",
                _ => "refund",
            };
            Ok(Redirect::to(&format!("/operator/adjustments?done={done}")).into_response())
        }
        Err(e)
            if matches!(
                e.kind,
                ErrorKind::Invalid | ErrorKind::NotFound | ErrorKind::Conflict
            ) =>
        {
            let status = e.status();
            let mut fields = FieldErrors::new();
            for (field, message) in e.fields {
                let field = match field.as_str() {
                    "credits" => "refund_credits".to_string(),
                    "reason" => "refund_reason".to_string(),
                    _ => field,
                };
                fields.add(&field, message);
            }
            if fields.is_empty() {
                fields.add("purchase", e.message);
            }
            let page = render(&state, &me, &csrf.0, (form, Default::default()), fields, "").await?;
            Ok(html(status, &page))
        }
        Err(e) => Err(failure(e)),
    }
}

pub async fn correct(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    CsrfForm(form): CsrfForm<CorrectionFields>,
) -> PageResult {
    let me = operator(me)?;
    let mut errors = FieldErrors::new();
    let credits = whole(&form.credits, "credits", &mut errors);
    let result = if errors.is_empty() {
        adjustments::correct(&state, &me, &form.email, credits, &form.reason).await
    } else {
        Err(stint_app::AppError::validation(errors))
    };
    match result {
        Ok(_) => Ok(Redirect::to("/operator/adjustments?done=correction").into_response()),
        Err(e) if e.kind == ErrorKind::Invalid => {
            let page = render(
                &state,
                &me,
                &csrf.0,
                (Default::default(), form),
                FieldErrors(e.fields),
                "",
            )
            .await?;
            Ok(html(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(failure(e)),
    }
}
