//! Turning templates and failures into HTML responses.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use stint_domain::account::Account;
use stint_domain::role::Role;
use stint_store::StoreError;

/// What every page's frame needs: who is logged in (for the navigation) and the CSRF
/// token for the log-out button.
#[derive(Debug, Clone)]
pub struct Chrome {
    pub title: String,
    pub user: Option<Account>,
    pub csrf: String,
    /// The logged-in viewer's unread inbox items, for the navigation's badge.
    pub unread: u64,
}

impl Chrome {
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

pub fn store_failure(e: StoreError) -> Response {
    tracing::error!(error = %e, "storage failure while rendering a page");
    error_page(
        StatusCode::INTERNAL_SERVER_ERROR,
        None,
        "Something went wrong",
        "Please try again in a moment.",
    )
}

/// A failure of a page handler: already a response.
pub type PageResult = Result<Response, Response>;

/// Lets `?` turn storage errors into an error page.
pub trait OrPage<T> {
    fn or_page(self) -> Result<T, Response>;
}

impl<T> OrPage<T> for Result<T, StoreError> {
    fn or_page(self) -> Result<T, Response> {
        self.map_err(store_failure)
    }
}

impl<T> OrPage<T> for Result<T, crate::ApiError> {
    fn or_page(self) -> Result<T, Response> {
        self.map_err(failure)
    }
}

/// An error page for a failed use case, with its status.
pub fn failure(e: crate::ApiError) -> Response {
    let heading = if e.status.is_server_error() {
        "Something went wrong"
    } else {
        "That did not work"
    };
    error_page(e.status, None, heading, &e.message)
}
