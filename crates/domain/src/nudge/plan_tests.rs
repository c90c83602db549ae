//! Planning and withdrawal, over real zones and DST changes.
#![allow(clippy::unwrap_used)]

use super::*;
use crate::booking::{BookingId, BookingStatus};
use crate::ids::UserId;
use jiff::Timestamp;
use jiff::civil::{Time, date};
use jiff::tz::TimeZone;

const MENTEE: UserId = UserId(1);
const MENTOR: UserId = UserId(2);

fn at(zone: &str, y: i16, mo: i8, d: i8, h: i8, mi: i8) -> Timestamp {
    date(y, mo, d)
        .at(h, mi, 0, 0)
        .in_tz(zone)
        .unwrap()
        .timestamp()
}

fn party(user: UserId, zone: &str, prefs: NudgePrefs) -> Party {
    Party {
        user,
        zone: TimeZone::get(zone).unwrap(),
        prefs,
        chat: false,
    }
}

/// A 45-minute session; both in `zone` with default preferences.
fn facts(zone: &str, start: Timestamp, changed_at: Timestamp) -> Facts {
    Facts {
        booking: BookingId(7),
        status: BookingStatus::Confirmed,
        sequence: 0,
        start,
        end: start + jiff::SignedDuration::from_mins(45),
        changed_at,
        change: Change::Created,
        mentee: party(MENTEE, zone, NudgePrefs::default()),
        mentor: party(MENTOR, zone, NudgePrefs::default()),
        has_prep: true,
        followup_opens_at: None,
        open_tasks: vec![],
        high_risk: false,
    }
}

fn find(plan: &[Planned], kind: NudgeKind, who: UserId, lead: Option<u32>) -> Vec<&Planned> {
    plan.iter()
        .filter(|p| p.kind == kind && p.recipient == who && p.lead == lead)
        .collect()
}

#[test]
fn a_new_booking_plans_notices_reminders_prep_and_the_close_prompt() {
    let start = at("Europe/Berlin", 2026, 12, 10, 14, 0);
    let made = at("Europe/Berlin", 2026, 12, 1, 10, 0);
    let plan = plan(&facts("Europe/Berlin", start, made));
    // Booked ×2, reminders 2×2, prep ×1, close ×1 = 8 nudges, each on two channels.
    assert_eq!(plan.len(), 16);
    for who in [MENTEE, MENTOR] {
        let booked = find(&plan, NudgeKind::Booked, who, None);
        assert_eq!(booked.len(), 2);
        assert!(booked.iter().all(|p| p.due_at == made));
        let day = find(&plan, NudgeKind::Reminder, who, Some(1440));
        assert_eq!(day[0].due_at, at("Europe/Berlin", 2026, 12, 9, 14, 0));
        let hour = find(&plan, NudgeKind::Reminder, who, Some(60));
        assert_eq!(hour[0].due_at, at("Europe/Berlin", 2026, 12, 10, 13, 0));
    }
    let prep = find(&plan, NudgeKind::PrepDue, MENTEE, None);
    assert_eq!(prep[0].due_at, at("Europe/Berlin", 2026, 12, 8, 14, 0));
    assert!(find(&plan, NudgeKind::PrepDue, MENTOR, None).is_empty());
    let close = find(&plan, NudgeKind::ClosePrompt, MENTOR, None);
    assert_eq!(close[0].due_at, at("Europe/Berlin", 2026, 12, 10, 15, 0));
    // Keys are distinct per nudge and recipient, shared by the channels of one nudge.
    let mut keys: Vec<_> = plan.iter().map(|p| (&p.key, p.channel)).collect();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), plan.len());
}

#[test]
fn planning_twice_plans_the_same_nudges() {
    let start = at("Asia/Kolkata", 2026, 12, 10, 14, 0);
    let f = facts(
        "Asia/Kolkata",
        start,
        at("Asia/Kolkata", 2026, 12, 1, 10, 0),
    );
    assert_eq!(plan(&f), plan(&f));
}

