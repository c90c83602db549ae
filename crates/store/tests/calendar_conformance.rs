//! Conformance of calendar-sync storage on SQLite and PostgreSQL: sources with their health,
//! busy intervals replaced all at once (and kept when a sync fails), written events, and the
//! external busy time seen by slot searches and refused by the booking claim.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use stint_domain::schedule::{Availability, Busy, BusyKind};
use stint_store::{
    BookingOutcome, NewCalendarSource, SourceKind, Store, StoreError, SyncRecord, WrittenEvent,
};

#[macro_use]
mod common;
use common::*;

conformance!(
    sources_keep_their_health_and_busy_time,
    external_busy_time_is_busy_time,
    a_claim_overlapping_external_busy_time_is_refused,
    removing_a_source_removes_its_busy_time_and_events,
);

fn caldav(mentor: stint_domain::ids::UserId) -> NewCalendarSource {
    NewCalendarSource {
        mentor,
        kind: SourceKind::CalDav,
        url: "https://cal.example.com/dav/".into(),
        username: "ana".into(),
        password_sealed: Some("c2VhbGVk".into()),
    }
}

async fn sources_keep_their_health_and_busy_time(store: Arc<dyn Store>) {
    let w = booking_world(store.as_ref()).await;
    let s = store
        .add_calendar_source(&caldav(w.mentor), t(0))
        .await
        .unwrap();
    assert_eq!(s.kind, SourceKind::CalDav);
    assert_eq!(s.last_attempt_at, None);
    assert_eq!((s.events_written, s.busy_intervals_read), (0, 0));
    store
        .set_calendar_url(s.id, "https://cal.example.com/dav/ana/work/")
        .await
        .unwrap();
    let busy = [(t(60), t(120)), (t(300), t(360))];
    store.replace_calendar_busy(s.id, &busy).await.unwrap();
    store
        .record_calendar_sync(
            s.id,
            &SyncRecord {
                at: t(10),
                error: None,
                events_written: 2,
            },
        )
        .await
        .unwrap();
    // A failed sync records its error and keeps what the last good one read.
    store
        .record_calendar_sync(
            s.id,
            &SyncRecord {
                at: t(20),
                error: Some("wrong password".into()),
                events_written: 0,
            },
        )
        .await
        .unwrap();
    let got = store.calendar_source(s.id).await.unwrap().unwrap();
    assert_eq!(got.last_attempt_at, Some(t(20)));
    assert_eq!(got.last_success_at, Some(t(10)));
    assert_eq!(got.last_error.as_deref(), Some("wrong password"));
    assert_eq!((got.events_written, got.busy_intervals_read), (2, 2));
    assert_eq!(
        got.calendar_url.as_deref(),
        Some("https://cal.example.com/dav/ana/work/")
    );
    assert_eq!(store.calendar_busy(s.id).await.unwrap(), busy.to_vec());
    // A success clears the error; a new read replaces every interval.
    store
        .replace_calendar_busy(s.id, &[(t(900), t(960))])
        .await
        .unwrap();
    store
        .record_calendar_sync(
            s.id,
            &SyncRecord {
                at: t(30),
                error: None,
                events_written: 0,
            },
        )
        .await
        .unwrap();
    let got = store.calendar_source(s.id).await.unwrap().unwrap();
    assert_eq!(got.last_error, None);
    assert_eq!(got.busy_intervals_read, 1);
    assert_eq!(
        store.calendar_busy(s.id).await.unwrap(),
        vec![(t(900), t(960))]
    );
    assert_eq!(store.calendar_sources_of(w.mentor).await.unwrap().len(), 1);
    assert!(
        store
            .calendar_sources_of(w.mentee)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(store.all_calendar_sources().await.unwrap().len(), 1);
    // The password never shows in debug output.
    assert!(!format!("{got:?}").contains("c2VhbGVk"));
    assert!(matches!(
        store.set_calendar_url(999_999, "x").await,
        Err(StoreError::NotFound)
    ));
}

async fn external_busy_time_is_busy_time(store: Arc<dyn Store>) {
    let w = booking_world(store.as_ref()).await;
    let s = store
        .add_calendar_source(&caldav(w.mentor), t(0))
        .await
        .unwrap();
    store
        .replace_calendar_busy(s.id, &[(t(3600), t(7200))])
        .await
        .unwrap();
    store
        .create_booking(&at(&w, 600, 45), None, &naive, t(0))
        .await
        .unwrap();
    let busy = store.mentor_busy(w.mentor, t(0), t(100_000)).await.unwrap();
    assert_eq!(busy.len(), 2);
    assert!(busy.contains(&Busy {
        start: t(3600),
        end: t(7200),
        kind: BusyKind::Blocked
    }));
    assert!(busy.iter().any(|b| b.kind == BusyKind::Session));
    let all = store.busy_of(&[w.mentor], t(0), t(100_000)).await.unwrap();
    assert_eq!(all.len(), 2);
    assert!(all.iter().all(|(m, _)| *m == w.mentor));
    // Outside the window, nothing.
    assert!(
        store
            .mentor_busy(w.mentor, t(7200), t(8000))
            .await
            .unwrap()
            .is_empty()
    );
}

async fn a_claim_overlapping_external_busy_time_is_refused(store: Arc<dyn Store>) {
    let w = booking_world(store.as_ref()).await;
    let s = store
        .add_calendar_source(&caldav(w.mentor), t(0))
        .await
        .unwrap();
    // Busy 10:00–11:00 (minutes 600–660) in the mentor's other calendar.
    store
        .replace_calendar_busy(s.id, &[(t(600 * 60), t(660 * 60))])
        .await
        .unwrap();
    // An admission that refuses any overlap with the busy time it is shown.
    let admit = |_: Option<&Availability>, busy: &[Busy]| {
        let (start, end) = (t(630 * 60), t(675 * 60));
        !busy.iter().any(|b| b.start < end && b.end > start)
    };
    assert!(matches!(
        store
            .create_booking(&at(&w, 630, 45), None, &admit, t(0))
            .await,
        Err(StoreError::SlotTaken)
    ));
    // The same admission with the time free books.
    store.replace_calendar_busy(s.id, &[]).await.unwrap();
    assert!(matches!(
        store
            .create_booking(&at(&w, 630, 45), None, &admit, t(0))
            .await,
        Ok(BookingOutcome::Created(_))
    ));
}

async fn removing_a_source_removes_its_busy_time_and_events(store: Arc<dyn Store>) {
    let w = booking_world(store.as_ref()).await;
    let s = store
        .add_calendar_source(&caldav(w.mentor), t(0))
        .await
        .unwrap();
    let b = match store
        .create_booking(&at(&w, 600, 45), None, &naive, t(0))
        .await
        .unwrap()
    {
        BookingOutcome::Created(b) | BookingOutcome::Replayed(b) => b,
    };
    let ev = WrittenEvent {
        booking: b.id,
        uid: format!("booking-{}@stint", b.id),
        etag: "\"1\"".into(),
        sequence: 0,
    };
    store.save_written_event(s.id, &ev, t(1)).await.unwrap();
    let newer = WrittenEvent {
        etag: "\"2\"".into(),
        sequence: 1,
        ..ev.clone()
    };
    store.save_written_event(s.id, &newer, t(2)).await.unwrap();
    assert_eq!(store.written_events(s.id).await.unwrap(), vec![newer]);
    store.forget_written_event(s.id, b.id).await.unwrap();
    assert!(store.written_events(s.id).await.unwrap().is_empty());
    store.save_written_event(s.id, &ev, t(3)).await.unwrap();
    store
        .replace_calendar_busy(s.id, &[(t(60), t(120))])
        .await
        .unwrap();
    store.remove_calendar_source(s.id).await.unwrap();
    assert!(store.calendar_source(s.id).await.unwrap().is_none());
    assert!(store.calendar_busy(s.id).await.unwrap().is_empty());
    assert!(store.written_events(s.id).await.unwrap().is_empty());
    assert_eq!(
        store.mentor_busy(w.mentor, t(0), t(200)).await.unwrap(),
        vec![]
    );
    assert!(matches!(
        store.remove_calendar_source(s.id).await,
        Err(StoreError::NotFound)
    ));
}
