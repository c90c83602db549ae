//! The outbox: with no SMTP server configured, each message is one `.eml` file named by its
//! Message-ID, written under a temporary name and renamed (a reader never sees half a file; a
//! resend replaces the file). `list_outbox` and `read_outbox` serve the operator's page.

use crate::{MailError, Result};
use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::SystemTime;

/// The longest file name stem taken from a Message-ID, before the hash and `.eml`.
const MAX_STEM: usize = 120;
/// How much of a file `list_outbox` reads for its headers.
const HEAD_BYTES: u64 = 64 * 1024;

/// One message in the outbox, as listed for operators.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEntry {
    /// The name `read_outbox` takes.
    pub file_name: String,
    pub modified: jiff::Timestamp,
    /// `Name <address>` of each recipient, comma-separated.
    pub to: String,
    pub subject: String,
    /// Without angle brackets, as mail readers show it.
    pub message_id: Option<String>,
    /// Bytes.
    pub size: u64,
}

/// The outbox file name for a Message-ID: its safe characters (letters, digits, `@ + - _ .`,
/// never `..` nor a leading dot) plus `.eml`; an id that needed changing or shortening also
/// gets a hash of itself, so two ids never share a file.
pub fn outbox_file_name(message_id: &str) -> String {
    let id = message_id.trim();
    let inner = id
        .strip_prefix('<')
        .and_then(|rest| rest.strip_suffix('>'))
        .unwrap_or(id);
    let mut stem = String::with_capacity(inner.len().min(MAX_STEM));
    let mut changed = false;
    let mut after_dot = true; // a leading dot would hide the file
    for c in inner.chars() {
        if stem.len() == MAX_STEM {
            changed = true;
            break;
        }
        let keep = c.is_ascii_alphanumeric()
            || matches!(c, '@' | '+' | '-' | '_')
            || (c == '.' && !after_dot);
        stem.push(if keep { c } else { '_' });
        changed |= !keep;
        after_dot = keep && c == '.';
    }
    if stem.ends_with('.') {
        // `x..eml` would hold `..`.
        stem.pop();
        stem.push('_');
        changed = true;
    }
    if stem.is_empty() {
        stem.push_str("message");
        changed = true;
    }
    if changed {
        stem.push_str(&format!("-{:016x}", fnv1a(inner.as_bytes())));
    }
    stem + ".eml"
}

/// FNV-1a, 64 bits: stable across builds and platforms, unlike std's hasher.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// A name `outbox_file_name` can produce: no separators, no `..`, no leading dot.
fn is_outbox_name(name: &str) -> bool {
    name.len() <= 255
        && name.len() > ".eml".len()
        && name.ends_with(".eml")
        && !name.starts_with('.')
        && !name.contains("..")
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'@' | b'+' | b'-' | b'_' | b'.'))
}

/// Writes `bytes` to `dir/file_name` through a temporary file and a rename, creating `dir`.
pub(crate) async fn write(dir: &Path, file_name: String, bytes: Vec<u8>) -> Result<PathBuf> {
    let dir = dir.to_path_buf();
    let for_error = dir.clone();
    tokio::task::spawn_blocking(move || write_atomically(&dir, &file_name, &bytes))
        .await
        .map_err(|e| MailError::Outbox {
            path: for_error,
            source: io::Error::other(e),
        })?
}

fn write_atomically(dir: &Path, file_name: &str, bytes: &[u8]) -> Result<PathBuf> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let outbox_error = |path: &Path| {
        let path = path.to_path_buf();
        move |source| MailError::Outbox { path, source }
    };
    // Messages hold people's names, addresses and sessions: only Stint's own user may read
    // them (0700 for a folder it makes, 0600 for each file), whatever the umask.
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(outbox_error(dir))?;
    let path = dir.join(file_name);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    // A dot first: listings skip it until the rename makes it whole.
    let tmp = dir.join(format!(".{file_name}.{}-{n}.tmp", std::process::id()));
    let created = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&tmp);
    let written = created.and_then(|mut file| {
        file.write_all(bytes)?;
        file.sync_all()
    });
    let result = written.and_then(|()| fs::rename(&tmp, &path));
    if let Err(source) = result {
        let _ = fs::remove_file(&tmp);
        return Err(MailError::Outbox { path, source });
    }
    Ok(path)
}

