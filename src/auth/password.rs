//! Password rules and Argon2id hashing (server only).

use crate::error::{AppError, OrInternal};
use argon2::{
    Argon2, PasswordHash, PasswordHasher, PasswordVerifier,
    password_hash::{SaltString, rand_core::OsRng},
};
use std::sync::OnceLock;

pub const MIN_LENGTH: usize = 10;
pub const MAX_LENGTH: usize = 256;

/// zxcvbn is quadratic in the length; a long prefix is enough to judge a password.
const ESTIMATE_CHARS: usize = 64;

/// Why a password falls to fewer than a million guesses (zxcvbn score 0 or 1: common passwords,
/// keyboard walks, names, dates, variations of the person's email), or None when it is strong enough.
fn too_guessable(password: &str, email: &str) -> Option<String> {
    let local = email.split('@').next().unwrap_or_default();
    let prefix: String = password.chars().take(ESTIMATE_CHARS).collect();
    let estimate = zxcvbn::zxcvbn(&prefix, &[email, local]);
    if u8::from(estimate.score()) >= 2 {
        return None;
    }
    let warning = estimate
        .feedback()
        .and_then(|f| f.warning())
        .map(|w| format!(" {w}"))
        .unwrap_or_default();
    Some(format!(
        "This password is too easy to guess.{warning} Try a few unrelated words."
    ))
}

/// Checks a new password against the site's rules. `field` names the form field for the message.
pub fn check_rules(password: &str, email: &str, field: &str) -> Result<(), AppError> {
    let length = password.chars().count();
    if length < MIN_LENGTH {
        return Err(AppError::invalid(
            field,
            format!("Use at least {MIN_LENGTH} characters."),
        ));
    }
    if length > MAX_LENGTH {
        return Err(AppError::invalid(
            field,
            format!("Use at most {MAX_LENGTH} characters."),
        ));
    }
    let lower = password.to_lowercase();
    let email = email.trim().to_lowercase();
    let local = email.split('@').next().unwrap_or_default();
    if !email.is_empty() && (lower == email || (local.len() >= 4 && lower.contains(local))) {
        return Err(AppError::invalid(
            field,
            "Your password must not contain your email address.",
        ));
    }
    if let Some(reason) = too_guessable(password, &email) {
        return Err(AppError::invalid(field, reason));
    }
    Ok(())
}

pub fn hash(password: &str) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .or_internal("password hashing failed")
}

pub fn verify(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// Spends the same time as a real check, so a missing account cannot be told apart by timing.
pub fn verify_dummy(password: &str) {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let stored = DUMMY.get_or_init(|| hash("dummy-password-for-timing").unwrap_or_default());
    let _ = verify(password, stored);
}

/// Hashing is CPU-heavy: run it off the async threads.
pub async fn hash_blocking(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || hash(&password))
        .await
        .or_internal("the password hashing task failed")?
}

pub async fn verify_blocking(password: String, stored: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || match stored {
        Some(stored) => verify(&password, &stored),
        None => {
            verify_dummy(&password);
            false
        }
    })
    .await
    .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_password_is_refused() {
        assert!(check_rules("short", "a@example.com", "password").is_err());
    }

    #[test]
    fn password_containing_email_is_refused() {
        let err =
            check_rules("ada.lovelace-2024!", "ada.lovelace@example.com", "password").unwrap_err();
        assert!(err.field("password").unwrap().contains("email"));
    }

    #[test]
    fn common_password_is_refused_even_when_long() {
        for weak in [
            "password1234",
            "qwertyuiop",
            "1q2w3e4r5t6y",
            "iloveyou2024",
            "aaaaaaaaaaaa",
            "1234567890",
        ] {
            let err = check_rules(weak, "x@example.com", "password").unwrap_err();
            assert!(
                err.field("password").unwrap().contains("too easy to guess"),
                "{weak}"
            );
        }
    }

    #[test]
    fn passphrases_used_in_the_tests_and_docs_are_accepted() {
        for good in [
            "a long test passphrase",
            "a long learner passphrase",
            "correct horse battery staple",
            "a completely new passphrase",
            "bench passphrase 2026",
            "a fine admin passphrase",
            "a good passphrase",
            "a brand new passphrase",
            "a fresh passphrase",
            "another new passphrase",
            "a long learner passphrase",
        ] {
            check_rules(good, "someone@example.com", "password")
                .unwrap_or_else(|e| panic!("{good}: {e}"));
        }
    }

    #[test]
    fn good_password_is_accepted_and_verifies() {
        check_rules("correct horse battery", "x@example.com", "password").unwrap();
        let hashed = hash("correct horse battery").unwrap();
        assert!(hashed.starts_with("$argon2id$"));
        assert!(verify("correct horse battery", &hashed));
        assert!(!verify("wrong", &hashed));
    }
}
