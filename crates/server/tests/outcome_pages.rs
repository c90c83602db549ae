//! The outcome loop's pages over plain HTTP: prep, baseline, notes, closing, tasks, the
//! follow-up check-in, progress, impact, metrics, the SKU's public figures and the
//! dashboard's to-dos. Refused forms come back with their messages and nothing written;
//! every form needs its CSRF token; only the session's two parties reach its forms.
//! (The same loop in a real browser is in `browser.rs`.)
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod common;

use jiff::{SignedDuration, Timestamp};
use reqwest::{Client, StatusCode, redirect};
use std::sync::Arc;
use stint_domain::account::Account;
use stint_domain::booking::{BookingId, BookingStatus};
use stint_domain::catalog::SkuStatus;
use stint_domain::clock::Clock;
use stint_domain::outcome::assessment::{Assessment, AssessmentKind, Level};
use stint_domain::outcome::closing::{CheckpointResult, Closing};
use stint_server::demo::{self, DEMO_PASSWORD};
use stint_store::{BookingOutcome, CloseSession, NewBooking, Store};

on_both_backends!(Site;
    prep_and_baseline_reshow_errors_and_write_nothing,
    closing_reshows_errors_keeps_input_and_writes_nothing,
    outcome_forms_require_the_csrf_token,
    another_mentee_gets_404_and_operators_see_no_outcome_data,
    notes_are_rendered_without_scripts_and_private_notes_stay_private,
    after_closing_tasks_artifacts_and_the_followup_check_in,
    dashboard_lists_todos_with_due_times_and_overdue_marks,
    sku_page_shows_figures_only_from_five_sessions,
    progress_impact_and_metrics_pages,
);

const H: i64 = 3600;

struct Site {
    base: String,
    store: Arc<dyn Store>,
    clock: Arc<stint_domain::clock::TravelClock>,
}

impl Site {
    async fn start(url: &str) -> Site {
        let store = stint_store::open(url).await.unwrap();
        demo::load(&store, common::test_epoch()).await.unwrap();
        let clock = common::test_clock();
        let addr = stint_server::spawn_with_clock(store.clone(), clock.clone())
            .await
            .unwrap();
        Site {
            base: format!("http://{addr}"),
            store,
            clock,
        }
    }

    fn now(&self) -> Timestamp {
        self.clock.now()
    }

    fn advance_hours(&self, h: i64) {
        self.clock.advance(SignedDuration::from_hours(h));
    }

