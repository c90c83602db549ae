//! Conformance of the outcome loop's storage, on SQLite and PostgreSQL: prep, assessments,
//! notes, closing (once, atomically), tasks, deliverables, and the outcome records.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use jiff::civil::date;
use std::sync::Arc;
use stint_domain::booking::{BookingId, BookingStatus};
use stint_domain::outcome::assessment::{Assessment, AssessmentKind, Level};
use stint_domain::outcome::closing::{CheckpointResult, Closing, Task};
use stint_domain::outcome::notes::NoteKind;
use stint_domain::outcome::prep::Prep;
use stint_store::{BookingOutcome, CloseSession, OutcomeFilter, Store, StoreError};

#[macro_use]
mod common;
use common::*;

conformance!(
    prep_assessments_and_notes_round_trip,
    closing_completes_a_session_once_with_its_tasks_and_artifacts,
    racing_closings_have_one_winner,
    tasks_and_artifacts_are_ticked_per_booking,
    outcomes_carry_levels_and_task_counts,
    completed_sessions_still_count_toward_caps,
);

async fn book(store: &dyn Store, w: &Booked, start_min: i64) -> BookingId {
    match store
        .create_booking(&at(w, start_min, 30), None, &naive, t(0))
        .await
        .unwrap()
    {
        BookingOutcome::Created(b) => b.id,
        other => panic!("expected a new booking, got {other:?}"),
    }
}

fn closing(checkpoint: CheckpointResult, tasks: usize) -> Closing {
    Closing {
        checkpoint,
        evidence: "Ran the mock negotiation end to end".into(),
        followup: "Hi Ana, well done.".into(),
        tasks: (0..tasks)
            .map(|i| Task {
                title: format!("Task {i}"),
                due: date(2027, 1, 10 + i as i8),
            })
            .collect(),
    }
}

async fn close(
    store: &dyn Store,
    w: &Booked,
    id: BookingId,
    c: &Closing,
) -> Result<(), StoreError> {
    let artifacts = vec![
        "Offer script".to_string(),
        "Counter-offer table".to_string(),
    ];
    store
        .close_session(
            &CloseSession {
                booking: id,
                closing: c,
                artifacts: &artifacts,
                closed_by: w.mentor,
                followup_opens_at: t(7 * 86_400),
                hold: stint_domain::ledger::HoldEnd::Release,
            },
            t(3600),
        )
        .await
}

fn assessed(level: i64) -> Assessment {
    Assessment {
        level: Level::parse(level).unwrap(),
        answers: vec!["I anchor first".into()],
    }
}

async fn prep_assessments_and_notes_round_trip(store: Arc<dyn Store>) {
    let w = booking_world(store.as_ref()).await;
    let id = book(store.as_ref(), &w, 600).await;
    assert!(store.prep(id).await.unwrap().is_none());
    let first = Prep {
        intake_answers: vec!["A raise".into()],
        pre_reads_read: vec![],
    };
    store.save_prep(id, &first, t(1)).await.unwrap();
    let second = Prep {
        intake_answers: vec!["A raise of 10%".into(), "Next month".into()],
        pre_reads_read: vec![0, 2],
    };
    store.save_prep(id, &second, t(2)).await.unwrap();
    let saved = store.prep(id).await.unwrap().unwrap();
    assert_eq!((saved.prep, saved.updated_at), (second, t(2)));
    assert!(matches!(
        store.save_prep(BookingId(id.0 + 999), &first, t(3)).await,
        Err(StoreError::NotFound)
    ));

    store
        .save_assessment(id, AssessmentKind::Baseline, &assessed(2), t(4))
        .await
        .unwrap();
    // Each kind is taken once.
    assert!(matches!(
        store
            .save_assessment(id, AssessmentKind::Baseline, &assessed(4), t(5))
            .await,
        Err(StoreError::Conflict { field: "kind", .. })
    ));
    let all = store.assessments(id).await.unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(
        (all[0].kind, all[0].level.get(), all[0].answers.clone()),
        (
            AssessmentKind::Baseline,
            2,
            vec!["I anchor first".to_string()]
        )
    );

    let note = |kind, author, body, html| stint_store::NewNote {
        booking: id,
        kind,
        author,
        body,
        html,
    };
    let saves = [
        (
            note(NoteKind::Shared, w.mentee, "# Plan", "<h1>Plan</h1>"),
            t(6),
        ),
        (
            note(
                NoteKind::Shared,
                w.mentor,
                "# Plan\n- anchor",
                "<h1>Plan</h1><ul><li>anchor</li></ul>",
            ),
            t(7),
        ),
        (
            note(
                NoteKind::MentorPrivate,
                w.mentor,
                "nervous",
                "<p>nervous</p>",
            ),
            t(8),
        ),
    ];
    for (n, at) in saves {
        store.save_note(&n, at).await.unwrap();
    }
    let notes = store.notes(id).await.unwrap();
    assert_eq!(notes.len(), 2);
    let shared = notes.iter().find(|n| n.kind == NoteKind::Shared).unwrap();
    assert_eq!(
        (
            shared.body.as_str(),
            shared.html.as_str(),
            shared.author_id,
            shared.updated_at
        ),
        (
            "# Plan\n- anchor",
            "<h1>Plan</h1><ul><li>anchor</li></ul>",
            w.mentor,
            t(7)
        )
    );
}

