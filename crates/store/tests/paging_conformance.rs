//! Lists that page, on SQLite and PostgreSQL: following each list's cursor page by page
//! yields every row once, in the list's order, and only the rows the list is about.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use stint_domain::booking::BookingId;
use stint_domain::catalog::SkuStatus;
use stint_domain::ids::{SkuId, UserId};
use stint_domain::mentor::MentorProfileInput;
use stint_domain::nudge::{Channel, NudgeKind};
use stint_domain::role::Role;
use stint_store::{BookingOutcome, JobState, NewDelivery, NewInboxItem, NewJob, Store};

#[macro_use]
mod common;
use common::*;

conformance!(
    the_directory_pages_by_name,
    a_persons_bookings_page_by_start,
    jobs_inbox_and_deliveries_page_newest_first,
);

/// Follows a newest-first list by its `before` cursor (the last id of each page).
async fn follow_back<F, Fut>(limit: u32, mut page: F) -> Vec<i64>
where
    F: FnMut(Option<i64>, u32) -> Fut,
    Fut: std::future::Future<Output = Vec<i64>>,
{
    let mut seen = Vec::new();
    let mut before = None;
    loop {
        let found = page(before, limit + 1).await;
        let more = found.len() > limit as usize;
        seen.extend(found.into_iter().take(limit as usize));
        if !more {
            return seen;
        }
        before = seen.last().copied();
    }
}

/// Every page of the directory (of `sku`) at `limit` a page, followed by its cursor.
async fn all_pages(store: &dyn Store, sku: Option<SkuId>, limit: u32) -> Vec<UserId> {
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = store
            .directory_page(&by_sku(sku), after, limit + 1)
            .await
            .unwrap();
        let more = page.len() > limit as usize;
        seen.extend(page.iter().take(limit as usize).map(|m| m.user_id));
        if !more {
            return seen;
        }
        after = seen.last().copied();
    }
}

async fn the_directory_pages_by_name(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let (c, cp) = seed_competency(s).await;
    let mut active = Vec::new();
    for slug in ["clinic", "triage"] {
        s.create_sku(slug, &content(c, cp, slug), None, t(0))
            .await
            .unwrap();
        let sku = s.set_sku_status(slug, SkuStatus::Active, t(0)).await;
        active.push(sku.unwrap().sku_id);
    }
    let clinic = active[0];
    // Names that tie, so the order falls back to the id; one mentor delivers nothing, one
    // profile has lost the mentor role: neither is listed.
    let names = ["Zoe", "Ana", "Ana", "Mia", "Bo", "Ana", "Kim", "Lou", "Eve"];
    let mut listed = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let mut new = new_account(&format!("mentor{i}@example.com"));
        new.display_name = (*name).into();
        let m = s.create_account(&new, "h", t(0)).await.unwrap();
        s.grant_role(m.id, Role::Mentor).await.unwrap();
        let skus = match i {
            7 => vec![],
            _ if i % 2 == 0 => vec!["clinic".to_string()],
            _ => vec!["triage".to_string()],
        };
        let delivers = !skus.is_empty();
        let profile = MentorProfileInput {
            headline: "Negotiated 200 offers".into(),
            bio: String::new(),
            meeting_url: String::new(),
            skus,
            ..Default::default()
        };
        s.save_mentor_profile(m.id, &profile, t(1)).await.unwrap();
        if i == 8 {
            s.revoke_role(m.id, Role::Mentor).await.unwrap();
        } else if delivers {
            listed.push((name.to_string(), m.id, i % 2 == 0));
        }
    }
    listed.sort();
    let everyone: Vec<UserId> = listed.iter().map(|(_, id, _)| *id).collect();
    let of_clinic: Vec<UserId> = listed
        .iter()
        .filter(|(_, _, clinic)| *clinic)
        .map(|(_, id, _)| *id)
        .collect();
    for limit in [1, 2, 3, 50] {
        assert_eq!(all_pages(s, None, limit).await, everyone, "limit {limit}");
        assert_eq!(all_pages(s, Some(clinic), limit).await, of_clinic);
    }
    assert_eq!(s.directory_count(&by_sku(None)).await.unwrap(), 7);
    assert_eq!(s.directory_count(&by_sku(Some(clinic))).await.unwrap(), 4);
}