#[test]
fn a_day_ahead_reminder_keeps_the_local_time_across_a_dst_change() {
    // New York leaves summer time at 02:00 on Sunday 1 November 2026; the session is that
    // Sunday at 09:00, so the reminder (Saturday 09:00) is on the other side of the change.
    let start = at("America/New_York", 2026, 11, 1, 9, 0);
    let f = facts(
        "America/New_York",
        start,
        at("America/New_York", 2026, 10, 20, 9, 0),
    );
    let plan = plan(&f);
    let day = find(&plan, NudgeKind::Reminder, MENTEE, Some(1440))[0];
    let local = day
        .due_at
        .to_zoned_datetime(TimeZone::get("America/New_York").unwrap());
    assert_eq!(
        (local.date(), local.time()),
        (date(2026, 10, 31), Time::constant(9, 0, 0, 0))
    );
    // 25 hours of real time, since the night between is 25 hours long.
    assert_eq!((start - day.due_at).as_hours(), 25);
    // An hour is an hour.
    let hour = find(&plan, NudgeKind::Reminder, MENTEE, Some(60))[0];
    assert_eq!((start - hour.due_at).as_hours(), 1);
}

#[test]
fn each_party_is_reminded_in_their_own_zone_and_quiet_hours() {
    // A 14:00 New York session is 00:30 the next night in Kolkata: the mentee's 24 h
    // reminder (00:30 Kolkata) waits for 07:00 there; the mentor's (14:00) does not wait.
    let start = at("America/New_York", 2026, 12, 10, 14, 0);
    let mut f = facts(
        "America/New_York",
        start,
        at("America/New_York", 2026, 12, 1, 9, 0),
    );
    f.mentee = party(MENTEE, "Asia/Kolkata", NudgePrefs::default());
    let plan = plan(&f);
    let mentee_day = find(&plan, NudgeKind::Reminder, MENTEE, Some(1440))[0];
    assert_eq!(mentee_day.due_at, at("Asia/Kolkata", 2026, 12, 10, 7, 0));
    let mentor_day = find(&plan, NudgeKind::Reminder, MENTOR, Some(1440))[0];
    assert_eq!(
        mentor_day.due_at,
        at("America/New_York", 2026, 12, 9, 14, 0)
    );
    // The 1 h reminder falls at 23:30 in Kolkata; waiting for 07:00 would pass the
    // session, so it goes when due.
    let mentee_hour = find(&plan, NudgeKind::Reminder, MENTEE, Some(60))[0];
    assert_eq!(mentee_hour.due_at, at("Asia/Kolkata", 2026, 12, 10, 23, 30));
}

#[test]
fn a_reminder_whose_time_passed_before_the_booking_is_not_planned() {
    let start = at("Europe/Berlin", 2026, 12, 10, 14, 0);
    let f = facts(
        "Europe/Berlin",
        start,
        at("Europe/Berlin", 2026, 12, 9, 18, 0),
    );
    let plan = plan(&f);
    assert!(find(&plan, NudgeKind::Reminder, MENTEE, Some(1440)).is_empty());
    assert_eq!(find(&plan, NudgeKind::Reminder, MENTEE, Some(60)).len(), 2);
    // Booked 20 hours ahead: prep is nudged half-way, at 08:00 (outside quiet hours).
    let prep = find(&plan, NudgeKind::PrepDue, MENTEE, None)[0];
    assert_eq!(
        prep.due_at,
        at("Europe/Berlin", 2026, 12, 10, 4, 0).max(prep.due_at)
    );
    assert!(prep.due_at < start);
}

