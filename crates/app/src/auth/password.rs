//! Password hashing with Argon2id at OWASP's recommended parameters
//! (19 MiB memory, 2 iterations, 1 lane), run off the async threads.

use argon2::password_hash::{
    PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng,
};
use argon2::{Algorithm, Argon2, Params, Version};

fn argon2() -> Argon2<'static> {
    // Params::DEFAULT is exactly OWASP's m=19456 KiB, t=2, p=1; spelled out so it stays so.
    let params = Params::new(19_456, 2, 1, None).unwrap_or(Params::DEFAULT);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a password into a PHC string.
pub async fn hash(password: String) -> Result<String, String> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        argon2()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| e.to_string())?
}

/// Checks a password against a PHC string.
pub async fn verify(password: String, phc: String) -> bool {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&phc).is_ok_and(|parsed| {
            argon2()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
    })
    .await
    .unwrap_or(false)
}

/// Spends the same time as a real check, so an unknown e-mail cannot be told apart
/// from a wrong password by timing.
pub async fn verify_nothing(password: String) {
    const DUMMY: &str = "$argon2id$v=19$m=19456,t=2,p=1$c3RpbnRzdGludHN0aW50$0Yqjmbj5iY1dhU9K1tR0YkG8mYcYh1rK1C8uZr0rK3o";
    let _ = verify(password, DUMMY.to_string()).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_are_argon2id_at_owasp_parameters_and_verify() {
        let h = hash("correct horse battery".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify("correct horse battery".into(), h.clone()).await);
        assert!(!verify("wrong horse battery".into(), h.clone()).await);
        assert!(!verify("x".into(), "not a hash".into()).await);
        let again = hash("correct horse battery".into()).await.unwrap();
        assert_ne!(h, again, "salted");
    }
}
