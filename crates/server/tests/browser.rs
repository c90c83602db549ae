#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Browser tests: the real server, driven through headless Chromium over WebDriver.
//!
//! Each test gets a fresh SQLite store with the demo data, its own server on a free port,
//! its own chromedriver and a fresh browser profile. Tests run one at a time (a 2-core
//! machine runs one Chromium comfortably, not six).
//!
//! Needs `chromium` (or `chromium-browser`) and `chromedriver` on `PATH` (Debian: `apt-get
//! install chromium chromium-driver`). Without them the tests are reported as ignored, except
//! with `CI=true`, where they fail.

#[path = "support/browser.rs"]
mod harness;
#[path = "support/signup_link.rs"]
mod signup_link;
use harness::*;

use fantoccini::key::Key;
use serde_json::json;
use std::path::Path;
use std::time::{Duration, Instant};
use stint_domain::clock::Clock;
use stint_server::demo::DEMO_PASSWORD;

// ---- tests -------------------------------------------------------------------------

const DEMO_SKUS: [&str; 3] = [
    "30-min career pivot",
    "45-min negotiation clinic",
    "20-min technical triage",
];

#[tokio::test]
#[cfg_attr(
    not(peer_browser),
    ignore = "needs chromium and chromedriver on PATH: apt-get install chromium chromium-driver, then touch crates/server/build.rs"
)]
async fn catalog_pages_show_sessions_policies_and_mentors() {
    let b = Browser::start().await;
    b.goto("/").await;
    assert_eq!(
        b.client.title().await.unwrap(),
        "Stint · focused mentoring sessions"
    );
    let titles = b.texts(".sku-card h3").await;
    for t in DEMO_SKUS {
        assert!(titles.iter().any(|x| x == t), "{t} missing from {titles:?}");
    }
    assert_eq!(titles.len(), 3, "home lists {titles:?}");
    assert_eq!(
        b.text(".hero-actions a.secondary").await,
        "Meet 4 mentors",
        "mentor count on the home page"
    );

    // A session type's page: checkpoint, policy in words, price, mentors.
    b.click_link("45-min negotiation clinic").await;
    b.wait_location("/skus/negotiation-clinic-45").await;
    assert_eq!(b.text("main h1").await, "45-min negotiation clinic");
    assert_eq!(
        b.text(".checkpoint-big").await,
        "Has a written walk-away number and an opening ask"
    );
    let policies = b.texts(".policy").await;
    assert_eq!(
        policies,
        [
            "Free cancellation until 2 days before the start.",
            "Rescheduling until 12 hours before the start.",
        ]
    );
    assert!(b.text(".price").await.starts_with("45 credits"));
    let mentors = b.texts(".mentor-list a").await;
    assert!(
        mentors.contains(&"Maya Goldberg".to_string())
            && mentors.contains(&"Liam O'Connor".to_string())
            && mentors.len() == 2,
        "negotiation mentors: {mentors:?}"
    );
    let body = b.body_text().await;
    assert!(body.contains("How progress is measured: Salary negotiation"));
    assert!(body.contains("Offer comparison worksheet"));

    // Another session type with a different policy, reached from the home page.
    b.goto("/").await;
    b.click_link("20-min technical triage").await;
    b.wait_location("/skus/technical-triage-20").await;
    assert_eq!(
        b.text(".checkpoint-big").await,
        "Has a reproduction and ranked hypotheses"
    );
    assert_eq!(
        b.texts(".policy").await,
        [
            "Free cancellation until 4 hours before the start.",
            "Rescheduling until 2 hours before the start.",
        ]
    );

    // From a session type to a mentor.
    b.click_link("Jonas Weber").await;
    b.wait_text("Staff engineer, distributed systems").await;
    assert!(b.location().await.starts_with("/mentors/"));
    assert_eq!(b.text("main h1").await, "Jonas Weber");

    // The mentor directory, through the main navigation.
    b.click("nav a[href='/mentors']").await;
    b.wait_location("/mentors").await;
    let names = b.texts(".mentor-card h2").await;
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        [
            "Jonas Weber",
            "Liam O'Connor",
            "Maya Goldberg",
            "Priya Raman"
        ]
    );
    b.assert_accessible().await;
    b.snap("mentor-directory").await;

    // The directory's filters, without JavaScript: a GET form whose answer keeps them.
    b.fill("#f-q", "product").await;
    b.click(".directory-filter button[type=submit]").await;
    b.wait_text("1 mentor matches.").await;
    assert_eq!(b.texts(".mentor-card h2").await, ["Priya Raman"]);
    assert_eq!(b.value("#f-q").await, "product");

    b.click_link("Priya Raman").await;
    b.wait_text("Engineering manager turned product lead").await;
    assert_eq!(b.text("main h1").await, "Priya Raman");
    b.assert_accessible().await;
    b.snap("mentor-profile").await;
    assert!(b.body_text().await.contains("Book with Priya"));
    let eyebrow = b.content(".profile .eyebrow").await;
    assert!(
        eyebrow.starts_with("Mentor · Kolkata · ") && eyebrow.ends_with(" local time"),
        "the mentor's city and local time: {eyebrow}"
    );
    let offered = b
        .texts("#offers ~ ul h3, section[aria-labelledby=offers] h3")
        .await;
    assert!(
        offered.contains(&"30-min career pivot".to_string())
            && offered.contains(&"20-min technical triage".to_string()),
        "Priya offers {offered:?}"
    );
    assert!(
        b.body_text()
            .await
            .contains("A pivot is a story before it is a plan.")
    );

    // An unknown mentor is a proper not-found page.
    b.goto("/mentors/999999").await;
    assert_eq!(b.text("main h1").await, "Page not found");
    b.finish().await;
}

