//! `/account/chat`: connect a workspace chat (Slack, Mattermost or a Teams workflow) for
//! one's session nudges, see how its deliveries go, disconnect — thin edges over
//! `stint_app::chat`.

use super::filters;
use super::render::{Chrome, PageResult, failure, html, ok};
use crate::auth::PageUser;
use crate::auth::csrf::{CsrfForm, CsrfToken};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;
use stint_app::chat::{self as ops, ChatView};
use stint_domain::FieldErrors;
use stint_domain::account::{Account, zone_or_utc};
use stint_domain::chat::{ChatInput, ChatKind};

#[derive(Template)]
#[template(path = "account_chat.html")]
struct ChatPage {
    chrome: Chrome,
    notice: String,
    chat: Option<ChatView>,
    kinds: Vec<(&'static str, &'static str)>,
    form: ChatInput,
    errors: FieldErrors,
    zone: jiff::tz::TimeZone,
}

impl ChatPage {
    fn when(&self, t: &jiff::Timestamp) -> String {
        t.to_zoned_datetime(self.zone.clone())
            .strftime("%a %-d %b %Y, %H:%M")
            .to_string()
    }
}

fn page(
    me: Account,
    csrf: &str,
    notice: &str,
    chat: Option<ChatView>,
    form: ChatInput,
    errors: FieldErrors,
) -> ChatPage {
    ChatPage {
        zone: zone_or_utc(&me.timezone),
        chrome: Chrome::new("Workspace chat · Stint", Some(me), csrf),
        notice: notice.to_string(),
        chat,
        kinds: ChatKind::ALL
            .into_iter()
            .map(|k| (k.as_str(), k.label()))
            .collect(),
        form,
        errors,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Done {
    done: String,
}

pub async fn show(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    Query(q): Query<Done>,
) -> PageResult {
    let chat = ops::mine(&state, &me).await.map_err(failure)?;
    let notice = match q.done.as_str() {
        "connected" => "Connected. Your session nudges go there too from now on.",
        "disconnected" => "Disconnected. Nothing more is posted there.",
        _ => "",
    };
    let form = ChatInput {
        kind: chat
            .as_ref()
            .map_or("slack", |c| c.kind.as_str())
            .to_string(),
        url: String::new(),
    };
    Ok(ok(&page(
        me,
        &csrf.0,
        notice,
        chat,
        form,
        FieldErrors::new(),
    )))
}

pub async fn connect(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    csrf: CsrfToken,
    CsrfForm(form): CsrfForm<ChatInput>,
) -> PageResult {
    match ops::connect(&state, &me, &form).await {
        Ok(_) => Ok(Redirect::to("/account/chat?done=connected").into_response()),
        Err(e) if e.is(stint_app::ErrorKind::Invalid) => {
            let chat = ops::mine(&state, &me).await.map_err(failure)?;
            let errors = FieldErrors(e.fields);
            Ok(html(
                StatusCode::UNPROCESSABLE_ENTITY,
                &page(me, &csrf.0, "", chat, form, errors),
            ))
        }
        Err(e) => Err(failure(e)),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NoFields {}

pub async fn disconnect(
    State(state): State<AppState>,
    PageUser(me): PageUser,
    CsrfForm(_): CsrfForm<NoFields>,
) -> PageResult {
    ops::disconnect(&state, &me).await.map_err(failure)?;
    Ok(Redirect::to("/account/chat?done=disconnected").into_response())
}