#[test]
fn a_reschedule_plans_anew_under_new_keys_and_cancelling_plans_only_notices() {
    let start = at("Europe/Berlin", 2026, 12, 10, 14, 0);
    let made = at("Europe/Berlin", 2026, 12, 1, 10, 0);
    let first = plan(&facts("Europe/Berlin", start, made));
    let mut moved = facts(
        "Europe/Berlin",
        start + jiff::SignedDuration::from_hours(24),
        made,
    );
    moved.sequence = 1;
    moved.change = Change::Rescheduled;
    let second = plan(&moved);
    assert!(second.iter().all(|p| !first.iter().any(|q| q.key == p.key)));
    assert_eq!(find(&second, NudgeKind::Rescheduled, MENTOR, None).len(), 2);
    assert!(find(&second, NudgeKind::Booked, MENTOR, None).is_empty());

    let mut cancelled = moved.clone();
    cancelled.status = BookingStatus::Cancelled;
    cancelled.change = Change::Cancelled;
    let third = plan(&cancelled);
    assert_eq!(third.len(), 4);
    assert!(third.iter().all(|p| p.kind == NudgeKind::Cancelled));
}

#[test]
fn channels_follow_each_recipients_choice() {
    let start = at("Europe/Berlin", 2026, 12, 10, 14, 0);
    let mut f = facts(
        "Europe/Berlin",
        start,
        at("Europe/Berlin", 2026, 12, 1, 10, 0),
    );
    let mut prefs = NudgePrefs {
        reminders: vec![180],
        ..NudgePrefs::default()
    };
    prefs
        .channels
        .insert(NudgeKind::Reminder, [Channel::Email].into_iter().collect());
    f.mentee = party(MENTEE, "Europe/Berlin", prefs);
    let plan = plan(&f);
    let reminders = find(&plan, NudgeKind::Reminder, MENTEE, Some(180));
    assert_eq!(reminders.len(), 1);
    assert_eq!(reminders[0].channel, Channel::Email);
    assert!(find(&plan, NudgeKind::Reminder, MENTEE, Some(1440)).is_empty());
}

#[test]
fn a_closed_session_plans_the_follow_up_and_each_open_task() {
    let start = at("Europe/Berlin", 2026, 12, 10, 14, 0);
    let mut f = facts(
        "Europe/Berlin",
        start,
        at("Europe/Berlin", 2026, 12, 10, 15, 0),
    );
    f.status = BookingStatus::Completed;
    f.change = Change::Completed;
    f.followup_opens_at = Some(at("Europe/Berlin", 2026, 12, 24, 15, 0));
    f.open_tasks = vec![(3, date(2026, 12, 14)), (4, date(2026, 12, 20))];
    let plan = plan(&f);
    assert_eq!(plan.len(), 6);
    let follow = find(&plan, NudgeKind::FollowUpOpen, MENTEE, None)[0];
    assert_eq!(follow.due_at, at("Europe/Berlin", 2026, 12, 24, 15, 0));
    let tasks: Vec<_> = plan
        .iter()
        .filter(|p| p.kind == NudgeKind::TaskDue)
        .collect();
    assert!(
        tasks
            .iter()
            .any(|p| p.task == Some(3) && p.due_at == at("Europe/Berlin", 2026, 12, 14, 9, 0))
    );
    assert!(
        tasks
            .iter()
            .any(|p| p.task == Some(4) && p.due_at == at("Europe/Berlin", 2026, 12, 20, 9, 0))
    );
    assert!(plan.iter().all(|p| p.recipient == MENTEE));
}

fn current(status: BookingStatus, sequence: i64, start: Timestamp) -> Current {
    Current {
        status,
        sequence,
        start,
        prep_done: false,
        followup_taken: false,
        task_done: None,
        prefs: NudgePrefs::default(),
        high_risk: false,
    }
}