#[tokio::test]
#[cfg_attr(
    not(peer_browser),
    ignore = "needs chromium and chromedriver on PATH: apt-get install chromium chromium-driver, then touch crates/server/build.rs"
)]
async fn signup_shows_field_errors_then_welcomes_the_new_mentee() {
    let b = Browser::start().await;
    b.goto("/").await;
    b.click_link("Sign up").await;
    b.wait_location("/signup").await;
    assert_eq!(b.text("main h1").await, "Create your account");

    // The script fills the zone from the browser (which runs in BROWSER_TZ).
    let deadline = Instant::now() + WAIT;
    while b.value("#f-timezone").await.is_empty() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let zone = b.value("#f-timezone").await;
    assert!(!zone.is_empty(), "the time zone field is empty");
    assert_eq!(
        zone, BROWSER_TZ,
        "the zone was not detected from the browser"
    );

    // Refused: a bad e-mail and a short password.
    b.fill("#f-display_name", "Ada Lovelace").await;
    b.fill("#f-email", "ada.example.com").await;
    b.fill("#f-password", "short").await;
    b.click("main form button[type=submit]").await;
    b.wait_text("Please fix these 2 things").await;
    assert_eq!(b.location().await, "/signup");
    assert_eq!(
        b.text("#e-email").await,
        "must be an e-mail address like name@example.com"
    );
    assert_eq!(
        b.text("#e-password").await,
        "must be at least 10 characters"
    );
    assert_eq!(
        b.attr("#f-email", "aria-invalid").await.as_deref(),
        Some("true")
    );
    assert_eq!(
        b.attr("#f-email", "aria-describedby").await.as_deref(),
        Some("e-email")
    );
    assert_eq!(b.attr("#f-display_name", "aria-invalid").await, None);
    // What was typed is kept, except the password.
    assert_eq!(b.value("#f-display_name").await, "Ada Lovelace");
    assert_eq!(b.value("#f-email").await, "ada.example.com");
    assert_eq!(b.value("#f-password").await, "");
    assert_eq!(b.value("#f-timezone").await, BROWSER_TZ);
    // The error summary takes focus so screen readers announce it.
    let focused = b.client.active_element().await.expect("focused element");
    assert_eq!(
        focused.attr("class").await.unwrap().as_deref(),
        Some("alert error-summary")
    );
    // Its links lead to the fields.
    let links = b.texts(".error-summary a").await;
    assert_eq!(links, ["E-mail", "Password"]);

    // Accepted: the mail's link finishes it.
    b.fill("#f-email", "ada@example.com").await;
    b.fill("#f-password", "analytical engine 1843").await;
    b.click("main form button[type=submit]").await;
    b.wait_text("Check your mail").await;
    assert!(b.text("[role=status]").await.contains("ada@example.com"));
    b.follow_signup_link("ada@example.com").await;
    b.wait_location("/dashboard?welcome=1").await;
    assert_eq!(
        b.text("[role=status]").await,
        "Welcome to Stint, Ada Lovelace. Your account is ready."
    );
    assert_eq!(b.text("main h1").await, "Hello, Ada Lovelace");
    let meta = b.text(".page-head .meta").await;
    assert!(meta.contains(&format!("in {BROWSER_TZ}")), "meta: {meta}");
    assert!(meta.contains("Mentee"), "meta: {meta}");
    assert!(
        b.body_text()
            .await
            .contains("You have no sessions booked yet.")
    );
    assert_eq!(b.count("form[action='/logout']").await, 1);

    // Signed in, the sign-up page sends the user to the dashboard.
    b.goto("/signup").await;
    b.wait_location("/dashboard").await;

    // Signing up again with the same address looks the same (the mail tells its owner).
    b.log_out().await;
    b.goto("/signup").await;
    b.fill("#f-display_name", "Another Ada").await;
    b.fill("#f-email", "ADA@example.com").await;
    b.fill("#f-password", "another long passphrase").await;
    b.click("main form button[type=submit]").await;
    b.wait_text("Check your mail").await;
    assert_eq!(b.count("#e-email").await, 0);
    b.finish().await;
}

#[tokio::test]
#[cfg_attr(
    not(peer_browser),
    ignore = "needs chromium and chromedriver on PATH: apt-get install chromium chromium-driver, then touch crates/server/build.rs"
)]
async fn login_logout_and_the_protected_dashboard() {
    let b = Browser::start().await;
    // Logged out, the dashboard sends you to log in, and back afterwards.
    b.goto("/dashboard").await;
    b.wait_location("/login?next=%2Fdashboard").await;
    assert_eq!(b.text("main h1").await, "Log in");

    b.fill("#f-email", "sam@stint.example").await;
    b.fill("#f-password", "not-the-password").await;
    b.click("main form button[type=submit]").await;
    b.wait_text("The e-mail or password is not right.").await;
    assert_eq!(b.location().await, "/login");
    assert_eq!(
        b.text("[role=alert]").await,
        "The e-mail or password is not right."
    );
    assert_eq!(b.value("#f-email").await, "sam@stint.example");
    assert_eq!(b.value("#f-password").await, "");
    assert_eq!(b.count("form[action='/logout']").await, 0);

    b.fill("#f-password", DEMO_PASSWORD).await;
    b.click("main form button[type=submit]").await;
    b.wait_location("/dashboard").await;
    assert_eq!(b.text("main h1").await, "Hello, Sam Okafor");
    let meta = b.text(".page-head .meta").await;
    assert!(meta.contains("in America/Chicago"), "meta: {meta}");
    assert_eq!(b.text("#p-mentee").await, "Your sessions");
    assert_eq!(b.count("#p-operator").await, 0, "a mentee sees operations");
    assert_eq!(b.count("nav a[href='/operator']").await, 0);
    assert_eq!(b.count("nav a[href='/login']").await, 0);

    // A mentee cannot open the operator console.
    b.goto("/operator").await;
    assert_eq!(b.text("main h1").await, "Not for your account");

    // Log out from the navigation.
    b.goto("/dashboard").await;
    b.log_out().await;
    assert_eq!(b.text("nav a[href='/login']").await, "Log in");
    assert_eq!(b.count("form[action='/logout']").await, 0);
    assert!(b.body_text().await.contains("One focused session."));

    // The session is gone for real.
    b.goto("/dashboard").await;
    b.wait_location("/login?next=%2Fdashboard").await;
    b.finish().await;
}

#[tokio::test]
#[cfg_attr(
    not(peer_browser),
    ignore = "needs chromium and chromedriver on PATH: apt-get install chromium chromium-driver, then touch crates/server/build.rs"
)]
async fn operator_creates_and_publishes_a_session_type() {
    let b = Browser::start().await;
    b.log_in("operator@stint.example").await;
    assert_eq!(b.text("#p-operator").await, "Operations");
    b.click("nav a[href='/operator']").await;
    b.wait_location("/operator").await;
    assert_eq!(b.text("main h1").await, "Catalog");
    let rows = b.texts("table tbody tr td:first-child").await;
    assert_eq!(rows.len(), 3, "catalog rows: {rows:?}");

    b.click_link("New session type").await;
    b.wait_location("/operator/skus/new").await;
    assert_eq!(b.text("main h1").await, "New session type");
    assert_eq!(b.value("#f-duration_minutes").await, "30");

    let title = "40-min portfolio review";
    let outcome = "Leave with a shortlist of ten target companies and a first message to each.";
    b.fill("#f-title", title).await;
    b.fill("#f-slug", "portfolio-review-40").await;
    b.find("#f-target")
        .await
        .select_by_value("career-transition/target-shortlist")
        .await
        .expect("choosing the checkpoint");
    b.fill("#f-duration_minutes", "90").await;
    b.fill("#f-price_credits", "2").await;
    b.fill("#f-outcome", outcome).await;
    b.fill(
        "#f-artifacts",
        "Target company tracker\nFirst-message template",
    )
    .await;
    b.click("main form.form button[type=submit]").await;

    // Refused, with the reason next to the field and everything typed still there.
    b.wait_text("Please fix this").await;
    assert_eq!(b.location().await, "/operator/skus/new");
    assert_eq!(
        b.text("#e-duration_minutes").await,
        "must be between 20 and 60 minutes"
    );
    assert_eq!(b.value("#f-duration_minutes").await, "90");
    assert_eq!(b.value("#f-title").await, title);
    assert_eq!(b.value("#f-slug").await, "portfolio-review-40");
    assert_eq!(
        b.value("#f-target").await,
        "career-transition/target-shortlist"
    );
    assert_eq!(b.value("#f-price_credits").await, "2");
    assert_eq!(b.value("#f-outcome").await, outcome);
    assert_eq!(
        b.value("#f-artifacts").await,
        "Target company tracker\nFirst-message template"
    );

    // Accepted: a draft.
    b.fill("#f-duration_minutes", "40").await;
    b.click("main form.form button[type=submit]").await;
    b.wait_location("/operator/skus/portfolio-review-40?saved=1")
        .await;
    assert_eq!(b.text("main h1").await, title);
    assert_eq!(b.content(".page-head .status").await, "draft");

    // Drafts stay off the public catalog.
    b.goto("/").await;
    assert!(!b.texts(".sku-card h3").await.contains(&title.to_string()));
    b.goto("/operator").await;
    b.click_link(title).await;
    b.wait_location("/operator/skus/portfolio-review-40").await;

    // Publish.
    b.click(".status-actions button").await;
    b.wait_content(".page-head .status", "active").await;
    assert_eq!(
        b.count(".status-actions button").await,
        1,
        "only Retire left"
    );
    assert_eq!(b.text(".status-actions button").await, "Retire");

    // Now public, also for visitors; the home page offers it once a mentor does.
    b.log_out().await;
    let titles = b.texts(".sku-card h3").await;
    assert!(
        !titles.contains(&title.to_string()),
        "home lists {titles:?}"
    );
    assert_eq!(titles.len(), 3);
    b.goto("/skus/portfolio-review-40").await;
    assert_eq!(b.text("main h1").await, title);
    assert_eq!(b.text(".lead").await, outcome);
    assert_eq!(
        b.text(".checkpoint-big").await,
        "Has a shortlist of ten target companies"
    );
    assert_eq!(
        b.texts(".policy").await,
        [
            "Free cancellation until 24 hours before the start.",
            "Rescheduling until 4 hours before the start.",
        ]
    );
    assert_eq!(
        b.texts(".ticks li").await,
        ["Target company tracker", "First-message template"]
    );
    assert!(
        b.body_text()
            .await
            .contains("No mentor offers this session right now.")
    );
    b.finish().await;
}

