//! Two stores on one database, as two nodes of one deployment: whatever one node remembers
//! (PostgreSQL keeps schedules, tokens and offerings in memory), a change made on the other
//! decides the next booking. Each test would fail if a claim were decided on what a node
//! read earlier without the database checking it: a cap exceeded, a new rule or another
//! calendar's busy time ignored, or freed time refused.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use stint_domain::booking::NoShowSide;
use stint_domain::catalog::SkuStatus;
use stint_domain::role::Role;
use stint_domain::schedule::{Availability, Busy};
use stint_store::{
    BookingOutcome, IdempotencyKey, NewBooking, NewCalendarSource, SourceKind, Store, StoreError,
};

#[macro_use]
mod common;
use common::*;

two_node_conformance!(
    a_cap_counts_sessions_booked_on_the_other_node,
    rules_saved_on_the_other_node_decide_the_next_claim,
    busy_time_read_on_the_other_node_decides_the_next_claim,
    time_freed_on_the_other_node_can_be_booked_here,
    keys_are_replayed_across_nodes,
    racing_claims_on_two_nodes_have_one_winner_each,
    racing_claims_on_two_nodes_never_exceed_a_cap,
    token_role_and_session_changes_on_the_other_node_hold_at_once,
);

conformance!(
    a_token_deleted_here_is_refused_at_once,
    an_expired_token_is_refused_however_recently_it_was_read,
    roles_granted_or_revoked_here_are_seen_at_once,
    a_sku_retired_here_is_offered_as_retired_at_once,
);

/// A real admission check's core: the time must not touch any busy interval.
fn free(new: &NewBooking) -> impl Fn(Option<&Availability>, &[Busy]) -> bool + Send + Sync {
    let (start, end) = (new.start, new.end);
    move |_: Option<&Availability>, busy: &[Busy]| {
        busy.iter().all(|b| b.end <= start || end <= b.start)
    }
}

fn created(r: Result<BookingOutcome, StoreError>) -> stint_domain::booking::Booking {
    match r {
        Ok(BookingOutcome::Created(b)) => b,
        other => panic!("expected a booking, got {other:?}"),
    }
}

async fn a_cap_counts_sessions_booked_on_the_other_node(a: Arc<dyn Store>, b: Arc<dyn Store>) {
    let w = booking_world(a.as_ref()).await;
    let cap_of_two = |_: Option<&Availability>, busy: &[Busy]| busy.len() < 2;
    created(
        a.create_booking(&at(&w, 600, 30), None, &cap_of_two, t(0))
            .await,
    );
    created(
        b.create_booking(&at(&w, 700, 30), None, &cap_of_two, t(0))
            .await,
    );
    // Node a last saw one session; the database holds two.
    let third = a
        .create_booking(&at(&w, 800, 30), None, &cap_of_two, t(0))
        .await;
    assert!(matches!(third, Err(StoreError::SlotTaken)), "{third:?}");
    assert_eq!(a.bookings_of(w.mentor).await.unwrap().len(), 2);
}

async fn rules_saved_on_the_other_node_decide_the_next_claim(a: Arc<dyn Store>, b: Arc<dyn Store>) {
    let w = booking_world(a.as_ref()).await;
    // Admits unless the saved rules ask for more than a day's notice.
    let by_rules = |rules: Option<&Availability>, _: &[Busy]| {
        rules.is_none_or(|r| r.min_notice_minutes <= 24 * 60)
    };
    created(
        a.create_booking(&at(&w, 600, 30), None, &by_rules, t(0))
            .await,
    );
    let mut strict = Availability::default_for("Europe/Berlin");
    strict.min_notice_minutes = 48 * 60;
    b.save_availability(w.mentor, &strict, t(0)).await.unwrap();
    let next = a
        .create_booking(&at(&w, 700, 30), None, &by_rules, t(0))
        .await;
    assert!(matches!(next, Err(StoreError::SlotTaken)), "{next:?}");
    assert_eq!(a.bookings_of(w.mentor).await.unwrap().len(), 1);
}

async fn busy_time_read_on_the_other_node_decides_the_next_claim(
    a: Arc<dyn Store>,
    b: Arc<dyn Store>,
) {
    let w = booking_world(a.as_ref()).await;
    let first = at(&w, 600, 30);
    created(a.create_booking(&first, None, &free(&first), t(0)).await);
    let source = b
        .add_calendar_source(
            &NewCalendarSource {
                mentor: w.mentor,
                kind: SourceKind::Ics,
                url: "https://cal.example.com/ana.ics".into(),
                username: String::new(),
                password_sealed: None,
            },
            t(0),
        )
        .await
        .unwrap();
    // The mentor's other calendar holds 13:00–14:00 (minutes 780–840).
    b.replace_calendar_busy(source.id, &[(t(780 * 60), t(840 * 60))])
        .await
        .unwrap();
    let clash = at(&w, 800, 30);
    let r = a.create_booking(&clash, None, &free(&clash), t(0)).await;
    assert!(matches!(r, Err(StoreError::SlotTaken)), "{r:?}");
    // Removing the calendar frees the time again, for either node.
    b.remove_calendar_source(source.id).await.unwrap();
    created(a.create_booking(&clash, None, &free(&clash), t(0)).await);
}

