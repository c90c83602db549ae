//! Turning templates and failures into HTML responses.

use crate::error::HttpStatus;
use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use stint_app::{AppError, ErrorKind};
use stint_domain::FieldErrors;
use stint_domain::account::Account;
use stint_domain::role::Role;

/// What every page's frame needs: who is logged in (for the navigation) and the CSRF
/// token for the log-out button.
#[derive(Debug, Clone)]
pub struct Chrome {
    pub title: String,
    pub user: Option<Account>,
    pub csrf: String,
    /// The logged-in viewer's unread inbox items, for the navigation's badge.
    pub unread: u64,
    /// The request's path, for the navigation's current page.
    pub path: String,
}

impl Chrome {
    /// Whether the navigation's link to `href` is the section this page is in: the catalog
    /// for `/` and the session types' pages, else the link's path and what lies under it.
    pub fn current(&self, href: &str) -> bool {
        let p = self.path.as_str();
        if href == "/" {
            return p == "/" || p.starts_with("/skus/");
        }
        p == href
            || p.strip_prefix(href)
                .is_some_and(|rest| rest.starts_with('/'))
    }

    pub fn new(title: impl Into<String>, user: Option<Account>, csrf: &str) -> Self {
        // Error pages are rendered away from the handler; they take the request's token.
        let csrf = if csrf.is_empty() {
            crate::auth::csrf::current_token()
        } else {
            csrf.to_string()
        };
        // Counted once per page request (see `unread.rs`); a visitor has no inbox.
        let unread = if user.is_some() {
            super::unread::current()
        } else {
            0
        };
        Chrome {
            title: title.into(),
            path: super::unread::path(),
            user,
            csrf,
            unread,
        }
    }

    pub fn is_operator(&self) -> bool {
        self.user.as_ref().is_some_and(|u| u.has(Role::Operator))
    }

    pub fn is_mentee(&self) -> bool {
        self.user.as_ref().is_some_and(|u| u.has(Role::Mentee))
    }

    pub fn is_mentor(&self) -> bool {
        self.user.as_ref().is_some_and(|u| u.has(Role::Mentor))
    }

    pub fn is_sponsor(&self) -> bool {
        self.user
            .as_ref()
            .is_some_and(|u| u.has(Role::SponsorAdmin))
    }
}

/// Renders a template, or a plain error page if the template itself fails.
pub fn html<T: Template>(status: StatusCode, t: &T) -> Response {
    match t.render() {
        Ok(body) => (status, Html(body)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed to render");
            (StatusCode::INTERNAL_SERVER_ERROR, Html(FALLBACK)).into_response()
        }
    }
}

pub fn ok<T: Template>(t: &T) -> Response {
    html(StatusCode::OK, t)
}

const FALLBACK: &str = "<!doctype html><html lang=en><title>Error · Stint</title>\
    <main><h1>Something went wrong</h1><p>Please try again in a moment.</p></main></html>";

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub chrome: Chrome,
    pub heading: String,
    pub message: String,
    /// The request's id, shown small so a user can quote it to support.
    pub reference: String,
}

pub fn error_page(
    status: StatusCode,
    user: Option<Account>,
    heading: &str,
    message: &str,
) -> Response {
    let page = ErrorPage {
        chrome: Chrome::new(format!("{heading} · Stint"), user, ""),
        heading: heading.to_string(),
        message: message.to_string(),
        reference: crate::observe::request_id::current(),
    };
    html(status, &page)
}

pub fn not_found_page(user: Option<Account>) -> Response {
    error_page(
        StatusCode::NOT_FOUND,
        user,
        "Page not found",
        "There is nothing at this address. The catalog is a good place to start.",
    )
}

pub fn forbidden_page(user: Option<Account>) -> Response {
    error_page(
        StatusCode::FORBIDDEN,
        user,
        "Not for your account",
        "Your account does not have access to this page.",
    )
}

/// The answer to a form whose CSRF token did not match: nothing was changed.
pub fn forbidden_form(user: Option<Account>) -> Response {
    error_page(
        StatusCode::FORBIDDEN,
        user,
        "This form has expired",
        "For your security nothing was changed. Go back, reload the page and submit again.",
    )
}

/// A failure of a page handler: already a response.
pub type PageResult = Result<Response, Response>;

