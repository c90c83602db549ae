//! What users wait for on a large marketplace: data sets of 100 and 1,000 mentors
//! (`STINT_SCALE_SIZES=100,1000,5000` to choose) with 100 sessions each (realistic hours: the
//! default weekdays 09:00–17:00 in a spread of zones, a 10-minute buffer, 6 a day and 20 a
//! week at most), on SQLite and (with `STINT_TEST_POSTGRES_URL`) PostgreSQL
//! (`STINT_BENCH_ONLY=sqlite|postgres` picks one). Over HTTP, one request at a time, it prints
//! the first request's time (nothing kept from an earlier one), p50 and p99 over 100 more,
//! the answer's size and the CPU each request cost (this process, which serves it, and
//! PostgreSQL's processes) for the picker's two questions, a
//! one-mentor 30-day search, the home page, the directory, a SKU page with its figures and
//! the figures' API, `/sessions`, `/progress` and `/impact`, the directory with its filters,
//! a mentor's profile and photo, the picker page, a session page and a mentor's dashboard,
//! each with its verdict against 50 ms p99; then, per request, the growth
//! exponent of p50 between the sizes (0: flat; 1: grows with the data). After each size, the
//! resident memory of `stint serve` in its own process, idle, at its peak while 8 clients ask
//! the picker at once and 4 mentees book, and after.
//! Run: `cargo bench -p stint --bench scale`.

// A benchmark is a harness: failing loudly on a broken setup is what it should do.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use jiff::SignedDuration;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;
use stint_domain::account::{Email, NewAccount, TimeZoneName};
use stint_domain::clock::Clock;
use stint_domain::mentor::MentorProfileInput;
use stint_domain::role::Role;
use stint_domain::schedule::Availability;
use stint_store::Store;

const SESSIONS_PER_MENTOR: i64 = 100;
/// What every page and answer here should take at worst (p99): "meets" or "MISSES" each.
const PAGE_P99_MS: f64 = 50.0;
/// An operator's report answers within this (p99, ms): read by a few people, not per visit.
const REPORT_P99_MS: f64 = 200.0;
const MENTEES: usize = 200;
const REQUESTS: usize = 100;
const PASSWORD: &str = "benchmark passphrase";
const ZONES: [&str; 6] = [
    "America/New_York",
    "America/Los_Angeles",
    "Europe/Berlin",
    "Europe/London",
    "Asia/Singapore",
    "Australia/Sydney",
];
const LANGUAGES: [&[&str]; 3] = [
    &["English"],
    &["English", "German"],
    &["Spanish", "English"],
];
const SKUS: [&str; 3] = [
    "career-pivot-30",
    "negotiation-clinic-45",
    "technical-triage-20",
];

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len().saturating_sub(1))]
}

async fn account(store: &Arc<dyn Store>, email: &str, zone: &str, role: Role, hash: &str) -> i64 {
    let new = NewAccount {
        email: Email::parse(email).expect("email"),
        display_name: format!("Bench {email}"),
        timezone: TimeZoneName::parse(zone).expect("zone"),
        roles: vec![role],
    };
    store
        .create_account(&new, hash, stint_domain::clock::SystemClock.now())
        .await
        .expect("account")
        .id
        .0
}

