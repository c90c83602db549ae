//! To-do derivation for both sides, and its urgency order.

use super::*;

fn t(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn d(s: &str) -> Date {
    s.parse().unwrap()
}

fn zone() -> TimeZone {
    TimeZone::get("America/New_York").unwrap()
}

const DONE: PrepStatus = PrepStatus {
    answered: true,
    pre_reads_done: true,
    baseline_done: true,
};

fn booking(id: i64, start: &str) -> BookingState {
    let start = t(start);
    BookingState {
        booking_id: BookingId(id),
        sku_title: format!("Session {id}"),
        start,
        end: start
            .checked_add(jiff::SignedDuration::from_mins(30))
            .unwrap(),
        status: BookingStatus::Confirmed,
        viewer_is_mentor: false,
        prep: PrepStatus::default(),
        closed: false,
        followup_opens_at: None,
        followup_done: false,
        open_tasks: vec![],
    }
}

fn kinds(items: &[TodoItem]) -> Vec<(i64, TodoKind)> {
    items.iter().map(|i| (i.booking_id.0, i.kind)).collect()
}

const NOW: &str = "2026-06-10T12:00:00Z";

#[test]
fn mentee_preps_upcoming_confirmed_sessions_until_prep_is_done() {
    let upcoming = booking(1, "2026-06-11T12:00:00Z");
    let prepped = BookingState {
        prep: DONE,
        ..booking(2, "2026-06-11T12:00:00Z")
    };
    let cancelled = BookingState {
        status: BookingStatus::Cancelled,
        ..booking(3, "2026-06-11T12:00:00Z")
    };
    let started = booking(4, "2026-06-10T11:50:00Z");
    let items = todo(&[upcoming, prepped, cancelled, started], t(NOW), &zone());
    assert_eq!(kinds(&items), vec![(1, TodoKind::Prep)]);
    assert_eq!(items[0].title, "Prepare for Session 1");
    assert_eq!(items[0].due, Some(Due::At(t("2026-06-11T12:00:00Z"))));
    assert!(!items[0].overdue);
}

#[test]
fn mentor_closes_ended_sessions_that_are_not_closed() {
    let mentor = |b: BookingState| BookingState {
        viewer_is_mentor: true,
        ..b
    };
    let ended = mentor(booking(1, "2026-06-10T11:00:00Z"));
    let running = mentor(booking(2, "2026-06-10T11:45:00Z"));
    let closed = BookingState {
        closed: true,
        ..mentor(booking(3, "2026-06-09T11:00:00Z"))
    };
    let no_show = BookingState {
        status: BookingStatus::NoShow,
        ..mentor(booking(4, "2026-06-09T11:00:00Z"))
    };
    // The mentor does not prep: an upcoming session gives the mentor nothing to do.
    let upcoming = mentor(booking(5, "2026-06-11T11:00:00Z"));
    let items = todo(
        &[ended, running, closed, no_show, upcoming],
        t(NOW),
        &zone(),
    );
    assert_eq!(kinds(&items), vec![(1, TodoKind::CloseSession)]);
    assert_eq!(items[0].title, "Close the session: Session 1");
    // Ended half an hour ago: due within a day of the end, not overdue yet.
    assert!(!items[0].overdue);
    // Marked completed but never closed: the closing is still owed.
    let completed = BookingState {
        status: BookingStatus::Completed,
        ..mentor(booking(7, "2026-06-09T11:00:00Z"))
    };
    let items = todo(&[completed], t(NOW), &zone());
    assert_eq!(kinds(&items), vec![(7, TodoKind::CloseSession)]);
    // Ended more than a day ago: overdue.
    assert!(items[0].overdue);
    // Exactly at the end it is due.
    let at_end = mentor(booking(6, "2026-06-10T11:30:00Z"));
    assert_eq!(todo(&[at_end], t(NOW), &zone()).len(), 1);
}

#[test]
fn mentee_gets_open_tasks_and_the_followup_once_it_opens() {
    let closed = BookingState {
        status: BookingStatus::Completed,
        prep: DONE,
        closed: true,
        followup_opens_at: Some(t("2026-06-10T09:00:00Z")),
        open_tasks: vec![
            OpenTask {
                id: 11,
                title: "Send the counter".into(),
                due: d("2026-06-12"),
            },
            OpenTask {
                id: 12,
                title: "Rehearse".into(),
                due: d("2026-06-09"),
            },
        ],
        ..booking(1, "2026-06-03T12:00:00Z")
    };
    let not_yet_open = BookingState {
        followup_opens_at: Some(t("2026-06-10T12:00:01Z")),
        open_tasks: vec![],
        ..closed.clone()
    };
    let followup_done = BookingState {
        followup_done: true,
        open_tasks: vec![],
        booking_id: BookingId(3),
        ..closed.clone()
    };
    let items = todo(&[closed, not_yet_open, followup_done], t(NOW), &zone());
    let got: Vec<(TodoKind, Option<i64>, bool)> = items
        .iter()
        .map(|i| (i.kind, i.task_id, i.overdue))
        .collect();
    assert_eq!(
        got,
        vec![
            (TodoKind::Task, Some(12), true),
            (TodoKind::Task, Some(11), false),
            (TodoKind::FollowupAssessment, None, false),
        ]
    );
    assert_eq!(items[2].title, "Follow-up check-in: Session 1");
    assert_eq!(items[2].due, None);
}

#[test]
fn tasks_of_sessions_not_closed_are_not_shown() {
    let open = BookingState {
        open_tasks: vec![OpenTask {
            id: 1,
            title: "x".into(),
            due: d("2026-06-12"),
        }],
        prep: DONE,
        ..booking(1, "2026-06-01T12:00:00Z")
    };
    assert!(todo(&[open], t(NOW), &zone()).is_empty());
}

#[test]
fn a_task_is_due_until_the_end_of_its_day_in_the_viewers_zone() {
    let b = BookingState {
        closed: true,
        prep: DONE,
        open_tasks: vec![OpenTask {
            id: 1,
            title: "x".into(),
            due: d("2026-06-10"),
        }],
        ..booking(1, "2026-06-01T12:00:00Z")
    };
    // Midnight in New York is 04:00 UTC in June.
    let before = todo(std::slice::from_ref(&b), t("2026-06-11T03:59:59Z"), &zone());
    assert!(!before[0].overdue);
    let after = todo(std::slice::from_ref(&b), t("2026-06-11T04:00:00Z"), &zone());
    assert!(after[0].overdue);
    let utc = todo(&[b], t("2026-06-11T00:00:00Z"), &TimeZone::UTC);
    assert!(utc[0].overdue);
}

#[test]
fn items_are_sorted_by_urgency() {
    let mentee_prep_soon = booking(1, "2026-06-10T13:00:00Z");
    let mentee_prep_later = booking(2, "2026-06-20T13:00:00Z");
    let closed = BookingState {
        closed: true,
        prep: DONE,
        status: BookingStatus::Completed,
        followup_opens_at: Some(t("2026-06-01T00:00:00Z")),
        open_tasks: vec![OpenTask {
            id: 7,
            title: "Overdue task".into(),
            due: d("2026-06-05"),
        }],
        ..booking(3, "2026-05-20T12:00:00Z")
    };
    let mentor_close = BookingState {
        viewer_is_mentor: true,
        ..booking(4, "2026-06-08T12:00:00Z")
    };
    let items = todo(
        &[mentee_prep_later, closed, mentee_prep_soon, mentor_close],
        t(NOW),
        &zone(),
    );
    assert_eq!(
        kinds(&items),
        vec![
            (3, TodoKind::Task),
            (4, TodoKind::CloseSession),
            (1, TodoKind::Prep),
            (2, TodoKind::Prep),
            (3, TodoKind::FollowupAssessment),
        ]
    );
}

#[test]
fn due_serializes_with_its_kind() {
    let v = serde_json::to_value(Due::On(d("2026-06-12"))).unwrap();
    assert_eq!(v, serde_json::json!({"type": "on", "value": "2026-06-12"}));
}
