//! Sealing the secrets Lyceum keeps only to send on (an identity provider's client secret):
//! AES-256-GCM with the site's key, which lives outside the database (`LYCEUM_SECRET_KEY`, or
//! `secret.key` in the data dir, made on first start), so a copy of the database alone does not
//! give them away. Each sealed value names its purpose as associated data, so a value sealed for
//! one column cannot be moved into another. Passwords and tokens Lyceum only checks are hashed
//! instead (`auth::password`, `auth::tokens`).

use crate::error::AppError;
use aes_gcm::aead::{Aead, KeyInit, OsRng, Payload};
use aes_gcm::{AeadCore, Aes256Gcm, Key, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use std::path::Path;

/// Sealed values start with their format's version.
const PREFIX: &str = "v1:";
const KEY_FILE: &str = "secret.key";
const NONCE_LEN: usize = 12;

#[derive(Clone)]
pub struct Sealer {
    cipher: Aes256Gcm,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer")
    }
}

impl Sealer {
    /// The key given (base64 of 32 bytes), else the data dir's key file, made when missing.
    pub fn load(given: Option<&str>, data_dir: &Path) -> Result<Sealer, String> {
        let encoded = match given.map(str::trim).filter(|k| !k.is_empty()) {
            Some(key) => key.to_string(),
            None => key_file(data_dir)?,
        };
        let bytes = B64
            .decode(encoded.trim())
            .ok()
            .filter(|b| b.len() == 32)
            .ok_or("LYCEUM_SECRET_KEY / secret.key: not 32 bytes in base64 (make one with `openssl rand -base64 32`)")?;
        Ok(Sealer::from_key(&bytes))
    }

    fn from_key(bytes: &[u8]) -> Sealer {
        Sealer {
            cipher: Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(bytes)),
        }
    }

    /// `plain` sealed for `purpose` (such as "sso_providers.client_secret").
    pub fn seal(&self, purpose: &str, plain: &str) -> Result<String, AppError> {
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let sealed = self
            .cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: plain.as_bytes(),
                    aad: purpose.as_bytes(),
                },
            )
            .map_err(|e| crate::error::internal("sealing a secret", e))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Ok(format!("{PREFIX}{}", B64.encode(out)))
    }

    /// Whether `value` was sealed (rather than kept as typed, before sealing existed).
    pub fn is_sealed(value: &str) -> bool {
        value.starts_with(PREFIX)
    }

    /// The value `seal` sealed for the same purpose; an error when the key or purpose differs.
    pub fn open(&self, purpose: &str, sealed: &str) -> Result<String, AppError> {
        let broken = || {
            crate::error::internal(
                "opening a sealed secret",
                format!(
                    "{purpose}: not sealed with this site's key (was LYCEUM_SECRET_KEY changed?)"
                ),
            )
        };
        let bytes = sealed
            .strip_prefix(PREFIX)
            .and_then(|b| B64.decode(b).ok())
            .filter(|b| b.len() > NONCE_LEN)
            .ok_or_else(broken)?;
        let (nonce, body) = bytes.split_at(NONCE_LEN);
        let plain = self
            .cipher
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: body,
                    aad: purpose.as_bytes(),
                },
            )
            .map_err(|_| broken())?;
        String::from_utf8(plain).map_err(|_| broken())
    }
}

/// The key file's contents, written (readable by its owner only) when there is none yet.
fn key_file(data_dir: &Path) -> Result<String, String> {
    let path = data_dir.join(KEY_FILE);
    match std::fs::read_to_string(&path) {
        Ok(key) => return Ok(key),
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            return Err(format!("reading {}: {e}", path.display()));
        }
        Err(_) => {}
    }
    std::fs::create_dir_all(data_dir)
        .map_err(|e| format!("creating {}: {e}", data_dir.display()))?;
    let key = B64.encode(Aes256Gcm::generate_key(&mut OsRng));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(&path) {
        Ok(mut file) => {
            std::io::Write::write_all(&mut file, key.as_bytes())
                .map_err(|e| format!("writing {}: {e}", path.display()))?;
            Ok(key)
        }
        // Another process made it first: use theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            std::fs::read_to_string(&path).map_err(|e| format!("reading {}: {e}", path.display()))
        }
        Err(e) => Err(format!("writing {}: {e}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_with_their_key_and_purpose() {
        let sealer = Sealer::from_key(&[7; 32]);
        let sealed = sealer.seal("a.secret", "hunter2").expect("seal");
        assert!(sealed.starts_with("v1:"));
        assert!(!sealed.contains("hunter2"));
        assert_eq!(sealer.open("a.secret", &sealed).expect("open"), "hunter2");
        assert!(sealer.open("b.secret", &sealed).is_err(), "another purpose");
        assert!(
            Sealer::from_key(&[8; 32])
                .open("a.secret", &sealed)
                .is_err(),
            "another key"
        );
        assert!(sealer.open("a.secret", "hunter2").is_err(), "plain text");
        assert_ne!(
            sealer.seal("a.secret", "hunter2").expect("seal"),
            sealed,
            "a fresh nonce"
        );
    }

    #[test]
    fn the_key_file_is_made_once_and_kept() {
        let dir = std::env::temp_dir().join(format!("lyceum-seal-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let first = Sealer::load(None, &dir).expect("made");
        let sealed = first.seal("p", "x").expect("seal");
        let again = Sealer::load(None, &dir).expect("read");
        assert_eq!(again.open("p", &sealed).expect("same key"), "x");
        assert!(Sealer::load(Some("short"), &dir).is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