/// The newest `limit` messages in `dir`, newest first (an absent directory is empty). Only
/// each file's headers are read.
pub fn list_outbox(dir: impl AsRef<Path>, limit: usize) -> Result<Vec<OutboxEntry>> {
    let dir = dir.as_ref();
    let io_error = |path: &Path| {
        let path = path.to_path_buf();
        move |source| MailError::Outbox { path, source }
    };
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io_error(dir)(e)),
    };
    let mut files: Vec<(SystemTime, String, u64)> = Vec::new();
    for entry in entries {
        let entry = entry.map_err(io_error(dir))?;
        let Ok(name) = entry.file_name().into_string() else {
            continue;
        };
        if !is_outbox_name(&name) {
            continue;
        }
        let meta = match entry.metadata() {
            Ok(meta) => meta,
            // Replaced or removed since the directory was read.
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => return Err(io_error(&entry.path())(e)),
        };
        if !meta.is_file() {
            continue;
        }
        let modified = meta.modified().map_err(io_error(&entry.path()))?;
        files.push((modified, name, meta.len()));
    }
    files.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    files.truncate(limit);

    let mut listed = Vec::with_capacity(files.len());
    for (modified, file_name, size) in files {
        let path = dir.join(&file_name);
        let mut head = Vec::new();
        match File::open(&path).and_then(|f| f.take(HEAD_BYTES).read_to_end(&mut head)) {
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => return Err(io_error(&path)(e)),
        }
        let (to, subject, message_id) = headers(&head);
        listed.push(OutboxEntry {
            file_name,
            modified: jiff::Timestamp::try_from(modified).unwrap_or(jiff::Timestamp::UNIX_EPOCH),
            to,
            subject,
            message_id,
            size,
        });
    }
    Ok(listed)
}

