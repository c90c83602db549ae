//! Standard Webhooks signatures: a `whsec_` secret (base64 of 24 to 64 random bytes), the
//! signed content `"{id}.{timestamp}.{body}"`, HMAC-SHA256, and the header
//! `webhook-signature: v1,<base64>`. Verification compares in constant time and refuses
//! timestamps outside a tolerance, so a captured request cannot be replayed later.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use jiff::Timestamp;
use sha2::Sha256;

/// The prefix of every signing secret.
pub const SECRET_PREFIX: &str = "whsec_";
/// Random bytes in a secret this program generates (the scheme allows 24 to 64).
const SECRET_BYTES: usize = 32;
/// How far a request's timestamp may be from the receiver's clock, either way.
pub const TOLERANCE_SECONDS: i64 = 5 * 60;

/// The headers of a signed request.
pub const HEADER_ID: &str = "webhook-id";
pub const HEADER_TIMESTAMP: &str = "webhook-timestamp";
pub const HEADER_SIGNATURE: &str = "webhook-signature";

/// Why a secret cannot sign.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    #[error("a signing secret starts with whsec_ followed by base64")]
    Malformed,
    #[error("a signing secret holds 24 to 64 bytes")]
    WrongLength,
    #[error("the system's random source failed: {0}")]
    Random(String),
}

/// Why a request's signature was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("the secret is not usable: {0}")]
    Secret(#[from] SecretError),
    #[error("the webhook-timestamp header is not a number of seconds")]
    BadTimestamp,
    #[error("the webhook-timestamp is too old")]
    TooOld,
    #[error("the webhook-timestamp is too far in the future")]
    TooNew,
    #[error("no signature matches")]
    NoMatch,
}

/// A new secret: `whsec_` and the base64 of 32 random bytes.
pub fn generate_secret() -> Result<String, SecretError> {
    let mut key = [0u8; SECRET_BYTES];
    getrandom::fill(&mut key).map_err(|e| SecretError::Random(e.to_string()))?;
    Ok(format!("{SECRET_PREFIX}{}", STANDARD.encode(key)))
}

/// The key bytes of a `whsec_…` secret.
fn key(secret: &str) -> Result<Vec<u8>, SecretError> {
    let encoded = secret
        .strip_prefix(SECRET_PREFIX)
        .ok_or(SecretError::Malformed)?;
    let key = STANDARD
        .decode(encoded)
        .map_err(|_| SecretError::Malformed)?;
    if !(24..=64).contains(&key.len()) {
        return Err(SecretError::WrongLength);
    }
    Ok(key)
}

fn mac(key: &[u8], msg_id: &str, timestamp: i64, body: &[u8]) -> Result<Hmac<Sha256>, SecretError> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).map_err(|_| SecretError::WrongLength)?;
    mac.update(msg_id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    Ok(mac)
}

/// The `webhook-signature` value for `body` sent as message `msg_id` at `timestamp`
/// (Unix seconds): `v1,` and the base64 of HMAC-SHA256 over `"{id}.{timestamp}.{body}"`.
pub fn sign(
    secret: &str,
    msg_id: &str,
    timestamp: i64,
    body: &[u8],
) -> Result<String, SecretError> {
    let digest = mac(&key(secret)?, msg_id, timestamp, body)?
        .finalize()
        .into_bytes();
    Ok(format!("v1,{}", STANDARD.encode(digest)))
}

