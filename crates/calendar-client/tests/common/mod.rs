//! A real Radicale CalDAV server for tests: one per test, on a free loopback port, with its
//! storage and a plain-text htpasswd file in a temporary directory, stopped when dropped.
//!
//! Radicale is a Python package (tested with Radicale 3.9.0: `python3 -m pip install
//! radicale==3.9.0`). A test that starts it carries
//! `#[cfg_attr(not(peer_radicale), ignore = "…")]`, so without Radicale it is reported as
//! ignored, except with `CI=true`, where it runs and fails: CI must run these (see
//! `stint-testkit`). `STINT_TEST_PYTHON` picks the interpreter (default `python3`). The
//! server's tests include this file with `#[path]`.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use stint_testkit::{Peer, python};
use tempfile::TempDir;

/// The Radicale release these tests were written against.
pub const RADICALE_VERSION: &str = "3.9.0";
pub const USER: &str = "alice";
pub const PASSWORD: &str = "correct horse battery staple";

/// How long Radicale may take to start answering.
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// A running Radicale. Dropping it stops the process.
pub struct Radicale {
    child: Child,
    dir: TempDir,
    /// `http://127.0.0.1:PORT/`
    pub url: String,
}

impl Radicale {
    /// Starts Radicale with one user ([`USER`], [`PASSWORD`]). Panics, saying what to
    /// install, when Radicale is not there.
    pub async fn start() -> Radicale {
        stint_testkit::require(Peer::Radicale);
        let python = python();
        let dir = tempfile::tempdir().unwrap();
        let users = dir.path().join("users");
        std::fs::write(&users, format!("{USER}:{PASSWORD}\n")).unwrap();
        let port = free_port();
        let config = dir.path().join("config");
        std::fs::write(
            &config,
            format!(
                "[server]\nhosts = 127.0.0.1:{port}\n\
                 [auth]\ntype = htpasswd\nhtpasswd_filename = {users}\nhtpasswd_encryption = plain\n\
                 # No pause after a wrong password: the tests send one on purpose.\ndelay = 0\n\
                 [rights]\ntype = owner_only\n\
                 [storage]\nfilesystem_folder = {storage}\n\
                 [web]\ntype = none\n\
                 [logging]\nlevel = warning\n",
                users = users.display(),
                storage = dir.path().join("collections").display(),
            ),
        )
        .unwrap();
        let log = std::fs::File::create(dir.path().join("log")).unwrap();
        let child = Command::new(&python)
            .args(["-m", "radicale", "--config"])
            .arg(&config)
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start Radicale with {python}: {e}"));
        let mut server = Radicale {
            child,
            dir,
            url: format!("http://127.0.0.1:{port}/"),
        };
        server.wait_until_ready(port).await;
        server
    }

    /// Polls the port until Radicale accepts connections, failing early if it exited.
    async fn wait_until_ready(&mut self, port: u16) {
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("Radicale exited at start ({status}):\n{}", self.log());
            }
            if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                return;
            }
            if Instant::now() > deadline {
                panic!(
                    "Radicale did not answer on port {port} within {START_TIMEOUT:?}:\n{}",
                    self.log()
                );
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// Changes the user's password (Radicale reads the htpasswd file on each request).
    pub fn set_password(&self, password: &str) {
        std::fs::write(
            self.dir.path().join("users"),
            format!("{USER}:{password}\n"),
        )
        .unwrap();
    }

    /// What Radicale logged (warnings and errors).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("log")).unwrap_or_default()
    }

    /// The user's principal, which is also their calendar home in Radicale.
    pub fn principal_url(&self) -> String {
        format!("{}{USER}/", self.url)
    }

    /// Creates calendar `name` (MKCALENDAR, RFC 4791 §5.3.1) holding events only, and returns
    /// its address.
    pub async fn make_calendar(&self, name: &str, display_name: &str) -> String {
        let url = format!("{}{name}/", self.principal_url());
        let body = format!(
            r#"<?xml version="1.0" encoding="utf-8"?>
<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:set><D:prop>
    <D:displayname>{display_name}</D:displayname>
    <C:supported-calendar-component-set><C:comp name="VEVENT"/></C:supported-calendar-component-set>
  </D:prop></D:set>
</C:mkcalendar>"#
        );
        let response = reqwest::Client::new()
            .request(reqwest::Method::from_bytes(b"MKCALENDAR").unwrap(), &url)
            .basic_auth(USER, Some(PASSWORD))
            .header("content-type", "application/xml; charset=utf-8")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status().as_u16(),
            201,
            "MKCALENDAR {url}:\n{}",
            self.log()
        );
        url
    }
}

impl Drop for Radicale {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port nothing listens on right now (the OS picks it; a race with another process taking
/// it in between is possible but unlikely on a test machine).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