/// `mentors` mentors with the demo's session types and the default rules, `MENTEES`
/// mentees, and 100 sessions per mentor written straight into the tables (90 in the past
/// two years, most of them closed, some cancelled; 10 in the coming weeks).
async fn build(store: &Arc<dyn Store>, url: &str, mentors: usize) -> (Vec<i64>, Vec<i64>) {
    let now = stint_domain::clock::SystemClock.now();
    stint_server::demo::load(store, now).await.expect("demo");
    let hash = stint_app::auth::password::hash(PASSWORD.into())
        .await
        .expect("hash");
    let started = Instant::now();
    let mut mentor_ids = Vec::with_capacity(mentors);
    for n in 0..mentors {
        let zone = ZONES[n % ZONES.len()];
        let id = account(
            store,
            &format!("m{n}@bench.example"),
            zone,
            Role::Mentor,
            &hash,
        )
        .await;
        let user = stint_domain::ids::UserId(id);
        let profile = MentorProfileInput {
            headline: format!("Mentor {n}: ten years in the field"),
            bio: "Runs short, focused sessions.".into(),
            experience: "Led teams of 5 to 40; hired and promoted engineers.".into(),
            languages: LANGUAGES[n % LANGUAGES.len()]
                .iter()
                .map(|l| (*l).to_string())
                .collect(),
            meeting_url: String::new(),
            skus: SKUS.iter().map(|s| (*s).to_string()).collect(),
        };
        store
            .save_mentor_profile(user, &profile, now)
            .await
            .expect("profile");
        store
            .save_availability(user, &Availability::default_for(zone), now)
            .await
            .expect("rules");
        mentor_ids.push(id);
    }
    let mut mentee_ids = Vec::with_capacity(MENTEES);
    for n in 0..MENTEES {
        let zone = ZONES[n % ZONES.len()];
        mentee_ids.push(
            account(
                store,
                &format!("e{n}@bench.example"),
                zone,
                Role::Mentee,
                &hash,
            )
            .await,
        );
    }
    let sku = store.sku(SKUS[0]).await.expect("read").expect("the SKU");
    let week = 7 * 24 * 3600;
    let today = now.as_second() - now.as_second() % 86_400;
    let mut rows = Vec::new();
    for (m, mentor) in mentor_ids.iter().enumerate() {
        for k in 0..SESSIONS_PER_MENTOR {
            // Two a week for the past 45 weeks at 10:00 and 14:00 UTC (+ the mentor's
            // number of minutes, so mentors differ), then ten in the coming weeks.
            let (start, status) = if k < 90 {
                let weeks_ago = 45 - k / 2;
                let hour = if k % 2 == 0 { 10 } else { 14 };
                let s = today - weeks_ago * week + hour * 3600 + (m as i64 % 30) * 60;
                (
                    s,
                    if k % 10 == 9 {
                        "cancelled"
                    } else if k % 20 == 4 {
                        // One in twenty missed: the no-show model has something to learn.
                        "no_show"
                    } else {
                        "completed"
                    },
                )
            } else {
                let s = today + (k - 89) * 2 * 86_400 + 11 * 3600 + (m as i64 % 30) * 60;
                (s, "confirmed")
            };
            let mentee = mentee_ids[(m * 7 + k as usize) % MENTEES];
            rows.push(format!(
                "({mentor}, {mentee}, {}, {}, {start}, {}, '{status}', 0, 'https://meet.example/b', 0, {}, {})",
                sku.sku_id.0,
                sku.version,
                start + 1800,
                start - 86_400,
                start - 86_400
            ));
        }
    }
    for chunk in rows.chunks(2000) {
        let sql = format!(
            "INSERT INTO bookings (mentor_id, mentee_id, sku_id, sku_version, start_at, end_at, \
             status, sequence, meeting_url, late_cancel, created_at, updated_at) VALUES {}",
            chunk.join(", ")
        );
        stint_store::testing::execute_raw(url, &sql)
            .await
            .expect("bookings");
    }
    // Every completed session closed, two in three with the checkpoint reached, with the
    // mentee's baseline and follow-up.
    for sql in [
        "INSERT INTO session_closings (booking_id, checkpoint, evidence, followup, closed_by, \
         closed_at, followup_opens_at) SELECT id, CASE WHEN id % 3 = 0 THEN 'not_reached' ELSE 'reached' END, \
         'Seen in the session.', 'Next steps below.', mentor_id, end_at + 3600, end_at + 604800 \
         FROM bookings WHERE status = 'completed' AND meeting_url = 'https://meet.example/b'",
        // Each held or missed session was paid (3 credits) from the mentee's wallet: the
        // credits value by outcome adds up.
        "INSERT INTO ledger_accounts (name) SELECT 'wallet:' || u.id FROM users u \
         WHERE u.email LIKE 'e%@bench.example' AND NOT EXISTS \
         (SELECT 1 FROM ledger_accounts l WHERE l.name = 'wallet:' || u.id)",
        "INSERT INTO booking_charges (booking_id, payer, price, state, ended_at) \
         SELECT id, 'wallet:' || mentee_id, 3, 'settled', end_at FROM bookings \
         WHERE status IN ('completed', 'no_show') AND meeting_url = 'https://meet.example/b'",
        "INSERT INTO assessments (booking_id, kind, level, answers, submitted_at) \
         SELECT id, 'baseline', 2, '[]', start_at - 86400 FROM bookings \
         WHERE status = 'completed' AND meeting_url = 'https://meet.example/b'",
        "INSERT INTO assessments (booking_id, kind, level, answers, submitted_at) \
         SELECT id, 'followup', 3 + id % 2, '[]', end_at + 604800 FROM bookings \
         WHERE status = 'completed' AND meeting_url = 'https://meet.example/b'",
        // A review on one closed session in four, answered on one in eight.
        "INSERT INTO mentor_reviews (booking_id, mentor_id, mentee_id, rating, body, created_at, \
         reply, replied_at) SELECT id, mentor_id, mentee_id, 3 + id % 3, 'Clear and useful.', \
         end_at + 7200, CASE WHEN id % 8 = 0 THEN 'Thank you!' END, \
         CASE WHEN id % 8 = 0 THEN end_at + 9000 END FROM bookings \
         WHERE status = 'completed' AND id % 4 = 0 AND meeting_url = 'https://meet.example/b'",
    ] {
        stint_store::testing::execute_raw(url, sql)
            .await
            .expect("outcomes");
    }
    // The first mentor has a photo (a resized JPEG, as an upload leaves it); the rest have
    // their initials drawn.
    let mut picture = image::RgbImage::new(600, 600);
    for (x, y, px) in picture.enumerate_pixels_mut() {
        *px = image::Rgb([(x % 256) as u8, (y % 256) as u8, 128]);
    }
    let mut png = Vec::new();
    picture
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .expect("png");
    let photo = stint_store::MentorPhoto {
        content_type: "image/jpeg".into(),
        bytes: stint_app::photos::square_jpeg(&png).expect("resized"),
        updated_at: now,
    };
    store
        .save_mentor_photo(stint_domain::ids::UserId(mentor_ids[0]), &photo)
        .await
        .expect("photo");
    // Written around the store, so its kept figures are counted once here.
    stint_store::testing::recount_outcome_tallies(url)
        .await
        .expect("outcome tallies");
    if url.starts_with("postgres") {
        stint_store::testing::execute_raw(url, "ANALYZE")
            .await
            .expect("analyze");
    }
    println!(
        "  {mentors} mentors, {} sessions, built in {:.1} s",
        rows.len(),
        started.elapsed().as_secs_f64()
    );
    (mentor_ids, mentee_ids)
}