#[tokio::test]
#[cfg_attr(
    not(peer_browser),
    ignore = "needs chromium and chromedriver on PATH: apt-get install chromium chromium-driver, then touch crates/server/build.rs"
)]
async fn mentor_edits_headline_and_sees_it_on_the_public_profile() {
    let b = Browser::start().await;
    b.log_in("maya@stint.example").await;
    assert_eq!(b.text("#p-mentor").await, "Mentoring");
    b.click_link("Edit your profile").await;
    b.wait_location("/mentor/profile").await;
    assert_eq!(
        b.value("#f-headline").await,
        "Former tech recruiter; 400+ offers negotiated"
    );
    let offered = |slug: &'static str| {
        let b = &b;
        async move {
            b.find(&format!("input[name=skus][value='{slug}']"))
                .await
                .is_selected()
                .await
                .unwrap()
        }
    };
    assert!(offered("negotiation-clinic-45").await);
    assert!(offered("career-pivot-30").await);
    assert!(!offered("technical-triage-20").await);

    let headline = "Negotiation coach; ex-recruiter at two scale-ups";
    b.fill("#f-headline", headline).await;
    b.fill("#f-languages", "English, Spanish").await;
    b.click("#profile-form button[type=submit]").await;
    b.wait_location("/mentor/profile?saved=profile").await;
    assert!(
        b.text("[role=status]")
            .await
            .starts_with("Saved. Your profile is live."),
    );
    assert_eq!(b.value("#f-languages").await, "English, Spanish");

    // A photo, chosen as a file: cropped to a square and shown at once.
    let picture = tempfile::Builder::new().suffix(".png").tempfile().unwrap();
    image::RgbImage::from_pixel(640, 480, image::Rgb([40, 110, 160]))
        .save_with_format(picture.path(), image::ImageFormat::Png)
        .unwrap();
    b.find("#f-photo")
        .await
        .send_keys(&picture.path().display().to_string())
        .await
        .expect("choosing the file");
    b.click(".photo-editor button[type=submit]").await;
    b.wait_location("/mentor/profile?saved=photo").await;
    assert!(b.text("[role=status]").await.starts_with("Photo saved."));
    assert_eq!(
        b.attr(".photo-editor img", "alt").await.as_deref(),
        Some("Your photo")
    );
    b.assert_accessible().await;
    b.snap("mentor-profile-editor").await;
    assert_eq!(b.value("#f-headline").await, headline);
    assert!(offered("negotiation-clinic-45").await);
    assert!(offered("career-pivot-30").await);

    // The directory, her profile and the session page all show the new line.
    b.goto("/mentors").await;
    let cards = b.texts(".mentor-card").await;
    let maya = cards
        .iter()
        .find(|c| c.contains("Maya Goldberg"))
        .expect("Maya's card");
    assert!(maya.contains(headline), "card: {maya}");
    b.click_link("Maya Goldberg").await;
    b.wait_text(headline).await;
    assert_eq!(b.text("main h1").await, "Maya Goldberg");
    assert_eq!(b.text(".profile .lead").await, headline);
    assert!(
        !b.body_text()
            .await
            .contains("Former tech recruiter; 400+ offers negotiated")
    );
    b.goto("/skus/negotiation-clinic-45").await;
    let mentors = b.texts(".mentor-list li").await;
    assert!(
        mentors
            .iter()
            .any(|m| m.contains("Maya Goldberg") && m.contains(headline)),
        "mentors: {mentors:?}"
    );
    b.finish().await;
}

#[tokio::test]
#[cfg_attr(
    not(peer_browser),
    ignore = "needs chromium and chromedriver on PATH: apt-get install chromium chromium-driver, then touch crates/server/build.rs"
)]
async fn keyboard_and_labels_smoke() {
    let b = Browser::start().await;
    b.goto("/").await;
    assert_eq!(b.count("main").await, 1, "one <main> landmark");
    assert_eq!(b.attr("main", "id").await.as_deref(), Some("main"));
    assert_eq!(
        b.attr("html", "lang").await.as_deref(),
        Some("en"),
        "page language"
    );

    // The first Tab reaches the skip link; following it moves focus to <main>.
    b.press(Key::Tab).await;
    let focused = b.client.active_element().await.expect("focused element");
    assert_eq!(focused.text().await.unwrap(), "Skip to content");
    assert_eq!(
        focused.attr("href").await.unwrap().as_deref(),
        Some("#main")
    );
    assert!(
        focused.is_displayed().await.unwrap(),
        "the skip link is visible when focused"
    );
    b.press(Key::Enter).await;
    let deadline = Instant::now() + WAIT;
    loop {
        let id = b
            .client
            .active_element()
            .await
            .expect("focused element")
            .attr("id")
            .await
            .unwrap();
        if id.as_deref() == Some("main") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "focus stayed on {id:?} after following the skip link"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // Every field a person fills in has a label.
    let unlabelled = r#"
        return Array.from(document.querySelectorAll("input, select, textarea"))
          .filter(e => e.type !== "hidden" && (!e.labels || e.labels.length === 0))
          .map(e => e.id || e.name);
    "#;
    for path in ["/signup", "/login"] {
        b.goto(path).await;
        let fields = b.count("main input:not([type=hidden])").await;
        assert!(fields >= 2, "{path} has {fields} fields");
        let missing = b
            .client
            .execute(unlabelled, vec![])
            .await
            .expect("running the label check");
        assert_eq!(missing, json!([]), "fields without a label on {path}");
    }
    b.log_in("operator@stint.example").await;
    for path in [
        "/account",
        "/operator/skus/new",
        "/operator/competencies/new",
    ] {
        b.goto(path).await;
        let missing = b
            .client
            .execute(unlabelled, vec![])
            .await
            .expect("running the label check");
        assert_eq!(missing, json!([]), "fields without a label on {path}");
    }
    b.finish().await;
}

/// Error pages are rendered away from their handler; their "Log out" button must still carry
/// the request's CSRF token and work.
#[tokio::test]
#[cfg_attr(
    not(peer_browser),
    ignore = "needs chromium and chromedriver on PATH: apt-get install chromium chromium-driver, then touch crates/server/build.rs"
)]
async fn log_out_from_an_error_page() {
    let b = Browser::start().await;
    b.log_in("sam@stint.example").await;
    b.goto("/mentors/999999").await;
    assert_eq!(b.text("main h1").await, "Page not found");
    b.log_out().await;
    assert_eq!(b.text("nav a[href='/login']").await, "Log in");
    b.goto("/dashboard").await;
    b.wait_location("/login?next=%2Fdashboard").await;
    b.finish().await;
}

