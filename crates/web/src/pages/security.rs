//! The account's password and sign-ins (`/account/security`): change the password, the API
//! tokens with their last use and a revoke button each, sign out everywhere; and the pages
//! of a forgotten password (`/forgot-password`, `/reset-password`). Each form is one call of
//! `stint_app::auth::credentials`.

use super::account::Empty;
use super::filters;
use super::render::{Chrome, OrPage, PageResult, failure, html, ok, refusal};
use crate::api::credentials::RESET_SENT;
use crate::auth::csrf::{CsrfForm, CsrfToken};
use crate::auth::session::{self, SESSION_COOKIE};
use crate::auth::{MaybeUser, PageUser};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;
use stint_app::ErrorKind;
use stint_app::auth::credentials::{self as creds, Asking};
use stint_app::outcomes::when_for;
use stint_domain::FieldErrors;
use stint_domain::account::Account;

pub(crate) struct TokenRow {
    id: i64,
    label: String,
    created: String,
    last_used: String,
    expires: String,
}

#[derive(Template)]
#[template(path = "security.html")]
struct SecurityPage {
    chrome: Chrome,
    email: String,
    tokens: Vec<TokenRow>,
    errors: FieldErrors,
    notice: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NoticeParam {
    changed: String,
    revoked: String,
}

async fn security_page(
    state: &AppState,
    me: &Account,
    csrf: &str,
    errors: FieldErrors,
    notice: String,
) -> Result<SecurityPage, Response> {
    let tokens = creds::tokens(state, me)
        .await
        .or_page()?
        .into_iter()
        .map(|t| TokenRow {
            id: t.id,
            label: t.label,
            created: when_for(me, t.created_at),
            last_used: t
                .last_used_at
                .map_or_else(|| "never".to_string(), |at| when_for(me, at)),
            expires: when_for(me, t.expires_at),
        })
        .collect();
    Ok(SecurityPage {
        chrome: Chrome::new("Password and sign-ins · Stint", Some(me.clone()), csrf),
        email: me.email.to_string(),
        tokens,
        errors,
        notice,
    })
}

pub async fn page(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    Query(q): Query<NoticeParam>,
) -> PageResult {
    let notice = if !q.changed.is_empty() {
        "Your password is changed. Every other session and API token has ended.".to_string()
    } else if !q.revoked.is_empty() {
        "The token is revoked.".to_string()
    } else {
        String::new()
    };
    Ok(ok(&security_page(
        &state,
        &me,
        &csrf.0,
        FieldErrors::new(),
        notice,
    )
    .await?))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PasswordFields {
    current_password: String,
    new_password: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    jar: CookieJar,
    csrf: CsrfToken,
    CsrfForm(form): CsrfForm<PasswordFields>,
) -> PageResult {
    let secret = session::cookie_value(&state, &jar, SESSION_COOKIE).unwrap_or_default();
    let changed = creds::change_password(
        &state,
        &me,
        &form.current_password,
        &form.new_password,
        Asking::Session(secret),
    )
    .await;
    match changed {
        Ok(_) => Ok(Redirect::to("/account/security?changed=1").into_response()),
        Err(e) => {
            let (status, errors) = refusal(e, &me)?;
            let page = security_page(&state, &me, &csrf.0, errors, String::new()).await?;
            Ok(html(status, &page))
        }
    }
}

pub async fn revoke_token(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<Empty>,
) -> PageResult {
    creds::revoke_token(&state, &me, id).await.or_page()?;
    Ok(Redirect::to("/account/security?revoked=1").into_response())
}

pub async fn log_out_everywhere(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    jar: CookieJar,
    CsrfForm(_): CsrfForm<Empty>,
) -> PageResult {
    creds::log_out_everywhere(&state, &me).await.or_page()?;
    let jar = session::end(&state, jar).await.or_page()?;
    Ok((jar, Redirect::to("/login?signed_out=everywhere")).into_response())
}

// ---- a forgotten password -----------------------------------------------------------------

#[derive(Template)]
#[template(path = "forgot_password.html")]
struct ForgotPage {
    chrome: Chrome,
    email: String,
    errors: FieldErrors,
    sent: bool,
    message: &'static str,
}

fn forgot_page(
    viewer: Option<Account>,
    csrf: &str,
    email: String,
    errors: FieldErrors,
    sent: bool,
) -> ForgotPage {
    ForgotPage {
        chrome: Chrome::new("Forgot your password? · Stint", viewer, csrf),
        email,
        errors,
        sent,
        message: RESET_SENT,
    }
}

pub async fn forgot_form(MaybeUser(user): MaybeUser, csrf: CsrfToken) -> Response {
    ok(&forgot_page(
        user,
        &csrf.0,
        String::new(),
        FieldErrors::new(),
        false,
    ))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ForgotFields {
    email: String,
}

pub async fn forgot(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    csrf: CsrfToken,
    CsrfForm(form): CsrfForm<ForgotFields>,
) -> PageResult {
    match creds::request_password_reset(&state, &form.email).await {
        Ok(()) => Ok(ok(&forgot_page(
            user,
            &csrf.0,
            String::new(),
            FieldErrors::new(),
            true,
        ))),
        Err(e) if e.kind == ErrorKind::Invalid => {
            let page = forgot_page(user, &csrf.0, form.email, FieldErrors(e.fields), false);
            Ok(html(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(failure(e)),
    }
}

#[derive(Template)]
#[template(path = "reset_password.html")]
struct ResetPage {
    chrome: Chrome,
    token: String,
    errors: FieldErrors,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ResetFields {
    token: String,
    new_password: String,
}

pub async fn reset_form(
    MaybeUser(user): MaybeUser,
    csrf: CsrfToken,
    Query(q): Query<ResetFields>,
) -> Response {
    ok(&ResetPage {
        chrome: Chrome::new("Choose a new password · Stint", user, &csrf.0),
        token: q.token,
        errors: FieldErrors::new(),
    })
}

pub async fn reset(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    jar: CookieJar,
    csrf: CsrfToken,
    CsrfForm(form): CsrfForm<ResetFields>,
) -> PageResult {
    match creds::reset_password(&state, &form.token, &form.new_password).await {
        Ok(_) => {
            // Every session of the account ended, this browser's included.
            let jar = session::end(&state, jar).await.or_page()?;
            Ok((jar, Redirect::to("/login?reset=done")).into_response())
        }
        Err(e) if e.kind == ErrorKind::Invalid => {
            let page = ResetPage {
                chrome: Chrome::new("Choose a new password · Stint", user, &csrf.0),
                token: form.token,
                errors: FieldErrors(e.fields),
            };
            Ok(html(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(failure(e)),
    }
}
