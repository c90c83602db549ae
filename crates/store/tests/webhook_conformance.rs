//! Conformance of webhook storage on SQLite and PostgreSQL: endpoints and their updates
//! (never disabled without a reason), messages written once per id, attempts numbered per
//! message and endpoint, and the consecutive failures operators see.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use stint_domain::ids::UserId;
use stint_store::{
    NewWebhookAttempt, NewWebhookEndpoint, Store, StoreError, WebhookEndpointUpdate, WebhookMessage,
};

#[macro_use]
mod common;
use common::*;

conformance!(
    endpoints_are_created_listed_and_updated,
    an_endpoint_is_never_disabled_without_a_reason,
    a_message_is_written_once_per_id,
    attempts_are_numbered_per_message_and_endpoint,
    consecutive_failures_count_since_the_last_success,
);

async fn operator(store: &dyn Store) -> UserId {
    store
        .create_account(&new_account("ops@example.com"), "hash", t(0))
        .await
        .unwrap()
        .id
}

fn endpoint(by: UserId, url: &str) -> NewWebhookEndpoint {
    NewWebhookEndpoint {
        url: url.into(),
        description: "Partner CRM".into(),
        secret: "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD".into(),
        event_types: vec!["booking.created".into(), "task.done".into()],
        created_by: by,
        org: None,
    }
}

fn message(id: &str, at: i64) -> WebhookMessage {
    WebhookMessage {
        id: id.into(),
        event_type: "booking.created".into(),
        payload: format!("{{\"type\":\"booking.created\",\"n\":{at}}}"),
        created_at: t(at),
    }
}

fn attempt(endpoint: i64, msg: &str, status: Option<u16>, at: i64) -> NewWebhookAttempt {
    NewWebhookAttempt {
        endpoint_id: endpoint,
        message_id: msg.into(),
        status_code: status,
        error: status
            .is_none_or(|s| s >= 300)
            .then(|| format!("failed with {status:?}")),
        response_excerpt: status.map(|s| format!("answer {s}")),
        duration_ms: 12,
        at: t(at),
    }
}

async fn endpoints_are_created_listed_and_updated(store: Arc<dyn Store>) {
    let by = operator(store.as_ref()).await;
    let a = store
        .create_webhook_endpoint(&endpoint(by, "https://a.example/hook"), t(1))
        .await
        .unwrap();
    let b = store
        .create_webhook_endpoint(&endpoint(by, "http://127.0.0.1:9/hook"), t(2))
        .await
        .unwrap();
    assert!(a.enabled && a.disabled_reason.is_none());
    assert_eq!(a.event_types, vec!["booking.created", "task.done"]);
    assert_eq!(a.secret, "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD");
    assert_eq!((a.created_by, a.created_at, a.updated_at), (by, t(1), t(1)));
    assert!(a.receives("task.done") && !a.receives("booking.cancelled"));
    let all = store.webhook_endpoints().await.unwrap();
    assert_eq!(
        all.iter().map(|e| e.id).collect::<Vec<_>>(),
        vec![a.id, b.id]
    );
    assert_eq!(store.webhook_endpoint(a.id).await.unwrap(), Some(a.clone()));
    assert_eq!(store.webhook_endpoint(987_654).await.unwrap(), None);

    let update = WebhookEndpointUpdate {
        url: "https://a.example/v2".into(),
        description: "Moved".into(),
        event_types: vec!["booking.cancelled".into()],
        enabled: false,
        disabled_reason: Some("  receiver being rebuilt ".into()),
    };
    let changed = store
        .update_webhook_endpoint(a.id, &update, t(5))
        .await
        .unwrap();
    assert_eq!(changed.url, "https://a.example/v2");
    assert_eq!(changed.event_types, vec!["booking.cancelled"]);
    assert!(!changed.enabled);
    assert_eq!(
        changed.disabled_reason.as_deref(),
        Some("receiver being rebuilt")
    );
    assert!(!changed.receives("booking.cancelled"), "disabled");
    assert_eq!((changed.created_at, changed.updated_at), (t(1), t(5)));
    assert_eq!(changed.secret, a.secret, "the secret stays");
    // Enabling again clears the reason.
    let enabled = store
        .update_webhook_endpoint(
            a.id,
            &WebhookEndpointUpdate {
                enabled: true,
                ..update.clone()
            },
            t(6),
        )
        .await
        .unwrap();
    assert!(enabled.enabled && enabled.disabled_reason.is_none());
    assert!(matches!(
        store.update_webhook_endpoint(987_654, &update, t(7)).await,
        Err(StoreError::NotFound)
    ));
}

async fn an_endpoint_is_never_disabled_without_a_reason(store: Arc<dyn Store>) {
    let by = operator(store.as_ref()).await;
    let a = store
        .create_webhook_endpoint(&endpoint(by, "https://a.example/hook"), t(1))
        .await
        .unwrap();
    for reason in [None, Some(""), Some("   ")] {
        let r = store
            .update_webhook_endpoint(
                a.id,
                &WebhookEndpointUpdate {
                    url: a.url.clone(),
                    description: a.description.clone(),
                    event_types: a.event_types.clone(),
                    enabled: false,
                    disabled_reason: reason.map(str::to_string),
                },
                t(2),
            )
            .await;
        assert!(
            matches!(&r, Err(StoreError::Invalid(f)) if f.get("disabled_reason").is_some()),
            "{reason:?}: {r:?}"
        );
    }
    assert!(store.webhook_endpoint(a.id).await.unwrap().unwrap().enabled);
}