/// Waits until the current address starts with `prefix`.
async fn wait_location_prefix(b: &Browser, prefix: &str) -> String {
    let deadline = Instant::now() + WAIT;
    loop {
        let here = b.location().await;
        if here.starts_with(prefix) {
            return here;
        }
        if Instant::now() > deadline {
            panic!(
                "expected an address starting {prefix}, still at {here}:\n{}",
                b.body_text().await
            );
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
#[cfg_attr(
    not(peer_browser),
    ignore = "needs chromium and chromedriver on PATH: apt-get install chromium chromium-driver, then touch crates/server/build.rs"
)]
async fn mentee_books_reschedules_and_cancels_in_their_own_zone() {
    let b = Browser::start().await;
    b.log_in("sam@stint.example").await;
    b.goto("/skus/technical-triage-20").await;
    b.click_link("Choose a time").await;
    // The browser's zone (Asia/Tokyo for this harness) is detected and shown.
    let here = wait_location_prefix(&b, "/skus/technical-triage-20/book?").await;
    assert!(here.contains("tz=Asia%2FTokyo"), "{here}");
    b.wait_text("Times in Asia/Tokyo").await;
    assert!(
        b.count(".slot").await > 5,
        "a week of demo hours offers slots"
    );
    let first_time = b.text(".slot").await;
    b.click(".slot").await;
    wait_location_prefix(&b, "/skus/technical-triage-20/book/confirm?").await;
    b.wait_text("your time (Asia/Tokyo)").await;
    let when = b.text(".facts dd strong").await;
    assert!(
        first_time.starts_with(when.rsplit(", ").next().unwrap_or("")),
        "{first_time} vs {when}"
    );
    b.click("main form button[type=submit]").await;
    let session = wait_location_prefix(&b, "/sessions/").await;
    assert!(session.ends_with("?booked=1"), "{session}");
    b.wait_text("Booked.").await;
    assert!(
        b.body_text().await.contains("America/Chicago"),
        "the session page uses the account's zone"
    );
    let id: String = session
        .trim_start_matches("/sessions/")
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();

    // Reschedule to another free time.
    b.click_link("Reschedule").await;
    b.wait_location(&format!("/sessions/{id}/reschedule")).await;
    b.click(".slot").await;
    // Asked first, naming both times; nothing moves until confirmed.
    b.wait_text("Move the session from").await;
    b.assert_accessible().await;
    b.snap("move-confirmation").await;
    b.click("#confirm-move button[type=submit]").await;
    b.wait_location(&format!("/sessions/{id}?moved=1")).await;
    b.wait_text("Moved to the new time.").await;
    assert!(
        b.body_text().await.contains("rescheduled from"),
        "history records the move"
    );

    // Cancel with a reason.
    b.fill("#f-reason", "Solved it myself, thanks!").await;
    b.click("form[action$='/cancel'] button").await;
    // Asked first, with what it costs; nothing is cancelled until confirmed.
    b.wait_text("Cancel this session?").await;
    b.assert_accessible().await;
    b.snap("cancel-confirmation").await;
    assert_eq!(
        b.booking(id.parse().unwrap()).await.status.as_str(),
        "confirmed"
    );
    b.click("#confirm-cancel button[type=submit]").await;
    b.wait_location(&format!("/sessions/{id}?cancelled=1"))
        .await;
    assert_eq!(
        b.text(".page-head .status").await.to_lowercase(),
        "cancelled"
    );
    assert!(b.body_text().await.contains("Solved it myself, thanks!"));
    b.goto("/sessions").await;
    b.wait_text("Past and cancelled").await;
    assert!(
        b.text("#up + *").await.contains("Nothing booked"),
        "no upcoming session left"
    );
    b.finish().await;
}

#[tokio::test]
#[cfg_attr(
    not(peer_browser),
    ignore = "needs chromium and chromedriver on PATH: apt-get install chromium chromium-driver, then touch crates/server/build.rs"
)]
async fn mentor_edits_weekly_availability_with_errors_shown_in_place() {
    let b = Browser::start().await;
    b.log_in("jonas@stint.example").await;
    b.click_link("Set your hours").await;
    b.wait_location("/mentor/availability").await;
    assert_eq!(b.value("#f-mon").await, "09:00-12:00, 16:00-18:30");
    assert_eq!(b.value("#f-sat").await, "");
    assert_eq!(b.value("#f-timezone").await, "Europe/Berlin");
    b.fill("#f-tue", "09:00-12:00, 11:00-13:00").await;
    b.fill("#f-notice_hours", "soon").await;
    b.click("main form button[type=submit]").await;
    b.wait_text("Please fix these 2 things").await;
    assert_eq!(
        b.attr("#f-tue", "aria-invalid").await.as_deref(),
        Some("true")
    );
    assert!(b.text("#e-tue").await.contains("overlaps"));
    assert_eq!(
        b.value("#f-tue").await,
        "09:00-12:00, 11:00-13:00",
        "typed input kept"
    );
    b.fill("#f-tue", "08:00-10:00").await;
    b.fill("#f-notice_hours", "6").await;
    b.fill("#f-sat", "10:00-12:00").await;
    b.fill("#f-max_per_day", "3").await;
    b.click("main form button[type=submit]").await;
    b.wait_location("/mentor/availability?saved=1").await;
    b.wait_text("Saved.").await;
    assert_eq!(b.value("#f-tue").await, "08:00-10:00");
    assert_eq!(b.value("#f-sat").await, "10:00-12:00");
    assert_eq!(b.value("#f-max_per_day").await, "3");
    assert_eq!(b.value("#f-notice_hours").await, "6");
    b.finish().await;
}

// ---- the outcome loop --------------------------------------------------------------

/// Every visible field with no label, as ids (or names).
const UNLABELLED: &str = r#"
    return Array.from(document.querySelectorAll("input, select, textarea"))
      .filter(e => e.type !== "hidden" && (!e.labels || e.labels.length === 0))
      .map(e => e.id || e.name);
"#;

impl Browser {
    /// Fails if any field of the current page has no label.
    async fn assert_labelled(&self) {
        let missing = self
            .client
            .execute(UNLABELLED, vec![])
            .await
            .expect("running the label check");
        assert_eq!(
            missing,
            json!([]),
            "fields without a label on {}",
            self.location().await
        );
    }

