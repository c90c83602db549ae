//! A real SMTP server for tests: `crates/mail/tests/smtp_sink.py` (Python's aiosmtpd, tested
//! with 1.4.6) on a free port of 127.0.0.1, started per test and killed on drop, with the
//! messages it received. A test that starts it carries
//! `#[cfg_attr(not(peer_smtp), ignore = "…")]`: without aiosmtpd it is reported as ignored,
//! except with `CI=true`, where it runs and fails (see `stint-testkit`). Other crates' tests
//! include this file with `#[path]` (the server's tests and benchmarks do); the including
//! test file allows `expect`, as the workspace lints deny it outside `#[test]`.
#![allow(dead_code)] // each test binary uses its own part of it

use std::fs;
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

/// How long the sink may take to start: Python's start-up on a loaded 2-core machine.
const START_DEADLINE: Duration = Duration::from_secs(30);
const POLL: Duration = Duration::from_millis(20);

/// `STINT_TEST_PYTHON`, or `python3`.
pub use stint_testkit::python;

fn script() -> PathBuf {
    // From this crate or another one beside it.
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../mail/tests/smtp_sink.py")
}

/// How the sink behaves.
#[derive(Debug, Clone, Default)]
pub struct SinkOptions {
    /// Require AUTH (PLAIN/LOGIN, allowed without TLS) with this (username, password).
    pub auth: Option<(String, String)>,
    /// Answer RCPT TO for the address with the code (451 transient, 550 permanent, …).
    pub reject: Vec<(String, u16)>,
    /// Hold every RCPT TO after this many accepted messages until [`SmtpSink::release`].
    pub hold_after: Option<usize>,
    /// Skip the disk sync of each received message (benchmarks).
    pub no_fsync: bool,
}

/// A running `smtp_sink.py`; killed on drop.
pub struct SmtpSink {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

/// One message the sink accepted.
#[derive(Debug, Clone)]
pub struct Received {
    /// The bytes the client sent after DATA.
    pub raw: Vec<u8>,
    pub mail_from: String,
    pub rcpt_to: Vec<String>,
    /// Where `raw` is stored.
    pub path: PathBuf,
}

impl SmtpSink {
    /// Starts a sink and waits until it accepts connections. Panics, saying what to install,
    /// when aiosmtpd is not there.
    pub fn start(options: &SinkOptions) -> SmtpSink {
        stint_testkit::require(stint_testkit::Peer::Smtp);
        let dir = tempfile::tempdir().expect("a temporary directory");
        let port_file = dir.path().join("port");
        let stderr = fs::File::create(dir.path().join("stderr")).expect("the sink's stderr file");
        let mut command = Command::new(python());
        command
            .arg(script())
            .arg("--dir")
            .arg(dir.path().join("mail"))
            .args(["--port", "0", "--port-file"])
            .arg(&port_file);
        if let Some((user, password)) = &options.auth {
            command.args(["--auth-user", user, "--auth-password", password]);
        }
        for (address, code) in &options.reject {
            command.arg("--reject").arg(format!("{address}={code}"));
        }
        if let Some(n) = options.hold_after {
            command
                .args(["--hold-after", &n.to_string(), "--release-file"])
                .arg(dir.path().join("release"))
                .arg("--held-file")
                .arg(dir.path().join("held"));
        }
        if options.no_fsync {
            command.arg("--no-fsync");
        }
        let child = command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(stderr)
            .spawn()
            .expect("starting smtp_sink.py");
        let mut sink = SmtpSink {
            child,
            port: 0,
            dir,
        };

        let deadline = Instant::now() + START_DEADLINE;
        sink.port = loop {
            sink.fail_if_exited();
            if let Ok(text) = fs::read_to_string(&port_file)
                && let Ok(port) = text.trim().parse()
            {
                break port;
            }
            assert!(
                Instant::now() < deadline,
                "smtp_sink.py wrote no port within {START_DEADLINE:?}; stderr:\n{}",
                sink.stderr()
            );
            sleep(POLL);
        };
        let addr = SocketAddr::from(([127, 0, 0, 1], sink.port));
        while TcpStream::connect_timeout(&addr, Duration::from_secs(1)).is_err() {
            sink.fail_if_exited();
            assert!(
                Instant::now() < deadline,
                "smtp_sink.py does not accept connections on {addr}; stderr:\n{}",
                sink.stderr()
            );
            sleep(POLL);
        }
        sink
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// How many RCPT TOs the sink is holding (see [`SinkOptions::hold_after`]).
    pub fn held(&self) -> usize {
        fs::read_to_string(self.dir.path().join("held"))
            .ok()
            .and_then(|t| t.trim().parse().ok())
            .unwrap_or(0)
    }

    /// Lets held messages through, and every later one.
    pub fn release(&self) {
        fs::write(self.dir.path().join("release"), b"go").expect("the release file");
    }

    /// How many messages were accepted, without reading them.
    pub fn count(&self) -> usize {
        fs::read_dir(self.dir.path().join("mail"))
            .map(|entries| {
                entries
                    .filter_map(|e| e.ok())
                    .filter(|e| {
                        let name = e.file_name();
                        let name = name.to_string_lossy();
                        name.ends_with(".eml") && !name.starts_with('.')
                    })
                    .count()
            })
            .unwrap_or(0)
    }

    /// What the sink printed on stderr so far.
    pub fn stderr(&self) -> String {
        fs::read_to_string(self.dir.path().join("stderr")).unwrap_or_default()
    }

    fn fail_if_exited(&mut self) {
        if let Ok(Some(status)) = self.child.try_wait() {
            panic!("smtp_sink.py exited ({status}); stderr:\n{}", self.stderr());
        }
    }

    /// The messages accepted so far, in order. The sink writes each before answering 250, so
    /// after a successful send it is here.
    pub fn received(&self) -> Vec<Received> {
        let dir = self.dir.path().join("mail");
        let mut names: Vec<PathBuf> = match fs::read_dir(&dir) {
            Ok(entries) => entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "eml"))
                .filter(|p| {
                    !p.file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with('.'))
                })
                .collect(),
            Err(_) => Vec::new(),
        };
        names.sort();
        names
            .into_iter()
            .map(|path| {
                let raw = fs::read(&path).expect("a received message");
                let envelope = fs::read_to_string(path.with_extension("envelope"))
                    .expect("a received message's envelope");
                let unwrap = |line: &str, prefix: &str| {
                    line.strip_prefix(prefix)
                        .and_then(|rest| rest.strip_suffix('>'))
                        .map(str::to_string)
                };
                let mut lines = envelope.lines();
                let mail_from = lines
                    .next()
                    .and_then(|l| unwrap(l, "MAIL FROM:<"))
                    .unwrap_or_default();
                let rcpt_to = lines.filter_map(|l| unwrap(l, "RCPT TO:<")).collect();
                Received {
                    raw,
                    mail_from,
                    rcpt_to,
                    path,
                }
            })
            .collect()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port on 127.0.0.1 that nothing listens on (free when this returns).
pub fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("its address").port()
}
