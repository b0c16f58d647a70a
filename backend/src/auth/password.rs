//! Password hashing: argon2id, PHC strings, on the blocking pool.

use argon2::{
    Algorithm, Argon2, Params, PasswordHash, PasswordHasher as _, PasswordVerifier as _, Version,
    password_hash::SaltString,
};

/// argon2id with 19 MiB of memory, 2 passes, 1 lane: OWASP's recommended minimum, about
/// 25 ms per hash on these machines (see the README's measurements), so a sign-in stays quick
/// while each guess costs an attacker as much.
fn hasher() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Letters and digits a person can read aloud and type without confusing them (no 0/o, 1/l/i).
const TEMPORARY_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

/// A new temporary password: four groups of four from [`TEMPORARY_ALPHABET`] joined by hyphens
/// (about 79 random bits), e.g. `k7mx-3vdq-9pzt-hw2c`. It is not a common password and contains
/// no username, since usernames need not be random.
pub fn temporary() -> String {
    use rand::Rng as _;
    let mut rng = rand::rng();
    (0..4)
        .map(|_| {
            (0..4)
                .map(|_| char::from(TEMPORARY_ALPHABET[rng.random_range(0..TEMPORARY_ALPHABET.len())]))
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// Hashing failed (only on resource exhaustion or a broken stored hash).
#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct HashError(String);

/// Hashes a new password on the blocking pool.
pub async fn hash(password: String) -> Result<String, HashError> {
    tokio::task::spawn_blocking(move || {
        let salt =
            SaltString::encode_b64(&rand::random::<[u8; 16]>()).map_err(|e| HashError(e.to_string()))?;
        hasher()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| HashError(e.to_string()))
    })
    .await
    .map_err(|e| HashError(e.to_string()))?
}

/// Whether `password` matches the stored `hash`, checked on the blocking pool. A malformed
/// stored hash never matches.
pub async fn verify(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash)
            .is_ok_and(|parsed| hasher().verify_password(password.as_bytes(), &parsed).is_ok())
    })
    .await
    .unwrap_or(false)
}

/// A hash of a random password, verified against when a username does not exist so that a
/// wrong username takes as long as a wrong password.
pub async fn decoy() -> Result<String, HashError> {
    hash(format!("decoy-{:032x}", rand::random::<u128>())).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let h = hash("correct horse battery".into()).await.expect("hashes");
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify("correct horse battery".into(), h.clone()).await);
        assert!(!verify("correct horse batterx".into(), h.clone()).await);
        assert!(!verify("anything".into(), "not a hash".into()).await);
    }

    #[test]
    fn temporary_passwords_are_long_readable_random_and_pass_the_policy() {
        let a = temporary();
        assert_eq!(a.len(), 19, "{a}");
        assert!(
            a.split('-').all(|g| g.len() == 4 && g.bytes().all(|b| TEMPORARY_ALPHABET.contains(&b))),
            "{a}"
        );
        assert_ne!(a, temporary());
        assert_eq!(crate::domain::identity::check_new_password(&a, "someone"), Ok(()));
    }
}
