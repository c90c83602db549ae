//! The outcome loop through the JSON API, end to end on both backends: prep, baseline,
//! notes, closing with tasks, ticking, the follow-up that opens only after the SKU's delay,
//! and the figures built from them; who may see and write what; bad input refused with
//! nothing written; notes sanitized; public figures hidden below five sessions.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod common;

use common::{App, expect_error};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, ToSpan};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use stint_domain::clock::Clock;
use stint_server::demo::DEMO_PASSWORD;

on_both_backends!(App;
    the_whole_loop_through_the_api,
    only_the_two_parties_see_a_bookings_outcome,
    each_side_reads_and_writes_only_its_own_private_note,
    bad_input_is_refused_and_writes_nothing,
    closing_is_the_mentors_once_and_after_the_start,
    note_html_is_sanitized,
    sku_figures_are_hidden_below_five_sessions,
    metrics_and_the_openapi_document,
);

const MAYA: &str = "maya@stint.example";
const SAM: &str = "sam@stint.example";
const SAM_TZ: &str = "America/Chicago";
const MAYA_TZ: &str = "America/New_York";

/// The body of a response that must have `status`.
async fn body(r: reqwest::Response, status: StatusCode) -> Value {
    let got = r.status();
    let text = r.text().await.unwrap();
    assert_eq!(got, status, "{text}");
    serde_json::from_str(&text).unwrap()
}

async fn get_ok(app: &App, path: &str, token: Option<&str>) -> Value {
    body(app.get(path, token).await, StatusCode::OK).await
}

async fn me_id(app: &App, token: &str) -> i64 {
    get_ok(app, "/api/v1/me", Some(token)).await["id"]
        .as_i64()
        .unwrap()
}

fn tz(name: &str) -> TimeZone {
    TimeZone::get(name).unwrap()
}

fn ts(v: &Value) -> Timestamp {
    v.as_str().unwrap().parse().unwrap()
}

/// Today in `zone` by the server's clock.
fn today_in(app: &App, zone: &str) -> Date {
    app.clock.now().to_zoned_datetime(tz(zone)).date()
}

fn day(d: Date, n: i64) -> String {
    d.checked_add(n.days()).unwrap().to_string()
}

/// Moves the server's clock to just after `t`.
fn advance_past(app: &App, t: Timestamp) {
    let gap = t.duration_since(app.clock.now());
    if gap > SignedDuration::ZERO {
        app.clock.advance(gap + SignedDuration::from_mins(1));
    }
}

/// The people of a test: the demo mentor Maya and the demo mentee Sam, logged in.
struct People {
    maya: String,
    maya_id: i64,
    sam: String,
    sam_id: i64,
}

async fn people(app: &App) -> People {
    let maya = app.login(MAYA, DEMO_PASSWORD).await;
    let sam = app.login(SAM, DEMO_PASSWORD).await;
    People {
        maya_id: me_id(app, &maya).await,
        sam_id: me_id(app, &sam).await,
        maya,
        sam,
    }
}

const RUBRIC: [&str; 5] = [
    "Reads from notes and avoids the audience.",
    "Opens with an apology; loses the room in the first minute.",
    "Has a rehearsed opening line and looks up while saying it.",
    "Adapts the opening to the room and handles the first question calmly.",
    "Coaches others; holds any room from the first sentence.",
];