/// To, Subject and Message-ID, decoded (RFC 2047 words, folded lines).
fn headers(head: &[u8]) -> (String, String, Option<String>) {
    let Some(parsed) = mail_parser::MessageParser::default().parse_headers(head) else {
        return (String::new(), String::new(), None);
    };
    let to = parsed
        .to()
        .map(|address| {
            address
                .clone()
                .into_list()
                .iter()
                .map(|addr| match (&addr.name, &addr.address) {
                    (Some(name), Some(address)) => format!("{name} <{address}>"),
                    (None, Some(address)) => address.to_string(),
                    (Some(name), None) => name.to_string(),
                    (None, None) => String::new(),
                })
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default();
    let subject = parsed.subject().unwrap_or_default().to_string();
    let message_id = parsed.message_id().map(str::to_string);
    (to, subject, message_id)
}

/// The whole file `file_name` in `dir`. Refuses any name `outbox_file_name` could not have
/// made (path separators, `..`, hidden files), since operators pass names from a web page.
pub fn read_outbox(dir: impl AsRef<Path>, file_name: &str) -> Result<String> {
    if !is_outbox_name(file_name) {
        return Err(MailError::BadFileName(file_name.into()));
    }
    let path = dir.as_ref().join(file_name);
    let not_found = || MailError::NotInOutbox(file_name.into());
    match fs::symlink_metadata(&path) {
        Ok(meta) if meta.is_file() => {}
        Ok(_) => return Err(not_found()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(not_found()),
        Err(source) => return Err(MailError::Outbox { path, source }),
    }
    match fs::read(&path) {
        Ok(bytes) => Ok(String::from_utf8_lossy(&bytes).into_owned()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Err(not_found()),
        Err(source) => Err(MailError::Outbox { path, source }),
    }
}

/// Everything a message says, decoded, in lower case: its raw bytes, each header's text and
/// addresses (RFC 2047 words decoded) and each part's body (quoted-printable and base64
/// decoded). What a search for a person's name or address must look through.
pub fn message_text(bytes: &[u8]) -> String {
    let mut out = String::from_utf8_lossy(bytes).into_owned();
    if let Some(message) = mail_parser::MessageParser::default().parse(bytes) {
        for part in &message.parts {
            for header in &part.headers {
                match &header.value {
                    mail_parser::HeaderValue::Text(t) => out.push_str(t),
                    mail_parser::HeaderValue::TextList(list) => {
                        list.iter().for_each(|t| out.push_str(t))
                    }
                    mail_parser::HeaderValue::Address(a) => {
                        for addr in a.iter() {
                            out.push_str(addr.name.as_deref().unwrap_or_default());
                            out.push(' ');
                            out.push_str(addr.address.as_deref().unwrap_or_default());
                        }
                    }
                    _ => {}
                }
                out.push('\n');
            }
            out.push_str(&String::from_utf8_lossy(part.contents()));
            out.push('\n');
        }
    }
    out.to_lowercase()
}

/// Deletes every message in `dir` that names any of `names` (a person's address, their name)
/// anywhere, decoded (`message_text`), case aside: how many. For an erased account.
pub fn erase_from_outbox(dir: impl AsRef<Path>, names: &[&str]) -> Result<u64> {
    let dir = dir.as_ref();
    let names: Vec<String> = names
        .iter()
        .filter(|n| !n.trim().is_empty())
        .map(|n| n.to_lowercase())
        .collect();
    let io_error = |path: &Path| {
        let path = path.to_path_buf();
        move |source| MailError::Outbox { path, source }
    };
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(io_error(dir)(e)),
    };
    let mut removed = 0;
    for entry in entries {
        let entry = entry.map_err(io_error(dir))?;
        let path = entry.path();
        let bytes = match fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            // A folder, or something else that is not a message.
            Err(_) if !path.is_file() => continue,
            Err(e) => return Err(io_error(&path)(e)),
        };
        let text = message_text(&bytes);
        if names.iter().any(|n| text.contains(n.as_str())) {
            match fs::remove_file(&path) {
                Ok(()) => removed += 1,
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(io_error(&path)(e)),
            }
        }
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_come_from_message_ids() {
        assert_eq!(
            outbox_file_name("<nudge-123-email@stint.localhost>"),
            "nudge-123-email@stint.localhost.eml"
        );
        assert_eq!(
            outbox_file_name("nudge-123-email@stint.localhost"),
            outbox_file_name("<nudge-123-email@stint.localhost>")
        );
        for id in [
            "<../../etc/passwd@x>",
            "<a/b@c>",
            "<a\\b@c>",
            "<.hidden@x>",
            "<a..b@c>",
            "<a@b.>",
            "<>",
            "<a:b@c>",
        ] {
            let name = outbox_file_name(id);
            assert!(is_outbox_name(&name), "{id:?} → {name:?}");
        }
        // Changed ids get a hash, so ids that differ only in unsafe characters differ.
        assert_ne!(outbox_file_name("<a/b@c>"), outbox_file_name("<a_b@c>"));
        assert_ne!(outbox_file_name("<a/b@c>"), outbox_file_name("<a:b@c>"));
        let long = format!("<{}@x>", "a".repeat(400));
        let name = outbox_file_name(&long);
        assert!(is_outbox_name(&name) && name.len() < 160, "{name}");
    }

    #[test]
    fn only_plain_eml_names_are_outbox_names() {
        for bad in [
            "../x.eml",
            "..",
            "a/b.eml",
            "a\\b.eml",
            ".hidden.eml",
            ".eml",
            "x.txt",
            "a..eml",
            "/etc/passwd",
            "x.eml\0",
            "",
        ] {
            assert!(!is_outbox_name(bad), "{bad:?}");
        }
        assert!(is_outbox_name("nudge-1@stint.localhost.eml"));
    }

    #[test]
    fn erasing_removes_every_message_that_names_the_person_however_encoded()
    -> std::result::Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        // Base64 body, an RFC 2047 name: neither shows the name in the raw bytes.
        let encoded = "To: =?utf-8?b?WsO8bGEgQ2FuYXJ5?= <z@example.com>\r\nSubject: hi\r\n\
                       Content-Transfer-Encoding: base64\r\n\r\nU2VlIHlvdSwgWsO8bGEgQ2FuYXJ5IQ==\r\n";
        fs::write(dir.path().join("a@x.eml"), encoded)?;
        fs::write(
            dir.path().join("b@x.eml"),
            "To: other@example.com\r\n\r\nHello\r\n",
        )?;
        fs::write(
            dir.path().join("c@x.eml"),
            "To: other@example.com\r\n\r\nfrom Z@EXAMPLE.com\r\n",
        )?;
        assert!(!String::from_utf8_lossy(encoded.as_bytes()).contains("Canary"));
        assert!(message_text(encoded.as_bytes()).contains("zÜla canary".to_lowercase().as_str()));
        let removed = erase_from_outbox(dir.path(), &["Züla Canary"])?;
        assert_eq!(removed, 1);
        assert_eq!(erase_from_outbox(dir.path(), &["z@example.com", ""])?, 1);
        let left: Vec<_> = fs::read_dir(dir.path())?.collect();
        assert_eq!(left.len(), 1);
        assert_eq!(erase_from_outbox(dir.path().join("absent"), &["x"])?, 0);
        Ok(())
    }

    #[test]
    fn failed_writes_leave_no_temporary_file() -> std::result::Result<(), Box<dyn std::error::Error>>
    {
        let dir = tempfile::tempdir()?;
        // A directory where the file should go makes the rename fail.
        fs::create_dir(dir.path().join("x@y.eml"))?;
        let err = write_atomically(dir.path(), "x@y.eml", b"data").err();
        assert!(matches!(err, Some(MailError::Outbox { .. })), "{err:?}");
        assert!(err.is_some_and(|e| e.is_retryable()));
        let left: Vec<_> = fs::read_dir(dir.path())?.collect();
        assert_eq!(left.len(), 1);
        Ok(())
    }

    #[test]
    fn messages_are_readable_by_their_owner_only()
    -> std::result::Result<(), Box<dyn std::error::Error>> {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir()?;
        let outbox = dir.path().join("outbox");
        let path = write_atomically(&outbox, "x@y.eml", b"To: someone")?;
        assert_eq!(fs::metadata(&path)?.permissions().mode() & 0o777, 0o600);
        assert_eq!(fs::metadata(&outbox)?.permissions().mode() & 0o777, 0o700);
        Ok(())
    }
}
