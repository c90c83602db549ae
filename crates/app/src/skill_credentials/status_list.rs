//! The revocation list (W3C Bitstring Status List): one bit per credential number, set when it
//! is revoked, GZIP-compressed and multibase-encoded (`u` + base64url) inside a credential the
//! issuer signs, served at `/credentials/status/{list}`. A verifier anywhere reads the bit the
//! credential's `credentialStatus` points at.

use super::signing::Issuer;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use jiff::Timestamp;
use serde_json::{Value, json};
use std::io::{Read, Write};
use stint_domain::credential::STATUS_LIST_BITS;

/// `encodedList` with the bits at `set` (indexes within the list) on; bit 0 is the first
/// byte's highest bit, as the specification says.
pub fn encode(set: &[i64]) -> String {
    let mut bits = vec![0u8; (STATUS_LIST_BITS / 8) as usize];
    for &i in set.iter().filter(|i| (0..STATUS_LIST_BITS).contains(*i)) {
        bits[(i / 8) as usize] |= 0x80 >> (i % 8);
    }
    let mut gz = GzEncoder::new(Vec::new(), Compression::default());
    // Writing to memory cannot fail.
    let _ = gz.write_all(&bits);
    let compressed = gz.finish().unwrap_or_default();
    format!("u{}", B64.encode(compressed))
}

/// Whether bit `index` is on in an `encodedList`; `None` when it cannot be read.
pub fn is_set(encoded: &str, index: i64) -> Option<bool> {
    let compressed = B64.decode(encoded.strip_prefix('u')?).ok()?;
    let mut bits = Vec::new();
    // A list is 16 KiB; reading stops well past that, whatever the compressed data claims.
    GzDecoder::new(&compressed[..])
        .take(1 << 20)
        .read_to_end(&mut bits)
        .ok()?;
    let byte = bits.get(usize::try_from(index / 8).ok()?)?;
    Some(byte & (0x80 >> (index % 8)) != 0)
}

/// The list credential, unsigned.
pub fn list_credential(issuer: &Issuer, list: i64, revoked: &[i64], now: Timestamp) -> Value {
    let url = format!("{}/credentials/status/{list}", issuer.base_url);
    json!({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer.did,
        "validFrom": now.to_string(),
        "credentialSubject": {
            "id": format!("{url}#list"),
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encode(revoked),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_bits_read_back_and_others_do_not() {
        let list = encode(&[0, 3, 9, STATUS_LIST_BITS - 1]);
        for i in [0, 3, 9, STATUS_LIST_BITS - 1] {
            assert_eq!(is_set(&list, i), Some(true), "{i}");
        }
        for i in [1, 2, 8, 10, 1000] {
            assert_eq!(is_set(&list, i), Some(false), "{i}");
        }
        assert_eq!(is_set(&list, STATUS_LIST_BITS), None);
        assert_eq!(is_set("not a list", 1), None);
        // Compressed, the empty list is tiny.
        assert!(encode(&[]).len() < 200);
    }
}