    /// Saves screenshots of the whole page to `$STINT_SCREENSHOTS/<name>-desktop.png` and
    /// `<name>-phone.png` (1280 and 390 pixels wide) when that is set — `.ci/run` sets it to
    /// `target/screenshots` — for people reviewing the pages; tests never need them.
    async fn snap(&self, name: &str) {
        let Ok(dir) = std::env::var("STINT_SCREENSHOTS") else {
            return;
        };
        let _ = std::fs::create_dir_all(&dir);
        for (width, tag) in [(1280, "desktop"), (390, "phone")] {
            let _ = self.client.set_window_size(width, 1000).await;
            // The whole page: the window as tall as the document.
            let height = self
                .client
                .execute("return document.documentElement.scrollHeight;", vec![])
                .await
                .ok()
                .and_then(|h| h.as_u64())
                .unwrap_or(1000)
                .min(6000) as u32;
            let _ = self.client.set_window_size(width, height.max(800)).await;
            if let Ok(png) = self.client.screenshot().await {
                let _ = std::fs::write(Path::new(&dir).join(format!("{name}-{tag}.png")), png);
            }
        }
        let _ = self.client.set_window_size(1280, 1000).await;
    }

    /// Runs axe-core (`tests/support/axe.min.js`, MPL-2.0, Deque Systems) on the page and
    /// fails on any serious or critical violation, naming each rule and where it fails.
    async fn assert_accessible(&self) {
        const AXE: &str = include_str!("support/axe.min.js");
        self.client
            .execute(AXE, vec![])
            .await
            .expect("axe-core loads");
        let found = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, { resultTypes: ['violations'] }).then(r => done(
                   r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
                     .map(v => v.id + ' (' + v.impact + '): '
                       + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '))));",
                vec![],
            )
            .await
            .expect("axe-core runs");
        let found: Vec<String> = serde_json::from_value(found).unwrap_or_default();
        assert!(
            found.is_empty(),
            "{}: axe-core finds {found:#?}",
            self.location().await
        );
    }

    /// Sets a field's value by script: date inputs take typed keys in the browser's locale.
    async fn set_value(&self, css: &str, value: &str) {
        let field = self.find(css).await;
        let arg = serde_json::to_value(&field).expect("element reference");
        self.client
            .execute(
                "arguments[0].value = arguments[1];",
                vec![arg, json!(value)],
            )
            .await
            .expect("setting a value");
    }

    /// Moves the server's clock to `minutes` after `at`.
    fn travel_past(&self, at: jiff::Timestamp, minutes: i64) {
        let now = self.clock.now();
        self.clock
            .advance(at.duration_since(now) + jiff::SignedDuration::from_mins(minutes));
    }

    async fn booking(&self, id: i64) -> stint_domain::booking::Booking {
        self.store
            .booking(stint_domain::booking::BookingId(id))
            .await
            .expect("reading the booking")
            .expect("the booking exists")
    }
}

/// Books the first free slot of a session type through the booking pages, as the logged-in
/// mentee, and returns the new session's id.
async fn book_first_slot(b: &Browser, slug: &str) -> i64 {
    b.goto(&format!("/skus/{slug}")).await;
    b.click_link("Choose a time").await;
    wait_location_prefix(b, &format!("/skus/{slug}/book?")).await;
    b.wait_text("Times in").await;
    b.click(".slot").await;
    wait_location_prefix(b, &format!("/skus/{slug}/book/confirm?")).await;
    b.click("main form button[type=submit]").await;
    let session = wait_location_prefix(b, "/sessions/").await;
    assert!(session.ends_with("?booked=1"), "{session}");
    b.wait_text("Booked.").await;
    session
        .trim_start_matches("/sessions/")
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect::<String>()
        .parse()
        .expect("a session id")
}

/// The demo mentor's e-mail from the name a session page shows.
fn mentor_email(name: &str) -> &'static str {
    stint_server::demo::ACCOUNTS
        .iter()
        .find(|a| a.name == name)
        .map(|a| a.email)
        .unwrap_or_else(|| panic!("no demo mentor named {name}"))
}