async fn a_message_is_written_once_per_id(store: Arc<dyn Store>) {
    assert!(
        store
            .save_webhook_message(&message("msg_1", 1))
            .await
            .unwrap()
    );
    assert!(
        !store
            .save_webhook_message(&message("msg_1", 9))
            .await
            .unwrap()
    );
    assert_eq!(
        store.webhook_message("msg_1").await.unwrap(),
        Some(message("msg_1", 1)),
        "the first write stands"
    );
    assert_eq!(store.webhook_message("msg_2").await.unwrap(), None);
}

async fn attempts_are_numbered_per_message_and_endpoint(store: Arc<dyn Store>) {
    let by = operator(store.as_ref()).await;
    let a = store
        .create_webhook_endpoint(&endpoint(by, "https://a.example/hook"), t(1))
        .await
        .unwrap()
        .id;
    let b = store
        .create_webhook_endpoint(&endpoint(by, "https://b.example/hook"), t(1))
        .await
        .unwrap()
        .id;
    for m in ["msg_x", "msg_y"] {
        store.save_webhook_message(&message(m, 2)).await.unwrap();
    }
    assert!(!store.webhook_message_tried(a, "msg_x").await.unwrap());
    let first = store
        .record_webhook_attempt(&attempt(a, "msg_x", None, 10))
        .await
        .unwrap();
    assert_eq!(first.attempt, 1);
    assert_eq!(first.event_type, "booking.created");
    assert_eq!(first.status_code, None);
    assert!(!first.succeeded());
    let second = store
        .record_webhook_attempt(&attempt(a, "msg_x", Some(500), 40))
        .await
        .unwrap();
    assert_eq!(
        (
            second.attempt,
            second.status_code,
            second.response_excerpt.as_deref()
        ),
        (2, Some(500), Some("answer 500"))
    );
    let other_endpoint = store
        .record_webhook_attempt(&attempt(b, "msg_x", Some(200), 41))
        .await
        .unwrap();
    assert_eq!(other_endpoint.attempt, 1, "counted per endpoint");
    assert!(other_endpoint.succeeded() && other_endpoint.error.is_none());
    let other_message = store
        .record_webhook_attempt(&attempt(a, "msg_y", Some(204), 42))
        .await
        .unwrap();
    assert_eq!(other_message.attempt, 1, "counted per message");
    let third = store
        .record_webhook_attempt(&attempt(a, "msg_x", Some(200), 100))
        .await
        .unwrap();
    assert_eq!(third.attempt, 3);
    assert_eq!((third.duration_ms, third.at), (12, t(100)));
    assert!(store.webhook_message_tried(a, "msg_x").await.unwrap());
    assert!(!store.webhook_message_tried(b, "msg_y").await.unwrap());

    let log = store.webhook_attempts(a, None, 100).await.unwrap();
    assert_eq!(
        log.iter().map(|x| x.id).collect::<Vec<_>>(),
        vec![third.id, other_message.id, second.id, first.id],
        "newest first, this endpoint only"
    );
    assert_eq!(store.webhook_attempts(a, None, 2).await.unwrap().len(), 2);
    // A long error is kept in part, not refused.
    let long = NewWebhookAttempt {
        error: Some("x".repeat(10_000)),
        ..attempt(b, "msg_y", None, 200)
    };
    let kept = store.record_webhook_attempt(&long).await.unwrap();
    assert_eq!(kept.error.map(|e| e.len()), Some(2000));
}

async fn consecutive_failures_count_since_the_last_success(store: Arc<dyn Store>) {
    let by = operator(store.as_ref()).await;
    let a = store
        .create_webhook_endpoint(&endpoint(by, "https://a.example/hook"), t(1))
        .await
        .unwrap()
        .id;
    let health = store.webhook_health(a).await.unwrap();
    assert_eq!(
        (health.last_attempt, health.consecutive_failures),
        (None, 0)
    );
    store
        .save_webhook_message(&message("msg_1", 2))
        .await
        .unwrap();
    for (status, at) in [(Some(500), 10), (None, 20)] {
        store
            .record_webhook_attempt(&attempt(a, "msg_1", status, at))
            .await
            .unwrap();
    }
    let health = store.webhook_health(a).await.unwrap();
    assert_eq!(health.consecutive_failures, 2, "failures from the start");
    assert_eq!(health.last_attempt.map(|x| x.at), Some(t(20)));
    store
        .record_webhook_attempt(&attempt(a, "msg_1", Some(299), 30))
        .await
        .unwrap();
    assert_eq!(
        store.webhook_health(a).await.unwrap().consecutive_failures,
        0
    );
    for (status, at) in [(Some(302), 40), (Some(404), 50), (None, 60)] {
        store
            .record_webhook_attempt(&attempt(a, "msg_1", status, at))
            .await
            .unwrap();
    }
    let health = store.webhook_health(a).await.unwrap();
    assert_eq!(health.consecutive_failures, 3, "a redirect is no success");
    assert_eq!(health.last_attempt.map(|x| x.attempt), Some(6));
}