/// A new competency and SKU nobody has history in (the demo has ten weeks of sessions in
/// its own), delivered by Maya, so every figure below is exactly what this test did.
/// Returns the competency id.
async fn fresh_sku(app: &App, p: &People, slug: &str, delay_days: i64) -> i64 {
    let op = app.operator().await;
    let competency = format!("{slug}-competency");
    let c = body(
        app.post(
            "/api/v1/competencies",
            Some(&op),
            json!({"slug": competency, "name": "Stage presence", "rubric": RUBRIC}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    body(
        app.post(
            &format!("/api/v1/competencies/{competency}/checkpoints"),
            Some(&op),
            json!({"slug": "opening-line", "title": "Has a rehearsed opening line"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    body(
        app.post(
            "/api/v1/skus",
            Some(&op),
            json!({
                "slug": slug,
                "title": "30-min talk opening",
                "duration_minutes": 30,
                "competency": competency,
                "checkpoint": "opening-line",
                "outcome": "Leave with an opening line you have said out loud three times.",
                "artifacts": ["Opening-line worksheet", "Rehearsal checklist"],
                "intake_questions": ["What is the talk?", "Who is the audience?"],
                "pre_reads": [
                    {"title": "The first thirty seconds", "url": "https://example.com/first-30"},
                    {"title": "Nerves are energy", "url": "https://example.com/nerves"}
                ],
                "followup_template": "Hi {{mentee}},\n\nWe worked on: {{checkpoint}}.\n\nTake away:\n{{artifacts}}\n\n— {{mentor}}",
                "assessment_questions": ["Say your opening line.", "Who will you rehearse it with?"],
                "followup_delay_days": delay_days,
                "price_credits": 1,
                "cancel_cutoff_hours": 24,
                "reschedule_cutoff_hours": 4
            }),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    body(
        app.post(
            &format!("/api/v1/skus/{slug}/status"),
            Some(&op),
            json!({"status": "active"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let profile = get_ok(app, &format!("/api/v1/mentors/{}", p.maya_id), None).await;
    let mut skus: Vec<Value> = profile["skus"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["slug"].clone())
        .collect();
    skus.push(json!(slug));
    body(
        app.put(
            "/api/v1/mentors/me",
            Some(&p.maya),
            json!({"headline": profile["headline"], "bio": profile["bio"], "skus": skus}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    c["id"].as_i64().unwrap()
}

/// Books the first free slot of `mentor` for `sku`; returns the booking as the mentee sees it.
async fn book(app: &App, mentee: &str, sku: &str, mentor: i64) -> Value {
    let today = today_in(app, "UTC");
    let path = format!(
        "/api/v1/skus/{sku}/slots?from={}&to={}&tz={SAM_TZ}&mentor={mentor}",
        day(today, 2),
        day(today, 12)
    );
    let slots = get_ok(app, &path, None).await;
    let slot = &slots["slots"][0];
    assert!(slot.is_object(), "no free slot: {slots}");
    body(
        app.post(
            "/api/v1/bookings",
            Some(mentee),
            json!({"sku": sku, "mentor_id": mentor, "start": slot["start"]}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await
}

async fn todo(app: &App, token: &str, booking: i64) -> Vec<Value> {
    get_ok(app, "/api/v1/me/todo", Some(token))
        .await
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["booking_id"] == booking)
        .cloned()
        .collect()
}

fn kinds(items: &[Value]) -> Vec<&str> {
    items.iter().map(|i| i["kind"].as_str().unwrap()).collect()
}

fn note_kinds(notes: &Value) -> Vec<&str> {
    let mut k: Vec<&str> = notes
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["kind"].as_str().unwrap())
        .collect();
    k.sort_unstable();
    k
}

fn close_body(followup: &str, tasks: Value) -> Value {
    json!({
        "checkpoint": "reached",
        "evidence": "Said the opening line three times without notes.",
        "followup": followup,
        "tasks": tasks
    })
}

fn close_to(actual: &Value, expected: f64) {
    let a = actual
        .as_f64()
        .unwrap_or_else(|| panic!("not a number: {actual}"));
    assert!((a - expected).abs() < 1e-9, "{a} != {expected}");
}

async fn the_whole_loop_through_the_api(app: App) {
    let p = people(&app).await;
    let competency = fresh_sku(&app, &p, "talk-opening-30", 3).await;
    let impact0 = get_ok(&app, "/api/v1/me/impact", Some(&p.maya)).await;
    let booking = book(&app, &p.sam, "talk-opening-30", p.maya_id).await;
    let id = booking["id"].as_i64().unwrap();
    let b = format!("/api/v1/bookings/{id}");

    // Before the session: what the SKU asks, and nothing done yet.
    let o = get_ok(&app, &format!("{b}/outcome"), Some(&p.sam)).await;
    assert_eq!(
        (o["side"].as_str(), o["status"].as_str()),
        (Some("mentee"), Some("confirmed"))
    );
    let q = &o["questions"];
    assert_eq!(
        q["intake_questions"],
        json!(["What is the talk?", "Who is the audience?"])
    );
    assert_eq!(q["pre_reads"][1]["title"], "Nerves are energy");
    assert_eq!(
        q["assessment_questions"],
        json!(["Say your opening line.", "Who will you rehearse it with?"])
    );
    assert_eq!(q["competency"]["id"], competency);
    assert_eq!(
        q["competency"]["checkpoint"],
        "Has a rehearsed opening line"
    );
    let rubric: Vec<(i64, &str)> = q["competency"]["rubric"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["level"].as_i64().unwrap(),
                l["description"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(rubric, (1..=5).zip(RUBRIC).collect::<Vec<_>>());
    assert_eq!(q["followup_delay_days"], 3);
    assert!(o["prep"].is_null() && o["closing"].is_null());
    assert_eq!(
        o["prep_status"],
        json!({"answered": false, "pre_reads_done": false, "baseline_done": false, "done": false})
    );
    assert_eq!(o["tasks"], json!([]));
    let items = todo(&app, &p.sam, id).await;
    assert_eq!(kinds(&items), ["prep"]);
    assert_eq!(
        items[0]["due_at"], booking["start"],
        "due at the start, in Sam's zone"
    );

    // Prep and baseline.
    let prep = body(
        app.put(
            &format!("{b}/prep"),
            Some(&p.sam),
            json!({"intake_answers": [" A conference keynote ", "Platform engineers"], "pre_reads_read": [1, 0, 1]}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        prep["intake_answers"],
        json!(["A conference keynote", "Platform engineers"])
    );
    assert_eq!(prep["pre_reads_read"], json!([0, 1]));
    let baseline = body(
        app.post(
            &format!("{b}/assessments"),
            Some(&p.sam),
            json!({"kind": "baseline", "level": 2, "answers": ["Um, hello everyone", "Nobody yet"]}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(
        (baseline["kind"].as_str(), baseline["level"].as_i64()),
        (Some("baseline"), Some(2))
    );
    let o = get_ok(&app, &format!("{b}/outcome"), Some(&p.sam)).await;
    assert_eq!(o["prep_status"]["done"], true, "{}", o["prep_status"]);
    assert!(
        todo(&app, &p.sam, id).await.is_empty(),
        "prep done, nothing due"
    );

    // Both write notes.
    for (token, author, kind, text) in [
        (&p.sam, p.sam_id, "shared", "Agenda: the **opening line**"),
        (
            &p.sam,
            p.sam_id,
            "mentee_private",
            "I freeze when the lights go down.",
        ),
        (
            &p.maya,
            p.maya_id,
            "mentor_private",
            "Ask about the audience first.",
        ),
    ] {
        let n = body(
            app.put(
                &format!("{b}/notes/{kind}"),
                Some(token),
                json!({"body": text}),
            )
            .await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(
            (n["kind"].as_str(), n["body"].as_str()),
            (Some(kind), Some(text))
        );
        assert_eq!(n["author_id"], author);
    }
    let shared = body(
        app.put(
            &format!("{b}/notes/shared"),
            Some(&p.maya),
            json!({"body": "Agenda: the **opening line**, then questions"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(shared["author_id"], p.maya_id, "the last to save it");
    assert!(
        shared["html"]
            .as_str()
            .unwrap()
            .contains("<strong>opening line</strong>")
    );

    // The mentor sees the prep and the baseline, and starts from them.
    let o = get_ok(&app, &format!("{b}/outcome"), Some(&p.maya)).await;
    assert_eq!(o["side"], "mentor");
    assert_eq!(o["prep"]["intake_answers"][0], "A conference keynote");
    assert_eq!(o["assessments"][0]["level"], 2);
    assert_eq!(note_kinds(&o["notes"]), ["mentor_private", "shared"]);
    assert!(
        todo(&app, &p.maya, id).await.is_empty(),
        "nothing to close before the end"
    );

    // After the session the mentor owes the closing.
    let end = ts(&booking["end"]);
    advance_past(&app, end);
    let items = todo(&app, &p.maya, id).await;
    assert_eq!(kinds(&items), ["close_session"]);
    // Due some time from the end on (how long the mentor has is the domain's to say),
    // written in Maya's zone, and overdue exactly when that time has passed.
    let due = ts(&items[0]["due_at"]);
    assert!(due >= end, "{due} is before the end {end}");
    assert_eq!(
        items[0]["due_at"],
        stint_web::api::availability::rfc3339_in(due, &tz(MAYA_TZ)),
        "in Maya's zone"
    );
    assert_eq!(items[0]["overdue"], due <= app.clock.now());

    // The draft is the SKU's template filled in.
    let draft = get_ok(&app, &format!("{b}/followup-draft"), Some(&p.maya)).await["followup"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        draft,
        "Hi Sam Okafor,\n\nWe worked on: Has a rehearsed opening line.\n\nTake away:\n- Opening-line worksheet\n- Rehearsal checklist\n\n— Maya Goldberg"
    );

    // Closing with three tasks.
    let today = today_in(&app, MAYA_TZ);
    let tasks = json!([
        {"title": "Say the line to a friend", "due": day(today, 1)},
        {"title": "Record yourself once", "due": day(today, 7)},
        {"title": "Open the team meeting with it", "due": day(today, 14)}
    ]);
    let closed = body(
        app.post(
            &format!("{b}/close"),
            Some(&p.maya),
            close_body(&draft, tasks),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let c = &closed["closing"];
    assert_eq!(
        (c["checkpoint"].as_str(), c["checkpoint_label"].as_str()),
        (Some("reached"), Some("Yes"))
    );
    assert_eq!(c["followup"], draft.as_str());
    let (closed_at, opens_at) = (ts(&c["closed_at"]), ts(&c["followup_opens_at"]));
    assert_eq!(
        opens_at.duration_since(closed_at),
        SignedDuration::from_hours(72),
        "the SKU's 3 days"
    );
    let titles: Vec<&str> = closed["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        [
            "Say the line to a friend",
            "Record yourself once",
            "Open the team meeting with it"
        ]
    );
    assert_eq!(closed["tasks"][1]["due"], day(today, 7));
    assert!(
        closed["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["done"] == false)
    );
    assert_eq!(closed["deliverables"][0]["title"], "Opening-line worksheet");
    assert_eq!(closed["deliverables"].as_array().unwrap().len(), 2);
    assert!(
        todo(&app, &p.maya, id).await.is_empty(),
        "closed: nothing owed"
    );

    let o = get_ok(&app, &format!("{b}/outcome"), Some(&p.sam)).await;
    assert_eq!(o["status"], "completed");
    assert_eq!(ts(&o["closing"]["followup_opens_at"]), opens_at);
    let sam_opens = opens_at.to_zoned_datetime(tz(SAM_TZ));
    assert_eq!(
        o["closing"]["followup_opens_at"],
        sam_opens.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string(),
        "in Sam's zone"
    );
    let items = todo(&app, &p.sam, id).await;
    assert_eq!(kinds(&items), ["task", "task", "task"]);
    assert_eq!(items[0]["due_on"], day(today, 1));

    // The mentee ticks a task and an artifact; the mentor sees both.
    let t0 = closed["tasks"][0]["id"].as_i64().unwrap();
    let t = body(
        app.post(
            &format!("{b}/tasks/{t0}"),
            Some(&p.sam),
            json!({"done": true}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert!(t["done"] == true && t["done_at"].is_string(), "{t}");
    let d = body(
        app.post(
            &format!("{b}/deliverables/0"),
            Some(&p.sam),
            json!({"ticked": true}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert!(
        d["ticked"] == true && d["title"] == "Opening-line worksheet",
        "{d}"
    );
    let o = get_ok(&app, &format!("{b}/outcome"), Some(&p.maya)).await;
    let done: Vec<bool> = o["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["done"].as_bool().unwrap())
        .collect();
    assert_eq!(done, [true, false, false]);
    let ticked: Vec<bool> = o["deliverables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["ticked"].as_bool().unwrap())
        .collect();
    assert_eq!(ticked, [true, false]);
    let items = todo(&app, &p.sam, id).await;
    assert_eq!(items.len(), 2);
    assert!(items.iter().all(|i| i["task_id"] != t0));

    // The follow-up is refused until it opens, naming the date in Sam's zone.
    let followup =
        json!({"kind": "followup", "level": 4, "answers": ["Hello, Berlin!", "My partner"]});
    let when = sam_opens.strftime("%a %-d %b %Y %H:%M").to_string();
    for advance in [SignedDuration::ZERO, SignedDuration::from_hours(48)] {
        app.clock.advance(advance);
        let e = expect_error(
            app.post(&format!("{b}/assessments"), Some(&p.sam), followup.clone())
                .await,
            StatusCode::CONFLICT,
            "not_yet_open",
        )
        .await;
        let msg = e["fields"]["kind"].as_str().unwrap();
        assert!(
            msg.contains(&when) && msg.contains("your time"),
            "{msg} should name {when}"
        );
        assert!(!kinds(&todo(&app, &p.sam, id).await).contains(&"followup_assessment"));
    }
    advance_past(&app, opens_at);
    assert!(kinds(&todo(&app, &p.sam, id).await).contains(&"followup_assessment"));
    let f = body(
        app.post(&format!("{b}/assessments"), Some(&p.sam), followup.clone())
            .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(
        (f["kind"].as_str(), f["level"].as_i64()),
        (Some("followup"), Some(4))
    );
    expect_error(
        app.post(&format!("{b}/assessments"), Some(&p.sam), followup)
            .await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    assert!(!kinds(&todo(&app, &p.sam, id).await).contains(&"followup_assessment"));

    // The mentee's progress in this competency.
    let progress = get_ok(&app, "/api/v1/me/progress", Some(&p.sam)).await;
    let mine = progress
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["competency_id"] == competency)
        .expect("progress in the new competency");
    assert_eq!(mine["name"], "Stage presence");
    assert_eq!(mine["rubric"].as_array().unwrap().len(), 5);
    let points: Vec<(&str, i64, i64)> = mine["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|pt| {
            (
                pt["kind"].as_str().unwrap(),
                pt["level"].as_i64().unwrap(),
                pt["booking_id"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(points, [("baseline", 2, id), ("followup", 4, id)]);
    assert_eq!(ts(&mine["points"][0]["at"]), closed_at);
    for (field, n) in [
        ("latest_level", 4),
        ("sessions", 1),
        ("checkpoints_reached", 1),
        ("tasks_total", 3),
        ("tasks_done", 1),
        ("mini_wins", 1),
    ] {
        assert_eq!(mine[field], n, "{field}: {mine}");
    }
    let lena = app.login("lena@stint.example", DEMO_PASSWORD).await;
    let lenas = get_ok(&app, "/api/v1/me/progress", Some(&lena)).await;
    assert!(
        !lenas
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["competency_id"] == competency)
    );

    // The mentor's impact moved by exactly this session.
    let impact = get_ok(&app, "/api/v1/me/impact", Some(&p.maya)).await;
    let n = |v: &Value, f: &str| v[f].as_u64().unwrap();
    for (field, delta) in [
        ("sessions", 1),
        ("mini_wins", 1),
        ("checkpoints_reached", 1),
        ("tasks_total", 3),
        ("tasks_done", 1),
        ("gains_measured", 1),
    ] {
        assert_eq!(n(&impact, field), n(&impact0, field) + delta, "{field}");
    }
    let (wins, sessions) = (n(&impact, "mini_wins"), n(&impact, "sessions"));
    close_to(&impact["mini_win_rate"], wins as f64 / sessions as f64);
    let (low, high) = stint_domain::outcome::metrics::wilson_interval(wins, sessions).unwrap();
    close_to(&impact["interval"]["low"], low);
    close_to(&impact["interval"]["high"], high);
    let g0 = n(&impact0, "gains_measured") as f64;
    let mean0 = impact0["mean_gain"].as_f64().unwrap_or(0.0);
    close_to(&impact["mean_gain"], (mean0 * g0 + 2.0) / (g0 + 1.0));
    expect_error(
        app.get("/api/v1/me/impact", Some(&p.sam)).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;

    // Publicly: one session is too few to show anything but the count.
    let public = get_ok(&app, "/api/v1/skus/talk-opening-30/outcomes", None).await;
    assert_eq!(public, json!({"hidden": true, "sessions": 1, "minimum": 5}));
}

/// Every outcome route of booking `b` with a body that would be accepted from its party.
fn routes(b: &str, task: i64) -> Vec<(Method, String, Option<Value>)> {
    vec![
        (Method::GET, format!("{b}/outcome"), None),
        (
            Method::PUT,
            format!("{b}/prep"),
            Some(json!({"intake_answers": ["x"], "pre_reads_read": []})),
        ),
        (
            Method::POST,
            format!("{b}/assessments"),
            Some(json!({"kind": "followup", "level": 3, "answers": []})),
        ),
        (Method::GET, format!("{b}/notes"), None),
        (
            Method::PUT,
            format!("{b}/notes/shared"),
            Some(json!({"body": "hello"})),
        ),
        (
            Method::PUT,
            format!("{b}/notes/mentee_private"),
            Some(json!({"body": "hello"})),
        ),
        (
            Method::PUT,
            format!("{b}/notes/mentor_private"),
            Some(json!({"body": "hello"})),
        ),
        (Method::GET, format!("{b}/followup-draft"), None),
        (
            Method::POST,
            format!("{b}/close"),
            Some(close_body("Thanks", json!([]))),
        ),
        (
            Method::POST,
            format!("{b}/tasks/{task}"),
            Some(json!({"done": true})),
        ),
        (
            Method::POST,
            format!("{b}/deliverables/0"),
            Some(json!({"ticked": true})),
        ),
    ]
}

async fn only_the_two_parties_see_a_bookings_outcome(app: App) {
    let p = people(&app).await;
    let booking = book(&app, &p.sam, "career-pivot-30", p.maya_id).await;
    let id = booking["id"].as_i64().unwrap();
    let b = format!("/api/v1/bookings/{id}");
    body(
        app.put(
            &format!("{b}/prep"),
            Some(&p.sam),
            json!({"intake_answers": ["Engineer, want product", "Two coffee chats", "Starting over"], "pre_reads_read": [0]}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    body(
        app.post(
            &format!("{b}/assessments"),
            Some(&p.sam),
            json!({"kind": "baseline", "level": 1, "answers": ["Not yet"]}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    body(
        app.put(
            &format!("{b}/notes/shared"),
            Some(&p.sam),
            json!({"body": "Shared plan"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    advance_past(&app, ts(&booking["end"]));
    let today = today_in(&app, MAYA_TZ);
    let closed = body(
        app.post(
            &format!("{b}/close"),
            Some(&p.maya),
            close_body(
                "Well done",
                json!([{"title": "Tell one friend", "due": day(today, 2)}]),
            ),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let task = closed["tasks"][0]["id"].as_i64().unwrap();
    let before = get_ok(&app, &format!("{b}/outcome"), Some(&p.sam)).await;

    // The mentor sees the mentee's prep and baseline.
    let o = get_ok(&app, &format!("{b}/outcome"), Some(&p.maya)).await;
    assert_eq!(o["prep"]["intake_answers"][0], "Engineer, want product");
    assert_eq!(o["prep"]["pre_reads_read"], json!([0]));
    assert_eq!(o["prep_status"]["answered"], true);
    assert_eq!(
        (
            o["assessments"][0]["kind"].as_str(),
            o["assessments"][0]["level"].as_i64()
        ),
        (Some("baseline"), Some(1))
    );

    // A second mentee, an unrelated mentor and an operator: 404 everywhere, exactly as for a
    // booking that does not exist, so an id reveals nothing.
    let lena = app.login("lena@stint.example", DEMO_PASSWORD).await;
    let jonas = app.login("jonas@stint.example", DEMO_PASSWORD).await;
    let operator = app.operator().await;
    assert_eq!(
        app.get(&b, Some(&operator)).await.status(),
        StatusCode::OK,
        "operators see the booking itself, but not its outcome data"
    );
    let mut missing = expect_error(
        app.get("/api/v1/bookings/987654/outcome", Some(&lena))
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    // Each answer has its own request id; everything else must be the same.
    missing["request_id"] = Value::Null;
    for (who, token) in [("lena", &lena), ("jonas", &jonas), ("operator", &operator)] {
        for (method, path, body) in routes(&b, task) {
            let r = match body {
                Some(v) => app.send(method.clone(), &path, Some(token), v).await,
                None => app.get(&path, Some(token)).await,
            };
            assert_eq!(r.status(), StatusCode::NOT_FOUND, "{who}: {method} {path}");
            let mut e: Value = r.json().await.unwrap();
            e["error"]["request_id"] = Value::Null;
            assert_eq!(e["error"], missing, "{who}: {method} {path}");
        }
    }
    let after = get_ok(&app, &format!("{b}/outcome"), Some(&p.sam)).await;
    assert_eq!(after, before, "nothing was written by the others");

    // The wrong side of the booking: 403 naming who may, nothing written.
    for (token, method, path, body, who) in [
        (
            &p.maya,
            Method::PUT,
            format!("{b}/prep"),
            json!({"intake_answers": ["x"]}),
            "mentee",
        ),
        (
            &p.maya,
            Method::POST,
            format!("{b}/tasks/{task}"),
            json!({"done": true}),
            "mentee",
        ),
        (
            &p.maya,
            Method::POST,
            format!("{b}/deliverables/0"),
            json!({"ticked": true}),
            "mentee",
        ),
        (
            &p.sam,
            Method::POST,
            format!("{b}/close"),
            close_body("x", json!([])),
            "mentor",
        ),
    ] {
        let e = expect_error(
            app.send(method, &path, Some(token), body).await,
            StatusCode::FORBIDDEN,
            "forbidden",
        )
        .await;
        assert!(e["message"].as_str().unwrap().contains(who), "{e}");
        assert!(e["fields"]["booking"].is_string(), "{e}");
    }
    let e = expect_error(
        app.get(&format!("{b}/followup-draft"), Some(&p.sam)).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    assert!(e["message"].as_str().unwrap().contains("mentor"), "{e}");
    assert!(e["fields"]["booking"].is_string(), "{e}");
    assert_eq!(
        get_ok(&app, &format!("{b}/outcome"), Some(&p.sam)).await,
        before
    );
}

async fn each_side_reads_and_writes_only_its_own_private_note(app: App) {
    let p = people(&app).await;
    let booking = book(&app, &p.sam, "career-pivot-30", p.maya_id).await;
    let b = format!("/api/v1/bookings/{}", booking["id"]);
    for (token, kind, text) in [
        (&p.sam, "mentee_private", "Sam's secret"),
        (&p.maya, "mentor_private", "Maya's secret"),
        (&p.maya, "shared", "Both read this"),
    ] {
        body(
            app.put(
                &format!("{b}/notes/{kind}"),
                Some(token),
                json!({"body": text}),
            )
            .await,
            StatusCode::OK,
        )
        .await;
    }
    let texts = |notes: &Value| -> Vec<String> {
        let mut t: Vec<String> = notes
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["body"].as_str().unwrap().to_string())
            .collect();
        t.sort();
        t
    };
    for (token, own) in [(&p.sam, "Sam's secret"), (&p.maya, "Maya's secret")] {
        let listed = get_ok(&app, &format!("{b}/notes"), Some(token)).await;
        assert_eq!(texts(&listed), ["Both read this", own]);
        let o = get_ok(&app, &format!("{b}/outcome"), Some(token)).await;
        assert_eq!(texts(&o["notes"]), ["Both read this", own]);
    }
    // Writing the other side's private note: 404, and both stay as they were.
    for (token, kind) in [(&p.maya, "mentee_private"), (&p.sam, "mentor_private")] {
        expect_error(
            app.put(
                &format!("{b}/notes/{kind}"),
                Some(token),
                json!({"body": "overwritten"}),
            )
            .await,
            StatusCode::NOT_FOUND,
            "not_found",
        )
        .await;
    }
    assert_eq!(
        texts(&get_ok(&app, &format!("{b}/notes"), Some(&p.sam)).await),
        ["Both read this", "Sam's secret"]
    );
    assert_eq!(
        texts(&get_ok(&app, &format!("{b}/notes"), Some(&p.maya)).await),
        ["Both read this", "Maya's secret"]
    );
}

async fn bad_input_is_refused_and_writes_nothing(app: App) {
    let p = people(&app).await;
    let booking = book(&app, &p.sam, "career-pivot-30", p.maya_id).await;
    let b = format!("/api/v1/bookings/{}", booking["id"]);
    let assess = |level: i64, answers: Value| json!({"kind": "baseline", "level": level, "answers": answers});
    for (token, req, status, code, field) in [
        (
            &p.sam,
            assess(0, json!([])),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            "level",
        ),
        (
            &p.sam,
            assess(6, json!([])),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            "level",
        ),
        (
            &p.sam,
            assess(3, json!(["a", "b", "c"])),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            "answers",
        ),
        (
            &p.sam,
            json!({"kind": "midterm", "level": 3}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            "kind",
        ),
        (
            &p.sam,
            json!({"kind": "baseline", "level": 3, "mood": "good"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            "mood",
        ),
    ] {
        let e = expect_error(
            app.post(&format!("{b}/assessments"), Some(token), req.clone())
                .await,
            status,
            code,
        )
        .await;
        assert!(e["fields"][field].is_string(), "{req} -> {e}");
    }
    let e = expect_error(
        app.post(
            &format!("{b}/assessments"),
            Some(&p.maya),
            assess(3, json!([])),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    assert!(e["message"].as_str().unwrap().contains("mentee"), "{e}");
    let e = expect_error(
        app.put(
            &format!("{b}/prep"),
            Some(&p.sam),
            json!({"intake_answers": ["1", "2", "3", "4"], "pre_reads_read": [5]}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert!(
        e["fields"]["intake_answers"].is_string() && e["fields"]["pre_reads_read"].is_string(),
        "{e}"
    );

    let long = "é".repeat(10_001); // 20,002 bytes
    let e = expect_error(
        app.put(
            &format!("{b}/notes/shared"),
            Some(&p.sam),
            json!({"body": long}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(e["fields"]["body"], "must be at most 20000 bytes");
    let e = expect_error(
        app.put(
            &format!("{b}/notes/diary"),
            Some(&p.sam),
            json!({"body": "hello"}),
        )
        .await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    assert!(
        e["fields"]["kind"]
            .as_str()
            .unwrap()
            .contains("mentee_private"),
        "{e}"
    );

    let o = get_ok(&app, &format!("{b}/outcome"), Some(&p.sam)).await;
    assert_eq!(o["assessments"], json!([]), "no assessment written");
    assert!(o["prep"].is_null(), "no prep written");
    assert_eq!(o["notes"], json!([]), "no note written");
    assert!(
        get_ok(&app, &format!("{b}/notes"), Some(&p.maya))
            .await
            .as_array()
            .unwrap()
            .is_empty()
    );

    // Closing input, once the session is over: every field named, nothing closed.
    advance_past(&app, ts(&booking["end"]));
    let today = today_in(&app, MAYA_TZ);
    let task = |due: String| json!({"title": "Do it", "due": due});
    for (req, field, message) in [
        (
            close_body(
                "x",
                json!([
                    task(day(today, 1)),
                    task(day(today, 2)),
                    task(day(today, 3)),
                    task(day(today, 4))
                ]),
            ),
            "tasks",
            "must have at most 3 tasks",
        ),
        (
            close_body("x", json!([task(day(today, -1))])),
            "tasks.0.due",
            "is in the past",
        ),
        (
            close_body("x", json!([task("next week".into())])),
            "tasks.0.due",
            "must be a date (YYYY-MM-DD)",
        ),
        (
            json!({"checkpoint": "maybe", "evidence": "e", "followup": "f"}),
            "checkpoint",
            "choose Yes, Partly or No",
        ),
        (
            json!({"checkpoint": "reached", "evidence": " ", "followup": "f"}),
            "evidence",
            "is required",
        ),
    ] {
        let e = expect_error(
            app.post(&format!("{b}/close"), Some(&p.maya), req.clone())
                .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )
        .await;
        assert_eq!(e["fields"][field], message, "{req} -> {e}");
    }
    let o = get_ok(&app, &format!("{b}/outcome"), Some(&p.maya)).await;
    assert!(o["closing"].is_null(), "not closed: {}", o["closing"]);
    assert_eq!(
        (o["status"].as_str(), o["tasks"].as_array().unwrap().len()),
        (Some("confirmed"), 0)
    );
    assert_eq!(o["deliverables"], json!([]));
}

async fn closing_is_the_mentors_once_and_after_the_start(app: App) {
    let p = people(&app).await;
    let booking = book(&app, &p.sam, "career-pivot-30", p.maya_id).await;
    let b = format!("/api/v1/bookings/{}", booking["id"]);
    let today = today_in(&app, MAYA_TZ);
    let first = close_body("First", json!([{"title": "One", "due": day(today, 20)}]));

    // Before the start: refused, naming the start in Maya's zone.
    let e = expect_error(
        app.post(&format!("{b}/close"), Some(&p.maya), first.clone())
            .await,
        StatusCode::CONFLICT,
        "not_started",
    )
    .await;
    let start = ts(&booking["start"]).to_zoned_datetime(tz(MAYA_TZ));
    let when = start.strftime("%a %-d %b %Y %H:%M").to_string();
    assert!(
        e["fields"]["status"].as_str().unwrap().contains(&when),
        "{e} should name {when}"
    );

    // The mentee may not close, even after the session.
    advance_past(&app, ts(&booking["end"]));
    expect_error(
        app.post(&format!("{b}/close"), Some(&p.sam), first.clone())
            .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let o = get_ok(&app, &format!("{b}/outcome"), Some(&p.sam)).await;
    assert!(o["closing"].is_null() && o["status"] == "confirmed", "{o}");

    // Once only: the second closing changes nothing.
    body(
        app.post(&format!("{b}/close"), Some(&p.maya), first).await,
        StatusCode::OK,
    )
    .await;
    let second = close_body(
        "Second",
        json!([{"title": "Two", "due": day(today, 21)}, {"title": "Three", "due": day(today, 22)}]),
    );
    let e = expect_error(
        app.post(&format!("{b}/close"), Some(&p.maya), second).await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    assert_eq!(e["fields"]["status"], "this session is already closed");
    let o = get_ok(&app, &format!("{b}/outcome"), Some(&p.maya)).await;
    assert_eq!(o["closing"]["followup"], "First");
    let titles: Vec<&str> = o["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["One"]);
    assert_eq!(
        o["deliverables"].as_array().unwrap().len(),
        3,
        "the SKU's three artifacts, once"
    );

    // After closing, prep and the baseline are closed too; unknown task or artifact: 404.
    for (path, req) in [
        (format!("{b}/prep"), json!({"intake_answers": ["late"]})),
        (
            format!("{b}/assessments"),
            json!({"kind": "baseline", "level": 3}),
        ),
    ] {
        let r = if path.ends_with("prep") {
            app.put(&path, Some(&p.sam), req).await
        } else {
            app.post(&path, Some(&p.sam), req).await
        };
        let e = expect_error(r, StatusCode::CONFLICT, "conflict").await;
        assert!(
            e["fields"]["status"]
                .as_str()
                .unwrap()
                .contains("completed"),
            "{e}"
        );
    }
    for path in [format!("{b}/tasks/987654"), format!("{b}/deliverables/3")] {
        let key = if path.contains("tasks") {
            "done"
        } else {
            "ticked"
        };
        expect_error(
            app.post(&path, Some(&p.sam), json!({key: true})).await,
            StatusCode::NOT_FOUND,
            "not_found",
        )
        .await;
    }
    let o = get_ok(&app, &format!("{b}/outcome"), Some(&p.sam)).await;
    assert!(o["prep"].is_null() && o["assessments"] == json!([]), "{o}");
}

async fn note_html_is_sanitized(app: App) {
    let p = people(&app).await;
    let booking = book(&app, &p.sam, "career-pivot-30", p.maya_id).await;
    let b = format!("/api/v1/bookings/{}", booking["id"]);
    let hostile = "Plan **now** <script>alert(1)</script> <img src=x onerror=alert(1)> [x](javascript:alert(1))";
    body(
        app.put(
            &format!("{b}/notes/shared"),
            Some(&p.sam),
            json!({"body": hostile}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    for token in [&p.sam, &p.maya] {
        let notes = get_ok(&app, &format!("{b}/notes"), Some(token)).await;
        let n = &notes[0];
        assert_eq!(n["body"], hostile, "the Markdown is kept as written");
        let html = n["html"].as_str().unwrap().to_lowercase();
        for bad in ["<script", "onerror", "javascript:"] {
            assert!(!html.contains(bad), "{bad} in {html}");
        }
        assert!(html.contains("<strong>now</strong>"), "{html}");
        let o = get_ok(&app, &format!("{b}/outcome"), Some(token)).await;
        assert_eq!(o["notes"][0]["html"], n["html"]);
    }
}

async fn sku_figures_are_hidden_below_five_sessions(app: App) {
    let p = people(&app).await;
    fresh_sku(&app, &p, "talk-opening-45", 1).await;
    let path = "/api/v1/skus/talk-opening-45/outcomes";
    assert_eq!(
        get_ok(&app, path, None).await,
        json!({"hidden": true, "sessions": 0, "minimum": 5})
    );
    expect_error(
        app.get("/api/v1/skus/no-such-sku/outcomes", None).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;

    let mut ids = Vec::new();
    let mut last_end = Timestamp::UNIX_EPOCH;
    for i in 0..5 {
        let booking = book(&app, &p.sam, "talk-opening-45", p.maya_id).await;
        let id = booking["id"].as_i64().unwrap();
        if i >= 3 {
            let level = if i == 3 { 2 } else { 3 };
            body(
                app.post(
                    &format!("/api/v1/bookings/{id}/assessments"),
                    Some(&p.sam),
                    json!({"kind": "baseline", "level": level}),
                )
                .await,
                StatusCode::CREATED,
            )
            .await;
        }
        last_end = last_end.max(ts(&booking["end"]));
        ids.push(id);
    }
    advance_past(&app, last_end);
    // Three reached; one partly (a gain of one will make it a mini-win); one not reached.
    for (i, id) in ids.iter().enumerate() {
        let checkpoint = ["reached", "reached", "reached", "partly", "not_reached"][i];
        body(
            app.post(
                &format!("/api/v1/bookings/{id}/close"),
                Some(&p.maya),
                json!({"checkpoint": checkpoint, "evidence": "Observed", "followup": "Thanks"}),
            )
            .await,
            StatusCode::OK,
        )
        .await;
        if i == 3 {
            assert_eq!(
                get_ok(&app, path, None).await,
                json!({"hidden": true, "sessions": 4, "minimum": 5})
            );
        }
    }
    let shown = get_ok(&app, path, None).await;
    assert_eq!(
        (
            shown["hidden"].as_bool(),
            shown["sessions"].as_u64(),
            shown["mini_wins"].as_u64()
        ),
        (Some(false), Some(5), Some(3)),
        "{shown}"
    );
    close_to(&shown["mini_win_rate"], 0.6);
    assert!(
        shown.get("mean_gain").is_none(),
        "no follow-up yet: {shown}"
    );

    app.clock.advance(SignedDuration::from_hours(25));
    for (id, level) in [(ids[3], 3), (ids[4], 3)] {
        body(
            app.post(
                &format!("/api/v1/bookings/{id}/assessments"),
                Some(&p.sam),
                json!({"kind": "followup", "level": level}),
            )
            .await,
            StatusCode::CREATED,
        )
        .await;
    }
    let shown = get_ok(&app, path, None).await;
    assert_eq!(
        shown["mini_wins"], 4,
        "the partly session gained a level: {shown}"
    );
    close_to(&shown["mini_win_rate"], 0.8);
    close_to(&shown["mean_gain"], 0.5);
    // The 95% Wilson interval of 4 out of 5, worked by hand: (0.3755, 0.9638).
    let (low, high) = (
        shown["interval"]["low"].as_f64().unwrap(),
        shown["interval"]["high"].as_f64().unwrap(),
    );
    assert!(
        (low - 0.3755).abs() < 1e-3 && (high - 0.9638).abs() < 1e-3,
        "{low} {high}"
    );
    assert!(low < 0.8 && 0.8 < high);
}

async fn metrics_and_the_openapi_document(app: App) {
    let metrics = get_ok(&app, "/api/v1/metrics", None).await;
    let expected: Vec<Value> = stint_domain::outcome::metrics::DEFINITIONS
        .iter()
        .map(|(name, definition)| json!({"name": name, "definition": definition}))
        .collect();
    assert_eq!(metrics, json!(expected));
    assert!(
        metrics
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["name"] == "mini-win")
    );

    let doc = get_ok(&app, "/api/v1/openapi.json", None).await;
    for (path, method, statuses) in [
        (
            "/api/v1/bookings/{id}/outcome",
            "get",
            &["200", "401", "404"][..],
        ),
        (
            "/api/v1/bookings/{id}/prep",
            "put",
            &["200", "401", "403", "404", "409", "422"],
        ),
        (
            "/api/v1/bookings/{id}/assessments",
            "post",
            &["201", "401", "403", "404", "409", "422"],
        ),
        ("/api/v1/bookings/{id}/notes", "get", &["200", "401", "404"]),
        (
            "/api/v1/bookings/{id}/notes/{kind}",
            "put",
            &["200", "401", "404", "422"],
        ),
        (
            "/api/v1/bookings/{id}/followup-draft",
            "get",
            &["200", "401", "403", "404"],
        ),
        (
            "/api/v1/bookings/{id}/close",
            "post",
            &["200", "401", "403", "404", "409", "422"],
        ),
        (
            "/api/v1/bookings/{id}/tasks/{task_id}",
            "post",
            &["200", "401", "403", "404", "422"],
        ),
        (
            "/api/v1/bookings/{id}/deliverables/{position}",
            "post",
            &["200", "401", "403", "404", "422"],
        ),
        ("/api/v1/me/progress", "get", &["200", "401"]),
        ("/api/v1/me/impact", "get", &["200", "401", "403"]),
        ("/api/v1/me/todo", "get", &["200", "401"]),
        ("/api/v1/skus/{slug}/outcomes", "get", &["200", "404"]),
        ("/api/v1/metrics", "get", &["200"]),
    ] {
        let op = &doc["paths"][path][method];
        assert_eq!(op["tags"], json!(["outcomes"]), "{method} {path}");
        let mut documented: Vec<&str> = op["responses"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        documented.sort_unstable();
        let mut expected = statuses.to_vec();
        if method != "get" {
            // Every operation with a body also documents malformed, oversized and non-JSON ones.
            expected.extend(["400", "413", "415"]);
        }
        expected.sort_unstable();
        assert_eq!(documented, expected, "{method} {path}");
        let public = path.contains("outcomes") || path.ends_with("metrics");
        assert_eq!(op["security"].is_array(), !public, "{method} {path}");
    }
    // Signed-in routes refuse anonymous callers.
    expect_error(
        app.get("/api/v1/me/todo", None).await,
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
    )
    .await;
}
