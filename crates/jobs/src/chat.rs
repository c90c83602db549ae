//! The worker's [`ChatPoster`]: chat nudges posted through the application layer's
//! `chat::post` (sealed address opened, egress policy obeyed, health recorded).

use async_trait::async_trait;
use stint_domain::chat::ChatMessage;
use stint_domain::ids::UserId;
use stint_notify::chat::{ChatFailure, ChatPoster};

pub struct ChatPost {
    app: stint_app::App,
    /// Built once; `None` when TLS could not start (every post then fails and says so).
    http: Option<reqwest::Client>,
}

impl ChatPost {
    pub fn new(app: stint_app::App) -> Self {
        let http = stint_app::chat::client(&app);
        ChatPost { app, http }
    }
}

#[async_trait]
impl ChatPoster for ChatPost {
    async fn post(
        &self,
        user: UserId,
        message: &ChatMessage,
    ) -> Result<Option<String>, ChatFailure> {
        let Some(http) = &self.http else {
            return Err(ChatFailure {
                message: "this worker cannot make HTTPS connections".into(),
                retry: true,
            });
        };
        stint_app::chat::post(&self.app, http, user, message)
            .await
            .map_err(|f| ChatFailure {
                message: f.message,
                retry: f.retry,
            })
    }
}
