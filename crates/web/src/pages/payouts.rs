//! A mentor's earnings page (`/earnings`) and the operators' payouts (`/operator/payouts`):
//! who is owed what, a button that pays everyone, and each run's CSV. Each form is one call of
//! `stint_app::money`.

use super::operator::operator;
use super::render::{Chrome, OrPage, PageResult, failure, ok};
use crate::auth::PageUser;
use crate::auth::csrf::{CsrfForm, CsrfToken};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;
use stint_app::money::{earnings, payouts};
use stint_app::outcomes::when_for;

pub(crate) struct MonthRow {
    month: String,
    sessions: i64,
    settled: i64,
    forfeits: i64,
    bonuses: i64,
    fees: i64,
    earned: i64,
    paid_out: i64,
}

#[derive(Template)]
#[template(path = "earnings.html")]
struct EarningsPage {
    chrome: Chrome,
    owed: i64,
    months: Vec<MonthRow>,
}

/// Calendar month `2026-12` as "December 2026".
fn month_words(key: &str) -> String {
    format!("{key}-01")
        .parse::<jiff::civil::Date>()
        .map_or(key.to_string(), |d| d.strftime("%B %Y").to_string())
}

pub async fn earnings_page(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
) -> PageResult {
    let e = earnings::mine(&state, &me).await.or_page()?;
    Ok(ok(&EarningsPage {
        chrome: Chrome::new("Earnings · Stint", Some(me), &csrf.0),
        owed: e.owed,
        months: e
            .months
            .iter()
            .map(|m| MonthRow {
                month: month_words(&m.month),
                sessions: m.sessions,
                settled: m.settled,
                forfeits: m.forfeits,
                bonuses: m.bonuses,
                fees: m.fees,
                earned: m.earned(),
                paid_out: m.paid_out,
            })
            .collect(),
    }))
}

pub(crate) struct OwedRow {
    name: String,
    email: String,
    credits: i64,
}

pub(crate) struct RunRow {
    id: i64,
    when: String,
    total: i64,
    payouts: i64,
}

#[derive(Template)]
#[template(path = "operator/payouts.html")]
struct PayoutsPage {
    chrome: Chrome,
    owed: Vec<OwedRow>,
    total: i64,
    runs: Vec<RunRow>,
    notice: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NoticeParam {
    paid: String,
}

pub async fn payouts_page(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    Query(q): Query<NoticeParam>,
) -> PageResult {
    let me = operator(me)?;
    let owed = payouts::owed(&state, &me).await.or_page()?;
    let runs = payouts::runs(&state, &me).await.or_page()?;
    let notice = if q.paid.is_empty() {
        String::new()
    } else {
        format!(
            "Payout run {} recorded. Download its CSV below for the bank transfers.",
            q.paid
        )
    };
    Ok(ok(&PayoutsPage {
        chrome: Chrome::new("Payouts · Operator · Stint", Some(me.clone()), &csrf.0),
        total: owed.iter().map(|o| o.credits).sum(),
        owed: owed
            .into_iter()
            .map(|o| OwedRow {
                name: o.mentor.display_name,
                email: o.mentor.email,
                credits: o.credits,
            })
            .collect(),
        runs: runs
            .iter()
            .map(|r| RunRow {
                id: r.id,
                when: when_for(&me, r.at),
                total: r.total,
                payouts: r.payouts,
            })
            .collect(),
        notice,
    }))
}

#[derive(Debug, Default, Deserialize)]
pub struct RunFields {}

/// Pays every mentor what they are owed now.
pub async fn run(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    CsrfForm(_): CsrfForm<RunFields>,
) -> PageResult {
    let me = operator(me)?;
    let run = payouts::run(&state, &me, None).await.map_err(failure)?;
    Ok(Redirect::to(&format!("/operator/payouts?paid={}", run.id)).into_response())
}

/// A run's CSV.
pub async fn run_csv(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(id): Path<i64>,
) -> PageResult {
    let me = operator(me)?;
    let body = payouts::csv(&state, &me, id).await.map_err(failure)?;
    Ok(crate::download::csv(
        &format!("stint-payouts-{id}.csv"),
        body,
    ))
}