async fn time_freed_on_the_other_node_can_be_booked_here(a: Arc<dyn Store>, b: Arc<dyn Store>) {
    let w = booking_world(a.as_ref()).await;
    let slot = at(&w, 600, 30);
    let first = created(a.create_booking(&slot, None, &free(&slot), t(0)).await);
    b.cancel_booking(
        first.id,
        w.mentee,
        "moved abroad",
        false,
        stint_domain::ledger::HoldEnd::Release,
        t(1),
    )
    .await
    .unwrap();
    // Node a last saw the time taken; it is free.
    let second = created(a.create_booking(&slot, None, &free(&slot), t(2)).await);
    b.mark_no_show(
        second.id,
        NoShowSide::Mentee,
        w.mentor,
        stint_domain::ledger::HoldEnd::Release,
        t(3),
    )
    .await
    .unwrap();
    created(a.create_booking(&slot, None, &free(&slot), t(4)).await);
    let live: Vec<_> = a
        .bookings_of(w.mentor)
        .await
        .unwrap()
        .into_iter()
        .filter(|b| b.status == stint_domain::booking::BookingStatus::Confirmed)
        .collect();
    assert_eq!(live.len(), 1);
}

async fn keys_are_replayed_across_nodes(a: Arc<dyn Store>, b: Arc<dyn Store>) {
    let w = booking_world(a.as_ref()).await;
    let key = IdempotencyKey {
        key: "retry-me".into(),
        request_hash: "body-1".into(),
    };
    let slot = at(&w, 600, 30);
    let first = created(
        a.create_booking(&slot, Some(&key), &free(&slot), t(0))
            .await,
    );
    for node in [&b, &a] {
        let again = node
            .create_booking(&slot, Some(&key), &free(&slot), t(1))
            .await
            .unwrap();
        assert_eq!(again, BookingOutcome::Replayed(first.clone()));
    }
    // The same key with another body, for a time that is free: refused, nothing written.
    let other = IdempotencyKey {
        key: "retry-me".into(),
        request_hash: "body-2".into(),
    };
    let elsewhere = at(&w, 900, 30);
    for node in [&a, &b] {
        let r = node
            .create_booking(&elsewhere, Some(&other), &free(&elsewhere), t(1))
            .await;
        assert!(matches!(r, Err(StoreError::IdempotencyMismatch)), "{r:?}");
    }
    assert_eq!(a.bookings_of(w.mentee).await.unwrap().len(), 1);
}

async fn racing_claims_on_two_nodes_have_one_winner_each(a: Arc<dyn Store>, b: Arc<dyn Store>) {
    let w = Arc::new(booking_world(a.as_ref()).await);
    // Warm both nodes, so the race starts from what each remembers.
    for (node, start) in [(&a, 100), (&b, 200)] {
        let slot = at(&w, start, 30);
        created(node.create_booking(&slot, None, &free(&slot), t(0)).await);
    }
    let mut tasks = Vec::new();
    for window in 0..3i64 {
        for i in 0..12i64 {
            let node = if i % 2 == 0 { a.clone() } else { b.clone() };
            let w = w.clone();
            tasks.push(tokio::spawn(async move {
                // Every request in a window covers its minutes 15–20, in four lengths.
                let slot = at(
                    &w,
                    1000 + window * 300 + (i % 4) * 5,
                    [20, 30, 45, 60][(i % 4) as usize],
                );
                let r = node.create_booking(&slot, None, &free(&slot), t(0)).await;
                (window, r)
            }));
        }
    }
    let mut winners = [0; 3];
    for task in tasks {
        match task.await.unwrap() {
            (window, Ok(BookingOutcome::Created(_))) => winners[window as usize] += 1,
            (_, Err(StoreError::SlotTaken)) => {}
            (_, other) => panic!("a racing booking failed with {other:?}"),
        }
    }
    assert_eq!(winners, [1, 1, 1]);
    assert_no_overlap(&a.bookings_of(w.mentor).await.unwrap());
}

async fn racing_claims_on_two_nodes_never_exceed_a_cap(a: Arc<dyn Store>, b: Arc<dyn Store>) {
    let w = Arc::new(booking_world(a.as_ref()).await);
    let first = at(&w, 100, 30);
    let cap_of_three = |_: Option<&Availability>, busy: &[Busy]| busy.len() < 3;
    created(a.create_booking(&first, None, &cap_of_three, t(0)).await);
    let mut tasks = Vec::new();
    for i in 0..16i64 {
        let node = if i % 2 == 0 { a.clone() } else { b.clone() };
        let w = w.clone();
        tasks.push(tokio::spawn(async move {
            let cap_of_three = |_: Option<&Availability>, busy: &[Busy]| busy.len() < 3;
            node.create_booking(&at(&w, 2000 + i * 60, 30), None, &cap_of_three, t(0))
                .await
        }));
    }
    let mut made = 1;
    for task in tasks {
        match task.await.unwrap() {
            Ok(BookingOutcome::Created(_)) => made += 1,
            Err(StoreError::SlotTaken) => {}
            other => panic!("a racing booking failed with {other:?}"),
        }
    }
    assert_eq!(made, 3);
    assert_eq!(b.bookings_of(w.mentor).await.unwrap().len(), 3);
}

