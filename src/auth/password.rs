//! Password rules and Argon2id hashing (server only).

use crate::error::AppError;
use argon2::{
    Argon2, PasswordHash, PasswordHasher, PasswordVerifier,
    password_hash::{SaltString, rand_core::OsRng},
};
use std::sync::OnceLock;

pub const MIN_LENGTH: usize = 10;
pub const MAX_LENGTH: usize = 256;

/// The most common leaked passwords (lower-cased), refused whatever their length.
const COMMON_PASSWORDS: &str = include_str!("common_passwords.txt");

fn is_common(password: &str) -> bool {
    static SET: OnceLock<std::collections::HashSet<&'static str>> = OnceLock::new();
    let set = SET.get_or_init(|| {
        COMMON_PASSWORDS
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect()
    });
    set.contains(password.to_lowercase().as_str())
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
    if is_common(password) {
        return Err(AppError::invalid(
            field,
            "This password is too common. Choose one that is harder to guess.",
        ));
    }
    Ok(())
}

pub fn hash(password: &str) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| {
            tracing::error!(error = %e, "password hashing failed");
            AppError::Internal
        })
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
        .map_err(|_| AppError::Internal)?
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
        assert!(check_rules("password1234", "x@example.com", "password").is_err());
        assert!(check_rules("qwertyuiop", "x@example.com", "password").is_err());
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
