//! The storage side of workspace chat (`stint_domain::chat`): one connection per person, its
//! address sealed by the application layer, and how its last delivery went.

use crate::interfaces::Result;
use async_trait::async_trait;
use jiff::Timestamp;
use stint_domain::chat::ChatKind;
use stint_domain::ids::UserId;

/// A person's chat connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatChannel {
    pub user: UserId,
    pub kind: ChatKind,
    /// Sealed (`stint_app::at_rest`) when data keys are configured.
    pub url: String,
    /// The address's host, the only part shown or logged.
    pub host: String,
    pub created_at: Timestamp,
    pub last_ok_at: Option<Timestamp>,
    pub last_error: String,
    pub last_error_at: Option<Timestamp>,
}

#[async_trait]
pub trait ChatStore: Send + Sync {
    /// Connects (or replaces) `user`'s chat; the health starts afresh.
    async fn set_chat(
        &self,
        user: UserId,
        kind: ChatKind,
        sealed_url: &str,
        host: &str,
        now: Timestamp,
    ) -> Result<()>;
    async fn chat_of(&self, user: UserId) -> Result<Option<ChatChannel>>;
    async fn remove_chat(&self, user: UserId) -> Result<bool>;
    /// How a delivery went: `None` for a success, else the error as the person may read it.
    async fn chat_result(&self, user: UserId, error: Option<&str>, now: Timestamp) -> Result<()>;
}