/// An operator logged in, a 90-day pilot of every mentee that began 80 days ago and an
/// experiment that placed every mentee in a variant; the no-show model trained (its time
/// printed, as the daily job's would be).
async fn operator_reports(
    store: &Arc<dyn Store>,
    url: &str,
    base: &str,
) -> (reqwest::Client, i64, i64) {
    let hash = stint_app::auth::password::hash(PASSWORD.into())
        .await
        .expect("hash");
    account(store, "op@bench.example", "UTC", Role::Operator, &hash).await;
    let client = reqwest::Client::new();
    let token: Value = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({"email": "op@bench.example", "password": PASSWORD}))
        .send()
        .await
        .expect("log in")
        .json()
        .await
        .expect("token");
    let token = token["token"].as_str().expect("a token").to_string();
    let now = stint_domain::clock::SystemClock.now();
    let start = now
        .checked_sub(SignedDuration::from_hours(80 * 24))
        .expect("a day")
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .date();
    let emails: Vec<String> = (0..MENTEES)
        .map(|n| format!("e{n}@bench.example"))
        .collect();
    let pilot: Value = client
        .post(format!("{base}/api/v1/operator/pilots"))
        .bearer_auth(&token)
        .json(
            &serde_json::json!({"name": "Bench pilot", "start": start.to_string(),
            "emails": emails, "skus": SKUS}),
        )
        .send()
        .await
        .expect("pilot")
        .json()
        .await
        .expect("pilot json");
    let experiment: Value = client
        .post(format!("{base}/api/v1/operator/experiments"))
        .bearer_auth(&token)
        .json(
            &serde_json::json!({"name": "Bench experiment", "factor": "followup_delay",
            "variants": [{"name": "A week", "value": 7}, {"name": "Three days", "value": 3}]}),
        )
        .send()
        .await
        .expect("experiment")
        .json()
        .await
        .expect("experiment json");
    let (pilot, experiment) = (
        pilot["id"].as_i64().expect("a pilot"),
        experiment["id"].as_i64().expect("an experiment"),
    );
    stint_store::testing::execute_raw(
        url,
        &format!(
            "INSERT INTO experiment_exposures (experiment_id, user_id, variant, exposed_at) \
             SELECT {experiment}, id, id % 2, {} FROM users WHERE email LIKE 'e%@bench.example'",
            now.as_second() - 40 * 86_400
        ),
    )
    .await
    .expect("exposures");
    let app = stint_server::application(
        &stint_server::config::Config::default(),
        store.clone(),
        Arc::new(stint_domain::clock::SystemClock),
    );
    let started = Instant::now();
    let trained = stint_app::insights::risk::retrain(&app)
        .await
        .expect("trained");
    let sessions = match trained {
        stint_app::insights::risk::Trained::Model(m) => m.sessions,
        stint_app::insights::risk::Trained::TooLittle { sessions, .. } => sessions,
    };
    println!(
        "  no-show model (the insights.risk job): {sessions} sessions read and trained on in {:.0} ms",
        started.elapsed().as_secs_f64() * 1000.0
    );
    let client = browser(base, "op@bench.example").await;
    (client, pilot, experiment)
}