async fn closing_completes_a_session_once_with_its_tasks_and_artifacts(store: Arc<dyn Store>) {
    let w = booking_world(store.as_ref()).await;
    let id = book(store.as_ref(), &w, 600).await;
    close(
        store.as_ref(),
        &w,
        id,
        &closing(CheckpointResult::Partly, 3),
    )
    .await
    .unwrap();
    let b = store.booking(id).await.unwrap().unwrap();
    assert_eq!(b.status, BookingStatus::Completed);
    let c = store.closing(id).await.unwrap().unwrap();
    assert_eq!(
        (c.checkpoint, c.closed_by, c.closed_at, c.followup_opens_at),
        (CheckpointResult::Partly, w.mentor, t(3600), t(7 * 86_400))
    );
    let tasks = store.tasks(id).await.unwrap();
    assert_eq!(
        tasks
            .iter()
            .map(|t| (t.title.as_str(), t.due))
            .collect::<Vec<_>>(),
        vec![
            ("Task 0", date(2027, 1, 10)),
            ("Task 1", date(2027, 1, 11)),
            ("Task 2", date(2027, 1, 12))
        ]
    );
    let delivered = store.deliverables(id).await.unwrap();
    assert_eq!(
        delivered
            .iter()
            .map(|d| d.title.as_str())
            .collect::<Vec<_>>(),
        vec!["Offer script", "Counter-offer table"]
    );
    let history = store.booking_events(id).await.unwrap();
    assert_eq!(
        history.last().map(|e| e.status),
        Some(BookingStatus::Completed)
    );
    // Closing twice, or closing a cancelled session, changes nothing.
    assert!(matches!(
        close(
            store.as_ref(),
            &w,
            id,
            &closing(CheckpointResult::Reached, 1)
        )
        .await,
        Err(StoreError::Conflict {
            field: "status",
            ..
        })
    ));
    assert_eq!(store.tasks(id).await.unwrap().len(), 3);
    assert_eq!(
        store.closing(id).await.unwrap().unwrap().checkpoint,
        CheckpointResult::Partly
    );
    let other = book(store.as_ref(), &w, 900).await;
    store
        .cancel_booking(
            other,
            w.mentee,
            "ill",
            false,
            stint_domain::ledger::HoldEnd::Release,
            t(10),
        )
        .await
        .unwrap();
    assert!(matches!(
        close(
            store.as_ref(),
            &w,
            other,
            &closing(CheckpointResult::Reached, 1)
        )
        .await,
        Err(StoreError::Conflict {
            field: "status",
            ..
        })
    ));
    assert!(store.closing(other).await.unwrap().is_none());
    assert!(matches!(
        close(
            store.as_ref(),
            &w,
            BookingId(other.0 + 999),
            &closing(CheckpointResult::Reached, 0)
        )
        .await,
        Err(StoreError::NotFound)
    ));
}

async fn racing_closings_have_one_winner(store: Arc<dyn Store>) {
    let w = Arc::new(booking_world(store.as_ref()).await);
    let id = book(store.as_ref(), &w, 600).await;
    let mut tasks = Vec::new();
    for i in 0..8 {
        let (s, w) = (store.clone(), w.clone());
        tasks.push(tokio::spawn(async move {
            close(
                s.as_ref(),
                &w,
                id,
                &closing(CheckpointResult::Reached, i % 4),
            )
            .await
        }));
    }
    let mut won = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(()) => won += 1,
            Err(StoreError::Conflict { .. }) => {}
            Err(e) => panic!("a racing closing failed with {e:?}"),
        }
    }
    assert_eq!(won, 1);
    let closed = store.outcomes(OutcomeFilter::default()).await.unwrap();
    assert_eq!(closed.len(), 1);
    // The winner's tasks only, never a mix.
    assert_eq!(
        store.tasks(id).await.unwrap().len() as u32,
        closed[0].tasks_total
    );
}

