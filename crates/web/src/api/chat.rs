//! `/api/v1/me/chat`: one's workspace chat for nudges — thin edges over `stint_app::chat`.

use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorBody};
use crate::extract::ApiJson;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use stint_app::chat::{self as ops, ChatView};
use stint_domain::chat::ChatInput;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct ChatDto {
    #[schema(value_type = ChatKindName)]
    pub kind: String,
    /// The webhook's host: the rest of its address is its secret and is never shown.
    pub host: String,
    pub connected_at: String,
    pub last_ok_at: Option<String>,
    /// The last failure, when it came after the last success.
    pub last_error: Option<String>,
    pub last_error_at: Option<String>,
}

impl From<ChatView> for ChatDto {
    fn from(c: ChatView) -> Self {
        ChatDto {
            kind: c.kind.as_str().to_string(),
            host: c.host,
            connected_at: c.connected_at.to_string(),
            last_ok_at: c.last_ok_at.map(|t| t.to_string()),
            last_error_at: c.last_error.as_ref().map(|(_, at)| at.to_string()),
            last_error: c.last_error.map(|(why, _)| why),
        }
    }
}

/// Which service a webhook belongs to (`teams`: a Teams workflow's webhook).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChatKindName {
    Slack,
    Mattermost,
    Teams,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChatRequest {
    #[schema(value_type = ChatKindName)]
    pub kind: String,
    /// The incoming webhook's address (http or https; a public address unless the operators
    /// allow others).
    #[schema(format = "uri", min_length = 1, max_length = 1000)]
    pub url: String,
}

/// Your workspace chat, if connected.
#[utoipa::path(get, operation_id = "my_chat", path = "/api/v1/me/chat", tag = "nudges", security(("bearer" = [])),
    responses((status = 200, body = ChatDto), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn mine(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
) -> Result<Json<ChatDto>, ApiError> {
    let chat = ops::mine(&state, &me).await?;
    Ok(Json(
        chat.ok_or_else(|| stint_app::AppError::not_found("chat"))?
            .into(),
    ))
}

/// Connects (or replaces) your workspace chat: session nudges are posted there too.
#[utoipa::path(put, operation_id = "connect_chat", path = "/api/v1/me/chat", tag = "nudges", security(("bearer" = [])),
    request_body = ChatRequest,
    responses((status = 200, body = ChatDto), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn connect(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiJson(req): ApiJson<ChatRequest>,
) -> Result<Json<ChatDto>, ApiError> {
    let input = ChatInput {
        kind: req.kind,
        url: req.url,
    };
    Ok(Json(ops::connect(&state, &me, &input).await?.into()))
}

/// Disconnects your workspace chat.
#[utoipa::path(delete, operation_id = "disconnect_chat", path = "/api/v1/me/chat", tag = "nudges", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn disconnect(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
) -> Result<StatusCode, ApiError> {
    ops::disconnect(&state, &me).await?;
    Ok(StatusCode::NO_CONTENT)
}
