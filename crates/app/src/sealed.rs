//! Calendar passwords sealed at rest: ChaCha20-Poly1305 with the server's `calendar_key`
//! (32 bytes from the configuration) and a random 96-bit nonce per write. Stored as
//! `base64(nonce || ciphertext)`; the key itself is never stored, logged or shown.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use std::fmt;

const NONCE_BYTES: usize = 12;

/// Why sealing or opening failed. Says nothing about the key or the plaintext.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    #[error("calendar_key must be 32 bytes, written as 64 hex digits or base64")]
    BadKey,
    #[error("no random nonce could be made")]
    Random,
    #[error("the sealed password cannot be opened with this calendar_key")]
    Open,
}

/// The key calendar passwords are sealed with.
#[derive(Clone)]
pub struct CalendarKey([u8; 32]);

impl fmt::Debug for CalendarKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CalendarKey(<redacted>)")
    }
}

impl CalendarKey {
    /// A key written as 64 hex digits or as base64 of 32 bytes.
    pub fn parse(text: &str) -> Result<CalendarKey, SealError> {
        let text = text.trim();
        let bytes = if text.len() == 64 && text.chars().all(|c| c.is_ascii_hexdigit()) {
            hex::decode(text).map_err(|_| SealError::BadKey)?
        } else {
            STANDARD.decode(text).map_err(|_| SealError::BadKey)?
        };
        let key: [u8; 32] = bytes.try_into().map_err(|_| SealError::BadKey)?;
        Ok(CalendarKey(key))
    }

    /// A new random key.
    pub fn generate() -> Result<CalendarKey, SealError> {
        let mut key = [0u8; 32];
        getrandom::fill(&mut key).map_err(|_| SealError::Random)?;
        Ok(CalendarKey(key))
    }

    /// The key as 64 hex digits, to write into a key file.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    fn cipher(&self) -> ChaCha20Poly1305 {
        ChaCha20Poly1305::new(Key::from_slice(&self.0))
    }

    /// Seals `secret` under a fresh nonce.
    pub fn seal(&self, secret: &str) -> Result<String, SealError> {
        let mut nonce = [0u8; NONCE_BYTES];
        getrandom::fill(&mut nonce).map_err(|_| SealError::Random)?;
        let sealed = self
            .cipher()
            .encrypt(Nonce::from_slice(&nonce), secret.as_bytes())
            .map_err(|_| SealError::Random)?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Ok(STANDARD.encode(out))
    }

    /// Opens what [`CalendarKey::seal`] wrote; fails for another key or altered bytes.
    pub fn open(&self, sealed: &str) -> Result<String, SealError> {
        let bytes = STANDARD.decode(sealed).map_err(|_| SealError::Open)?;
        if bytes.len() < NONCE_BYTES {
            return Err(SealError::Open);
        }
        let (nonce, body) = bytes.split_at(NONCE_BYTES);
        let plain = self
            .cipher()
            .decrypt(Nonce::from_slice(nonce), body)
            .map_err(|_| SealError::Open)?;
        String::from_utf8(plain).map_err(|_| SealError::Open)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seals_and_opens_with_a_fresh_nonce_each_time() {
        let key = CalendarKey::generate().unwrap();
        let a = key.seal("hunter2").unwrap();
        let b = key.seal("hunter2").unwrap();
        assert_ne!(a, b);
        assert!(!a.contains("hunter2"));
        assert_eq!(key.open(&a).unwrap(), "hunter2");
        let other = CalendarKey::generate().unwrap();
        assert_eq!(other.open(&a), Err(SealError::Open));
        let mut tampered = STANDARD.decode(&a).unwrap();
        let last = tampered.len() - 1;
        tampered[last] ^= 1;
        assert_eq!(key.open(&STANDARD.encode(tampered)), Err(SealError::Open));
        assert_eq!(key.open("not base64!"), Err(SealError::Open));
    }

    #[test]
    fn keys_parse_from_hex_or_base64_and_never_print() {
        let hex_key = "00".repeat(32);
        let k = CalendarKey::parse(&hex_key).unwrap();
        assert_eq!(k.to_hex(), hex_key);
        let b64 = STANDARD.encode([7u8; 32]);
        assert!(CalendarKey::parse(&b64).is_ok());
        assert_eq!(CalendarKey::parse("short").err(), Some(SealError::BadKey));
        assert_eq!(CalendarKey::parse("").err(), Some(SealError::BadKey));
        assert_eq!(format!("{k:?}"), "CalendarKey(<redacted>)");
    }
}
