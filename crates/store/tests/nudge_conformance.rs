//! Conformance of nudge storage and the booking outbox on SQLite and PostgreSQL: a nudge is
//! recorded as sent once per channel however often delivery runs, the inbox and its log row
//! go together, and every booking change enqueues exactly one `booking.changed` job in its
//! own transaction (none for a claim that lost).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::sync::Arc;
use stint_domain::booking::{BookingId, NoShowSide};
use stint_domain::nudge::{Channel, NudgeKind, NudgePrefs};
use stint_store::outbox::{
    BOOKING_CHANGED, BOOKING_CHANGED_ATTEMPTS, BookingChange, BookingChanged,
};
use stint_store::{
    BookingOutcome, DeliveryStatus, IdempotencyKey, JobState, NewDelivery, NewInboxItem, Store,
};

#[macro_use]
mod common;
use common::*;

conformance!(
    preferences_default_until_saved,
    a_nudge_is_recorded_sent_once_per_channel,
    racing_in_app_deliveries_leave_one_inbox_item,
    the_inbox_is_each_persons_own,
    every_booking_change_enqueues_one_outbox_job,
    racing_claims_enqueue_one_job_per_booking_made,
);

async fn booked(store: &dyn Store, w: &Booked, start_min: i64) -> BookingId {
    match store
        .create_booking(&at(w, start_min, 60), None, &naive, t(0))
        .await
        .unwrap()
    {
        BookingOutcome::Created(b) => b.id,
        other => panic!("not created: {other:?}"),
    }
}

fn delivery(booking: BookingId, w: &Booked, channel: Channel) -> NewDelivery {
    NewDelivery {
        nudge_key: format!("{booking}/reminder60m@0/{}", w.mentee),
        channel,
        booking,
        recipient: w.mentee,
        kind: NudgeKind::Reminder,
        due_at: t(100),
        detail: "<id@x>".into(),
    }
}

/// The `booking.changed` jobs in the queue, oldest first.
async fn outbox(store: &dyn Store) -> Vec<BookingChanged> {
    let mut jobs = store
        .jobs(Some(JobState::Queued), None, 1000)
        .await
        .unwrap();
    jobs.retain(|j| j.kind == BOOKING_CHANGED);
    jobs.sort_by_key(|j| j.id);
    assert!(
        jobs.iter()
            .all(|j| j.max_attempts == BOOKING_CHANGED_ATTEMPTS)
    );
    jobs.iter()
        .map(|j| serde_json::from_str(&j.payload).unwrap())
        .collect()
}

async fn preferences_default_until_saved(store: Arc<dyn Store>) {
    let w = booking_world(&*store).await;
    assert_eq!(
        store.nudge_prefs(w.mentee).await.unwrap(),
        NudgePrefs::default()
    );
    let mine = NudgePrefs {
        reminders: vec![180],
        quiet: None,
        channels: BTreeMap::from([(NudgeKind::Reminder, [Channel::Email].into())]),
    };
    store.save_nudge_prefs(w.mentee, &mine, t(1)).await.unwrap();
    store.save_nudge_prefs(w.mentee, &mine, t(2)).await.unwrap();
    assert_eq!(store.nudge_prefs(w.mentee).await.unwrap(), mine);
    assert_eq!(
        store.nudge_prefs(w.mentor).await.unwrap(),
        NudgePrefs::default()
    );
}

