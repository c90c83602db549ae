//! Signing up: the form, "check your mail" (the same for every address), and the page the
//! mailed link opens, whose button makes the account and logs it in. A button, not the link
//! itself, makes it, so a mail scanner that opens links cannot use the link up.

use super::filters;
use super::render::{Chrome, OrPage, PageResult, failure, html, ok};
use crate::auth::csrf::{CsrfForm, CsrfToken};
use crate::auth::{MaybeUser, session};
use crate::extract::ClientAddr;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;
use stint_app::ErrorKind;
use stint_app::auth::signup;
use stint_domain::FieldErrors;
use stint_domain::account::SignupInput;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SignupFields {
    email: String,
    display_name: String,
    password: String,
    timezone: String,
}

#[derive(Template)]
#[template(path = "signup.html")]
struct SignupPage {
    chrome: Chrome,
    form: SignupFields,
    errors: FieldErrors,
    zones: Vec<String>,
    /// The sign-up was taken: the page says to check the mail.
    sent: bool,
}

const TITLE: &str = "Create your account · Stint";

pub(crate) fn zones() -> Vec<String> {
    let mut all: Vec<String> = jiff::tz::db()
        .available()
        .map(|n| n.to_string())
        .filter(|n| n.contains('/'))
        .collect();
    all.sort();
    all
}

pub async fn signup_form(MaybeUser(user): MaybeUser, csrf: CsrfToken) -> Response {
    if user.is_some() {
        return Redirect::to("/dashboard").into_response();
    }
    let form = SignupFields {
        timezone: "UTC".into(),
        ..Default::default()
    };
    ok(&SignupPage {
        chrome: Chrome::new(TITLE, None, &csrf.0),
        form,
        errors: FieldErrors::new(),
        zones: zones(),
        sent: false,
    })
}

pub async fn signup(
    State(state): State<AppState>,
    csrf: CsrfToken,
    ClientAddr(addr): ClientAddr,
    CsrfForm(form): CsrfForm<SignupFields>,
) -> PageResult {
    let input = SignupInput {
        email: form.email.clone(),
        password: form.password.clone(),
        display_name: form.display_name.clone(),
        timezone: form.timezone.clone(),
    };
    let result = signup::sign_up(&state, input, &addr).await;
    let form = SignupFields {
        password: String::new(),
        ..form
    };
    let page = |errors: FieldErrors, sent: bool| SignupPage {
        chrome: Chrome::new(TITLE, None, &csrf.0),
        form,
        errors,
        zones: zones(),
        sent,
    };
    match result {
        Ok(()) => Ok(ok(&page(FieldErrors::new(), true))),
        Err(e) if e.kind == ErrorKind::Invalid => Ok(html(
            StatusCode::UNPROCESSABLE_ENTITY,
            &page(FieldErrors(e.fields), false),
        )),
        Err(e) => Err(failure(e)),
    }
}

#[derive(Template)]
#[template(path = "signup_confirm.html")]
struct ConfirmPage {
    chrome: Chrome,
    token: String,
    /// The link does not work (any more), or its address has an account.
    errors: FieldErrors,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ConfirmFields {
    token: String,
}

fn confirm_page(csrf: &str, token: String, errors: FieldErrors) -> ConfirmPage {
    ConfirmPage {
        chrome: Chrome::new("Finish creating your account · Stint", None, csrf),
        token,
        errors,
    }
}

/// The page the mailed link opens: one button, or why the link no longer works.
pub async fn confirm_form(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    csrf: CsrfToken,
    Query(q): Query<ConfirmFields>,
) -> PageResult {
    if user.is_some() {
        return Ok(Redirect::to("/dashboard").into_response());
    }
    let errors = if signup::signup_link_open(&state, &q.token)
        .await
        .map_err(failure)?
    {
        FieldErrors::new()
    } else {
        FieldErrors::single(
            "token",
            "This link has expired or was already used. Sign up again to get a new one.",
        )
    };
    Ok(ok(&confirm_page(&csrf.0, q.token, errors)))
}

pub async fn confirm(
    State(state): State<AppState>,
    jar: CookieJar,
    csrf: CsrfToken,
    CsrfForm(form): CsrfForm<ConfirmFields>,
) -> PageResult {
    match signup::confirm_sign_up(&state, &form.token).await {
        Ok(account) => {
            let jar = session::start(&state, jar, account.id).await.or_page()?;
            Ok((jar, Redirect::to("/dashboard?welcome=1")).into_response())
        }
        Err(e) if matches!(e.kind, ErrorKind::Invalid | ErrorKind::Conflict) => {
            let status = if e.kind == ErrorKind::Conflict {
                StatusCode::CONFLICT
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            Ok(html(
                status,
                &confirm_page(&csrf.0, form.token, FieldErrors(e.fields)),
            ))
        }
        Err(e) => Err(failure(e)),
    }
}