/// Checks a received request as a receiver would: the timestamp within
/// [`TOLERANCE_SECONDS`] of `now`, and one of the space-separated `v1,` signatures in
/// `signatures` made with `secret` over this id, timestamp and body. Each candidate is
/// compared in constant time.
pub fn verify(
    secret: &str,
    msg_id: &str,
    timestamp: &str,
    signatures: &str,
    body: &[u8],
    now: Timestamp,
) -> Result<(), VerifyError> {
    let key = key(secret)?;
    let ts: i64 = timestamp
        .trim()
        .parse()
        .map_err(|_| VerifyError::BadTimestamp)?;
    let now = now.as_second();
    if now.saturating_sub(ts) > TOLERANCE_SECONDS {
        return Err(VerifyError::TooOld);
    }
    if ts.saturating_sub(now) > TOLERANCE_SECONDS {
        return Err(VerifyError::TooNew);
    }
    let expected = mac(&key, msg_id, ts, body)?;
    let matched = signatures
        .split(' ')
        .filter_map(|s| s.split_once(','))
        .filter(|(version, _)| *version == "v1")
        .filter_map(|(_, sig)| STANDARD.decode(sig).ok())
        // `verify_slice` compares in constant time.
        .any(|sig| expected.clone().verify_slice(&sig).is_ok());
    if matched {
        Ok(())
    } else {
        Err(VerifyError::NoMatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The test vector of the Standard Webhooks reference libraries.
    const SECRET: &str = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
    const MSG_ID: &str = "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk";
    const TIMESTAMP: i64 = 1_649_367_553;
    const BODY: &[u8] = br#"{"email":"test@example.com","username":"test_user"}"#;
    const SIGNATURE: &str = "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=";

    fn at(secs: i64) -> Timestamp {
        Timestamp::from_second(secs).unwrap()
    }

    fn check(secret: &str, ts: &str, sigs: &str, body: &[u8], now: i64) -> Result<(), VerifyError> {
        verify(secret, MSG_ID, ts, sigs, body, at(now))
    }

    #[test]
    fn signs_the_reference_vector() {
        assert_eq!(sign(SECRET, MSG_ID, TIMESTAMP, BODY).unwrap(), SIGNATURE);
        assert_eq!(
            check(SECRET, &TIMESTAMP.to_string(), SIGNATURE, BODY, TIMESTAMP),
            Ok(())
        );
    }

    #[test]
    fn anything_tampered_with_fails() {
        let ts = TIMESTAMP.to_string();
        let tampered = br#"{"email":"test@example.com","username":"test_user2"}"#;
        assert_eq!(
            check(SECRET, &ts, SIGNATURE, tampered, TIMESTAMP),
            Err(VerifyError::NoMatch)
        );
        // The timestamp is signed: moving it by a second breaks the signature.
        let later = (TIMESTAMP + 1).to_string();
        assert_eq!(
            check(SECRET, &later, SIGNATURE, BODY, TIMESTAMP),
            Err(VerifyError::NoMatch)
        );
        assert_eq!(
            verify(SECRET, "msg_other", &ts, SIGNATURE, BODY, at(TIMESTAMP)),
            Err(VerifyError::NoMatch)
        );
        let other = generate_secret().unwrap();
        assert_eq!(
            check(&other, &ts, SIGNATURE, BODY, TIMESTAMP),
            Err(VerifyError::NoMatch)
        );
        for bad in [
            "",
            "v1,",
            "v1,!!!",
            "v2,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=",
            "tZ1I4",
        ] {
            assert_eq!(
                check(SECRET, &ts, bad, BODY, TIMESTAMP),
                Err(VerifyError::NoMatch),
                "{bad}"
            );
        }
    }

    #[test]
    fn one_matching_signature_among_several_is_enough() {
        let ts = TIMESTAMP.to_string();
        let several = format!("v1,Mm7xgUVICxZfQ3bgf0h0Dof65L/IFx+PnZvnDWPCX6Q= {SIGNATURE} v2,abc");
        assert_eq!(check(SECRET, &ts, &several, BODY, TIMESTAMP), Ok(()));
    }

    #[test]
    fn timestamps_outside_the_tolerance_are_refused() {
        let ts = TIMESTAMP.to_string();
        let edge = TIMESTAMP + TOLERANCE_SECONDS;
        assert_eq!(check(SECRET, &ts, SIGNATURE, BODY, edge), Ok(()));
        assert_eq!(
            check(SECRET, &ts, SIGNATURE, BODY, edge + 1),
            Err(VerifyError::TooOld)
        );
        let early = TIMESTAMP - TOLERANCE_SECONDS - 1;
        assert_eq!(
            check(SECRET, &ts, SIGNATURE, BODY, early),
            Err(VerifyError::TooNew)
        );
        assert_eq!(
            check(SECRET, "yesterday", SIGNATURE, BODY, TIMESTAMP),
            Err(VerifyError::BadTimestamp)
        );
    }

    #[test]
    fn generated_secrets_sign_and_verify() {
        let secret = generate_secret().unwrap();
        assert!(secret.starts_with(SECRET_PREFIX));
        assert_eq!(key(&secret).unwrap().len(), SECRET_BYTES);
        assert_ne!(secret, generate_secret().unwrap());
        let sig = sign(&secret, "msg_1", 1_800_000_000, b"{}").unwrap();
        assert_eq!(
            verify(
                &secret,
                "msg_1",
                "1800000000",
                &sig,
                b"{}",
                at(1_800_000_100)
            ),
            Ok(())
        );
    }

    #[test]
    fn malformed_secrets_are_refused() {
        assert_eq!(
            sign("C2FVsBQIhrscChlQIMV+b5sSYspob7oD", MSG_ID, 1, BODY),
            Err(SecretError::Malformed)
        );
        assert_eq!(
            sign("whsec_***", MSG_ID, 1, BODY),
            Err(SecretError::Malformed)
        );
        assert_eq!(
            sign("whsec_AAAA", MSG_ID, 1, BODY),
            Err(SecretError::WrongLength)
        );
    }
}
