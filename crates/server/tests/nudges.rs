//! Nudges end to end, on SQLite and PostgreSQL: bookings made, moved and cancelled through
//! the API; the job worker (on the server's travelling clock) planning and sending; a real
//! SMTP server (Python's aiosmtpd) receiving the e-mail. Each nudge arrives once per
//! channel, in the recipient's zone, and what a change withdraws never arrives. Without
//! aiosmtpd the tests that need it are reported as ignored; with `CI=true` they fail.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod common;

use common::queue::{outbox_worker, settle};
use common::smtp::{Received, SinkOptions, SmtpSink};
use common::{App, browser, log_in, page};
use jiff::{SignedDuration, Timestamp};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use stint_domain::booking::BookingId;
use stint_domain::clock::Clock;
use stint_domain::ids::UserId;
use stint_domain::nudge::{Channel, NudgePrefs};
use stint_server::worker::Shutdown;
use stint_store::DeliveryStatus;

on_both_backends!(App;
    a_booking_is_confirmed_reminded_moved_and_cancelled_once_per_channel [peer_smtp,
        "needs Python's aiosmtpd: pip install aiosmtpd==1.4.6, then touch crates/server/build.rs"],
    an_unreachable_mail_server_is_retried_and_logged_until_it_accepts [peer_smtp,
        "needs Python's aiosmtpd: pip install aiosmtpd==1.4.6, then touch crates/server/build.rs"],
    without_smtp_mail_lands_in_the_outbox_and_operators_read_it,
    after_the_session_come_the_close_prompt_task_days_and_the_follow_up,
    a_booking_queues_what_is_due_soon_and_plans_the_rest_when_it_is_near,
);

const ZONE: &str = "Asia/Kolkata";
const SKU: &str = "negotiation-clinic-45";

/// A worker of the app's database on the app's clock, sending mail to `smtp_port`; runs
/// until the returned shutdown is triggered.
fn worker(app: &App, smtp_port: u16) -> Shutdown {
    let mut config = app.worker_config();
    let mut smtp = stint_mail::SmtpSettings::new("127.0.0.1");
    smtp.port = Some(smtp_port);
    smtp.tls = stint_mail::TlsMode::None;
    smtp.timeout_secs = 5;
    config.mail.smtp = Some(smtp);
    let w = stint_server::worker::build(app.store.clone(), app.clock.clone(), &config).unwrap();
    let stop = Shutdown::on(std::future::pending());
    tokio::spawn(w.run(stop.wait()));
    stop
}

