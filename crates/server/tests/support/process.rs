//! `stint serve` as a child process on a free port, for the tests and benchmarks that need the
//! real binary (its own memory, its own system clock, signals). Included with `#[path]`.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// A running `stint serve`; killed when dropped.
pub struct Server {
    pub child: Child,
    /// `http://127.0.0.1:port`, without a trailing slash.
    pub base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The `stint` binary on database `db`, with no configuration file and `STINT_LOG=warn`.
pub fn stint(db: &str) -> Command {
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

/// Starts `stint serve` on a free port and waits for its start-up line.
pub fn serve(db: &str) -> Server {
    serve_with(db, &[])
}

/// [`serve`] with more arguments after `serve` (`--demo`).
pub fn serve_with(db: &str, args: &[&str]) -> Server {
    let mut child = stint(db)
        .arg("serve")
        .args(args)
        .args(["--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let out = child.stdout.take().unwrap();
    let mut lines = BufReader::new(out).lines();
    let base = loop {
        let line = lines
            .next()
            .expect("stint exited before it was ready")
            .unwrap();
        if let Some(rest) = line.split("Open ").nth(1) {
            break rest
                .split_whitespace()
                .next()
                .unwrap()
                .trim_end_matches('/')
                .to_string();
        }
    };
    // Keep draining stdout so the process never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Server { child, base }
}
