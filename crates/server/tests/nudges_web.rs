//! Nudges on the web, over real HTTP on both backends: the inbox (API, page, the nav's
//! unread badge, marking read, another person's item refused), nudge preferences (API and
//! the account page, refused input re-shown and nothing saved, a save replanning upcoming
//! sessions) and a session's delivery log (its two parties and operators; 404 for anyone
//! else). Inbox items and deliveries are written through the store, as the worker would.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod common;

use common::{App, browser, expect_error, log_in, page};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use stint_domain::account::Account;
use stint_domain::booking::BookingId;
use stint_domain::clock::Clock;
use stint_domain::ids::UserId;
use stint_domain::nudge::{Channel, NudgeKind};
use stint_server::demo::DEMO_PASSWORD;
use stint_store::outbox::BOOKING_CHANGED;
use stint_store::{NewDelivery, NewInboxItem};

on_both_backends!(App;
    inbox_lists_counts_and_marks_read_over_the_api,
    inbox_page_badge_and_forms,
    preferences_round_trip_and_refuse_bad_input_over_the_api,
    preferences_on_the_account_page,
    saving_preferences_replans_upcoming_sessions,
    delivery_log_for_the_parties_only,
);

const SAM: &str = "sam@stint.example";
const LENA: &str = "lena@stint.example";

/// A logged-in browser and its CSRF token.
async fn logged_in(app: &App, email: &str) -> (Client, String) {
    let client = browser();
    log_in(app, &client, email).await;
    let (_, _, csrf) = page(app, &client, "/dashboard").await;
    (client, csrf)
}

/// POSTs a form: status, `Location` and body.
async fn post_form(
    app: &App,
    client: &Client,
    path: &str,
    form: &[(&str, &str)],
) -> (StatusCode, String, String) {
    let r = client.post(app.url(path)).form(form).send().await.unwrap();
    let status = r.status();
    let location = r
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, location, r.text().await.unwrap())
}

async fn account(app: &App, email: &str) -> Account {
    app.store.account_by_email(email).await.unwrap().unwrap()
}

/// Bookable slots of `sku` two to nine days ahead.
async fn slots(app: &App, sku: &str) -> Vec<Value> {
    let tz = jiff::tz::TimeZone::UTC;
    let today = app.clock.now().to_zoned_datetime(tz).date();
    let day = |n: i64| {
        today
            .checked_add(jiff::SignedDuration::from_hours(24 * n))
            .unwrap()
            .to_string()
    };
    let path = format!(
        "/api/v1/skus/{sku}/slots?from={}&to={}&tz=UTC",
        day(2),
        day(9)
    );
    let r = app.get(&path, None).await;
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    let found = body["slots"].as_array().unwrap().clone();
    assert!(!found.is_empty(), "no slots for {sku}");
    found
}

