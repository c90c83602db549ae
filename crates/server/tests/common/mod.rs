//! The shared harness of the HTTP tests: the real server on a free port with demo data.
#![allow(dead_code, unused_macros, clippy::unwrap_used, clippy::expect_used)]

pub mod queue;
#[path = "../../../calendar-client/tests/common/mod.rs"]
pub mod radicale;
#[path = "../support/signup_link.rs"]
pub mod signup_link;
#[path = "../../../mail/tests/common/mod.rs"]
pub mod smtp;
pub mod sponsor;

use reqwest::{Client, Response, StatusCode, redirect};
use serde_json::{Value, json};
use std::sync::Arc;
use stint_domain::clock::{Clock, TravelClock};
use stint_server::demo::{self, DEMO_PASSWORD};
use stint_store::Store;

/// Runs each named test of the calling file on SQLite and on a fresh PostgreSQL database.
/// `Harness;` passes `Harness::start(url)` to each test; `Harness, url;` passes the URL too.
///
/// Tests that need a peer are reported as ignored, with the reason, when it was missing at
/// build time (never with `CI=true`; see `stint-testkit`): the PostgreSQL ones when
/// `STINT_TEST_POSTGRES_URL` is unset, and a test named with `[peer_cfg, "needs …"]` after it
/// when that peer is missing, on both backends.
macro_rules! on_both_backends {
    ($harness:ident; $($name:ident $([$peer:ident, $why:literal])?),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                $(#[cfg_attr(not($peer), ignore = $why)])?
                async fn $name() {
                    let db = stint_store::testing::fresh_sqlite();
                    super::$name(super::$harness::start(db.url()).await).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                $(#[cfg_attr(not($peer), ignore = $why)])?
                // Only one `ignore` may apply: PostgreSQL is named once the other peer is there.
                #[cfg_attr(
                    all($($peer,)? not(peer_postgres)),
                    ignore = "needs PostgreSQL: set STINT_TEST_POSTGRES_URL"
                )]
                async fn $name() {
                    let db = stint_store::testing::fresh_postgres().await;
                    super::$name(super::$harness::start(db.url()).await).await;
                }
            )*
        }
    };
    ($harness:ident, url; $($name:ident $([$peer:ident, $why:literal])?),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                $(#[cfg_attr(not($peer), ignore = $why)])?
                async fn $name() {
                    let db = stint_store::testing::fresh_sqlite();
                    let app = super::$harness::start(db.url()).await;
                    super::$name(app, db.url().to_string()).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                $(#[cfg_attr(not($peer), ignore = $why)])?
                #[cfg_attr(
                    all($($peer,)? not(peer_postgres)),
                    ignore = "needs PostgreSQL: set STINT_TEST_POSTGRES_URL"
                )]
                async fn $name() {
                    let db = stint_store::testing::fresh_postgres().await;
                    let app = super::$harness::start(db.url()).await;
                    super::$name(app, db.url().to_string()).await;
                }
            )*
        }
    };
}

/// The key the test servers seal calendar passwords with.
pub const TEST_CALENDAR_KEY: &str =
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

/// The key the test servers seal notes and intake answers with.
pub const TEST_DATA_KEY: &str = "1f1e1d1c1b1a191817161514131211100f0e0d0c0b0a09080706050403020100";

pub struct App {
    pub base: String,
    pub http: Client,
    pub store: Arc<dyn Store>,
    /// The server's clock: `app.clock.advance(…)` lives through days in a moment.
    pub clock: Arc<stint_domain::clock::TravelClock>,
    /// The mail outbox folder of this app (no SMTP server configured): the server lists
    /// it to operators, and workers made with [`App::worker_config`] write to it.
    pub outbox: std::path::PathBuf,
    /// Removes the outbox folder once the last node sharing it is dropped.
    _outbox_dir: Arc<tempfile::TempDir>,
    /// The egress allow list of the server and its workers.
    pub egress_allow: Vec<String>,
}

/// The instant test servers start at ([`stint_testkit::TEST_EPOCH`]).
pub fn test_epoch() -> jiff::Timestamp {
    stint_testkit::TEST_EPOCH
        .parse()
        .expect("TEST_EPOCH is a timestamp")
}

/// A clock for a test server: it starts at [`test_epoch`] and runs on from there.
pub fn test_clock() -> Arc<TravelClock> {
    Arc::new(TravelClock::starting_at(test_epoch()))
}

/// The egress allow list of a test server: its peers (Radicale, webhook receivers) listen on
/// loopback, which the default policy refuses.
pub fn loopback_peers() -> Vec<String> {
    vec!["127.0.0.0/8".into(), "::1".into(), "localhost".into()]
}

