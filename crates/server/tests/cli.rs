//! The `stint` binary itself: sub-commands, configuration from the environment, start-up
//! messages, and graceful shutdown on SIGTERM of `stint serve` and `stint worker`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn stint(db: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_stint"));
    cmd.env("STINT_DATABASE_URL", db)
        .env(
            "STINT_DATA_KEY",
            "1f1e1d1c1b1a191817161514131211100f0e0d0c0b0a09080706050403020100",
        )
        .env_remove("STINT_CONFIG")
        .env("STINT_LOG", "warn");
    cmd
}

fn run(cmd: &mut Command) -> (bool, String) {
    let out = cmd.output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[test]
fn user_create_makes_the_first_operator_once() {
    let database = stint_store::testing::fresh_sqlite();
    let db = database.url();
    let (ok, out) = run(stint(db).args(["migrate"]));
    assert!(ok, "{out}");
    assert!(out.contains("up to date"));
    let (ok, out) = run(stint(db).args([
        "user",
        "create",
        "--email",
        "Boss@Example.com",
        "--role",
        "operator",
        "--timezone",
        "Europe/Berlin",
    ]));
    assert!(ok, "{out}");
    assert!(out.contains("Created boss@example.com"), "{out}");
    assert!(out.contains("Password (shown once): "), "{out}");
    let (ok, out) = run(stint(db).args([
        "user",
        "create",
        "--email",
        "boss@example.com",
        "--role",
        "operator",
    ]));
    assert!(!ok && out.contains("already exists"), "{out}");
    let (ok, out) = run(stint(db).args([
        "user",
        "create",
        "--email",
        "x@example.com",
        "--role",
        "king",
    ]));
    assert!(!ok && out.contains("--role king"), "{out}");
    let (ok, out) = run(stint(db).args([
        "user",
        "create",
        "--email",
        "y@example.com",
        "--role",
        "mentor",
        "--timezone",
        "Mars/Base",
    ]));
    assert!(!ok && out.contains("--timezone"), "{out}");
    let (ok, out) = run(stint(db).args(["demo"]));
    assert!(
        !ok && out.contains("empty database"),
        "the demo refuses a database with data: {out}"
    );
}

/// Reads the child's standard output until a line contains `marker`; returns what was read.
fn read_until(lines: &mut impl Iterator<Item = std::io::Result<String>>, marker: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut seen = String::new();
    loop {
        assert!(
            Instant::now() < deadline,
            "no line with {marker:?} in time:\n{seen}"
        );
        let line = lines
            .next()
            .expect("stint exited before it was ready")
            .unwrap();
        seen.push_str(&line);
        seen.push('\n');
        if line.contains(marker) {
            return seen;
        }
    }
}

/// Sends SIGTERM and expects the process to finish and exit successfully.
fn stops_gracefully_on_sigterm(child: &mut std::process::Child) {
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "graceful shutdown exits 0, got {status}");
            return;
        }
        assert!(
            Instant::now() < deadline,
            "stint did not stop after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn serve_prints_its_url_answers_and_stops_gracefully_on_sigterm() {
    let database = stint_store::testing::fresh_sqlite();
    let db = database.url();
    let mut child = stint(db)
        .args(["serve", "--demo", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let seen = read_until(&mut lines, "Open ");
    let url = seen
        .split("Open ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap()
        .to_string();
    assert!(
        seen.contains("operator@stint.example"),
        "demo log-ins are printed:\n{seen}"
    );
    assert!(
        seen.contains("Job worker ") && seen.contains(" runs in this process"),
        "a worker runs inside serve by default:\n{seen}"
    );
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let addr = url.trim_start_matches("http://").trim_end_matches('/');
    let mut conn = std::net::TcpStream::connect(addr).unwrap();
    conn.write_all(b"GET /healthz HTTP/1.1\r\nHost: stint\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut reply = String::new();
    conn.read_to_string(&mut reply).unwrap();
    assert!(
        reply.starts_with("HTTP/1.1 200") && reply.contains("\"ok\""),
        "{reply}"
    );
    // SIGTERM: the server and its worker finish and the process exits successfully.
    stops_gracefully_on_sigterm(&mut child);
}

#[test]
fn serve_with_the_worker_turned_off_only_serves_http() {
    let database = stint_store::testing::fresh_sqlite();
    let db = database.url();
    let mut child = stint(db)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("STINT_WORKER", "false")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let seen = read_until(&mut lines, "Open ");
    assert!(
        seen.contains("this node serves HTTP only") && !seen.contains("Job worker "),
        "{seen}"
    );
    stops_gracefully_on_sigterm(&mut child);
}

#[test]
fn worker_runs_jobs_alone_and_stops_gracefully_on_sigterm() {
    let database = stint_store::testing::fresh_sqlite();
    let db = database.url();
    let mut child = stint(db)
        .args(["worker"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let seen = read_until(&mut lines, "Stint worker ");
    let name = seen
        .split("Stint worker ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap()
        .to_string();
    assert!(
        name.contains(&format!("-{}-", child.id())),
        "the name says which process: {seen}"
    );
    assert!(seen.contains("sqlite database"), "{seen}");
    // It works on the queue: the next housekeeping run is enqueued.
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let store = stint_store::open(db).await.unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let queued = store
                // Every periodic kind is queued at start; housekeeping is one of more than ten.
                .jobs(Some(stint_store::JobState::Queued), None, 100)
                .await
                .unwrap();
            if queued.iter().any(|j| j.kind == "housekeeping.prune") {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "no housekeeping job was enqueued"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    });
    stops_gracefully_on_sigterm(&mut child);
}

#[test]
fn a_bad_config_file_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("stint.toml");
    std::fs::write(&file, "lisen = \"0.0.0.0:1\"\n").unwrap();
    let database = stint_store::testing::fresh_sqlite();
    let (ok, out) =
        run(stint(database.url()).args(["--config", file.to_str().unwrap(), "migrate"]));
    assert!(!ok, "{out}");
    assert!(out.contains("lisen"), "names the unknown setting: {out}");
}

#[test]
fn ledger_verify_passes_a_sound_ledger_and_names_each_violation() {
    let database = stint_store::testing::fresh_sqlite();
    let db = database.url();
    let (ok, out) = run(stint(db).args(["ledger", "verify"]));
    assert!(ok, "{out}");
    assert!(out.contains("The ledger is sound."), "{out}");
    // Credits that appear outside a transfer.
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime
        .block_on(stint_store::testing::execute_raw(
            db,
            "UPDATE ledger_accounts SET balance = 40 WHERE name = 'revenue'",
        ))
        .unwrap();
    let (ok, out) = run(stint(db).args(["ledger", "verify"]));
    assert!(!ok, "{out}");
    assert!(
        out.contains("revenue holds 40 but its transfers add up to 0"),
        "{out}"
    );
    assert!(out.contains("the balances sum to 40, not 0"), "{out}");
    // Credits held for no booking, and a wallet whose lots say otherwise.
    runtime
        .block_on(stint_store::testing::execute_raw(
            db,
            "INSERT INTO ledger_accounts (name, balance, may_go_negative) VALUES ('wallet:9', 5, 0); \
             UPDATE ledger_accounts SET balance = 2 WHERE name = 'held'",
        ))
        .unwrap();
    let (ok, out) = run(stint(db).args(["ledger", "verify"]));
    assert!(!ok, "{out}");
    assert!(
        out.contains("held holds 2 but the open holds add up to 0"),
        "{out}"
    );
    assert!(
        out.contains("wallet:9 holds 5 but its lots have 0 left"),
        "{out}"
    );
}

#[test]
fn ledger_export_writes_every_transfer_as_csv() {
    use stint_domain::ids::UserId;
    use stint_domain::ledger::{Account, Transfer, TransferKind};
    use stint_store::ledger::{Money, Movement};
    let database = stint_store::testing::fresh_sqlite();
    let db = database.url();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let store = stint_store::open(db).await.unwrap();
        let at: jiff::Timestamp = "2026-03-02T09:00:00Z".parse().unwrap();
        // More than one page of the export (1,000 a page).
        for i in 0..1_001 {
            let movement = Movement {
                key: format!("purchase:{i}"),
                transfers: vec![Transfer {
                    from: Account::World,
                    to: Account::Wallet(UserId(7)),
                    amount: 3,
                    kind: TransferKind::Purchase,
                }],
                reference: format!("purchase:{i}, \"quoted\""),
                money: Some(Money {
                    minor: 450,
                    currency: "EUR".into(),
                }),
            };
            store.move_credits(&movement, at).await.unwrap();
        }
    });
    let out = stint(db).args(["ledger", "export"]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "id,at,movement,seq,from,to,amount,kind,reference,money_minor,currency"
    );
    assert_eq!(lines.len(), 1 + 1_001);
    assert_eq!(
        lines[1],
        "1,2026-03-02T09:00:00Z,purchase:0,0,world,wallet:7,3,purchase,\"purchase:0, \"\"quoted\"\"\",450,EUR"
    );
}

#[test]
fn model_evaluate_prints_auc_and_calibration_once_there_is_history() {
    // An empty database is too little history for a model.
    let empty = stint_store::testing::fresh_sqlite();
    let (ok, out) = run(stint(empty.url()).args(["migrate"]));
    assert!(ok, "{out}");
    let (ok, out) = run(stint(empty.url()).args(["model", "evaluate"]));
    assert!(!ok);
    assert!(out.contains("too little history to evaluate"), "{out}");
    let (ok, out) = run(stint(empty.url()).args(["model", "train"]));
    assert!(ok, "{out}");
    assert!(out.contains("Too little history"), "{out}");
    // The demo's year is enough: sessions booked far ahead without prep were often missed.
    let database = stint_store::testing::fresh_sqlite();
    let db = database.url();
    let (ok, out) = run(stint(db).args(["demo"]));
    assert!(ok, "{out}");
    let (ok, out) = run(stint(db).args(["model", "evaluate"]));
    assert!(ok, "{out}");
    let auc: f64 = out
        .split("AUC ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("an AUC: {out}"));
    assert!(auc > 0.7, "the planted cause is found: {out}");
    assert!(out.contains("predicted range"), "{out}");
    assert_eq!(
        out.matches('%').count(),
        5 * 4,
        "four figures in each of five rows: {out}"
    );
    let (ok, out) = run(stint(db).args(["model", "train"]));
    assert!(ok, "{out}");
    assert!(out.contains("Trained on 3"), "{out}");
}