async fn a_nudge_is_recorded_sent_once_per_channel(store: Arc<dyn Store>) {
    let w = booking_world(&*store).await;
    let b = booked(&*store, &w, 600).await;
    let mail = delivery(b, &w, Channel::Email);
    let failed = NewDelivery {
        detail: "smtp 127.0.0.1:1 refused the connection".into(),
        ..mail.clone()
    };
    store.record_failed(&failed, t(10)).await.unwrap();
    let d = store
        .delivery(&mail.nudge_key, Channel::Email)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((d.status, d.attempts), (DeliveryStatus::Failed, 1));
    assert!(d.detail.contains("refused"));
    assert!(store.record_sent(&mail, t(20)).await.unwrap());
    assert!(!store.record_sent(&mail, t(30)).await.unwrap());
    // A late failure report (a retried attempt that lost the race) never undoes "sent".
    store.record_failed(&failed, t(40)).await.unwrap();
    let d = store
        .delivery(&mail.nudge_key, Channel::Email)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (d.status, d.attempts, d.at),
        (DeliveryStatus::Sent, 2, t(20))
    );
    assert_eq!(d.detail, "<id@x>");
    // The other channel of the same nudge is its own.
    assert!(
        store
            .delivery(&mail.nudge_key, Channel::InApp)
            .await
            .unwrap()
            .is_none()
    );
    let log = store.deliveries(b).await.unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(store.recent_deliveries(None, 10).await.unwrap(), log);
}

async fn racing_in_app_deliveries_leave_one_inbox_item(store: Arc<dyn Store>) {
    let w = booking_world(&*store).await;
    let b = booked(&*store, &w, 600).await;
    let d = delivery(b, &w, Channel::InApp);
    let item = NewInboxItem {
        user: w.mentee,
        booking: Some(b),
        kind: NudgeKind::Reminder,
        title: "In 1 hour: Clinic".into(),
        body: "A reminder".into(),
        link: format!("/sessions/{b}"),
    };
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (store, d, item) = (store.clone(), d.clone(), item.clone());
            tokio::spawn(async move { store.deliver_in_app(&d, &item, t(5)).await.unwrap() })
        })
        .collect();
    let mut delivered = 0;
    for task in tasks {
        delivered += usize::from(task.await.unwrap());
    }
    assert_eq!(delivered, 1);
    let inbox = store.inbox(w.mentee, None, 50).await.unwrap();
    assert_eq!(inbox.len(), 1);
    assert_eq!(inbox[0].title, "In 1 hour: Clinic");
    assert_eq!(store.unread_count(w.mentee).await.unwrap(), 1);
    let logged = store
        .delivery(&d.nudge_key, Channel::InApp)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(logged.status, DeliveryStatus::Sent);
}

async fn the_inbox_is_each_persons_own(store: Arc<dyn Store>) {
    let w = booking_world(&*store).await;
    let b = booked(&*store, &w, 600).await;
    for (i, kind) in [NudgeKind::Booked, NudgeKind::Reminder, NudgeKind::PrepDue]
        .iter()
        .enumerate()
    {
        let d = NewDelivery {
            nudge_key: format!("k{i}"),
            kind: *kind,
            ..delivery(b, &w, Channel::InApp)
        };
        let item = NewInboxItem {
            user: w.mentee,
            booking: Some(b),
            kind: *kind,
            title: format!("item {i}"),
            body: String::new(),
            link: "/".into(),
        };
        assert!(store.deliver_in_app(&d, &item, t(i as i64)).await.unwrap());
    }
    let inbox = store.inbox(w.mentee, None, 50).await.unwrap();
    assert_eq!(
        inbox.iter().map(|i| i.title.as_str()).collect::<Vec<_>>(),
        ["item 2", "item 1", "item 0"]
    );
    // The mentor cannot read the mentee's item, by id or all at once.
    assert_eq!(
        store
            .mark_read(w.mentor, Some(inbox[0].id), t(9))
            .await
            .unwrap(),
        0
    );
    assert_eq!(store.mark_read(w.mentor, None, t(9)).await.unwrap(), 0);
    assert_eq!(store.unread_count(w.mentee).await.unwrap(), 3);
    assert!(store.inbox(w.mentor, None, 50).await.unwrap().is_empty());
    assert_eq!(
        store
            .mark_read(w.mentee, Some(inbox[0].id), t(9))
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        store
            .mark_read(w.mentee, Some(inbox[0].id), t(9))
            .await
            .unwrap(),
        0
    );
    assert_eq!(store.unread_count(w.mentee).await.unwrap(), 2);
    assert_eq!(store.mark_read(w.mentee, None, t(10)).await.unwrap(), 2);
    assert_eq!(store.unread_count(w.mentee).await.unwrap(), 0);
    let read = store.inbox(w.mentee, None, 50).await.unwrap();
    assert_eq!(read[0].read_at, Some(t(9)));
    assert_eq!(read[1].read_at, Some(t(10)));
}