/// A client logged in through the log-in form, as a browser is.
async fn browser(base: &str, email: &str) -> reqwest::Client {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let form = client
        .get(format!("{base}/login"))
        .send()
        .await
        .expect("log-in page")
        .text()
        .await
        .expect("html");
    let csrf = form
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a CSRF token")
        .to_string();
    let r = client
        .post(format!("{base}/login"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", email),
            ("password", PASSWORD),
            ("next", ""),
        ])
        .send()
        .await
        .expect("log in");
    assert_eq!(r.status(), 303, "log-in of {email}");
    client
}

/// CPU time (user and system, ms) used so far by the process whose `stat` file this is; the
/// kernel counts it in ticks of 10 ms.
fn cpu_ms(stat: &str) -> f64 {
    // Fields after the command name (which may hold spaces, inside parentheses): utime is
    // the 12th and stime the 13th.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or("", |(_, rest)| rest)
        .split_whitespace()
        .collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) * 10.0
}

/// CPU time (ms) used so far by this process (the server and its client) and by the
/// PostgreSQL processes on this machine (0 on SQLite, which runs inside this process).
fn cpu_now() -> (f64, f64) {
    let own = cpu_ms(&std::fs::read_to_string("/proc/self/stat").unwrap_or_default());
    let mut database = 0.0;
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let stat = std::fs::read_to_string(entry.path().join("stat")).unwrap_or_default();
        if stat.contains("(postgres)") {
            database += cpu_ms(&stat);
        }
    }
    (own, database)
}

/// What `REQUESTS` GETs of one URL cost: p50 and p99 (ms), the answer's bytes, and the CPU
/// (ms) per request of this process (the server, with the client's small share) and of
/// PostgreSQL.
struct Figures {
    /// The first request's time (ms): nothing kept from an earlier one.
    first: f64,
    p50: f64,
    p99: f64,
    bytes: usize,
    cpu: f64,
    db_cpu: f64,
}

async fn timed(client: &reqwest::Client, url: &str) -> Figures {
    let mut lat = Vec::with_capacity(REQUESTS);
    let mut bytes = 0;
    let mut first = 0.0;
    let mut cpu_from = cpu_now();
    for i in 0..REQUESTS + 5 {
        if i == 5 {
            cpu_from = cpu_now();
        }
        let t = Instant::now();
        let r = client.get(url).send().await.expect("request");
        assert_eq!(r.status(), 200, "{url}");
        bytes = r.bytes().await.expect("body").len();
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        if i == 0 {
            first = ms;
        } else if i >= 5 {
            lat.push(ms);
        }
    }
    let cpu_to = cpu_now();
    lat.sort_by(|a, b| a.total_cmp(b));
    Figures {
        first,
        p50: percentile(&lat, 0.5),
        p99: percentile(&lat, 0.99),
        bytes,
        cpu: (cpu_to.0 - cpu_from.0) / REQUESTS as f64,
        db_cpu: (cpu_to.1 - cpu_from.1) / REQUESTS as f64,
    }
}

