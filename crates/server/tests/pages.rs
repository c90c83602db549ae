//! The server-rendered pages over plain HTTP: sessions, CSRF, form errors, authorization.
//! (Browser behaviour is covered by `browser.rs`.)
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod common;

use reqwest::{Client, StatusCode, redirect};
use std::sync::Arc;
use stint_server::demo::{self, DEMO_PASSWORD};
use stint_store::Store;

on_both_backends!(Site, url;
    public_pages_render_with_security_headers,
    forms_without_the_csrf_token_change_nothing,
    signup_form_reshows_errors_and_keeps_input,
    login_sets_a_safe_session_cookie_and_logout_ends_it,
    operator_pages_are_for_operators_only,
    operator_sku_form_reshows_errors_and_publishes,
    sessions_work_across_server_processes_sharing_a_database,
    csrf_tokens_are_bound_to_the_session,
    past_sessions_page_back_fifty_at_a_time,
    a_session_page_names_a_few_mentors_and_the_directory_lists_them_all,
);

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

    /// A browser-like client: keeps cookies, does not follow redirects (so tests see them).
    /// The link a sign-up of `email` gets, made as its mail job makes it.
    async fn signup_link(&self, email: &str) -> String {
        common::signup_link::signup_link(self.store.clone(), self.clock.clone(), email).await
    }

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

    /// GETs a page and returns its body and the CSRF token of its forms.
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

    async fn login(&self, client: &Client, email: &str) {
        let (_, _, csrf) = self.page(client, "/login").await;
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
    }
}

