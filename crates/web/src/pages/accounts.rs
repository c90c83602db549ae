//! Operators' accounts page (`/operator/accounts`): the accounts a page at a time with the
//! total, and each role granted or revoked by one button (`stint_app::accounts`).

use super::operator::operator;
use super::render::{Chrome, OrPage, PageResult, failure_for, ok};
use crate::auth::PageUser;
use crate::auth::csrf::{CsrfForm, CsrfToken};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;
use stint_domain::account::Account;
use stint_domain::ids::UserId;
use stint_domain::role::Role;

#[derive(Template)]
#[template(path = "operator/accounts.html")]
struct AccountsPage {
    chrome: Chrome,
    accounts: Vec<Account>,
    roles: Vec<Role>,
    /// How many accounts there are in all.
    total: u64,
    /// The next page's link; empty on the last.
    next: String,
    /// Showing a later page (a link back to the first).
    paged: bool,
}

impl AccountsPage {
    fn is_mentor(&self, a: &Account) -> bool {
        a.has(Role::Mentor)
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AccountsParams {
    /// The page after this account id.
    after: String,
}

pub async fn accounts(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    Query(q): Query<AccountsParams>,
) -> PageResult {
    let me = operator(me)?;
    let after = q.after.parse::<i64>().ok();
    let (accounts, next) = stint_app::accounts::page(&state, &me, after, None)
        .await
        .or_page()?;
    let total = stint_app::accounts::count(&state, &me).await.or_page()?;
    Ok(ok(&AccountsPage {
        chrome: Chrome::new("Accounts · Stint", Some(me), &csrf.0),
        accounts,
        roles: Role::ALL.to_vec(),
        total,
        next: next.map_or(String::new(), |id| format!("/operator/accounts?after={id}")),
        paged: after.is_some(),
    }))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RoleFields {
    role: String,
    /// `grant` or `revoke`.
    action: String,
}

pub async fn change_role(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(id): Path<i64>,
    CsrfForm(form): CsrfForm<RoleFields>,
) -> PageResult {
    let me = operator(me)?;
    let Some(role) = Role::parse(&form.role) else {
        return Ok(super::render::error_page(
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(me),
            "Unknown role",
            "Choose one of the listed roles.",
        ));
    };
    let changed = match form.action.as_str() {
        "grant" => stint_app::accounts::grant_role(&state, &me, UserId(id), role).await,
        "revoke" => stint_app::accounts::revoke_role(&state, &me, UserId(id), role).await,
        _ => {
            return Ok(super::render::error_page(
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(me),
                "Unknown action",
                "Grant or revoke.",
            ));
        }
    };
    changed.map_err(|e| failure_for(e, Some(me.clone())))?;
    Ok(Redirect::to("/operator/accounts").into_response())
}