/// One size on one backend: each request's (p50, p99, bytes).
async fn run(url: &str, mentors: usize) -> BTreeMap<&'static str, Figures> {
    let store = stint_store::open(url).await.expect("open");
    let (mentor_ids, mentee_ids) = build(&store, url, mentors).await;
    let mentor = mentor_ids[0];
    let addr = stint_server::spawn(store.clone()).await.expect("server");
    let base = format!("http://{addr}");
    let anonymous = reqwest::Client::new();
    let today = stint_domain::clock::SystemClock
        .now()
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .date();
    let in_days = |n: i64| {
        today
            .checked_add(SignedDuration::from_hours(24 * n))
            .expect("a date")
    };
    // A weekday a few days ahead, when the default hours have times.
    let mut day = in_days(3);
    while matches!(
        day.weekday(),
        jiff::civil::Weekday::Saturday | jiff::civil::Weekday::Sunday
    ) {
        day = day.tomorrow().expect("a date");
    }
    let sku = SKUS[0];
    let mentee_email = format!("e{}@bench.example", 0);
    let mentor_email = format!("m{}@bench.example", 0);
    let as_mentee = browser(&base, &mentee_email).await;
    let as_mentor = browser(&base, &mentor_email).await;
    // One of the mentee's sessions, as their list links it.
    let sessions = as_mentee
        .get(format!("{base}/sessions"))
        .send()
        .await
        .expect("sessions")
        .text()
        .await
        .expect("html");
    let session = sessions
        .split("href=\"/sessions/")
        .nth(1)
        .and_then(|rest| rest.split(['"', '/', '?']).next())
        .expect("a session link")
        .to_string();
    let other = mentor_ids[1];
    let (as_operator, pilot, experiment) = operator_reports(&store, url, &base).await;
    let mut out = BTreeMap::new();
    let asks: Vec<(&'static str, &reqwest::Client, String)> = vec![
        (
            "picker: days of a month",
            &anonymous,
            format!(
                "{base}/api/v1/skus/{sku}/days?month={}&tz=UTC",
                day.strftime("%Y-%m")
            ),
        ),
        (
            "picker: one day's times",
            &anonymous,
            format!("{base}/api/v1/skus/{sku}/times?date={day}&tz=UTC"),
        ),
        (
            "one mentor, 30 days of slots",
            &anonymous,
            format!(
                "{base}/api/v1/skus/{sku}/slots?from={today}&to={}&tz=UTC&mentor={mentor}",
                in_days(29)
            ),
        ),
        ("home page", &anonymous, format!("{base}/")),
        ("directory /mentors", &anonymous, format!("{base}/mentors")),
        (
            "directory, every filter",
            &anonymous,
            format!(
                "{base}/mentors?q=field&competency=career-transition&language=German\
                 &band=europe-africa&available=week"
            ),
        ),
        (
            "directory, free this week",
            &anonymous,
            format!("{base}/mentors?available=week"),
        ),
        (
            "mentor profile /mentors/{id}",
            &anonymous,
            format!("{base}/mentors/{mentor}"),
        ),
        (
            "mentor photo (a JPEG)",
            &anonymous,
            format!("{base}/mentors/{mentor}/photo"),
        ),
        (
            "mentor photo (initials)",
            &anonymous,
            format!("{base}/mentors/{other}/photo"),
        ),
        (
            "picker page: month and day",
            &anonymous,
            format!("{base}/skus/{sku}/book?day={day}&tz=UTC"),
        ),
        (
            "picker page: one mentor",
            &anonymous,
            format!("{base}/skus/{sku}/book?mentor={mentor}&day={day}&tz=UTC"),
        ),
        (
            "session page (a mentee)",
            &as_mentee,
            format!("{base}/sessions/{session}"),
        ),
        (
            "dashboard (a mentor)",
            &as_mentor,
            format!("{base}/dashboard"),
        ),
        (
            "SKU page with figures",
            &anonymous,
            format!("{base}/skus/{sku}"),
        ),
        (
            "SKU figures API",
            &anonymous,
            format!("{base}/api/v1/skus/{sku}/outcomes"),
        ),
        (
            "/sessions (a mentee)",
            &as_mentee,
            format!("{base}/sessions"),
        ),
        (
            "/progress (a mentee)",
            &as_mentee,
            format!("{base}/progress"),
        ),
        ("/impact (a mentor)", &as_mentor, format!("{base}/impact")),
        (
            "/sessions (a mentor, rated)",
            &as_mentor,
            format!("{base}/sessions"),
        ),
        (
            "operator: supply and demand",
            &as_operator,
            format!("{base}/operator/insights"),
        ),
        (
            "operator: value by outcome",
            &as_operator,
            format!("{base}/operator/value"),
        ),
        (
            "operator: no-show model",
            &as_operator,
            format!("{base}/operator/no-shows"),
        ),
        (
            "operator: pilot report",
            &as_operator,
            format!("{base}/operator/pilots/{pilot}"),
        ),
        (
            "operator: experiment results",
            &as_operator,
            format!("{base}/operator/experiments/{experiment}"),
        ),
    ];
    for (name, client, url) in asks {
        let f = timed(client, &url).await;
        let limit = if name.starts_with("operator:") {
            REPORT_P99_MS
        } else {
            PAGE_P99_MS
        };
        let verdict = if f.p99 <= limit { "meets" } else { "MISSES" };
        println!(
            "    {name:<32} first {:>7.2} ms   p50 {:>7.2} ms   p99 {:>7.2} ms   {:>8} bytes   cpu {:>6.2} ms + db {:>6.2} ms   {verdict}",
            f.first, f.p50, f.p99, f.bytes, f.cpu, f.db_cpu
        );
        out.insert(name, f);
    }
    // The three slow reports are counted once (their "first" above) and kept; the hourly
    // insights.reports job counts every kept one again.
    let app = stint_server::application(
        &stint_server::config::Config::default(),
        store.clone(),
        Arc::new(stint_domain::clock::SystemClock),
    );
    let started = Instant::now();
    let counted = stint_app::insights::kept::recount_all(&app)
        .await
        .expect("reports counted");
    println!(
        "  kept reports (the insights.reports job): {counted} counted again in {:.0} ms",
        started.elapsed().as_secs_f64() * 1000.0
    );
    server_memory(url, &store, (&mentor_ids, &mentee_ids), day).await;
    out
}

