//! The issuer: its Ed25519 key (from configuration, or made once and kept in the database when
//! none is configured), its `did:web` document, and compact JWS (`alg: EdDSA`) signing and
//! checking. A VC-JWT here is the credential's JSON as the JWS payload with `typ: vc+jwt`
//! (W3C VC-JOSE-COSE), which any JOSE library verifies with the key the document publishes.

use crate::App;
use crate::error::AppError;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde_json::{Value, json};

/// The one key's fragment in the issuer's document.
const KEY_FRAGMENT: &str = "key-1";

/// The longest signed text looked at: a credential is a few kilobytes; anything far larger is
/// refused before it is decoded.
pub const MOST_BYTES: usize = 64 * 1024;

/// Who signs: the key and the names it goes by.
pub struct Issuer {
    key: SigningKey,
    pub did: String,
    /// `did#key-1`: the `kid` of every signature.
    pub kid: String,
    /// The site's address, without a trailing slash.
    pub base_url: String,
}

/// The issuer of this site. The key is the configured one, else the one this database keeps
/// (made by whichever node asked first).
pub async fn issuer(app: &App) -> Result<Issuer, AppError> {
    let seed = match app.settings.credential_key {
        Some(seed) => seed,
        None => {
            let mut fresh = [0u8; 32];
            getrandom::fill(&mut fresh).map_err(|e| {
                tracing::error!(error = %e, "no operating system randomness");
                AppError::internal()
            })?;
            let kept = app.store.issuer_seed(&B64.encode(fresh), app.now()).await?;
            parse_seed(&kept).ok_or_else(|| {
                tracing::error!("the kept credential key is not 32 bytes of base64url");
                AppError::internal()
            })?
        }
    };
    let base_url = app.settings.public_url.trim_end_matches('/').to_string();
    let did = stint_domain::credential::did_web(&base_url).ok_or_else(|| {
        tracing::error!("public_url is not an http(s) address; credentials need one");
        AppError::internal()
    })?;
    Ok(Issuer {
        key: SigningKey::from_bytes(&seed),
        kid: format!("{did}#{KEY_FRAGMENT}"),
        did,
        base_url,
    })
}

/// A key seed as configured: 32 bytes, base64url (padding optional) or hex.
pub fn parse_seed(text: &str) -> Option<[u8; 32]> {
    let text = text.trim();
    let bytes = if text.len() == 64 && text.chars().all(|c| c.is_ascii_hexdigit()) {
        hex::decode(text).ok()?
    } else {
        B64.decode(text.trim_end_matches('=')).ok()?
    };
    bytes.try_into().ok()
}

impl Issuer {
    /// The public key as a JWK.
    pub fn public_jwk(&self) -> Value {
        json!({"kty": "OKP", "crv": "Ed25519",
               "x": B64.encode(self.key.verifying_key().as_bytes())})
    }

    /// The `did:web` document served at `/.well-known/did.json` (and `/did.json` for a site
    /// under a path).
    pub fn did_document(&self) -> Value {
        json!({
            "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/suites/jws-2020/v1"],
            "id": self.did,
            "verificationMethod": [{
                "id": self.kid,
                "type": "JsonWebKey2020",
                "controller": self.did,
                "publicKeyJwk": self.public_jwk(),
            }],
            "assertionMethod": [self.kid],
        })
    }

    /// `payload` as a compact JWS of type `vc+jwt`.
    pub fn sign(&self, payload: &Value) -> String {
        let header = json!({"alg": "EdDSA", "typ": "vc+jwt", "kid": self.kid});
        let signing_input = format!(
            "{}.{}",
            B64.encode(header.to_string()),
            B64.encode(payload.to_string())
        );
        let signature = self.key.sign(signing_input.as_bytes());
        format!("{signing_input}.{}", B64.encode(signature.to_bytes()))
    }

    /// The payload of a compact JWS this issuer signed, or why not.
    pub fn open(&self, jws: &str) -> Result<Value, &'static str> {
        open_with(&self.key.verifying_key(), jws)
    }
}

fn open_with(key: &VerifyingKey, jws: &str) -> Result<Value, &'static str> {
    let jws = jws.trim();
    if jws.len() > MOST_BYTES {
        return Err("This is far longer than any credential Stint issues");
    }
    let mut parts = jws.split('.');
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err("This is not a signed credential (a VC-JWT has three parts)");
    };
    let header: Value = B64
        .decode(header)
        .ok()
        .and_then(|h| serde_json::from_slice(&h).ok())
        .ok_or("Its header cannot be read")?;
    // The key decides, not the name it was given: a credential issued before the site's
    // address (and so its did:web name) changed is still this issuer's.
    if header["alg"] != "EdDSA" {
        return Err("It was not signed with this issuer's key");
    }
    let signature = B64
        .decode(signature)
        .ok()
        .and_then(|s| Signature::from_slice(&s).ok())
        .ok_or("Its signature cannot be read")?;
    let signing_input = jws.rsplit_once('.').map_or(jws, |(input, _)| input);
    key.verify(signing_input.as_bytes(), &signature)
        .map_err(|_| "Its signature does not match: it was changed after it was issued")?;
    B64.decode(payload)
        .ok()
        .and_then(|p| serde_json::from_slice(&p).ok())
        .ok_or("Its content cannot be read")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issuer() -> Issuer {
        Issuer {
            key: SigningKey::from_bytes(&[7u8; 32]),
            did: "did:web:stint.example".into(),
            kid: "did:web:stint.example#key-1".into(),
            base_url: "https://stint.example".into(),
        }
    }

    #[test]
    fn what_is_signed_opens_and_any_change_is_caught() {
        let i = issuer();
        let jws = i.sign(&json!({"name": "Negotiation"}));
        assert_eq!(i.open(&jws).unwrap()["name"], "Negotiation");
        // Another payload under the same signature.
        let mut parts: Vec<&str> = jws.split('.').collect();
        let forged = B64.encode(json!({"name": "Anything"}).to_string());
        parts[1] = &forged;
        assert!(i.open(&parts.join(".")).unwrap_err().contains("changed"));
        // Signed by another key.
        let other = Issuer {
            key: SigningKey::from_bytes(&[8u8; 32]),
            ..issuer()
        };
        assert!(i.open(&other.sign(&json!({}))).is_err());
        assert!(i.open("a.b").is_err());
        assert!(i.open(&"x".repeat(MOST_BYTES + 1)).is_err());
    }

    #[test]
    fn seeds_are_read_as_hex_or_base64url() {
        assert_eq!(parse_seed(&"07".repeat(32)), Some([7u8; 32]));
        assert_eq!(parse_seed(&B64.encode([9u8; 32])), Some([9u8; 32]));
        assert_eq!(parse_seed("short"), None);
    }
}