impl App {
    /// A server whose peers may listen on loopback ([`loopback_peers`]).
    pub async fn start(url: &str) -> App {
        App::start_with(url, |_| {}).await
    }

    /// A server whose settings `configure` changes first (its workers share the egress
    /// allow list).
    pub async fn start_with(
        url: &str,
        configure: impl FnOnce(&mut stint_server::config::Config),
    ) -> App {
        let store = stint_store::open(url).await.expect("open store");
        demo::load(&store, test_epoch()).await.expect("demo data");
        let clock = test_clock();
        let outbox_dir = Arc::new(tempfile::tempdir().expect("a temporary directory"));
        let outbox = outbox_dir.path().to_path_buf();
        let mut config = stint_server::config::Config {
            mail: stint_mail::MailSettings {
                outbox_dir: outbox.clone(),
                ..Default::default()
            },
            calendar_key: stint_server::config::SecretText(TEST_CALENDAR_KEY.into()),
            data_key: stint_server::config::SecretText(TEST_DATA_KEY.into()),
            egress_allow: loopback_peers(),
            ..Default::default()
        };
        configure(&mut config);
        let egress_allow = config.egress_allow.clone();
        let addr = stint_server::spawn_configured(&config, store.clone(), clock.clone())
            .await
            .expect("server");
        App {
            base: format!("http://{addr}"),
            http: Client::new(),
            store,
            clock,
            outbox,
            _outbox_dir: outbox_dir,
            egress_allow,
        }
    }

    /// Another server on the same database: a second stateless node, on the same clock.
    pub async fn another_node(&self, url: &str) -> App {
        let store = stint_store::open(url).await.expect("open store");
        let config = stint_server::config::Config {
            calendar_key: stint_server::config::SecretText(TEST_CALENDAR_KEY.into()),
            data_key: stint_server::config::SecretText(TEST_DATA_KEY.into()),
            ..Default::default()
        };
        let addr = stint_server::spawn_configured(&config, store.clone(), self.clock.clone())
            .await
            .expect("server");
        App {
            base: format!("http://{addr}"),
            http: Client::new(),
            store,
            clock: self.clock.clone(),
            outbox: self.outbox.clone(),
            _outbox_dir: self._outbox_dir.clone(),
            egress_allow: self.egress_allow.clone(),
        }
    }

    /// Settings for a worker of this app: links to it, and mail written to the app's outbox
    /// folder (never the working directory).
    pub fn worker_config(&self) -> stint_server::config::Config {
        let mail = stint_mail::MailSettings {
            outbox_dir: self.outbox.clone(),
            ..Default::default()
        };
        stint_server::config::Config {
            public_url: self.base.clone(),
            mail,
            calendar_key: stint_server::config::SecretText(TEST_CALENDAR_KEY.into()),
            data_key: stint_server::config::SecretText(TEST_DATA_KEY.into()),
            egress_allow: self.egress_allow.clone(),
            ..Default::default()
        }
    }

