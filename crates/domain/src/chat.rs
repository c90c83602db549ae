//! Nudges in workspace chat: a person connects an incoming webhook of Slack, Mattermost or a
//! Microsoft Teams workflow, and their session nudges go there too. This module checks the
//! connection as given and writes each service's message: Slack's `text` in its mrkdwn,
//! Mattermost's `text` in Markdown, and the Adaptive Card a Teams workflow's "post a card"
//! step expects.

use crate::validate::FieldErrors;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// The longest webhook address taken.
pub const MAX_URL: usize = 1000;

/// Which service a webhook belongs to: it decides the message's shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChatKind {
    Slack,
    Mattermost,
    Teams,
}

impl ChatKind {
    pub const ALL: [ChatKind; 3] = [ChatKind::Slack, ChatKind::Mattermost, ChatKind::Teams];

    pub fn as_str(self) -> &'static str {
        match self {
            ChatKind::Slack => "slack",
            ChatKind::Mattermost => "mattermost",
            ChatKind::Teams => "teams",
        }
    }

    pub fn parse(s: &str) -> Option<ChatKind> {
        ChatKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            ChatKind::Slack => "Slack",
            ChatKind::Mattermost => "Mattermost",
            ChatKind::Teams => "Microsoft Teams (workflow)",
        }
    }
}

/// A connection as a form or the API sends it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ChatInput {
    pub kind: String,
    pub url: String,
}

impl ChatInput {
    /// The service and the address, both checked; whether the address may be reached is
    /// the egress policy's to say.
    pub fn validate(&self) -> Result<(ChatKind, String), FieldErrors> {
        let mut e = FieldErrors::new();
        let kind = ChatKind::parse(self.kind.trim());
        if kind.is_none() {
            e.add("kind", "choose Slack, Mattermost or Microsoft Teams");
        }
        let url = self.url.trim();
        let scheme_ok = url
            .get(..8)
            .is_some_and(|s| s.eq_ignore_ascii_case("https://"))
            || url
                .get(..7)
                .is_some_and(|s| s.eq_ignore_ascii_case("http://"));
        if url.is_empty() {
            e.add("url", "paste the incoming webhook's address");
        } else if url.len() > MAX_URL {
            e.add("url", format!("at most {MAX_URL} characters"));
        } else if !scheme_ok || url.chars().any(char::is_whitespace) {
            e.add("url", "an https:// address, as the chat service shows it");
        }
        e.finish(|| (kind.unwrap_or(ChatKind::Slack), url.to_string()))
    }
}

/// One message: a title, its lines, and the page it leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatMessage {
    pub title: String,
    pub lines: Vec<String>,
    /// (label, absolute address).
    pub link: Option<(String, String)>,
}

/// The body to post to a webhook of `kind`.
pub fn payload(kind: ChatKind, m: &ChatMessage) -> Value {
    match kind {
        ChatKind::Slack => {
            let mut text = format!("*{}*", slack_escape(&m.title));
            for line in &m.lines {
                text.push('\n');
                text.push_str(&slack_escape(line));
            }
            if let Some((label, url)) = &m.link {
                text.push_str(&format!("\n<{url}|{}>", slack_escape(label)));
            }
            json!({"text": text})
        }
        ChatKind::Mattermost => {
            let mut text = format!("**{}**", m.title);
            for line in &m.lines {
                text.push_str("\n\n");
                text.push_str(line);
            }
            if let Some((label, url)) = &m.link {
                text.push_str(&format!("\n\n[{label}]({url})"));
            }
            json!({"text": text, "username": "Stint"})
        }
        ChatKind::Teams => {
            let mut body = vec![json!({"type": "TextBlock", "text": m.title,
                                        "weight": "Bolder", "size": "Medium", "wrap": true})];
            body.extend(
                m.lines
                    .iter()
                    .map(|l| json!({"type": "TextBlock", "text": l, "wrap": true})),
            );
            let mut card = json!({
                "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                "type": "AdaptiveCard",
                "version": "1.4",
                "body": body,
            });
            if let Some((label, url)) = &m.link {
                card["actions"] = json!([{"type": "Action.OpenUrl", "title": label, "url": url}]);
            }
            json!({"type": "message", "attachments": [{
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": null,
                "content": card,
            }]})
        }
    }
}

/// Slack's three control characters, escaped as its documentation asks.
fn slack_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message() -> ChatMessage {
        ChatMessage {
            title: "Booked: Negotiation <clinic>".into(),
            lines: vec!["Tue 2 Jun, 14:00 with Maya".into()],
            link: Some((
                "Open the session".into(),
                "https://stint.example/sessions/7".into(),
            )),
        }
    }

    #[test]
    fn each_service_gets_its_own_shape() {
        let slack = payload(ChatKind::Slack, &message());
        assert_eq!(
            slack["text"],
            "*Booked: Negotiation &lt;clinic&gt;*\nTue 2 Jun, 14:00 with Maya\n<https://stint.example/sessions/7|Open the session>"
        );
        let mm = payload(ChatKind::Mattermost, &message());
        assert!(
            mm["text"]
                .as_str()
                .unwrap()
                .ends_with("[Open the session](https://stint.example/sessions/7)")
        );
        let teams = payload(ChatKind::Teams, &message());
        let card = &teams["attachments"][0];
        assert_eq!(
            card["contentType"],
            "application/vnd.microsoft.card.adaptive"
        );
        assert_eq!(card["content"]["type"], "AdaptiveCard");
        assert_eq!(
            card["content"]["body"][0]["text"],
            "Booked: Negotiation <clinic>"
        );
        assert_eq!(card["content"]["actions"][0]["type"], "Action.OpenUrl");
    }

    #[test]
    fn connections_are_checked() {
        let ok = ChatInput {
            kind: "teams".into(),
            url: " https://prod.example.com/workflows/abc ".into(),
        };
        assert_eq!(
            ok.validate().unwrap(),
            (
                ChatKind::Teams,
                "https://prod.example.com/workflows/abc".into()
            )
        );
        let bad = ChatInput {
            kind: "irc".into(),
            url: "javascript:alert(1)".into(),
        };
        let e = bad.validate().unwrap_err();
        assert!(e.get("kind").is_some() && e.get("url").is_some());
        let empty = ChatInput::default().validate().unwrap_err();
        assert!(empty.get("url").unwrap().contains("paste"));
    }
}