#[tokio::test]
#[cfg_attr(
    not(peer_browser),
    ignore = "needs chromium and chromedriver on PATH: apt-get install chromium chromium-driver, then touch crates/server/build.rs"
)]
async fn mentee_and_mentor_go_through_the_whole_outcome_loop() {
    let b = Browser::start().await;
    // A new mentee, so the progress page holds this one session only.
    b.goto("/signup").await;
    let deadline = Instant::now() + WAIT;
    while b.value("#f-timezone").await == "UTC" && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    b.fill("#f-display_name", "Ada Lovelace").await;
    b.fill("#f-email", "ada@example.com").await;
    // The demo password, so `log_in` works for her too.
    b.fill("#f-password", DEMO_PASSWORD).await;
    b.click("main form button[type=submit]").await;
    b.wait_text("Check your mail").await;
    b.follow_signup_link("ada@example.com").await;
    b.wait_location("/dashboard?welcome=1").await;
    assert_eq!(b.text("#p-todo").await, "To do");
    assert!(b.text(".todo").await.contains("Nothing to do right now."));

    // A new account has no credits: the confirmation says how many are missing and leads to
    // the wallet, where she buys a pack by invoice; an operator marks it paid.
    b.goto("/skus/technical-triage-20").await;
    b.click_link("Choose a time").await;
    b.wait_text("Times in").await;
    b.click(".slot").await;
    wait_location_prefix(&b, "/skus/technical-triage-20/book/confirm?").await;
    b.wait_text("more credit").await;
    assert_eq!(
        b.attr("main form button[type=submit]", "disabled")
            .await
            .as_deref(),
        Some("true")
    );
    b.click_link("Buy credits").await;
    wait_location_prefix(&b, "/wallet").await;
    b.click("form[action='/wallet/buy'] button[type=submit]")
        .await;
    b.wait_text("Your invoice is below").await;
    let pending = b
        .store
        .purchases_in(stint_store::money::PurchaseState::Pending, "manual", 50)
        .await
        .unwrap();
    let ada = b
        .store
        .account_by_email("ada@example.com")
        .await
        .unwrap()
        .expect("ada");
    let invoice = pending
        .iter()
        .find(|p| p.user == ada.id)
        .expect("her invoice");
    b.store
        .mark_purchase_paid(invoice.id, "BANK-1", b.clock.now())
        .await
        .unwrap();

    let id = book_first_slot(&b, "technical-triage-20").await;
    let page = format!("/sessions/{id}");
    let booking = b.booking(id).await;
    let mentor = b
        .store
        .account(booking.mentor_id)
        .await
        .unwrap()
        .expect("the mentor");

    // The dashboard asks for prep, linking to it.
    b.goto("/dashboard").await;
    assert_eq!(
        b.attr(".todo-list a", "href").await.as_deref(),
        Some(format!("/sessions/{id}#prep").as_str())
    );
    b.click(".todo-list a").await;
    wait_location_prefix(&b, &page).await;

    // Prep: the three intake questions, then the baseline on the rubric.
    assert!(
        b.text("#prep-status")
            .await
            .starts_with("Prep: still to do")
    );
    b.assert_labelled().await;
    b.snap("1-prep").await;
    b.fill("#f-intake-0", "The report endpoint times out under load")
        .await;
    b.fill("#f-intake-1", "We moved to a new connection pool")
        .await;
    b.fill("#f-intake-2", "The database itself").await;
    b.click("#prep-form button[type=submit]").await;
    b.wait_location(&format!("{page}?saved=prep")).await;
    b.wait_text("Prep saved.").await;
    assert_eq!(
        b.value("#f-intake-1").await,
        "We moved to a new connection pool"
    );
    assert_eq!(
        b.text("label[for='f-baseline-level-2']").await,
        "Level 2: Can describe the symptom but not reproduce it reliably."
    );
    b.click("#f-baseline-level-2").await;
    b.fill("#f-baseline-answer-0", "Only under load, not on demand")
        .await;
    b.click("#baseline-form button[type=submit]").await;
    b.wait_location(&format!("{page}?saved=baseline")).await;
    b.wait_text("Baseline saved.").await;
    assert_eq!(b.text("#prep-status").await, "Prep done");
    assert!(b.text(".taken").await.starts_with("Baseline: level 2 of 5"));

    // A shared note, saved in the background, shown rendered.
    b.fill(
        "#f-note-shared",
        "## Plan\n\n- **cache** first\n- then the pool",
    )
    .await;
    b.wait_content(
        "#note-shared [data-note-status]",
        "Draft saved on this device",
    )
    .await;
    b.click("#note-shared button[type=submit]").await;
    b.wait_content("#note-shared [data-note-status]", "Saved")
        .await;
    assert_eq!(b.text("#note-shared .note-rendered h2").await, "Plan");
    assert_eq!(b.text("#note-shared .note-rendered strong").await, "cache");
    b.snap("2-prep-done").await;
    b.log_out().await;

    // The mentor, before the session: the prep, and when closing opens.
    b.log_in(mentor_email(&mentor.display_name)).await;
    b.goto("/impact").await;
    let closed_before: u64 = b.text("#impact-sessions").await.parse().unwrap();
    b.goto(&page).await;
    assert_eq!(b.text("#prep-status").await, "Prep done");
    assert!(
        b.body_text()
            .await
            .contains("We moved to a new connection pool")
    );
    assert!(
        b.text("#close")
            .await
            .contains("Once the session has started")
    );
    assert_eq!(b.text("#note-shared .note-rendered h2").await, "Plan");

    // After the session: close it with a task.
    b.travel_past(booking.end, 5);
    b.goto("/dashboard").await;
    assert!(
        b.text(".todo-list")
            .await
            .contains("Close the session: 20-min technical triage")
    );
    b.goto(&page).await;
    b.assert_labelled().await;
    assert!(
        b.value("#f-followup").await.starts_with("Hi Ada Lovelace,"),
        "pre-filled from the template"
    );
    b.click("#f-checkpoint-reached").await;
    b.fill("#f-evidence", "Reproduced it live with a load script")
        .await;
    b.fill(
        "#f-followup",
        "Hi Ada,\nTest the cache first.\nThen the pool.",
    )
    .await;
    b.fill("#f-task-title-0", "Run the load script on staging")
        .await;
    let tz = jiff::tz::TimeZone::get(&mentor.timezone).unwrap();
    let due = b
        .clock
        .now()
        .to_zoned_datetime(tz)
        .date()
        .tomorrow()
        .unwrap();
    b.set_value("#f-task-due-0", &due.to_string()).await;
    b.snap("3-close").await;
    b.click("#close-form button[type=submit]").await;
    b.wait_location(&format!("{page}?saved=closed")).await;
    b.wait_text("Session closed.").await;
    assert_eq!(b.count("#close-form").await, 0, "closed once");
    assert!(b.text("#tasks").await.contains("0 of 1 done"));
    b.log_out().await;

    // The mentee reads the follow-up, ticks the task, and waits for the check-in.
    b.log_in("ada@example.com").await;
    let todo = b.text(".todo-list").await;
    assert!(todo.contains("Run the load script on staging"), "{todo}");
    b.goto(&page).await;
    assert_eq!(
        b.text(".message").await,
        "Hi Ada,\nTest the cache first.\nThen the pool."
    );
    assert_eq!(b.text(".result").await, "Yes");
    assert!(
        b.text("#after")
            .await
            .contains("The follow-up assessment opens on"),
        "{}",
        b.text("#after").await
    );
    b.click("#tasks-form input[name=done]").await;
    b.click("#tasks-form button[type=submit]").await;
    b.wait_location(&format!("{page}?saved=tasks")).await;
    assert!(b.text("#tasks").await.contains("1 of 1 done"));
    b.snap("4-after").await;

    // A week later: the follow-up check-in.
    let closing = b.store.closing(booking.id).await.unwrap().expect("closed");
    b.travel_past(closing.followup_opens_at, 60);
    b.goto(&page).await;
    b.assert_labelled().await;
    b.click("#f-followup-level-4").await;
    b.fill("#f-followup-answer-1", "Cache, pool size, DNS")
        .await;
    b.click("#followup-form button[type=submit]").await;
    b.wait_location(&format!("{page}?saved=followup")).await;
    b.wait_text("+2 levels since the baseline").await;

    // Progress: the gain and a mini-win.
    b.click("nav a[href='/progress']").await;
    b.wait_location("/progress").await;
    assert_eq!(b.text("main section h2").await, "Technical problem solving");
    assert_eq!(b.text(".gain-cell").await, "+2");
    assert_eq!(b.text(".mini-wins").await, "1");
    assert!(b.body_text().await.contains("What the figures mean"));
    b.snap("5-progress").await;

    // The session type's public figures count this session.
    let sku = b.store.sku("technical-triage-20").await.unwrap().unwrap();
    let counted = b
        .store
        .outcomes(stint_store::OutcomeFilter {
            sku: Some(sku.sku_id),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(counted.iter().any(|o| o.booking_id == booking.id));
    b.goto("/skus/technical-triage-20").await;
    b.snap("8-sku").await;
    if counted.len() >= 5 {
        assert_eq!(b.text("#sku-sessions").await, counted.len().to_string());
        assert!(b.text("#sku-rate").await.ends_with('%'));
    } else {
        assert!(
            b.body_text()
                .await
                .contains("Outcome figures appear after 5 completed sessions")
        );
    }
    b.log_out().await;

    // The mentor's impact counts it too.
    b.log_in(mentor_email(&mentor.display_name)).await;
    b.click("nav a[href='/impact']").await;
    b.wait_location("/impact").await;
    let closed_after: u64 = b.text("#impact-sessions").await.parse().unwrap();
    assert_eq!(closed_after, closed_before + 1);
    assert!(b.text("#impact-rate").await.ends_with('%'));
    b.snap("6-impact").await;
    b.finish().await;
}

#[tokio::test]
#[cfg_attr(
    not(peer_browser),
    ignore = "needs chromium and chromedriver on PATH: apt-get install chromium chromium-driver, then touch crates/server/build.rs"
)]
async fn a_note_draft_survives_a_reload_and_is_saved_when_back_online() {
    let b = Browser::start().await;
    b.log_in("sam@stint.example").await;
    b.snap("7-dashboard").await;
    let id = book_first_slot(&b, "technical-triage-20").await;
    let page = format!("/sessions/{id}");
    let note = "#f-note-mentee_private";
    let status = "#note-mentee_private [data-note-status]";
    b.goto(&page).await;
    b.fill(note, "Ask about the flaky test").await;
    b.wait_content(status, "Draft saved on this device").await;

    // Reloaded before saving: the draft is back from this device, not from the server.
    b.goto(&page).await;
    assert_eq!(b.value(note).await, "Ask about the flaky test");
    b.wait_content(status, "Draft saved on this device (not saved yet)")
        .await;
    let bid = stint_domain::booking::BookingId(id);
    assert!(b.store.notes(bid).await.unwrap().is_empty());

    // Saving while the connection is down keeps the draft…
    b.client
        .execute(
            "window.realFetch = window.fetch; \
             window.fetch = () => Promise.reject(new TypeError('Failed to fetch'));",
            vec![],
        )
        .await
        .unwrap();
    b.click("#note-mentee_private button[type=submit]").await;
    b.wait_text("Offline: draft saved on this device").await;
    assert!(b.store.notes(bid).await.unwrap().is_empty());
    let kept = b
        .client
        .execute(
            "return Object.keys(localStorage).filter(k => k.startsWith('stint-note-draft:')).length;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(kept, json!(1));

    // …and back online it is saved.
    b.client
        .execute(
            "window.fetch = window.realFetch; window.dispatchEvent(new Event('online'));",
            vec![],
        )
        .await
        .unwrap();
    b.wait_content(status, "Saved").await;
    let notes = b.store.notes(bid).await.unwrap();
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0].body, "Ask about the flaky test");
    assert_eq!(
        b.text("#note-mentee_private .note-rendered").await,
        "Ask about the flaky test"
    );
    let kept = b
        .client
        .execute(
            "return Object.keys(localStorage).filter(k => k.startsWith('stint-note-draft:')).length;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(kept, json!(0), "the draft is gone once saved");
    b.goto(&page).await;
    assert_eq!(b.value(note).await, "Ask about the flaky test");
    assert_eq!(b.content(status).await, "");
    b.finish().await;
}