/// Line `field` of /proc/`pid`/status (`VmRSS`, `VmHWM`), in MiB.
fn memory_mib(pid: u32, field: &str) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// `stint serve` as users run it (its own process, the worker inside) on the data set.
struct Server {
    child: std::process::Child,
    base: String,
    _outbox: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn start_server(url: &str) -> Server {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let outbox = tempfile::tempdir().expect("outbox");
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_stint"))
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .env("STINT_DATABASE_URL", url)
        .env(
            "STINT_DATA_KEY",
            "1f1e1d1c1b1a191817161514131211100f0e0d0c0b0a09080706050403020100",
        )
        .env("STINT_MAIL__OUTBOX_DIR", outbox.path())
        .env("STINT_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("stint serve");
    let server = Server {
        child,
        base: format!("http://127.0.0.1:{port}"),
        _outbox: outbox,
    };
    let client = reqwest::Client::new();
    for _ in 0..300 {
        if let Ok(r) = client.get(format!("{}/", server.base)).send().await
            && r.status().is_success()
        {
            return server;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("stint serve did not answer within 30 s");
}

/// An API token of `email`.
async fn token(client: &reqwest::Client, base: &str, email: &str) -> String {
    let r: serde_json::Value = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({"email": email, "password": PASSWORD}))
        .send()
        .await
        .expect("log in")
        .json()
        .await
        .expect("a token");
    r["token"].as_str().expect("a token").to_string()
}

/// Books, as `token`, the first free time of each mentor in `mentors` from `day` on: a
/// one-mentor search and then the booking, with an idempotency key, as a client would.
async fn book_each(
    client: reqwest::Client,
    base: String,
    token: String,
    mentors: Vec<i64>,
    day: jiff::civil::Date,
) -> usize {
    let to = day
        .checked_add(SignedDuration::from_hours(24 * 13))
        .expect("a date");
    let mut made = 0;
    for mentor in mentors {
        let url = format!(
            "{base}/api/v1/skus/{}/slots?from={day}&to={to}&tz=UTC&mentor={mentor}",
            SKUS[0]
        );
        let found: serde_json::Value = client
            .get(url)
            .send()
            .await
            .expect("slots")
            .json()
            .await
            .expect("json");
        let Some(start) = found["slots"][0]["start"].as_str() else {
            continue;
        };
        let r = client
            .post(format!("{base}/api/v1/bookings"))
            .bearer_auth(&token)
            .header("Idempotency-Key", format!("memory-{mentor}"))
            .json(&serde_json::json!({"sku": SKUS[0], "mentor_id": mentor, "start": start}))
            .send()
            .await
            .expect("book");
        if r.status() == 201 {
            made += 1;
        }
    }
    made
}

/// The resident memory of `stint serve` (its own process, as users run it, the worker
/// inside) on the data set: idle after a first answer to each picker question; the peak
/// while 8 clients ask the picker's two questions at once (20 times each) and 4 mentees
/// search and book a mentor each, one after another (25 each); and 2 s after.
async fn server_memory(
    url: &str,
    store: &Arc<dyn Store>,
    (mentors, mentees): (&[i64], &[i64]),
    day: jiff::civil::Date,
) {
    let now = stint_domain::clock::SystemClock.now();
    for &mentee in &mentees[..4] {
        stint_store::testing::fund(
            store.as_ref(),
            stint_domain::ids::UserId(mentee),
            10_000,
            now,
        )
        .await
        .expect("credits");
    }
    let server = start_server(url).await;
    let (pid, base, sku) = (server.child.id(), server.base.clone(), SKUS[0]);
    let started = memory_mib(pid, "VmRSS:");
    let client = reqwest::Client::new();
    let month = day.strftime("%Y-%m").to_string();
    let picker = [
        format!("{base}/api/v1/skus/{sku}/times?date={day}&tz=UTC"),
        format!("{base}/api/v1/skus/{sku}/days?month={month}&tz=UTC"),
    ];
    for url in &picker {
        client
            .get(url)
            .send()
            .await
            .expect("picker")
            .bytes()
            .await
            .expect("body");
    }
    let mut tokens = Vec::new();
    for n in 0..4 {
        tokens.push(token(&client, &base, &format!("e{n}@bench.example")).await);
    }
    let idle = memory_mib(pid, "VmRSS:");
    let _ = std::fs::write(format!("/proc/{pid}/clear_refs"), "5");
    let mut pickers = Vec::new();
    for i in 0..8 {
        let (client, url) = (client.clone(), picker[i % 2].clone());
        pickers.push(tokio::spawn(async move {
            for _ in 0..20 {
                let r = client.get(&url).send().await.expect("picker");
                assert!(r.status().is_success());
                r.bytes().await.expect("body");
            }
        }));
    }
    let mut bookers = Vec::new();
    for (n, token) in tokens.into_iter().enumerate() {
        let mine: Vec<i64> = mentors.iter().copied().skip(1 + n * 25).take(25).collect();
        bookers.push(tokio::spawn(book_each(
            client.clone(),
            base.clone(),
            token,
            mine,
            day,
        )));
    }
    for t in pickers {
        t.await.expect("picker client");
    }
    let mut booked = 0;
    for t in bookers {
        booked += t.await.expect("booking client");
    }
    let peak = memory_mib(pid, "VmHWM:");
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    let after = memory_mib(pid, "VmRSS:");
    let verdict = if peak <= 128.0 { "meets" } else { "MISSES" };
    println!(
        "    stint serve: resident {started:.0} MiB at start, {idle:.0} MiB after a first answer \
         and 4 log-ins, peak {peak:.0} MiB with 8 picker clients (x20) and {booked} bookings, \
         {after:.0} MiB 2 s after ({verdict} peak <= 128 MiB)"
    );
}

async fn backend(name: &str, sizes: &[usize]) {
    println!("{name}:");
    let mut results = Vec::new();
    for &n in sizes {
        let figures = if name == "sqlite" {
            let db = stint_store::testing::fresh_sqlite();
            run(db.url(), n).await
        } else {
            let db = stint_store::testing::fresh_postgres().await;
            run(db.url(), n).await
        };
        results.push((n, figures));
    }
    for pair in results.windows(2) {
        let ((a, fa), (b, fb)) = (&pair[0], &pair[1]);
        println!("  growth of p50 from {a} to {b} mentors (exponent: 0 flat, 1 linear):");
        for (name, fig) in fa {
            let k = (fb[name].p50 / fig.p50).ln() / ((*b as f64) / (*a as f64)).ln();
            println!("    {name:<32} {k:>5.2}");
        }
    }
}

#[tokio::main]
async fn main() {
    let sizes: Vec<usize> = std::env::var("STINT_SCALE_SIZES")
        .unwrap_or_else(|_| "100,1000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let only = std::env::var("STINT_BENCH_ONLY").unwrap_or_default();
    if only != "postgres" {
        backend("sqlite", &sizes).await;
    }
    if only != "sqlite" {
        if std::env::var(stint_store::testing::POSTGRES_ENV).is_ok() {
            backend("postgres", &sizes).await;
        } else {
            println!(
                "postgres: skipped (set {} to include it)",
                stint_store::testing::POSTGRES_ENV
            );
        }
    }
}