async fn a_persons_bookings_page_by_start(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let w = booking_world(s).await;
    let other = s
        .create_account(&new_account("other@example.com"), "h", t(0))
        .await
        .unwrap();
    // The mentee's bookings, out of start order, two at one start (with different mentors),
    // and someone else's, which the mentee's pages never show.
    let mut mine = Vec::new();
    for (start, mentor) in [
        (900, w.mentor),
        (600, w.mentor),
        (600, other.id),
        (1200, w.mentor),
    ] {
        let mut new = at(&w, start, 30);
        new.mentor_id = mentor;
        match s.create_booking(&new, None, &naive, t(0)).await.unwrap() {
            BookingOutcome::Created(b) => mine.push((b.start, b.id)),
            o => panic!("{o:?}"),
        }
    }
    let mut theirs = at(&w, 1500, 30);
    theirs.mentee_id = other.id;
    assert!(matches!(
        s.create_booking(&theirs, None, &naive, t(0)).await.unwrap(),
        BookingOutcome::Created(_)
    ));
    mine.sort();
    let expected: Vec<BookingId> = mine.iter().map(|(_, id)| *id).collect();
    for limit in [1, 2, 3, 10] {
        let mut seen = Vec::new();
        let mut after = None;
        loop {
            let page = s
                .booking_contexts_page(w.mentee, after, limit + 1)
                .await
                .unwrap();
            let more = page.len() > limit as usize;
            let kept: Vec<_> = page.into_iter().take(limit as usize).collect();
            after = kept.last().map(|c| (c.booking.start, c.booking.id));
            seen.extend(kept.iter().map(|c| c.booking.id));
            if !more {
                break;
            }
        }
        assert_eq!(seen, expected, "limit {limit}");
    }
    // Each page's histories come with it.
    let events = s.booking_events_for(&expected[..2]).await.unwrap();
    assert_eq!(events.len(), 2, "{events:?}");
    assert!(events.iter().all(|(b, _)| expected[..2].contains(b)));
}

async fn jobs_inbox_and_deliveries_page_newest_first(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let w = booking_world(s).await;
    let mut jobs = Vec::new();
    for n in 0..7 {
        let job = NewJob {
            kind: "test.noop".into(),
            payload: format!("{{\"n\":{n}}}"),
            dedupe_key: None,
            due_at: t(n),
            max_attempts: 3,
        };
        s.enqueue(&job, t(0)).await.unwrap();
    }
    for j in s.jobs(None, None, 100).await.unwrap() {
        jobs.push(j.id);
    }
    assert_eq!(jobs.len(), 7);
    assert!(jobs.windows(2).all(|p| p[0] > p[1]), "newest first");
    for limit in [1, 3, 7] {
        let seen = follow_back(limit, |before, n| async move {
            s.jobs(None, before, n)
                .await
                .unwrap()
                .iter()
                .map(|j| j.id)
                .collect()
        })
        .await;
        assert_eq!(seen, jobs);
        let queued = follow_back(limit, |before, n| async move {
            let page = s.jobs(Some(JobState::Queued), before, n).await.unwrap();
            page.iter().map(|j| j.id).collect()
        })
        .await;
        assert_eq!(queued, jobs);
    }
    assert!(
        s.jobs(Some(JobState::Dead), None, 10)
            .await
            .unwrap()
            .is_empty()
    );

    let mut booked = Vec::new();
    for start in [600, 700, 800, 900, 1000] {
        if let BookingOutcome::Created(b) = s
            .create_booking(&at(&w, start, 30), None, &naive, t(0))
            .await
            .unwrap()
        {
            booked.push(b.id);
        }
    }
    for (n, b) in booked.iter().enumerate() {
        let d = NewDelivery {
            nudge_key: format!("{b}/reminder60m@0/{}", w.mentee),
            channel: Channel::InApp,
            booking: *b,
            recipient: w.mentee,
            kind: NudgeKind::Reminder,
            due_at: t(100),
            detail: String::new(),
        };
        let item = NewInboxItem {
            user: w.mentee,
            booking: Some(*b),
            kind: NudgeKind::Reminder,
            title: format!("Reminder {n}"),
            body: "Soon".into(),
            link: format!("/sessions/{b}"),
        };
        assert!(
            s.deliver_in_app(&d, &item, t(100 + n as i64))
                .await
                .unwrap()
        );
    }
    let items: Vec<i64> = s
        .inbox(w.mentee, None, 100)
        .await
        .unwrap()
        .iter()
        .map(|i| i.id)
        .collect();
    let delivered: Vec<i64> = s
        .recent_deliveries(None, 100)
        .await
        .unwrap()
        .iter()
        .map(|d| d.id)
        .collect();
    assert_eq!((items.len(), delivered.len()), (5, 5));
    for limit in [1, 2, 5] {
        let seen = follow_back(limit, |before, n| async move {
            let page = s.inbox(w.mentee, before, n).await.unwrap();
            page.iter().map(|i| i.id).collect()
        })
        .await;
        assert_eq!(seen, items);
        let seen = follow_back(limit, |before, n| async move {
            let page = s.recent_deliveries(before, n).await.unwrap();
            page.iter().map(|d| d.id).collect()
        })
        .await;
        assert_eq!(seen, delivered);
    }
    // Another person's inbox is not the mentee's.
    assert!(s.inbox(w.mentor, None, 10).await.unwrap().is_empty());
}

/// The directory narrowed to one SKU's mentors, or not at all.
fn by_sku(sku: Option<stint_domain::ids::SkuId>) -> stint_domain::mentor::DirectoryFilter {
    stint_domain::mentor::DirectoryFilter {
        sku,
        ..Default::default()
    }
}