#[tokio::test]
#[cfg_attr(
    not(peer_browser),
    ignore = "needs chromium and chromedriver on PATH: apt-get install chromium chromium-driver, then touch crates/server/build.rs"
)]
async fn sponsor_admin_runs_the_console_and_a_member_books_paid_by_the_budget() {
    let b = Browser::start().await;
    b.log_in("sponsor@acme.example").await;
    b.click_link("Sponsor").await;
    let console = wait_location_prefix(&b, "/sponsor/").await;
    b.wait_text("Outcomes, in aggregate").await;
    assert!(b.body_text().await.contains("Acme Corp"));
    // A cap above the budget is refused in place, with what was typed kept.
    b.fill("#f-cap_credits", "999999").await;
    b.click("form[action$='/rules'] button[type=submit]").await;
    b.wait_text("more than the budget holds").await;
    assert_eq!(b.value("#f-cap_credits").await, "999999");
    b.fill("#f-cap_credits", "100").await;
    b.click("form[action$='/rules'] button[type=submit]").await;
    b.wait_text("The budget's rules are saved.").await;
    b.wait_location(&format!("{console}?done=rules")).await;
    b.log_out().await;

    // Lena, a member, books the triage; the confirmation offers Acme as the payer, chosen.
    let org = b.store.orgs().await.unwrap()[0].id;
    let budget = stint_domain::ledger::Account::Budget(org);
    let before = b.store.ledger_balance(budget).await.unwrap();
    b.log_in("lena@stint.example").await;
    b.goto("/skus/technical-triage-20").await;
    b.click_link("Choose a time").await;
    wait_location_prefix(&b, "/skus/technical-triage-20/book?").await;
    b.wait_text("Times in").await;
    b.click(".slot").await;
    wait_location_prefix(&b, "/skus/technical-triage-20/book/confirm?").await;
    b.wait_text("Who pays").await;
    assert_eq!(
        b.attr("fieldset.payer input[type=radio]:checked", "value")
            .await
            .as_deref(),
        Some(org.0.to_string().as_str())
    );
    b.click("main form button[type=submit]").await;
    let session = wait_location_prefix(&b, "/sessions/").await;
    assert!(session.ends_with("?booked=1"), "{session}");
    assert_eq!(b.store.ledger_balance(budget).await.unwrap(), before - 20);
    b.finish().await;
}

#[tokio::test]
#[cfg_attr(
    not(peer_browser),
    ignore = "needs chromium and chromedriver on PATH: apt-get install chromium chromium-driver, then touch crates/server/build.rs"
)]
async fn a_mentee_sets_their_privacy_and_sees_who_read_their_data() {
    let b = Browser::start().await;
    b.log_in("sam@stint.example").await;
    b.click_link("Account").await;
    b.wait_location("/account").await;
    b.click_link("Privacy").await;
    b.wait_location("/account/privacy").await;
    b.wait_text("Who read your data").await;
    b.assert_accessible().await;
    assert!(b.body_text().await.contains("Nobody yet."));
    // Notes kept one year, prep kept from the mentor until the session starts.
    b.set_value("#f-notes", "365").await;
    b.click("input[name=mentor_reads_prep][value=at_start]")
        .await;
    b.click("main form button[type=submit]").await;
    b.wait_location("/account/privacy?saved=1").await;
    b.wait_text("Saved.").await;
    assert_eq!(b.value("#f-notes").await, "365");
    assert_eq!(
        b.attr("input[name=mentor_reads_prep]:checked", "value")
            .await
            .as_deref(),
        Some("at_start")
    );
    let changes = b.body_text().await;
    assert!(
        changes.contains("Session notes kept 1 year (was 2 years)"),
        "{changes}"
    );
    assert!(
        changes.contains("only once the session starts"),
        "{changes}"
    );
    let sam = b
        .store
        .account_by_email("sam@stint.example")
        .await
        .unwrap()
        .unwrap();
    assert!(b.store.prep_private_until_session(sam.id).await.unwrap());
    b.finish().await;
}

#[tokio::test]
#[cfg_attr(
    not(peer_browser),
    ignore = "needs chromium and chromedriver on PATH: apt-get install chromium chromium-driver, then touch crates/server/build.rs"
)]
async fn a_mentee_exports_their_data_and_asks_for_then_calls_off_erasure() {
    let b = Browser::start().await;
    b.log_in("sam@stint.example").await;
    b.goto("/account/privacy").await;
    b.click_link("Export or erase your data").await;
    b.wait_location("/account/data").await;
    b.click("#export button[type=submit]").await;
    b.wait_location("/account/data?done=export").await;
    b.wait_text("Preparing…").await;
    // The worker's job, run here: the page shows the download once it is made.
    let sam = b
        .store
        .account_by_email("sam@stint.example")
        .await
        .unwrap()
        .unwrap();
    let asked = b.store.privacy_requests_of(sam.id, 5).await.unwrap();
    let core = stint_app::App::new(
        b.store.clone(),
        b.clock.clone(),
        stint_app::Settings::default(),
    );
    stint_app::export_requests::make(&core, asked[0].id)
        .await
        .unwrap();
    b.goto("/account/data").await;
    b.wait_text("Ready · the link works until").await;
    b.assert_accessible().await;
    b.snap("your-data").await;
    let href = b.attr("#export a[download]", "href").await.unwrap();
    assert_eq!(href, format!("/account/exports/{}/download", asked[0].id));
    // The browser downloads it with its own session: a zip.
    let got = b
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             fetch(arguments[0]).then(r => r.arrayBuffer()).then(a => {
               const v = new Uint8Array(a); done([v.length, v[0], v[1]]); });",
            vec![serde_json::json!(href)],
        )
        .await
        .unwrap();
    let got: Vec<u64> = serde_json::from_value(got).unwrap();
    assert!(
        got[0] > 100 && got[1] == b'P' as u64 && got[2] == b'K' as u64,
        "{got:?}"
    );

    // Erasure: refused without the box ticked, then asked, then called off.
    b.click("#erase button[type=submit]").await;
    b.wait_text("tick the box").await;
    b.click("#f-understood").await;
    b.click("#erase button[type=submit]").await;
    b.wait_location("/account/data?done=erasure").await;
    b.wait_text("Your account will be erased on").await;
    b.click("#erase button[type=submit]").await;
    b.wait_location("/account/data?done=kept").await;
    b.wait_text("The erasure is called off").await;
    assert!(
        stint_app::erasure::pending(&core, &sam)
            .await
            .unwrap()
            .is_none()
    );
    b.finish().await;
}

