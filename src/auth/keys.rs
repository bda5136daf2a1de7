//! API key secrets: `dg_` followed by 64 hex digits (256 random bits). Only a SHA-256 of the
//! whole key is stored; the first characters are kept as a visible prefix to recognise it by.

use rand::RngCore;
use sha2::{Digest, Sha256};

const KEY_PREFIX: &str = "dg_";
const VISIBLE_CHARS: usize = KEY_PREFIX.len() + 8;

pub struct NewSecret {
    /// The full key, shown to its owner once.
    pub plaintext: String,
    pub prefix: String,
    pub hash: Vec<u8>,
}

pub fn generate() -> NewSecret {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let plaintext = format!("{KEY_PREFIX}{}", hex::encode(bytes));
    let prefix = plaintext[..VISIBLE_CHARS].to_owned();
    let hash = hash(&plaintext);
    NewSecret {
        plaintext,
        prefix,
        hash,
    }
}

pub fn hash(key: &str) -> Vec<u8> {
    Sha256::digest(key.as_bytes()).to_vec()
}

/// Extracts the key from an `Authorization` value (`Bearer <key>`, case-insensitive scheme).
pub fn from_authorization(value: &str) -> Option<&str> {
    let (scheme, key) = value.trim().split_once(' ')?;
    let key = key.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !key.is_empty()).then_some(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_long_random_and_hashed() {
        let a = generate();
        let b = generate();
        assert_ne!(a.plaintext, b.plaintext);
        assert_eq!(a.plaintext.len(), 3 + 64);
        assert!(a.plaintext.starts_with(&a.prefix));
        assert_eq!(a.hash, hash(&a.plaintext));
        assert_eq!(a.hash.len(), 32);
    }

    #[test]
    fn bearer_header_is_parsed() {
        assert_eq!(from_authorization("Bearer dg_abc"), Some("dg_abc"));
        assert_eq!(from_authorization("bearer   dg_abc "), Some("dg_abc"));
        assert_eq!(from_authorization("Basic dg_abc"), None);
        assert_eq!(from_authorization("Bearer "), None);
        assert_eq!(from_authorization("dg_abc"), None);
    }
}