/// Who someone is and what they may do is never cached: a role revoked, a token deleted or
/// a session ended on one node is refused by the other on its very next request.
async fn token_role_and_session_changes_on_the_other_node_hold_at_once(
    a: Arc<dyn Store>,
    b: Arc<dyn Store>,
) {
    let w = booking_world(a.as_ref()).await;
    a.grant_role(w.mentee, Role::Operator).await.unwrap();
    a.create_api_token("digest-x", w.mentee, "cli", t(0), t(3600))
        .await
        .unwrap();
    a.create_web_session("session-x", w.mentee, t(0), t(3600))
        .await
        .unwrap();
    let seen = b.api_token_account("digest-x", t(1)).await.unwrap();
    assert!(seen.is_some_and(|acc| acc.roles.contains(&Role::Operator)));
    let seen = b.web_session_account("session-x", t(1)).await.unwrap();
    assert!(seen.is_some_and(|acc| acc.roles.contains(&Role::Operator)));
    a.revoke_role(w.mentee, Role::Operator).await.unwrap();
    let seen = b.api_token_account("digest-x", t(2)).await.unwrap();
    assert!(seen.is_some_and(|acc| !acc.roles.contains(&Role::Operator)));
    let seen = b.web_session_account("session-x", t(2)).await.unwrap();
    assert!(seen.is_some_and(|acc| !acc.roles.contains(&Role::Operator)));
    a.delete_api_token("digest-x").await.unwrap();
    assert!(
        b.api_token_account("digest-x", t(3))
            .await
            .unwrap()
            .is_none()
    );
    a.delete_web_session("session-x").await.unwrap();
    assert!(
        b.web_session_account("session-x", t(3))
            .await
            .unwrap()
            .is_none()
    );
}

async fn a_token_deleted_here_is_refused_at_once(store: Arc<dyn Store>) {
    let w = booking_world(store.as_ref()).await;
    store
        .create_api_token("digest-1", w.mentee, "cli", t(0), t(3600))
        .await
        .unwrap();
    let seen = store.api_token_account("digest-1", t(10)).await.unwrap();
    assert_eq!(seen.map(|a| a.id), Some(w.mentee));
    store.delete_api_token("digest-1").await.unwrap();
    assert!(
        store
            .api_token_account("digest-1", t(11))
            .await
            .unwrap()
            .is_none()
    );
}

async fn an_expired_token_is_refused_however_recently_it_was_read(store: Arc<dyn Store>) {
    let w = booking_world(store.as_ref()).await;
    store
        .create_api_token("digest-2", w.mentee, "cli", t(0), t(60))
        .await
        .unwrap();
    assert!(
        store
            .api_token_account("digest-2", t(59))
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        store
            .api_token_account("digest-2", t(60))
            .await
            .unwrap()
            .is_none()
    );
}

async fn roles_granted_or_revoked_here_are_seen_at_once(store: Arc<dyn Store>) {
    let w = booking_world(store.as_ref()).await;
    store
        .create_api_token("digest-3", w.mentee, "cli", t(0), t(3600))
        .await
        .unwrap();
    let roles = |s: &Arc<dyn Store>| {
        let s = s.clone();
        async move {
            s.api_token_account("digest-3", t(1))
                .await
                .unwrap()
                .map(|a| a.roles)
                .unwrap_or_default()
        }
    };
    assert!(!roles(&store).await.contains(&Role::Operator));
    store.grant_role(w.mentee, Role::Operator).await.unwrap();
    assert!(roles(&store).await.contains(&Role::Operator));
    store.revoke_role(w.mentee, Role::Operator).await.unwrap();
    assert!(!roles(&store).await.contains(&Role::Operator));
}

async fn a_sku_retired_here_is_offered_as_retired_at_once(store: Arc<dyn Store>) {
    let w = booking_world(store.as_ref()).await;
    store
        .set_sku_status("clinic", SkuStatus::Active, t(0))
        .await
        .unwrap();
    store.grant_role(w.mentor, Role::Mentor).await.unwrap();
    store
        .save_mentor_profile(
            w.mentor,
            &stint_domain::mentor::MentorProfileInput {
                headline: "Negotiation coach".into(),
                bio: String::new(),
                meeting_url: String::new(),
                skus: vec!["clinic".into()],
                ..Default::default()
            },
            t(0),
        )
        .await
        .unwrap();
    let offered = store.offering("clinic", w.mentor).await.unwrap();
    assert_eq!(offered.map(|o| o.sku.status), Some(SkuStatus::Active));
    store
        .set_sku_status("clinic", SkuStatus::Retired, t(1))
        .await
        .unwrap();
    let offered = store.offering("clinic", w.mentor).await.unwrap();
    assert_eq!(offered.map(|o| o.sku.status), Some(SkuStatus::Retired));
}