#[tokio::test]
#[cfg_attr(
    not(peer_browser),
    ignore = "needs chromium and chromedriver on PATH: apt-get install chromium chromium-driver, then touch crates/server/build.rs"
)]
async fn a_visitor_picks_a_day_and_a_time_then_logs_in_or_signs_up_and_confirms_that_time() {
    let b = Browser::start().await;
    b.goto("/skus/technical-triage-20").await;
    b.click_link("Choose a time").await;
    wait_location_prefix(&b, "/skus/technical-triage-20/book?").await;
    b.wait_text("Times in").await;
    // A month with its bookable days marked, one of them chosen, and its times.
    b.assert_accessible().await;
    b.snap("picker").await;
    assert!(b.count("table.month .day-link").await >= 5);
    assert_eq!(b.count("table.month .day-link[aria-current=date]").await, 1);
    let day = b.text("#times-title").await;
    assert!(b.count(".picker-times .slot").await >= 3);
    let first = b.text(".picker-times .slot").await;
    assert!(
        first.contains("free"),
        "any mentor: how many are free, {first}"
    );
    // Another day: its own times, the chosen day in the URL.
    b.click("table.month .day-link:not([aria-current])").await;
    let other = wait_location_prefix(&b, "/skus/technical-triage-20/book?").await;
    assert!(other.contains("day="), "{other}");
    assert_ne!(b.text("#times-title").await, day);
    // On a phone the day's times fit the width: nothing scrolls sideways.
    b.client.set_window_size(390, 844).await.unwrap();
    let wide: u64 = serde_json::from_value(
        b.client
            .execute("return document.documentElement.scrollWidth;", vec![])
            .await
            .unwrap(),
    )
    .unwrap();
    assert!(wide <= 390, "the picker is {wide} px wide on a phone");
    b.client.set_window_size(1280, 1000).await.unwrap();

    // The time chosen survives logging in: the log-in page names it.
    let time = b.text(".picker-times .slot").await;
    let time = time.lines().next().unwrap_or_default().to_string();
    b.click(".picker-times .slot").await;
    wait_location_prefix(&b, "/login?next=").await;
    b.wait_text("Log in to confirm 20-min technical triage")
        .await;
    b.assert_accessible().await;
    assert!(
        b.body_text().await.contains(&time),
        "the login page names {time}"
    );
    // A new visitor signs up instead, and after the mailed link is back at that time.
    b.click_link("Create an account").await;
    wait_location_prefix(&b, "/signup?next=").await;
    b.wait_text("Create your account to confirm 20-min technical triage")
        .await;
    b.assert_accessible().await;
    b.snap("signup-with-chosen-time").await;
    b.fill("#f-display_name", "Vera Visitor").await;
    b.fill("#f-email", "vera@example.com").await;
    b.fill("#f-password", "a long passphrase").await;
    b.click("main form button[type=submit]").await;
    b.wait_text("Check your mail").await;
    b.follow_signup_link("vera@example.com").await;
    wait_location_prefix(&b, "/skus/technical-triage-20/book/confirm?").await;
    b.wait_text("Confirm your session").await;
    b.assert_accessible().await;
    b.snap("confirm-any-mentor").await;
    assert!(b.text(".facts dd strong").await.ends_with(&time));
    assert!(
        b.body_text()
            .await
            .contains("Whoever is free then, chosen fairly when you confirm")
    );
    b.finish().await;
}

#[tokio::test]
#[cfg_attr(
    not(peer_browser),
    ignore = "needs chromium and chromedriver on PATH: apt-get install chromium chromium-driver, then touch crates/server/build.rs"
)]
async fn an_operator_reads_the_dashboard_starts_a_pilot_and_an_experiment_and_reads_their_reports()
{
    let b = Browser::start().await;
    b.log_in("operator@stint.example").await;
    b.goto("/operator").await;
    b.click_link("Supply and demand").await;
    b.wait_location("/operator/insights").await;
    b.wait_text("The next 8 weeks").await;
    b.assert_accessible().await;

    // A pilot: a form with a mistake is shown again, then the report.
    b.click_link("Pilots").await;
    b.wait_location("/operator/pilots").await;
    b.assert_accessible().await;
    b.fill("#f-name", "Acme career pilot").await;
    b.fill(
        "#f-emails",
        "sam@stint.example\nlena@stint.example\nnoor@stint.example",
    )
    .await;
    b.click("main form button[type=submit]").await;
    b.wait_text("choose at least one session type").await;
    assert_eq!(b.value("#f-name").await, "Acme career pilot");
    b.click("input[name=skus][value=career-pivot-30]").await;
    b.click("main form button[type=submit]").await;
    b.wait_text("Participation and sessions").await;
    assert!(b.location().await.starts_with("/operator/pilots/"));
    let report = b.body_text().await;
    assert!(report.contains("3 members"), "{report}");
    assert!(report.contains("Start (baseline)") && report.contains("Day 90"));
    b.assert_accessible().await;

    // An experiment, and its results page.
    b.goto("/operator/experiments").await;
    b.assert_accessible().await;
    b.fill("#f-name", "Check in sooner").await;
    b.fill("#f-v0_name", "A week").await;
    b.fill("#f-v0_value", "7").await;
    b.fill("#f-v1_name", "Three days").await;
    b.fill("#f-v1_value", "3").await;
    b.click("main form button[type=submit]").await;
    b.wait_text("Follow-ups answered within 14 days").await;
    assert!(b.body_text().await.contains("End experiment"));
    b.assert_accessible().await;

    // Value by outcome and the no-show model, reached from supply and demand.
    b.goto("/operator/insights").await;
    b.click_link("Value by outcome").await;
    b.wait_location("/operator/value").await;
    b.wait_text("Who pays").await;
    b.assert_accessible().await;
    // Kept figures say when they were counted, and count again on demand.
    assert!(b.body_text().await.contains("Figures as of"));
    b.click("form.counted button[type=submit]").await;
    b.wait_location("/operator/value").await;
    b.wait_text("Who pays").await;
    b.click_link("No-show model").await;
    b.wait_location("/operator/no-shows").await;
    b.wait_text("No model yet").await;
    b.assert_accessible().await;
    b.finish().await;
}