/// Books `slot` over the API; the booking's id and its mentor.
async fn book(app: &App, token: &str, sku: &str, slot: &Value) -> (i64, Account) {
    let r = app
        .post(
            "/api/v1/bookings",
            Some(token),
            json!({"sku": sku, "mentor_id": slot["mentor_id"], "start": slot["start"]}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let b: Value = r.json().await.unwrap();
    let mentor = app
        .store
        .account(UserId(b["mentor"]["id"].as_i64().unwrap()))
        .await
        .unwrap()
        .unwrap();
    (b["id"].as_i64().unwrap(), mentor)
}

/// Sam's first bookable session of the technical triage, booked over the API.
async fn sams_session(app: &App, sam: &str) -> (i64, Account) {
    let found = slots(app, "technical-triage-20").await;
    book(app, sam, "technical-triage-20", &found[0]).await
}

fn delivery(
    key: String,
    channel: Channel,
    booking: i64,
    to: UserId,
    kind: NudgeKind,
) -> NewDelivery {
    NewDelivery {
        nudge_key: key,
        channel,
        booking: BookingId(booking),
        recipient: to,
        kind,
        due_at: jiff::Timestamp::from_second(1_800_000_000).unwrap(),
        detail: String::new(),
    }
}

/// Puts an item in `user`'s inbox as the worker does (with its in-app delivery); its id.
async fn deliver(app: &App, user: &Account, booking: i64, title: &str, body: &str) -> i64 {
    let d = delivery(
        format!("{booking}/{title}/{}", user.id),
        Channel::InApp,
        booking,
        user.id,
        NudgeKind::Booked,
    );
    let item = NewInboxItem {
        user: user.id,
        booking: Some(BookingId(booking)),
        kind: NudgeKind::Booked,
        title: title.into(),
        body: body.into(),
        link: format!("/sessions/{booking}"),
    };
    assert!(
        app.store
            .deliver_in_app(&d, &item, app.clock.now())
            .await
            .unwrap()
    );
    app.store.inbox(user.id, None, 1).await.unwrap()[0].id
}

async fn inbox(app: &App, token: &str, query: &str) -> Value {
    let r = app
        .get(&format!("/api/v1/me/inbox{query}"), Some(token))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

/// The number in the nav's Inbox badge, if it shows.
fn badge(body: &str) -> Option<u64> {
    let rest = body.split("id=\"unread-count\"").nth(1)?;
    let n = rest.split('>').nth(1)?.split('<').next()?;
    Some(n.trim().parse().unwrap())
}

async fn inbox_lists_counts_and_marks_read_over_the_api(app: App) {
    let sam_token = app.login(SAM, DEMO_PASSWORD).await;
    let lena_token = app.login(LENA, DEMO_PASSWORD).await;
    let (sam, lena) = (account(&app, SAM).await, account(&app, LENA).await);
    let (id, _) = sams_session(&app, &sam_token).await;

    let empty = inbox(&app, &sam_token, "").await;
    assert_eq!(
        empty,
        json!({"unread": 0, "items": [], "older_before": null})
    );
    let first = deliver(&app, &sam, id, "Booked", "Your session is booked.").await;
    let second = deliver(&app, &sam, id, "Reminder", "Tomorrow at 09:00.").await;
    let third = deliver(&app, &sam, id, "Prep", "Two questions to answer.").await;
    let lenas = deliver(&app, &lena, id, "Other", "Not Sam's.").await;

    let all = inbox(&app, &sam_token, "").await;
    assert_eq!(all["unread"], 3);
    let items = all["items"].as_array().unwrap();
    let ids: Vec<i64> = items.iter().map(|i| i["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, vec![third, second, first], "newest first");
    assert_eq!(items[0]["title"], "Prep");
    assert_eq!(items[0]["body"], "Two questions to answer.");
    assert_eq!(items[0]["link"], format!("/sessions/{id}"));
    assert_eq!(items[0]["booking_id"], id);
    assert_eq!(items[0]["kind"], "booked");
    assert_eq!(items[0]["read"], false);
    assert!(items[0]["read_at"].is_null());
    // Times carry the viewer's offset (Sam is in a zone with one; at least it parses).
    assert!(
        items[0]["created_at"]
            .as_str()
            .unwrap()
            .parse::<jiff::Timestamp>()
            .is_ok()
    );

    let two = inbox(&app, &sam_token, "?limit=2").await;
    assert_eq!(two["unread"], 3, "the count is over the whole inbox");
    assert_eq!(two["items"].as_array().unwrap().len(), 2);
    // The older page follows from where the first ended, and is the last.
    assert_eq!(two["older_before"], second);
    let rest = inbox(&app, &sam_token, &format!("?limit=2&before={second}")).await;
    let rest_ids: Vec<i64> = rest["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .collect();
    assert_eq!(rest_ids, vec![first]);
    assert!(rest["older_before"].is_null());
    for bad in ["0", "201", "x"] {
        let r = app
            .get(&format!("/api/v1/me/inbox?limit={bad}"), Some(&sam_token))
            .await;
        let e = expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert!(e["fields"]["limit"].is_string(), "{e}");
    }
    let r = app.get("/api/v1/me/inbox", None).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    // One item.
    let r = app
        .post(
            "/api/v1/me/inbox/read",
            Some(&sam_token),
            json!({"id": second}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap(), json!({"marked": 1}));
    let now = inbox(&app, &sam_token, "").await;
    assert_eq!(now["unread"], 2);
    assert_eq!(now["items"][1]["read"], true);
    assert!(now["items"][1]["read_at"].is_string());
    // Again: already read, nothing changes, still Sam's.
    let r = app
        .post(
            "/api/v1/me/inbox/read",
            Some(&sam_token),
            json!({"id": second}),
        )
        .await;
    assert_eq!(r.json::<Value>().await.unwrap(), json!({"marked": 0}));

    // Another person's item, an unknown id or 0 (never "all"): 404, nothing changes.
    for other in [lenas, 999_999, 0, -1] {
        let r = app
            .post(
                "/api/v1/me/inbox/read",
                Some(&sam_token),
                json!({"id": other}),
            )
            .await;
        expect_error(r, StatusCode::NOT_FOUND, "not_found").await;
    }
    assert_eq!(inbox(&app, &lena_token, "").await["unread"], 1);
    assert_eq!(inbox(&app, &sam_token, "").await["unread"], 2);
    let r = app
        .post(
            "/api/v1/me/inbox/read",
            Some(&sam_token),
            json!({"nope": 1}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // All of them.
    let r = app
        .post("/api/v1/me/inbox/read", Some(&sam_token), json!({}))
        .await;
    assert_eq!(r.json::<Value>().await.unwrap(), json!({"marked": 2}));
    assert_eq!(inbox(&app, &sam_token, "").await["unread"], 0);
    assert_eq!(
        inbox(&app, &lena_token, "").await["unread"],
        1,
        "Lena's stays"
    );

    // The operations are documented.
    let doc: Value = app
        .get("/api/v1/openapi.json", None)
        .await
        .json()
        .await
        .unwrap();
    for path in [
        "/api/v1/me/inbox",
        "/api/v1/me/inbox/read",
        "/api/v1/me/nudge-preferences",
        "/api/v1/bookings/{id}/deliveries",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} undocumented");
    }
    for schema in [
        "InboxDto",
        "MarkReadRequest",
        "NudgePrefsDto",
        "DeliveryDto",
    ] {
        assert!(doc["components"]["schemas"][schema].is_object(), "{schema}");
    }
}

async fn inbox_page_badge_and_forms(app: App) {
    let sam_token = app.login(SAM, DEMO_PASSWORD).await;
    let (sam, lena) = (account(&app, SAM).await, account(&app, LENA).await);
    let (id, _) = sams_session(&app, &sam_token).await;
    let (client, csrf) = logged_in(&app, SAM).await;

    let (status, body, _) = page(&app, &client, "/inbox").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("No messages yet"), "{body}");
    assert_eq!(badge(&body), None, "no badge while nothing is unread");
    assert!(body.contains("href=\"/inbox\""));

    let first = deliver(
        &app,
        &sam,
        id,
        "Booked <b>now</b>",
        "Line one <script>alert(1)</script>\nLine two",
    )
    .await;
    let second = deliver(&app, &sam, id, "Reminder", "Tomorrow.").await;
    let lenas = deliver(&app, &lena, id, "Lena only", "Not Sam's.").await;

    let (_, body, _) = page(&app, &client, "/inbox").await;
    assert_eq!(badge(&body), Some(2));
    assert!(
        body.contains("Booked &#60;b&#62;now&#60;/b&#62;")
            || body.contains("Booked &lt;b&gt;now&lt;/b&gt;"),
        "{body}"
    );
    assert!(!body.contains("<script>alert(1)"), "the body is escaped");
    assert!(body.contains("Line two"));
    assert!(body.contains(&format!("href=\"/sessions/{id}\"")));
    assert!(!body.contains("Lena only"));
    assert!(body.contains(&format!("action=\"/inbox/{first}/read\"")));
    assert!(body.contains("Mark all read"));
    // Newest first.
    let at = |item: i64| body.find(&format!("id=\"item-{item}\"")).unwrap();
    assert!(at(second) < at(first));
    // Times in Sam's zone.
    assert!(
        body.contains(&format!("times in {}", sam.timezone)),
        "{body}"
    );
    // The badge is on every page.
    let (_, dash, _) = page(&app, &client, "/dashboard").await;
    assert_eq!(badge(&dash), Some(2));
    let (_, sessions, _) = page(&app, &client, "/sessions").await;
    assert_eq!(badge(&sessions), Some(2));

    // Forms need the token.
    let (status, _, _) = post_form(&app, &client, &format!("/inbox/{first}/read"), &[]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = post_form(&app, &client, "/inbox/read", &[("csrf", "forged")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(app.store.unread_count(sam.id).await.unwrap(), 2);

    // One item.
    let (status, location, _) = post_form(
        &app,
        &client,
        &format!("/inbox/{first}/read"),
        &[("csrf", &csrf)],
    )
    .await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/inbox")
    );
    let (_, body, _) = page(&app, &client, "/inbox").await;
    assert_eq!(badge(&body), Some(1));
    assert!(!body.contains(&format!("action=\"/inbox/{first}/read\"")));
    assert!(body.contains(&format!("action=\"/inbox/{second}/read\"")));

    // Lena's item through Sam's session: 404, and it stays unread.
    for path in [format!("/inbox/{lenas}/read"), "/inbox/nope/read".into()] {
        let (status, _, _) = post_form(&app, &client, &path, &[("csrf", &csrf)]).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
    assert_eq!(app.store.unread_count(lena.id).await.unwrap(), 1);

    // All.
    let (status, location, _) = post_form(&app, &client, "/inbox/read", &[("csrf", &csrf)]).await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/inbox")
    );
    let (_, body, _) = page(&app, &client, "/inbox").await;
    assert_eq!(badge(&body), None);
    assert!(body.contains("Nothing unread."));
    assert_eq!(app.store.unread_count(lena.id).await.unwrap(), 1);

    // A visitor is sent to log in.
    let (status, _, _) = page(&app, &browser(), "/inbox").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
}

async fn prefs(app: &App, token: &str) -> Value {
    let r = app.get("/api/v1/me/nudge-preferences", Some(token)).await;
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

fn every_channel() -> Value {
    let both = json!(["in_app", "email", "chat"]);
    let mut m = serde_json::Map::new();
    for k in NudgeKind::ALL {
        m.insert(k.as_str().into(), both.clone());
    }
    Value::Object(m)
}

async fn preferences_round_trip_and_refuse_bad_input_over_the_api(app: App) {
    let sam = app.login(SAM, DEMO_PASSWORD).await;
    let defaults = prefs(&app, &sam).await;
    assert_eq!(
        defaults,
        json!({
            "reminders": [1440, 60],
            "quiet_start": "22:00",
            "quiet_end": "07:00",
            "channels": every_channel(),
        })
    );

    let mine = json!({
        "reminders": [30, 2880],
        "quiet_start": "",
        "quiet_end": "",
        "channels": {"reminder": ["email"], "booked": ["in_app", "email"]},
    });
    let r = app
        .put("/api/v1/me/nudge-preferences", Some(&sam), mine)
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let saved: Value = r.json().await.unwrap();
    assert_eq!(saved["reminders"], json!([2880, 30]), "longest first");
    assert_eq!(saved["quiet_start"], "");
    assert_eq!(saved["quiet_end"], "");
    assert_eq!(saved["channels"]["reminder"], json!(["email"]));
    assert_eq!(saved["channels"]["booked"], json!(["in_app", "email"]));
    assert_eq!(
        saved["channels"]["cancelled"],
        json!([]),
        "a kind left out goes by no channel"
    );
    assert_eq!(prefs(&app, &sam).await, saved);
    // Another person's preferences are their own.
    let lena = app.login(LENA, DEMO_PASSWORD).await;
    assert_eq!(prefs(&app, &lena).await, defaults);

    let bad = json!({
        "reminders": [1, 60],
        "quiet_start": "25:00",
        "quiet_end": "07:00",
        "channels": {"reminder": ["sms"], "booked": ["email"]},
    });
    let r = app
        .put("/api/v1/me/nudge-preferences", Some(&sam), bad)
        .await;
    let e = expect_error(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    for field in ["reminders", "quiet_start", "channels.reminder"] {
        assert!(e["fields"][field].is_string(), "{field} missing: {e}");
    }
    assert!(e["fields"]["quiet_end"].is_null(), "{e}");
    assert_eq!(prefs(&app, &sam).await, saved, "nothing saved");

    let r = app
        .put(
            "/api/v1/me/nudge-preferences",
            Some(&sam),
            json!({"reminders": [60], "quiet_start": "", "quiet_end": "", "channels": {}, "sms": true}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .put(
            "/api/v1/me/nudge-preferences",
            Some(&sam),
            json!({"reminders": [60]}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(prefs(&app, &sam).await, saved, "nothing saved");
    let r = app
        .put("/api/v1/me/nudge-preferences", None, json!({}))
        .await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

async fn preferences_on_the_account_page(app: App) {
    let sam = app.login(SAM, DEMO_PASSWORD).await;
    // A lead outside the presets, saved through the API, shows ticked on the page.
    let r = app
        .put(
            "/api/v1/me/nudge-preferences",
            Some(&sam),
            json!({"reminders": [90, 60], "quiet_start": "21:30", "quiet_end": "06:45",
                   "channels": {"reminder": ["in_app"]}}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let (client, csrf) = logged_in(&app, SAM).await;
    let (status, body, _) = page(&app, &client, "/account").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("id=\"nudges\""));
    assert!(body.contains("action=\"/account/nudges\""));
    assert!(
        body.contains("name=\"reminders\" value=\"90\" checked"),
        "{body}"
    );
    assert!(body.contains("90 minutes before"));
    assert!(body.contains("name=\"reminders\" value=\"60\" checked"));
    assert!(
        body.contains("name=\"reminders\" value=\"1440\">"),
        "unticked"
    );
    assert!(body.contains("name=\"reminders\" value=\"10080\">"));
    assert!(body.contains("value=\"21:30\""));
    assert!(body.contains("value=\"06:45\""));
    assert!(body.contains("name=\"channels.reminder\" value=\"in_app\" checked"));
    assert!(body.contains("name=\"channels.reminder\" value=\"email\">"));
    assert!(body.contains("name=\"channels.booked\" value=\"email\">"));

    // Saved from the page.
    let form = [
        ("csrf", csrf.as_str()),
        ("reminders", "2880"),
        ("reminders", "15"),
        ("quiet_start", ""),
        ("quiet_end", ""),
        ("channels.reminder", "email"),
        ("channels.reminder", "in_app"),
        ("channels.cancelled", "email"),
    ];
    let (status, location, _) = post_form(&app, &client, "/account/nudges", &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location, "/account?nudges=saved#nudges");
    let saved = prefs(&app, &sam).await;
    assert_eq!(saved["reminders"], json!([2880, 15]));
    assert_eq!(saved["quiet_start"], "");
    assert_eq!(saved["channels"]["reminder"], json!(["in_app", "email"]));
    assert_eq!(saved["channels"]["cancelled"], json!(["email"]));
    assert_eq!(saved["channels"]["booked"], json!([]));
    let (_, body, _) = page(&app, &client, "/account?nudges=saved").await;
    assert!(body.contains("Nudge preferences saved."));
    assert!(body.contains("name=\"reminders\" value=\"15\" checked"));

    // Refused: re-shown with messages and what was entered; nothing saved.
    let bad = [
        ("csrf", csrf.as_str()),
        ("reminders", "1"),
        ("reminders", "60"),
        ("quiet_start", "25:00"),
        ("quiet_end", "07:00"),
        ("channels.reminder", "sms"),
        ("channels.booked", "email"),
    ];
    let (status, _, body) = post_form(&app, &client, "/account/nudges", &bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.contains("Your nudge preferences were not saved"),
        "{body}"
    );
    assert!(body.contains("id=\"e-reminders\""));
    assert!(body.contains("id=\"e-quiet_start\""));
    assert!(body.contains("is not a time of day"));
    assert!(body.contains("Unknown channel"));
    assert!(
        body.contains("name=\"reminders\" value=\"1\" checked"),
        "kept"
    );
    assert!(body.contains("1 minute before"));
    assert!(body.contains("name=\"reminders\" value=\"60\" checked"));
    assert!(body.contains("value=\"25:00\""));
    assert!(body.contains("value=\"07:00\""));
    assert!(body.contains("name=\"channels.booked\" value=\"email\" checked"));
    assert!(body.contains("Signed in as"), "on the account page");
    assert_eq!(prefs(&app, &sam).await, saved, "nothing saved");

    // Without the token nothing is saved either.
    let mut forged = form.to_vec();
    forged[0] = ("csrf", "forged");
    let (status, _, _) = post_form(&app, &client, "/account/nudges", &forged[..1]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(prefs(&app, &sam).await, saved);
}

/// How many `booking.changed` replan jobs `booking` has.
async fn replans(app: &App, booking: i64) -> usize {
    let jobs = app.store.jobs(None, None, 500).await.unwrap();
    jobs.iter()
        .filter(|j| j.kind == BOOKING_CHANGED)
        .filter_map(|j| serde_json::from_str::<Value>(&j.payload).ok())
        .filter(|p| p["booking"] == booking && p["change"] == "replan")
        .count()
}

async fn saving_preferences_replans_upcoming_sessions(app: App) {
    let sam = app.login(SAM, DEMO_PASSWORD).await;
    let found = slots(&app, "technical-triage-20").await;
    let (upcoming, mentor) = book(&app, &sam, "technical-triage-20", &found[0]).await;
    let (cancelled, _) = book(&app, &sam, "technical-triage-20", found.last().unwrap()).await;
    let r = app
        .post(
            &format!("/api/v1/bookings/{cancelled}/cancel"),
            Some(&sam),
            json!({"reason": "clash"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(replans(&app, upcoming).await, 0);

    // A refused save enqueues nothing.
    let r = app
        .put(
            "/api/v1/me/nudge-preferences",
            Some(&sam),
            json!({"reminders": [1], "quiet_start": "", "quiet_end": "", "channels": {}}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(replans(&app, upcoming).await, 0);

    let r = app
        .put(
            "/api/v1/me/nudge-preferences",
            Some(&sam),
            json!({"reminders": [180], "quiet_start": "", "quiet_end": "", "channels": {}}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(replans(&app, upcoming).await, 1);
    assert_eq!(replans(&app, cancelled).await, 0, "only confirmed sessions");
    let job = app
        .store
        .jobs(None, None, 500)
        .await
        .unwrap()
        .into_iter()
        .find(|j| {
            j.payload.contains("\"replan\"")
                && j.payload.contains(&format!("\"booking\":{upcoming}"))
        })
        .unwrap();
    assert_eq!(job.kind, BOOKING_CHANGED);
    assert!(job.due_at <= app.clock.now(), "due at once");

    // The mentor's save from the account page replans it too.
    let (client, csrf) = logged_in(&app, &mentor.email).await;
    let (status, _, _) = post_form(
        &app,
        &client,
        "/account/nudges",
        &[
            ("csrf", &csrf),
            ("reminders", "60"),
            ("channels.reminder", "email"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(replans(&app, upcoming).await, 2);
}

async fn delivery_log_for_the_parties_only(app: App) {
    let sam_token = app.login(SAM, DEMO_PASSWORD).await;
    let sam = account(&app, SAM).await;
    let (id, mentor) = sams_session(&app, &sam_token).await;
    let now = app.clock.now();

    let mut reminder = delivery(
        format!("{id}/reminder1440m@0/{}", sam.id),
        Channel::Email,
        id,
        sam.id,
        NudgeKind::Reminder,
    );
    reminder.detail = "msg-1@stint".into();
    assert!(app.store.record_sent(&reminder, now).await.unwrap());
    let mut failed = delivery(
        format!("{id}/booked/{}", mentor.id),
        Channel::Email,
        id,
        mentor.id,
        NudgeKind::Booked,
    );
    failed.detail = "550 mailbox <unavailable>".into();
    for _ in 0..3 {
        app.store.record_failed(&failed, now).await.unwrap();
    }
    deliver(&app, &sam, id, "Booked", "Your session is booked.").await;

    // The API, for both parties and operators.
    let mentor_token = app.login(&mentor.email, DEMO_PASSWORD).await;
    let operator = app.operator().await;
    for token in [&sam_token, &mentor_token, &operator] {
        let r = app
            .get(&format!("/api/v1/bookings/{id}/deliveries"), Some(token))
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        let log: Value = r.json().await.unwrap();
        let log = log.as_array().unwrap();
        assert_eq!(log.len(), 3, "{log:?}");
        let reminder = log.iter().find(|d| d["kind"] == "reminder").unwrap();
        assert_eq!(reminder["lead_minutes"], 1440);
        assert_eq!(reminder["channel"], "email");
        assert_eq!(reminder["status"], "sent");
        assert_eq!(reminder["recipient_id"], sam.id.0);
        assert_eq!(reminder["recipient_name"], sam.display_name.as_str());
        assert_eq!(reminder["attempts"], 1);
        let failed = log
            .iter()
            .find(|d| d["kind"] == "booked" && d["channel"] == "email")
            .unwrap();
        assert_eq!(failed["status"], "failed");
        assert_eq!(failed["attempts"], 3);
        assert_eq!(failed["detail"], "550 mailbox <unavailable>");
        assert_eq!(failed["recipient_name"], mentor.display_name.as_str());
        assert!(failed["lead_minutes"].is_null());
        assert!(log.iter().any(|d| d["channel"] == "in_app"));
    }
    // Anyone else: 404, as for the booking itself.
    let lena = app.login(LENA, DEMO_PASSWORD).await;
    let r = app
        .get(&format!("/api/v1/bookings/{id}/deliveries"), Some(&lena))
        .await;
    expect_error(r, StatusCode::NOT_FOUND, "not_found").await;
    let r = app
        .get("/api/v1/bookings/999999/deliveries", Some(&sam_token))
        .await;
    expect_error(r, StatusCode::NOT_FOUND, "not_found").await;

    // The session page, in each viewer's zone.
    for who in [&sam, &mentor] {
        let (client, _) = logged_in(&app, &who.email).await;
        let (status, body, _) = page(&app, &client, &format!("/sessions/{id}")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("id=\"nudges-title\">Nudges"), "{body}");
        let when = now
            .to_zoned_datetime(who.zone())
            .strftime("%a %-d %b %H:%M")
            .to_string();
        let sent = format!(
            "24 hour reminder — sent <time datetime=\"{}\">{when} ({})</time> by e-mail to {}",
            now.to_zoned_datetime(who.zone())
                .strftime("%Y-%m-%dT%H:%M:%S%:z"),
            who.timezone,
            html(&sam.display_name),
        );
        assert!(body.contains(&sent), "{sent}\n{body}");
        assert!(body.contains(&format!(
            "Booking confirmation — <strong class=\"error\">failed</strong> (3 attempts) by e-mail to {}",
            html(&mentor.display_name)
        )));
        assert!(
            body.contains("550 mailbox &#60;unavailable&#62;")
                || body.contains("550 mailbox &lt;unavailable&gt;")
        );
        assert!(body.contains(&format!("in Stint to {}", html(&sam.display_name))));
    }
    let (client, _) = logged_in(&app, LENA).await;
    let (status, body, _) = page(&app, &client, &format!("/sessions/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!body.contains("550 mailbox"));
}

/// Text as askama escapes it.
fn html(s: &str) -> String {
    s.replace('&', "&#38;")
        .replace('<', "&#60;")
        .replace('>', "&#62;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
}