    /// Marks every job in the queue done (as worker `setup`), e.g. the demo data's outbox
    /// jobs, so a test's worker runs only what the test adds.
    pub async fn clear_queue(&self) {
        let now = self.clock.now();
        let far = now + jiff::SignedDuration::from_hours(24 * 3650);
        let jobs = self
            .store
            .lease_jobs("setup", far, far, 100_000)
            .await
            .unwrap();
        for j in jobs {
            self.store.complete_job(j.id, "setup", now).await.unwrap();
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Response {
        let mut r = self.http.get(self.url(path));
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        r.send().await.unwrap()
    }

    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Value,
    ) -> Response {
        let mut r = self.http.request(method, self.url(path)).json(&body);
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        r.send().await.unwrap()
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Response {
        self.send(reqwest::Method::POST, path, token, body).await
    }

    pub async fn put(&self, path: &str, token: Option<&str>, body: Value) -> Response {
        self.send(reqwest::Method::PUT, path, token, body).await
    }

    pub async fn login(&self, email: &str, password: &str) -> String {
        let r = self
            .post(
                "/api/v1/auth/login",
                None,
                json!({"email": email, "password": password}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK, "login of {email}");
        let body: Value = r.json().await.unwrap();
        body["token"].as_str().unwrap().to_string()
    }

    /// Sends the mail of every queued sign-up as the worker would (by the sign-up job's own
    /// handler), so a test reads its link from the outbox without running other jobs.
    pub async fn send_signup_mails(&self) {
        use stint_worker::Handler;
        let app = stint_app::App::new(
            self.store.clone(),
            self.clock.clone(),
            stint_app::Settings::default(),
        );
        let settings = stint_mail::MailSettings {
            outbox_dir: self.outbox.clone(),
            ..Default::default()
        };
        let mailer = Arc::new(stint_mail::Mailer::new(&settings).unwrap());
        let handler =
            stint_jobs::account_mail::signup::SignupMail::new(app, mailer, self.base.clone());
        for job in self.store.jobs(None, None, 1000).await.unwrap() {
            if job.kind == stint_app::auth::signup::SIGNUP_MAIL
                && job.state == stint_store::JobState::Queued
            {
                handler.run(&job).await.unwrap();
            }
        }
    }

    /// The sign-up mail jobs in the queue: one per sign-up that will get a mail.
    pub async fn signup_mails(&self) -> usize {
        let jobs = self.store.jobs(None, None, 1000).await.unwrap();
        jobs.iter()
            .filter(|j| j.kind == stint_app::auth::signup::SIGNUP_MAIL)
            .count()
    }

    /// Signs up as a visitor does: the form's fields, the mailed link, the account. Returns
    /// the new account (`/api/v1/me`'s shape).
    pub async fn sign_up(&self, email: &str, name: &str, timezone: &str, password: &str) -> Value {
        let body = json!({"email": email, "password": password, "display_name": name, "timezone": timezone});
        let r = self.post("/api/v1/auth/signup", None, body).await;
        assert_eq!(
            r.status(),
            StatusCode::ACCEPTED,
            "{}",
            r.text().await.unwrap()
        );
        self.send_signup_mails().await;
        let token = link_token_in_outbox(
            self,
            email,
            "Confirm your Stint account",
            "signup/confirm?token=",
        )
        .expect("a sign-up mail with its link");
        let r = self
            .post("/api/v1/auth/signup/confirm", None, json!({"token": token}))
            .await;
        assert_eq!(
            r.status(),
            StatusCode::CREATED,
            "{}",
            r.text().await.unwrap()
        );
        r.json().await.unwrap()
    }

    /// The application over this server's store and clock, to run a use case or a job's
    /// work directly.
    pub fn core(&self) -> stint_app::App {
        stint_server::application(
            &stint_server::config::Config::default(),
            self.store.clone(),
            self.clock.clone(),
        )
    }

    /// The id of the account with `email`.
    pub async fn id_of(&self, email: &str) -> i64 {
        self.store
            .account_by_email(email)
            .await
            .unwrap()
            .unwrap()
            .id
            .0
    }

    pub async fn operator(&self) -> String {
        self.login("operator@stint.example", DEMO_PASSWORD).await
    }

    /// The slots of `sku` in UTC from `from` to `to` days after the app's today.
    pub async fn slots_in_days(&self, sku: &str, from: i64, to: i64) -> Vec<Value> {
        let today = self
            .clock
            .now()
            .to_zoned_datetime(jiff::tz::TimeZone::UTC)
            .date();
        let day = |k: i64| {
            today
                .checked_add(jiff::SignedDuration::from_hours(24 * k))
                .unwrap()
        };
        let r = self
            .get(
                &format!(
                    "/api/v1/skus/{sku}/slots?from={}&to={}&tz=UTC",
                    day(from),
                    day(to)
                ),
                None,
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
        let body: Value = r.json().await.unwrap();
        body["slots"].as_array().unwrap().clone()
    }
}

/// Makes a mentee account with the password "a long passphrase" straight in the store, with
/// credits to book with (for tests about something other than signing up or paying).
pub async fn make_mentee(app: &App, email: &str, name: &str) {
    make_mentee_unfunded(app, email, name).await;
    fund(app, email).await;
}

/// [`make_mentee`] with an empty wallet.
pub async fn make_mentee_unfunded(app: &App, email: &str, name: &str) {
    static HASH: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    let hash = HASH
        .get_or_init(|| async {
            stint_app::auth::password::hash("a long passphrase".to_string())
                .await
                .unwrap()
        })
        .await;
    let new = stint_domain::account::SignupInput {
        email: email.to_string(),
        password: "a long passphrase".to_string(),
        display_name: name.to_string(),
        timezone: "UTC".to_string(),
    }
    .validate()
    .unwrap();
    app.store
        .create_account(&new, hash, app.clock.now())
        .await
        .unwrap();
}

/// Both ledger checks of `stint ledger verify` find nothing.
pub async fn ledger_is_sound(app: &App) {
    assert_eq!(
        app.store.ledger_violations().await.unwrap(),
        Vec::<String>::new()
    );
    assert_eq!(
        app.store.holding_violations().await.unwrap(),
        Vec::<String>::new()
    );
}

/// Credits `email`'s wallet with 500 credits, as a test pack an operator marked paid (for
/// tests that book, about something other than buying credits).
pub async fn fund(app: &App, email: &str) {
    let who = app
        .store
        .account_by_email(email)
        .await
        .unwrap()
        .expect("an account to fund");
    stint_store::testing::fund(app.store.as_ref(), who.id, 500, app.clock.now())
        .await
        .unwrap();
}

/// The token of the link after `marker` (`reset-password?token=`) in the newest mail to
/// `email` whose subject has `subject` in the app's outbox.
pub fn link_token_in_outbox(app: &App, email: &str, subject: &str, marker: &str) -> Option<String> {
    let files = stint_mail::list_outbox(&app.outbox, 1000).unwrap();
    let mail = files
        .iter()
        .filter(|f| f.to.contains(email) && f.subject.contains(subject))
        .max_by_key(|f| f.modified)?;
    let raw = std::fs::read_to_string(app.outbox.join(&mail.file_name)).unwrap();
    // Quoted-printable: soft line breaks and `=` written as `=3D`.
    let text = raw
        .replace("=\r\n", "")
        .replace("=\n", "")
        .replace("=3D", "=");
    let at = text.find(marker)? + marker.len();
    Some(
        text[at..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect(),
    )
}

/// Asserts the response has `status` and the API's error shape, returning the error object.
pub async fn expect_error(r: Response, status: StatusCode, code: &str) -> Value {
    assert_eq!(r.status(), status);
    let body: Value = r.json().await.unwrap();
    let e = &body["error"];
    assert_eq!(e["code"], code, "{body}");
    assert!(
        e["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    assert!(e["fields"].is_object(), "{body}");
    e.clone()
}

// ---- pages ---------------------------------------------------------------------------

/// A browser-like client: keeps cookies, does not follow redirects (so tests see them).
pub fn browser() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(redirect::Policy::none())
        .build()
        .unwrap()
}

/// GETs a page: its status, body and the CSRF token of its forms.
pub async fn page(app: &App, client: &Client, path: &str) -> (StatusCode, String, String) {
    let r = client.get(app.url(path)).send().await.unwrap();
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

/// Submits a form as a browser would: reads the CSRF token from `form_page`, POSTs `fields`
/// to `action`, and follows one redirect. The final status and body.
pub async fn submit(
    app: &App,
    client: &Client,
    form_page: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, String) {
    let (_, _, csrf) = page(app, client, form_page).await;
    let mut form: Vec<(&str, &str)> = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    let r = client
        .post(app.url(action))
        .form(&form)
        .send()
        .await
        .unwrap();
    if r.status().is_redirection() {
        let to = r.headers()["location"].to_str().unwrap().to_string();
        let (status, body, _) = page(app, client, &to).await;
        return (status, body);
    }
    let status = r.status();
    (status, r.text().await.unwrap())
}

pub async fn log_in(app: &App, client: &Client, email: &str) {
    log_in_with(app, client, email, DEMO_PASSWORD).await;
}

/// Logs the browser in through the log-in page with `password`.
pub async fn log_in_with(app: &App, client: &Client, email: &str, password: &str) {
    let (_, _, csrf) = page(app, client, "/login").await;
    let r = client
        .post(app.url("/login"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", email),
            ("password", password),
            ("next", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "log-in of {email}");
}

/// Everything the database holds, as bytes: the SQLite file and its log, or a PostgreSQL
/// dump of every table.
pub async fn database_bytes(url: &str) -> Vec<u8> {
    if let Some(path) = url.strip_prefix("sqlite://") {
        let path = path.split('?').next().unwrap();
        let mut all = std::fs::read(path).unwrap();
        for suffix in ["-wal", "-journal"] {
            if let Ok(more) = std::fs::read(format!("{path}{suffix}")) {
                all.extend(more);
            }
        }
        return all;
    }
    let out = std::process::Command::new("pg_dump")
        .args(["--data-only", "--dbname", url])
        .output();
    match out {
        Ok(out) if out.status.success() => out.stdout,
        // No pg_dump here: every row of every table, as text, is what a dump would hold.
        _ => {
            use sqlx::{Connection, Row};
            let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
            let tables: Vec<String> = sqlx::query(
                "SELECT table_name::text AS t FROM information_schema.tables \
                 WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
            )
            .fetch_all(&mut conn)
            .await
            .unwrap()
            .iter()
            .map(|r| r.get("t"))
            .collect();
            let mut all = Vec::new();
            for t in tables {
                let sql = format!("SELECT CAST(x AS TEXT) AS row FROM \"{t}\" x");
                for r in sqlx::query(sqlx::AssertSqlSafe(sql))
                    .fetch_all(&mut conn)
                    .await
                    .unwrap()
                {
                    all.extend(r.get::<String, _>("row").into_bytes());
                }
            }
            all
        }
    }
}