async fn tasks_and_artifacts_are_ticked_per_booking(store: Arc<dyn Store>) {
    let w = booking_world(store.as_ref()).await;
    let id = book(store.as_ref(), &w, 600).await;
    let other = book(store.as_ref(), &w, 900).await;
    close(
        store.as_ref(),
        &w,
        id,
        &closing(CheckpointResult::Reached, 2),
    )
    .await
    .unwrap();
    let task = store.tasks(id).await.unwrap()[1].id;
    let done = store.set_task_done(id, task, true, t(50)).await.unwrap();
    assert_eq!(done.done_at, Some(t(50)));
    let open = store.set_task_done(id, task, false, t(60)).await.unwrap();
    assert_eq!(open.done_at, None);
    store.set_task_done(id, task, true, t(70)).await.unwrap();
    // A task is only reachable through its own booking.
    assert!(matches!(
        store.set_task_done(other, task, true, t(80)).await,
        Err(StoreError::NotFound)
    ));
    let mine = store.tasks_of(w.mentee).await.unwrap();
    assert_eq!(mine.len(), 2);
    assert!(store.tasks_of(w.mentor).await.unwrap().is_empty());

    store.tick_deliverable(id, 1, true, t(90)).await.unwrap();
    let d = store.deliverables(id).await.unwrap();
    assert_eq!(
        d.iter().map(|d| d.ticked_at).collect::<Vec<_>>(),
        vec![None, Some(t(90))]
    );
    assert!(matches!(
        store.tick_deliverable(id, 7, true, t(91)).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.tick_deliverable(other, 0, true, t(92)).await,
        Err(StoreError::NotFound)
    ));
}

async fn outcomes_carry_levels_and_task_counts(store: Arc<dyn Store>) {
    let w = booking_world(store.as_ref()).await;
    let a = book(store.as_ref(), &w, 600).await;
    let b = book(store.as_ref(), &w, 900).await;
    let open = book(store.as_ref(), &w, 1200).await;
    for (id, level) in [(a, 2), (b, 3), (open, 1)] {
        store
            .save_assessment(id, AssessmentKind::Baseline, &assessed(level), t(1))
            .await
            .unwrap();
    }
    close(
        store.as_ref(),
        &w,
        a,
        &closing(CheckpointResult::NotReached, 2),
    )
    .await
    .unwrap();
    close(
        store.as_ref(),
        &w,
        b,
        &closing(CheckpointResult::Reached, 1),
    )
    .await
    .unwrap();
    store
        .save_assessment(a, AssessmentKind::Followup, &assessed(4), t(9 * 86_400))
        .await
        .unwrap();
    let task = store.tasks(a).await.unwrap()[0].id;
    store.set_task_done(a, task, true, t(100)).await.unwrap();

    let all = store.outcomes(OutcomeFilter::default()).await.unwrap();
    // The session not closed yet is not an outcome.
    assert_eq!(
        all.iter().map(|o| o.booking_id).collect::<Vec<_>>(),
        vec![a, b]
    );
    let first = &all[0];
    assert_eq!(
        (
            first.checkpoint,
            first.baseline.map(Level::get),
            first.followup.map(Level::get),
            first.tasks_total,
            first.tasks_done,
            first.mentor_id,
            first.mentee_id,
            first.sku_id
        ),
        (
            CheckpointResult::NotReached,
            Some(2),
            Some(4),
            2,
            1,
            w.mentor,
            w.mentee,
            w.sku
        )
    );
    assert_eq!(all[1].followup, None);
    let by_mentee = OutcomeFilter {
        mentee: Some(w.mentee),
        ..Default::default()
    };
    assert_eq!(store.outcomes(by_mentee).await.unwrap().len(), 2);
    let by_other = OutcomeFilter {
        mentor: Some(w.mentee),
        ..Default::default()
    };
    assert!(store.outcomes(by_other).await.unwrap().is_empty());
    // Counted by the database, the same figures as from the sessions one by one.
    use stint_domain::outcome::metrics::OutcomeStats;
    for filter in [OutcomeFilter::default(), by_mentee, by_other] {
        let tallies = store.outcome_tallies(filter).await.unwrap();
        let sessions = store.outcomes(filter).await.unwrap();
        assert_eq!(
            OutcomeStats::of_tallies(tallies),
            OutcomeStats::of(&sessions)
        );
    }
    let tallies = store
        .outcome_tallies(OutcomeFilter::default())
        .await
        .unwrap();
    assert_eq!(tallies.iter().map(|t| t.sessions).sum::<u64>(), 2);
    assert_eq!(tallies.iter().map(|t| t.tasks_done).sum::<u64>(), 1);
}

async fn completed_sessions_still_count_toward_caps(store: Arc<dyn Store>) {
    let w = booking_world(store.as_ref()).await;
    let id = book(store.as_ref(), &w, 600).await;
    close(
        store.as_ref(),
        &w,
        id,
        &closing(CheckpointResult::Reached, 0),
    )
    .await
    .unwrap();
    // A cap of one session in the window: the completed one still uses it.
    let cap_of_one = |_: Option<&stint_domain::schedule::Availability>,
                      busy: &[stint_domain::schedule::Busy]| busy.is_empty();
    assert!(matches!(
        store
            .create_booking(&at(&w, 700, 30), None, &cap_of_one, t(0))
            .await,
        Err(StoreError::SlotTaken)
    ));
    assert_eq!(
        store
            .mentor_busy(w.mentor, t(0), t(100_000))
            .await
            .unwrap()
            .len(),
        1
    );
}
