//! The browser tests' harness (`tests/browser.rs`, `tests/browser_mentors.rs`): a fresh
//! SQLite store with the demo data, its own server on a free port, its own chromedriver and
//! a fresh Chromium profile per test, one test at a time.
#![allow(dead_code, unused_imports)]

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::elements::Element;
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};
use stint_domain::clock::Clock;
use stint_server::demo::DEMO_PASSWORD;
use stint_store::Store;
use stint_store::testing::TestDb;
use stint_testkit::Peer;
use tokio::sync::{Mutex, MutexGuard};

/// The zone the browser runs in, so the sign-up form's zone detection is observable.
pub(crate) const BROWSER_TZ: &str = "Asia/Tokyo";
/// How long to wait for a page to show what a test expects.
pub(crate) const WAIT: Duration = Duration::from_secs(15);

/// One browser at a time.
pub(crate) static SERIAL: Mutex<()> = Mutex::const_new(());
pub(crate) static PROFILE_COUNTER: AtomicU32 = AtomicU32::new(0);

// ---- harness -----------------------------------------------------------------------

/// The chromedriver process (and the Chromium it starts), killed on drop, with the
/// browser's throw-away profile folder.
pub(crate) struct Driver {
    child: Child,
    profile: PathBuf,
}

impl Drop for Driver {
    fn drop(&mut self) {
        // chromedriver runs in its own process group, and Chromium inherits it: end them
        // all, so a failed test leaves no browser behind.
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// A browser pointed at a freshly started Stint with the demo data.
pub(crate) struct Browser {
    pub(crate) client: Client,
    pub(crate) base: String,
    /// The server's store, to look at what a page wrote.
    pub(crate) store: Arc<dyn Store>,
    /// The server's clock: `clock.advance(…)` lives through a session and its week after.
    pub(crate) clock: Arc<stint_domain::clock::TravelClock>,
    pub(crate) _driver: Driver,
    pub(crate) _serial: MutexGuard<'static, ()>,
    /// Last, so the database goes after the server and browser that use it.
    pub(crate) _db: TestDb,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free local port")
}

/// Starts `chromedriver` on a free port and waits until it answers.
async fn start_driver(chromedriver: &Path) -> (Driver, u16) {
    use std::os::unix::process::CommandExt;
    let port = free_port();
    let profile = std::env::temp_dir().join(format!(
        "stint-browser-{}-{}-{}",
        std::process::id(),
        PROFILE_COUNTER.fetch_add(1, Ordering::Relaxed),
        port
    ));
    std::fs::create_dir_all(&profile).expect("creating the browser profile folder");
    let child = Command::new(chromedriver)
        .arg(format!("--port={port}"))
        .env("TZ", BROWSER_TZ)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", chromedriver.display()));
    let mut driver = Driver { child, profile };
    let http = reqwest::Client::new();
    let status = format!("http://127.0.0.1:{port}/status");
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(r) = http.get(&status).send().await
            && r.status().is_success()
        {
            return (driver, port);
        }
        if let Ok(Some(exit)) = driver.child.try_wait() {
            panic!("chromedriver exited before answering: {exit}");
        }
        assert!(
            Instant::now() < deadline,
            "chromedriver did not answer on port {port} within 20 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

impl Browser {
    /// Everything a test needs. Panics, saying what to install, without a browser.
    pub(crate) async fn start() -> Browser {
        stint_testkit::require(Peer::Browser);
        let Some((chromium, chromedriver)) = stint_testkit::browser() else {
            panic!("no browser on PATH");
        };
        let serial = SERIAL.lock().await;

        let db = stint_store::testing::fresh_sqlite();
        let store = stint_store::open(db.url())
            .await
            .expect("opening a fresh store");
        // A fixed date, as every test server has (stint_testkit::TEST_EPOCH).
        let now: jiff::Timestamp = stint_testkit::TEST_EPOCH.parse().expect("a timestamp");
        stint_server::demo::load(&store, now)
            .await
            .expect("loading the demo data");
        let clock = Arc::new(stint_domain::clock::TravelClock::starting_at(now));
        let addr = stint_server::spawn_with_clock(store.clone(), clock.clone())
            .await
            .expect("starting the server");

        let (driver, port) = start_driver(&chromedriver).await;
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": chromium,
                "args": [
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-quic",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--disable-dev-shm-usage",
                    "--window-size=1280,1000",
                    // The style sheet scrolls smoothly unless motion is reduced; WebDriver
                    // clicks land where an element will be, not where it is mid-scroll.
                    "--force-prefers-reduced-motion",
                    format!("--user-data-dir={}", driver.profile.display()),
                ],
            }),
        );
        // Both ring and aws-lc-rs are compiled in, so rustls needs to be told which to use;
        // a second test in the same process finds it already installed.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = ClientBuilder::rustls()
            .expect("rustls initialization")
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .unwrap_or_else(|e| panic!("cannot open a Chromium session: {e}"));
        Browser {
            client,
            base: format!("http://{addr}"),
            store,
            clock,
            _driver: driver,
            _serial: serial,
            _db: db,
        }
    }

    /// Closes the browser politely; the driver guard cleans up the rest.
    pub(crate) async fn finish(self) {
        let _ = self.client.clone().close().await;
    }

    pub(crate) async fn goto(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.base))
            .await
            .unwrap_or_else(|e| panic!("opening {path}: {e}"));
    }

    /// The current address without scheme and host: path plus `?query` if any.
    pub(crate) async fn location(&self) -> String {
        let url = self.client.current_url().await.expect("current URL");
        match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_string(),
        }
    }

    /// Waits until the current address (path plus query) is `expected`.
    pub(crate) async fn wait_location(&self, expected: &str) {
        let deadline = Instant::now() + WAIT;
        loop {
            let here = self.location().await;
            if here == expected {
                return;
            }
            if Instant::now() > deadline {
                panic!(
                    "expected to be at {expected}, still at {here}; page says:\n{}",
                    self.body_text().await
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub(crate) async fn body_text(&self) -> String {
        match self.client.find(Locator::Css("body")).await {
            Ok(body) => body.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        }
    }

    /// Waits until the page's visible text contains `needle`.
    pub(crate) async fn wait_text(&self, needle: &str) {
        let deadline = Instant::now() + WAIT;
        loop {
            let text = self.body_text().await;
            if text.contains(needle) {
                return;
            }
            if Instant::now() > deadline {
                panic!(
                    "page {} never showed {needle:?}; it says:\n{text}",
                    self.location().await
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until the element's text as written (see [`Browser::content`]) is `expected`.
    pub(crate) async fn wait_content(&self, css: &str, expected: &str) {
        let deadline = Instant::now() + WAIT;
        loop {
            let found = match self.client.find(Locator::Css(css)).await {
                Ok(e) => e.prop("textContent").await.ok().flatten(),
                Err(_) => None,
            };
            let found = found.map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "));
            if found.as_deref() == Some(expected) {
                return;
            }
            if Instant::now() > deadline {
                panic!(
                    "{css} on {} reads {found:?}, not {expected:?}",
                    self.location().await
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub(crate) async fn find(&self, css: &str) -> Element {
        match self.client.find(Locator::Css(css)).await {
            Ok(e) => e,
            Err(e) => panic!("no {css} on {}: {e}", self.location().await),
        }
    }

    pub(crate) async fn count(&self, css: &str) -> usize {
        self.client
            .find_all(Locator::Css(css))
            .await
            .map(|v| v.len())
            .unwrap_or(0)
    }

    pub(crate) async fn text(&self, css: &str) -> String {
        self.find(css).await.text().await.expect("element text")
    }

    /// The text as written in the page, before CSS changes its case.
    pub(crate) async fn content(&self, css: &str) -> String {
        let text = self
            .find(css)
            .await
            .prop("textContent")
            .await
            .expect("text content")
            .unwrap_or_default();
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    pub(crate) async fn texts(&self, css: &str) -> Vec<String> {
        let mut out = Vec::new();
        for e in self
            .client
            .find_all(Locator::Css(css))
            .await
            .expect("finding elements")
        {
            out.push(e.text().await.expect("element text"));
        }
        out
    }

    pub(crate) async fn value(&self, css: &str) -> String {
        self.find(css)
            .await
            .prop("value")
            .await
            .expect("field value")
            .unwrap_or_default()
    }

    pub(crate) async fn attr(&self, css: &str, name: &str) -> Option<String> {
        self.find(css).await.attr(name).await.expect("attribute")
    }

    /// Replaces what a field holds, by typing.
    pub(crate) async fn fill(&self, css: &str, value: &str) {
        let field = self.find(css).await;
        field.clear().await.expect("clearing a field");
        field.send_keys(value).await.expect("typing");
    }

    pub(crate) async fn click(&self, css: &str) {
        let element = self.find(css).await;
        self.scroll_to(&element).await;
        element
            .click()
            .await
            .unwrap_or_else(|e| panic!("clicking {css}: {e}"));
    }

    /// Brings an element to the middle of the window at once.
    pub(crate) async fn scroll_to(&self, element: &Element) {
        let arg = serde_json::to_value(element).expect("element reference");
        self.client
            .execute(
                "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});",
                vec![arg],
            )
            .await
            .expect("scrolling");
    }

    pub(crate) async fn click_link(&self, text: &str) {
        let link = match self.client.find(Locator::LinkText(text)).await {
            Ok(l) => l,
            Err(e) => panic!("no link {text:?} on {}: {e}", self.location().await),
        };
        self.scroll_to(&link).await;
        link.click()
            .await
            .unwrap_or_else(|e| panic!("clicking link {text:?}: {e}"));
    }

    pub(crate) async fn press(&self, key: Key) {
        let keys = KeyActions::new("keyboard".into())
            .then(KeyAction::Down { value: key.into() })
            .then(KeyAction::Up { value: key.into() });
        self.client
            .perform_actions(keys)
            .await
            .expect("pressing a key");
    }

    /// Logs in through the form and waits for the dashboard.
    pub(crate) async fn log_in(&self, email: &str) {
        self.goto("/login").await;
        self.fill("#f-email", email).await;
        self.fill("#f-password", DEMO_PASSWORD).await;
        self.click("main form button[type=submit]").await;
        self.wait_location("/dashboard").await;
    }

    /// Opens the link mailed to the sign-up of `email` and creates the account.
    pub(crate) async fn follow_signup_link(&self, email: &str) {
        let token =
            crate::signup_link::signup_link(self.store.clone(), self.clock.clone(), email).await;
        self.goto(&format!("/signup/confirm?token={token}")).await;
        self.click("main form button[type=submit]").await;
    }

    pub(crate) async fn log_out(&self) {
        self.click("form[action='/logout'] button").await;
        self.wait_location("/").await;
    }
}