async fn public_pages_render_with_security_headers(site: Site, _: String) {
    let client = Site::browser();
    for (path, needle) in [
        ("/", "45-min negotiation clinic"),
        (
            "/skus/negotiation-clinic-45",
            "Has a written walk-away number",
        ),
        (
            "/skus/negotiation-clinic-45",
            "until 2 days before the start",
        ),
        ("/mentors", "Priya Raman"),
        ("/signup", "Create your account"),
        ("/login", "Log in"),
    ] {
        let r = client.get(site.url(path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        let h = r.headers().clone();
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["x-frame-options"], "DENY");
        assert!(
            h["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("default-src 'self'")
        );
        let body = r.text().await.unwrap();
        assert!(body.contains(needle), "{path} lacks {needle}");
        assert!(body.contains("<main"), "{path} has a main landmark");
    }
    let r = client.get(site.url("/skus/no-such")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let css = client
        .get(site.url("/static/style.css"))
        .send()
        .await
        .unwrap();
    assert_eq!(css.status(), StatusCode::OK);
    assert!(
        css.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
}

async fn forms_without_the_csrf_token_change_nothing(site: Site, _: String) {
    let client = Site::browser();
    let (_, _, csrf) = site.page(&client, "/signup").await;
    assert_eq!(csrf.len(), 64);
    let fields = [
        ("email", "csrf@example.com"),
        ("display_name", "C"),
        ("password", "a long passphrase"),
        ("timezone", "UTC"),
    ];
    let r = client
        .post(site.url("/signup"))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let mut forged = fields.to_vec();
    forged.push((
        "csrf",
        "0000000000000000000000000000000000000000000000000000000000000000",
    ));
    let r = client
        .post(site.url("/signup"))
        .form(&forged)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // A client without the cookie cannot succeed even with a token seen elsewhere.
    let mut stolen = fields.to_vec();
    stolen.push(("csrf", csrf.as_str()));
    let r = Site::browser()
        .post(site.url("/signup"))
        .form(&stolen)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(
        site.store
            .account_by_email("csrf@example.com")
            .await
            .unwrap()
            .is_none()
    );
    // Logged in, log-out without a token does not log out.
    site.login(&client, "sam@stint.example").await;
    let r = client
        .post(site.url("/logout"))
        .form(&[("x", "y")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let (status, _, _) = site.page(&client, "/dashboard").await;
    assert_eq!(status, StatusCode::OK);
}

async fn signup_form_reshows_errors_and_keeps_input(site: Site, _: String) {
    let client = Site::browser();
    let (_, _, csrf) = site.page(&client, "/signup").await;
    let r = client
        .post(site.url("/signup"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", "nope"),
            ("display_name", "Kept Name"),
            ("password", "short"),
            ("timezone", "Nowhere/Land"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.unwrap();
    assert!(body.contains("value=\"Kept Name\""), "typed name kept");
    assert!(body.contains("must be an e-mail address"));
    assert!(body.contains("at least 10 characters"));
    assert!(body.contains("not a known IANA time zone"));
    assert!(
        !body.contains("value=\"short\""),
        "the password is never echoed back"
    );
    // A taken address and a new one get the same page: check your mail.
    let sign_up = |email: &'static str| {
        let (client, csrf) = (client.clone(), csrf.clone());
        let url = site.url("/signup");
        async move {
            let r = client
                .post(url)
                .form(&[
                    ("csrf", csrf.as_str()),
                    ("email", email),
                    ("display_name", "Kim"),
                    ("password", "a long passphrase"),
                    ("timezone", "Australia/Lord_Howe"),
                ])
                .send()
                .await
                .unwrap();
            (r.status(), r.text().await.unwrap())
        }
    };
    let (taken_status, taken) = sign_up("maya@stint.example").await;
    let (status, body) = sign_up("kim@example.com").await;
    assert_eq!((taken_status, status), (StatusCode::OK, StatusCode::OK));
    assert!(
        body.contains("Check your mail") && body.contains("kim@example.com"),
        "{body}"
    );
    assert_eq!(
        taken.replace("maya@stint.example", "kim@example.com"),
        body,
        "the same page but for the address typed"
    );
    assert!(!body.contains("already"), "{body}");

    // The mailed link opens a page whose button makes the account and logs it in.
    let token = site.signup_link("kim@example.com").await;
    let (status, page, csrf) = site
        .page(&client, &format!("/signup/confirm?token={token}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Create my account"), "{page}");
    assert!(
        site.store
            .account_by_email("kim@example.com")
            .await
            .unwrap()
            .is_none(),
        "opening the link makes nothing"
    );
    let r = client
        .post(site.url("/signup/confirm"))
        .form(&[("csrf", csrf.as_str()), ("token", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/dashboard?welcome=1");
    let (status, body, _) = site.page(&client, "/dashboard?welcome=1").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Hello, Kim"));
    assert!(body.contains("Australia/Lord_Howe"));

    // Used once: a second visit says so and offers to sign up again.
    let other = Site::browser();
    let (status, page, _) = site
        .page(&other, &format!("/signup/confirm?token={token}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("expired or was already used") && page.contains("Sign up again"),
        "{page}"
    );
}

async fn login_sets_a_safe_session_cookie_and_logout_ends_it(site: Site, _: String) {
    let client = Site::browser();
    let r = client.get(site.url("/dashboard")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/login?next=%2Fdashboard");

    let (_, _, csrf) = site.page(&client, "/login").await;
    let wrong = client
        .post(site.url("/login"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", "sam@stint.example"),
            ("password", "wrong password"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert!(wrong.text().await.unwrap().contains("not right"));

    let r = client
        .post(site.url("/login"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", "sam@stint.example"),
            ("password", DEMO_PASSWORD),
            ("next", "//evil.example/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/dashboard", "no open redirect");
    let cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("stint_session="))
        .unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/"),
        "{cookie}"
    );
    let (status, body, csrf) = site.page(&client, "/dashboard").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Sam Okafor"));
    let r = client
        .post(site.url("/logout"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = client.get(site.url("/dashboard")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "session ended");
}

async fn operator_pages_are_for_operators_only(site: Site, _: String) {
    let client = Site::browser();
    site.login(&client, "sam@stint.example").await;
    for path in [
        "/operator",
        "/operator/skus/new",
        "/operator/skus/career-pivot-30",
        "/operator/competencies/new",
        "/operator/accounts",
        "/mentor/profile",
    ] {
        let r = client.get(site.url(path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{path}");
    }
    let (_, _, csrf) = site.page(&client, "/dashboard").await;
    let r = client
        .post(site.url("/operator/skus/career-pivot-30/status"))
        .form(&[("csrf", csrf.as_str()), ("status", "retired")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        site.store
            .sku("career-pivot-30")
            .await
            .unwrap()
            .unwrap()
            .status
            .as_str(),
        "active"
    );
}

async fn operator_sku_form_reshows_errors_and_publishes(site: Site, _: String) {
    let client = Site::browser();
    site.login(&client, "operator@stint.example").await;
    let (status, body, csrf) = site.page(&client, "/operator/skus/new").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("salary-negotiation/walk-away-number"));
    assert!(body.contains("Assessment questions (one per line)"));
    assert!(body.contains("Follow-up assessment after (days)"));
    let mut form = vec![
        ("csrf", csrf.clone()),
        ("slug", "offer-review-40".to_string()),
        ("title", "40-min offer review".to_string()),
        ("duration_minutes", "90".to_string()),
        ("target", "salary-negotiation/walk-away-number".to_string()),
        (
            "outcome",
            "Leave knowing which offer to take and what to ask for.".to_string(),
        ),
        (
            "artifacts",
            "Offer comparison sheet\nQuestions to ask".to_string(),
        ),
        ("intake_questions", "Which offers do you have?".to_string()),
        ("pre_reads", "No link here".to_string()),
        ("followup_template", "Hi {{mentee}}".to_string()),
        ("price_credits", "x".to_string()),
        ("cancel_cutoff_hours", "24".to_string()),
        ("reschedule_cutoff_hours", "4".to_string()),
        ("assessment_questions", "One\nTwo\nThree\nFour".to_string()),
        ("followup_delay_days", "10".to_string()),
    ];
    let r = client
        .post(site.url("/operator/skus/new"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.unwrap();
    assert!(body.contains("between 20 and 60"), "duration message");
    assert!(body.contains("whole number"), "price message");
    assert!(body.contains("Title | https://link"), "pre-read message");
    assert!(body.contains("at most 3 questions"), "assessment message");
    assert!(body.contains("40-min offer review"), "input kept");
    assert!(
        site.store.sku("offer-review-40").await.unwrap().is_none(),
        "nothing written"
    );

    form[3].1 = "40".into();
    form[8].1 = "Negotiation basics | https://example.com/basics".into();
    form[10].1 = "2".into();
    form[13].1 = "Which offer would you take today?\nWhat will you ask for?".into();
    let r = client
        .post(site.url("/operator/skus/new"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let sku = site.store.sku("offer-review-40").await.unwrap().unwrap();
    assert_eq!(
        (
            sku.status.as_str(),
            sku.content.artifacts.len(),
            sku.content.pre_reads.len()
        ),
        ("draft", 2, 1)
    );
    assert_eq!(
        (
            sku.content.assessment_questions.len(),
            sku.content.followup_delay_days
        ),
        (2, 10)
    );
    let r = client
        .post(site.url("/operator/skus/offer-review-40/status"))
        .form(&[("csrf", csrf.as_str()), ("status", "active")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // Published, its page is public; the home page offers it once a mentor does.
    let (status, page, _) = site.page(&Site::browser(), "/skus/offer-review-40").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("40-min offer review"));
    let (_, home, _) = site.page(&Site::browser(), "/").await;
    assert!(
        !home.contains("40-min offer review"),
        "a session type no mentor offers is not on the home page"
    );
}

async fn sessions_work_across_server_processes_sharing_a_database(site: Site, url: String) {
    // A second, independent server on the same database: a stateless node.
    let store = stint_store::open(&url).await.unwrap();
    let second = format!(
        "http://{}",
        stint_server::spawn_with_clock(store, site.clock.clone())
            .await
            .unwrap()
    );
    let client = Site::browser();
    site.login(&client, "maya@stint.example").await;
    let r = client
        .get(format!("{second}/dashboard"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.text().await.unwrap().contains("Maya Goldberg"));
}

#[tokio::test]
async fn account_settings_change_name_and_zone_and_refuse_bad_zones() {
    let db = stint_store::testing::fresh_sqlite();
    let site = Site::start(db.url()).await;
    let client = Site::browser();
    site.login(&client, "lena@stint.example").await;
    let (status, body, csrf) = site.page(&client, "/account").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("value=\"Europe/Berlin\""));
    let r = client
        .post(site.url("/account"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("display_name", "Lena F."),
            ("timezone", "Europe/Atlantis"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("not a known IANA time zone")
    );
    let lena = site
        .store
        .account_by_email("lena@stint.example")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(lena.timezone, "Europe/Berlin", "nothing written");
    let r = client
        .post(site.url("/account"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("display_name", "Lena F."),
            ("timezone", "America/Sao_Paulo"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let lena = site
        .store
        .account_by_email("lena@stint.example")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (lena.display_name.as_str(), lena.timezone.as_str()),
        ("Lena F.", "America/Sao_Paulo")
    );
}

#[tokio::test]
async fn operator_edits_a_checkpoint_and_bad_edits_are_reshown() {
    let db = stint_store::testing::fresh_sqlite();
    let site = Site::start(db.url()).await;
    let client = Site::browser();
    site.login(&client, "operator@stint.example").await;
    let comp = site
        .store
        .competency_by_slug("salary-negotiation")
        .await
        .unwrap()
        .unwrap();
    let cp = comp.checkpoints[0].clone();
    let (status, body, csrf) = site
        .page(&client, "/operator/competencies/salary-negotiation")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains(&format!(
        "/operator/competencies/salary-negotiation/checkpoints/{}",
        cp.id
    )));
    let path = format!(
        "/operator/competencies/salary-negotiation/checkpoints/{}",
        cp.id
    );
    let r = client
        .post(site.url(&path))
        .form(&[
            ("csrf", csrf.as_str()),
            ("slug", "Not A Slug"),
            ("title", "Kept title"),
            ("description", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.unwrap();
    assert!(
        body.contains("value=\"Kept title\"") && body.contains("lowercase letters"),
        "re-shown with the message"
    );
    let unchanged = site
        .store
        .competency_by_slug("salary-negotiation")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(unchanged.checkpoints[0].title, cp.title, "nothing written");
    let r = client
        .post(site.url(&path))
        .form(&[
            ("csrf", csrf.as_str()),
            ("slug", "walk-away"),
            ("title", "Knows their walk-away"),
            ("description", "d"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let changed = site
        .store
        .competency_by_slug("salary-negotiation")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            changed.checkpoints[0].slug.as_str(),
            changed.checkpoints[0].title.as_str()
        ),
        ("walk-away", "Knows their walk-away")
    );
    // A checkpoint id from another competency is not found here.
    let other = site
        .store
        .competency_by_slug("career-transition")
        .await
        .unwrap()
        .unwrap();
    let r = client
        .post(site.url(&format!(
            "/operator/competencies/salary-negotiation/checkpoints/{}",
            other.checkpoints[0].id
        )))
        .form(&[
            ("csrf", csrf.as_str()),
            ("slug", "x"),
            ("title", "X"),
            ("description", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

/// The `name=value` of the cookie named `name` that an answer sets.
fn set_cookie(r: &reqwest::Response, name: &str) -> String {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_string())
        .find(|c| c.starts_with(&format!("{name}=")))
        .unwrap_or_else(|| panic!("no {name} cookie set"))
}

/// The CSRF token of a page's forms.
fn form_token(body: &str) -> String {
    body.split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_string()
}

/// Logs in with the given cookies and form token; the new session cookie.
async fn session_of(site: &Site, http: &Client, cookies: &str, token: &str, email: &str) -> String {
    let r = http
        .post(site.url("/login"))
        .header("cookie", cookies)
        .form(&[
            ("csrf", token),
            ("email", email),
            ("password", DEMO_PASSWORD),
            ("next", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "log-in of {email}");
    set_cookie(&r, "stint_session")
}

/// A form token works only with the session it was made for: one browser's CSRF cookie
/// and another session's token (or the token from before log-in) are refused, and nothing
/// changes.
async fn csrf_tokens_are_bound_to_the_session(site: Site, _: String) {
    let http = Client::builder()
        .redirect(redirect::Policy::none())
        .build()
        .unwrap();
    let r = http.get(site.url("/login")).send().await.unwrap();
    let csrf = set_cookie(&r, "stint_csrf");
    let before_login = form_token(&r.text().await.unwrap());
    let maya = session_of(&site, &http, &csrf, &before_login, "maya@stint.example").await;
    let sam = session_of(&site, &http, &csrf, &before_login, "sam@stint.example").await;
    let token_of = |session: String| {
        let (http, site, csrf) = (&http, &site, &csrf);
        async move {
            let r = http
                .get(site.url("/account"))
                .header("cookie", format!("{csrf}; {session}"))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::OK);
            form_token(&r.text().await.unwrap())
        }
    };
    let (for_maya, for_sam) = (token_of(maya.clone()).await, token_of(sam.clone()).await);
    assert_ne!(for_maya, for_sam);
    let log_out = |session: String, token: String| {
        let (http, site, csrf) = (&http, &site, &csrf);
        async move {
            http.post(site.url("/logout"))
                .header("cookie", format!("{csrf}; {session}"))
                .form(&[("csrf", token.as_str())])
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    for token in [&for_maya, &before_login] {
        assert_eq!(
            log_out(sam.clone(), token.clone()).await,
            StatusCode::FORBIDDEN,
            "another session's token"
        );
    }
    assert_eq!(token_of(sam.clone()).await, for_sam, "still logged in");
    assert_eq!(
        log_out(sam.clone(), for_sam.clone()).await,
        StatusCode::SEE_OTHER
    );
}

/// Over HTTPS (`secure_cookies`) the cookies are `__Host-` ones: Secure, path `/`, no domain;
/// the same names without the prefix are not read.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secure_cookies_have_the_host_prefix() {
    let db = stint_store::testing::fresh_sqlite();
    let store = stint_store::open(db.url()).await.unwrap();
    demo::load(&store, common::test_epoch()).await.unwrap();
    let config = stint_server::config::Config {
        secure_cookies: true,
        ..Default::default()
    };
    let addr = stint_server::spawn_configured(&config, store, common::test_clock())
        .await
        .unwrap();
    let site = format!("http://{addr}");
    let http = Client::builder()
        .redirect(redirect::Policy::none())
        .build()
        .unwrap();
    let r = http.get(format!("{site}/login")).send().await.unwrap();
    let raw: Vec<String> = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect();
    assert!(
        raw.iter().all(|c| c.starts_with("__Host-")
            && c.contains("Secure")
            && c.contains("Path=/")
            && !c.to_lowercase().contains("domain=")),
        "{raw:?}"
    );
    let csrf = set_cookie(&r, "__Host-stint_csrf");
    let token = form_token(&r.text().await.unwrap());
    let r = http
        .post(format!("{site}/login"))
        .header("cookie", &csrf)
        .form(&[
            ("csrf", token.as_str()),
            ("email", "sam@stint.example"),
            ("password", DEMO_PASSWORD),
            ("next", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let session = set_cookie(&r, "__Host-stint_session");
    let dashboard = |cookies: String| {
        let (http, site) = (&http, &site);
        async move {
            http.get(format!("{site}/dashboard"))
                .header("cookie", cookies)
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(
        dashboard(format!("{csrf}; {session}")).await,
        StatusCode::OK
    );
    let plain = session.trim_start_matches("__Host-").to_string();
    assert_eq!(
        dashboard(plain).await,
        StatusCode::SEE_OTHER,
        "the unprefixed name is not a session"
    );
}

/// `/sessions` lists the upcoming sessions and the past ones fifty at a time, newest first,
/// with a link to the older ones; the pages together list each past session once.
async fn past_sessions_page_back_fifty_at_a_time(site: Site, _: String) {
    let sam = site
        .store
        .account_by_email("sam@stint.example")
        .await
        .unwrap()
        .unwrap();
    let maya = site
        .store
        .account_by_email("maya@stint.example")
        .await
        .unwrap()
        .unwrap();
    let sku = site
        .store
        .sku("technical-triage-20")
        .await
        .unwrap()
        .unwrap();
    let anything =
        |_: Option<&stint_domain::schedule::Availability>, _: &[stint_domain::schedule::Busy]| true;
    // Sixty sessions of Sam's, a week apart, long ago.
    let long_ago = common::test_epoch() - jiff::SignedDuration::from_hours(24 * 7 * 70);
    for n in 0..60 {
        let start = long_ago + jiff::SignedDuration::from_hours(24 * 7 * n);
        let new = stint_store::NewBooking {
            mentor_id: maya.id,
            mentee_id: sam.id,
            sku_id: sku.sku_id,
            sku_version: sku.version,
            start,
            end: start + jiff::SignedDuration::from_mins(20),
            meeting_url: "https://meet.example/old".into(),
            price: 0,
            bonus: 0,
        };
        site.store
            .create_booking(&new, None, &anything, long_ago)
            .await
            .unwrap();
    }
    let client = Site::browser();
    site.login(&client, "sam@stint.example").await;
    let past_links = |body: &str| -> Vec<String> {
        let past = body.split("id=\"past\"").nth(1).unwrap_or_default();
        past.split("<a href=\"/sessions/")
            .skip(1)
            .map(|rest| rest.split('"').next().unwrap().to_string())
            .collect()
    };
    let (status, first, _) = site.page(&client, "/sessions").await;
    assert_eq!(status, StatusCode::OK);
    let newest = past_links(&first);
    assert_eq!(newest.len(), 50, "{first}");
    let older = first
        .split("href=\"/sessions?before=")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a link to older sessions")
        .replace("&amp;", "&");
    let (status, second, _) = site
        .page(&client, &format!("/sessions?before={older}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(second.contains("Newest sessions"), "{second}");
    let rest = past_links(&second);
    assert!(!rest.is_empty());
    let all: std::collections::BTreeSet<&String> = newest.iter().chain(rest.iter()).collect();
    assert_eq!(
        all.len(),
        newest.len() + rest.len(),
        "a session listed twice"
    );
    // Sixty of ours and the demo's own history: every one is on a page.
    assert!(all.len() >= 60, "{}", all.len());
}

/// Mentors' names on a page: the directory's cards and the SKU page's list both link
/// each name to `/mentors/{id}`.
fn mentor_links(body: &str) -> usize {
    body.matches("<a href=\"/mentors/").count()
}

async fn a_session_page_names_a_few_mentors_and_the_directory_lists_them_all(
    site: Site,
    _: String,
) {
    use stint_domain::account::{Email, NewAccount, TimeZoneName};
    let slug = "negotiation-clinic-45";
    let client = Site::browser();
    let (_, before, _) = site.page(&client, &format!("/mentors?sku={slug}")).await;
    let demo_mentors = mentor_links(&before);
    // Ten more mentors of the clinic, and one who delivers only another session type.
    let now = common::test_epoch();
    for n in 0..11 {
        let new = NewAccount {
            email: Email::parse(&format!("extra{n}@stint.example")).unwrap(),
            display_name: format!("Extra Mentor {n:02}"),
            timezone: TimeZoneName::parse("Europe/Paris").unwrap(),
            roles: vec![stint_domain::role::Role::Mentor],
        };
        let id = site.store.create_account(&new, "x", now).await.unwrap().id;
        let skus = if n == 10 { "technical-triage-20" } else { slug };
        let profile = stint_domain::mentor::MentorProfileInput {
            headline: "Ten years of hard conversations".into(),
            bio: String::new(),
            meeting_url: String::new(),
            skus: vec![skus.to_string()],
            ..Default::default()
        };
        site.store
            .save_mentor_profile(id, &profile, now)
            .await
            .unwrap();
    }
    let total = demo_mentors + 10;
    let (status, page, _) = site.page(&client, &format!("/skus/{slug}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(mentor_links(&page), 6, "the session page names six mentors");
    assert!(
        page.contains(&format!(
            "<a href=\"/mentors?sku={slug}\">All {total} mentors</a>"
        )),
        "and links to all {total}"
    );
    let (status, all, _) = site.page(&client, &format!("/mentors?sku={slug}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(all.contains("Mentors for 45-min negotiation clinic"));
    assert_eq!(mentor_links(&all), total);
    assert!(all.contains("Extra Mentor 09"));
    assert!(
        !all.contains("Extra Mentor 10"),
        "who does not deliver it is not listed"
    );
    let (status, _, _) = site.page(&client, "/mentors?sku=no-such").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