/// Books `slot` as the holder of `token`; the booking's id.
async fn book(app: &App, token: &str, slot: &Value) -> i64 {
    let r = app
        .post(
            "/api/v1/bookings",
            Some(token),
            json!({"sku": SKU, "mentor_id": slot["mentor_id"], "start": slot["start"]}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    r.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
}

async fn signup(app: &App, email: &str, name: &str) -> (String, UserId) {
    app.sign_up(email, name, ZONE, "a long passphrase").await;
    common::fund(app, email).await;
    let token = app.login(email, "a long passphrase").await;
    let me: Value = app
        .get("/api/v1/me", Some(&token))
        .await
        .json()
        .await
        .unwrap();
    (token, UserId(me["id"].as_i64().unwrap()))
}

/// Turns `who`'s quiet hours off, so a confirmation goes at once whatever the time of day
/// the test runs at (the default quiet hours would hold it till 07:00 in their zone).
async fn no_quiet_hours(app: &App, who: UserId) {
    let awake = NudgePrefs {
        quiet: None,
        ..NudgePrefs::default()
    };
    app.store
        .save_nudge_prefs(who, &awake, app.clock.now())
        .await
        .unwrap();
}

/// The `n`-th free slot of the SKU, 3 to 20 days ahead.
async fn slot(app: &App, n: usize) -> Value {
    let today = app
        .clock
        .now()
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .date();
    let day = |d: i64| today.checked_add(jiff::Span::new().days(d)).unwrap();
    let path = format!(
        "/api/v1/skus/{SKU}/slots?from={}&to={}&tz={ZONE}",
        day(3),
        day(20)
    );
    let slots: Value = app.get(&path, None).await.json().await.unwrap();
    slots["slots"][n].clone()
}

/// Moves booking `id`, made at `slot`, to the same mentor's first free slot more than 30 h
/// later; the slot it moved to.
async fn move_later(app: &App, token: &str, id: BookingId, slot_of: &Value) -> Value {
    let old_start = ts(&slot_of["start"]);
    let mut n = 1;
    let later = loop {
        let s = slot(app, n).await;
        if ts(&s["start"]) > old_start + SignedDuration::from_hours(30)
            && s["mentor_id"] == slot_of["mentor_id"]
        {
            break s;
        }
        n += 1;
    };
    let r = app
        .post(
            &format!("/api/v1/bookings/{id}/reschedule"),
            Some(token),
            json!({"start": later["start"]}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    later
}

fn ts(v: &Value) -> Timestamp {
    v.as_str().unwrap().parse::<Timestamp>().unwrap()
}

/// Moves the server's clock to `t` (never back).
fn travel_to(app: &App, t: Timestamp) {
    let gap = t.duration_since(app.clock.now());
    if gap > SignedDuration::ZERO {
        app.clock.advance(gap);
    }
}

/// A received message, decoded: its subject, and its text part followed by its attachments
/// (so a test can look for words and calendar lines alike).
#[derive(Debug)]
struct Mail {
    subject: String,
    body: String,
    message_id: String,
}

impl std::ops::Deref for Mail {
    type Target = str;
    fn deref(&self) -> &str {
        &self.body
    }
}

fn decode(m: &Received) -> Mail {
    let parsed = mail_parser::MessageParser::default()
        .parse(&m.raw)
        .expect("a parseable e-mail");
    let mut body = parsed
        .body_text(0)
        .map(|t| t.to_string())
        .unwrap_or_default();
    for a in parsed.attachments() {
        body.push('\n');
        body.push_str(&String::from_utf8_lossy(a.contents()));
    }
    Mail {
        subject: parsed.subject().unwrap_or_default().to_string(),
        body,
        message_id: parsed.message_id().unwrap_or_default().to_string(),
    }
}

/// The nudges mailed to `address`. (The test accounts' credits came with a receipt mail;
/// this file is about nudges, so receipts are left out.)
fn to(received: &[Received], address: &str) -> Vec<Mail> {
    received
        .iter()
        .filter(|m| m.rcpt_to.iter().any(|r| r == address))
        .map(decode)
        .filter(|m| !m.message_id.starts_with("receipt."))
        .collect()
}

fn subject(m: &Mail) -> String {
    m.subject.clone()
}

fn message_ids(received: &[Received]) -> Vec<String> {
    received
        .iter()
        .map(|m| decode(m).message_id)
        .filter(|id| !id.starts_with("receipt."))
        .collect()
}

async fn a_booking_is_confirmed_reminded_moved_and_cancelled_once_per_channel(app: App) {
    let sink = SmtpSink::start(&SinkOptions::default());
    let (token, me) = signup(&app, "asha@example.com", "Asha Rao").await;
    // No quiet hours, so times below are exactly the planned ones.
    let prefs = NudgePrefs {
        quiet: None,
        ..NudgePrefs::default()
    };
    app.store
        .save_nudge_prefs(me, &prefs, app.clock.now())
        .await
        .unwrap();
    let stop = worker(&app, sink.port());

    let first = slot(&app, 0).await;
    let r = app
        .post(
            "/api/v1/bookings",
            Some(&token),
            json!({"sku": SKU, "mentor_id": first["mentor_id"], "start": first["start"]}),
        )
        .await;
    assert_eq!(
        r.status(),
        StatusCode::CREATED,
        "{first} {}",
        r.text().await.unwrap()
    );
    let booking: Value = r.json().await.unwrap();
    let id = BookingId(booking["id"].as_i64().unwrap());
    let mentor = app
        .store
        .account(UserId(first["mentor_id"].as_i64().unwrap()))
        .await
        .unwrap()
        .unwrap();
    settle(&app).await;
    // The mentor keeps the default quiet hours: the notice waits for 07:00 in their zone
    // (unless it is daytime there), which is still before the session.
    let their_morning = stint_domain::nudge::defer_past_quiet(
        app.clock.now(),
        &mentor.zone(),
        NudgePrefs::default().quiet,
    );
    travel_to(&app, their_morning);
    settle(&app).await;

    // Booked: one e-mail each, with the time in the recipient's zone and the invite.
    let mine = to(&sink.received(), "asha@example.com");
    assert_eq!(mine.len(), 1, "{mine:?}");
    assert!(
        subject(&mine[0]).starts_with("Booked: "),
        "{}",
        subject(&mine[0])
    );
    assert!(mine[0].contains("(Asia/Kolkata)"));
    assert!(mine[0].contains("METHOD:REQUEST"));
    let theirs: Vec<_> = to(&sink.received(), &mentor.email)
        .into_iter()
        .filter(|m| m.contains("Asha Rao"))
        .collect();
    assert_eq!(
        theirs.len(),
        1,
        "{:?} {:?}",
        to(&sink.received(), &mentor.email)
            .iter()
            .map(|m| m.subject.clone())
            .collect::<Vec<_>>(),
        app.store.deliveries(id).await.unwrap()
    );
    assert!(theirs[0].contains(&format!("({})", mentor.timezone)));
    // And one inbox item each.
    let inbox = app.store.inbox(me, None, 10).await.unwrap();
    assert_eq!(inbox.len(), 1);
    assert!(inbox[0].title.starts_with("Booked: "));

    // Moved to a later slot: a notice each; the first slot's reminders are withdrawn.
    let old_start = ts(&first["start"]);
    let later = move_later(&app, &token, id, &first).await;
    settle(&app).await;
    let mine = to(&sink.received(), "asha@example.com");
    assert_eq!(mine.len(), 2);
    assert!(subject(&mine[1]).starts_with("Moved: "));
    assert!(mine[1].contains("SEQUENCE:1"));

    // Past the old slot's 1 h reminder time: nothing arrives for it. The prep nudge (two
    // days before the new start) may not be due yet either.
    travel_to(&app, old_start - SignedDuration::from_mins(59));
    settle(&app).await;
    let new_start = ts(&later["start"]);
    let expected_now = if old_start - SignedDuration::from_mins(59)
        >= new_start - SignedDuration::from_hours(48)
    {
        3
    } else {
        2
    };
    let mine = to(&sink.received(), "asha@example.com");
    assert_eq!(
        mine.len(),
        expected_now,
        "{:?}",
        mine.iter().map(subject).collect::<Vec<_>>()
    );
    assert!(mine.iter().all(|m| !subject(m).starts_with("In ")));

    // The new slot's 24 h reminder, and by then the prep nudge, once each.
    travel_to(
        &app,
        new_start - SignedDuration::from_hours(24) + SignedDuration::from_mins(1),
    );
    settle(&app).await;
    let mine = to(&sink.received(), "asha@example.com");
    let subjects: Vec<_> = mine.iter().map(subject).collect();
    assert_eq!(mine.len(), 4, "{subjects:?}");
    assert_eq!(
        subjects
            .iter()
            .filter(|s| s.starts_with("In 24 hours: "))
            .count(),
        1
    );
    assert_eq!(
        subjects
            .iter()
            .filter(|s| s.starts_with("Prep for "))
            .count(),
        1
    );

    // Cancelled: a notice each, and the 1 h reminder never comes.
    let r = app
        .post(
            &format!("/api/v1/bookings/{id}/cancel"),
            Some(&token),
            json!({"reason": "a clash at work"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    settle(&app).await;
    travel_to(&app, new_start - SignedDuration::from_mins(30));
    settle(&app).await;
    let mine = to(&sink.received(), "asha@example.com");
    let subjects: Vec<_> = mine.iter().map(subject).collect();
    assert_eq!(mine.len(), 5, "{subjects:?}");
    assert!(subjects[4].starts_with("Cancelled: "));
    assert!(mine[4].contains("METHOD:CANCEL"));
    assert!(mine[4].contains("a clash at work"));

    // The delivery log agrees: every nudge to Asha sent once on each channel.
    let log = app.store.deliveries(id).await.unwrap();
    let asha: Vec<_> = log.iter().filter(|d| d.recipient == me).collect();
    assert_eq!(asha.len(), 10);
    assert!(
        asha.iter()
            .all(|d| d.status == DeliveryStatus::Sent && d.attempts == 1)
    );
    assert_eq!(
        asha.iter().filter(|d| d.channel == Channel::Email).count(),
        5
    );
    assert_eq!(app.store.inbox(me, None, 50).await.unwrap().len(), 5);
    // Nobody got any message twice.
    let ids = message_ids(&sink.received());
    let distinct: BTreeSet<_> = ids.iter().collect();
    assert_eq!(distinct.len(), ids.len());
    stop.trigger();
}

async fn an_unreachable_mail_server_is_retried_and_logged_until_it_accepts(app: App) {
    // A port nothing listens on: bind one, then let it go.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (token, me) = signup(&app, "ravi@example.com", "Ravi Iyer").await;
    no_quiet_hours(&app, me).await;
    let stop = worker(&app, closed);
    let s = slot(&app, 0).await;
    let r = app
        .post(
            "/api/v1/bookings",
            Some(&token),
            json!({"sku": SKU, "mentor_id": s["mentor_id"], "start": s["start"]}),
        )
        .await;
    let booking: Value = r.json().await.unwrap();
    let id = BookingId(booking["id"].as_i64().unwrap());
    settle(&app).await;
    // In the app it arrived; by e-mail the attempt failed, and says why.
    assert_eq!(app.store.inbox(me, None, 10).await.unwrap().len(), 1);
    let log = app.store.deliveries(id).await.unwrap();
    let mail = log
        .iter()
        .find(|d| d.recipient == me && d.channel == Channel::Email)
        .expect("a logged attempt");
    assert_eq!(mail.status, DeliveryStatus::Failed);
    assert!(mail.detail.contains(&closed.to_string()), "{}", mail.detail);
    stop.trigger();

    // The mail server is back (a worker configured with it); the retry is due after its
    // backoff, and the nudge arrives once.
    let sink = SmtpSink::start(&SinkOptions::default());
    let stop = worker(&app, sink.port());
    app.clock.advance(SignedDuration::from_mins(2));
    settle(&app).await;
    let mine = to(&sink.received(), "ravi@example.com");
    assert_eq!(mine.len(), 1);
    assert!(subject(&mine[0]).starts_with("Booked: "));
    let log = app.store.deliveries(id).await.unwrap();
    let mail = log
        .iter()
        .find(|d| d.recipient == me && d.channel == Channel::Email)
        .unwrap();
    assert_eq!((mail.status, mail.attempts), (DeliveryStatus::Sent, 2));
    // The in-app copy was not sent again.
    assert_eq!(app.store.inbox(me, None, 10).await.unwrap().len(), 1);
    stop.trigger();
}

async fn without_smtp_mail_lands_in_the_outbox_and_operators_read_it(app: App) {
    let (token, mei) = signup(&app, "mei@example.com", "Mei Chen").await;
    no_quiet_hours(&app, mei).await;
    app.clear_queue().await;
    let stop = outbox_worker(&app);
    let s = slot(&app, 0).await;
    let r = app
        .post(
            "/api/v1/bookings",
            Some(&token),
            json!({"sku": SKU, "mentor_id": s["mentor_id"], "start": s["start"]}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    settle(&app).await;
    stop.trigger();
    let files = stint_mail::list_outbox(&app.outbox, 100).unwrap();
    let mine = files
        .iter()
        .find(|f| f.to.contains("mei@example.com"))
        .expect("the confirmation in the outbox");
    assert!(mine.subject.starts_with("Booked: "), "{}", mine.subject);

    let operator = browser();
    log_in(&app, &operator, "operator@stint.example").await;
    let (status, body, _) = page(&app, &operator, "/operator/mail").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("No SMTP server is configured"));
    assert!(body.contains("mei@example.com"), "the message is listed");
    assert!(body.contains("Latest nudge deliveries"));
    let (status, raw, _) = page(
        &app,
        &operator,
        &format!("/operator/mail/{}", mine.file_name),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(raw.contains("Auto-Submitted: auto-generated"));
    // Only outbox file names: no way out of the folder.
    for bad in ["..%2Fstint.db", "%2Fetc%2Fpasswd", "nothing.eml"] {
        let (status, _, _) = page(&app, &operator, &format!("/operator/mail/{bad}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{bad}");
    }
    // Not for mentees.
    let sam = browser();
    log_in(&app, &sam, "sam@stint.example").await;
    let (status, body, _) = page(&app, &sam, "/operator/mail").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(!body.contains("mei@example.com"));
}

/// The nudges after a session, in the inbox: the mentor's prompt to close it, each open task
/// on its due day (a task ticked before then is not nudged), the mentee's follow-up.
async fn after_the_session_come_the_close_prompt_task_days_and_the_follow_up(app: App) {
    let (token, me) = signup(&app, "ines@example.com", "Ines Silva").await;
    let s = slot(&app, 0).await;
    let mentor = app
        .store
        .account(UserId(s["mentor_id"].as_i64().unwrap()))
        .await
        .unwrap()
        .unwrap();
    let awake = NudgePrefs {
        quiet: None,
        ..NudgePrefs::default()
    };
    for who in [me, mentor.id] {
        app.store
            .save_nudge_prefs(who, &awake, app.clock.now())
            .await
            .unwrap();
    }
    app.clear_queue().await;
    let stop = outbox_worker(&app);
    let id = book(&app, &token, &s).await;
    let titles = |items: Vec<stint_store::InboxItem>| -> Vec<String> {
        items.into_iter().map(|i| i.title).collect()
    };
    let end = ts(&s["end"]);
    travel_to(&app, end + SignedDuration::from_mins(16));
    settle(&app).await;
    let mentor_inbox = titles(app.store.inbox(mentor.id, None, 50).await.unwrap());
    assert!(
        mentor_inbox
            .iter()
            .any(|t| t == "Close your session with Ines Silva"),
        "{mentor_inbox:?}"
    );

    let maya = app
        .login(&mentor.email, stint_server::demo::DEMO_PASSWORD)
        .await;
    let today = app
        .clock
        .now()
        .to_zoned_datetime(jiff::tz::TimeZone::get(ZONE).unwrap())
        .date();
    let due = |n: i64| today.checked_add(jiff::Span::new().days(n)).unwrap();
    let r = app
        .post(
            &format!("/api/v1/bookings/{id}/close"),
            Some(&maya),
            json!({
                "checkpoint": "reached",
                "evidence": "Named a walk-away number.",
                "followup": "How did the talk go?",
                "tasks": [
                    {"title": "Write the opening ask", "due": due(2).to_string()},
                    {"title": "Rehearse with a friend", "due": due(3).to_string()}
                ]
            }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    let closed: Value = r.json().await.unwrap();
    let second = closed["tasks"][1]["id"].as_i64().unwrap();
    let r = app
        .post(
            &format!("/api/v1/bookings/{id}/tasks/{second}"),
            Some(&token),
            json!({"done": true}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    settle(&app).await;

    // 09:00 in the mentee's zone on each due day, then past the follow-up's opening.
    let nine = |d: jiff::civil::Date| d.at(9, 1, 0, 0).in_tz(ZONE).unwrap().timestamp();
    travel_to(&app, nine(due(3)));
    settle(&app).await;
    let opens = ts(&closed["closing"]["followup_opens_at"]);
    travel_to(&app, opens + SignedDuration::from_mins(1));
    settle(&app).await;
    stop.trigger();
    let mine = titles(app.store.inbox(me, None, 50).await.unwrap());
    assert_eq!(
        mine.iter()
            .filter(|t| *t == "Due today: Write the opening ask")
            .count(),
        1,
        "{mine:?}"
    );
    assert!(
        !mine.iter().any(|t| t.contains("Rehearse")),
        "a ticked task is not nudged: {mine:?}"
    );
    assert_eq!(
        mine.iter()
            .filter(|t| t.starts_with("Your follow-up check-in for "))
            .count(),
        1,
        "{mine:?}"
    );
    // And the mentor, who closed the session, is not asked again.
    let mentor_inbox = titles(app.store.inbox(mentor.id, None, 50).await.unwrap());
    assert_eq!(
        mentor_inbox
            .iter()
            .filter(|t| t.starts_with("Close your session"))
            .count(),
        1
    );
}

/// A booking queues only the nudges due within the hour, and one `nudge.plan` job due with
/// the first of the rest; that job, when due, queues what is near then. Once the booking is
/// moved, the old plan's job queues nothing: the move planned afresh.
async fn a_booking_queues_what_is_due_soon_and_plans_the_rest_when_it_is_near(app: App) {
    let (token, me) = signup(&app, "ravi@example.com", "Ravi Iyer").await;
    no_quiet_hours(&app, me).await;
    let s = slot(&app, 0).await;
    let mentor = UserId(s["mentor_id"].as_i64().unwrap());
    no_quiet_hours(&app, mentor).await;
    app.clear_queue().await;
    let stop = outbox_worker(&app);
    let id = book(&app, &token, &s).await;
    settle(&app).await;
    let of_booking = |kind: &'static str, jobs: Vec<stint_store::Job>| {
        jobs.into_iter()
            .filter(move |j| j.kind == kind && j.payload.contains(&format!("\"booking\":{id},")))
            .collect::<Vec<_>>()
    };
    let all = || async { app.store.jobs(None, None, 10_000).await.unwrap() };
    let booked_at = app.clock.now();
    let sends = of_booking("nudge.send", all().await);
    assert!(!sends.is_empty(), "the confirmations are queued at once");
    assert!(
        sends
            .iter()
            .all(|j| j.due_at <= booked_at + SignedDuration::from_hours(1)),
        "only what is due within the hour is queued: {:?}",
        sends
            .iter()
            .map(|j| (&j.payload, j.due_at))
            .collect::<Vec<_>>()
    );
    let plans = of_booking("nudge.plan", all().await);
    assert_eq!(plans.len(), 1, "one job for the rest");
    let first_later = plans[0].due_at;
    let start = ts(&s["start"]);
    assert!(first_later > booked_at + SignedDuration::from_hours(1) && first_later < start);

    // When it is due, it queues the nudges near then, and the next plan job.
    travel_to(&app, first_later);
    settle(&app).await;
    let sends = of_booking("nudge.send", all().await);
    assert!(
        sends.iter().any(|j| j.due_at >= first_later),
        "the first later nudge is queued when it is near"
    );
    let plans = of_booking("nudge.plan", all().await);
    assert_eq!(plans.len(), 2, "{plans:?}");
    let next = plans.iter().map(|j| j.due_at).max().unwrap();
    assert!(next > first_later);

    // Moved: the old plan's next job finds the booking changed and queues nothing more
    // for the old time.
    move_later(&app, &token, BookingId(id), &s).await;
    settle(&app).await;
    travel_to(&app, next);
    settle(&app).await;
    let mine = |jobs: Vec<stint_store::Job>| {
        let mut of = of_booking("nudge.send", jobs.clone());
        of.extend(of_booking("nudge.plan", jobs));
        of
    };
    let made = mine(all().await)
        .into_iter()
        .filter(|j| j.created_at >= next)
        .count();
    assert_eq!(made, 0, "nothing is queued for the old time");
    stop.trigger();
}