/// A form's refused input: the page `reshow` builds with the field messages (and what was
/// typed), as 422, or 409 for a conflict that names a field; any other failure is its error
/// page.
pub async fn refused_form<T, F, Fut>(e: AppError, reshow: F) -> PageResult
where
    T: Template,
    F: FnOnce(FieldErrors) -> Fut,
    Fut: std::future::Future<Output = Result<T, Response>>,
{
    let status = match e.kind {
        ErrorKind::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
        ErrorKind::Conflict if !e.fields.is_empty() => StatusCode::CONFLICT,
        _ => return Err(failure(e)),
    };
    let page = reshow(FieldErrors(e.fields)).await?;
    Ok(html(status, &page))
}

/// Lets `?` turn a failed use case into its page.
pub trait OrPage<T> {
    fn or_page(self) -> Result<T, Response>;
}

impl<T> OrPage<T> for Result<T, AppError> {
    fn or_page(self) -> Result<T, Response> {
        self.map_err(failure)
    }
}

/// The one mapping of an application error to a page: what happened and what to do,
/// with the status the API would give. Forms that can be corrected do not come here: they
/// re-show themselves with the error's field messages (see `forms.rs`).
pub fn failure(e: AppError) -> Response {
    failure_for(e, None)
}

/// As [`failure`], with the viewer in the page's frame.
pub fn failure_for(e: AppError, viewer: Option<Account>) -> Response {
    let status = e.status();
    let retry_after = e.retry_after_secs;
    let (heading, advice) = match e.kind {
        ErrorKind::NotFound => (
            "Page not found",
            "It may have been removed, or it belongs to another account. Your sessions and \
             the catalog are good places to continue.",
        ),
        ErrorKind::Forbidden => (
            "Not for your account",
            "Your account does not have access to this. Log in with another account if you \
             have one.",
        ),
        ErrorKind::Conflict => (
            "That could not be done",
            "Nothing was changed. Go back and reload the page to see how things stand now.",
        ),
        ErrorKind::Invalid => ("That did not work", "Go back, correct it and try again."),
        ErrorKind::Unauthenticated => ("Please log in", "Log in and try again."),
        ErrorKind::PaymentRequired => (
            "Not enough credits",
            "Nothing was booked. Buy credits in your wallet, then book again.",
        ),
        ErrorKind::RateLimited => ("Too many attempts", "Wait a few minutes and try again."),
        ErrorKind::Unavailable => (
            "Not available right now",
            "A part this needs is not set up or not reachable. Try again later.",
        ),
        ErrorKind::Internal => (
            "Something went wrong",
            "It was logged on our side. Please try again in a moment.",
        ),
    };
    let message = if e.kind == ErrorKind::Internal {
        advice.to_string()
    } else if e.kind == ErrorKind::Invalid && !e.fields.is_empty() {
        let said: Vec<String> = e
            .fields
            .iter()
            .map(|(field, m)| sentence(&format!("{} {m}", field.replace('_', " "))))
            .collect();
        format!("{} {advice}", said.join(" "))
    } else {
        format!("{} {advice}", sentence(&e.message))
    };
    let mut page = error_page(status, viewer, heading, &message);
    if let Some(secs) = retry_after {
        page.headers_mut()
            .insert(axum::http::header::RETRY_AFTER, secs.into());
    }
    page
}

/// A refused use case as messages for the form that asked, with the status to answer
/// with: invalid input and conflicts (a taken time, a passed cut-off) are re-shown in the
/// form, its input kept; anything else (not found, not allowed, a fault) is a page of its own.
pub fn refusal(e: AppError, viewer: &Account) -> Result<(StatusCode, FieldErrors), Response> {
    if !matches!(e.kind, ErrorKind::Invalid | ErrorKind::Conflict) {
        return Err(failure_for(e, Some(viewer.clone())));
    }
    let status = e.status();
    let errors = if e.fields.is_empty() {
        FieldErrors::single("form", e.message)
    } else {
        FieldErrors(e.fields)
    };
    Ok((status, errors))
}

/// The message as a sentence: `start: this time is taken` reads "This time is taken.".
fn sentence(message: &str) -> String {
    let text = message
        .split_once(": ")
        .filter(|(field, _)| !field.contains(' '))
        .map_or(message, |(_, rest)| rest)
        .trim();
    let mut chars = text.chars();
    let mut out: String = match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    };
    if !out.ends_with(['.', '!', '?']) {
        out.push('.');
    }
    out
}
