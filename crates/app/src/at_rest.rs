//! Notes and intake answers sealed at rest: ChaCha20-Poly1305 (authenticated) under the
//! configured `data_key`, each value written as `sealed:v1:<key id>:<base64(nonce ‖ sealed)>`.
//! The key id (the first 8 hex digits of the key's SHA-256) says which key opens a value, so
//! `stint keys rotate` can re-seal row by row while the servers run: they open values under
//! the new key and under `previous_data_keys` alike. A value without the prefix is one written
//! before sealing was configured; it is read as it is, and the next rotation seals it. The
//! keys are never logged or shown (`CalendarKey`'s `Debug` is redacted).

use crate::sealed::{CalendarKey, SealError};
use crate::{App, AppError};
use sha2::{Digest, Sha256};
use std::fmt;

/// What every sealed value starts with.
pub const PREFIX: &str = "sealed:v1:";

/// The key values are sealed with now, and those they may have been sealed with before.
#[derive(Clone)]
pub struct DataKeys {
    current: (String, CalendarKey),
    previous: Vec<(String, CalendarKey)>,
}

impl fmt::Debug for DataKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "DataKeys(current {}, {} previous)",
            self.current.0,
            self.previous.len()
        )
    }
}

/// A key's id: the first 8 hex digits of its SHA-256, safe to show and log.
pub fn key_id(key: &CalendarKey) -> String {
    let digest = Sha256::digest(key.to_hex().as_bytes());
    hex::encode(&digest[..4])
}

/// The id of the key `value` is sealed with, if it is sealed.
pub fn sealed_with(value: &str) -> Option<&str> {
    value.strip_prefix(PREFIX)?.split(':').next()
}

impl DataKeys {
    pub fn new(current: CalendarKey, previous: Vec<CalendarKey>) -> DataKeys {
        DataKeys {
            current: (key_id(&current), current),
            previous: previous.into_iter().map(|k| (key_id(&k), k)).collect(),
        }
    }

    /// The id of the key values are sealed with now.
    pub fn current_id(&self) -> &str {
        &self.current.0
    }

    /// Whether one of these keys opens values sealed under `id`.
    pub fn knows(&self, id: &str) -> bool {
        self.current.0 == id || self.previous.iter().any(|(k, _)| k == id)
    }

    /// `text` sealed under the current key; empty stays empty (an unanswered question is
    /// still seen as unanswered).
    pub fn seal(&self, text: &str) -> Result<String, SealError> {
        if text.is_empty() {
            return Ok(String::new());
        }
        Ok(format!(
            "{PREFIX}{}:{}",
            self.current.0,
            self.current.1.seal(text)?
        ))
    }

    /// What [`DataKeys::seal`] wrote, opened; a value that is not sealed, as it is.
    pub fn open(&self, value: &str) -> Result<String, SealError> {
        let Some(rest) = value.strip_prefix(PREFIX) else {
            return Ok(value.to_string());
        };
        let (id, sealed) = rest.split_once(':').ok_or(SealError::Open)?;
        let key = std::iter::once(&self.current)
            .chain(&self.previous)
            .find(|(k, _)| k == id)
            .map(|(_, key)| key)
            .ok_or(SealError::Open)?;
        key.open(sealed)
    }
}

impl App {
    /// `text` as it is stored: sealed when a data key is configured.
    pub(crate) fn seal(&self, text: &str) -> Result<String, AppError> {
        match &self.settings.data_keys {
            Some(keys) => keys.seal(text).map_err(|e| {
                tracing::error!(error = %e, "a value could not be sealed");
                AppError::internal()
            }),
            None => Ok(text.to_string()),
        }
    }

    /// A stored value, opened. A sealed value no configured key opens is an internal error
    /// (start-up refuses that case: `keys::check`).
    pub(crate) fn open(&self, value: &str) -> Result<String, AppError> {
        if sealed_with(value).is_none() {
            return Ok(value.to_string());
        }
        let opened = match &self.settings.data_keys {
            Some(keys) => keys.open(value),
            None => Err(SealError::Open),
        };
        opened.map_err(|e| {
            tracing::error!(error = %e, key = sealed_with(value), "a sealed value could not be opened");
            AppError::internal()
        })
    }

    /// Each of `values` opened.
    pub(crate) fn open_all(&self, values: &[String]) -> Result<Vec<String>, AppError> {
        values.iter().map(|v| self.open(v)).collect()
    }

    /// Each of `values` sealed.
    pub(crate) fn seal_all(&self, values: &[String]) -> Result<Vec<String>, AppError> {
        values.iter().map(|v| self.seal(v)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_sealed_under_the_current_key_and_opened_under_any_known_one() {
        let old = CalendarKey::generate().unwrap();
        let new = CalendarKey::generate().unwrap();
        let before = DataKeys::new(old.clone(), Vec::new());
        let sealed = before.seal("my goal is a raise").unwrap();
        assert!(sealed.starts_with(PREFIX) && !sealed.contains("raise"));
        assert_eq!(sealed_with(&sealed), Some(before.current_id()));
        let after = DataKeys::new(new.clone(), vec![old]);
        assert_eq!(after.open(&sealed).unwrap(), "my goal is a raise");
        let resealed = after.seal("my goal is a raise").unwrap();
        assert_eq!(sealed_with(&resealed), Some(after.current_id()));
        assert!(after.knows(before.current_id()) && after.knows(after.current_id()));
        // Only the new key: the old value cannot be opened; plain text reads as it is.
        let only_new = DataKeys::new(new, Vec::new());
        assert_eq!(only_new.open(&sealed), Err(SealError::Open));
        assert_eq!(
            only_new.open("written before sealing").unwrap(),
            "written before sealing"
        );
        assert_eq!(only_new.seal("").unwrap(), "");
        assert!(!format!("{only_new:?}").contains(&only_new.current.1.to_hex()));
    }
}
