//! Nudges in workspace chat: the sender words the nudge, and a [`ChatPoster`] — given by the
//! worker, which can reach the network through the egress policy and open sealed addresses —
//! posts it to the person's webhook.

use async_trait::async_trait;
use stint_domain::chat::ChatMessage;
use stint_domain::ids::UserId;

/// Why a post failed, and whether trying again may help.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatFailure {
    pub message: String,
    pub retry: bool,
}

#[async_trait]
pub trait ChatPoster: Send + Sync {
    /// Posts `message` to `user`'s chat: `Ok(Some(detail))` once the service accepted it,
    /// `Ok(None)` when they have no chat connected (any more).
    async fn post(
        &self,
        user: UserId,
        message: &ChatMessage,
    ) -> Result<Option<String>, ChatFailure>;
}
