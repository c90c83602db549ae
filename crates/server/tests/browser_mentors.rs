#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Browser tests of the mentor community, in headless Chromium (the harness is
//! `support/browser.rs`): applying to mentor and an operator's approval, a mentor's pause and
//! return, and a circle's thread (formed, posted in with sanitized Markdown, a pointer at a
//! mentee refused in place, a reply).

#[path = "support/browser.rs"]
mod harness;
#[path = "support/signup_link.rs"]
mod signup_link;
use harness::Browser;
use stint_domain::role::Role;

#[tokio::test]
#[cfg_attr(
    not(peer_browser),
    ignore = "needs chromium and chromedriver on PATH: apt-get install chromium chromium-driver, then touch crates/server/build.rs"
)]
async fn a_mentee_applies_to_mentor_and_an_operator_approves() {
    let b = Browser::start().await;
    b.log_in("diego@stint.example").await;
    b.goto("/mentor/apply").await;
    // Too short: the form comes back with each field's message and what was typed.
    b.fill("#f-experience", "Ten years").await;
    b.click("form[action='/mentor/apply'] button[type=submit]")
        .await;
    b.wait_text("Please fix").await;
    assert_eq!(b.value("#f-experience").await, "Ten years");
    b.fill(
        "#f-experience",
        "Ten years negotiating supplier contracts in Mexico City; I coach new buyers.",
    )
    .await;
    b.click("input[name=competencies][value=salary-negotiation]")
        .await;
    b.fill(
        "#f-sample",
        "In the 45-minute clinic I start from the walk-away number, rehearse the ask twice, \
         and end with a one-line script for the real call.",
    )
    .await;
    b.click("form[action='/mentor/apply'] button[type=submit]")
        .await;
    b.wait_text("Application sent").await;
    assert!(
        b.body_text()
            .await
            .contains("An operator will read it soon")
    );
    b.log_out().await;

    b.log_in("operator@stint.example").await;
    b.goto("/operator/applications").await;
    b.wait_text("Diego").await;
    assert!(b.body_text().await.contains("walk-away number"));
    b.click("button[name=step][value=approve]").await;
    b.wait_text("Approved: they are a mentor now").await;
    b.log_out().await;

    b.log_in("diego@stint.example").await;
    b.goto("/mentor/apply").await;
    b.wait_text("You are a mentor").await;
    b.finish().await;
}

#[tokio::test]
#[cfg_attr(
    not(peer_browser),
    ignore = "needs chromium and chromedriver on PATH: apt-get install chromium chromium-driver, then touch crates/server/build.rs"
)]
async fn a_mentor_pauses_leaves_the_directory_and_resumes() {
    let b = Browser::start().await;
    b.log_in("maya@stint.example").await;
    b.goto("/mentor/profile").await;
    b.wait_text("Mentees find you in search").await;
    b.click("form[action='/mentor/pause'] button[type=submit]")
        .await;
    b.wait_text("Until you resume").await;
    b.goto("/mentors").await;
    assert!(
        !b.body_text().await.contains("Maya Goldberg"),
        "a paused mentor is listed"
    );
    b.goto("/dashboard").await;
    b.wait_text("Mentees do not find or book you").await;
    b.goto("/mentor/profile").await;
    b.click("form[action='/mentor/resume'] button[type=submit]")
        .await;
    b.wait_text("Welcome back").await;
    b.goto("/mentors").await;
    b.wait_text("Maya Goldberg").await;
    b.finish().await;
}

#[tokio::test]
#[cfg_attr(
    not(peer_browser),
    ignore = "needs chromium and chromedriver on PATH: apt-get install chromium chromium-driver, then touch crates/server/build.rs"
)]
async fn a_circle_is_formed_and_its_thread_is_written_in() {
    let b = Browser::start().await;
    // The light demo has four mentors; Lena mentors too for a circle of five.
    let lena = b
        .store
        .account_by_email("lena@stint.example")
        .await
        .unwrap()
        .unwrap();
    b.store.grant_role(lena.id, Role::Mentor).await.unwrap();

    b.log_in("operator@stint.example").await;
    b.goto("/operator/circles").await;
    b.fill("#f-name", "Negotiation coaches").await;
    for email in ["maya", "jonas", "priya", "liam", "lena"] {
        let id = b
            .store
            .account_by_email(&format!("{email}@stint.example"))
            .await
            .unwrap()
            .unwrap()
            .id;
        b.click(&format!("input[name=members][value='{}']", id.0))
            .await;
    }
    b.click("form[action='/operator/circles'] button[type=submit]")
        .await;
    b.wait_text("Circle formed").await;
    b.log_out().await;

    b.log_in("maya@stint.example").await;
    b.goto("/mentor/circles").await;
    b.click_link("Negotiation coaches").await;
    b.wait_text("Talk about practice, not people").await;
    // A pointer at a mentee is refused in place, with the reason and the text kept.
    b.fill(
        "#f-body",
        "What would you do with https://stint.example/sessions/3 ?",
    )
    .await;
    b.click("form.post-form button[type=submit]").await;
    b.wait_text("did not agree to be discussed").await;
    assert!(b.value("#f-body").await.contains("/sessions/3"));
    b.fill(
        "#f-body",
        "How do you **close** a pivot session? <script>document.title='x'</script>",
    )
    .await;
    b.click("form.post-form button[type=submit]").await;
    b.wait_content(".circle-post .prose strong", "close").await;
    assert_eq!(b.count(".circle-post .prose script").await, 0);
    b.log_out().await;

    // Jonas replies under it; Liam, outside no more, reads both.
    b.log_in("jonas@stint.example").await;
    b.goto("/mentor/circles").await;
    b.click_link("Negotiation coaches").await;
    b.click(".circle-post .reply-box summary").await;
    b.fill(
        ".circle-post .reply-box textarea",
        "Draft the message first.",
    )
    .await;
    b.click(".circle-post .reply-box button[type=submit]").await;
    b.wait_content(".circle-reply .prose", "Draft the message first.")
        .await;
    b.finish().await;
}
