//! The wallet (`/wallet`): the balance, the credits' lots with their expiry, packs to buy
//! (by invoice, or the demo top-up on demo servers) and every entry with the balance after
//! it. Each form is one call of `stint_app::money`.

use super::render::{Chrome, OrPage, PageResult, failure, failure_for, ok};
use crate::auth::PageUser;
use crate::auth::csrf::{CsrfForm, CsrfToken};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;
use stint_app::money::purchases::{self, Provider};
use stint_app::money::{packs, wallet};
use stint_app::outcomes::when_for;
use stint_domain::account::Account;
use stint_domain::ledger::{TransferKind, format_money};
use stint_store::money::PurchaseState;

pub(crate) struct PackRow {
    id: i64,
    name: String,
    credits: i64,
    price: String,
    validity: String,
}

pub(crate) struct LotRow {
    remaining: i64,
    credits: i64,
    expires: String,
}

/// The lots as the page lists them, first to expire first: lots that expire at the same
/// time (every correction and returned bonus is a lot of its own) are one line.
fn lot_rows(lots: &[stint_store::money::LotRecord], me: &Account) -> Vec<LotRow> {
    let mut rows: Vec<LotRow> = Vec::new();
    for l in lots {
        let expires = l
            .expires_at
            .map_or("never".to_string(), |t| when_for(me, t));
        match rows.last_mut() {
            Some(last) if last.expires == expires => {
                last.remaining += l.remaining;
                last.credits += l.credits;
            }
            _ => rows.push(LotRow {
                remaining: l.remaining,
                credits: l.credits,
                expires,
            }),
        }
    }
    rows
}

pub(crate) struct EntryRow {
    when: String,
    what: &'static str,
    /// The session an entry is about (`/sessions/17`); empty for none.
    session: String,
    amount: String,
    incoming: bool,
    balance: i64,
}

pub(crate) struct PurchaseRow {
    id: i64,
    when: String,
    pack: String,
    price: String,
    state: &'static str,
    pending: bool,
    instructions: String,
}

#[derive(Template)]
#[template(path = "wallet.html")]
struct WalletPage {
    chrome: Chrome,
    balance: i64,
    lots: Vec<LotRow>,
    packs: Vec<PackRow>,
    /// Card payments on Stripe are offered.
    card: bool,
    demo: bool,
    entries: Vec<EntryRow>,
    /// The link to older entries; empty on the last page.
    older: String,
    /// Showing an older page (a link back to the newest).
    paged: bool,
    purchases: Vec<PurchaseRow>,
    notice: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NoticeParam {
    bought: String,
    /// Entries older than this one (the history's next page).
    before: String,
}

/// How long a pack's credits last, in words.
pub(crate) fn validity(months: Option<u32>) -> String {
    months.map_or("never expire".to_string(), |m| {
        format!("valid {m} month{}", if m == 1 { "" } else { "s" })
    })
}

/// What an entry was, in words.
fn what(kind: TransferKind) -> &'static str {
    match kind {
        TransferKind::Purchase => "Credits bought",
        TransferKind::Hold => "Held for a session",
        TransferKind::Release => "Hold released",
        TransferKind::Settle => "Session paid",
        TransferKind::Fee => "Platform fee",
        TransferKind::Forfeit => "Late cancel or missed session",
        TransferKind::BonusEscrow => "Outcome bonus set aside",
        TransferKind::BonusPaid => "Outcome bonus paid",
        TransferKind::BonusReturned => "Outcome bonus returned",
        TransferKind::Expiry => "Credits expired",
        TransferKind::Refund => "Refund",
        TransferKind::Correction => "Correction",
        TransferKind::Payout => "Payout",
    }
}

fn state_word(state: PurchaseState) -> &'static str {
    match state {
        PurchaseState::Pending => "Waiting for payment",
        PurchaseState::Paid => "Paid",
        PurchaseState::Cancelled => "Cancelled",
    }
}