    /// A browser-like client: keeps cookies, does not follow redirects (so tests see them).
    fn browser() -> Client {
        Client::builder()
            .cookie_store(true)
            .redirect(redirect::Policy::none())
            .build()
            .unwrap()
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// GETs a page: status, body and the CSRF token of its forms.
    async fn page(&self, client: &Client, path: &str) -> (StatusCode, String, String) {
        let r = client.get(self.url(path)).send().await.unwrap();
        let status = r.status();
        let body = r.text().await.unwrap();
        let csrf = body
            .split("name=\"csrf\" value=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap_or_default()
            .to_string();
        (status, body, csrf)
    }

    /// A logged-in client and its CSRF token.
    async fn client(&self, email: &str) -> (Client, String) {
        let client = Site::browser();
        let (_, _, csrf) = self.page(&client, "/login").await;
        let r = client
            .post(self.url("/login"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("email", email),
                ("password", DEMO_PASSWORD),
                ("next", ""),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "log-in of {email}");
        // Form tokens are bound to the session: the one from before log-in is spent.
        let (_, _, csrf) = self.page(&client, "/dashboard").await;
        (client, csrf)
    }

    async fn post(
        &self,
        client: &Client,
        path: &str,
        form: &[(&str, &str)],
    ) -> (StatusCode, String, String) {
        let r = client.post(self.url(path)).form(form).send().await.unwrap();
        let status = r.status();
        let location = r
            .headers()
            .get("location")
            .map(|l| l.to_str().unwrap().to_string())
            .unwrap_or_default();
        (status, location, r.text().await.unwrap())
    }

    async fn account(&self, email: &str) -> Account {
        self.store.account_by_email(email).await.unwrap().unwrap()
    }

    /// A confirmed booking of `slug` with a start `hours_ahead` of the server's clock,
    /// made in the store directly (the booking flow has its own tests).
    async fn book(&self, mentee: &str, mentor: &str, slug: &str, hours_ahead: i64) -> BookingId {
        let sku = self.store.sku(slug).await.unwrap().unwrap();
        let start = self
            .now()
            .checked_add(SignedDuration::from_secs(hours_ahead * H))
            .unwrap();
        // Off the hour, so no demo session is in the way.
        let start =
            Timestamp::from_second(start.as_second() - start.as_second() % H + 17 * 60).unwrap();
        let end = start
            .checked_add(SignedDuration::from_mins(sku.content.duration_minutes))
            .unwrap();
        let new = NewBooking {
            mentor_id: self.account(mentor).await.id,
            mentee_id: self.account(mentee).await.id,
            sku_id: sku.sku_id,
            sku_version: sku.version,
            start,
            end,
            meeting_url: "https://meet.example/room".into(),
            price: 0,
            bonus: 0,
        };
        let anything = |_: Option<&stint_domain::schedule::Availability>,
                        _: &[stint_domain::schedule::Busy]| true;
        match self
            .store
            .create_booking(&new, None, &anything, self.now())
            .await
            .unwrap()
        {
            BookingOutcome::Created(b) | BookingOutcome::Replayed(b) => b.id,
        }
    }

    /// A mentor's valid closing form for a session, with one task due in `days` days.
    fn close_form<'a>(csrf: &'a str, due: &'a str) -> Vec<(&'a str, &'a str)> {
        vec![
            ("csrf", csrf),
            ("checkpoint", "reached"),
            ("evidence", "Wrote the reproduction live"),
            ("followup", "Hi Sam,\nTest the cache first.\n\nJonas"),
            ("task_title", "Run the repro on staging"),
            ("task_due", due),
            ("task_title", ""),
            ("task_due", ""),
            ("task_title", ""),
            ("task_due", ""),
        ]
    }

    /// The date `days` after the server's today in `zone`.
    fn date_in(&self, zone: &str, days: i64) -> String {
        let tz = jiff::tz::TimeZone::get(zone).unwrap();
        let today = self.now().to_zoned_datetime(tz).date();
        today
            .checked_add(SignedDuration::from_hours(24 * days))
            .unwrap()
            .to_string()
    }
}

/// The inner HTML of every `.note-rendered` block of a page.
fn rendered_notes(body: &str) -> Vec<String> {
    body.split("<div class=\"note-rendered\">")
        .skip(1)
        .map(|rest| rest.split("</div>").next().unwrap_or_default().to_string())
        .collect()
}

async fn prep_and_baseline_reshow_errors_and_write_nothing(site: Site) {
    let id = site
        .book(
            "sam@stint.example",
            "jonas@stint.example",
            "technical-triage-20",
            30,
        )
        .await;
    let (sam, csrf) = site.client("sam@stint.example").await;
    let page = format!("/sessions/{id}");
    let (status, body, _) = site.page(&sam, &page).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Your prep"), "prep section");
    assert!(
        body.contains(
            "Prep: still to do: answer the intake questions, take the baseline check-in."
        )
    );
    assert!(
        body.contains("What is broken, and how do you know?"),
        "intake question"
    );
    assert!(
        body.contains("Has a minimal reproduction and a ranked list of hypotheses."),
        "the rubric's level 3 in words"
    );
    assert!(
        body.contains("Can you trigger the problem on demand? How?"),
        "assessment question"
    );

    // A level outside the rubric: re-shown with the message and the answers kept.
    let (status, _, body) = site
        .post(
            &sam,
            &format!("/sessions/{id}/assessment"),
            &[
                ("csrf", &csrf),
                ("kind", "baseline"),
                ("level", "7"),
                ("answers", "Only under load"),
                ("answers", "Cache, pool, DNS"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("must be a level from 1 to 5"), "{body}");
    assert!(body.contains(">Only under load</textarea>"), "answer kept");
    assert!(body.contains("aria-describedby=\"e-baseline-level\""));
    // No level chosen.
    let (status, _, body) = site
        .post(
            &sam,
            &format!("/sessions/{id}/assessment"),
            &[("csrf", &csrf), ("kind", "baseline"), ("answers", "x")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("choose the level that describes you best"));
    assert!(
        site.store.assessments(id).await.unwrap().is_empty(),
        "nothing written"
    );

    // Prep: an answer too long, and a pre-read that does not exist.
    let long = "x".repeat(2001);
    let (status, _, body) = site
        .post(
            &sam,
            &format!("/sessions/{id}/prep"),
            &[
                ("csrf", &csrf),
                ("intake_answers", "The API times out"),
                ("intake_answers", &long),
                ("intake_answers", ""),
                ("pre_reads_read", "4"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("must be at most 2000 characters"), "{body}");
    assert!(body.contains("pre-read 4 does not exist"));
    assert!(
        body.contains(">The API times out</textarea>"),
        "answer kept"
    );
    assert!(
        body.contains("href=\"#f-intake-1\""),
        "the summary links to the field"
    );
    assert!(
        site.store.prep(id).await.unwrap().is_none(),
        "nothing written"
    );

    // Accepted: prep, then the baseline; prep is done.
    let (status, location, _) = site
        .post(
            &sam,
            &format!("/sessions/{id}/prep"),
            &[
                ("csrf", &csrf),
                ("intake_answers", "The API times out"),
                ("intake_answers", "A new connection pool"),
                ("intake_answers", "The database"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location, format!("/sessions/{id}?saved=prep#prep"));
    let (status, location, _) = site
        .post(
            &sam,
            &format!("/sessions/{id}/assessment"),
            &[
                ("csrf", &csrf),
                ("kind", "baseline"),
                ("level", "2"),
                ("answers", "Only under load"),
                ("answers", ""),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location, format!("/sessions/{id}?saved=baseline#baseline"));
    let (_, body, _) = site.page(&sam, &format!("{page}?saved=baseline")).await;
    assert!(body.contains("Prep done"));
    assert!(body.contains("Baseline saved."));
    assert!(body.contains("Baseline: level 2 of 5"));
    assert!(!body.contains("id=\"baseline-form\""), "taken once");
    // A second baseline is refused in the form, not with an error page.
    let (status, _, body) = site
        .post(
            &sam,
            &format!("/sessions/{id}/assessment"),
            &[("csrf", &csrf), ("kind", "baseline"), ("level", "3")],
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body.contains("That was not saved"), "{body}");
    assert!(body.contains("Baseline: level 2 of 5"));

    // The mentor sees the answers, the level and that prep is done; no prep form.
    let (jonas, _) = site.client("jonas@stint.example").await;
    let (_, body, _) = site.page(&jonas, &page).await;
    assert!(
        body.contains("Sam Okafor&#39;s prep") || body.contains("Sam Okafor's prep"),
        "{body}"
    );
    assert!(body.contains("Prep done"));
    assert!(body.contains("A new connection pool"));
    assert!(body.contains("Baseline: level 2 of 5"));
    assert!(!body.contains("id=\"prep-form\""));
    // The session has not started: the mentor is told when closing opens.
    assert!(body.contains("Once the session has started"));
    assert!(!body.contains("id=\"close-form\""));
    // The mentor cannot write the mentee's prep.
    let (status, _, _) = site
        .post(
            &jonas,
            &format!("/sessions/{id}/prep"),
            &[
                ("csrf", &site.page(&jonas, &page).await.2),
                ("intake_answers", "hijack"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        site.store
            .prep(id)
            .await
            .unwrap()
            .unwrap()
            .prep
            .intake_answers[0],
        "The API times out"
    );
}

async fn closing_reshows_errors_keeps_input_and_writes_nothing(site: Site) {
    let id = site
        .book(
            "sam@stint.example",
            "jonas@stint.example",
            "technical-triage-20",
            2,
        )
        .await;
    let (jonas, csrf) = site.client("jonas@stint.example").await;
    let close = format!("/sessions/{id}/close");
    let tomorrow = site.date_in("Europe/Berlin", 1);
    // Before the start: refused with the reason, in the form.
    let (status, _, body) = site
        .post(&jonas, &close, &Site::close_form(&csrf, &tomorrow))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body.contains("That was not saved"), "{body}");
    assert!(body.contains("The session starts on"), "{body}");
    assert!(site.store.closing(id).await.unwrap().is_none());

    site.advance_hours(3);
    let (status, body, _) = site.page(&jonas, &format!("/sessions/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("id=\"close-form\""));
    assert!(body.contains("Checkpoint reached?"));
    assert!(
        body.contains("Has a reproduction and ranked hypotheses"),
        "the checkpoint by name"
    );
    // The follow-up is pre-filled from the SKU's template, names filled in.
    assert!(body.contains("Hi Sam Okafor,"), "{body}");
    assert!(body.contains("Log each result in the hypothesis template. — Jonas Weber"));

    // No checkpoint chosen, a task in the past and a task without a title.
    let yesterday = site.date_in("Europe/Berlin", -1);
    let (status, _, body) = site
        .post(
            &jonas,
            &close,
            &[
                ("csrf", &csrf),
                ("evidence", "Kept evidence line"),
                ("followup", "Kept follow-up"),
                ("task_title", "Old task"),
                ("task_due", &yesterday),
                ("task_title", ""),
                ("task_due", ""),
                ("task_title", ""),
                ("task_due", &tomorrow),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("choose Yes, Partly or No"), "{body}");
    assert!(body.contains("is in the past"));
    // The third row's message sits next to the third row (the blank second row is skipped).
    assert!(body.contains("id=\"e-f-task-title-2\""), "{body}");
    assert!(
        body.contains("value=\"Kept evidence line\""),
        "evidence kept"
    );
    assert!(
        body.contains(">Kept follow-up</textarea>"),
        "follow-up kept"
    );
    assert!(body.contains("value=\"Old task\""), "task kept");
    assert!(
        body.contains(&format!("value=\"{yesterday}\"")),
        "date kept"
    );
    assert!(
        site.store.closing(id).await.unwrap().is_none(),
        "nothing written"
    );
    assert!(site.store.tasks(id).await.unwrap().is_empty());
    assert_eq!(
        site.store.booking(id).await.unwrap().unwrap().status,
        BookingStatus::Confirmed
    );
    // Four tasks are refused.
    let mut four = Site::close_form(&csrf, &tomorrow);
    four.truncate(6);
    for _ in 0..3 {
        four.push(("task_title", "More"));
        four.push(("task_due", &tomorrow));
    }
    let (status, _, body) = site.post(&jonas, &close, &four).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("must have at most 3 tasks"));
    assert!(site.store.closing(id).await.unwrap().is_none());

    // The mentee cannot close.
    let (sam, sam_csrf) = site.client("sam@stint.example").await;
    let (status, _, _) = site
        .post(&sam, &close, &Site::close_form(&sam_csrf, &tomorrow))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Accepted, once.
    let (status, location, _) = site
        .post(&jonas, &close, &Site::close_form(&csrf, &tomorrow))
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location, format!("/sessions/{id}?saved=closed#after"));
    assert_eq!(site.store.tasks(id).await.unwrap().len(), 1);
    let (status, _, body) = site
        .post(&jonas, &close, &Site::close_form(&csrf, &tomorrow))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(site.store.tasks(id).await.unwrap().len(), 1, "closed once");
}

async fn outcome_forms_require_the_csrf_token(site: Site) {
    let id = site
        .book(
            "sam@stint.example",
            "jonas@stint.example",
            "technical-triage-20",
            2,
        )
        .await;
    let (sam, _) = site.client("sam@stint.example").await;
    let (jonas, _) = site.client("jonas@stint.example").await;
    let forged = "0000000000000000000000000000000000000000000000000000000000000000";
    for (client, path, fields) in [
        (&sam, "prep", vec![("intake_answers", "x")]),
        (
            &sam,
            "assessment",
            vec![("kind", "baseline"), ("level", "2")],
        ),
        (&sam, "notes", vec![("kind", "shared"), ("body", "hello")]),
        (&sam, "tasks", vec![]),
        (&sam, "artifacts", vec![]),
        (
            &jonas,
            "notes",
            vec![("kind", "mentor_private"), ("body", "hello")],
        ),
    ] {
        let path = format!("/sessions/{id}/{path}");
        let (status, _, body) = site.post(client, &path, &fields).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path} without a token");
        assert!(body.contains("This form has expired"));
        let mut with_forged = fields.clone();
        with_forged.push(("csrf", forged));
        let (status, _, _) = site.post(client, &path, &with_forged).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path} with a forged token");
    }
    site.advance_hours(3);
    let tomorrow = site.date_in("Europe/Berlin", 1);
    let mut form = Site::close_form("", &tomorrow);
    form.remove(0);
    let (status, _, _) = site
        .post(&jonas, &format!("/sessions/{id}/close"), &form)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(site.store.prep(id).await.unwrap().is_none());
    assert!(site.store.assessments(id).await.unwrap().is_empty());
    assert!(site.store.notes(id).await.unwrap().is_empty());
    assert!(site.store.closing(id).await.unwrap().is_none());
}

async fn another_mentee_gets_404_and_operators_see_no_outcome_data(site: Site) {
    let id = site
        .book(
            "sam@stint.example",
            "jonas@stint.example",
            "technical-triage-20",
            2,
        )
        .await;
    let (sam, sam_csrf) = site.client("sam@stint.example").await;
    site.post(
        &sam,
        &format!("/sessions/{id}/notes"),
        &[
            ("csrf", &sam_csrf),
            ("kind", "shared"),
            ("body", "Sam's shared plan"),
        ],
    )
    .await;
    let (lena, csrf) = site.client("lena@stint.example").await;
    let (status, body, _) = site.page(&lena, &format!("/sessions/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!body.contains("Sam's shared plan"));
    for (path, fields) in [
        ("prep", vec![("intake_answers", "x")]),
        ("assessment", vec![("kind", "baseline"), ("level", "2")]),
        ("notes", vec![("kind", "shared"), ("body", "hello")]),
        ("notes", vec![("kind", "mentee_private"), ("body", "hello")]),
        ("close", vec![("checkpoint", "reached")]),
        ("tasks", vec![]),
        ("artifacts", vec![]),
    ] {
        let path = format!("/sessions/{id}/{path}");
        let mut form = fields.clone();
        form.push(("csrf", &csrf));
        let (status, _, body) = site.post(&lena, &path, &form).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert!(body.contains("Page not found"));
    }
    assert!(site.store.prep(id).await.unwrap().is_none());
    assert_eq!(site.store.notes(id).await.unwrap().len(), 1);
    // An unknown session and a malformed id are not found either.
    let (status, _, _) = site
        .post(&lena, "/sessions/99999999/prep", &[("csrf", &csrf)])
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = site
        .post(&lena, "/sessions/x/notes", &[("csrf", &csrf)])
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The operator sees the booking as before, and none of the two people's outcome data.
    let (op, _) = site.client("operator@stint.example").await;
    let (status, body, _) = site.page(&op, &format!("/sessions/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("20-min technical triage"));
    assert!(!body.contains("Sam's shared plan"));
    assert!(!body.contains("id=\"notes\""));
    assert!(!body.contains("id=\"prep\""));
}

async fn notes_are_rendered_without_scripts_and_private_notes_stay_private(site: Site) {
    let id = site
        .book(
            "sam@stint.example",
            "jonas@stint.example",
            "technical-triage-20",
            2,
        )
        .await;
    let (sam, csrf) = site.client("sam@stint.example").await;
    let page = format!("/sessions/{id}");
    let notes = format!("/sessions/{id}/notes");
    let hostile = "**Plan** for today\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[x](javascript:alert(1))";
    let (status, location, _) = site
        .post(
            &sam,
            &notes,
            &[("csrf", &csrf), ("kind", "shared"), ("body", hostile)],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        location,
        format!("/sessions/{id}?saved=note-shared#note-shared")
    );
    site.post(
        &sam,
        &notes,
        &[
            ("csrf", &csrf),
            ("kind", "mentee_private"),
            ("body", "Sam only: nervous"),
        ],
    )
    .await;
    let (_, body, _) = site.page(&sam, &format!("{page}?saved=note-shared")).await;
    let rendered = rendered_notes(&body);
    assert_eq!(rendered.len(), 2, "shared and private notes");
    assert!(
        rendered[0].contains("<strong>Plan</strong>"),
        "{}",
        rendered[0]
    );
    for html in &rendered {
        let lower = html.to_lowercase();
        for bad in ["<script", "onerror", "javascript:", "alert(1)</script"] {
            assert!(!lower.contains(bad), "{bad} in {html}");
        }
    }
    // Nowhere in the page does the script or the handler appear as markup.
    assert!(!body.contains("<script>alert(1)</script>"));
    assert!(!body.contains("<img src=x onerror"));
    assert!(!body.contains("<img src=\"x\" onerror"));
    // The typed text comes back escaped in the editor.
    assert!(
        body.contains("&#60;script&#62;alert(1)&#60;/script&#62;"),
        "{body}"
    );
    assert!(body.contains("Saved</span>"), "saved status");

    // The mentor reads the shared note, not the mentee's private one, and has his own.
    let (jonas, jcsrf) = site.client("jonas@stint.example").await;
    site.post(
        &jonas,
        &notes,
        &[
            ("csrf", &jcsrf),
            ("kind", "mentor_private"),
            ("body", "Jonas only: check pool size"),
        ],
    )
    .await;
    let (_, body, _) = site.page(&jonas, &page).await;
    assert!(body.contains("<strong>Plan</strong>"));
    assert!(body.contains("by Sam Okafor"));
    assert!(!body.contains("Sam only: nervous"));
    assert!(body.contains("Jonas only: check pool size"));
    let (_, body, _) = site.page(&sam, &page).await;
    assert!(!body.contains("Jonas only"));
    // The mentee cannot write the mentor's private note; an empty note is refused in place.
    let (status, _, _) = site
        .post(
            &sam,
            &notes,
            &[("csrf", &csrf), ("kind", "mentor_private"), ("body", "x")],
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, body) = site
        .post(
            &sam,
            &notes,
            &[("csrf", &csrf), ("kind", "shared"), ("body", "  ")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("id=\"e-f-note-shared\""), "{body}");
    assert!(body.contains("is required"));
    let shared = site.store.notes(id).await.unwrap();
    assert!(
        shared.iter().any(|n| n.body.starts_with("**Plan**")),
        "the saved note is unchanged"
    );
}

async fn after_closing_tasks_artifacts_and_the_followup_check_in(site: Site) {
    let id = site
        .book(
            "sam@stint.example",
            "jonas@stint.example",
            "technical-triage-20",
            2,
        )
        .await;
    let (sam, csrf) = site.client("sam@stint.example").await;
    site.post(
        &sam,
        &format!("/sessions/{id}/assessment"),
        &[("csrf", &csrf), ("kind", "baseline"), ("level", "2")],
    )
    .await;
    site.advance_hours(3);
    let (jonas, jcsrf) = site.client("jonas@stint.example").await;
    let due = site.date_in("Europe/Berlin", 3);
    let (status, _, _) = site
        .post(
            &jonas,
            &format!("/sessions/{id}/close"),
            &Site::close_form(&jcsrf, &due),
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    let page = format!("/sessions/{id}");
    let (_, body, _) = site.page(&sam, &page).await;
    assert!(body.contains("After the session"));
    assert!(
        body.contains("<div class=\"message\">Hi Sam,\nTest the cache first.\n\nJonas</div>"),
        "the follow-up as text, line breaks kept: {body}"
    );
    assert!(body.contains("Wrote the reproduction live"));
    assert!(body.contains("0 of 1 done"));
    assert!(body.contains("The follow-up assessment opens on"));
    assert!(body.contains("your time."));
    assert!(!body.contains("id=\"followup-form\""));
    // Too early: refused in place, naming the date.
    let (status, _, body) = site
        .post(
            &sam,
            &format!("/sessions/{id}/assessment"),
            &[("csrf", &csrf), ("kind", "followup"), ("level", "4")],
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body.contains("That was not saved"), "{body}");
    assert!(body.contains("The follow-up assessment opens on"), "{body}");

    // Tick the task and the first artifact.
    let task = site.store.tasks(id).await.unwrap()[0].id.to_string();
    let (status, location, _) = site
        .post(
            &sam,
            &format!("/sessions/{id}/tasks"),
            &[("csrf", &csrf), ("done", &task)],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location, format!("/sessions/{id}?saved=tasks#tasks"));
    assert!(site.store.tasks(id).await.unwrap()[0].done_at.is_some());
    let (status, _, _) = site
        .post(
            &sam,
            &format!("/sessions/{id}/artifacts"),
            &[("csrf", &csrf), ("done", "0")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let ticked: Vec<bool> = site
        .store
        .deliverables(id)
        .await
        .unwrap()
        .iter()
        .map(|d| d.ticked_at.is_some())
        .collect();
    assert_eq!(ticked, [true, false]);
    // An unknown task changes nothing.
    let (status, _, _) = site
        .post(
            &sam,
            &format!("/sessions/{id}/tasks"),
            &[("csrf", &csrf), ("done", "999999")],
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(site.store.tasks(id).await.unwrap()[0].done_at.is_some());
    // The mentor sees progress, and cannot tick.
    let (_, body, _) = site.page(&jonas, &page).await;
    assert!(body.contains("1 of 1 done"));
    assert!(body.contains("1 of 2 ticked"));
    assert!(!body.contains("id=\"tasks-form\""));
    let (status, _, _) = site
        .post(
            &jonas,
            &format!("/sessions/{id}/tasks"),
            &[("csrf", &jcsrf)],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // A week later the check-in opens.
    site.advance_hours(7 * 24 + 1);
    let (sam, csrf) = site.client("sam@stint.example").await;
    let (_, body, _) = site.page(&sam, &page).await;
    assert!(body.contains("id=\"followup-form\""), "{body}");
    let (status, _, body) = site
        .post(
            &sam,
            &format!("/sessions/{id}/assessment"),
            &[("csrf", &csrf), ("kind", "followup"), ("level", "0")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("must be a level from 1 to 5"));
    let (status, location, _) = site
        .post(
            &sam,
            &format!("/sessions/{id}/assessment"),
            &[("csrf", &csrf), ("kind", "followup"), ("level", "4")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        location,
        format!("/sessions/{id}?saved=followup#followup-check")
    );
    let (_, body, _) = site.page(&sam, &page).await;
    assert!(body.contains("Follow-up: level 4 of 5"));
    assert!(body.contains("+2 levels since the baseline (level 2 → 4)"));
}

async fn dashboard_lists_todos_with_due_times_and_overdue_marks(site: Site) {
    let id = site
        .book(
            "lena@stint.example",
            "jonas@stint.example",
            "technical-triage-20",
            5,
        )
        .await;
    let (lena, csrf) = site.client("lena@stint.example").await;
    let (_, body, _) = site.page(&lena, "/dashboard").await;
    assert!(body.contains("To do"));
    assert!(
        body.contains(&format!(
            "<a href=\"/sessions/{id}#prep\">Prepare for 20-min technical triage</a>"
        )),
        "{body}"
    );
    let booking = site.store.booking(id).await.unwrap().unwrap();
    let lena_account = site.account("lena@stint.example").await;
    let start = booking
        .start
        .to_zoned_datetime(jiff::tz::TimeZone::get(&lena_account.timezone).unwrap())
        .strftime("%a %-d %b %Y %H:%M")
        .to_string();
    assert!(
        body.contains(&format!("before {start}")),
        "due in her zone: {start}"
    );

    // After the session, the mentor owes the closing: due within a day of the end, then
    // overdue.
    site.advance_hours(6);
    let (jonas, jcsrf) = site.client("jonas@stint.example").await;
    let (_, body, _) = site.page(&jonas, "/dashboard").await;
    assert!(body.contains(&format!(
        "<a href=\"/sessions/{id}#close\">Close the session: 20-min technical triage</a>"
    )));
    assert!(!body.contains("Overdue"), "{body}");
    site.advance_hours(24);
    let (_, body, _) = site.page(&jonas, "/dashboard").await;
    assert!(body.contains("Overdue"), "{body}");
    let due = site.date_in("Europe/Berlin", 1);
    site.post(
        &jonas,
        &format!("/sessions/{id}/close"),
        &Site::close_form(&jcsrf, &due),
    )
    .await;
    let (_, body, _) = site.page(&jonas, "/dashboard").await;
    assert!(!body.contains(&format!("/sessions/{id}#close")));

    // The mentee's task, due tomorrow; overdue two days later.
    let (_, body, _) = site.page(&lena, "/dashboard").await;
    assert!(body.contains(&format!(
        "<a href=\"/sessions/{id}#tasks\">Run the repro on staging (20-min technical triage)</a>"
    )));
    let task_row = body
        .split(&format!("/sessions/{id}#tasks"))
        .nth(1)
        .and_then(|r| r.split("</li>").next())
        .unwrap()
        .to_string();
    assert!(task_row.contains("due "), "{task_row}");
    assert!(!task_row.contains("Overdue"), "{task_row}");
    site.advance_hours(72);
    let (lena, _) = site.client("lena@stint.example").await;
    let (_, body, _) = site.page(&lena, "/dashboard").await;
    let task_row = body
        .split(&format!("/sessions/{id}#tasks"))
        .nth(1)
        .and_then(|r| r.split("</li>").next())
        .unwrap()
        .to_string();
    assert!(task_row.contains("Overdue"), "{task_row}");
    let _ = csrf;
}

/// Closes `n` sessions of `slug` through the store, each reaching its checkpoint.
async fn seed_closed(site: &Site, slug: &str, from: usize, n: usize) {
    let sku = site.store.sku(slug).await.unwrap().unwrap();
    let mentor = site.account("jonas@stint.example").await;
    let mentee = site.account("lena@stint.example").await;
    let anything =
        |_: Option<&stint_domain::schedule::Availability>, _: &[stint_domain::schedule::Busy]| true;
    for i in from..from + n {
        let start = Timestamp::from_second(
            site.now().as_second() - (40 + 2 * i as i64) * 24 * H - site.now().as_second() % H
                + 31 * 60,
        )
        .unwrap();
        let new = NewBooking {
            mentor_id: mentor.id,
            mentee_id: mentee.id,
            sku_id: sku.sku_id,
            sku_version: sku.version,
            start,
            end: start.checked_add(SignedDuration::from_mins(20)).unwrap(),
            meeting_url: "https://meet.example/x".into(),
            price: 0,
            bonus: 0,
        };
        let id = match site
            .store
            .create_booking(&new, None, &anything, start)
            .await
            .unwrap()
        {
            BookingOutcome::Created(b) | BookingOutcome::Replayed(b) => b.id,
        };
        site.store
            .save_assessment(
                id,
                AssessmentKind::Baseline,
                &Assessment {
                    level: Level::parse(2).unwrap(),
                    answers: vec![],
                },
                start,
            )
            .await
            .unwrap();
        let closing = Closing {
            checkpoint: if i % 2 == 0 {
                CheckpointResult::Reached
            } else {
                CheckpointResult::Partly
            },
            evidence: "seen".into(),
            followup: "thanks".into(),
            tasks: vec![],
        };
        site.store
            .close_session(
                &CloseSession {
                    booking: id,
                    closing: &closing,
                    artifacts: &[],
                    closed_by: mentor.id,
                    followup_opens_at: start,
                    hold: stint_domain::ledger::HoldEnd::Release,
                },
                start.checked_add(SignedDuration::from_hours(1)).unwrap(),
            )
            .await
            .unwrap();
    }
}

async fn sku_page_shows_figures_only_from_five_sessions(site: Site) {
    // A new session type of its own, so the demo's history does not count.
    let base = site
        .store
        .sku("technical-triage-20")
        .await
        .unwrap()
        .unwrap();
    let mut content = base.content.clone();
    content.title = "20-min outcome check".into();
    let op = site.account("operator@stint.example").await;
    site.store
        .create_sku("outcome-check-20", &content, Some(op.id), site.now())
        .await
        .unwrap();
    site.store
        .set_sku_status("outcome-check-20", SkuStatus::Active, site.now())
        .await
        .unwrap();
    let visitor = Site::browser();
    seed_closed(&site, "outcome-check-20", 0, 4).await;
    let (status, body, _) = site.page(&visitor, "/skus/outcome-check-20").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains("Outcome figures appear after 5 completed sessions"),
        "{body}"
    );
    assert!(!body.contains("id=\"sku-rate\""));

    seed_closed(&site, "outcome-check-20", 4, 1).await;
    let (_, body, _) = site.page(&visitor, "/skus/outcome-check-20").await;
    assert!(!body.contains("Outcome figures appear after"));
    // Five sessions, the checkpoint reached in sessions 0, 2 and 4: 3 of 5.
    assert!(
        body.contains("<strong id=\"sku-rate\">60%</strong>"),
        "{body}"
    );
    assert!(body.contains("<span id=\"sku-sessions\">5</span>"));
    let (lo, hi) = stint_domain::outcome::metrics::wilson_interval(3, 5).unwrap();
    assert!(
        body.contains(&format!(
            "<span id=\"sku-interval\">{:.0}%–{:.0}%</span>",
            lo * 100.0,
            hi * 100.0
        )),
        "{body}"
    );
    assert!(body.contains("/metrics/definitions#def-mini-win"));
}

async fn progress_impact_and_metrics_pages(site: Site) {
    // Metrics: public, from the one list of definitions.
    let (status, body, _) = site.page(&Site::browser(), "/metrics/definitions").await;
    assert_eq!(status, StatusCode::OK);
    for (name, text) in stint_domain::outcome::metrics::DEFINITIONS {
        let slug: String = name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '-'
                }
            })
            .collect();
        let id = format!("def-{slug}");
        assert!(body.contains(&format!("id=\"{id}\"")), "{name}");
        // Shown as a sentence: its first letter capitalised.
        let rest: String = text.chars().skip(1).collect();
        assert!(body.contains(&rest.replace('\'', "&#39;")), "{text}");
    }

    // A fresh mentee's progress before and after one whole loop.
    let id = site
        .book(
            "sam@stint.example",
            "jonas@stint.example",
            "technical-triage-20",
            2,
        )
        .await;
    let (jonas, jcsrf) = site.client("jonas@stint.example").await;
    let (status, before, _) = site.page(&jonas, "/impact").await;
    assert_eq!(status, StatusCode::OK);
    let sessions_before = stat(&before, "impact-sessions");
    let (sam, csrf) = site.client("sam@stint.example").await;
    let (status, body, _) = site.page(&sam, "/progress").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Your progress"));
    assert!(body.contains("id=\"def-skill-gain\""));
    assert!(
        body.contains("href=\"/progress\""),
        "linked in the navigation"
    );
    site.post(
        &sam,
        &format!("/sessions/{id}/assessment"),
        &[("csrf", &csrf), ("kind", "baseline"), ("level", "1")],
    )
    .await;
    site.advance_hours(3);
    let due = site.date_in("Europe/Berlin", 2);
    site.post(
        &jonas,
        &format!("/sessions/{id}/close"),
        &Site::close_form(&jcsrf, &due),
    )
    .await;
    site.advance_hours(7 * 24 + 1);
    let (sam, csrf) = site.client("sam@stint.example").await;
    site.post(
        &sam,
        &format!("/sessions/{id}/assessment"),
        &[("csrf", &csrf), ("kind", "followup"), ("level", "3")],
    )
    .await;
    let (_, body, _) = site.page(&sam, "/progress").await;
    assert!(body.contains("Technical problem solving"));
    assert!(
        body.contains(&format!("<a href=\"/sessions/{id}\">")),
        "the session is a row"
    );
    assert!(body.contains("<strong>+2</strong>"), "{body}");

    let (jonas, _) = site.client("jonas@stint.example").await;
    let (_, after, _) = site.page(&jonas, "/impact").await;
    assert_eq!(stat(&after, "impact-sessions"), sessions_before + 1);
    assert!(after.contains("Wilson interval"));
    assert!(
        after.contains("href=\"/impact\""),
        "linked in the navigation"
    );

    // Impact is for mentors.
    let (status, _, _) = site.page(&sam, "/impact").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

/// The number in `<dd id="{id}">n</dd>`.
fn stat(body: &str, id: &str) -> u64 {
    body.split(&format!("id=\"{id}\">"))
        .nth(1)
        .and_then(|r| r.split('<').next())
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0)
}
