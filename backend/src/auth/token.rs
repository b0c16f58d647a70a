//! Session tokens: 256 random bits, sent as `authorization: Bearer …`, stored only as SHA-256.

use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use sha2::{Digest as _, Sha256};

/// Length of a token's text (32 bytes, base64url without padding).
const TOKEN_CHARS: usize = 43;

/// A new random token.
pub fn generate() -> String {
    URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
}

/// The stored form of a token.
pub fn digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Why an `authorization` header could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BadToken {
    /// No header.
    #[error("sign in first: the request carries no session token")]
    Missing,
    /// Not `Bearer <43 base64url characters>`.
    #[error("the session token is malformed; sign in again")]
    Malformed,
}

/// Reads `Bearer <token>` from an `authorization` header value.
pub fn from_header(value: Option<&str>) -> Result<&str, BadToken> {
    let value = value.ok_or(BadToken::Missing)?;
    let token = value.strip_prefix("Bearer ").ok_or(BadToken::Malformed)?.trim();
    let well_formed = token.len() == TOKEN_CHARS
        && token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if well_formed { Ok(token) } else { Err(BadToken::Malformed) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_read_back() {
        let a = generate();
        assert_eq!(a.len(), TOKEN_CHARS);
        assert_ne!(a, generate());
        assert_eq!(from_header(Some(&format!("Bearer {a}"))), Ok(a.as_str()));
    }

    #[test]
    fn malformed_headers_are_refused() {
        assert_eq!(from_header(None), Err(BadToken::Missing));
        for bad in [
            "Basic abc",
            "Bearer short",
            &format!("Bearer {}", "!".repeat(43)),
            &format!("Bearer {}", "a".repeat(5000)),
        ] {
            assert_eq!(from_header(Some(bad)), Err(BadToken::Malformed), "{bad}");
        }
    }

    #[test]
    fn the_stored_form_is_not_the_token() {
        let t = generate();
        assert_eq!(digest(&t).len(), 64);
        assert!(!digest(&t).contains(&t));
    }
}
