//! Signing up: the form, "check your mail" (the same for every address), and the page the
//! mailed link opens, whose button makes the account and logs it in. A button, not the link
//! itself, makes it, so a mail scanner that opens links cannot use the link up. A visitor who
//! chose a time before signing up comes back to it: the page names it, and a short-lived
//! cookie (`AFTER_SIGNUP`) takes them there once the account is made in the same browser.

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
    /// Where to go once the account is made (a path on this site).
    next: String,
}

/// Where the browser goes once its sign-up is confirmed: set with the sign-up, for a day.
const AFTER_SIGNUP: &str = "after_signup";

#[derive(Template)]
#[template(path = "signup.html")]
struct SignupPage {
    chrome: Chrome,
    /// The time a visitor chose before signing up, in words.
    booking: Option<String>,
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

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NextParam {
    next: String,
}

pub async fn signup_form(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    csrf: CsrfToken,
    Query(q): Query<NextParam>,
) -> Response {
    if user.is_some() {
        return Redirect::to("/dashboard").into_response();
    }
    // Empty until the browser's zone is detected (with JavaScript) or typed: never a silent
    // guess.
    let form = SignupFields {
        next: q.next,
        ..Default::default()
    };
    ok(&SignupPage {
        chrome: Chrome::new(TITLE, None, &csrf.0),
        booking: super::picker::chosen_time(&state, &form.next).await,
        form,
        errors: FieldErrors::new(),
        zones: zones(),
        sent: false,
    })
}

pub async fn signup(
    State(state): State<AppState>,
    jar: CookieJar,
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
    let booking = super::picker::chosen_time(&state, &form.next).await;
    let next = super::account::safe_next(&form.next);
    let came_to_book = booking.is_some();
    let form = SignupFields {
        password: String::new(),
        ..form
    };
    let page = |errors: FieldErrors, sent: bool| SignupPage {
        chrome: Chrome::new(TITLE, None, &csrf.0),
        booking,
        form,
        errors,
        zones: zones(),
        sent,
    };
    match result {
        Ok(()) if came_to_book => {
            let jar = jar.add(session::cookie(&state, AFTER_SIGNUP, next, 24 * 60 * 60));
            Ok((jar, ok(&page(FieldErrors::new(), true))).into_response())
        }
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
            // Back to the time chosen before signing up, in this browser.
            let after = session::cookie_value(&state, &jar, AFTER_SIGNUP)
                .map(super::account::safe_next)
                .unwrap_or_else(|| "/dashboard?welcome=1".into());
            let jar = jar.remove(session::cookie(&state, AFTER_SIGNUP, String::new(), 0));
            let jar = session::start(&state, jar, account.id).await.or_page()?;
            Ok((jar, Redirect::to(&after)).into_response())
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
