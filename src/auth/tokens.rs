//! Random secrets and their stored hashes. Only hashes reach the database.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// 32 random bytes, URL-safe.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

pub fn hash(secret: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(secret.as_bytes()))
}

pub const API_TOKEN_PREFIX: &str = "lyc_";

#[cfg(test)]
mod tests {
    #[test]
    fn secrets_are_unique_and_hashes_stable() {
        let a = super::new_secret();
        assert_ne!(a, super::new_secret());
        assert_eq!(super::hash(&a), super::hash(&a));
        assert_ne!(super::hash(&a), a);
    }
}