pub async fn page(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    Query(q): Query<NoticeParam>,
) -> PageResult {
    // Anything but an entry id shows the newest entries.
    let before = q.before.parse::<i64>().ok();
    let w = wallet::mine(&state, &me, before).await.or_page()?;
    let on_sale = packs::on_sale(&state).await.or_page()?;
    let offered = purchases::offered(&state);
    let notice = match q.bought.as_str() {
        "invoice" => {
            "Your invoice is below. The credits arrive as soon as the payment is confirmed."
        }
        "credited" => "The credits are in your wallet.",
        "card" => {
            "Thank you. Your credits appear here as soon as Stripe confirms the payment, \
             usually within seconds; the receipt follows by e-mail."
        }
        _ => "",
    };
    let page = WalletPage {
        chrome: Chrome::new("Wallet · Stint", Some(me.clone()), &csrf.0),
        balance: w.balance,
        lots: lot_rows(&w.lots, &me),
        packs: on_sale
            .iter()
            .map(|p| PackRow {
                id: p.id,
                name: p.pack.name.clone(),
                credits: p.pack.credits,
                price: format_money(p.pack.price_minor, &p.pack.currency),
                validity: validity(p.pack.months_valid),
            })
            .collect(),
        card: offered.contains(&Provider::Stripe),
        demo: offered.contains(&Provider::Demo),
        paged: before.is_some(),
        older: w.older.map_or(String::new(), |id| {
            format!("/wallet?before={id}#history-title")
        }),
        entries: w
            .entries
            .iter()
            .map(|e| EntryRow {
                when: when_for(&me, e.at),
                what: what(e.kind),
                session: e
                    .reference
                    .strip_prefix("booking:")
                    .filter(|id| id.parse::<i64>().is_ok())
                    .map_or(String::new(), |id| format!("/sessions/{id}")),
                amount: format!("{:+}", e.amount),
                incoming: e.amount > 0,
                balance: e.balance,
            })
            .collect(),
        purchases: w
            .purchases
            .iter()
            .map(|p| PurchaseRow {
                id: p.id,
                when: when_for(&me, p.created_at),
                pack: format!("{} · {} credits", p.pack_name, p.credits),
                price: format_money(p.price_minor, &p.currency),
                state: if p.provider == "demo" {
                    "Demo top-up, no payment"
                } else if p.provider == "stripe" && p.state == PurchaseState::Pending {
                    "Card payment not completed"
                } else {
                    state_word(p.state)
                },
                pending: p.state == PurchaseState::Pending && p.provider == "manual",
                instructions: purchases::invoice_instructions(p),
            })
            .collect(),
        notice: notice.to_string(),
    };
    Ok(ok(&page))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct BuyFields {
    pack_id: String,
    provider: String,
}

pub async fn buy(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    CsrfForm(form): CsrfForm<BuyFields>,
) -> PageResult {
    let provider = Provider::parse(&form.provider).unwrap_or(Provider::Manual);
    let pack_id = form.pack_id.trim().parse::<i64>().unwrap_or(0);
    let bought = purchases::buy(&state, &me, pack_id, provider)
        .await
        .map_err(failure)?;
    if let Some(pay_at) = bought.pay_at {
        return Ok(Redirect::to(&pay_at).into_response());
    }
    let notice = if bought.purchase.state == PurchaseState::Paid {
        "credited"
    } else {
        "invoice"
    };
    Ok(Redirect::to(&format!("/wallet?bought={notice}")).into_response())
}

#[derive(Template)]
#[template(path = "receipt.html")]
struct ReceiptPage {
    chrome: Chrome,
    number: String,
    lines: Vec<(String, String)>,
    buyer: String,
}

/// A paid purchase's receipt (its buyer, or an operator); printable.
pub async fn receipt(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    Path(id): Path<String>,
) -> PageResult {
    let Ok(id) = id.parse::<i64>() else {
        return Ok(super::render::not_found_page(Some(me)));
    };
    let p = purchases::one(&state, &me, id)
        .await
        .map_err(|e| failure_for(e, Some(me.clone())))?;
    if p.state != PurchaseState::Paid {
        return Ok(super::render::not_found_page(Some(me)));
    }
    let buyer = if p.user == me.id {
        format!("{} <{}>", me.display_name, me.email)
    } else {
        purchases::buyer_of(&state, &me, &p)
            .await
            .map_err(|e| failure_for(e, Some(me.clone())))?
    };
    Ok(ok(&ReceiptPage {
        chrome: Chrome::new(format!("Receipt STINT-{} · Stint", p.id), Some(me), &csrf.0),
        number: format!("STINT-{}", p.id),
        lines: purchases::receipt_lines(&p),
        buyer,
    }))
}
