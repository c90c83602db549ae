//! Workspace chat, the use cases: a person connects the incoming webhook of their Slack,
//! Mattermost or Teams workflow (checked by `stint_domain::chat`, refused at once where the
//! egress policy would refuse it, kept sealed like notes), sees how its deliveries go, and
//! disconnects; the worker posts each chat nudge through [`post`], which records the outcome
//! for that health line. Only the address's host is ever shown or logged: the rest of a
//! webhook address is its secret.

use crate::App;
use crate::error::AppError;
use jiff::Timestamp;
use std::time::Duration;
use stint_domain::FieldErrors;
use stint_domain::account::Account;
use stint_domain::chat::{ChatInput, ChatKind, ChatMessage, payload};
use stint_domain::ids::UserId;
use stint_domain::nudge::Channel;

/// How long one post may take.
const TIMEOUT: Duration = Duration::from_secs(10);

/// A connection as its owner sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatView {
    pub kind: ChatKind,
    pub host: String,
    pub connected_at: Timestamp,
    pub last_ok_at: Option<Timestamp>,
    /// The last failure, when it came after the last success.
    pub last_error: Option<(String, Timestamp)>,
}

/// Connects (or replaces) `me`'s chat.
#[tracing::instrument(skip_all)]
pub async fn connect(app: &App, me: &Account, input: &ChatInput) -> Result<ChatView, AppError> {
    let (kind, url) = input.validate().map_err(AppError::validation)?;
    let url = crate::outbound::allowed(app, url).map_err(|why| {
        let mut e = FieldErrors::new();
        e.add("url", why);
        AppError::validation(e)
    })?;
    let host = url::Url::parse(&url)
        .map(|u| stint_egress::host_and_port(&u))
        .unwrap_or_default();
    let sealed = app.seal(&url)?;
    app.store
        .set_chat(me.id, kind, &sealed, &host, app.now())
        .await?;
    // Preferences saved before chat existed name only the other channels: chat follows the
    // inbox there, as it does for every kind left at its default.
    let mut prefs = app.store.nudge_prefs(me.id).await?;
    let mut changed = false;
    for channels in prefs.channels.values_mut() {
        if channels.contains(&Channel::InApp) {
            changed |= channels.insert(Channel::Chat);
        }
    }
    if changed {
        app.store.save_nudge_prefs(me.id, &prefs, app.now()).await?;
    }
    // Sessions already booked get their chat nudges too.
    crate::nudges::replan_upcoming(app, me.id, app.now()).await?;
    mine(app, me)
        .await?
        .ok_or_else(|| AppError::not_found("chat"))
}

/// `me`'s chat connection, if any.
#[tracing::instrument(skip_all)]
pub async fn mine(app: &App, me: &Account) -> Result<Option<ChatView>, AppError> {
    Ok(app.store.chat_of(me.id).await?.map(|c| ChatView {
        kind: c.kind,
        host: c.host,
        connected_at: c.created_at,
        last_ok_at: c.last_ok_at,
        last_error: c
            .last_error_at
            .filter(|at| c.last_ok_at.is_none_or(|ok| *at > ok))
            .map(|at| (c.last_error, at)),
    }))
}

/// Disconnects `me`'s chat: nothing more is posted there.
#[tracing::instrument(skip_all)]
pub async fn disconnect(app: &App, me: &Account) -> Result<(), AppError> {
    if app.store.remove_chat(me.id).await? {
        Ok(())
    } else {
        Err(AppError::not_found("chat"))
    }
}

/// Why a post did not go through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostFailure {
    /// For the person's delivery log: the host and what went wrong, never the address.
    pub message: String,
    /// Whether trying again later may help (unreachable, 5xx, 429), or not (refused by the
    /// egress policy, 4xx: the webhook was deleted or the address is wrong).
    pub retry: bool,
}

/// The HTTP client chat posts go through: every connection obeys the egress policy, and a
/// redirect is an answer, not a success. `None` only when TLS cannot start.
pub fn client(app: &App) -> Option<reqwest::Client> {
    app.settings
        .egress
        .client_builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(TIMEOUT)
        .user_agent(concat!("Stint/", env!("CARGO_PKG_VERSION")))
        .build()
        .inspect_err(|e| tracing::error!(error = %e, "chat HTTP client could not be built"))
        .ok()
}

/// Posts `message` to `user`'s chat in its service's shape: `Some(host)` once the service
/// accepted it, `None` when nothing is connected. The outcome is kept for the health line.
#[tracing::instrument(skip_all)]
pub async fn post(
    app: &App,
    http: &reqwest::Client,
    user: UserId,
    message: &ChatMessage,
) -> Result<Option<String>, PostFailure> {
    let store_failed = |e: crate::error::AppError| PostFailure {
        message: e.message,
        retry: true,
    };
    let Some(chat) = app
        .store
        .chat_of(user)
        .await
        .map_err(|e| store_failed(e.into()))?
    else {
        return Ok(None);
    };
    let url = app.open(&chat.url).map_err(store_failed)?;
    let body = payload(chat.kind, message);
    let host = chat.host.clone();
    let outcome = match http.post(&url).json(&body).send().await {
        Ok(r) if r.status().is_success() => Ok(Some(host.clone())),
        Ok(r) => {
            let status = r.status();
            Err(PostFailure {
                message: format!("{host} answered {status}"),
                retry: status.is_server_error() || status.as_u16() == 429,
            })
        }
        Err(e) => {
            let refused = stint_egress::refusal(&e).is_some();
            Err(PostFailure {
                message: if refused {
                    format!("{host} is a private or internal address, which Stint does not reach")
                } else if e.is_timeout() {
                    format!("{host} did not answer in time")
                } else {
                    format!("{host} could not be reached")
                },
                retry: !refused,
            })
        }
    };
    let error = outcome.as_ref().err().map(|f| f.message.as_str());
    app.store
        .chat_result(user, error, app.now())
        .await
        .map_err(|e| store_failed(e.into()))?;
    outcome
}