async fn every_booking_change_enqueues_one_outbox_job(store: Arc<dyn Store>) {
    let w = booking_world(&*store).await;
    let key = IdempotencyKey {
        key: "k-1".into(),
        request_hash: "h".into(),
    };
    let made = store
        .create_booking(&at(&w, 600, 60), Some(&key), &naive, t(0))
        .await
        .unwrap();
    let BookingOutcome::Created(first) = made else {
        panic!("{made:?}")
    };
    // A replay of the key changes nothing, so it enqueues nothing.
    let again = store
        .create_booking(&at(&w, 600, 60), Some(&key), &naive, t(1))
        .await
        .unwrap();
    assert!(matches!(again, BookingOutcome::Replayed(ref b) if b.id == first.id));
    // A claim the database refuses (an overlap) enqueues nothing either.
    assert!(
        store
            .create_booking(&at(&w, 630, 60), None, &naive, t(1))
            .await
            .is_err()
    );
    let second = booked(&*store, &w, 900).await;
    store
        .reschedule_booking(first.id, t(700 * 60), t(760 * 60), w.mentee, &naive, t(2))
        .await
        .unwrap();
    store
        .cancel_booking(
            first.id,
            w.mentee,
            "ill",
            false,
            stint_domain::ledger::HoldEnd::Release,
            t(3),
        )
        .await
        .unwrap();
    store
        .mark_no_show(
            second,
            NoShowSide::Mentor,
            w.mentee,
            stint_domain::ledger::HoldEnd::Release,
            t(4),
        )
        .await
        .unwrap();
    let changes: Vec<_> = outbox(&*store)
        .await
        .into_iter()
        .map(|c| (c.booking, c.change, c.at))
        .collect();
    assert_eq!(
        changes,
        [
            (first.id, BookingChange::Created, t(0).as_second()),
            (second, BookingChange::Created, t(0).as_second()),
            (first.id, BookingChange::Rescheduled, t(2).as_second()),
            (first.id, BookingChange::Cancelled, t(3).as_second()),
            (second, BookingChange::NoShow, t(4).as_second()),
        ]
    );
    // A change the store refuses (cancelling twice) enqueues nothing.
    assert!(
        store
            .cancel_booking(
                first.id,
                w.mentee,
                "again",
                false,
                stint_domain::ledger::HoldEnd::Release,
                t(5)
            )
            .await
            .is_err()
    );
    assert_eq!(outbox(&*store).await.len(), 5);
}

async fn racing_claims_enqueue_one_job_per_booking_made(store: Arc<dyn Store>) {
    let w = Arc::new(booking_world(&*store).await);
    // 24 claims: 12 on one slot, 12 on slots of their own, all for one mentor at once, so
    // optimistic writes lose races and some take the locked path.
    let tasks: Vec<_> = (0..24)
        .map(|i| {
            let (store, w) = (store.clone(), w.clone());
            let start = if i < 12 { 600 } else { 600 + 120 * i };
            tokio::spawn(async move {
                store
                    .create_booking(&at(&w, start, 60), None, &naive, t(0))
                    .await
            })
        })
        .collect();
    let mut made = Vec::new();
    for task in tasks {
        if let Ok(BookingOutcome::Created(b)) = task.await.unwrap() {
            made.push(b.id);
        }
    }
    assert_eq!(made.len(), 13);
    let mut planned: Vec<_> = outbox(&*store)
        .await
        .into_iter()
        .map(|c| c.booking)
        .collect();
    planned.sort();
    made.sort();
    assert_eq!(planned, made);
}
