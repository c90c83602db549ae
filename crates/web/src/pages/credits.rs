//! The operators' credits page (`/operator/credits`): invoices waiting for their money, each
//! marked paid with the bank's reference, and the credit packs with a form to add one and a
//! button to take one off sale or put it back. Each form is one call of `stint_app::money`.

use super::filters;
use super::operator::operator;
use super::render::{Chrome, OrPage, PageResult, failure, html, ok};
use crate::auth::PageUser;
use crate::auth::csrf::{CsrfForm, CsrfToken};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;
use stint_app::ErrorKind;
use stint_app::money::{packs, purchases};
use stint_app::outcomes::when_for;
use stint_domain::FieldErrors;
use stint_domain::account::Account;
use stint_domain::ledger::{PackInput, format_money};

pub(crate) struct InvoiceRow {
    id: i64,
    who: String,
    what: String,
    price: String,
    when: String,
}

pub(crate) struct PackRow {
    id: i64,
    name: String,
    terms: String,
    active: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PackFields {
    name: String,
    credits: String,
    price: String,
    currency: String,
    months_valid: String,
}

#[derive(Template)]
#[template(path = "operator/credits.html")]
struct CreditsPage {
    chrome: Chrome,
    invoices: Vec<InvoiceRow>,
    packs: Vec<PackRow>,
    form: PackFields,
    errors: FieldErrors,
    notice: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NoticeParam {
    done: String,
}

async fn credits_page(
    state: &AppState,
    me: &Account,
    csrf: &str,
    form: PackFields,
    errors: FieldErrors,
    notice: &str,
) -> Result<CreditsPage, axum::response::Response> {
    let invoices = purchases::pending_with_buyers(state, me)
        .await
        .or_page()?
        .into_iter()
        .map(|(p, who)| InvoiceRow {
            id: p.id,
            who,
            what: format!("{} · {} credits", p.pack_name, p.credits),
            price: format_money(p.price_minor, &p.currency),
            when: when_for(me, p.created_at),
        })
        .collect();
    let all = packs::all(state, me).await.or_page()?;
    Ok(CreditsPage {
        chrome: Chrome::new("Credits · Operator · Stint", Some(me.clone()), csrf),
        invoices,
        packs: all
            .iter()
            .map(|p| PackRow {
                id: p.id,
                name: p.pack.name.clone(),
                terms: format!(
                    "{} credits · {} · {}",
                    p.pack.credits,
                    format_money(p.pack.price_minor, &p.pack.currency),
                    super::wallet::validity(p.pack.months_valid)
                ),
                active: p.pack.active,
            })
            .collect(),
        form,
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
        "paid" => "Marked paid: the credits are in the buyer's wallet.",
        "pack" => "The pack is saved.",
        _ => "",
    };
    let form = PackFields {
        currency: "EUR".into(),
        months_valid: "12".into(),
        ..Default::default()
    };
    let page = credits_page(&state, &me, &csrf.0, form, FieldErrors::new(), notice).await?;
    Ok(ok(&page))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PaidFields {
    reference: String,
}

pub async fn mark_paid(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<PaidFields>,
) -> PageResult {
    let me = operator(me)?;
    purchases::mark_paid(&state, &me, id, &form.reference)
        .await
        .map_err(failure)?;
    Ok(Redirect::to("/operator/credits?done=paid").into_response())
}

/// A price typed as people write it ("135", "135.5", "135.50") in minor units.
fn minor_units(raw: &str) -> Option<i64> {
    let raw = raw.trim();
    let (whole, cents) = raw.split_once('.').unwrap_or((raw, ""));
    if whole.is_empty() || cents.len() > 2 || !whole.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    if !cents.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let cents: i64 = format!("{cents:0<2}").parse().ok()?;
    whole.checked_mul(100)?.checked_add(cents)
}

pub async fn create_pack(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    CsrfForm(form): CsrfForm<PackFields>,
) -> PageResult {
    let me = operator(me)?;
    let mut errors = FieldErrors::new();
    let credits = form.credits.trim().parse::<i64>().unwrap_or(0);
    let price_minor = minor_units(&form.price);
    if price_minor.is_none() {
        errors.add("price", "must be an amount like 135 or 135.50");
    }
    let months_valid = match form.months_valid.trim() {
        "" => None,
        m => Some(m.parse::<i64>().unwrap_or(0)),
    };
    let input = PackInput {
        name: form.name.clone(),
        credits,
        price_minor: price_minor.unwrap_or(0),
        currency: form.currency.clone(),
        months_valid,
        active: true,
    };
    // Every field's message at once: the price's own, and the pack's rules for the rest.
    if let Err(rules) = input.validate() {
        for (field, message) in rules.0 {
            if field != "price_minor" || errors.get("price").is_none() {
                errors.add(&field, message);
            }
        }
    }
    let result = if errors.is_empty() {
        packs::create(&state, &me, input).await
    } else {
        Err(stint_app::AppError::validation(errors))
    };
    match result {
        Ok(_) => Ok(Redirect::to("/operator/credits?done=pack").into_response()),
        Err(e) if e.kind == ErrorKind::Invalid => {
            let mut fields = FieldErrors(e.fields);
            // The page asks for the price as an amount, not in minor units.
            if let Some(m) = fields.0.remove("price_minor") {
                fields.add(
                    "price",
                    m.replace("in cents or the currency's minor unit", "as an amount"),
                );
            }
            let page = credits_page(&state, &me, &csrf.0, form, fields, "").await?;
            Ok(html(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(failure(e)),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ActiveFields {
    active: String,
}

/// Takes a pack off sale or puts it back.
pub async fn set_active(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<ActiveFields>,
) -> PageResult {
    let me = operator(me)?;
    packs::set_active(&state, &me, id, form.active == "1")
        .await
        .map_err(failure)?;
    Ok(Redirect::to("/operator/credits?done=pack").into_response())
}

#[cfg(test)]
mod tests {
    use super::minor_units;

    #[test]
    fn prices_are_read_as_people_type_them() {
        assert_eq!(minor_units("135"), Some(13_500));
        assert_eq!(minor_units("135.5"), Some(13_550));
        assert_eq!(minor_units(" 0.05 "), Some(5));
        for bad in ["", "-3", "1.234", "12,50", "abc", ".5"] {
            assert_eq!(minor_units(bad), None, "{bad}");
        }
    }
}