#[test]
fn a_nudge_is_withdrawn_when_the_booking_moved_on() {
    let start = at("Europe/Berlin", 2026, 12, 10, 14, 0);
    let made = at("Europe/Berlin", 2026, 12, 1, 10, 0);
    let plan = plan(&facts("Europe/Berlin", start, made));
    let reminder = find(&plan, NudgeKind::Reminder, MENTEE, Some(60))[0];
    let before = reminder.due_at;
    let ok = current(BookingStatus::Confirmed, 0, start);
    assert_eq!(still_wanted(reminder, before, &ok), Ok(()));
    assert!(
        still_wanted(
            reminder,
            before,
            &current(BookingStatus::Confirmed, 1, start)
        )
        .is_err()
    );
    assert!(
        still_wanted(
            reminder,
            before,
            &current(BookingStatus::Cancelled, 0, start)
        )
        .is_err()
    );
    assert!(still_wanted(reminder, start, &ok).is_err());
    let mut fewer = ok.clone();
    fewer.prefs.reminders = vec![1440];
    assert_eq!(
        still_wanted(reminder, before, &fewer),
        Err("the recipient no longer wants this reminder")
    );
    let mut no_mail = ok.clone();
    no_mail
        .prefs
        .channels
        .insert(NudgeKind::Reminder, [Channel::InApp].into_iter().collect());
    let by_mail = plan
        .iter()
        .find(|p| p.key == reminder.key && p.channel == Channel::Email)
        .unwrap();
    assert!(still_wanted(by_mail, before, &no_mail).is_err());
    let prep = find(&plan, NudgeKind::PrepDue, MENTEE, None)[0];
    let mut done = ok.clone();
    done.prep_done = true;
    assert_eq!(still_wanted(prep, before, &done), Err("the prep is done"));
    let cancel_notice = Planned {
        kind: NudgeKind::Cancelled,
        ..reminder.clone()
    };
    assert!(still_wanted(&cancel_notice, before, &ok).is_err());
    assert_eq!(
        still_wanted(
            &cancel_notice,
            before,
            &current(BookingStatus::Cancelled, 0, start)
        ),
        Ok(())
    );
}

#[test]
fn a_task_nudge_is_withdrawn_once_the_task_is_done() {
    let start = at("Europe/Berlin", 2026, 12, 10, 14, 0);
    let task = Planned {
        key: "7/task_due3/1".into(),
        booking: BookingId(7),
        kind: NudgeKind::TaskDue,
        recipient: MENTEE,
        channel: Channel::InApp,
        due_at: start,
        sequence: 0,
        lead: None,
        task: Some(3),
        risk: false,
    };
    let mut c = current(BookingStatus::Completed, 0, start);
    c.task_done = Some(false);
    assert_eq!(still_wanted(&task, start, &c), Ok(()));
    c.task_done = Some(true);
    assert_eq!(still_wanted(&task, start, &c), Err("the task is done"));
}

#[test]
fn a_high_risk_session_gets_the_mentee_one_extra_reminder_sent_only_while_the_risk_is_high() {
    let start = at("Europe/Berlin", 2026, 12, 10, 14, 0);
    let made = at("Europe/Berlin", 2026, 12, 1, 10, 0);
    let calm = plan(&facts("Europe/Berlin", start, made));
    let mut risky = facts("Europe/Berlin", start, made);
    risky.high_risk = true;
    let risky = plan(&risky);
    assert_eq!(risky.len(), calm.len() + 2);
    let extra = find(&risky, NudgeKind::Reminder, MENTEE, Some(180));
    assert_eq!(extra.len(), 2);
    assert!(
        extra
            .iter()
            .all(|p| p.risk && p.due_at == at("Europe/Berlin", 2026, 12, 10, 11, 0))
    );
    assert!(find(&risky, NudgeKind::Reminder, MENTOR, Some(180)).is_empty());
    let mut c = current(BookingStatus::Confirmed, 0, start);
    assert_eq!(
        still_wanted(extra[0], extra[0].due_at, &c),
        Err("the risk of a no-show is no longer high")
    );
    c.high_risk = true;
    assert_eq!(still_wanted(extra[0], extra[0].due_at, &c), Ok(()));
    // Not a second reminder at the same lead when the mentee already has one three hours out.
    let mut own = facts("Europe/Berlin", start, made);
    own.high_risk = true;
    own.mentee.prefs.reminders = vec![180];
    assert!(plan(&own).iter().all(|p| !p.risk));
}
